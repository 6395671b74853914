"""The Streamlit page through AppTest, by widget key: every control changes what it should."""

import math

import pytest

from makemore.counts import count_matrix, fit_counts
from makemore.table import nll
from tests.helpers.apptest import (
    app,
    check,
    count_nlls,
    curve,
    figure,
    nll_table,
    open_tab,
    sample_names,
    text,
    trace,
    train,
    widget,
)
from ui.models import MODELS

pytestmark = pytest.mark.app

# every model of the registry, each in Compare once trained (the MLP's own tests train it: test_app_mlp.py)
LABELS = {m.label for name, m in MODELS.items() if name != "mlp"}


def test_defaults_reproduce_the_lecture(words, vocab):
    at = app()
    check(at)
    assert not at.error, [text(e) for e in at.error]
    z = figure(at, "heatmap")["z"]
    assert z == count_matrix(words, vocab).tolist()  # the lecture's counts, cell by cell
    cells = figure(at, "heatmap")
    assert cells["y"][1] + cells["x"][14] == "an"  # row "a", column "n"
    assert cells["count"][1][14] == z[1][14]
    assert cells["p"][1][14] == pytest.approx(fit_counts(words, vocab).P[1, 14].item(), abs=1e-6)
    nlls = count_nlls(at)
    assert float(nlls["all"]) == pytest.approx(nll(fit_counts(words, vocab), words), abs=1e-4)
    assert at.query_params["smoothing"] == "1.0"
    assert at.query_params["seed"] == "2147483647"
    open_tab(at, "Neural net")
    assert len(curve(at)) == 0  # nothing trains by itself


def test_smoothing_changes_heatmap_and_nll():
    at = app(view="probabilities")
    before_z, before_nll = figure(at, "heatmap")["z"], count_nlls(at)["dev"]
    widget(at, "smoothing").set_value(100.0)
    at.run()
    assert figure(at, "heatmap")["z"] != before_z
    assert float(count_nlls(at)["dev"]) > float(before_nll)
    assert at.query_params["smoothing"] == "100.0"
    widget(at, "smoothing").set_value(0.0)
    at.run()
    check(at)
    assert count_nlls(at)["all"] != before_nll


def test_view_switches_to_log_probabilities():
    at = app(view="log-probabilities")
    z = figure(at, "heatmap")["z"]
    assert all(v <= 0 for row in z for v in row)
    assert math.exp(z[0][1]) == pytest.approx(figure(app(view="probabilities"), "heatmap")["z"][0][1], rel=1e-4)


def test_seed_and_temperature_change_the_samples():
    at = app({"tab": "Compare"})
    first = sample_names(at)
    assert first[:5] == ["cexze", "momasurailezitynn", "konimittain", "llayn", "ka"]  # torch 2.13, lecture loop
    widget(at, "seed").set_value(42)
    at.run()
    assert sample_names(at) != first
    widget(at, "n_samples").set_value(25)
    at.run()
    assert len(sample_names(at)) == 25


def test_temperature_fit_on_lr_and_reg_each_change_what_they_should():
    at = app({"tab": "Compare"})
    names = sample_names(at)
    widget(at, "temperature").set_value(0.1)
    at.run()
    cold = sample_names(at)
    assert cold != names  # near-greedy: few distinct names
    assert len(set(cold)) < len(set(names))
    nll_all = nll_table(at)["dev"]["count model"]
    widget(at, "fit_on").set_value("train split")
    at.run()
    assert nll_table(at)["dev"]["count model"] != nll_all  # refit on 80% of the words
    base = curve(train(at, epochs=5))
    for change in ({"lr": 10.0}, {"lr": 50.0, "reg": 1.0}):
        y = curve(train(at, epochs=5, **change))
        # same seed, same first forward pass; the learning rate and the penalty change every update
        assert y[0] == pytest.approx(base[0])
        assert all(a != b for a, b in zip(y[1:], base[1:], strict=True))


def test_epochs_sets_the_curve_length_and_training_is_reproducible():
    at = train(app(), epochs=7)
    assert len(curve(at)) == 7
    first = curve(at)
    train(at, epochs=7)
    assert curve(at) == first  # same seed, same run
    assert at.success
    assert "7 epochs" in text(at.success[0])


@pytest.mark.parametrize("method", ["counts", "onehot", "index", "cross_entropy"])
def test_each_method_converges_near_the_count_model(method):
    at = train(app(), epochs=100, method=method)
    y = curve(at)
    floor = trace(figure(at, "loss"), "floor")["y"][0]
    assert len(y) == 100
    assert y[-1] == pytest.approx(floor, abs=0.05)
    assert y[0] > 3.5
    open_tab(at, "Compare")
    assert "neural net" in nll_table(at)["dev"]  # the compare table gains the net's column


