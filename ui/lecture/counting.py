"""Lecture steps 1-5: the data, one name's bigrams, the count table, one row, sampling."""

from __future__ import annotations

import dataclasses
import html
import itertools
import math

import streamlit as st
import torch

from makemore import plots
from makemore.table import Table, draw, nll_counts, sample
from ui import slide
from ui.components import plotly_view
from ui.corpus import Corpus
from ui.models import count_samples, count_table, slice_rows
from ui.page import Page
from ui.params import MAX_SEED
from ui.state import Settings, kept
from ui.tabs.counts import controls, live_heatmap
from ui.text import literal


def chips(items: list[str], cls: str = "") -> None:
    """Symbols or pairs as large boxes, each shown literally."""
    boxes = "".join(f'<span class="mm-chip {cls}">{html.escape(plots.symbol_label(x))}</span>' for x in items)
    slide.html(f'<div class="mm-chips">{boxes}</div>')


def data(page: Page, left, right) -> None:
    corpus = page.corpus
    words = corpus.words
    short, long = min(words, key=len), max(words, key=len)
    with left:
        slide.markdown(
            f"**{corpus.label}** holds **{len(words):,} words**. The shortest has {len(short)} "
            f"characters ({literal(short)}), the longest {len(long)} ({literal(long)}). "
            "Each word is a small lesson in which character follows which."
        )
        slide.markdown("The first few:")
        chips(words[:12])
    with right:
        plotly_view(plots.length_bars(words), key="lecture_lengths")


def lecture_name(corpus: Corpus, typed: str) -> tuple[str, str]:
    """The name a step works on, and what the page says about it: the Score tab's rule (stripped,
    lowercased when only that makes it spellable); a name the list cannot spell is replaced by
    the list's first word, and the page says which character it could not spell."""
    word = typed.strip()
    stoi = corpus.vocab.stoi
    if word and not all(c in stoi for c in word) and all(c in stoi for c in word.lower()):
        return word.lower(), f"“{word}” is read as “{word.lower()}”: the list is lowercase."
    bad = next((c for c in word if c not in stoi or c == "."), None)
    if word and bad is None:
        return word, ""
    first = corpus.words[0]
    why = "no name typed" if not word else f"{bad!r} is not one of this list's symbols"
    return first, f"{why}: showing “{first}”, the list's first word."


def name_input(corpus: Corpus, typed: str) -> str:
    """The step's name field and, under it, what the page made of the name."""
    st.text_input("A name", max_chars=64, **kept("name"))
    slide.value("A name", typed)
    name, note = lecture_name(corpus, typed)
    if note:
        slide.caption(literal(note))
    return name


def bigrams(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    with left:
        name = name_input(corpus, s.name)
        slide.markdown(
            f"A word of {len(name)} characters gives {len(name) + 1} pairs: the start token '.' before "
            "the first character and the end token '.' after the last. The model learns nothing but these pairs."
        )
    with right:
        chs = [".", *name, "."]
        chips(chs, "mm-big")
        pairs = list(itertools.pairwise(chs))
        chips([a + b for a, b in pairs], "mm-pair")
        N = corpus.counts(1, s.fit_part)
        stoi = corpus.vocab.stoi
        seen = [int(N[stoi[a], stoi[b]]) for a, b in pairs]
        plotly_view(plots.pair_counts([a + b for a, b in pairs], seen), key="lecture_pairs")


def unsmoothed(page: Page) -> tuple[Settings, Table]:
    """Steps 1-6 work on the raw counts, as the lecture does until it smooths them in step 7."""
    s, corpus = page.settings, page.corpus
    raw = Table(corpus.vocab, s.context, count_table(corpus.key, corpus, s.context, s.fit_part, 0.0))
    return dataclasses.replace(s, smoothing=0.0), raw


def counts(page: Page, left, right) -> None:
    corpus = page.corpus
    s, _ = unsmoothed(page)
    first, _ = slice_rows(s, corpus)
    with left:
        slide.markdown(
            f"Count every pair of all {corpus.n_examples(s.context):,} examples into one table: row = the "
            "current character, column = the next one. Darker means more often."
        )
        controls(s, corpus, first, ["view"])
    with right:
        live_heatmap(s, corpus, first)


def one_row(page: Page, left, right) -> None:
    corpus = page.corpus
    s, model = unsmoothed(page)
    V = len(corpus.vocab)
    with left:
        ctx = st.selectbox("Row (the current character)", list(corpus.vocab.itos[:V]), key="lecture_row")
        st.number_input("Seed of the generator", 0, MAX_SEED, step=1, **kept("seed"))
        slide.value("Row (the current character)", plots.symbol_label(ctx))
        slide.value("Seed of the generator", s.seed)
        row = model.context_index(ctx * s.context)  # for a trigram, the row of the context ctx ctx
        p = model.P[row]
        g = torch.Generator().manual_seed(s.seed)
        drawn = draw(p, g)
        first = ", ".join(f"p({plots.symbol_label(c)!r}) = {float(q):.4f}" for c, q in zip(corpus.vocab.itos, p[:4]))
        slide.markdown(
            f"Divide the row of {literal(ctx)!s} by its sum: {V} probabilities that add up to 1: "
            f"{literal(first)}, … "
            f"`torch.multinomial` with seed {s.seed} drew **{literal(plots.symbol_label(corpus.vocab.itos[drawn]))}** "
            f"(p = {float(p[drawn]):.3f})."
        )
    with right:
        plotly_view(plots.row_bars(p, corpus.vocab, drawn, model.context_name(row)), key="lecture_row_bars")


def sampling(page: Page, left, right) -> None:
    corpus = page.corpus
    s, model = unsmoothed(page)
    uniform = page.tables["uniform"]
    N = corpus.counts(s.context, s.fit_part)
    with left:
        st.number_input("Seed", 0, MAX_SEED, step=1, **kept("seed"))
        slide.value("Seed", s.seed)
        slide.markdown(
            f"Draw one character after another from the raw counts' rows until '.' comes out. The counts give names that sound like "
            f"names (NLL {nll_counts(model.P, N):.3f}); a uniform table, all that a model knows before it "
            f"learns, gives noise (NLL ln {len(corpus.vocab)} = {math.log(len(corpus.vocab)):.3f})."
        )
    with right:
        c1, c2 = slide.columns(2)
        with c1:
            slide.markdown("**Count model**")
            names([x.name + ("…" if x.cut else "") for x in count_samples(s, corpus)[:10]])
        with c2:
            slide.markdown("**Uniform model**")
            names([x.name[:20] + ("…" if len(x.name) > 20 else "") for x in sample(uniform, 10, s.seed)])


def names(items: list[str]) -> None:
    """Sampled names, one per line, large."""
    boxes = "".join(f'<span class="mm-chip">{html.escape(x)}</span>' for x in items)
    slide.html(f'<div class="mm-chips mm-names">{boxes}</div>')
