"""A follower's copy of the lecturer's step (class mode): what the step draws, recorded once.

A follower's page used to rerun the whole lecture script on every page turn (~31 ms of server CPU
each: 300 followers were 9 s of CPU per PageDown). Now the lecturer's run records what its step
draws, as a "slide": the heading, the rail's text, values and controls, the stage's charts, in the
same JSON the page's components already draw from. The room carries it (service/rooms.py), the
live route pushes it to every follower (service/live/rooms.py), and a follower's page draws it without
a rerun (ui/classroom/stage.js, which runs the same component code as the lecturer's page).

Recording is explicit: the lecture's steps write through `markdown`, `caption`, `html`, `value`
and `columns` here, and the components (ui/components/__init__.py) `note` their data; outside a recording
(the explorer, a follower, anyone not leading a class) these are the plain Streamlit calls.
Text goes to the slide as HTML made here from the same Markdown Streamlit renders (mistune,
raw HTML escaped); formulas as MathML (latex2mathml), which Chromium draws natively.

The slide is sanitized here, on the server, before any follower gets it (and again in the page,
ui/classroom/stage.js): its HTML and MathML through nh3 (Ammonia's allow-list: a few tags, the app's own
mm- classes, MathML attributes with bounded lengths), its charts' specs through an allow-list (no
layout images, no links or styles in any text a chart draws), and its `query` holds only the room's
own code and the app's settings.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import streamlit as st

_blocks: ContextVar[list | None] = ContextVar("mm_slide_blocks", default=None)


def recording() -> bool:
    return _blocks.get() is not None


def note(block: dict) -> None:
    """Add a block to the pane being recorded (nothing when no slide is recorded)."""
    blocks = _blocks.get()
    if blocks is not None:
        blocks.append(block)


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    # escape=False: the app's own Markdown carries every user-supplied value as character references
    # (ui.text.literal), which must reach the page as such; the page still keeps only a few tags
    # (ui/classroom/stage.js), so no markup, link or image from anywhere survives
    return mistune.create_markdown(escape=False, plugins=["table"])


def to_html(text: str) -> str:
    return _markdown()(text)


@lru_cache(maxsize=64)
def mathml(latex: str) -> str:
    """A formula as MathML; `aligned` becomes rows of one left-aligned column (latex2mathml does not
    lay out aligned, and its columns spread a narrow rail's rows apart)."""
    from latex2mathml.converter import convert

    if r"\begin{aligned}" in latex:
        latex = latex.replace(r"\begin{aligned}", r"\begin{array}{l}").replace(r"\end{aligned}", r"\end{array}")
        latex = latex.replace("&", "")
    return convert(latex, display="block")


def markdown(text: str) -> None:
    st.markdown(text)
    if recording():
        note({"html": to_html(text)})


def caption(text: str) -> None:
    st.caption(text)
    if recording():
        note({"html": to_html(text), "cls": "caption"})


def html(raw: str) -> None:
    """The app's own HTML (chips, names): every value in it already escaped by its maker."""
    st.html(raw)
    note({"html": raw})


def value(label: str, shown) -> None:
    """A widget's value as the follower sees it: the lecturer's control, read-only."""
    note({"value": [str(label), str(shown)]})


class Pane:
    """A Streamlit container whose drawing is recorded into `blocks` while it is entered."""

    def __init__(self, dg, blocks: list):
        self._dg, self.blocks, self._tokens = dg, blocks, []

    def __enter__(self):
        self._dg.__enter__()
        self._tokens.append(_blocks.set(self.blocks))
        return self

    def __exit__(self, *exc):
        _blocks.reset(self._tokens.pop())
        return self._dg.__exit__(*exc)

    def __getattr__(self, name):  # c1.number_input(...): the container's own calls
        return getattr(self._dg, name)


def columns(spec, **kwargs) -> list:
    """st.columns, recorded as one row of panes."""
    dgs = st.columns(spec, **kwargs)
    if not recording():
        return dgs
    row: list[list] = [[] for _ in dgs]
    note({"row": row, "spec": spec if isinstance(spec, list) else [1] * len(dgs)})
    return [Pane(dg, blocks) for dg, blocks in zip(dgs, row, strict=True)]


class Slide:
    def __init__(self, step: int, title: str, size: int, steps: int):
        self.step, self.title, self.size, self.steps = step, title, size, steps  # steps: of how many
        self.rail: list = []
        self.stage: list = []
        self.formula = ""
        self.query = ""

    def panes(self, rail, stage) -> tuple[Pane, Pane]:
        return Pane(rail, self.rail), Pane(stage, self.stage)

    def text(self, code: str = "") -> str:
        """The slide as JSON text, sanitized (its `query` bound to the room `code`), with its digest
        (what the room compares and the page dedups by)."""
        body = {"step": self.step, "steps": int(self.steps), "title": str(self.title)[:200], "size": self.size}
        body |= {"formula": clean(self.formula)}
        body |= {"rail": blocks(self.rail), "stage": blocks(self.stage), "query": query(self.query, code)}
        text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:20]
        return text[:-1] + f',"digest":"{digest}","at":{time.time():.3f}}}'


