"""What the page is sent to follow the smoothing in the browser, checked against the engine: the
slider's stops, the counts of every trigram slice, and the sparse counts the NLL is recomputed from
(the page's own formula, ui/components/live.js mmNlls, is run in Chromium: tests/browser/test_live_js.py)."""

import itertools
import json

import pytest
import streamlit as st

from makemore.counts import count_matrix, smooth
from makemore.data import split
from makemore.table import nll_counts
from ui import components
from ui.corpus import builtin_corpus
from ui.models import heatmap_live, nll_live, split_nlls
from ui.params import PARAMS, SMOOTHINGS

pytestmark = pytest.mark.unit


def test_the_smoothing_stops_are_log_like_and_hold_the_round_values():
    assert SMOOTHINGS[0] == 0.0
    assert SMOOTHINGS[-1] == 1000.0
    assert len(SMOOTHINGS) == 452
    assert all(a < b for a, b in itertools.pairwise(SMOOTHINGS))
    for v in (0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 10.0, 20.0, 100.0, 500.0, 1000.0):
        assert v in SMOOTHINGS, v
    ratios = [b / a for a, b in itertools.pairwise(SMOOTHINGS[1:])]
    assert max(ratios) <= 1.1 + 1e-9, "no step wider than 10%: a log-like scale"
    assert min(ratios) >= 1.01 - 1e-9
    for v in SMOOTHINGS:  # each stop is the float its shortest decimal text parses to (JS Number() too)
        assert float(repr(v)) == v
        assert float(f"{v:.1e}") == v, "two significant digits"


def test_a_link_takes_any_stop_and_refuses_the_rest():
    assert PARAMS["smoothing"].parse("0.37") == 0.37
    assert PARAMS["smoothing"].parse("880") == 880.0
    for bad in ("0.375", "1001", "-1", "nan"):
        with pytest.raises(ValueError):
            PARAMS["smoothing"].parse(bad)


@pytest.fixture(scope="module")
def corpus():
    return builtin_corpus("names.txt")


def test_the_heatmap_gets_the_counts_of_every_trigram_slice(corpus, words, vocab):
    live = json.loads(heatmap_live(corpus.key, corpus, 2, "."))
    V = len(vocab)
    assert live["all_slices"] is True
    assert live["slices"] == list(vocab.itos)
    N = count_matrix(words, vocab, 2)
    assert live["counts"] == N.flatten().tolist()
    e = vocab.stoi["e"]  # the slice of contexts "e?" is rows e*V .. e*V+V
    assert live["counts"][e * V * V : (e + 1) * V * V] == N[e * V : (e + 1) * V].flatten().tolist()
    assert live["stops"] == SMOOTHINGS


def test_the_split_counts_are_the_lectures(corpus, words, vocab):
    payload = json.loads(nll_live(corpus.key, corpus, 1, "all"))
    train, dev, _ = split(words)
    parts = {p: (idx, cnt) for p, idx, cnt in payload["parts"]}
    N = count_matrix(dev, vocab).flatten()
    assert parts["dev"][0] == N.nonzero().flatten().tolist()
    assert parts["dev"][1] == N[N > 0].tolist()
    assert payload["fit_counts"] == count_matrix(words, vocab).flatten().tolist()
    P = smooth(count_matrix(train, vocab), 1.0)
    assert nll_counts(P, count_matrix(dev, vocab)) == pytest.approx(
        split_nlls(corpus.key, corpus, 1, "train", 1.0)["dev"]
    )


def test_a_table_too_large_to_send_falls_back_to_the_server(corpus, monkeypatch):
    monkeypatch.setattr("ui.models.LIVE_CELLS", 100)
    assert nll_live.__wrapped__(corpus.key, corpus, 1, "all") is None
    live = json.loads(heatmap_live.__wrapped__(corpus.key, corpus, 2, "e"))
    assert live["all_slices"] is False
    assert len(live["counts"]) == len(corpus.vocab) ** 2  # the shown slice only


class FakeState(dict):
    pass


@pytest.mark.parametrize(
    "name, sent, kept",
    [
        ("smoothing", 880, 880.0),
        ("smoothing", 0.375, 1.0),
        ("view", "probabilities", "probabilities"),
        ("view", "<img>", "counts"),
        ("slice", "e", "e"),
    ],
)
def test_a_committed_value_is_parsed_as_a_link_value_would_be(monkeypatch, name, sent, kept):
    state = FakeState(_kept={"smoothing": 1.0, "view": "counts", "slice": "."}, count_controls={name: sent})
    monkeypatch.setattr(st, "session_state", state)
    components._keeper("count_controls", name)()
    assert state["_kept"][name] == kept
