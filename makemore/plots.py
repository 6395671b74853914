"""Plotly figures of tables, curves and scores: data in, `go.Figure` out (no Streamlit here)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from makemore.data import Vocab
from makemore.table import Score

VIEWS = ("counts", "probabilities", "log-probabilities")
BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#7f7f7f"


def symbol_label(s: str) -> str:
    """Symbols as they can be seen: a space as '␣', other invisible characters escaped."""
    return "".join("␣" if c.isspace() else c if c.isprintable() else repr(c)[1:-1] for c in s)


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
    M: torch.Tensor, vocab: Vocab, title: str, diverging: bool = False, prefix: str = "", height: int = 430
) -> go.Figure:
    """A square heatmap of a (V, V) matrix with every symbol labelled, for comparing tables side by side.

    The browser component sizes it square to its column (layout.meta "square")."""
    chars = [symbol_label(c) for c in vocab.itos]
    rows = [symbol_label(prefix) + c for c in chars]
    zmax = float(M.abs().max()) if diverging else None
    fig = go.Figure(
        go.Heatmap(
            z=M.tolist(),
            x=chars,
            y=rows,
            colorscale="RdBu" if diverging else "Blues",
            zmid=0 if diverging else None,
            zmin=-zmax if diverging else None,
            zmax=zmax,
            hovertemplate="context %{y}, next %{x}: %{z:.4f}<extra></extra>",
            colorbar={"thickness": 10, "tickfont": {"size": 11}},
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


def extent(earlier: list[tuple[str, list[float]]]) -> list[float]:
    """The lowest and highest finite loss of the earlier runs (what the y axis must also hold)."""
    ys = [y for _, run in earlier for y in run if math.isfinite(y)]
    return [min(ys), max(ys)] if ys else []


def loss_axis(nlls: list[float], floor: float | None) -> dict:
    """A y axis holding every finite loss and the floor with a little room: linear, or logarithmic
    when the losses span more than a factor of 50 (a run blowing up), so the start stays readable."""
    ys = [y for y in nlls if math.isfinite(y)]
    if floor is not None and math.isfinite(floor):
        ys.append(floor)
    if not nlls:  # before a run: from below the floor up to where a random W starts (~ln 27 + 0.5)
        return {"type": "linear", "range": [min([*ys, 2.5]) - 0.1, 4.0]}
    lo, hi = min(ys), max(ys)
    if lo > 0 and hi / lo > 50:
        a, b = math.log10(lo), math.log10(hi)
        return {"type": "log", "range": [a - 0.05 * (b - a), b + 0.05 * (b - a)]}
    pad = 0.05 * max(hi - lo, 0.1)
    return {"type": "linear", "range": [lo - pad, hi + pad]}


EARLIER_COLORS = ["#7f7f7f", "#9467bd", "#2ca02c", "#8c564b", "#e377c2"]


def loss_curve(
    nlls: list[float],
    epochs: int,
    floor: float | None,
    stop: int | None = None,
    earlier: list[tuple[str, list[float]]] = (),
) -> go.Figure:
    """Data NLL per epoch with the count model's NLL as a dashed floor; every finite point is in range.

    stop: the epoch at which a run left (diverged), marked with a red line.
    earlier: (label, nlls) of the session's earlier runs, drawn fainter beneath, oldest first."""
    fig = go.Figure()
    for n, (label, ys) in enumerate(earlier):
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(ys) + 1)),
                y=ys,
                mode="lines",
                name=label,
                opacity=0.55,
                line={"color": EARLIER_COLORS[n % len(EARLIER_COLORS)], "width": 1.5},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=list(range(1, len(nlls) + 1)),
            y=nlls,
            mode="lines",
            name="neural net (data NLL)" if not earlier else "this run",
            meta="run",
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
                meta="floor",
                line={"color": ORANGE, "dash": "dash", "width": 2},
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"title": "epoch", "range": [1, max(epochs, 2, *(len(ys) for _, ys in earlier))], "fixedrange": True},
        yaxis={"title": "average NLL", "fixedrange": True, **loss_axis([*nlls, *extent(earlier)], floor)},
        legend={"x": 0.98, "xanchor": "right", "y": 0.98},
        meta=f"{len(nlls)}/{epochs}",
        uirevision="loss",
    )
    if stop is not None:
        fig.add_vline(x=stop, line={"color": "crimson", "dash": "dot"}, annotation_text=f"diverged at epoch {stop}")
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
        fig.add_vline(x=current, line={"color": GREY, "dash": "dot"})
        # an annotation on a log axis is placed in log10 units (the line is not): at x=s its label
        # sent the axis to 10^s
        fig.add_annotation(
            x=math.log10(current), y=1, yref="paper", text=f"s={current:g}", showarrow=False, yanchor="bottom"
        )
    fig.update_layout(
        height=360,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"type": "log", "title": "smoothing s (add-s)"},
        yaxis={"title": "average NLL"},
    )
    return fig


def score_bars(scores: dict[str, Score]) -> go.Figure:
    """Probability of each transition of a word under each model: one bar per transition, in order
    (x is the step number, so a pair that occurs twice gets two bars, not one stacked bar)."""
    fig = go.Figure()
    steps = next(iter(scores.values())).steps
    labels = [f"{symbol_label(s.context)}→{symbol_label(s.next)}" for s in steps]
    for (name, sc), color in zip(scores.items(), (BLUE, ORANGE), strict=False):
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
    """The one-hot matrix of a word's inputs: one row per example, a 1 in the column of its character."""
    chars = [symbol_label(c) for c in vocab.itos]
    z = [[1 if j == x else 0 for j in range(len(chars))] for x in xs]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=chars,
            y=[symbol_label(r) for r in rows],
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
            "tickvals": [symbol_label(r) for r in rows],
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
