"""Using a table: sampling as the lecture's loop, temperature, scoring a word."""

import math

import pytest
import torch

from makemore.counts import fit_counts
from makemore.data import Vocab
from makemore.table import Table, sample, score

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def table(words, vocab):
    return fit_counts(words, vocab, 1, 1.0)


def lecture_samples(P, itos, n, seed):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        chars, ix = [], 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            chars.append(itos[ix])
            if ix == 0:
                break
        out.append("".join(chars[:-1]))
    return out


def test_samples_are_the_lecture_loops(table, vocab):
    got = [s.name for s in sample(table, 50, seed=2147483647)]
    assert got == lecture_samples(table.P, vocab.itos, 50, 2147483647)
    assert [s.name for s in sample(table, 50, seed=3)] != got


def test_samples_tagged_new_or_known(table, words):
    for s in sample(table, 200, seed=7, known=set(words)):
        assert s.new == (s.name not in set(words))
    assert any(not s.new for s in sample(table, 200, seed=7, known=set(words)))


def test_temperature(table, vocab):
    cold = sample(table, 200, seed=1, temperature=0.05)
    assert {s.name for s in cold} <= {"a", "n", "an", "na", "ana", "anan", "nan", "nana"} | {s.name for s in cold[:1]}
    assert len({s.name for s in cold}) < 10  # near-greedy: almost always the same name
    with pytest.raises(ValueError, match="temperature"):
        sample(table, 1, temperature=0)


def test_max_length_guard_marks_cut(vocab):
    # a table that never ends a name
    P = torch.zeros(27, 27)
    P[:, 1] = 1.0
    out = sample(Table(vocab, 1, P), 2, max_len=12)
    assert all(s.cut and s.name == "a" * 12 for s in out)


def test_trigram_samples_follow_two_characters(words, vocab):
    T = fit_counts(words, vocab, 2, 0.0)
    known = set(words)
    out = sample(T, 100, seed=5, known=known)
    # with s = 0 every trigram drawn must exist in the data
    text = {w for w in words}
    padded = "".join(".." + w + "." for w in text)
    for s in out:
        chars = ".." + s.name + "."
        assert all(chars[i : i + 3] in padded for i in range(len(chars) - 2)), s.name


def test_score_transitions(table, vocab):
    sc = score(table, "Emma")
    assert [(s.context, s.next) for s in sc.steps] == [(".", "e"), ("e", "m"), ("m", "m"), ("m", "a"), ("a", ".")]
    p = table.P[vocab.stoi["e"], vocab.stoi["m"]].item()
    assert sc.steps[1].p == pytest.approx(p)
    assert sc.steps[1].nll == pytest.approx(-math.log(p))
    assert sc.nll == pytest.approx(sum(s.nll for s in sc.steps) / 5)


@pytest.mark.parametrize(
    "word, needle", [("zoë", "'ë' is not in the vocabulary"), ("e.m", "start/end"), ("  ", "type")]
)
def test_score_bad_words(table, word, needle):
    with pytest.raises(ValueError, match=needle):
        score(table, word)


def test_a_table_prints_a_short_summary_not_the_tensor(words, vocab):
    t = fit_counts(words, vocab, 1, 1.0)
    assert repr(t) == str(t) == "Table(bigram, 27 symbols '.abc…xyz', P 27×27)"
    t2 = fit_counts(["ab"], Vocab.from_words(["ab"]), 2, 1.0)
    assert str(t2) == "Table(trigram, 3 symbols '.ab', P 9×3)"
