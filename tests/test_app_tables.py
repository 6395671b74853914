"""The tables the page shows agree with the engine: scores per transition, the heatmap's p, the trigram."""

import math

import pytest

from makemore.counts import count_matrix, fit_counts
from makemore.table import score
from tests.helpers.apptest import (
    app,
    check,
    figure,
    tables,
    widget,
)

pytestmark = pytest.mark.app


def test_score_shows_one_bar_and_one_row_per_transition(words, vocab):
    at = app({"tab": "Score a name", "name": "mississippi"})
    fig = figure(at, "score_bars")
    bars = fig["data"][0]
    expected = score(fit_counts(words, vocab), "mississippi")
    assert len(bars["y"]) == 12, "12 transitions, 12 bars in order"
    assert bars["x"] == list(range(1, 13)), "12 transitions, 12 bars in order"
    assert fig["layout"]["xaxis"]["ticktext"] == [f"{s.context}→{s.next}" for s in expected.steps]
    assert bars["y"] == pytest.approx([s.p for s in expected.steps], rel=1e-6)
    assert max(bars["y"]) <= 1
    assert fig["layout"]["yaxis"]["range"] == [0, 1]
    rows = tables(at)[-1]
    assert list(rows) == [str(i) for i in range(1, 13)]
    assert rows["4"]["context"] == "s"
    assert rows["4"]["next"] == "s"
    assert rows["4"]["pair in the data"] == "yes"
    assert float(rows["2"]["p (count model)"]) == pytest.approx(expected.steps[1].p, abs=1e-4)
    N = count_matrix(words, vocab)
    a, b = next((a, b) for a in range(1, 27) for b in range(1, 27) if N[a, b] == 0)  # a pair no name has
    widget(at, "name").set_value(vocab.itos[a] + vocab.itos[b])
    at.run()
    rows = tables(check(at))[-1]
    assert rows["2"]["context"] == vocab.itos[a]
    assert rows["2"]["next"] == vocab.itos[b]
    marks = [r["pair in the data"] for r in rows.values()]
    assert marks[1] == "unseen", rows
    assert "yes" in marks, rows
    widget(at, "name").set_value("a" * 64)
    at.run()
    assert max(figure(check(at), "score_bars")["data"][0]["y"]) < 1


def test_heatmap_sends_the_exact_p(words, vocab):
    at = app({"smoothing": "0.01"})
    p = figure(at, "heatmap")["p"][0][0]
    exact = fit_counts(words, vocab, smoothing=0.01).P[0, 0].item()
    assert 0 < p == pytest.approx(exact, rel=1e-6), p  # ~3.1e-7; rounded to 6 decimals it was 0
    assert math.isfinite(-math.log(p))


def test_trigram_is_titled_and_labelled_as_a_trigram():
    at = app({"context": "2", "slice": "q"})
    assert "trigram" in at.title[0].value
    assert "bigram" not in at.title[0].value
    cells = figure(at, "heatmap")
    assert cells["y"][:3] == ["q.", "qa", "qb"], "rows are labelled with their whole context"
    assert "context" in cells["rows"]
    assert "next" in cells["cols"]
    assert cells["legend"] == "count"
    assert "bigram" in app().title[0].value


def test_counts_match_the_corpus(words, vocab):
    assert figure(app(), "heatmap")["count"] == count_matrix(words, vocab).tolist()
