"""Examples and counts: every (context, next) pair of a word list, and how often each occurs.

Below the table and the models: both the count model and the net start from these.
"""

from __future__ import annotations

import functools

import torch

from makemore.data import BOUNDARY, Vocab

CONTEXTS = (1, 2)  # bigram, trigram


def check_context(k: int) -> None:
    if k not in CONTEXTS:
        raise ValueError(f"context must be 1 (bigram) or 2 (trigram), not {k}")


def examples(words: list[str], vocab: Vocab, k: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """All (context index, next index) pairs of the words; a context is k symbols read base V."""
    check_context(k)
    if not words:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    V = len(vocab)
    # one string: each word preceded by k dots, one final dot; every word's end token is the
    # first dot of the next block, so the context of any target is just the k symbols before it
    text = "".join(BOUNDARY * k + w for w in words) + BOUNDARY
    ix = encode(text, vocab)  # (L,)
    ctx = torch.zeros(len(ix) - k, dtype=torch.long)
    for j in range(k):  # k <= 2 passes over the whole text, not a loop per character
        ctx = ctx * V + ix[j : len(ix) - k + j]
    nxt = ix[k:]
    # drop the k-1 padding dots after each block's first one (they are neither targets nor ends)
    keep = torch.ones(len(ix), dtype=torch.bool)
    lengths = torch.tensor([0] + [k + len(w) for w in words[:-1]], dtype=torch.long)
    starts = torch.cumsum(lengths, 0)
    for j in range(1, k):
        keep[starts + j] = False
    keep = keep[k:]
    return ctx[keep], nxt[keep]


def encode(text: str, vocab: Vocab) -> torch.Tensor:
    """Indices of the characters of text (all must be in the vocabulary), as int64."""
    cps = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32)
    table = lookup(vocab.itos)
    ix = table[cps.clamp(max=len(table) - 1).long()]  # one gather (a search per character took 2x)
    if bool((ix < 0).any()):
        bad = chr(int(cps[ix < 0][0]))
        raise ValueError(f"symbol {bad!r} is not in the vocabulary")
    return ix


@functools.lru_cache(maxsize=16)
def lookup(itos: tuple[str, ...]) -> torch.Tensor:
    """A code point's index in the vocabulary, -1 where it is none (the last entry: every code
    point above the vocabulary's largest)."""
    cps = torch.tensor([ord(s) for s in itos], dtype=torch.long)
    table = torch.full((int(cps.max()) + 2,), -1, dtype=torch.long)
    table[cps] = torch.arange(len(itos))
    return table


CHUNK = 2_000  # words counted at a time: small blocks keep a 500,000-word list's counting in ~10 MB


def count_matrix(words: list[str], vocab: Vocab, k: int = 1) -> torch.Tensor:
    """N[context, next]: how often each pair occurs, shape (V**k, V), int64."""
    V = len(vocab)
    N = torch.zeros(V**k * V, dtype=torch.long)
    for i in range(0, max(len(words), 1), CHUNK):
        xs, ys = examples(words[i : i + CHUNK], vocab, k)
        N += torch.bincount(xs * V + ys, minlength=V**k * V)
    return N.view(V**k, V)
