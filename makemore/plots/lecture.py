"""The lecture's own figures: one row as bars, name lengths, one-hot inputs, a forward pass, W against log counts."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from makemore.data import Vocab
from makemore.plots.style import BLUE, ORANGE, symbol_label


def row_bars(p: torch.Tensor, vocab: Vocab, drawn: int | None, context: str) -> go.Figure:
    """One row of the table: the distribution the next character is drawn from."""
    chars = [symbol_label(c) for c in vocab.itos]
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


def length_bars(words: list[str], height: int = 360) -> go.Figure:
    """How many words have each length."""
    lengths: dict[int, int] = {}
    for w in words:
        lengths[len(w)] = lengths.get(len(w), 0) + 1
    xs = sorted(lengths)
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=[lengths[x] for x in xs],
            marker_color=BLUE,
            hovertemplate="%{x} letters: %{y:,} words<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 20, "b": 45},
        xaxis={"title": "length (characters)", "dtick": 2},
        yaxis={"title": "words"},
    )
    return fig


def one_hot(xs: list[int], vocab: Vocab, rows: list[str], height: int = 360) -> go.Figure:
    """The one-hot matrix of a word's inputs: one row per example, a 1 in the column of its character.

    rows are the row labels as they are shown (the caller makes a symbol visible)."""
    chars = [symbol_label(c) for c in vocab.itos]
    z = [[1 if j == x else 0 for j in range(len(chars))] for x in xs]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=chars,
            y=rows,
            colorscale=[[0, "rgba(128,128,128,0.12)"], [1, BLUE]],
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="input %{y}, column %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 40, "b": 10},
        xaxis={"side": "top", "tickmode": "array", "tickvals": chars, "title": None, "fixedrange": True},
        yaxis={
            "autorange": "reversed",
            "title": "input",
            "fixedrange": True,
            "tickmode": "array",
            "tickvals": rows,
        },
    )
    return fig


def forward(logits: torch.Tensor, probs: torch.Tensor, vocab: Vocab, target: int, height: int = 420) -> go.Figure:
    """One example's forward pass: the logits (its row of W), then softmax; the true next character in orange."""
    from plotly.subplots import make_subplots

    chars = [symbol_label(c) for c in vocab.itos]
    colors = [ORANGE if i == target else BLUE for i in range(len(chars))]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    for row, (values, name) in enumerate(
        ((logits, "logits = x @ W"), (logits.exp(), "counts = exp(logits)"), (probs, "p = counts / sum")), start=1
    ):
        fig.add_trace(
            go.Bar(
                x=chars,
                y=values.tolist(),
                marker_color=colors,
                name=name,
                hovertemplate="%{x}: %{y:.4f}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text=name.split(" =")[0], row=row, col=1, fixedrange=True)
    fig.update_layout(height=height, margin={"l": 60, "r": 10, "t": 10, "b": 30}, showlegend=False, bargap=0.15)
    fig.update_xaxes(type="category", fixedrange=True)
    return fig


def w_vs_log_counts(W: torch.Tensor, N: torch.Tensor, height: int = 420) -> go.Figure:
    """Each cell's weight against the log of its count (+1), both centred per row: the net learns log counts."""
    Wc = W - W.mean(1, keepdim=True)
    L = torch.log(N.double() + 1)
    Lc = L - L.mean(1, keepdim=True)
    fig = go.Figure(
        go.Scatter(
            x=Lc.flatten().tolist(),
            y=Wc.flatten().tolist(),
            mode="markers",
            marker={"size": 5, "color": BLUE, "opacity": 0.6},
            hovertemplate="log count %{x:.2f}, W %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 20, "b": 45},
        xaxis={"title": "log(N + 1), centred per row"},
        yaxis={"title": "W, centred per row"},
    )
    return fig


def regularization_vs_smoothing(
    smoothing_rows: list[tuple[float, float]], reg_rows: list[tuple[float, float]], height: int = 420
) -> go.Figure:
    """The count model's NLL against its smoothing s and the net's against its penalty λ, on one chart
    (two log x axes): both trade fit for flatness the same way."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[s for s, _ in smoothing_rows],
            y=[v for _, v in smoothing_rows],
            mode="lines+markers",
            name="count model: smoothing s (bottom axis)",
            line={"color": ORANGE},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r for r, _ in reg_rows],
            y=[v for _, v in reg_rows],
            mode="lines+markers",
            name="neural net: regularization λ (top axis)",
            line={"color": BLUE},
            xaxis="x2",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 60, "b": 45},
        xaxis={"type": "log", "title": "smoothing s"},
        xaxis2={"type": "log", "title": "regularization λ", "overlaying": "x", "side": "top"},
        yaxis={"title": "average NLL of the data"},
        legend={"x": 0.02, "y": 0.98},
    )
    return fig


def pair_counts(pairs: list[str], counts: list[int], height: int = 360) -> go.Figure:
    """How often each pair of one name occurs in the whole list: what the count model learns from."""
    labels = [f"{i + 1}: {symbol_label(p)}" for i, p in enumerate(pairs)]  # a name may repeat a pair
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker_color=BLUE,
            text=[f"{c:,}" for c in counts],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,} times<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
        title={"text": "each pair, counted over the whole list"},
        yaxis={"title": "times in the data", "rangemode": "tozero"},
        xaxis={"title": None, "type": "category"},
    )
    return fig


def pair_losses(pairs: list[str], nlls: list[float], height: int = 360) -> go.Figure:
    """−log p of each pair of one name, and their average: the name's NLL."""
    labels = [f"{i + 1}: {symbol_label(p)}" for i, p in enumerate(pairs)]
    shown = [v if math.isfinite(v) else None for v in nlls]
    finite = [v for v in nlls if math.isfinite(v)]
    mean = sum(nlls) / len(nlls) if nlls else 0.0
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=shown,
            marker_color=ORANGE,
            text=[f"{v:.3f}" if math.isfinite(v) else "∞" for v in nlls],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: −log p = %{y:.4f}<extra></extra>",
        )
    )
    if math.isfinite(mean):
        fig.add_hline(y=mean, line={"color": BLUE, "dash": "dash", "width": 2})
        fig.add_annotation(
            x=1, xref="paper", y=mean, text=f"average {mean:.4f}", showarrow=False, xanchor="right", yanchor="bottom"
        )
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 10, "t": 30, "b": 40},
        yaxis={"title": "−log p", "rangemode": "tozero", "range": [0, 1.2 * max(finite, default=1.0)]},
        xaxis={"title": None, "type": "category"},
    )
    return fig
