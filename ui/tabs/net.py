"""Neural net: train W by gradient descent with a live loss curve, then compare softmax(W) with the counts.

The run executes in the process's run service; this tab starts, pauses, steps and stops it and
draws its chart, whose points come over the app's live route (service/live/points.py) while it trains.
"""

from __future__ import annotations

import functools
import math

import streamlit as st

from makemore import plots
from makemore.export import weights_json
from makemore.neural import loop_source
from service.runs import Run, service
from ui.components import plotly_view, spec
from ui.models import slice_rows, split_nlls
from ui.page import Page
from ui.params import METHOD_NAMES
from ui.runs import PACES, data_key, pace_rate
from ui.text import fmt_nll, literal, sentence

LOST = (
    "The training run this page was showing is lost: the server it ran on went away (or this link "
    "was copied during a run). Your settings are back; press **Train** to run it again."
)


def show(page: Page) -> None:
    hint = "Press **Train** in the sidebar to train the net; the loss curve is drawn live."
    run = loss_panel(page, bool(st.session_state.get("train")), hint)
    show_code(page.settings)
    show_matrices(page, run)


def show_code(s) -> None:
    """The lines a run executes each epoch for the chosen method: the engine's own source
    (makemore/neural.py), with this page's learning rate and regularization written in."""
    code = loop_source(s.method).replace("config.reg", f"{float(s.reg):g}").replace("config.lr", f"{float(s.lr):g}")
    with st.expander(f"The code each epoch runs ({METHOD_NAMES[s.method]})"):
        st.code(code, language="python")
        st.caption(
            "From makemore/neural.py: `data_nll` for the method, then `train`'s step. W starts as "
            f"torch.randn((V, V), generator=g) with seed {s.seed}; a plain lecture loop written in the "
            "tests gives the same losses to 1e-4."
        )


def loss_panel(page: Page, pressed: bool, hint: str, key: str = "loss", one_nll: bool = False) -> Run | None:
    """The status line, the run's controls and the loss curve: a new run when Train was pressed,
    else the latest one (or an empty chart and the hint). Returns the latest run. The lecture's
    step 10 uses it too, with `one_nll`: the trained table's NLL alone, as a class reads it."""
    s, corpus, runs = page.settings, page.corpus, page.runs
    floor = split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)[s.fit_part]
    if pressed:
        runs.start(s, corpus)
    run = runs.latest
    # the same elements in every state (idle, training, paused, ended): nothing moves when a run
    # starts or ends, and the page's status line over the chart says where the run is
    controls(run, key)
    if run is None:
        fig = spec(plots.loss_curve([], s.epochs, floor))
        fig["summary"] = {"status": "idle", "message": "Press Train to train the net." if not runs.lost else ""}
        # a follower has no Train button: the curve comes when the lecturer trains
        waiting = {**fig, "summary": {"status": "idle", "message": "The curve draws here when the lecturer trains."}}
        plotly_view(fig, key=key, followers=waiting)
        st.warning(LOST) if runs.lost else st.info(hint)
        return None
    plotly_view(loss_spec(page, run, floor), key=key, on_ended=True)
    if not run.active:
        show_status(page, run, floor, one_nll)
    if runs.earlier(run):
        st.button(
            "Clear earlier runs",
            key="clear_runs",
            on_click=runs.clear,
            help="the fainter curves: the session's last runs on this data",
        )
    return run


STEP_HELP = "pause, then take one gradient step: the curve and W move by one epoch"


def controls(run: Run | None, key: str, step: str = "One epoch", step_help: str = STEP_HELP) -> None:
    """Pause / Resume, one step (labelled `step`), Stop and the pace of the run that is going
    (disabled when none is). Each is a click and a rerun, which the run does not notice."""
    svc, going = service(), run is not None and run.active
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1.6], vertical_alignment="bottom")
    if going and run.status == "paused":
        c1.button("Resume", key=f"resume_{key}", on_click=svc.resume, args=(run,), width="stretch")
    else:
        c1.button("Pause", key=f"pause_{key}", on_click=svc.pause, args=(run,), width="stretch", disabled=not going)
    c2.button(
        step,
        key=f"step_{key}",
        on_click=svc.step,
        args=(run,),
        width="stretch",
        disabled=not going,
        help=step_help,
    )
    c3.button("Stop", key=f"stop_{key}", on_click=svc.stop, args=(run,), width="stretch", disabled=not going)
    labels, pace_key = list(PACES), f"pace_{key}"
    if going:  # the box shows the pace of the run that is going
        now = next((n for n in labels if pace_rate(PACES[n], run.epochs) == run.pace), labels[0])
        if st.session_state.get(f"_{pace_key}_run") != run.id:
            st.session_state[pace_key], st.session_state[f"_{pace_key}_run"] = now, run.id
    c4.selectbox(
        "Pace",
        labels,
        key=pace_key,
        disabled=not going,
        on_change=lambda: going and svc.set_pace(run, pace_rate(PACES[st.session_state[pace_key]], run.epochs)),
    )


