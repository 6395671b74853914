"""Figures of a table P[context, next]: the lecture's heatmap, a square matrix, a word's scores."""

from __future__ import annotations

import plotly.graph_objects as go
import torch

from makemore.data import Vocab
from makemore.plots.style import MODEL_COLORS, symbol_label
from makemore.table import Score

VIEWS = ("counts", "probabilities", "log-probabilities")


def heatmap_cells(N: torch.Tensor, P: torch.Tensor, vocab: Vocab, view: str = "counts", prefix: str = "") -> dict:
    """The lecture's bigram figure as plain data for a grid; labels are drawn from x and y.

    N and P are (V, V) slices: rows are the context (after `prefix`, for a trigram), columns the
    next symbol. `z` is the value shown and shaded in each cell; `count` and `p` show on hover.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}")
    chars = [symbol_label(c) for c in vocab.itos]
    z = {"counts": N, "probabilities": P, "log-probabilities": torch.log(P).clamp(min=-20)}[view].tolist()
    return {
        "x": chars,
        "y": [symbol_label(prefix) + c for c in chars],
        "view": view,
        "z": [[round(v, 6) for v in row] for row in z] if view != "counts" else z,
        "count": N.tolist(),
        "p": P.tolist(),  # exact: the tooltip's -log p of a tiny p must not round to -log 0
        "rows": f"context ({len(prefix) + 1} characters)" if prefix else "context (current character)",
        "cols": "next character",
        "legend": {"counts": "count", "probabilities": "p(next | context)", "log-probabilities": "log p"}[view],
    }


def matrix(
    M: torch.Tensor,
    vocab: Vocab,
    title: str,
    diverging: bool = False,
    prefix: str = "",
    height: int = 430,
    zmax: float | None = None,
    scale: bool = True,
) -> go.Figure:
    """A square heatmap of a (V, V) matrix with every symbol labelled, for comparing tables side by side.

    The browser component sizes it square to its column (layout.meta "square")."""
    chars = [symbol_label(c) for c in vocab.itos]
    rows = [symbol_label(prefix) + c for c in chars]
    if diverging:
        zmax = float(M.abs().max())
    fig = go.Figure(
        go.Heatmap(
            z=M.tolist(),
            x=chars,
            y=rows,
            colorscale="RdBu" if diverging else "Blues",
            zmid=0 if diverging else None,
            zmin=-zmax if diverging else 0.0 if zmax is not None else None,
            zmax=zmax,
            hovertemplate="context %{y}, next %{x}: %{z:.4f}<extra></extra>",
            colorbar={"thickness": 10, "tickfont": {"size": 11}},
            showscale=scale,  # two tables on one scale: one colour bar
        )
    )
    every = {"tickmode": "array", "fixedrange": True, "tickfont": {"size": 11}}
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 36 + 7 * len(prefix), "r": 10, "t": 56, "b": 10},
        xaxis={**every, "side": "top", "tickvals": chars, "title": None, "constrain": "domain"},
        yaxis={**every, "autorange": "reversed", "scaleanchor": "x", "constrain": "domain", "tickvals": rows},
        meta="square",
    )
    return fig


def heatmap(N: torch.Tensor, vocab: Vocab, P: torch.Tensor | None = None, size: int = 760) -> go.Figure:
    """The lecture's figure as a Plotly heatmap (for notebooks): each cell shows its two characters
    and its count, shaded by the count; hover adds p when P is given."""
    chars = [symbol_label(c) for c in vocab.itos]
    text = [
        [f"{a}{b}<br>{int(n)}" for b, n in zip(chars, row, strict=True)]
        for a, row in zip(chars, N.tolist(), strict=True)
    ]
    custom = P.tolist() if P is not None else N.tolist()
    fig = go.Figure(
        go.Heatmap(
            z=N.tolist(),
            x=chars,
            y=chars,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 9},
            customdata=custom,
            colorscale="Blues",
            hovertemplate="%{y}%{x}: count %{z}"
            + (", p %{customdata:.4f}" if P is not None else "")
            + "<extra></extra>",
            colorbar={"title": {"text": "count"}},
        )
    )
    fig.update_layout(
        width=size + 80,
        height=size,
        margin={"l": 40, "r": 20, "t": 40, "b": 20},
        xaxis={"side": "top", "title": "next character", "tickmode": "array", "tickvals": chars},
        yaxis={"autorange": "reversed", "title": "current character", "tickmode": "array", "tickvals": chars},
    )
    return fig


def score_bars(scores: dict[str, Score], colours: dict[str, str] | None = None) -> go.Figure:
    """Probability of each transition of a word under each model: one bar per transition, in order
    (x is the step number, so a pair that occurs twice gets two bars, not one stacked bar). A model
    named in `colours` gets its own colour; the others take the palette in order."""
    fig = go.Figure()
    steps = next(iter(scores.values())).steps
    labels = [f"{symbol_label(s.context)}→{symbol_label(s.next)}" for s in steps]
    for i, (name, sc) in enumerate(scores.items()):
        color = (colours or {}).get(name) or MODEL_COLORS[i % len(MODEL_COLORS)]
        fig.add_trace(
            go.Bar(
                x=list(range(1, len(sc.steps) + 1)),
                y=[s.p for s in sc.steps],
                name=f"{name} (NLL {sc.nll:.3f})",
                marker_color=color,
                customdata=[[label, s.nll] for label, s in zip(labels, sc.steps, strict=True)],
                hovertemplate="step %{x}, %{customdata[0]}: p %{y:.4f}, −log p %{customdata[1]:.3f}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=340,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(1, len(steps) + 1)),
            "ticktext": labels,
            "tickangle": -45 if len(steps) > 16 else 0,
        },
        yaxis={"title": "p(next | context)", "range": [0, 1]},
        legend={"orientation": "h", "y": 1.1},
    )
    return fig
