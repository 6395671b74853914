"""Lecture steps 6-7: the likelihood of one name and of the whole data set, and smoothing."""

from __future__ import annotations

import math

import streamlit as st

from makemore import plots
from makemore.table import Table, score
from ui.components import plotly_view, smoothing_view
from ui.corpus import Corpus
from ui.lecture.counting import first_known
from ui.models import count_table, split_nlls, sweep_rows
from ui.page import Page
from ui.state import kept
from ui.text import fmt_nll, literal, table


def likelihood(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    model = page.tables["counts"]
    with left:
        st.text_input("A name", max_chars=64, **kept("name"))
        name = first_known(corpus, s.name)
        sc = score(model, name)
        loglik = -sc.total
        data = split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)[s.fit_part]
        st.markdown(
            f"The likelihood of {literal(name)} is the product of its {len(sc.steps)} probabilities, "
            f"{math.exp(loglik):.3g}; its log is the sum, {loglik:.3f}. Negated and averaged: "
            f"**{sc.nll:.3f}** per character. Over all the data, the average NLL is **{fmt_nll(data)}**."
        )
    with right:
        rows = {"pair": [x.context + x.next for x in sc.steps], "p": [f"{x.p:.4f}" for x in sc.steps]}
        rows["log p"] = [f"{-x.nll:.4f}" for x in sc.steps]
        st.markdown(table(rows, list(range(1, len(sc.steps) + 1)), "step"))


def impossible_name(corpus: Corpus, k: int) -> tuple[str, str]:
    """A name with a pair the data never has, and why: the lecture's "andrejq" where j→q is unseen,
    else "andrej" followed by a character j is never followed by, else any unseen pair."""
    stoi, itos = corpus.vocab.stoi, corpus.vocab.itos
    model = Table(corpus.vocab, k, count_table(corpus.key, corpus, k, "all", 0.0))
    if all(c in stoi for c in "andrejq") and score(model, "andrejq").nll == math.inf:
        return "andrejq", "the lecture's own example: no name has j followed by q"
    if all(c in stoi for c in "andrej"):
        for c in itos[1:]:
            if score(model, "andrej" + c).nll == math.inf:
                return "andrej" + c, f"the lecture's andrejq is in this data (j→q occurs); j→{c} does not"
    for a in itos[1:]:
        for b in itos[1:]:
            if score(model, a + b).nll == math.inf:
                return a + b, f"no word of this list has {a} followed by {b}"
    return corpus.words[0], "every pair this list could form occurs in it"


def smoothing(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    name, why = impossible_name(corpus, s.context)
    raw = Table(corpus.vocab, s.context, count_table(corpus.key, corpus, s.context, s.fit_part, 0.0))
    model = page.tables["counts"]
    data = split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)[s.fit_part]
    with left:
        smoothing_view(s.smoothing, key="smoothing_lecture")
        with_s = score(model, name)
        st.markdown(
            f"**{literal(name)}** ({literal(why)}) has probability 0 without smoothing: NLL "
            f"{fmt_nll(score(raw, name).nll)}. Adding s = {s.smoothing:g} to every count gives it "
            f"NLL **{fmt_nll(with_s.nll)}**, and the whole data set "
            f"**{fmt_nll(data)}**."
        )
    with right:
        plotly_view(
            plots.sweep_curve(sweep_rows(corpus.key, corpus, s.context), s.smoothing or None), key="lecture_sweep"
        )
