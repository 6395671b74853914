"""The MLP's figures (makemore part 2): its loss curve, its embedding scatter, and the crossover chart."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from makemore.plots.style import BLUE, GREY, symbol_label

RED = "#d62728"  # the MLP's colour in every chart
MAX_POINTS = 20_000  # a finished curve longer than this is drawn from every k-th step

# the anchors' own figures, each on its own data and split (not this page's): n, NLL, mark, in full
ANCHORS = (
    (4, 2.1118, "ngram 2.1118", "EurekaLabsAI/ngram: counts n=4, smoothing 0.1, val 2.1118 (its own split)"),
    (3, 2.17, "part 2 ~2.17", "makemore part 2: MLP context 3, dev ~2.17 (the lecture's split)"),
    (8, 2.03, "part 5 ~2.03", "makemore part 5: context 8, dev ~2.03 (the lecture's split)"),
)


LOG_TICKS = (0.5, 0.7, 1, 1.5, 2, 2.5, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 100)


def log_axis(values: list[float], floor: float | None) -> dict:
    """A logarithmic y axis holding every finite positive value and the floor: the lecture plots
    the minibatch loss's log10, whose first steps (~25 without part 3's fix) dwarf the rest."""
    ys = [y for y in [*values, floor] if y is not None and math.isfinite(y) and y > 0]
    if not values:  # before a run: from the floor up to about where a run starts (ln 27 ~ 3.3)
        ys += [2.0, 4.0]
    a, b = math.log10(min(ys)), math.log10(max(ys))
    pad = 0.08 * max(b - a, 0.1)  # a dev marker (8 px) at the top or bottom stays whole
    lo, hi = a - pad, b + pad
    # labelled in full: Plotly's own labels on a short log axis read "2" for 20 after "10"
    ticks = [t for t in LOG_TICKS if lo <= math.log10(t) <= hi]
    while len(ticks) > 7:
        ticks = ticks[::2]
    return {"type": "log", "range": [lo, hi], "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def mlp_curve(
    losses: list[float], steps: int, dev: list[tuple[int, float]], floor: float | None, floor_label: str = ""
) -> go.Figure:
    """The minibatch loss per step on a log axis (the lecture plots its log10) and the dev NLL
    where the run measured it; `floor` a reference line (the count model's dev NLL at the same
    context). A curve longer than MAX_POINTS keeps one step in k (its legend says k)."""
    every = max(1, math.ceil(len(losses) / MAX_POINTS))
    xs = list(range(1, len(losses) + 1, every))
    ys = losses[::every]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="minibatch loss" + (f" (one step in {every})" if every > 1 else ""),
            meta="run",
            line={"color": RED, "width": 1},
            opacity=0.75,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[x for x, _ in dev],
            y=[y for _, y in dev],
            mode="markers",
            name="dev NLL",
            meta="dev",
            marker={"color": "white", "size": 8, "line": {"color": "#111111", "width": 2}},
            cliponaxis=False,  # the first point sits on the axis (step 1): drawn whole
        )
    )
    if floor is not None and math.isfinite(floor):
        fig.add_trace(
            go.Scatter(
                x=[1, max(steps, 2)],
                y=[floor, floor],
                mode="lines",
                name=floor_label or f"count model {floor:.4f}",
                meta="floor",
                line={"color": BLUE, "dash": "dash", "width": 2},
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"title": "step", "range": [1, max(steps, 2)], "fixedrange": True},
        yaxis={
            "title": "loss (nats, log scale)",
            "fixedrange": True,
            **log_axis([*losses, *(y for _, y in dev)], floor),
        },
        legend={"x": 0.98, "xanchor": "right", "y": 0.98},
        meta=f"{len(losses)}/{steps}",
        uirevision="mlp_loss",
    )
    return fig


def embedding_xy(C: torch.Tensor) -> tuple[torch.Tensor, str]:
    """Two coordinates per character: C's own two dimensions when d = 2, else the first two
    principal components of C (centred); and the axes' names."""
    C = C.detach().double()
    if C.shape[1] == 2:
        return C, "dimension"
    centred = C - C.mean(0)
    _, _, Vh = torch.linalg.svd(centred, full_matrices=False)
    return centred @ Vh[:2].T, "principal component"


