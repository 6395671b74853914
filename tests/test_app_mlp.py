"""The MLP through the page: trained in its tab, it is a model of the registry in Compare and
Score; the crossover tab's count columns are makemore.crossover.count_row's."""

import pytest

from makemore.crossover import count_row
from makemore.data import split
from makemore.table import nll, score
from service.runs import service
from tests.helpers.apptest import app, check, figure, nll_table, open_tab, tables, text
from ui.models import MODELS
from ui.text import fmt_nll

pytestmark = pytest.mark.app

MLP = MODELS["mlp"].label
SMALL = {"mlp_steps": 300, "mlp_init_fix": True}  # a few hundred steps: seconds


def train_mlp(at, **state):
    for key, value in {**SMALL, **state}.items():
        at.session_state["_kept"][key] = value
    open_tab(at, "MLP")
    at.button(key="train_mlp").click().run()
    run = at.session_state["_runs"].lanes["mlp"]
    assert service().wait(run, 120), f"the MLP's run did not end: {run.status} at step {run.epoch}"
    at.run()
    return check(at), run


def test_a_trained_mlp_is_in_compare_and_score(words):
    at, run = train_mlp(app({"tab": "MLP"}), mlp_context=4)
    assert run.status == "done", run.message
    assert run.trainer.config.context == 4 and run.epoch == 300
    assert any(text(s).startswith("Trained 300 steps: dev NLL") for s in at.success), [s.value for s in at.success]
    fig = figure(at, "mlp_loss")
    assert fig["layout"]["meta"] == "300/300"
    assert [p for t in fig["data"] if t.get("meta") == "dev" for p in t["x"]][:2] == [1, 15], "dev every 15 steps"
    assert figure(at, "mlp_embedding")["data"][0]["text"][:3] == [".", "a", "b"]
    table = run.table()
    assert table.k == 4 and table.P is None, "context 4: rows on demand"
    *_, test = split(words)
    open_tab(at, "Compare")
    nlls = nll_table(at)
    assert nlls["dev"][MLP] == fmt_nll(run.final_nll), "Compare's dev NLL is the run's own"
    assert nlls["test"][MLP] == fmt_nll(nll(table, test))
    assert nlls["train"][MLP] == fmt_nll(run.trainer.nll(run.final_state, "train"))
    heads = [m.value for m in at.markdown if m.value.startswith("**")]
    assert f"**{MLP}**" in heads, heads
    samples = tables(at)[heads.index(f"**{MLP}**")]  # one table of samples per model, in the same order
    assert len(samples) == 10 and all(r["name"] for r in samples.values())
    open_tab(at, "Score a name")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[MLP] == fmt_nll(score(table, "emma").nll)
    steps = tables(at)[0]
    mine = score(table, "emma").steps  # on its own context of 4: "....", "...e", ...
    assert [r[f"p ({MLP})"] for r in steps.values()] == [f"{x.p:.4f}" for x in mine]
    assert [r[f"−log p ({MLP})"] for r in steps.values()] == [f"{x.nll:.3f}" for x in mine]
    open_tab(at, "Sample step by step")  # the registry's models: the MLP draws Compare's first name
    at.multiselect(key="step_models").set_value(["counts", "mlp"]).run()
    for _ in range(len(samples["1"]["name"]) + 1):
        at.button(key="next_char").click().run()
    check(at)
    assert f"**{MLP}**" in [m.value for m in at.markdown]
    assert any(samples["1"]["name"] in m.value for m in at.markdown), "the MLP's first name, drawn step by step"


def test_a_net_run_and_an_mlp_run_go_on_side_by_side():
    at = app({"tab": "MLP"})
    for key, value in {**SMALL, "mlp_steps": 5000}.items():
        at.session_state["_kept"][key] = value
    at.run()
    at.button(key="train_mlp").click().run()
    mlp = at.session_state["_runs"].lanes["mlp"]
    at.sidebar.button(key="train").click().run()  # the net's Train
    net = at.session_state["_runs"].latest
    assert net is not mlp
    assert service().wait(net, 60) and net.status == "done", net.message
    assert mlp.status != "stopped", f"the net's run stopped the MLP's: {mlp.message}"
    service().stop(mlp)


def test_the_crossover_counts_are_count_row(words, vocab):
    at = app({"tab": "Crossover"})
    shown = tables(at)[0]
    train, dev, _ = split(words)
    for n in range(1, 9):
        row = count_row(train, dev, vocab, n)
        cells = shown[str(n)]
        assert cells["counts dev"] == f"{row['count_dev']:.4f}", n
        assert cells["counts train"] == f"{row['count_train']:.4f}", n
        assert cells["unseen dev"] == f"{row['unseen']:.1%}", n
        assert cells["table rows (V**n)"] == f"{27**n:,}", n
        assert cells["best s"] == f"{row['smoothing']:g}", n
        assert cells["MLP dev"] == "—"
    ys = next(t for t in figure(at, "crossover")["data"] if t["name"] == "counts: dev")["y"]
    assert ys.index(min(ys)) + 1 == 3, "on names.txt the counts are best at n = 3 and turn back up"


def test_the_crossover_trains_the_mlp_at_every_n():
    at = app({"tab": "Crossover"})
    for key, value in {"crossover_with": "this page's MLP settings", "mlp_steps": 200, "mlp_d": 2, "mlp_h": 10}.items():
        at.session_state["_kept"][key] = value
    at.run()
    at.button(key="train_crossover").click().run()
    lanes = at.session_state["_runs"].lanes
    runs = [lanes[f"crossover {n}"] for n in range(1, 9)]
    for run in runs:
        assert service().wait(run, 120), run.status
    at.run()
    check(at)
    shown = tables(at)[0]
    for n, run in zip(range(1, 9), runs, strict=True):
        assert run.trainer.config.context == n
        assert shown[str(n)]["MLP dev"] == f"{run.final_nll:.4f}", n
    fig = figure(at, "crossover")
    assert next(t for t in fig["data"] if t.get("meta") == "mlp_dev")["x"] == list(range(1, 9))
    anchors = next(t for t in fig["data"] if t.get("meta") == "anchors")
    assert "2.1118" in anchors["text"][0] and "its own split" in anchors["hovertext"][0]


def test_the_crossover_runs_stop_with_one_click_and_finished_ones_keep_their_figures():
    at = app({"tab": "Crossover"})
    for key, value in {"crossover_with": "this page's MLP settings", "mlp_steps": 20_000, "mlp_d": 2}.items():
        at.session_state["_kept"][key] = value
    at.run()
    at.button(key="train_crossover").click().run()
    runs = [at.session_state["_runs"].lanes[f"crossover {n}"] for n in range(1, 9)]
    assert any(r.active for r in runs)
    at.button(key="stop_crossover").click().run()
    for run in runs:
        assert service().wait(run, 30), run.status
    assert {r.status for r in runs} <= {"stopped", "done"} and "stopped" in {r.status for r in runs}
    check(at)
