"""Compare: every model's samples from the same seed, their NLL per split, and the smoothing sweep."""

from __future__ import annotations

import streamlit as st

from makemore import plots
from makemore.export import samples_csv
from ui.components import plotly_view
from ui.models import PARTS, sweep_rows, table_nlls, table_samples
from ui.page import Page
from ui.runs import data_key
from ui.tabs.net import difference
from ui.text import fmt_nll, literal, table

SAMPLE_COLUMNS = 4  # a name of ~12 letters on one line at 1280x720 beside the sidebar


def show(page: Page) -> None:
    s, corpus = page.settings, page.corpus
    st.header(f"Samples (seed {s.seed}, temperature {s.temperature:g})")
    samples = {name: table_samples(page.keys[name], t, s, corpus) for name, t in page.tables.items()}
    shown = [(page.labels[name], drawn) for name, drawn in samples.items()]
    if "net" not in samples:
        shown.append(("neural net", None))
    # at most SAMPLE_COLUMNS a row, all one width: a model more is a row more, not narrower names
    for start in range(0, len(shown), SAMPLE_COLUMNS):
        for col, (label, drawn) in zip(st.columns(SAMPLE_COLUMNS), shown[start : start + SAMPLE_COLUMNS], strict=False):
            with col:
                st.markdown(f"**{label[:1].upper() + label[1:]}**")  # "MLP" stays as it is
                if drawn is None:
                    st.info("Train the net (sidebar) to sample from it.")
                else:
                    show_samples(drawn)
    # a few rows: made on every run, so the file always holds what the columns above show
    named = {page.labels[name]: drawn for name, drawn in samples.items()}
    st.download_button("Samples (CSV)", samples_csv(named), "samples.csv", "text/csv", key="dl_samples")
    st.header("Average NLL")
    k, part = s.context, s.fit_part
    nlls = {page.labels[name]: table_nlls(page.keys[name], t, corpus, t.k) for name, t in page.tables.items()}
    if (latest := page.runs.finished(data_key(s, corpus))) is not None:
        for r in page.runs.earlier(latest):  # the earlier runs of the loss chart
            nlls[f"run {r.n} ({difference(r.config, latest.config)})"] = table_nlls(("net", r.id), r.table(), corpus, k)
    cells = {m: [fmt_nll(v) for v in d.values()] for m, d in nlls.items()}
    run = page.runs.latest  # how the latest run on this data ended, in the Neural net tab's words
    ended = run if run is not None and run.outcome is not None and run.data == data_key(s, corpus) else None
    if ended is not None and ended.outcome.kind == "diverged":  # no table came of it: its column says so, not ∞
        cells[f"run {ended.n} (the latest)"] = [f"diverged at epoch {ended.outcome.epoch}"] * len(PARTS)
    st.markdown(table(cells, PARTS, "split"))
    if latest is not None:  # which run the net's columns are: the last that finished on this data
        said = f": {literal(latest.outcome.words)}" if latest.outcome is not None else ""
        c = latest.config
        st.caption(f"The neural net's columns are run {latest.n} (lr {c.lr:g}, {c.epochs} epochs){said}")
    if ended is not None and ended is not latest:
        st.caption(f"Run {ended.n}: {literal(ended.outcome.words)}")
    st.caption(
        f"Every model is fit on **{part}** words."
        + (" Dev and test are not held out: choose *Fit on: train split* to hold them out." if part == "all" else "")
    )
    st.header("Smoothing sweep (E03): count model fit on train")
    plotly_view(plots.sweep_curve(sweep_rows(corpus.key, corpus, k), s.smoothing or None), key="sweep")


def show_samples(samples) -> None:
    names = [x.name + ("…" if x.cut else "") for x in samples]
    st.markdown(table({"name": names, "tag": [x.tag for x in samples]}, list(range(1, len(samples) + 1)), "#"))
