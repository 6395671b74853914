"""The unigram model: how often each symbol comes next, whatever came before (no context at all).

Between the uniform baseline (ln 27) and the bigram: it knows that 'a' is common and 'q' rare, but
not that 'n' often follows 'a'. Every row of its table is the same distribution.
"""

from __future__ import annotations

from makemore.data import Vocab
from makemore.pairs import count_matrix
from makemore.table import Table


def fit_unigram(words: list[str], vocab: Vocab, k: int = 1, smoothing: float = 1.0) -> Table:
    """P[context, next] = (count of next + s) / (examples + V s), the same for every context."""
    N = count_matrix(words, vocab, k).sum(0).double() + smoothing  # (V,) how often each symbol comes next
    p = (N / N.sum()).float()
    return Table(vocab, k, p.expand(len(vocab) ** k, -1).contiguous())