def test_diverging_learning_rate_shows_a_message_and_keeps_the_page():
    at = train(app(), epochs=200, lr=500_000.0)
    assert at.error
    assert "diverged at epoch" in text(at.error[0])
    assert "smaller learning rate" in text(at.error[0])
    assert figure(open_tab(at, "Counts"), "heatmap")  # the rest of the page still works


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "empty"),
        (bytes(range(256)) * 64, "binary"),
        (b"emma\nj.r.\n", "line 2"),
        (b"a" * 1000 + b"\n", "limit"),
    ],
)
def test_bad_upload_shows_an_error_and_the_page_keeps_working(content, needle):
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload("bad.txt", content, "text/plain").run()
    check(at)
    assert any(needle in e.value for e in at.error)
    assert figure(at, "heatmap")["z"]  # falls back to names.txt
    widget(at, "smoothing").set_value(10.0)
    at.run()
    check(at)
    assert at.query_params["smoothing"] == "10.0"


def test_good_upload_is_used():
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload("pets.txt", b"rex\r\nfido\nbuddy\n", "text/plain").run()
    check(at)
    assert not at.error, [text(e) for e in at.error]
    assert figure(at, "heatmap")["x"] == [".", "b", "d", "e", "f", "i", "o", "r", "u", "x", "y"]
    at.file_uploader(key="upload").upload("pairs.txt", "mary ann\nzoë\n".encode(), "text/plain").run()
    check(at)
    assert not at.error, [text(e) for e in at.error]
    assert figure(at, "heatmap")["x"] == [".", "␣", "a", "m", "n", "o", "r", "y", "z", "ë"]


def test_a_one_word_upload_fit_on_the_empty_train_split():
    at = app({"dataset": "upload", "fit_on": "train split"})
    at.file_uploader(key="upload").upload("one.txt", b"bob\n", "text/plain").run()
    assert count_nlls(at)["train"] == "— (no words)"
    train(at, epochs=5)
    check(at)
    assert at.error
    assert "No examples to train on" in text(at.error[0])
    widget(at, "context").set_value(2)  # the trigram path over the same empty split
    open_tab(at, "Counts")
    assert not at.error  # the slice after '.'
    assert figure(at, "heatmap")["y"] == ["..", ".b", ".o"]


def test_ssa_year_dataset():
    at = app({"dataset": "SSA year", "year": "1950", "sex": "girls"})
    assert not at.error
    assert "SSA 1950, girls" in text(at.caption[0])


def test_url_restores_settings():
    query = {"smoothing": "10.0", "seed": "7", "context": "2", "epochs": "300", "method": "index", "name": "ava"}
    at = app({**query, "tab": "Score a name"})
    assert widget(at, "smoothing").value == 10.0
    assert widget(at, "seed").value == 7
    assert widget(at, "epochs").value == 300
    assert widget(at, "method").value == "index"
    assert widget(at, "context").value == 2
    assert widget(at, "name").value == "ava"
    assert not [w for w in at.sidebar.warning if "Link" in w.value]
    assert at.query_params["tab"] == "Score a name"
    assert at.query_params["seed"] == "7"


@pytest.mark.parametrize(
    "query",
    [
        {"smoothing": "-3"},
        {"smoothing": "abc"},
        {"epochs": "100000"},
        {"seed": "1e400"},
        {"context": "5"},
        {"method": "adam"},
        {"lr": "nan"},
        {"year": "1700", "dataset": "SSA year"},
        {"slice": "toolong", "context": "2"},
    ],
)
def test_bad_url_values_fall_back_with_a_note(query):
    at = app(query)
    check(at)
    assert at.sidebar.warning
    assert next(iter(query)) in text(at.sidebar.warning[0])
    key = next(iter(query))
    assert (
        widget(at, key).value
        == {
            "smoothing": 1.0,
            "epochs": 100,
            "seed": 2147483647,
            "context": 1,
            "method": "counts",
            "lr": 50.0,
            "year": 2017,
            "slice": ".",
        }[key]
    )


