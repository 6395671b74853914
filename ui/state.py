"""The page's settings: restored from the URL once per session, kept across tabs, read once per run."""

from __future__ import annotations

from dataclasses import dataclass, fields

import streamlit as st

from makemore.neural import TrainConfig
from ui.compat import keys_sent_by_browser
from ui.params import FIT_ON, PARAMS, from_url, to_url

KEPT = ("view", "slice", "name", "year", "sex")  # widgets not drawn in every run (one tab, one dataset)


@dataclass(frozen=True)
class Settings:
    """Every setting of the page, as the URL carries them; one per script run."""

    tab: str
    dataset: str
    year: int
    sex: str
    context: int  # 1 bigram, 2 trigram
    fit_on: str
    smoothing: float
    epochs: int
    lr: float
    reg: float
    method: str
    animate: bool
    seed: int
    n_samples: int
    temperature: float
    view: str  # counts / probabilities / log-probabilities
    slice: str  # trigram: the first context character of the heatmap's slice
    name: str  # the scored name

    @classmethod
    def read(cls) -> Settings:
        return cls(**{f.name: st.session_state[f.name] for f in fields(cls)})

    @property
    def fit_part(self) -> str:
        """The words both models are fit on: all of them (the lecture) or the train split (E02)."""
        return "all" if self.fit_on == FIT_ON[0] else "train"

    @property
    def train_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs, lr=float(self.lr), reg=float(self.reg), seed=self.seed, method=self.method
        )


def restore() -> list[str]:
    """Put every setting in session_state; returns the notes about values the link had wrong.

    Once per session the values come from the URL, except those the browser itself sent (a page
    reconnecting after a server restart sends its widgets' values, newer than its URL). Streamlit
    drops the state of a widget that is not drawn in a run (a widget of another tab, the year when
    the dataset is not SSA), so those settings live in `_kept`, copied there by the widget's
    on_change (see `kept`) and put back at the start of every run.
    """
    ss = st.session_state
    sent: set[str] = set()
    if "_kept" not in ss:
        values, notes = from_url(st.query_params.to_dict())
        sent = keys_sent_by_browser() - set(KEPT)
        ss["_kept"] = {key: values.get(key, PARAMS[key].default) for key in KEPT}
        ss["_url_notes"] = notes
        for key, p in PARAMS.items():
            if key not in sent and key not in KEPT:
                ss[key] = values.get(key, p.default)
    for key, p in PARAMS.items():
        if key in KEPT:
            ss[key] = ss["_kept"][key]
        elif key not in sent:
            ss.setdefault(key, p.default)
    return ss["_url_notes"]


def kept(key: str) -> dict:
    """Keyword arguments for a widget that is not drawn in every run: its value outlives the run."""
    return {"key": key, "on_change": keep, "args": (key,)}


def keep(key: str, value=None) -> None:
    """Remember the widget's new value (or set one from code)."""
    ss = st.session_state
    ss["_kept"][key] = ss[key] if value is None else value
    if value is not None:
        ss[key] = value


def publish(settings: Settings) -> None:
    """Mirror the settings in the URL, so the address bar is a link to this exact view."""
    st.query_params.from_dict(to_url(settings.__dict__))
