"""Training and smoothing curves: the loss per epoch with its floor and earlier runs, the E03 sweep."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from makemore.plots.style import BLUE, GREY, ORANGE

EARLIER_COLORS = ["#9467bd", "#2ca02c", "#d62728", "#8c564b", "#e377c2"]  # none of BLUE, ORANGE


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


def _nlls(points) -> list[float]:
    """A run's data NLL per epoch, from what the engine returns (Records) or from the numbers."""
    return [float(getattr(p, "nll", p)) for p in points]


def loss_curve(
    records,
    epochs: int | None = None,
    floor: float | None = None,
    stop: int | None = None,
    earlier: list[tuple[str, list]] = (),
) -> go.Figure:
    """Data NLL per epoch with the count model's NLL as a dashed floor; every finite point is in range.

    records: what `fit_neural` returns beside the table (a list of Record), or their NLLs as numbers.
    epochs: the x axis' length (default: as many as there are records).
    floor: the count model's NLL, drawn dashed; None draws none.
    stop: the epoch at which a run left (diverged), marked with a red line.
    earlier: (label, records or NLLs) of the session's earlier runs, drawn fainter beneath, oldest first.

        net, records = mm.fit_neural(mm.count_matrix(words, vocab), vocab, 1, mm.TrainConfig())
        mm.plots.loss_curve(records, floor=mm.nll(counts, words))"""
    nlls = _nlls(records)
    epochs = len(nlls) if epochs is None else epochs
    earlier = [(label, _nlls(run)) for label, run in earlier]
    fig = go.Figure()
    for n, (label, ys) in enumerate(earlier):
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(ys) + 1)),
                y=ys,
                mode="lines",
                name=label,
                opacity=0.85,
                line={"color": EARLIER_COLORS[n % len(EARLIER_COLORS)], "width": 2.2, "dash": "dot"},
            )
        )
        last = next((i for i in range(len(ys) - 1, -1, -1) if math.isfinite(ys[i])), None)
        if last is not None:  # its label at the line's end: a projector's legend is too far away
            fig.add_annotation(
                x=last + 1,
                y=ys[last],
                text=label,
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font={"color": EARLIER_COLORS[n % len(EARLIER_COLORS)]},
                name="earlier",  # its colour stays (ui/components/plotly_view/plotly_view.js)
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
        # the words on the side of the line with room for them; the legend off the curve, which a
        # run that left runs along the top
        right = stop > 0.6 * fig.layout.xaxis.range[1]
        fig.add_vline(
            x=stop,
            line={"color": "crimson", "dash": "dot"},
            annotation_text=f"diverged at epoch {stop}",
            annotation_position="top left" if right else "top right",
        )
        fig.update_layout(legend={"y": 0.5, "yanchor": "middle"})
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
    if current is not None:  # s = 0 has no place on the log axis: the marker is there, hidden
        at = current if current > 0 else xs[0]
        fig.add_vline(x=at, line={"color": GREY, "dash": "dot", "width": 2}, visible=current > 0)
        # an annotation on a log axis is placed in log10 units (the line is not): at x=s its label
        # sent the axis to 10^s
        fig.add_annotation(
            x=math.log10(at),
            y=1,
            yref="paper",
            text=f"s={current:g}",
            showarrow=False,
            yanchor="bottom",
            visible=current > 0,
        )
    fig.update_layout(
        height=360,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"type": "log", "title": "smoothing s (add-s)", "dtick": 1},  # 0.01, 0.1, …: no small labels
        yaxis={"title": "average NLL"},
    )
    return fig
