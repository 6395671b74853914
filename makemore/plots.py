"""Plotly figures of tables, curves and scores: data in, `go.Figure` out (no Streamlit here)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from makemore.data import Vocab
from makemore.table import Score

VIEWS = ("counts", "probabilities", "log-probabilities")
BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#7f7f7f"


def _label(s: str) -> str:
    """A symbol as it can be seen: a space as '␣', other invisible characters escaped."""
    if s.isspace():
        return "␣"
    return s if s.isprintable() else repr(s)[1:-1]


def heatmap_cells(N: torch.Tensor, P: torch.Tensor, vocab: Vocab, view: str = "counts", prefix: str = "") -> dict:
    """The lecture's bigram figure as plain data for a grid; labels are drawn from x and y.

    N and P are (V, V) slices: rows are the context (after `prefix`, for a trigram), columns the
    next symbol. `z` is the value shown and shaded in each cell; `count` and `p` show on hover.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}")
    chars = [_label(c) for c in vocab.itos]
    z = {"counts": N, "probabilities": P, "log-probabilities": torch.log(P).clamp(min=-20)}[view].tolist()
    return {
        "x": chars,
        "y": [prefix + c for c in chars],
        "view": view,
        "z": [[round(v, 6) for v in row] for row in z] if view != "counts" else z,
        "count": N.tolist(),
        "p": [[round(v, 6) for v in row] for row in P.tolist()],
    }


def matrix(M: torch.Tensor, vocab: Vocab, title: str, diverging: bool = False, height: int = 430) -> go.Figure:
    """A compact unlabelled heatmap of a (V, V) matrix, for comparing tables side by side."""
    chars = [_label(c) for c in vocab.itos]
    zmax = float(M.abs().max()) if diverging else None
    fig = go.Figure(
        go.Heatmap(
            z=M.tolist(),
            x=chars,
            y=chars,
            colorscale="RdBu" if diverging else "Blues",
            zmid=0 if diverging else None,
            zmin=-zmax if diverging else None,
            zmax=zmax,
            hovertemplate="%{y}%{x}: %{z:.4f}<extra></extra>",
            colorbar={"thickness": 10},
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=height,
        margin={"l": 30, "r": 10, "t": 60, "b": 10},
        xaxis={"side": "top", "fixedrange": True, "tickfont": {"size": 9}},
        yaxis={"autorange": "reversed", "scaleanchor": "x", "fixedrange": True, "tickfont": {"size": 9}},
    )
    return fig


def loss_curve(nlls: list[float], epochs: int, floor: float | None, y_top: float | None = None) -> go.Figure:
    """Data NLL per epoch with the count model's NLL as a dashed floor; axes fixed for the whole run."""
    top = y_top if y_top is not None else (max(nlls) if nlls else 4.0)
    bottom = min([*nlls, floor if floor is not None and math.isfinite(floor) else math.inf, top])
    pad = 0.05 * max(top - bottom, 0.1)
    fig = go.Figure(
        go.Scatter(
            x=list(range(1, len(nlls) + 1)),
            y=nlls,
            mode="lines",
            name="neural net (data NLL)",
            line={"color": BLUE, "width": 2.5},
        )
    )
    if floor is not None and math.isfinite(floor):
        fig.add_trace(
            go.Scatter(
                x=[1, max(epochs, 2)],
                y=[floor, floor],
                mode="lines",
                name=f"count model {floor:.4f}",
                line={"color": ORANGE, "dash": "dash", "width": 2},
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"title": "epoch", "range": [1, max(epochs, 2)], "fixedrange": True},
        yaxis={"title": "average NLL", "range": [bottom - pad, top + pad], "fixedrange": True},
        legend={"x": 0.98, "xanchor": "right", "y": 0.98},
        meta=f"{len(nlls)}/{epochs}",
        uirevision="loss",
    )
    return fig


def sweep_curve(rows: list[dict], current: float | None = None) -> go.Figure:
    """Train and dev NLL against smoothing on a log axis, the dev minimum marked (E03)."""
    rows = [r for r in rows if r["smoothing"] > 0]  # 0 has no place on a log axis
    xs = [r["smoothing"] for r in rows]
    fig = go.Figure()
    for split, color in (("train", BLUE), ("dev", ORANGE)):
        fig.add_trace(
            go.Scatter(x=xs, y=[r[split] for r in rows], mode="lines+markers", name=split, line={"color": color})
        )
    best = min(rows, key=lambda r: r["dev"])
    fig.add_trace(
        go.Scatter(
            x=[best["smoothing"]],
            y=[best["dev"]],
            mode="markers+text",
            name="dev minimum",
            marker={"size": 14, "symbol": "star", "color": "crimson"},
            text=[f"best s={best['smoothing']:g}"],
            textposition="top center",
        )
    )
    if current:
        fig.add_vline(x=current, line={"color": GREY, "dash": "dot"}, annotation_text=f"s={current:g}")
    fig.update_layout(
        height=360,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"type": "log", "title": "smoothing s (add-s)"},
        yaxis={"title": "average NLL"},
    )
    return fig


def score_bars(scores: dict[str, Score]) -> go.Figure:
    """Probability of each transition of a word under each model, grouped."""
    fig = go.Figure()
    for (name, sc), color in zip(scores.items(), (BLUE, ORANGE), strict=False):
        labels = [f"{s.context}→{s.next}" for s in sc.steps]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[s.p for s in sc.steps],
                name=f"{name} (NLL {sc.nll:.3f})",
                marker_color=color,
                customdata=[s.nll for s in sc.steps],
                hovertemplate="%{x}: p %{y:.4f}, -log p %{customdata:.3f}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=340,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        yaxis={"title": "p(next | context)"},
        legend={"orientation": "h", "y": 1.1},
    )
    return fig


def row_bars(p: torch.Tensor, vocab: Vocab, drawn: int | None, context: str) -> go.Figure:
    """One row of the table: the distribution the next character is drawn from."""
    chars = [_label(c) for c in vocab.itos]
    colors = [ORANGE if i == drawn else BLUE for i in range(len(chars))]
    fig = go.Figure(go.Bar(x=chars, y=p.tolist(), marker_color=colors, hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    fig.update_layout(
        height=300,
        margin={"l": 50, "r": 10, "t": 40, "b": 30},
        title={"text": f"p(next | {context!r})", "font": {"size": 14}},
        yaxis={"title": "probability"},
        xaxis={"type": "category"},
    )
    return fig
