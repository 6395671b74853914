"""The page's models (one entry each), their tables, and what the tabs derive from them, cached."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
import torch

from makemore import plots
from makemore.counts import fit_counts, smooth, sweep
from makemore.crossover import count_row
from makemore.ngram import MAX_CONTEXT
from makemore.pairs import CONTEXTS
from makemore.plots.mlp import RED as MLP_RED
from makemore.table import Table, nll, nll_counts, sample
from makemore.uniform import fit_uniform
from makemore.unigram import fit_unigram
from ui.corpus import Corpus
from ui.params import SMOOTHINGS, SWEEP_SMOOTHINGS
from ui.runs import Runs, data_key, mlp_data_key
from ui.state import Settings

PARTS = ["all", "train", "dev", "test"]  # rows of the NLL tables


@st.cache_data(max_entries=64, show_spinner=False)
def count_table(key: tuple, _corpus: Corpus, k: int, part: str, smoothing: float) -> torch.Tensor:
    return smooth(_corpus.counts(k, part), smoothing)


def count_model(s: Settings, corpus: Corpus) -> Table:
    return Table(corpus.vocab, s.context, count_table(corpus.key, corpus, s.context, s.fit_part, s.smoothing))


def rows_after(vocab, k: int, first: str) -> slice:
    """The V rows of a (V**k, V) table that a square view shows: all of them for a bigram, the
    contexts starting with `first` for a trigram."""
    V = len(vocab)
    i = vocab.stoi[first] * V if k == 2 else 0
    return slice(i, i + V)


def slice_rows(s: Settings, corpus: Corpus) -> tuple[str, slice]:
    """The trigram slice's first character ('' for a bigram) and its rows."""
    first = (s.slice if s.slice in corpus.vocab.stoi else ".") if s.context == 2 else ""
    return first, rows_after(corpus.vocab, s.context, first or ".")


@st.cache_data(max_entries=64, show_spinner=False)
def heatmap_data(key: tuple, _corpus: Corpus, k: int, smoothing: float, view: str, first: str) -> dict:
    rows = rows_after(_corpus.vocab, k, first)
    N, P = _corpus.counts(k)[rows], count_table(key, _corpus, k, "all", smoothing)[rows]
    return plots.heatmap_cells(N, P, _corpus.vocab, view, prefix=first if k == 2 else "")


LIVE_CELLS = 250_000  # counts sent for in-page smoothing: every trigram slice up to 63 symbols


@st.cache_data(max_entries=16, show_spinner=False)
def heatmap_live(key: tuple, _corpus: Corpus, k: int, first: str) -> str:
    """The counts the heatmap recomputes P from while the smoothing is dragged, as JSON text: the
    whole table (every trigram slice, so the slice switches in the page) when it is small enough,
    else the shown slice only (`first` matters only then)."""
    vocab, V = _corpus.vocab, len(_corpus.vocab)
    N = _corpus.counts(k)
    every = k == 1 or N.numel() <= LIVE_CELLS
    rows = slice(None) if every else rows_after(vocab, k, first)
    return json.dumps(
        {
            "key": f"{key}/{k}/{'' if every else first}",
            "V": V,
            "x": [plots.symbol_label(c) for c in vocab.itos],
            "slices": list(vocab.itos) if k == 2 else None,
            "all_slices": every,
            "counts": N[rows].flatten().tolist(),
            "stops": SMOOTHINGS,
        }
    )


@st.cache_data(max_entries=16, show_spinner=False)
def nll_live(key: tuple, _corpus: Corpus, k: int, fit: str) -> str | None:
    """What the page needs to recompute each split's NLL for any smoothing, as JSON text: the fit
    counts (dense) and each split's nonzero counts; None when the table is too large to send."""
    F = _corpus.counts(k, fit)
    if F.numel() > LIVE_CELLS:
        return None
    parts = []
    for part in PARTS:
        N = _corpus.counts(k, part).flatten()
        idx = torch.nonzero(N).flatten()
        parts.append([part, idx.tolist(), N[idx].tolist()])
    return json.dumps({"V": len(_corpus.vocab), "fit_counts": F.flatten().tolist(), "parts": parts})


@st.cache_data(max_entries=64, show_spinner=False)
def split_nlls(key: tuple, _corpus: Corpus, k: int, fit: str, smoothing: float) -> dict[str, float]:
    P = count_table(key, _corpus, k, fit, smoothing)
    return {part: nll_counts(P, _corpus.counts(k, part)) for part in PARTS}


