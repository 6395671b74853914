"""The count model: count every (context, next) pair (makemore.pairs), smooth, normalize by row."""

from __future__ import annotations

import torch

from makemore.data import Vocab
from makemore.pairs import CONTEXTS, check_context, count_matrix, encode, examples
from makemore.table import Table, nll_counts

__all__ = ["CONTEXTS", "check_context", "count_matrix", "encode", "examples", "fit_counts", "smooth", "sweep"]


def smooth(N: torch.Tensor, smoothing: float = 1.0) -> torch.Tensor:
    """Add-s smoothing then normalize each row: P = (N + s) / rowsum. A row never seen stays uniform."""
    if not smoothing >= 0 or smoothing == float("inf"):
        raise ValueError(f"smoothing must be a finite number >= 0, not {smoothing}")
    F = (N + smoothing).float()  # float32, as the lecture, so sampling draws the same names
    if not torch.isfinite(F.sum(1)).all():  # a huge s overflows float32 (and 27 s float64): scale by s first
        G = N.double() / smoothing + 1.0  # (N + s) / s: the same rows once normalized
        return (G / G.sum(1, keepdim=True)).float()
    # with s = 0 an unseen context has an all-zero row: make it uniform rather than 0/0
    F = torch.where(F.sum(1, keepdim=True) > 0, F, torch.ones_like(F))
    return F / F.sum(1, keepdim=True)


def fit_counts(words: list[str], vocab: Vocab, k: int = 1, smoothing: float = 1.0) -> Table:
    """The count model's table."""
    return Table(vocab, k, smooth(count_matrix(words, vocab, k), smoothing))


def sweep(
    splits: dict[str, list[str]], vocab: Vocab, k: int, smoothings: list[float], fit_on: str = "train"
) -> list[dict[str, float]]:
    """NLL of the count model on each split for each smoothing value (lecture exercise E03)."""
    Ns = {name: count_matrix(words, vocab, k) for name, words in splits.items()}
    return [
        {"smoothing": s, **{name: nll_counts(smooth(Ns[fit_on], s), N) for name, N in Ns.items()}} for s in smoothings
    ]