def digest_of(text: str) -> str:
    return text[text.rindex('"digest":"') + 10 :].split('"', 1)[0]


@contextmanager
def record(step: int, title: str, size: int, on: bool, steps: int):
    """Record the step being drawn (when `on`: this page leads a class), one of `steps`; yields the
    Slide or None."""
    if not on:
        yield None
        return
    slide = Slide(step, title, size, steps)
    token = _blocks.set(slide.rail)
    try:
        yield slide
    finally:
        _blocks.reset(token)


# ---- sanitizing (the server's side; ui/classroom/stage.js keeps the same lists in the page)
TAGS = {"p", "strong", "em", "code", "br", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "h1", "h2",
        "h3", "h4", "span", "div", "pre"}  # fmt: skip
MATH = {"math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
        "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom"}  # fmt: skip
MATH_ATTRS = {"display", "mathvariant", "columnalign", "stretchy", "fence", "separator", "lspace", "rspace", "width",
              "form", "movablelimits", "accent", "accentunder", "linethickness"}  # fmt: skip
CLASSES = {"mm-chip", "mm-chips", "mm-names", "mm-pair", "mm-keys", "mm-grid", "mm-big"}  # what ui/lecture/ writes
LENGTH = re.compile(r"^-?\d{1,2}(\.\d{1,4})?(em|ex|px|%)?$|^[a-z]{1,24}$")  # 0.1667em, thin, 12px; not 30000px


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        kept = " ".join(c for c in value.split() if c in CLASSES)
        return kept or None
    if tag in MATH and name in MATH_ATTRS:
        if name in ("width", "lspace", "rspace", "linethickness"):
            number = re.match(r"^-?(\d+)", value)
            if not LENGTH.match(value) or (number and int(number.group(1)) > 50):
                return None
        return value[:40]
    return None


def clean(html: str) -> str:
    """HTML and MathML with every tag, attribute and class outside the lists above taken out."""
    if not html:
        return ""
    import nh3

    attrs = {t: {"class"} for t in TAGS} | {t: set(MATH_ATTRS) for t in MATH}
    out = nh3.clean(
        str(html), tags=TAGS | MATH, attributes=attrs, attribute_filter=_attribute, url_schemes=set(), link_rel=None,
        strip_comments=True,
    )  # fmt: skip
    return out.replace("&nbsp;", "&#160;")  # the one named reference its serializer writes; MathML is XML


CHART_DROP = {"images", "shapes_href", "updatemenus", "sliders", "template_images"}
TEXT_KEYS = ("text", "title", "name", "hovertemplate", "texttemplate", "tickprefix", "ticksuffix", "hovertext")
MARKUP = re.compile(r"<[^>]*>")


def chart(spec):
    """A Plotly figure's JSON with nothing that reaches outside: no layout images, no menus, and
    every text it draws as plain text (Plotly renders <a href>, <span style> and <img>-free markup
    in titles, annotations and hover labels)."""
    if isinstance(spec, dict):
        out = {}
        for k, v in spec.items():
            if k in ("images", "updatemenus", "sliders") or k.startswith("href") or k == "link":
                continue
            if isinstance(v, str) and (k in TEXT_KEYS or k.endswith("text")):
                out[k] = MARKUP.sub("", v).replace("url(", "")[:500]
            elif isinstance(v, list) and k in ("text", "hovertext", "ticktext") and all(isinstance(x, str) for x in v):
                out[k] = [MARKUP.sub("", x).replace("url(", "")[:200] for x in v]
            elif isinstance(v, str) and "url(" in v.replace(" ", "").lower():
                continue
            else:
                out[k] = chart(v)
        return out
    if isinstance(spec, list):
        return [chart(x) for x in spec]
    return spec


def blocks(items: list) -> list:
    out = []
    for b in items or []:
        if not isinstance(b, dict):
            continue
        if "html" in b:
            out.append({"html": clean(b["html"]), **({"cls": "caption"} if b.get("cls") == "caption" else {})})
        elif "value" in b:
            out.append({"value": [str(x)[:200] for x in b["value"][:2]]})
        elif "row" in b:
            out.append({"row": [blocks(r) for r in b["row"]], "spec": [float(x) for x in b.get("spec", [])][:6]})
        elif "view" in b:
            data = b.get("data") or ""
            if b["view"] == "plotly_view":
                try:
                    data = json.dumps(chart(json.loads(data)), separators=(",", ":"))
                except ValueError:
                    continue
            out.append({"view": str(b["view"]), "key": str(b.get("key", ""))[:64], "data": data})
    return out


def query(text: str, code: str) -> str:
    """The follower's address: the room's own code, mode and step, and the app's settings only."""
    from ui.params import PARAMS

    pairs = [(k, v) for k, v in parse_qsl(str(text or "")) if k in PARAMS and k not in ("join",)]
    return urlencode([("join", code), *pairs]) if code else urlencode(pairs)
