"""Training through the page: warnings, divergence, the memory budget, the trained matrices, the samples file."""

import csv
import io
import math

import pytest

from tests.helpers.apptest import (
    app,
    curve,
    figure,
    open_tab,
    tables,
    text,
    trace,
    train,
    widget,
)
from ui.models import MODELS

pytestmark = pytest.mark.app


def in_range(ys: list[float], axis: dict) -> bool:
    lo, hi = axis["range"]
    if axis.get("type") == "log":
        lo, hi = 10**lo, 10**hi
    return all(lo <= y <= hi for y in ys)


def test_a_rising_loss_stays_on_the_chart_and_is_a_warning():
    at = train(app(), epochs=300, lr=500.0)
    fig = figure(at, "loss")
    ys = trace(fig, "run")["y"]
    assert len(ys) == 300, "lr 500 should end above where it started"
    assert ys[-1] > ys[0], "lr 500 should end above where it started"
    assert in_range(ys, fig["layout"]["yaxis"]), f"points off the chart: axis {fig['layout']['yaxis']['range']}"
    assert not at.success, "a run that went uphill must not be a success"
    assert at.warning
    assert "rose from" in text(at.warning[0])
    assert "learning rate 500" in text(at.warning[0])


def test_a_diverged_run_keeps_its_curve_and_the_previous_matrices():
    at = train(app(), epochs=20)
    assert figure(at, "net_P")["data"][0]["z"], "a finished run shows its matrices"
    train(at, epochs=300, lr=1_000_000.0)
    fig = figure(at, "loss")
    ys = trace(fig, "run")["y"]
    message = text(at.error[0])
    assert "diverged at epoch 13" in message, message
    assert "12 finite epochs" in message, message
    assert len(ys) == 12
    assert all(math.isfinite(y) for y in ys)
    assert in_range(ys, fig["layout"]["yaxis"])
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert any("diverged at epoch 13" in str(a.get("text")) for a in fig["layout"].get("annotations", []))
    assert figure(at, "net_P")["data"][0]["z"], "the previous run's matrices vanished"
    assert any("last run that finished" in text(c) for c in at.caption)


def test_a_run_over_the_memory_budget_is_refused_before_it_starts():
    at = app({"context": "2", "method": "onehot", "tab": "Neural net"})
    warning = " ".join(text(e) for e in at.sidebar.error)
    assert "onehot method would need about 2." in warning, warning
    assert "limit is 1 GB" in warning, warning
    assert "the index method gives the same losses in" in warning, "it names a method that fits"
    train(at, epochs=5, method="onehot")
    assert at.error, [text(e) for e in at.error]
    assert "would need about" in text(at.error[0]), [text(e) for e in at.error]
    assert curve(at) == [], "nothing was trained"


def test_a_slow_run_is_announced_with_its_duration():
    at = app({"method": "onehot", "epochs": "1000"})
    slow = [text(w) for w in at.sidebar.warning if "Slow run" in text(w)]
    assert slow, [text(w) for w in at.sidebar.warning]
    assert "min" in slow[0], [text(w) for w in at.sidebar.warning]
    widget(at, "method").set_value("counts")
    at.run()
    assert not [w for w in at.sidebar.warning if "Slow run" in text(w)]
    assert any("Estimate" in text(c) for c in at.sidebar.caption)


def test_trained_matrices_are_square_and_label_every_symbol():
    at = train(app({"context": "2", "slice": "e"}), epochs=5)
    for key in ("net_P", "count_P", "diff_P"):
        layout = figure(at, key)["layout"]
        assert layout["meta"] == "square", key
        assert len(layout["xaxis"]["tickvals"]) == 27, key
        assert len(layout["yaxis"]["tickvals"]) == 27, key
        assert layout["yaxis"]["tickvals"][1] == "ea", key
        assert len(layout["title"]["text"]) <= 28, f"{key}: title too long for a column at 1280 px"


def test_samples_csv_has_both_models_after_training(monkeypatch):
    from makemore import export
    from ui.tabs import compare

    made = []
    monkeypatch.setattr(compare, "samples_csv", lambda models: made.append(export.samples_csv(models)) or made[-1])
    at = train(app({"tab": "Compare"}), epochs=20)
    open_tab(at, "Compare")
    rows = list(csv.DictReader(io.StringIO(made[-1])))
    assert {r["model"] for r in rows} == {m.label for m in MODELS.values()}, "the CSV holds every model"
    shown = tables(at)
    for model, column in (("count model", 0), ("neural net", 1)):
        names = [r["name"] for r in rows if r["model"] == model]
        assert names == [row["name"] for row in shown[column].values()], f"{model}: CSV differs from the page"
