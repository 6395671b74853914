"""Neural net: train W by gradient descent with a live loss curve, then compare softmax(W) with the counts."""

from __future__ import annotations

import functools
import time
import uuid

import streamlit as st
import torch

from makemore import plots
from makemore.counts import examples
from makemore.export import weights_json
from makemore.neural import TrainingDiverged, check_cost, train
from makemore.table import nll_counts
from ui.components import plotly_view, spec
from ui.corpus import Corpus
from ui.models import PARTS, count_model, net_run, net_table, run_key, slice_rows, split_nlls
from ui.sidebar import ANIMATE_SECONDS
from ui.state import Settings
from ui.text import fmt_nll, literal, sentence

LIVE_FPS = 20  # messages per second with new points while training (the page animates between them)
PROGRESS_FPS = 5
FIGURE_GAP = 0.08  # s between a run's empty figure and its first points: the page renders only the latest of
#                    two messages that arrive together  # updates of the progress bar's text
EARLIER = 5  # earlier runs drawn beneath the latest one
LOST = (
    "The training run this page was showing is lost: the server it ran on went away (or this link "
    "was copied during a run). Your settings are back; press **Train** to run it again."
)


def show(s: Settings, corpus: Corpus) -> None:
    hint = "Press **Train** in the sidebar to train the net; the loss curve is drawn live."
    run = loss_panel(s, corpus, bool(st.session_state.get("train")), hint)
    show_matrices(s, corpus, run)


def loss_panel(s: Settings, corpus: Corpus, pressed: bool, hint: str) -> dict | None:
    """The status line and the loss curve: a new run when Train was pressed, else the latest one
    (or an empty chart and the hint). Returns the latest run. The lecture's step 10 uses it too."""
    floor = split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)[s.fit_part]
    run = st.session_state.get("run")  # the latest attempt, finished or not
    if run and run["status"] == "running":  # a rerun (a widget changed) ended the loop mid-way
        run["status"] = "stopped"
    status, chart = st.empty(), st.empty()
    if pressed:
        run = start_run(s, corpus, status, chart, floor)
    elif run is None and st.session_state.pop("_lost_run", False):
        status.warning(LOST)
        with chart:
            plotly_view(plots.loss_curve([], s.epochs, floor), key="loss")
    elif run is None:
        status.info(hint)
        with chart:
            plotly_view(plots.loss_curve([], s.epochs, floor), key="loss")
    else:
        with chart:
            plotly_view(loss_spec(run, floor), key="loss")
    if run is not None:
        show_status(s, corpus, run, status, floor)
        if earlier_runs(run):
            st.button(
                "Clear earlier runs",
                key="clear_runs",
                on_click=clear_runs,
                help="the fainter curves: the session's last runs on this data",
            )
    return run


def earlier_runs(run: dict) -> list[tuple[str, list[float]]]:
    """The session's earlier finished runs on the same data (at most EARLIER), each labelled with
    what differed from `run`, oldest first."""
    same = [r for r in st.session_state.get("runs", []) if r["id"] != run["id"] and r["key"] == run["key"]]
    return [(f"run {r['n']}: {difference(r['config'], run['config'])}", r["nlls"]) for r in same[-EARLIER:]]


def difference(old, new) -> str:
    """What an earlier run's settings were where they differ from the new run's: "lr 10, reg 0.1"."""
    names = {"lr": "lr", "reg": "reg", "method": "", "epochs": "epochs", "seed": "seed"}
    parts = [
        f"{label} {getattr(old, f):g}" if label and f != "method" else str(old.method)
        for f, label in names.items()
        if getattr(old, f) != getattr(new, f)
    ]
    return ", ".join(parts) if parts else "same settings"


def remember(run: dict, corpus: Corpus) -> None:
    """Keep a finished run for the chart and the Compare tab: its curve and its NLL per split."""
    runs = [r for r in st.session_state.get("runs", []) if r["id"] != run["id"]]
    P = torch.softmax(run["W"], dim=1)
    k, part = run["config_k"], run["part"]
    splits = {p: nll_counts(P, corpus.counts(k, p)) for p in PARTS}
    n = st.session_state["run_count"] = st.session_state.get("run_count", 0) + 1
    runs.append(
        {
            "id": run["id"],
            "n": n,  # the run's number in this session: its label on the chart and in Compare
            "key": run["key"],
            "config": run["config"],
            "nlls": [r.nll for r in run["records"]],
            "splits": splits,
            "fit": part,
        }
    )
    st.session_state["runs"] = runs[-(EARLIER + 1) :]


