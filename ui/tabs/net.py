"""Neural net: train W by gradient descent with a live loss curve, then compare softmax(W) with the counts."""

from __future__ import annotations

import functools
import time
import uuid

import streamlit as st

from makemore import plots
from makemore.counts import examples
from makemore.export import weights_json
from makemore.neural import TrainingDiverged, check_cost, train
from ui.components import plotly_view, spec
from ui.corpus import Corpus
from ui.models import count_model, net_run, net_table, run_key, slice_rows, split_nlls
from ui.sidebar import ANIMATE_SECONDS
from ui.state import Settings
from ui.text import fmt_nll, literal, sentence

LIVE_FPS = 30  # loss-curve updates per second while training


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
    elif run is None:
        status.info(hint)
        with chart:
            plotly_view(plots.loss_curve([], s.epochs, floor), key="loss")
    else:
        with chart:
            plotly_view(loss_spec(run, floor), key="loss")
    if run is not None:
        show_status(s, corpus, run, status, floor)
    return run


def loss_spec(run: dict, floor: float) -> dict:
    """The loss figure of a run; its layout is built once per run, each update refills the curve
    and widens the y range to hold every finite point."""
    nlls = [r.nll for r in run["records"]]
    if run.get("_floor") != floor or "_base" not in run:  # the floor moves with the smoothing
        run["_base"], run["_floor"] = spec(plots.loss_curve([], run["config"].epochs, floor, run.get("stop"))), floor
    base = run["_base"]
    fig = {**base, "data": [dict(base["data"][0], x=list(range(1, len(nlls) + 1)), y=nlls), *base["data"][1:]]}
    yaxis = {**base["layout"]["yaxis"], **plots.loss_axis(nlls, floor)}
    fig["layout"] = {**base["layout"], "yaxis": yaxis, "meta": f"{len(nlls)}/{run['config'].epochs}"}
    return fig


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
    st.session_state["run"] = run
    N = corpus.counts(k, part)
    t0 = time.perf_counter()
    other = 0.0  # seconds spent drawing and pacing, not training
    try:
        check_cost(config.method, int(N.sum()), *N.shape)  # before the examples are even built
        xs, ys = examples(corpus.parts[part], corpus.vocab, k) if config.method != "counts" else (None, None)
        bar = status.progress(0.0, text="training…")
        t0 = last_draw = time.perf_counter()
        for record, W in train(N, config, xs, ys):
            t1 = time.perf_counter()
            run["records"].append(record)
            run["W"] = W
            if s.animate:  # pace a fast run so the curve can be watched
                time.sleep(max(0.0, t0 + ANIMATE_SECONDS * record.epoch / config.epochs - t1))
            if time.perf_counter() - last_draw >= 1 / LIVE_FPS or record.epoch == config.epochs:
                last_draw = time.perf_counter()
                with chart:
                    plotly_view(loss_spec(run, floor), key="loss", again=True)
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
