"""Score a name: each transition's probability under every model, one bar and one table row per step."""

from __future__ import annotations

import streamlit as st

from makemore import plots
from makemore.table import score
from ui.components import plotly_view
from ui.page import Page
from ui.state import kept
from ui.text import fmt_nll, literal, table


def show(page: Page) -> None:
    s, corpus = page.settings, page.corpus
    word = st.text_input("Name", max_chars=64, **kept("name"))
    try:
        spelled = corpus.vocab.spell(word)  # the character that fails even lowercased: 'ë' of "Zoë", not its 'Z'
        scores = {page.labels[name]: score(t, spelled) for name, t in page.tables.items()}
    except ValueError as e:
        st.warning(literal(str(e)))
        return
    # the word once, the models as the metrics' labels: four or five labels of "model: average NLL
    # of <word>" were cut to "count model: average NLL …" at 1280x720
    st.markdown(f"**Average NLL of {literal(next(iter(scores.values())).word, 40)}**, per model")
    cols = st.columns(len(scores))
    for col, (m, sc) in zip(cols, scores.items(), strict=True):
        col.metric(m, fmt_nll(sc.nll), help=f"total {sc.total:.3f} over {len(sc.steps)} transitions")
    plotly_view(plots.score_bars(scores, page.colours), key="score_bars")
    if "net" not in page.tables:
        st.caption("Train the net to see its bars beside the count model's.")
    seen = corpus.counts(s.context, s.fit_part)
    steps = next(iter(scores.values())).steps
    columns = {
        "context": [plots.symbol_label(x.context) for x in steps],
        "next": [plots.symbol_label(x.next) for x in steps],
    }
    for m, sc in scores.items():
        columns[f"p ({m})"] = [f"{x.p:.4f}" for x in sc.steps]
        columns[f"−log p ({m})"] = [f"{x.nll:.3f}" for x in sc.steps]
    counted = page.tables["counts"]
    columns["pair in the data"] = [
        "yes" if seen[counted.context_index(x.context), corpus.vocab.stoi[x.next]] > 0 else "unseen" for x in steps
    ]
    st.markdown(table(columns, list(range(1, len(steps) + 1)), "step"))
