"""The probability table P[context, next] and everything that uses one: NLL, scoring, sampling."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from makemore.data import BOUNDARY, Vocab
from makemore.ngram import build_dataset, context_ids
from makemore.pairs import CONTEXTS, count_matrix

MAX_SAMPLE_LEN = 50  # a sampled name this long is cut (and marked so)


@dataclass(frozen=True, eq=False)
class Table:
    """P[context, next], shape (V**k, V); each row a distribution over the next symbol.

    A model with too many contexts to hold (an MLP with 8 characters of context) has P None and
    computes the rows asked for: `rows(ids)` serves both.
    """

    vocab: Vocab
    k: int  # context length: 1 bigram, 2 trigram, up to 8 for the MLP
    P: torch.Tensor | None  # None: rows computed on demand by rows_of
    rows_of: Callable[[torch.Tensor], torch.Tensor] | None = None  # context ids (n,) -> rows of P (n, V)

    def rows(self, ids: torch.Tensor) -> torch.Tensor:
        """P[ids]: the rows of the given context ids, shape (n, V)."""
        return self.P[ids] if self.P is not None else self.rows_of(ids)

    def __repr__(self) -> str:
        """A short summary, not the tensor: Table(bigram, 27 symbols '.abc…xyz', P 27×27)."""
        symbols = "".join(self.vocab.itos)
        shown = symbols if len(symbols) <= 12 else symbols[:4] + "…" + symbols[-3:]
        kind = {1: "bigram", 2: "trigram"}.get(self.k, f"k={self.k}")
        return f"Table({kind}, {len(self.vocab)} symbols {shown!r}, P {self.P.shape[0]}×{self.P.shape[1]})"

    def context_index(self, context: str) -> int:
        stoi = self.vocab.stoi
        ix = 0
        for c in context:
            ix = ix * len(self.vocab) + stoi[c]
        return ix

    def advance(self, ctx: int, ix: int) -> int:
        """The context after symbol ix follows context ctx (the oldest symbol drops out)."""
        return (ctx * len(self.vocab) + ix) % len(self.vocab) ** self.k

    def to_frame(self):
        """P as a pandas DataFrame with labelled contexts (rows) and next symbols (columns)."""
        from makemore.frames import matrix_frame

        return matrix_frame(self.P, self.vocab, self.k)

    def context_name(self, ix: int) -> str:
        return self.vocab.context_name(ix, self.k)


def nll_counts(P: torch.Tensor, N: torch.Tensor) -> float:
    """Average -log P over the examples counted in N (same shape); inf if one has p = 0."""
    total = N.sum()
    if total == 0:
        return float("nan")
    logp = torch.log(P.double())
    terms = torch.where(N > 0, N * logp, torch.zeros_like(logp))  # keeps 0 * log 0 out of the sum
    return max(0.0, float(-terms.sum() / total))  # >= 0; rounding in log(1.0) must not give -0.0


def nll(table: Table, words: list[str]) -> float:
    """Average negative log-likelihood of the words under the table."""
    if table.P is not None and table.k in CONTEXTS:
        return nll_counts(table.P, count_matrix(words, table.vocab, table.k))
    # any context length, with no dense counts: each distinct context's row once
    X, Y = build_dataset(words, table.vocab, table.k)
    if len(Y) == 0:
        return float("nan")
    ids, row = torch.unique(context_ids(X, len(table.vocab)), return_inverse=True)
    logp = torch.log(table.rows(ids).double())[row, Y]
    return max(0.0, float(-logp.mean()))


@dataclass(frozen=True)
class Step:
    """One transition of a scored word."""

    context: str
    next: str
    p: float
    nll: float  # -log p


@dataclass(frozen=True)
class Score:
    word: str
    steps: list[Step]

    @property
    def total(self) -> float:
        return sum(s.nll for s in self.steps)

    @property
    def nll(self) -> float:
        return self.total / len(self.steps)

    def to_frame(self):
        """One row per transition: context, next, p, -log p (pandas)."""
        from makemore.frames import score_frame

        return score_frame(self)


def score(table: Table, word: str) -> Score:
    """Each transition of word (with its end token) under the table."""
    word = word.strip()
    if not word:
        raise ValueError("type a word to score")
    if BOUNDARY in word:
        raise ValueError("'.' is the start/end token and cannot be inside a word")
    word = table.vocab.spell(word)  # "Emma" scores as "emma"; "Zoë" blames 'ë', not 'Z'
    stoi = table.vocab.stoi
    chars = BOUNDARY * table.k + word + BOUNDARY
    steps = []
    for i in range(len(word) + 1):
        ctx, nxt = chars[i : i + table.k], chars[i + table.k]
        p = float(table.rows(torch.tensor([table.context_index(ctx)]))[0, stoi[nxt]])
        steps.append(Step(ctx, nxt, p, -math.log(p) if p > 0 else math.inf))
    return Score(word, steps)


def _tempered(P: torch.Tensor, temperature: float) -> torch.Tensor:
    """The rows of P at a temperature; T = 1 leaves p exactly as is."""
    if temperature == 1.0:
        return P
    logp = torch.log(P.double())
    # shift each row's maximum to 0 before dividing: a tiny T then gives 0/T = 0, never -inf/-inf
    logp = (logp - logp.max(1, keepdim=True).values) / temperature
    return torch.softmax(logp, dim=1).float()


@dataclass(frozen=True)
class Sample:
    name: str  # without the end token
    new: bool  # not in the training words
    cut: bool = False  # stopped at MAX_SAMPLE_LEN before drawing '.'

    @property
    def tag(self) -> str:
        return "new" if self.new else "in data"


def draw(p: torch.Tensor, g: torch.Generator) -> int:
    """One symbol from the distribution p, consuming g exactly as the lecture's loop does."""
    return torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()


def sample(
    table: Table,
    n: int = 10,
    seed: int = 2147483647,
    temperature: float = 1.0,
    known: set[str] | frozenset[str] = frozenset(),
    max_len: int = MAX_SAMPLE_LEN,
) -> list[Sample]:
    """n names drawn one after another from one generator, exactly as the lecture's loop."""
    if not 0 < n <= 10_000:
        raise ValueError(f"number of samples must be 1..10000, not {n}")
    if not 0 < temperature < float("inf"):
        raise ValueError(f"temperature must be > 0, not {temperature}")
    if table.P is not None:
        row = list(_tempered(table.P, temperature)).__getitem__  # a list of row views: cheaper than P[ix]
    else:  # rows on demand: one row per character drawn

        def row(ctx: int) -> torch.Tensor:
            return _tempered(table.rows(torch.tensor([ctx])), temperature)[0]

    g = torch.Generator().manual_seed(seed)
    itos = table.vocab.itos
    out = []
    for _ in range(n):
        ctx, chars, cut = 0, [], True
        for _ in range(max_len + 1):
            ix = draw(row(ctx), g)
            if ix == 0:
                cut = False
                break
            chars.append(itos[ix])
            ctx = table.advance(ctx, ix)
        name = "".join(chars[:max_len])
        out.append(Sample(name, name not in known, cut))
    return out
