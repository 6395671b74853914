"""Contexts of any length (1..8) and the count model on them, stored sparsely.

A context of n characters has V**n possible values (27**8 ≈ 2.8e11), but a word list holds at
most a few hundred thousand of them: the counts keep one row per context that occurs, found by
its id (the n characters read base V, oldest first, as `Table.context_index` reads them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from makemore.data import BOUNDARY, Vocab
from makemore.pairs import encode

MAX_CONTEXT = 8
SMOOTHINGS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # the sweep per n (E03)


def check_n(n: int) -> None:
    if not (isinstance(n, int) and 1 <= n <= MAX_CONTEXT):
        raise ValueError(f"context must be 1..{MAX_CONTEXT} characters, not {n}")


def build_dataset(words: list[str], vocab: Vocab, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The lecture's build_dataset: X (n, k) the k previous characters of each target, padded with
    '.' at the start of a word (oldest first), Y (n,) the target; every word ends with '.'."""
    check_n(k)
    if not words:
        return torch.zeros((0, k), dtype=torch.long), torch.zeros(0, dtype=torch.long)
    # one string: each word preceded by k dots, one final dot; a word's end token is the first dot
    # of the next block, so the context of any target is just the k symbols before it
    text = "".join(BOUNDARY * k + w for w in words) + BOUNDARY
    ix = encode(text, vocab)  # (L,)
    X = ix.unfold(0, k, 1)[:-1]  # (L - k, k): row i is the context of target ix[i + k]
    Y = ix[k:]
    # drop the targets that are the k-1 padding dots after each block's first one
    keep = torch.ones(len(ix), dtype=torch.bool)
    starts = torch.cumsum(torch.tensor([0] + [k + len(w) for w in words[:-1]]), 0)
    for j in range(1, k):
        keep[starts + j] = False
    keep = keep[k:]
    return X[keep].contiguous(), Y[keep]


def context_ids(X: torch.Tensor, V: int) -> torch.Tensor:
    """Each row of X (n, k) as one int64 id, read base V (oldest character most significant)."""
    ids = torch.zeros(X.shape[0], dtype=torch.long)
    for j in range(X.shape[1]):
        ids = ids * V + X[:, j]
    return ids


def context_digits(ids: torch.Tensor, V: int, k: int) -> torch.Tensor:
    """The inverse of context_ids: ids (n,) -> X (n, k)."""
    cols = []
    for _ in range(k):
        cols.append(ids % V)
        ids = ids // V
    return torch.stack(cols[::-1], 1)


@dataclass(frozen=True, eq=False)
class Ngrams:
    """Counts of (context, next) pairs for one context length, one row per context that occurs."""

    V: int
    n: int  # context length
    contexts: torch.Tensor  # (R,) sorted ids of the contexts seen
    N: torch.Tensor  # (R, V) int64: N[r, y] = times y followed contexts[r]

    @property
    def rows(self) -> int:
        """The dense table's rows: every possible context."""
        return self.V**self.n


def count_ngrams(words: list[str], vocab: Vocab, n: int) -> Ngrams:
    """Count every (context, next) pair of the words, n characters of context, sparsely."""
    V = len(vocab)
    X, Y = build_dataset(words, vocab, n)
    contexts, row = torch.unique(context_ids(X, V), return_inverse=True)  # sorted
    N = torch.bincount(row * V + Y, minlength=len(contexts) * V).view(len(contexts), V)
    return Ngrams(V, n, contexts, N)


@dataclass(frozen=True, eq=False)
class Lookup:
    """For each example of a word list: how often its pair and its context were counted."""

    pair: torch.Tensor  # (m,) N[context, next]; 0 when unseen
    context: torch.Tensor  # (m,) the context's row sum; 0 when unseen

    def nll(self, smoothing: float, V: int) -> float:
        """Mean -log P with P = (N + s) / (rowsum + V s); an unseen context is uniform."""
        s = smoothing
        p = (self.pair.double() + s) / (self.context.double() + V * s)
        p = torch.where(self.context > 0, p, torch.full_like(p, 1.0 / V))  # a context never seen: uniform
        if len(p) == 0:
            return math.nan
        return max(0.0, float(-torch.log(p).mean()))


def lookup(counts: Ngrams, words: list[str], vocab: Vocab) -> Lookup:
    """The counts of each example of the words (counted on other words, or the same)."""
    X, Y = build_dataset(words, vocab, counts.n)
    ids = context_ids(X, counts.V)
    R = len(counts.contexts)
    pos = torch.searchsorted(counts.contexts, ids).clamp(max=max(R - 1, 0))
    seen = counts.contexts[pos] == ids if R else torch.zeros_like(ids, dtype=torch.bool)
    zero = torch.zeros_like(ids)
    pair = torch.where(seen, counts.N[pos, Y], zero) if R else zero
    context = torch.where(seen, counts.N.sum(1)[pos], zero) if R else zero
    return Lookup(pair, context)