def difference(old, new) -> str:
    """What an earlier run's settings were where they differ from the new run's: "lr 10, reg 0.1"."""
    names = {"lr": "lr", "reg": "reg", "method": "", "epochs": "epochs", "seed": "seed"}
    parts = [
        f"{label} {getattr(old, f):g}" if label and f != "method" else str(old.method)
        for f, label in names.items()
        if getattr(old, f) != getattr(new, f)
    ]
    return ", ".join(parts) if parts else "same settings"


def earlier_curves(page: Page, run: Run) -> list[tuple[str, list[float]]]:
    """The earlier runs on the same data, each labelled with what differed from `run`."""
    return [(f"run {r.n}: {difference(r.config, run.config)}", r.nlls) for r in page.runs.earlier(run)]


def loss_spec(page: Page, run: Run, floor: float) -> dict:
    """The loss figure of a run with its earlier runs beneath. A run that is going is drawn with
    its points so far, and `live` tells the page where the rest comes from."""
    earlier = earlier_curves(page, run)
    run.chart = {"floor": floor, "earlier": plots.extent(earlier)}  # what the live route's y axis holds
    nlls = run.nlls
    stop = run.diverged_at
    fig = spec(plots.loss_curve(nlls, run.epochs, floor, stop, earlier))
    if run.active:
        fig["live"] = {"run": run.id, "from": len(nlls), "epochs": run.epochs, "status": run.status}
    else:  # the status line keeps its place: what the run came to, in the run's words
        last = run.final_nll if run.final_nll is not None else run.records[-1].nll if run.records else None
        nll = last if last is None or math.isfinite(last) else None
        fig["summary"] = {"status": run.status, "epoch": run.epoch, "epochs": run.epochs, "nll": nll}
        fig["summary"]["message"] = run.message
    return fig


def describe(config) -> str:
    return f"lr {config.lr:g}, reg {config.reg:g}, {config.epochs} epochs, {config.method}, seed {config.seed}"


def show_status(page: Page, run: Run, floor: float, one_nll: bool = False) -> None:
    """How the run ended: its outcome's words (the status line over the chart says the same), and
    what the numbers beside it are (`one_nll`: not the curve's last point beside the table's)."""
    s, corpus, records = page.settings, page.corpus, run.records
    if run.status == "stopped":
        at = f" The data NLL was {fmt_nll(records[-1].nll)} at that epoch." if records else ""
        st.warning(
            f"Training stopped at epoch {len(records)} of {run.epochs}: {literal(run.message)}.{at} "
            "Press **Train** to run it again."
        )
        return
    o = run.outcome
    if o is None or o.kind == "diverged":  # refused before it ran, an error, or no model came of it
        text = literal(sentence(run.message[:1].upper() + run.message[1:]))
        if run.diverged_at is not None:
            text += f" The curve shows the {len(records)} finite epochs before it left."
        st.error(text)
        return
    text = literal(o.words)
    if run.config is not None:
        text += f" ({literal(describe(run.config))}; {run.seconds * 1000:.0f} ms of training.)"
    text += f" The count model's NLL is {fmt_nll(floor)}."
    last = records[-1].nll
    if not one_nll and f"{last:.4f}" != f"{run.final_nll:.4f}":
        text += (
            f" The curve's last point, {last:.4f}, is the loss before the last update; "
            f"{run.final_nll:.4f} is the trained table's, after it."
        )
    (st.success if o.kind == "trained" else st.warning)(text)
    if run.data != data_key(s, corpus) or run.config != s.train_config:
        st.info("The settings changed since this run; press **Train** to train with the new ones.")


def show_matrices(page: Page, latest: Run | None) -> None:
    """softmax(W) beside the count model's P and their difference, square and labelled. A paused
    run shows its W as it is now, so one step's change can be seen."""
    s, corpus = page.settings, page.corpus
    paused = latest is not None and latest.status == "paused" and latest.state is not None
    table = latest.current_table() if paused else page.tables.get("net")
    if table is None:
        return
    net = latest if paused else page.runs.finished(data_key(s, corpus))
    if paused:
        change = f"; {latest.change}" if latest.change else ""
        st.caption(f"Below: W after epoch {latest.epoch} of the paused run{literal(change)}.")
    elif latest is not net:
        st.caption(f"Below: the last run that finished ({literal(describe(net.config))}).")
    counts = page.tables["counts"]
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
        if not paused:
            weights = functools.partial(weights_json, net.final_state, table)
            st.download_button("Trained W (JSON)", weights, "W.json", "application/json", key="dl_W")
