"""MLP (makemore part 2): its settings, Train, the live loss curve with the dev NLL, and the embedding C.

The run executes in the process's run service in its own lane ("mlp"), beside the net's; the
curve's points come over the app's live route as the net's do (ui/tabs/net.py), and the
embedding scatter is redrawn from the run's latest state while it trains.
"""

from __future__ import annotations

import streamlit as st

from makemore.mlp import MLPConfig, MLPTrainer, n_params
from makemore.neural import human_bytes, human_seconds
from makemore.plots import mlp as plots
from makemore.trainer import Cost
from service.run import Run
from service.runs import service
from ui.components import plotly_view, spec
from ui.corpus import Corpus
from ui.models import count_row_of
from ui.page import Page
from ui.runs import mlp_data_key, mlp_trainer
from ui.state import setting_ui
from ui.tabs.net import controls
from ui.text import literal, sentence

LANE = "mlp"
STEP_HELP = (
    "pause, then take one minibatch step: the embedding moves by one step, and so does the curve of a run "
    "of up to 2,000 steps (a longer run's curve is means of several steps: it moves once they are taken)"
)
REFRESH = 1.0  # s between redraws of the embedding while the run trains


def show(page: Page) -> None:
    s, corpus, runs = page.settings, page.corpus, page.runs
    st.caption(
        "makemore part 2: each character is a learned vector in C; the last *context* characters' "
        "vectors, side by side, go through a tanh layer to the next character's logits. Minibatch SGD "
        "on the train split; the dev NLL on the dev split. The seed is the page's (sidebar)."
    )
    settings_ui()
    config = s.mlp_config
    cost = cost_of(corpus.key, corpus, config)
    if cost is None:
        st.warning("There are no training words to train the MLP on: choose a larger word list.")
        return
    train, rest = st.columns([1, 4.4], vertical_alignment="bottom")
    pressed = train.button("Train the MLP", key="train_mlp", type="primary", width="stretch")
    if pressed:
        runs.start_lane(LANE, mlp_trainer(corpus, config), mlp_data_key(corpus))
    run = runs.lanes.get(LANE)
    with rest:
        controls(run, "mlp_loss", "One step", STEP_HELP)
    low, high = service().time_range(MLPTrainer, cost, config.steps)
    st.caption(
        f"Train: {n_params(len(corpus.vocab), config):,} parameters; {time_words(low, high)} of training on "
        f"one worker ({human_seconds(cost.seconds_per_epoch)} a step with a core to itself; the slower end is "
        f"how much slower the recent MLP runs here went), {human_bytes(cost.bytes)}. Once it runs, the "
        "status line says the time left from its own pace."
    )
    loss_panel(page, run)
    embedding_panel(page, run)


def settings_ui() -> None:
    """The MLP's settings, drawn as ui/params.py declares them."""
    c1, c2, c3 = st.columns(3)
    setting_ui("mlp_context", c1)
    setting_ui("mlp_d", c2)
    setting_ui("mlp_h", c3)
    c1, c2, c3, c4, c5 = st.columns([1.2, 1, 1, 1, 1.4], vertical_alignment="bottom")
    setting_ui("mlp_steps", c1)
    setting_ui("mlp_batch", c2)
    setting_ui("mlp_lr1", c3)
    setting_ui("mlp_lr2", c4)
    setting_ui("mlp_init_fix", c5)


@st.cache_data(max_entries=32, show_spinner=False)
def cost_of(key: tuple, _corpus: Corpus, config: MLPConfig) -> Cost | None:
    """What a run of these settings on this data will take (None: no words to train on)."""
    try:
        return mlp_trainer(_corpus, config).cost()
    except ValueError:
        return None


def time_words(low: float, high: float) -> str:
    """A range of seconds in words: "about 1 min", "1-3 min", "40 s to 2 min"."""
    a, b = human_seconds(low), human_seconds(high)
    if a == b:
        return f"about {a}"
    (x, u), (y, v) = a.split(" ", 1), b.split(" ", 1)
    return f"{x}-{y} {u}" if u == v else f"{a} to {b}"


def floor_of(corpus: Corpus, n: int) -> tuple[float, str]:
    """The count model's dev NLL at n characters of context, at its best smoothing on dev."""
    row = count_row_of(corpus.key, corpus, n)
    return row["count_dev"], f"count model, n={n}, s={row['smoothing']:g}: dev {row['count_dev']:.4f}"


