"""Compare: both models' samples from the same seed, their NLL per split, and the smoothing sweep."""

from __future__ import annotations

import streamlit as st

from makemore import plots
from makemore.export import samples_csv
from makemore.table import nll_counts
from ui.components import plotly_view
from ui.corpus import Corpus
from ui.models import PARTS, count_samples, net_run, net_samples, net_table, split_nlls, sweep_rows
from ui.state import Settings
from ui.tabs.net import difference
from ui.text import fmt_nll, table


def show(s: Settings, corpus: Corpus) -> None:
    st.subheader(f"Samples (seed {s.seed}, temperature {s.temperature:g})")
    counted, learned = count_samples(s, corpus), net_samples(s, corpus)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Count model**")
        show_samples(counted)
    with c2:
        st.markdown("**Neural net**")
        if learned is None:
            st.info("Train the net (sidebar) to sample from it.")
        else:
            show_samples(learned)
    models = {"count model": counted} | ({"neural net": learned} if learned is not None else {})
    # a few rows: made on every run, so the file always holds what the columns above show
    st.download_button("Samples (CSV)", samples_csv(models), "samples.csv", "text/csv", key="dl_samples")
    st.subheader("Average NLL")
    k, part = s.context, s.fit_part
    nlls = {"count model": split_nlls(corpus.key, corpus, k, part, s.smoothing)}
    if (net := net_table(s, corpus)) is not None:
        nlls["neural net"] = {p: nll_counts(net.P, corpus.counts(k, p)) for p in PARTS}
        latest = net_run(s, corpus)
        for r in st.session_state.get("runs", []):  # the earlier runs of the loss chart
            if r["id"] != latest["id"] and r["key"] == latest["key"]:
                nlls[f"run {r['n']} ({difference(r['config'], latest['config'])})"] = r["splits"]
    st.markdown(table({m: [fmt_nll(v) for v in d.values()] for m, d in nlls.items()}, PARTS))
    st.caption(
        f"Both models are fit on **{part}** words."
        + (" Dev and test are not held out: choose *Fit on: train split* to hold them out." if part == "all" else "")
    )
    st.subheader("Smoothing sweep (E03): count model fit on train")
    plotly_view(plots.sweep_curve(sweep_rows(corpus.key, corpus, k), s.smoothing or None), key="sweep")


def show_samples(samples) -> None:
    names = [x.name + ("…" if x.cut else "") for x in samples]
    st.markdown(table({"name": names, "tag": [x.tag for x in samples]}, list(range(1, len(samples) + 1)), "#"))
