"""The crossover's count column against plain n-gram counts written here, and its rows."""

import math
from collections import Counter

import pytest

from makemore.counts import sweep
from makemore.crossover import CONTEXTS, best_counts, count_row, crossover_rows, format_crossover, mlp_row
from makemore.data import Vocab, split
from makemore.mlp import MLPConfig
from makemore.ngram import build_dataset, count_ngrams, lookup

pytestmark = pytest.mark.unit

THREE = ["emma", "olivia", "ava"]


def plain_counts(words, n):
    """Every (context, next) pair, counted one by one: the context padded with '.'."""
    N = Counter()
    for w in words:
        chs = "." * n + w + "."
        for i in range(n, len(chs)):
            N[chs[i - n : i], chs[i]] += 1
    return N


def plain_nll(N, words, n, s, V):
    """Mean -log P of the words' pairs with P = (N + s) / (rowsum + V s); an unseen context uniform."""
    rowsum = Counter()
    for (ctx, _), c in N.items():
        rowsum[ctx] += c
    total, m = 0.0, 0
    for (ctx, nxt), c in plain_counts(words, n).items():
        p = (N[ctx, nxt] + s) / (rowsum[ctx] + V * s) if rowsum[ctx] else 1 / V
        total += -c * math.log(p)
        m += c
    return total / m


def as_dict(counts, vocab):
    """The sparse counts back as {(context string, next): count} for the pairs that occur."""
    out = {}
    for r, ctx in enumerate(counts.contexts.tolist()):
        for y, c in enumerate(counts.N[r].tolist()):
            if c:
                out[vocab.context_name(ctx, counts.n), vocab.itos[y]] = c
    return out


def test_hand_counts_of_three_words_with_a_context_of_3():
    vocab = Vocab.from_words(THREE)
    counts = count_ngrams(THREE, vocab, 3)
    got = as_dict(counts, vocab)
    assert got == dict(plain_counts(THREE, 3))
    # by hand: each word starts from '...', and 'emma' 'olivia' 'ava' give 5 + 7 + 4 pairs
    assert got["...", "e"] == got["...", "o"] == got["...", "a"] == 1
    assert got["mma", "."] == got["via", "."] == got["ava", "."] == 1
    assert got["..a", "v"] == 1 and got["oli", "v"] == 1
    assert sum(got.values()) == 16 and len(counts.contexts) == 14  # '...' starts all three words
    assert counts.rows == len(vocab) ** 3


@pytest.mark.parametrize("n", CONTEXTS)
def test_counts_of_every_length_equal_the_plain_count(words, vocab, n):
    some = words[:300]
    assert as_dict(count_ngrams(some, vocab, n), vocab) == dict(plain_counts(some, n))


def test_the_dataset_is_the_lectures_build_dataset(words, vocab):
    some = words[:200]
    for k in CONTEXTS:
        X, Y = [], []
        for w in some:
            context = [0] * k
            for ch in w + ".":
                ix = vocab.stoi[ch]
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix]
        got = build_dataset(some, vocab, k)
        assert got[0].tolist() == X and got[1].tolist() == Y, f"context {k}"


@pytest.mark.parametrize("n", [1, 3, 5])
def test_the_count_column_against_plain_counts(words, vocab, n):
    train, dev, _ = split(words[:3000])
    N = plain_counts(train, n)
    V = len(vocab)
    row = count_row(train, dev, vocab, n, smoothings=[0.1, 1.0])
    best = min([0.1, 1.0], key=lambda s: plain_nll(N, dev, n, s, V))
    assert row["smoothing"] == best
    assert row["count_dev"] == pytest.approx(plain_nll(N, dev, n, best, V), abs=1e-9)
    assert row["count_train"] == pytest.approx(plain_nll(N, train, n, best, V), abs=1e-9)
    dev_pairs = plain_counts(dev, n)
    seen = {ctx for ctx, _ in N}
    unseen = sum(c for (ctx, _), c in dev_pairs.items() if ctx not in seen) / sum(dev_pairs.values())
    assert row["unseen"] == pytest.approx(unseen, abs=1e-12)
    assert row["seen"] == len(seen) and row["rows"] == V**n


@pytest.mark.parametrize("k", [1, 2])
def test_bigrams_and_trigrams_agree_with_the_dense_count_model(words, vocab, k):
    train, dev, _ = split(words)
    dense = sweep({"train": train, "dev": dev}, vocab, k, [0.01, 1.0, 30.0])
    counts = count_ngrams(train, vocab, k)
    on_dev = lookup(counts, dev, vocab)
    for r in dense:
        assert on_dev.nll(r["smoothing"], len(vocab)) == pytest.approx(r["dev"], abs=1e-5)


def test_a_context_of_8_is_stored_sparsely(words, vocab):
    counts = count_ngrams(words, vocab, 8)
    assert counts.rows == 27**8
    assert counts.N.shape == (len(counts.contexts), 27) and len(counts.contexts) < 100_000


def test_rows_with_the_mlp_and_their_text(words):
    tiny = MLPConfig(d=4, h=20, steps=300, batch=32, init_fix=True, dev_every=0)
    seen = []
    rows = crossover_rows(words, ns=[1, 2], mlp=tiny, on_row=seen.append)
    assert seen == rows and [r["n"] for r in rows] == [1, 2]
    for r in rows:
        assert r["count_dev"] > r["count_train"] > 0 and 0 < r["mlp_dev"] < math.log(27)
        assert r["mlp_params"] == 27 * 4 + r["n"] * 4 * 20 + 20 + 20 * 27 + 27
    text = format_crossover(rows)
    assert len(text.splitlines()) == 2 + len(rows) + 1 and "MLP at n = 2" in text
    assert best_counts(rows)["n"] == 2 and "best count model: n = 2" in text


def test_mlp_row_trains_with_the_given_context(words, vocab):
    train, dev, _ = split(words[:2000])
    row = mlp_row(train, dev, vocab, 8, MLPConfig(d=2, h=10, steps=50, dev_every=0))
    assert row["n"] == 8 and row["mlp_params"] == 27 * 2 + 8 * 2 * 10 + 10 + 10 * 27 + 27
    assert row["mlp_seconds"] > 0 and math.isfinite(row["mlp_dev"])
