"""The count model against hand counts and the lecture's plain loops."""

import itertools
import math

import pytest
import torch

from makemore.counts import count_matrix, examples, fit_counts, smooth, sweep
from makemore.data import Vocab, split
from makemore.table import Table, nll

pytestmark = pytest.mark.unit

THREE = ["emma", "ava", "bo"]


def lecture_counts(words, vocab, k=1):
    """The lecture's loop, extended to k characters of context."""
    stoi, V = vocab.stoi, len(vocab)
    N = torch.zeros((V**k, V), dtype=torch.int64)
    for w in words:
        chs = ["."] * k + list(w) + ["."]
        for i in range(len(chs) - k):
            ctx = 0
            for c in chs[i : i + k]:
                ctx = ctx * V + stoi[c]
            N[ctx, stoi[chs[i + k]]] += 1
    return N


def test_hand_counts_on_three_words():
    v = Vocab.from_words(THREE)  # . a b e m o v
    N = count_matrix(THREE, v)
    s = v.stoi
    assert N.sum() == 4 + 1 + 3 + 1 + 2 + 1  # each word's characters plus its end token
    assert N[s["."], s["e"]] == 1
    assert N[s["."], s["a"]] == 1
    assert N[s["."], s["b"]] == 1
    assert N[s["m"], s["m"]] == 1
    assert N[s["m"], s["a"]] == 1
    assert N[s["a"], s["."]] == 2  # emma, ava
    assert N[s["a"], s["v"]] == 1
    assert N[s["o"], s["."]] == 1
    assert N[s["."], s["."]] == 0


def test_trigram_hand_counts():
    v = Vocab.from_words(["ab", "a"])
    N = count_matrix(["ab", "a"], v, k=2)
    idx = {c: i for i, c in enumerate(v.itos)}

    def ctx(s):
        return idx[s[0]] * len(v) + idx[s[1]]

    assert N.sum() == 5
    assert N[ctx(".."), idx["a"]] == 2
    assert N[ctx(".a"), idx["b"]] == 1
    assert N[ctx(".a"), idx["."]] == 1
    assert N[ctx("ab"), idx["."]] == 1


@pytest.mark.parametrize("k", [1, 2])
def test_count_matrix_matches_lecture_loop(words, vocab, k):
    assert torch.equal(count_matrix(words, vocab, k), lecture_counts(words, vocab, k))


@pytest.mark.parametrize("k", [1, 2])
def test_examples_one_per_character_plus_end(words, vocab, k):
    xs, ys = examples(words, vocab, k)
    assert len(xs) == len(ys) == sum(len(w) + 1 for w in words)
    assert int((ys == 0).sum()) == len(words)


@pytest.mark.parametrize("k", [1, 2])
def test_no_words_no_examples(vocab, k):
    xs, ys = examples([], vocab, k)
    assert len(xs) == len(ys) == 0
    assert int(count_matrix([], vocab, k).sum()) == 0  # an empty train split of a tiny upload


def test_probabilities_rows_sum_to_one_and_match_lecture_formula(words, vocab):
    N = count_matrix(words, vocab)
    P = smooth(N, 1.0)
    lecture = (N + 1).float()
    lecture /= lecture.sum(1, keepdims=True)
    assert torch.equal(P, lecture)
    assert torch.allclose(P.sum(1), torch.ones(27))


def test_nll_matches_lecture_loop(words, vocab):
    T = fit_counts(words, vocab, 1, 1.0)
    log_likelihood, n = 0.0, 0
    for w in words[:2000]:
        chs = ["."] + list(w) + ["."]
        for a, b in itertools.pairwise(chs):
            log_likelihood += math.log(T.P[vocab.stoi[a], vocab.stoi[b]].item())
            n += 1
    assert nll(T, words[:2000]) == pytest.approx(-log_likelihood / n, rel=1e-6)


def test_uniform_table_gives_ln27(words, vocab):
    T = Table(vocab, 1, torch.full((27, 27), 1 / 27))
    assert nll(T, words) == pytest.approx(math.log(27), rel=1e-6)
    # huge smoothing drives the count model to the uniform table
    assert nll(fit_counts(words, vocab, 1, 1e9), words) == pytest.approx(math.log(27), rel=1e-4)


def test_zero_smoothing_gives_inf_not_nan(vocab):
    T = fit_counts(["emma"], vocab, 1, 0.0)
    assert nll(T, ["emma"]) < 3
    assert nll(T, ["zed"]) == math.inf
    assert not torch.isnan(T.P).any()  # unseen rows are uniform, not 0/0


def test_bad_parameters(vocab):
    with pytest.raises(ValueError, match="smoothing"):
        smooth(torch.zeros(27, 27), -1)
    with pytest.raises(ValueError, match="context"):
        count_matrix(["emma"], vocab, 3)


def test_lecture_figures(lecture_words):
    v = Vocab.from_words(lecture_words)
    xs, _ = examples(lecture_words, v)
    assert len(lecture_words) == 32033
    assert len(xs) == 228146
    assert len(v) == 27
    assert round(nll(fit_counts(lecture_words, v, 1, 1.0), lecture_words), 4) == 2.4546


def test_sweep_matches_refitting_each_value(words, vocab):
    tr, dev, te = split(words)
    rows = sweep({"train": tr, "dev": dev, "test": te}, vocab, 1, [0.0, 1.0, 100.0])
    for row in rows:
        T = fit_counts(tr, vocab, 1, row["smoothing"])
        assert row["train"] == pytest.approx(nll(T, tr), rel=1e-9)
        assert row["dev"] == pytest.approx(nll(T, dev), rel=1e-9)
    assert rows[0]["dev"] == math.inf or rows[0]["dev"] > rows[1]["dev"]
    assert rows[0]["train"] < rows[1]["train"] < rows[2]["train"]  # smoothing costs train fit


def test_the_unigram_model_is_how_often_each_symbol_comes_next():
    from makemore.data import Vocab
    from makemore.unigram import fit_unigram

    words = ["ab", "b"]  # next symbols: a b . | b .  -> '.' 2, 'a' 1, 'b' 2 of 5
    vocab = Vocab.from_words(words)
    table = fit_unigram(words, vocab, k=1, smoothing=0.0)
    expected = torch.tensor([2 / 5, 1 / 5, 2 / 5])
    assert torch.allclose(table.P, expected.expand(3, 3))
    smoothed = fit_unigram(words, vocab, k=2, smoothing=1.0)
    assert smoothed.P.shape == (9, 3)
    assert torch.allclose(smoothed.P[4], torch.tensor([3 / 8, 2 / 8, 3 / 8]))


def test_a_model_keeps_its_colour_whatever_else_is_shown(words, vocab):
    from makemore.plots import score_bars
    from makemore.table import score
    from makemore.uniform import fit_uniform

    uniform = score(fit_uniform(vocab), "emma")
    counts = score(fit_counts(words, vocab), "emma")
    colours = {"count model": "#111111", "uniform": "#222222"}
    alone = score_bars({"uniform": uniform}, colours)
    both = score_bars({"count model": counts, "uniform": uniform}, colours)
    assert alone.data[0].marker.color == both.data[1].marker.color == "#222222"
