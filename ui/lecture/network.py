"""Lecture steps 8-11: one-hot inputs, one forward pass, gradient descent live, and the punchline."""

from __future__ import annotations

import streamlit as st
import torch
import torch.nn.functional as F

from makemore import plots
from makemore.counts import examples, smooth
from makemore.neural import TrainConfig, init_weights, neural_table, train
from makemore.table import nll_counts
from ui import slide
from ui.components import plotly_view
from ui.corpus import Corpus
from ui.lecture.counting import name_input
from ui.page import Page
from ui.params import MAX_EPOCHS
from ui.runs import data_key
from ui.state import keep, setting_ui
from ui.tabs import net as net_tab
from ui.text import literal

REGS = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
SMOOTHS = [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


def one_hot(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    with left:
        name = name_input(corpus, s.name)
        xs, ys = examples([name], corpus.vocab, 1)
        slide.markdown(
            f"The net reads one character at a time as a vector of {len(corpus.vocab)} zeros with a single 1 "
            f"at the character's index: `F.one_hot(xs, {len(corpus.vocab)})`. {literal(name)} gives "
            f"{len(name) + 1} inputs, one per pair:"
        )
        slide.markdown(f"`xs = {xs.tolist()}`  \n`ys = {ys.tolist()}`")
    with right:
        rows = [f"{i + 1}: {plots.symbol_label(c)}" for i, c in enumerate(["."] + list(name))]
        plotly_view(plots.one_hot(xs.tolist(), corpus.vocab, rows), key="lecture_onehot")


def forward(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    V = len(corpus.vocab)
    with left:
        name = name_input(corpus, s.name)
        xs, ys = examples([name], corpus.vocab, 1)
        i = st.slider("Example (pair) of the name", 1, len(xs), 1, key="lecture_example") - 1
        slide.value("Example (pair) of the name", f"{i + 1} of {len(xs)}")
        W = init_weights(V, V, s.seed).detach()  # the lecture's torch.randn((27, 27), generator=g)
        every = F.one_hot(xs, V).float() @ W  # (examples, V): the lecture's logits
        probs_all = every.softmax(1)
        losses = -probs_all[torch.arange(len(xs)), ys].log()
        logits, probs = every[i], probs_all[i]
        p = float(probs[ys[i]])
        a, b = corpus.vocab.itos[int(xs[i])], corpus.vocab.itos[int(ys[i])]
        slide.markdown(
            f"Input “{literal(a)}” picks one row of a random W (seed {s.seed}): the logits. exp makes them "
            f"positive, dividing by their sum makes them probabilities. The true next character "
            f"“{literal(b)}” gets p = **{p:.4f}**, so this example's loss is −log p = **{float(losses[i]):.4f}**."
        )
        slide.markdown(f"The average over all {len(xs)} examples of {literal(name)}: **{float(losses.mean()):.4f}**.")
    with right:
        plotly_view(plots.forward(logits, probs, corpus.vocab, int(ys[i])), key="lecture_forward")


@st.cache_data(max_entries=16, show_spinner=False)
def first_loss(key: tuple, _corpus: Corpus, k: int, part: str, seed: int, reg: float) -> tuple[float, float]:
    """The data NLL of the untrained W (the lecture's randn, seed) and the penalty λ·mean(W²): their
    sum is the first loss the lecture prints."""
    N = _corpus.counts(k, part)
    W = init_weights(N.shape[0], N.shape[1], seed).detach()
    return nll_counts(W.softmax(1), N), reg * float((W**2).mean())


def descent(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    with left:
        setting_ui("epochs", st)
        c1, c2 = st.columns(2)
        setting_ui("lr", c1)
        setting_ui("reg", c2, "Regularization λ")
        slide.value("Epochs", s.epochs)
        slide.value("Learning rate", f"{s.lr:g}")
        slide.value("Regularization λ", f"{s.reg:g}")
        # pressed in its callback (before the run's body): a run cut short by a cue or a live rerun
        # does not lose the press as a value read in the body would
        st.button("Train", key="lecture_train", type="primary", width="stretch", on_click=train_now)
        pressed = st.session_state.pop(LONGER, False)  # Train, or step 11's offer to train longer
        data, penalty = first_loss(corpus.key, corpus, s.context, s.fit_part, s.seed, s.reg)
        slide.markdown(
            f"Each epoch: forward pass, loss = NLL + λ·mean(W²), backward, W −= lr · grad. At the start "
            f"(random W, seed {s.seed}) the loss is **{data + penalty:.4f}**: data NLL {data:.4f} plus "
            f"penalty {penalty:.4f}. The curve (the data NLL) falls towards the count model's, the dashed line."
        )
    with right:
        net_tab.loss_panel(page, pressed, "Press **Train**: the curve is drawn as the net learns.", one_nll=True)


@st.cache_data(max_entries=16, show_spinner=False)
def trained_W(key: tuple, _corpus: Corpus, k: int, part: str, reg: float, epochs: int = 300) -> torch.Tensor:
    """W after gradient descent with the counts method (the same losses as the lecture's, much faster).

    The penalty's own gradient is 2·reg·W/cells: a step larger than cells/reg would overshoot and
    diverge (lr 50 does at reg 100), so the rate is capped there."""
    N = _corpus.counts(k, part)
    lr = min(50.0, 0.5 * N.numel() / max(reg, 1e-9))
    W = None
    for _, W in train(N, TrainConfig(epochs=epochs, lr=lr, reg=reg, method="counts")):
        pass
    return W.detach().clone()


@st.cache_data(max_entries=8, show_spinner=False)
def strength_sweep(key: tuple, _corpus: Corpus, k: int, part: str) -> tuple[list, list]:
    """The data NLL of the count model for each smoothing, and of the trained net for each penalty."""
    N = _corpus.counts(k, part)
    counted = [(s, nll_counts(smooth(N, s), N)) for s in SMOOTHS]
    learned = [(r, nll_counts(neural_table(trained_W(key, _corpus, k, part, r), _corpus.vocab, k).P, N)) for r in REGS]
    return counted, learned


def punchline(page: Page, left, right) -> None:
    s, corpus = page.settings, page.corpus
    k, part = s.context, s.fit_part
    run = page.runs.finished(data_key(s, corpus))
    W = run.final_state if run is not None else trained_W(corpus.key, corpus, k, part, s.reg)
    # the class reads a leading page's words: its run is the lecturer's, not each student's
    mine = "the lecturer's last run" if slide.recording() else "your last run"
    source = mine if run is not None else f"300 epochs, lr 50, λ {s.reg:g}"
    P = neural_table(W, corpus.vocab, k).P
    counts = page.tables["counts"]
    V = len(corpus.vocab)
    with left:
        view = st.radio("Show", ["the two tables", "W and log counts", "λ and smoothing"], key="lecture_punch")
        slide.value("Show", view)
        gap = float((P - counts.P).abs().max())
        slide.markdown(
            f"softmax(W) ({literal(source)}) and the smoothed counts differ by at most **{gap:.3f}**: {verdict(gap)}"
        )
        if gap >= 0.1 and s.epochs < MAX_EPOCHS:  # the punchline one click away: a longer run in step 10
            st.button(
                f"Train {MAX_EPOCHS:,} epochs (step 10) and compare again",
                key="lecture_longer",
                on_click=train_longer,
            )
    with right:
        if view == "the two tables":
            top = float(max(P[:V].max(), counts.P[:V].max()))  # one colour scale for both
            c1, c2 = slide.columns(2)
            with c1:
                net = plots.matrix(P[:V], corpus.vocab, "neural net: softmax(W)", zmax=top, scale=False)
                plotly_view(net, key="lecture_net_P")
            with c2:
                title = f"counts: P (s = {s.smoothing:g})"
                plotly_view(plots.matrix(counts.P[:V], corpus.vocab, title, zmax=top), key="lecture_count_P")
        elif view == "W and log counts":
            plotly_view(
                plots.w_vs_log_counts(W[:V], corpus.counts(k, part)[:V]),
                key="lecture_w",
            )
        else:
            counted, learned = strength_sweep(corpus.key, corpus, k, part)
            plotly_view(plots.regularization_vs_smoothing(counted, learned), key="lecture_reg")


LONGER = "_lecture_longer"  # Train was pressed, or step 11 asked step 10 to train a longer run


def train_now() -> None:
    st.session_state[LONGER] = True


def train_longer() -> None:
    """Step 11's offer: step 10 with the most epochs, trained at once (the lecturer then turns on)."""
    keep("epochs", MAX_EPOCHS)
    keep("step", 10)
    st.session_state[LONGER] = True


def verdict(gap: float) -> str:
    """What the largest difference between the two tables says."""
    if gap < 0.02:
        return "W has learned the log counts, and the penalty on W flattens the table as smoothing does."
    if gap < 0.1:
        return "close: W is learning the log counts; more epochs bring the two tables together."
    return "not yet the same table: this W has not learned the log counts; train longer (step 10) and compare again."
