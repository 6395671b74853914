"""Training through the page: warnings, divergence, the memory budget, the trained matrices, the samples file."""

import csv
import io
import math

import pytest

from makemore.counts import count_matrix
from makemore.neural import TrainConfig, fit_neural
from makemore.table import nll_counts
from tests.helpers.apptest import (
    app,
    curve,
    figure,
    finish,
    nll_table,
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
    assert "more than the limit for one run (1 GB)" in warning, warning
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
    trained = {m.label for name, m in MODELS.items() if name != "mlp"}  # the MLP is not trained here
    assert {r["model"] for r in rows} == trained, "the CSV holds every model with a table"
    shown = tables(at)
    for model, column in (("count model", 0), ("neural net", 1)):
        names = [r["name"] for r in rows if r["model"] == model]
        assert names == [row["name"] for row in shown[column].values()], f"{model}: CSV differs from the page"


def test_a_run_has_one_nll_on_the_page_and_it_is_the_engines(words, vocab):
    at = train(app(), epochs=20)
    run = at.session_state["_runs"].latest
    assert run.data[1:] == (1, "all")
    table, records = fit_neural(count_matrix(words, vocab), vocab, 1, TrainConfig(epochs=20), progress=False)
    engine = nll_counts(table.P, count_matrix(words, vocab))
    assert run.final_nll == pytest.approx(engine, abs=1e-6) and records == run.records
    status = text(at.success[0])
    assert status.startswith(f"Trained 20 epochs: data NLL {engine:.4f}."), status
    summary = figure(at, "loss")["summary"]
    assert summary["message"] == run.outcome.words and summary["nll"] == run.final_nll, "the line over the chart"
    last = f"{records[-1].nll:.4f}"
    assert last != f"{engine:.4f}", "at 20 epochs the curve's last point differs: the test would prove nothing"
    assert f"The curve's last point, {last}, is the loss before the last update" in status, status
    open_tab(at, "Compare")
    assert nll_table(at)["all"]["neural net"] == f"{engine:.4f}"
    assert any(run.outcome.words in text(c) for c in at.caption), "Compare says how the run ended"


def test_the_lectures_step_ten_shows_one_final_nll_the_trained_tables(words, vocab):
    """A class reads one number at step 10: the trained table's NLL, not the curve's last point beside it."""
    at = app({"mode": "lecture", "step": "10", "animate": "False", "epochs": "20"})
    at.button(key="lecture_train").click().run()
    finish(at)
    run = at.session_state["_runs"].latest
    table, records = fit_neural(count_matrix(words, vocab), vocab, 1, TrainConfig(epochs=20), progress=False)
    final, last = f"{nll_counts(table.P, count_matrix(words, vocab)):.4f}", f"{records[-1].nll:.4f}"
    assert last != final, "at 20 epochs the curve's last point differs: the test would prove nothing"
    status = text(at.success[0])
    assert final in status and last not in status, status
    assert figure(at, "loss")["summary"]["nll"] == run.final_nll, "the line over the chart: the table's NLL"


def test_a_net_whose_table_gives_a_pair_probability_zero_is_diverged_everywhere():
    at = train(app(), epochs=100, lr=2000.0)
    run = at.session_state["_runs"].latest
    assert run.outcome.kind == "diverged" and all(math.isfinite(y) for y in run.nlls), "finite curve, table ∞"
    words = run.outcome.words
    assert "probability 0" in words and "smaller learning rate than 2000" in words
    assert words in text(at.error[0]) and not at.success
    assert figure(at, "loss")["summary"]["message"] == words
    assert f"{run.records[-1].nll:.4f}" not in text(at.error[0]), "no NLL of a table that is not a model"
    open_tab(at, "Compare")
    column = {split: row[f"run {run.n} (the latest)"] for split, row in nll_table(at).items()}
    assert set(column.values()) == {"diverged at epoch 100"}, column
    assert any(words in text(c) for c in at.caption)


def test_the_lectures_training_step_says_what_the_tab_says():
    at = app({"mode": "lecture", "step": "10", "lr": "0.001", "epochs": "50", "animate": "False"})
    at.button(key="lecture_train").click().run()
    finish(at)
    run = at.session_state["_runs"].latest
    assert run.outcome.kind == "warned" and "barely moved" in run.outcome.words, run.outcome
    assert "the learning rate 0.001 is too small" in run.outcome.words
    assert any(run.outcome.words in text(w) for w in at.warning), [text(w) for w in at.warning]
    assert figure(at, "loss")["summary"]["message"] == run.outcome.words


def test_the_net_tab_shows_the_code_each_epoch_runs_with_the_pages_values():
    from makemore.neural import loop_source

    at = app({"tab": "Neural net", "method": "onehot", "lr": "10", "reg": "0.5"})
    code = at.code[0].value
    assert "F.one_hot(xs" in code and "logits.exp()" in code and "loss.backward()" in code
    assert "W += -10 * W.grad" in code and "0.5 * (W**2).mean()" in code
    assert code.count("\n") == loop_source("onehot").count("\n"), "the engine's lines, each once"
    at = app({"tab": "Neural net"})
    assert "-(N * W.log_softmax(1)).sum() / N.sum()" in at.code[0].value, "the count matrix method's loss"


@pytest.mark.parametrize(("lr", "said"), [(1e-6, "barely moved"), (1e9, "diverged at epoch")])
def test_the_learning_rates_at_both_ends_of_the_field_run_and_say_what_happened(lr, said):
    """The field takes 1e-6 .. 1e9 (1e9 was over its bound: the browser kept the old value and the
    run said 'lr 50' for a rate never run)."""
    at = train(app({"tab": "Neural net"}), lr=lr, epochs=20)
    shown = " ".join(text(m) for m in [*at.markdown, *at.error, *at.warning, *at.caption])
    assert said in shown, shown[-600:]
    assert at.query_params["lr"] == str(lr)
    assert "lr 50" not in shown


def test_the_methods_are_named_for_what_they_are():
    at = app()
    method = next(w for w in at.sidebar.selectbox if w.key == "method")
    assert method.options == [
        "count matrix (fast)",
        "one-hot @ W (the lecture)",
        "rows of W (E04)",
        "F.cross_entropy (E05)",
    ]
    assert method.value == "counts", "the URL keeps the short name"


def test_compare_says_which_run_the_nets_columns_are_and_how_it_ended():
    at = train(app({"tab": "Neural net"}), epochs=20, lr=0.001)
    at = train(at, epochs=20, lr=1e9)
    open_tab(at, "Compare")
    captions = " ".join(text(c) for c in at.caption)
    assert "The neural net's columns are run 1 (lr 0.001, 20 epochs): The data NLL barely moved" in captions, captions
    assert "Run 2: Training diverged at epoch" in captions, captions
