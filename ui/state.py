"""The page's settings: restored from the URL once per session, kept across tabs, read once per run."""

from __future__ import annotations

import logging
from dataclasses import field, fields, make_dataclass

import streamlit as st

from makemore.mlp import MLPConfig
from makemore.neural import TrainConfig
from ui.params import FIT_ON, PARAMS, SIDEBAR, from_url, to_url

log = logging.getLogger(__name__)
MAX_VALUE = 1_000  # characters: the longest setting (a name) is 64


class _Settings:
    """Every setting of the page, as the URL carries them; one per script run. The fields are
    derived from ui/params.PARAMS, where each setting is declared once."""

    @classmethod
    def read(cls) -> Settings:
        """The settings of this run (after the sidebar is drawn: see `restore`)."""
        ss = st.session_state
        for key in ss.get("_sent", ()):  # values a reconnecting page sent, now readable by key
            if key in ss:
                keep(key)
        ss["_sent"] = set()
        return cls(**{f.name: ss["_kept"][f.name] for f in fields(cls)})

    @property
    def fit_part(self) -> str:
        """The words both models are fit on: all of them (the lecture) or the train split (E02)."""
        return "all" if self.fit_on == FIT_ON[0] else "train"

    @property
    def train_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs, lr=float(self.lr), reg=float(self.reg), seed=self.seed, method=self.method
        )

    @property
    def mlp_config(self) -> MLPConfig:
        """The MLP tab's run: its settings, the page's seed, the dev NLL every 500 steps (20 times in a shorter run)."""
        return MLPConfig(
            context=self.mlp_context,
            d=self.mlp_d,
            h=self.mlp_h,
            steps=self.mlp_steps,
            batch=self.mlp_batch,
            lr1=float(self.mlp_lr1),
            lr2=float(self.mlp_lr2),
            seed=self.seed,
            init_fix=self.mlp_init_fix,
            dev_every=min(500, max(1, self.mlp_steps // 20)),
        )


def settings_class(params: dict = PARAMS) -> type:
    """The frozen Settings dataclass: one field per declared setting, with its type and doc."""
    cls = make_dataclass(
        "Settings",
        [(key, p.type, field(metadata={"doc": p.doc})) for key, p in params.items()],
        bases=(_Settings,),
        frozen=True,
    )
    cls.__doc__, cls.__module__ = _Settings.__doc__, __name__
    return cls


Settings = settings_class()


def restore() -> list[str]:
    """Put every setting in session_state; returns the notes about values the link had wrong.

    The settings live in `_kept`: once per session they come from the URL, then every widget's
    on_change copies its new value there (see `kept`), and each run starts by putting them back.
    Streamlit drops the state of a widget that is not drawn in a run (another tab's, the lecture
    mode's), so without `_kept` a setting would reset whenever its widget is not on screen.

    A page that comes back to a restarted server (or another replica) sends its sidebar widgets'
    values, newer than the URL it would otherwise restore from. Streamlit has no public way to
    read them before their widgets are drawn, so on such a page's first run those widgets are
    drawn with the URL's values as defaults (`kept`), the browser's values win, and
    `Settings.read` takes what the widgets return. Such a page is known by a cookie that its
    presence channel sets (ui/components/page/presence.js) and drops when the page is closed or reloaded.
    """
    ss = st.session_state
    if "_kept" not in ss:
        values, notes = from_url(st.query_params.to_dict())
        ss["_kept"] = {key: values.get(key, p.default) for key, p in PARAMS.items()}
        ss["_url_notes"] = notes
        lecture = ss["_kept"]["mode"] == "lecture"
        back = "mm_page" in st.context.cookies
        ss["_sent"] = set(SIDEBAR) if back and not lecture else set()
    for key in PARAMS:
        if key not in ss["_sent"]:
            ss[key] = ss["_kept"][key]
    return ss["_url_notes"]


def kept(key: str, options=None) -> dict:
    """Keyword arguments for a settings widget: its key, and an on_change that keeps its value.

    On the first run of a page that came back (see `restore`) the widget gets the URL's value as
    its default instead (`index` into `options` for a radio or a select box), so the value the
    browser sent wins."""
    kwargs = {"key": key, "on_change": keep, "args": (key,)}
    ss = st.session_state
    if key in ss.get("_sent", ()) and key not in ss:
        value = ss["_kept"][key]
        kwargs |= {"index": list(options).index(value)} if options is not None else {"value": value}
    return kwargs


def keep(key: str, value=None) -> None:
    """Remember the widget's new value; or set one from code (value=...), before its widget is drawn.

    A widget's value comes from the browser, which may send anything (a forged radio index, a
    method that does not exist): it goes through the same parser as a link's value, and one that
    does not parse is dropped (and logged); the widget shows the kept value again on the next run."""
    ss = st.session_state
    raw = ss.get(key) if value is None else value
    try:
        parsed = checked(key, raw)
    except ValueError as e:
        log.warning("the browser sent %s=%r: %s", key, str(raw)[:80], e)
        ss[key] = ss["_kept"][key]
        return
    ss["_kept"][key] = parsed
    if value is not None:
        ss[key] = parsed


def checked(key: str, value):
    """`value` for setting `key` as the URL's parser reads it; raises ValueError when it is not one."""
    if isinstance(value, (dict, list, tuple, set, bytes)) or value is None:
        raise ValueError(f"not a value of {key}")
    text = str(value)
    if len(text) > MAX_VALUE:
        raise ValueError(f"{len(text):,} characters")
    return PARAMS[key].parse(text)


def publish(settings: Settings) -> None:
    """Mirror the settings in the URL, so the address bar is a link to this exact view."""
    st.query_params.from_dict(to_url({**st.session_state["_kept"], **settings.__dict__}))


def setting_ui(key: str, where=None, label: str | None = None):
    """Draw setting `key`'s widget as PARAMS declares it (its bounds, its options, its help), in
    `where` (the sidebar by default); returns its value."""
    p = PARAMS[key]
    where = where if where is not None else st.sidebar
    label = label or p.label
    draw = getattr(where, p.widget)
    if p.widget in ("radio", "selectbox"):
        return draw(label, p.options, **kept(key, p.options), **p.args)
    if p.widget == "select_slider":
        return draw(label, p.options, **kept(key), **p.args)
    if p.widget in ("slider", "number_input"):
        return draw(label, *p.bounds, **kept(key), **p.args)
    return draw(label, **kept(key), **p.args)
