"""Crossover: as the context n grows, the count model runs out of data and the MLP does not.

For n = 1..8: the count model at its best smoothing on dev (makemore.crossover.count_row, cached
per data set), and the MLP trained at the same n, one run per n queued through the run service
(each in its own lane, so they queue behind each other and beside the page's other runs). Each
run's figures are kept in the session per data set and settings, and drawn as it finishes.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from makemore.crossover import CROSSOVER_MLP
from makemore.mlp import MLPConfig, n_params
from makemore.ngram import MAX_CONTEXT
from makemore.plots import mlp as plots
from service.run import Run
from service.runs import service
from ui.components import plotly_view
from ui.corpus import Corpus
from ui.models import count_row_of
from ui.page import Page
from ui.params import CROSSOVER_WITH
from ui.runs import Runs, mlp_trainer
from ui.state import Settings, setting_ui
from ui.text import literal, table

NS = tuple(range(1, MAX_CONTEXT + 1))
REFRESH = 2.0  # s between redraws while the runs go on


def show(page: Page) -> None:
    s, corpus = page.settings, page.corpus
    st.caption(
        "For each context length n (n = 1 is the bigram), the count model at the smoothing with the "
        "lowest dev NLL, and the MLP with the same n. Both fit the train split; dev is held out. "
        "The counts' table has V**n rows, and ever more dev contexts were never seen in train."
    )
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    with c1:
        setting_ui("crossover_with", st, label="Train the MLP with")
    config = crossover_config(s)
    st.caption(f"The MLP of each n: {literal(settings_text(config))}.")
    pressed = c2.button("Train the MLP at every n", key="train_crossover", type="primary", width="stretch")
    if pressed:
        queue(page.runs, corpus, config)
    going = any(r.active for r in lane_runs(page.runs, corpus, config).values())
    if going and c2.button("Stop the runs", key="stop_crossover", width="stretch"):
        for run in lane_runs(page.runs, corpus, config).values():
            service().stop(run)  # the finished ones keep their figures; the rest can be queued again
        going = False
    st.fragment(lambda: results(page, config), run_every=REFRESH if going else None)()


def crossover_config(s: Settings) -> MLPConfig:
    """The crossover's MLP (d 16, h 300, 50,000 steps: under 3 minutes at n = 8 here), or the MLP
    tab's settings; the dev NLL measured ten times a run either way (the run's outcome reads it)."""
    base = CROSSOVER_MLP if s.crossover_with == CROSSOVER_WITH[0] else replace(s.mlp_config, context=1)
    return replace(base, seed=s.seed, dev_every=max(1, base.steps // 10))


def settings_text(c: MLPConfig) -> str:
    return (
        f"d {c.d}, h {c.h}, {c.steps:,} steps of batch {c.batch}, lr {c.lr1:g} then {c.lr2:g}"
        + (", part 3's initialisation" if c.init_fix else "")
        + f", seed {c.seed}"
    )


def lane(n: int) -> str:
    return f"crossover {n}"


def data_of(corpus: Corpus, config: MLPConfig, n: int) -> tuple:
    return ("crossover", corpus.key, replace(config, context=n))


def lane_runs(runs: Runs, corpus: Corpus, config: MLPConfig) -> dict[int, Run]:
    """The session's latest crossover run of each n on this data with these settings."""
    out = {}
    for n in NS:
        run = runs.lanes.get(lane(n))
        if run is not None and run.data == data_of(corpus, config, n):
            out[n] = run
    return out


def kept_rows(corpus: Corpus, config: MLPConfig) -> dict[int, dict]:
    """The MLP's figures per n, kept in the session for this data set and these settings."""
    return st.session_state.setdefault("_crossover", {}).setdefault((corpus.key, config), {})


def queue(runs: Runs, corpus: Corpus, config: MLPConfig) -> None:
    """One run per n that has no figures yet and no run going, in the order n = 1..8."""
    done, going = kept_rows(corpus, config), lane_runs(runs, corpus, config)
    for n in NS:
        if n in done or (n in going and going[n].active):
            continue
        c = replace(config, context=n)
        runs.start_lane(lane(n), mlp_trainer(corpus, c), data_of(corpus, config, n))


def collect(runs: Runs, corpus: Corpus, config: MLPConfig) -> dict[int, dict]:
    """Keep the figures of each run that finished since the last look."""
    kept = kept_rows(corpus, config)
    for n, run in lane_runs(runs, corpus, config).items():
        if n not in kept and run.status == "done" and run.final_state is not None:
            c = run.trainer.config
            kept[n] = {
                "mlp_train": run.trainer.nll(run.final_state, "train"),
                "mlp_dev": run.final_nll,
                "mlp_params": n_params(len(corpus.vocab), c),
                "mlp_seconds": run.seconds,
            }
    return kept


def results(page: Page, config: MLPConfig) -> None:
    """The table and the chart: the counts at every n, the MLP where its run has finished."""
    corpus = page.corpus
    runs = lane_runs(page.runs, corpus, config)
    mlp = collect(page.runs, corpus, config)
    rows = [count_row_of(corpus.key, corpus, n) | mlp.get(n, {}) for n in NS]
    plotly_view(plots.crossover_chart(rows), key="crossover")
    st.markdown(table(columns(rows, runs), list(NS), "n"))
    best = min(rows, key=lambda r: r["count_dev"])
    line = f"Best count model: n = {best['n']}, s = {best['smoothing']:g}, dev {best['count_dev']:.4f}."
    if mlp:
        top = min((r for r in rows if "mlp_dev" in r), key=lambda r: r["mlp_dev"])
        ahead = best["count_dev"] - top["mlp_dev"]
        line += f" Best MLP: n = {top['n']}, dev {top['mlp_dev']:.4f} ({ahead:+.4f} nats against the best counts)."
    st.markdown(line)
    st.caption(
        "Grey diamonds: the anchors' own figures on their own data and splits, for scale only: "
        "EurekaLabsAI/ngram's best count model (n = 4, smoothing 0.1, val 2.1118), makemore part 2's "
        "MLP (context 3, dev ~2.17) and part 5's context-8 model (~2.03)."
    )


def columns(rows: list[dict], runs: dict[int, Run]) -> dict[str, list]:
    def mlp(r: dict, key: str, fmt: str) -> str:
        if key in r:
            return format(r[key], fmt)
        run = runs.get(r["n"])
        if run is None:
            return "—"
        if run.status == "running":
            return f"step {run.epoch:,}/{run.epochs:,}"
        return {"queued": "queued", "paused": "paused"}.get(run.status, run.status)

    return {
        "table rows (V**n)": [f"{r['rows']:,}" for r in rows],
        "contexts seen": [f"{r['seen']:,}" for r in rows],
        "unseen dev": [f"{r['unseen']:.1%}" for r in rows],
        "best s": [f"{r['smoothing']:g}" for r in rows],
        "counts train": [f"{r['count_train']:.4f}" for r in rows],
        "counts dev": [f"{r['count_dev']:.4f}" for r in rows],
        "MLP train": [mlp(r, "mlp_train", ".4f") for r in rows],
        "MLP dev": [mlp(r, "mlp_dev", ".4f") for r in rows],
        "MLP time": [mlp(r, "mlp_seconds", ".0f") + ("s" if "mlp_seconds" in r else "") for r in rows],
    }