def test_trigram_end_to_end(words, vocab):
    at = app(context=2)
    check(at)
    z = figure(at, "heatmap")["z"]
    N = count_matrix(words, vocab, 2)
    assert z == N[:27].tolist()  # the slice of contexts starting with '.'
    widget(at, "slice").set_value("e")
    at.run()
    assert figure(at, "heatmap")["z"] == N[5 * 27 : 6 * 27].tolist()
    train(at, epochs=5)
    assert len(curve(at)) == 5
    assert not at.error


def test_score_a_name_and_unknown_character():
    at = app({"tab": "Score a name", "name": "emma"})
    fig = figure(at, "score_bars")
    assert fig["layout"]["xaxis"]["ticktext"] == [".→e", "e→m", "m→m", "m→a", "a→."]
    assert fig["data"][0]["x"] == [1, 2, 3, 4, 5]
    widget(at, "name").set_value("zoë")
    at.run()
    check(at)
    assert at.warning
    assert "'ë' is not in the vocabulary" in text(at.warning[0])


def test_step_sampler_draws_the_same_names_as_the_sampler():
    at = app({"tab": "Compare"})
    expected = sample_names(at)[0]  # "cexze"
    open_tab(at, "Sample step by step")
    for _ in range(len(expected) + 1):
        at.button(key="next_char").click().run()
    check(at)
    assert f"Finished: {expected}" in " ".join(text(m) for m in at.markdown)
    assert figure(at, "step_row")["data"][0]["marker"]["color"][0] == "#ff7f0e"  # '.' drawn last, highlighted


def test_step_by_step_samples_the_net_beside_the_counts_on_the_same_seed():
    at = train(app({"tab": "Compare"}), epochs=30)
    open_tab(at, "Compare")
    counts_name, net_name = sample_names(at, 0)[0], sample_names(at, 1)[0]
    open_tab(at, "Sample step by step")
    assert at.multiselect(key="step_models").value == ["counts", "net"], "both, once the net is trained"
    for _ in range(max(len(counts_name), len(net_name)) + 1):
        at.button(key="next_char").click().run()
    shown = [text(m) for m in at.markdown if text(m).startswith("Finished")]
    assert shown[0].startswith(f"Finished: {counts_name}") and shown[1].startswith(f"Finished: {net_name}"), shown
    assert figure(at, "step_row_net")["data"], "the net's row, drawn beside the counts'"


def test_earlier_runs_stay_on_the_chart_labelled_by_what_differed_and_clear_in_one_click(words, vocab):
    import torch

    from makemore.neural import TrainConfig
    from makemore.neural import train as train_net
    from makemore.table import nll_counts

    at = app()
    curves = {}
    for lr in (1.0, 10.0, 50.0):
        curves[lr] = curve(train(at, epochs=5, lr=lr))
    fig = figure(at, "loss")
    names = [t["name"] for t in fig["data"]]
    assert names[:2] == ["run 1: lr 1", "run 2: lr 10"], names
    assert [t["y"] for t in fig["data"][:2]] == [curves[1.0], curves[10.0]]
    assert trace(fig, "run")["y"] == curves[50.0]
    ys = [y for t in fig["data"] for y in t["y"]]
    assert fig["layout"]["yaxis"]["range"][0] <= min(ys)
    assert max(ys) <= fig["layout"]["yaxis"]["range"][1], "every run's points are on the chart"
    # the Compare tab lists them, each with its own W's NLL
    open_tab(at, "Compare")
    nlls = nll_table(at)
    assert set(nlls["dev"]) == {*LABELS, "run 1 (lr 1)", "run 2 (lr 10)"}
    N = count_matrix(words, vocab)
    *_, (_, W) = train_net(N, TrainConfig(epochs=5, lr=10.0, reg=0.01, seed=2147483647, method="counts"))
    assert float(nlls["all"]["run 2 (lr 10)"]) == pytest.approx(nll_counts(torch.softmax(W, 1), N), abs=1e-4)
    assert nlls["all"]["run 1 (lr 1)"] != nlls["all"]["run 2 (lr 10)"]
    # one click clears them
    open_tab(at, "Neural net")
    at.button(key="clear_runs").click().run()
    check(at)
    assert [t["meta"] for t in figure(at, "loss")["data"]] == ["run", "floor"]
    open_tab(at, "Compare")
    assert set(nll_table(at)["dev"]) == LABELS


def test_the_chart_keeps_the_last_five_earlier_runs():
    at = app()
    for seed in range(1, 8):
        train(at, epochs=3, seed=seed)
    names = [t["name"] for t in figure(at, "loss")["data"] if t.get("meta") not in ("run", "floor")]
    assert names == [f"run {n}: seed {n}" for n in range(2, 7)], names