@st.cache_data(max_entries=16, show_spinner=False)
def sweep_rows(key: tuple, _corpus: Corpus, k: int) -> list[dict]:
    parts = {p: _corpus.parts[p] for p in ("train", "dev", "test")}
    return sweep(parts, _corpus.vocab, k, [*SWEEP_SMOOTHINGS, 2000.0, 5000.0, 10000.0])


@st.cache_data(max_entries=64, show_spinner=False)
def count_row_of(key: tuple, _corpus: Corpus, n: int) -> dict:
    """The count model with n characters of context on the train split, at its best smoothing on
    dev (makemore.crossover.count_row): one row of the crossover, cached per data set."""
    parts = _corpus.parts
    return count_row(parts["train"], parts["dev"], _corpus.vocab, n)


@st.cache_data(max_entries=64, show_spinner=False)
def samples_of(key: tuple, _table: Table, n: int, seed: int, temperature: float, _known: frozenset) -> list:
    return sample(_table, n, seed, temperature, known=_known)


def count_samples(s: Settings, corpus: Corpus) -> list:
    key = (corpus.key, s.context, s.fit_part, s.smoothing)
    return samples_of(key, count_model(s, corpus), s.n_samples, s.seed, s.temperature, corpus.known(s.fit_part))


@st.cache_data(max_entries=64, show_spinner=False)
def table_nlls(key: tuple, _table: Table, _corpus: Corpus, k: int) -> dict[str, float]:
    """A table's NLL on each split; `key` names the table (see MODELS). From the corpus's dense
    counts for a bigram or trigram table; for a longer context (the MLP's) from the split's words,
    each distinct context's row once (makemore.table.nll)."""
    if _table.P is not None and k in CONTEXTS:
        return {part: nll_counts(_table.P, _corpus.counts(k, part)) for part in PARTS}
    return {part: nll(_table, _corpus.parts[part]) for part in PARTS}


def table_samples(key: tuple, table: Table, s: Settings, corpus: Corpus) -> list:
    return samples_of(key, table, s.n_samples, s.seed, s.temperature, corpus.known(s.fit_part))


# ---- the page's models: each fills the same table P[context, next]; a tab loops over them.
# A new model is an engine module and one entry in MODELS: a model that is counted gives
# `fit(words, vocab, k, smoothing) -> Table` (cached here by its inputs); one that trains gives
# `table(settings, corpus, runs) -> (cache key, Table) | None` (None until a run has finished).


@dataclass(frozen=True)
class Model:
    label: str  # how the page names it
    colour: str  # its colour in every chart, whatever else is shown
    fit: Callable | None = None  # (words, vocab, k, smoothing) -> Table
    table: Callable | None = None  # (settings, corpus, runs) -> (cache key, Table) | None
    contexts: tuple[int, ...] = (1, 2)  # the context lengths it has a table for


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs={Corpus: lambda c: c.key})
def counted(name: str, corpus: Corpus, k: int, part: str, smoothing: float) -> Table:
    """A counted model's table, fit on `part` of the corpus (its cache key is derived from these)."""
    return MODELS[name].fit(corpus.parts[part], corpus.vocab, k, smoothing)


def fitted(name: str, s: Settings, corpus: Corpus, runs: Runs) -> tuple[tuple, Table] | None:
    """(cache key, table) of model `name` on the page's settings, or None when it has none."""
    model = MODELS[name]
    if s.context not in model.contexts:
        return None
    if model.fit is None:
        return model.table(s, corpus, runs)
    args = (corpus.key, s.context, s.fit_part, s.smoothing)
    return (name, *args), counted(name, corpus, *args[1:])


def _net(s: Settings, corpus: Corpus, runs: Runs):
    run = runs.finished(data_key(s, corpus))
    return None if run is None else (("net", run.id), run.table())


def _mlp(s: Settings, corpus: Corpus, runs: Runs):
    """The session's last finished MLP run on this data, at its own context length."""
    run = runs.finished(mlp_data_key(corpus))
    return None if run is None else (("mlp", run.id), run.table())


MODELS = {
    "counts": Model("count model", plots.BLUE, fit=fit_counts),
    "net": Model("neural net", plots.ORANGE, table=_net),
    "mlp": Model("MLP", MLP_RED, table=_mlp, contexts=tuple(range(1, MAX_CONTEXT + 1))),
    "unigram": Model("unigram", plots.PURPLE, fit=fit_unigram),
    "uniform": Model("uniform", plots.GREEN, fit=lambda words, vocab, k, s: fit_uniform(vocab, k)),
}