def clear_runs() -> None:
    """Forget every run but the latest (the Clear button)."""
    latest = st.session_state.get("run")
    st.session_state["runs"] = [r for r in st.session_state.get("runs", []) if latest and r["id"] == latest["id"]]


def loss_spec(run: dict, floor: float, live: bool = False) -> dict:
    """The loss figure of a run, its earlier runs beneath; the layout is built once per run (and
    again when the floor or the earlier runs change), each update refills the curve and widens
    the y range to hold every finite point. live=True: an empty curve the page draws itself."""
    nlls = [] if live else [r.nll for r in run["records"]]
    earlier = earlier_runs(run)
    base_key = (floor, tuple(label for label, _ in earlier), len(earlier), run.get("stop"))
    if run.get("_base_key") != base_key:  # the floor moves with the smoothing
        fig = plots.loss_curve([], run["config"].epochs, floor, run.get("stop"), earlier)
        run["_base"], run["_base_key"] = spec(fig), base_key
    base = run["_base"]
    data = [dict(t, x=list(range(1, len(nlls) + 1)), y=nlls) if t.get("meta") == "run" else t for t in base["data"]]
    yaxis = {**base["layout"]["yaxis"], **plots.loss_axis([*nlls, *plots.extent(earlier)], floor)}
    meta = f"{len(run['records'])}/{run['config'].epochs}"
    fig = {**base, "data": data, "layout": {**base["layout"], "yaxis": yaxis, "meta": meta}}
    return {**fig, "live": run["id"]} if live else fig


def loss_delta(run: dict, floor: float, start: int, earlier: list[float]) -> dict:
    """The points of a run from epoch index `start` on, and the y axis that holds them all and
    `earlier` (the earlier runs' extent, found once per run: this runs 20 times a second)."""
    nlls = [r.nll for r in run["records"]]
    axis = plots.loss_axis([*nlls, *earlier], floor)
    return {"delta": {"run": run["id"], "from": start, "y": nlls[start:], "axis": axis}}


def start_run(s: Settings, corpus: Corpus, status, chart, floor: float) -> dict:
    """Train in this script run, streaming the curve; the run lives in session_state throughout,
    so a rerun that cuts the loop short (a widget changed) finds it and reports it as stopped."""
    config, k, part = s.train_config, s.context, s.fit_part
    run = {
        "id": uuid.uuid4().hex,  # names this run in the samples cache
        "key": run_key(s, corpus),
        "config": config,
        "records": [],
        "status": "running",
        "W": None,
        "message": "",
        "stop": None,  # the epoch a diverged run left at
        "seconds": 0.0,
    }
    run["config_k"], run["part"] = k, part
    st.session_state["run"] = run
    # in the address bar while it runs (the next run's URL drops it): a page that reconnects to
    # another server (its own went away) brings it along, and that server can say the run is lost
    st.query_params["run"] = run["id"][:8]
    N = corpus.counts(k, part)
    t0 = time.perf_counter()
    other = 0.0  # seconds spent drawing and pacing, not training
    try:
        check_cost(config.method, int(N.sum()), *N.shape)  # before the examples are even built
        xs, ys = examples(corpus.parts[part], corpus.vocab, k) if config.method != "counts" else (None, None)
        bar = status.progress(0.0, text="training…")
        with chart:  # the figure once; then only new points (the page animates them)
            plotly_view(loss_spec(run, floor, live=True), key="loss", again=True)
        time.sleep(FIGURE_GAP)  # so the page renders the figure before the first points replace it
        t0 = last_draw = last_bar = time.perf_counter()
        starts = [0, 0]  # where the last two updates began: each repeats the previous one's points
        earlier = plots.extent(earlier_runs(run))
        for record, W in train(N, config, xs, ys):
            t1 = time.perf_counter()
            run["records"].append(record)
            run["W"] = W
            if s.animate:  # pace a fast run so the curve can be watched
                time.sleep(max(0.0, t0 + ANIMATE_SECONDS * record.epoch / config.epochs - t1))
            last = record.epoch == config.epochs
            if time.perf_counter() - last_draw >= 1 / LIVE_FPS or last:
                last_draw = time.perf_counter()
                with chart:
                    plotly_view(loss_delta(run, floor, starts[0], earlier), key="loss", again=True)
                starts = [starts[1], len(run["records"])]
            if time.perf_counter() - last_bar >= 1 / PROGRESS_FPS or last:
                last_bar = time.perf_counter()
                bar.progress(
                    record.epoch / config.epochs, f"epoch {record.epoch}/{config.epochs}, NLL {record.nll:.4f}"
                )
            other += time.perf_counter() - t1
        run["W"] = run["W"].detach().clone()
        run["status"] = "done"
    except TrainingDiverged as e:
        run.update(status="failed", message=str(e), W=None, stop=e.epoch)
        run.pop("_base", None)  # redraw with the marker at the epoch it left
    except ValueError as e:  # too big for memory, or nothing to train on
        run.update(status="failed", message=str(e), W=None)
    run["seconds"] = time.perf_counter() - t0 - other
    if run["status"] == "done":
        st.session_state["net"] = run  # the tables of the other tabs follow the last finished run
        remember(run, corpus)
        st.rerun()  # redraw the page so every tab sees the trained net
    with chart:
        plotly_view(loss_spec(run, floor), key="loss", again=True)
    return run


