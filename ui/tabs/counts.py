"""Counts: the lecture's heatmap of the count matrix, the dataset's figures and the count model's NLL."""

from __future__ import annotations

import functools
import math

import streamlit as st

from makemore import plots
from makemore.export import matrix_csv
from ui.components import heatmap_view
from ui.corpus import Corpus
from ui.models import count_model, heatmap_data, slice_rows, split_nlls
from ui.state import Settings, keep, kept
from ui.text import fmt_nll, table


def show(s: Settings, corpus: Corpus) -> None:
    k = s.context
    first, _ = slice_rows(s, corpus)
    if k == 2 and s.slice != first:  # the chosen character is not in this word list
        keep("slice", first)
    left, right = st.columns([3, 1])
    with left:
        heatmap_view(heatmap_data(corpus.key, corpus, k, s.smoothing, s.view, first or "."), key="heatmap")
    with right:
        st.radio("Show", plots.VIEWS, **kept("view"))
        if k == 2:
            st.selectbox(
                "First context character", list(corpus.vocab.itos), format_func=plots.symbol_label, **kept("slice")
            )
        st.subheader("Dataset")
        st.metric("Words", f"{len(corpus.words):,}")
        st.metric("Examples", f"{corpus.n_examples(k):,}")
        st.metric("Symbols", len(corpus.vocab))
        st.subheader("Count model NLL")
        nlls = split_nlls(corpus.key, corpus, k, s.fit_part, s.smoothing)
        st.markdown(table({"NLL": [fmt_nll(v) for v in nlls.values()]}, list(nlls)))
        st.caption(
            f"smoothing {s.smoothing:g}, fit on {s.fit_part} words; uniform is ln {len(corpus.vocab)} "
            f"= {math.log(len(corpus.vocab)):.4f}"
        )
        csv_downloads(s, corpus)


def csv_downloads(s: Settings, corpus: Corpus) -> None:
    """The count matrix and the probabilities; the CSV text is made only when a button is clicked."""
    model = count_model(s, corpus)
    counts = functools.partial(matrix_csv, model, corpus.counts(s.context, s.fit_part), "{:d}")
    st.download_button("Counts (CSV)", counts, "counts.csv", "text/csv", key="dl_counts")
    probs = functools.partial(matrix_csv, model, model.P)
    st.download_button("Probabilities (CSV)", probs, "probabilities.csv", "text/csv", key="dl_probs")