def embedding(C: torch.Tensor, itos: list[str], title: str) -> go.Figure:
    """The lecture's scatter of C: one point per character with the character written on it."""
    xy, axis = embedding_xy(C)
    fig = go.Figure(
        go.Scatter(
            x=xy[:, 0].tolist(),
            y=xy[:, 1].tolist(),
            mode="markers+text",
            text=[symbol_label(c) for c in itos],
            textfont={"color": "white", "size": 12},
            marker={"size": 22, "color": RED},
            hovertemplate="%{text}: (%{x:.3f}, %{y:.3f})<extra></extra>",
            meta="embedding",
        )
    )
    fig.update_layout(
        title={"text": title},
        height=420,
        margin={"l": 50, "r": 10, "t": 50, "b": 40},
        xaxis={"title": f"{axis} 1", "fixedrange": True},
        yaxis={"title": f"{axis} 2", "fixedrange": True},
        showlegend=False,
    )
    return fig


def crossover_chart(rows: list[dict], mlp_label: str = "MLP") -> go.Figure:
    """Dev NLL against context length n: the count model at its best smoothing and the MLP (train
    dotted), with the anchors' figures as labelled marks on their own data."""
    fig = go.Figure()
    ns = [r["n"] for r in rows]
    fig.add_trace(
        go.Scatter(
            x=ns, y=[r["count_dev"] for r in rows], mode="lines+markers", name="counts: dev", line={"color": BLUE}
        )
    )
    fig.add_trace(
        go.Scatter(
            x=ns,
            y=[r["count_train"] for r in rows],
            mode="lines",
            name="counts: train",
            line={"color": BLUE, "dash": "dot", "width": 1.5},
        )
    )
    trained = [r for r in rows if "mlp_dev" in r]
    fig.add_trace(
        go.Scatter(
            x=[r["n"] for r in trained],
            y=[r["mlp_dev"] for r in trained],
            mode="lines+markers",
            name=f"{mlp_label}: dev",
            line={"color": RED},
            meta="mlp_dev",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r["n"] for r in trained],
            y=[r["mlp_train"] for r in trained],
            mode="lines",
            name=f"{mlp_label}: train",
            line={"color": RED, "dash": "dot", "width": 1.5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[n for n, *_ in ANCHORS],
            y=[y for _, y, *_ in ANCHORS],
            mode="markers+text",
            name="their figures, on their own data",
            text=[mark for *_, mark, _ in ANCHORS],
            hovertext=[full for *_, full in ANCHORS],
            hoverinfo="text",
            # clear of the two dev curves; the last (n = 8, the right edge) reads leftwards, inside the plot
            textposition=["middle right", "top center", "top left"],
            textfont={"size": 11, "color": GREY},
            marker={"symbol": "diamond-open", "size": 11, "color": GREY, "line": {"width": 2}},
            meta="anchors",
        )
    )
    devs = [r["count_dev"] for r in rows] + [r["mlp_dev"] for r in trained] + [y for _, y, *_ in ANCHORS]
    lo = min(devs + [r["mlp_train"] for r in trained] + [r["count_train"] for r in rows])
    hi = max(devs)
    fig.update_layout(
        height=460,
        margin={"l": 50, "r": 10, "t": 20, "b": 40},
        xaxis={"title": "context length n (characters)", "dtick": 1, "range": [0.6, 8.4], "fixedrange": True},
        yaxis={"title": "NLL (nats)", "range": [max(0.0, lo - 0.05), min(hi + 0.1, 3.5)], "fixedrange": True},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.18, "yanchor": "top"},
    )
    return fig
