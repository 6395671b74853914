"""A follower's copy of the lecturer's step (class mode): what the step draws, recorded once.

A follower's page used to rerun the whole lecture script on every page turn (~31 ms of server CPU
each: 300 followers were 9 s of CPU per PageDown). Now the lecturer's run records what its step
draws, as a "slide": the heading, the rail's text, values and controls, the stage's charts, in the
same JSON the page's components already draw from. The room carries it (service/rooms.py), the
live route pushes it to every follower (service/live.py), and a follower's page draws it without
a rerun (ui/class_stage.js, which runs the same component code as the lecturer's page).

Recording is explicit: the lecture's steps write through `markdown`, `caption`, `html`, `value`
and `columns` here, and the components (ui/components.py) `note` their data; outside a recording
(the explorer, a follower, anyone not leading a class) these are the plain Streamlit calls.
Text goes to the slide as HTML made here from the same Markdown Streamlit renders (mistune,
raw HTML escaped); formulas as MathML (latex2mathml), which Chromium draws natively.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

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
    # (ui/class_stage.js), so no markup, link or image from anywhere survives
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
    def __init__(self, step: int, title: str, size: int):
        self.step, self.title, self.size = step, title, size
        self.rail: list = []
        self.stage: list = []
        self.formula = ""
        self.query = ""

    def panes(self, rail, stage) -> tuple[Pane, Pane]:
        return Pane(rail, self.rail), Pane(stage, self.stage)

    def text(self) -> str:
        """The slide as JSON text, with its digest (what the room compares and the page dedups by)."""
        body = {"step": self.step, "title": self.title, "size": self.size, "formula": self.formula}
        body |= {"rail": self.rail, "stage": self.stage, "query": self.query}
        text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:20]
        return text[:-1] + f',"digest":"{digest}","at":{time.time():.3f}}}'


def digest_of(text: str) -> str:
    return text[text.rindex('"digest":"') + 10 :].split('"', 1)[0]


@contextmanager
def record(step: int, title: str, size: int, on: bool):
    """Record the step being drawn (when `on`: this page leads a class); yields the Slide or None."""
    if not on:
        yield None
        return
    slide = Slide(step, title, size)
    token = _blocks.set(slide.rail)
    try:
        yield slide
    finally:
        _blocks.reset(token)
