"""Downloads: CSV of matrices and samples, W as JSON, checked by reading them back."""

import csv
import io
import json

import pytest
import torch

from makemore.counts import count_matrix, fit_counts
from makemore.data import Vocab
from makemore.export import matrix_csv, samples_csv, weights_json
from makemore.table import Sample, Table

pytestmark = pytest.mark.unit

WORDS = ["emma", "ava", "bo"]


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_counts_csv_round_trips():
    v = Vocab.from_words(WORDS)
    N = count_matrix(WORDS, v)
    rows = read(matrix_csv(fit_counts(WORDS, v), N, "{:d}"))
    assert rows[0] == ["context", *v.itos]
    assert [r[0] for r in rows[1:]] == list(v.itos)
    assert [[int(x) for x in r[1:]] for r in rows[1:]] == N.tolist()


def test_trigram_probabilities_csv_labels_two_character_contexts():
    v = Vocab.from_words(WORDS)
    T = fit_counts(WORDS, v, k=2)
    rows = read(matrix_csv(T, T.P))
    assert len(rows) == 1 + len(v) ** 2
    assert rows[1][0] == ".."
    assert rows[2][0] == ".a"
    assert abs(sum(float(x) for x in rows[1][1:]) - 1) < 1e-5


def test_samples_csv_and_weights_json():
    rows = read(samples_csv([Sample("ava", False), Sample("zzz", True, cut=True)]))
    assert rows == [["#", "name", "tag", "cut"], ["1", "ava", "in data", ""], ["2", "zzz", "new", "cut"]]
    v = Vocab.from_words(WORDS)
    W = torch.arange(49.0).view(7, 7)
    out = json.loads(weights_json(W, Table(v, 1, torch.softmax(W, 1))))
    assert out["vocab"] == list(v.itos)
    assert out["context"] == 1
    assert out["W"][1][2] == 9.0
