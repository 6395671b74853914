"""Figures: what plotly.js is given draws where it should."""

import math

import pytest

from makemore import plots

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("s", [0.2, 1.0, 170.0])
def test_the_sweep_marks_the_current_smoothing_where_it_is(s):
    """On a log axis an annotation goes in log10 units: its label at x = 170 sent the axis to 1e170."""
    rows = [
        {"smoothing": v, "train": 2.5 + v / 1000, "dev": 2.6 + v / 2000} for v in (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    ]
    fig = plots.sweep_curve(rows, s)
    line, label = fig.layout.shapes[0], fig.layout.annotations[-1]
    assert line.x0 == line.x1 == s
    assert label.x == pytest.approx(math.log10(s))
    assert label.text == f"s={s:g}"
    assert fig.layout.xaxis.type == "log"


def test_loss_curve_takes_what_the_engine_returns(words, vocab):
    import makemore as mm

    _, records = mm.fit_neural(mm.count_matrix(words, vocab), vocab, 1, mm.TrainConfig(epochs=5), progress=False)
    floor = mm.nll(mm.fit_counts(words, vocab, 1, 1.0), words)
    fig = plots.loss_curve(records, floor=floor)
    run = next(t for t in fig.data if t.meta == "run")
    assert list(run.y) == [r.nll for r in records]
    assert fig.layout.meta == "5/5"
    assert any(t.meta == "floor" for t in fig.data)
    old = plots.loss_curve([r.nll for r in records], 5, floor, None, [("run 1", records)])  # numbers, as before
    assert list(next(t for t in old.data if t.meta == "run").y) == list(run.y)
    assert list(old.data[0].y) == [r.nll for r in records], "an earlier run's records too"