def describe(config) -> str:
    return f"lr {config.lr:g}, reg {config.reg:g}, {config.epochs} epochs, {config.method}, seed {config.seed}"


def show_status(s: Settings, corpus: Corpus, run: dict, status, floor: float) -> None:
    cfg, records = run["config"], run["records"]
    if run["status"] == "failed":
        text = literal(sentence(run["message"][:1].upper() + run["message"][1:]))
        if run["stop"] is not None:
            text += f" The curve shows the {len(records)} finite epochs before it left."
        status.error(text)
        return
    if run["status"] == "stopped":
        status.warning(
            f"Training stopped at epoch {len(records)} of {cfg.epochs} because a setting changed; "
            "press **Train** to run it again."
        )
        return
    first, last = records[0], records[-1]
    if last.nll > first.nll:  # the descent went uphill: the step is too large
        status.warning(
            f"Trained {cfg.epochs} epochs, but the data NLL rose from {first.nll:.4f} to {last.nll:.4f}: "
            f"the learning rate {cfg.lr:g} is too large for this loss; try a smaller one."
        )
    elif run["key"] != run_key(s, corpus) or cfg != s.train_config:
        status.info("The settings changed since this run; press **Train** to train with the new ones.")
    else:
        status.success(
            f"Trained {cfg.epochs} epochs ({cfg.method}) in {run['seconds'] * 1000:.0f} ms: "
            f"data NLL {last.nll:.4f}, total {last.total:.4f}; the count model's NLL is {fmt_nll(floor)}."
        )


def show_matrices(s: Settings, corpus: Corpus, latest: dict | None) -> None:
    """softmax(W) beside the count model's P and their difference, square and labelled."""
    net, table = net_run(s, corpus), net_table(s, corpus)
    if table is None:
        return
    if latest is not net:
        st.caption(f"Below: the last run that finished ({literal(describe(net['config']))}).")
    counts = count_model(s, corpus)
    prefix, rows = slice_rows(s, corpus)
    c1, c2 = st.columns(2)
    with c1:
        plotly_view(plots.matrix(table.P[rows], corpus.vocab, "neural net: softmax(W)", prefix=prefix), key="net_P")
    with c2:
        title = f"count model: P (s = {s.smoothing:g})"
        plotly_view(plots.matrix(counts.P[rows], corpus.vocab, title, prefix=prefix), key="count_P")
    c3, c4 = st.columns(2)
    with c3:
        diff = table.P[rows] - counts.P[rows]
        fig = plots.matrix(diff, corpus.vocab, "difference: net − counts", diverging=True, prefix=prefix)
        plotly_view(fig, key="diff_P")
    with c4:
        gap = float((table.P - counts.P).abs().max())
        st.markdown(
            f"The largest difference between the two tables is **{gap:.4f}**. Gradient descent on the NLL "
            "fills the same table the counts fill; the L2 penalty on W pulls each row towards uniform, "
            "as smoothing does."
        )
        weights = functools.partial(weights_json, net["W"], table)
        st.download_button("Trained W (JSON)", weights, "W.json", "application/json", key="dl_W")
