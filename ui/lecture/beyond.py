"""Lecture steps 12-13, beyond the bigram: more context makes the count table explode, and part 2's
MLP overtakes the counts. The figures are the Crossover tab's (makemore/crossover.py, cached per
data set): counts only at slide time; the MLP's from this page's runs, or measured beforehand."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from makemore.crossover import CROSSOVER_MLP
from makemore.mlp import MLPConfig, n_params
from makemore.plots import mlp as plots
from ui import slide
from ui.components import plotly_view
from ui.corpus import Corpus
from ui.models import count_row_of
from ui.page import Page
from ui.runs import mlp_data_key, mlp_trainer
from ui.tabs import crossover as crossover_tab
from ui.text import literal, table

NS = crossover_tab.NS
# The MLP's (train, dev) NLL per n on names.txt with CROSSOVER_MLP (d 16, h 300, 50,000 steps of 64,
# part 3's init, seed 2147483647), measured by `crossover_rows(load_words())` on 2026-12-04
# (docs/crossover.md; a test reads them there): drawn, labelled as such, where this page has no runs
MEASURED = {
    1: (2.4576, 2.4659),
    2: (2.2085, 2.2399),
    3: (2.0343, 2.1054),
    4: (1.9543, 2.0605),
    5: (1.9193, 2.0426),
    6: (1.9048, 2.0383),
    7: (1.9014, 2.0399),
    8: (1.8981, 2.0331),
}
MEASURED_ON = ("names",)  # the data set they were measured on (ui.corpus.builtin_corpus's key)
MEASURED_LABEL = "MLP, measured reference"
MEASURED_SOURCE = "measured beforehand on names.txt (50,000 steps), not trained here"
# the embedding when this page has trained no MLP: the lecture's d = 2 net, a short run (~1 s, cached)
SHORT = MLPConfig(context=3, d=2, h=100, steps=3_000, init_fix=True, dev_every=0)
VIEWS = ("the net overtakes the counts", "the embedding C")


def count_rows(corpus: Corpus) -> list[dict]:
    """The count model at every n, at its best smoothing on dev (the Crossover tab's rows)."""
    return [count_row_of(corpus.key, corpus, n) for n in NS]


def more_context(page: Page, left, right) -> None:
    corpus = page.corpus
    V = len(corpus.vocab)
    rows = count_rows(corpus)
    best, last = min(rows, key=lambda r: r["count_dev"]), rows[-1]
    with left:
        slide.markdown(
            f"Counting with n characters of context needs a row for each of {V}**n contexts: "
            f"{rows[1]['rows']:,} at n = 2, **{last['rows']:,}** at n = {last['n']}. The train split "
            f"fills only **{last['seen']:,}** of them, and {last['unseen']:.1%} of the dev examples meet a "
            "context never seen in train (the counts can only guess: uniform)."
        )
        slide.markdown(
            f"Each n at its best smoothing, the dev NLL is lowest at n = {best['n']} "
            f"(**{best['count_dev']:.4f}**) and turns back up: **{last['count_dev']:.4f}** at n = {last['n']}, "
            f"against {last['count_train']:.4f} on train. The table learns its own examples, not names."
        )
    with right:
        slide.markdown(
            table(
                {
                    f"rows ({V}**n)": [f"{r['rows']:,}" for r in rows],
                    "seen in train": [f"{r['seen']:,}" for r in rows],
                    "dev, context unseen": [f"{r['unseen']:.1%}" for r in rows],
                    "best s": [f"{r['smoothing']:g}" for r in rows],
                    "dev NLL": [f"{r['count_dev']:.4f}" for r in rows],
                },
                list(NS),
                "n",
            )
        )
        plotly_view(counts_chart(rows), key="lecture_context")


def counts_chart(rows: list[dict]):
    """The crossover chart with the count model's curves only (the MLP comes in the next step)."""
    fig = plots.crossover_chart(rows)
    fig.data = [t for t in fig.data if t.name.startswith("counts")]
    return fig


def mlp_rows(page: Page) -> tuple[dict[int, dict], str]:
    """The MLP's figures per n and whose they are: this page's Crossover runs where it has any (with
    the Crossover tab's settings), else the measured ones on names.txt, else none."""
    corpus = page.corpus
    mine = crossover_tab.collect(page.runs, corpus, crossover_tab.crossover_config(page.settings))
    if mine:
        return mine, "MLP, the lecturer's runs" if slide.recording() else "MLP, this page's runs"
    if corpus.key == MEASURED_ON:
        return {n: {"mlp_train": t, "mlp_dev": d} for n, (t, d) in MEASURED.items()}, MEASURED_LABEL
    return {}, "MLP"


def mlp(page: Page, left, right) -> None:
    corpus = page.corpus
    V = len(corpus.vocab)
    rows = count_rows(corpus)
    trained, label = mlp_rows(page)
    with left:
        view = st.radio("Show", VIEWS, key="lecture_mlp_view")
        slide.value("Show", view)
        if view == VIEWS[0]:
            measured = label == MEASURED_LABEL
            overtakes(
                rows, trained, label, V, CROSSOVER_MLP if measured else crossover_tab.crossover_config(page.settings)
            )
        else:
            C, source = embedding_of(page)
            slide.markdown(
                "Each character is a row of **C**, a point here. As the net trains, characters it treats "
                "alike move close together (in the lecture's trained plot the vowels, with 'q' and '.' "
                f"off on their own). C of {literal(source)}."
            )
    with right:
        if view == VIEWS[0]:
            chart = plots.crossover_chart([r | trained.get(r["n"], {}) for r in rows], mlp_label=label)
            plotly_view(chart, key="lecture_crossover")
        elif C is not None:
            plotly_view(plots.embedding(C, corpus.vocab.itos, "Embedding C"), key="lecture_embedding")


def overtakes(rows: list[dict], trained: dict[int, dict], label: str, V: int, config: MLPConfig) -> None:
    """The rail's words: what the MLP is (`config`, the one whose figures are drawn), its size
    against the table's, and who wins on dev."""
    last = rows[-1]
    slide.markdown(
        f"Part 2's MLP: each character is a vector of d = {config.d} numbers (C); the last n, side by side, "
        f"go through {config.h} tanh units to the next character's logits. It grows with n, not {V}**n: at "
        f"n = {last['n']}, **{n_params(V, replace(config, context=last['n'])):,}** parameters against "
        f"{last['rows']:,} rows."
    )
    best = min(rows, key=lambda r: r["count_dev"])
    if not trained:
        slide.markdown(
            f"Best count model: n = {best['n']}, dev **{best['count_dev']:.4f}**. Train the MLP at every n "
            "in the Crossover tab to draw it here."
        )
        return
    top = min((r | trained[r["n"]] for r in rows if r["n"] in trained), key=lambda r: r["mlp_dev"])
    ahead = best["count_dev"] - top["mlp_dev"]
    who = "the MLP is ahead by" if ahead > 0 else "the counts are ahead by"
    slide.markdown(
        f"Dev NLL: best counts **{best['count_dev']:.4f}** (n = {best['n']}), best MLP "
        f"**{top['mlp_dev']:.4f}** (n = {top['n']}): {who} {abs(ahead):.4f} nats. The MLP's figures: "
        f"{literal(MEASURED_SOURCE if label == MEASURED_LABEL else label.removeprefix('MLP, '))}."
    )


def embedding_of(page: Page):
    """C of this page's MLP run (the MLP tab's, finished or going), else of a short run here."""
    run = page.runs.lanes.get("mlp")
    if run is not None and run.data == mlp_data_key(page.corpus):
        state = run.final_state if run.final_state is not None else run.state
        if state is not None:
            mine = "the lecturer's" if slide.recording() else "this page's"
            when = "" if run.final_state is not None else f", step {run.epoch:,} of {run.epochs:,}"
            c = run.trainer.config
            return state.C, f"{mine} MLP run: context {c.context}, d {c.d}, h {c.h}{when}"
    config = replace(SHORT, seed=page.settings.seed)
    try:
        C = short_run(page.corpus.key, page.corpus, config)
    except ValueError:  # no training words
        return None, "no run: this word list has no training words to train the MLP on"
    return C, (
        f"a short run here: context {config.context}, d {config.d}, h {config.h}, {config.steps:,} steps (the "
        "structure has only begun; train the MLP in its tab and this step draws that run)"
    )


@st.cache_data(max_entries=8, show_spinner=False)
def short_run(key: tuple, _corpus: Corpus, config: MLPConfig):
    """C after a short run of the MLP on the train split (the page trains no more at slide time)."""
    trainer = mlp_trainer(_corpus, config)
    for _ in trainer.steps():
        pass
    return trainer.final().C.detach().clone()
