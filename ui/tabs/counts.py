"""Counts: the lecture's heatmap of the count matrix, the dataset's figures and the count model's NLL."""

from __future__ import annotations

import functools
import math
import uuid

import streamlit as st

from makemore.export import matrix_csv
from makemore.table import Table
from ui import slide
from ui.components import count_controls, heatmap_view, nll_view
from ui.corpus import Corpus
from ui.models import heatmap_data, heatmap_live, nll_live, slice_rows, split_nlls
from ui.page import Page
from ui.params import SCALES
from ui.state import Settings, keep, kept
from ui.text import fmt_nll, table

SCALE_LABELS = {"fixed": "0 to 1", "auto": "0 to the largest"}


def show(page: Page) -> None:
    s, corpus = page.settings, page.corpus
    k = s.context
    first, _ = slice_rows(s, corpus)
    if k == 2 and s.slice != first:  # the chosen character is not in this word list
        keep("slice", first)
    left, right = st.columns([3, 1])
    with left:
        live_heatmap(s, corpus, first)
    with right:
        controls(s, corpus, first, ["view", "smoothing"])
        st.header("Count model NLL")
        nlls = split_nlls(corpus.key, corpus, k, s.fit_part, s.smoothing)
        note = f"fit on {s.fit_part} words; uniform is ln {len(corpus.vocab)} = {math.log(len(corpus.vocab)):.4f}"
        fixed = nll_live(corpus.key, corpus, k, s.fit_part)
        if fixed is not None:  # follows the smoothing while it is dragged
            nll_view(fixed, s.smoothing, nlls, note, key="count_nll")
        else:
            st.markdown(table({"NLL": [fmt_nll(v) for v in nlls.values()]}, list(nlls), "split"))
            st.caption(f"smoothing {s.smoothing:g}, {note}")
        st.header("Dataset")
        st.markdown(
            f"**{len(corpus.words):,}** words, **{corpus.n_examples(k):,}** examples, **{len(corpus.vocab)}** symbols"
        )
        csv_downloads(s, corpus, page.tables["counts"])


def live_heatmap(s: Settings, corpus: Corpus, first: str, ask: str = "") -> None:
    """The heatmap of the current settings, with the counts to follow the smoothing in the page;
    ask: a token of the first run; once painted, the page asks for the rest (streamlit_app.quick_start)."""
    k = s.context
    cells = {**heatmap_data(corpus.key, corpus, k, s.smoothing, s.view, first or "."), "scale": s.scale}
    live = heatmap_live(corpus.key, corpus, k, first or ".")
    index = corpus.vocab.stoi[first] if k == 2 else 0
    heatmap_view(cells, key="heatmap", live=live, smoothing=s.smoothing, slice=index, ask=ask)


def controls(s: Settings, corpus: Corpus, first: str, which: list[str]) -> None:
    """The heatmap's controls (`which` of view and smoothing; the slice for a trigram)."""
    slices = list(corpus.vocab.itos) if s.context == 2 else None
    count_controls("count_controls", which, s.view, s.smoothing, slices, first or ".")
    st.radio(
        "Colours of p",
        SCALES,
        format_func=SCALE_LABELS.get,
        horizontal=True,
        help="fixed: p from 0 to 1, so smoothing's flattening shows as paler cells; auto: to the table's largest p",
        **kept("scale", SCALES),
    )
    slide.value("Colours of p", SCALE_LABELS[s.scale])


def first_paint(page: Page) -> None:
    """The first run of a page load: the heatmap alone, in its place; it asks for the rest when painted."""
    s, corpus = page.settings, page.corpus
    first, _ = slice_rows(s, corpus)
    left, _ = st.columns([3, 1])
    with left:
        live_heatmap(s, corpus, first, ask=uuid.uuid4().hex[:12])


def csv_downloads(s: Settings, corpus: Corpus, model: Table) -> None:
    """The count matrix and the probabilities; the CSV text is made only when a button is clicked."""
    counts = functools.partial(matrix_csv, model, corpus.counts(s.context, s.fit_part), "{:d}")
    st.download_button("Counts (CSV)", counts, "counts.csv", "text/csv", key="dl_counts")
    probs = functools.partial(matrix_csv, model, model.P)
    st.download_button("Probabilities (CSV)", probs, "probabilities.csv", "text/csv", key="dl_probs")