def loss_panel(page: Page, run: Run | None) -> None:
    """The live curve and, once the run has ended, its outcome."""
    corpus = page.corpus
    n = run.trainer.config.context if run is not None else page.settings.mlp_context
    floor, label = floor_of(corpus, n)
    if run is None:
        fig = spec(plots.mlp_curve([], page.settings.mlp_steps, [], floor, label))
        fig["summary"] = {"status": "idle", "message": "Press Train the MLP to train it."}
        plotly_view(fig, key="mlp_loss")
        return
    run.chart = {"floor": floor, "log": True}  # the live route's y axis: log, holding the floor too
    records, every = run.records[:], run.every
    dev = [(e, d) for e, d in run.devs[:] if e <= len(records) * every]  # those of the points drawn
    fig = spec(plots.mlp_curve([r.nll for r in records], run.epochs, dev, floor, label))
    if every > 1:  # a long run's curve: each point the mean of `every` steps, drawn at their middle
        curve = next(t for t in fig["data"] if t.get("meta") == "run")
        curve["x"], curve["y"] = [run.x(i) for i in range(len(records))], [r.nll for r in records]
        curve["name"] = f"minibatch loss, mean of each {every:,} steps"
        fig["layout"]["xaxis"]["title"] = {"text": f"step (a point: the mean loss of {every:,} steps)"}
        fig["layout"]["margin"] = {**fig["layout"].get("margin", {}), "b": 56}  # room for the axis's words
        fig["layout"]["meta"] = f"{min(len(records) * every, run.epoch)}/{run.epochs}"  # the steps it covers
    if run.active:
        fig["live"] = {"run": run.id, "from": len(records), "epochs": run.epochs, "status": run.status}
        fig["live"] |= {"unit": "step", "loss": "minibatch loss", "every": every}  # the status line's words
    else:
        last = run.final_nll if run.final_nll is not None else records[-1].nll if records else None
        fig["summary"] = {"status": run.status, "epoch": run.epoch, "epochs": run.epochs, "nll": last}
        fig["summary"] |= {"message": run.message, "unit": "step", "loss": "minibatch loss"}
    plotly_view(fig, key="mlp_loss", on_ended=True)
    st.caption(
        (
            "The minibatch loss of each step"
            if every == 1
            else f"The minibatch loss as the mean of each {every:,} steps (the lecture's part 3 plots "
            "lossi.view(-1, 1000).mean(1)),"
        )
        + " in nats on a log axis (the lecture plots its log10: the same shape), and the dev NLL on "
        "the whole dev split (circles) every few hundred steps."
    )
    if not run.active:
        show_status(page, run)


def describe(c: MLPConfig) -> str:
    return (
        f"context {c.context}, d {c.d}, h {c.h}, {c.steps:,} steps of batch {c.batch}, "
        f"lr {c.lr1:g} then {c.lr2:g}" + (", part 3's init" if c.init_fix else "") + f", seed {c.seed}"
    )


def show_status(page: Page, run: Run) -> None:
    """How the run ended, in the outcome's words, and what its numbers are."""
    if run.status == "stopped":
        dev = run.devs[-1:]
        at = f" Its last dev NLL was {dev[0][1]:.4f}, at step {dev[0][0]:,}." if dev else ""
        st.warning(f"Training stopped at step {run.epoch:,} of {run.epochs:,}: {literal(run.message)}.{at}")
        return
    o = run.outcome
    if o is None or o.kind == "diverged":
        st.error(literal(sentence(run.message[:1].upper() + run.message[1:])))
        return
    text = literal(o.words) + f" ({literal(describe(run.trainer.config))}; {run.seconds:.1f} s of training.)"
    text += " The dev NLL is the whole dev split's, after the last update."
    (st.success if o.kind == "trained" else st.warning)(text)
    if run.data != mlp_data_key(page.corpus) or run.trainer.config != page.settings.mlp_config:
        st.info("The settings or the data changed since this run; press **Train the MLP** to train with them.")


def embedding_panel(page: Page, run: Run | None) -> None:
    """The scatter of C from the run's latest state, redrawn every REFRESH s while it trains."""
    going = run is not None and run.status in ("queued", "running")
    if not going and (run is None or (run.state is None and run.final_state is None)):
        return
    st.fragment(lambda: draw_embedding(page, run), run_every=REFRESH if going else None)()


def draw_embedding(page: Page, run: Run) -> None:
    state = run.final_state if run.final_state is not None else run.state
    if state is None:  # queued, or its first step is on the way
        st.caption("The embedding C is drawn here once the run has taken its first step.")
        return
    d = state.C.shape[1]
    when = "trained" if run.final_state is not None else f"after step {run.epoch:,} of {run.epochs:,}"
    title = f"Embedding C, {when}"
    c1, c2 = st.columns([3, 2])
    with c1:
        plotly_view(plots.embedding(state.C, page.corpus.vocab.itos, title), key="mlp_embedding")
    with c2:
        how = (
            "With d = 2 the axes are C's own two dimensions."
            if d == 2
            else f"With d = {d} the plot is a projection: C's first two principal components."
        )
        st.markdown(
            "Each character is a row of **C**, drawn as a point. Characters the net treats alike "
            "move close together as it trains (the lecture points at the vowels, and at 'q' and '.' "
            f"off on their own). {how}"
        )
        if run.active and run.change:
            st.caption(f"The last step {literal(run.change)}.")
