"""Lecture steps 6-7: the likelihood of one name and of the whole data set, and smoothing."""

from __future__ import annotations

import json
import math

import numpy as np
import streamlit as st
import torch

from makemore import plots
from makemore.pairs import examples
from makemore.table import Table, score
from ui import slide
from ui.components import nll_view, plotly_view, smoothing_view, spec
from ui.corpus import Corpus
from ui.lecture.counting import name_input, unsmoothed
from ui.models import count_table, nll_live, split_nlls, sweep_rows
from ui.page import Page
from ui.text import fmt_nll, literal, table


@st.cache_data(max_entries=16, show_spinner=False)
def log_likelihood(key: tuple, _corpus: Corpus, k: int, part: str) -> tuple[float, float, int]:
    """The data's log-likelihood under the raw counts' P, as the lecture sums it (float32, one
    example after another) and exactly (float64, from the counts), and the number of examples."""
    N = _corpus.counts(k, part)
    P = N.float() / N.float().sum(1, keepdim=True)  # float32, as the lecture's P
    words = _corpus.words if part == "all" else _corpus.parts[part]
    xs, ys = examples(words, _corpus.vocab, k)
    logp = torch.log(P[xs, ys]).numpy()
    # one float32 addition after another, as the lecture's `log_likelihood += logprob` loop (numpy's
    # cumsum is sequential in its dtype; torch's accumulates in double, and sum() adds pairwise)
    running = np.cumsum(logp, dtype=np.float32)
    seen = N > 0
    P64 = N.double() / N.double().sum(1, keepdim=True)
    exact = float((N.double()[seen] * torch.log(P64[seen])).sum())
    return float(running[-1]) if len(running) else 0.0, exact, int(N.sum())


def likelihood(page: Page, left, right) -> None:
    corpus = page.corpus
    s, model = unsmoothed(page)
    with left:
        name = name_input(corpus, s.name)
        sc = score(model, name)
        loglik = -sc.total
        f32, exact, n = log_likelihood(corpus.key, corpus, s.context, s.fit_part)
        slide.markdown(
            f"The likelihood of {literal(name)} is the product of its {len(sc.steps)} probabilities, "
            f"{math.exp(loglik):.3g}; its log is the sum, {loglik:.4f}; negated and averaged: "
            f"**{fmt_nll(sc.nll)}** per character."
        )
        slide.markdown(
            f"Over all **n = {n:,}** examples the log-likelihood is **{f32:,.2f}** (the lecture's float32 "
            f"sum; exactly {exact:,.2f}), so the average NLL is {-exact:,.2f} / {n:,} = **{fmt_nll(-exact / n)}**."
        )
    with right:
        rows = {"pair": [x.context + x.next for x in sc.steps], "p": [f"{x.p:.4f}" for x in sc.steps]}
        rows["log p"] = [f"{-x.nll:.4f}" for x in sc.steps]
        slide.markdown(table(rows, list(range(1, len(sc.steps) + 1)), "step"))
        plotly_view(
            plots.pair_losses([x.context + x.next for x in sc.steps], [x.nll for x in sc.steps]), key="lecture_losses"
        )


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
    with left:
        smoothing_view(s.smoothing, key="smoothing_lecture")
        slide.markdown(
            f"**{literal(name)}** ({literal(why)}) has probability 0 without smoothing: NLL "
            f"{fmt_nll(score(raw, name).nll)}. Adding s to every count gives every pair a chance; "
            "the more s, the flatter the table:"
        )
        # the name's NLL and the data's follow the slider while it is dragged (ui/components/nll_view/nll_view.js)
        fixed = name_live(corpus.key, corpus, s.context, s.fit_part, name)
        server = {name: score(page.tables["counts"], name).nll}
        server |= split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)
        server = {k: server[k] for k in (name, s.fit_part)}
        if fixed is not None:  # follows the smoothing while it is dragged
            # a class's followers do not hold the slider: they see it follow the lecturer's
            moved = "follows the lecturer's slider" if slide.recording() else "recomputed in the page as you drag"
            nll_view(fixed, s.smoothing, server, moved, key="smoothing_nll")
        else:  # a table too large to send to the page: the server's figures, on release
            slide.markdown(table({"NLL": [fmt_nll(v) for v in server.values()]}, list(server), "of"))
    with right:
        fig = spec(plots.sweep_curve(sweep_rows(corpus.key, corpus, s.context), s.smoothing))
        fig["follow"] = "smoothing"  # the marker follows the slider while it is dragged
        plotly_view(fig, key="lecture_sweep")


@st.cache_data(max_entries=16, show_spinner=False)
def name_live(key: tuple, _corpus: Corpus, k: int, part: str, name: str) -> str | None:
    """nll_view's data for the name's NLL (its pairs, once each) beside the fit data's; None when
    the table is too large to send (nll_live: a trigram table of 63 symbols or more)."""
    live = nll_live(key, _corpus, k, part)
    if live is None:
        return None
    data = json.loads(live)
    V, stoi = len(_corpus.vocab), _corpus.vocab.stoi
    chars = "." * k + name + "."
    pairs: dict[int, int] = {}
    for i in range(len(name) + 1):
        ctx, nxt = chars[i : i + k], chars[i + k]
        row = sum(stoi[c] * V ** (k - 1 - j) for j, c in enumerate(ctx))
        pairs[row * V + stoi[nxt]] = pairs.get(row * V + stoi[nxt], 0) + 1
    fit = next(p for p in data["parts"] if p[0] == part)
    data["parts"] = [[name, list(pairs), list(pairs.values())], fit]
    data["head"] = ["NLL of", "at this s"]
    data["labels"] = {name: name, part: "all words" if part == "all" else f"{part} words"}
    return json.dumps(data)
