"""Plotly figures: data in, `go.Figure` out (no Streamlit here), one module per idea:
tables (heatmap, matrix, scores), curves (loss, sweep), lecture (the lecture's own figures)."""

from makemore.plots.curves import EARLIER_COLORS, extent, loss_axis, loss_curve, sweep_curve
from makemore.plots.lecture import (
    forward,
    length_bars,
    one_hot,
    pair_counts,
    pair_losses,
    regularization_vs_smoothing,
    row_bars,
    w_vs_log_counts,
)
from makemore.plots.style import BLUE, GREEN, GREY, MODEL_COLORS, ORANGE, PURPLE, symbol_label
from makemore.plots.tables import VIEWS, heatmap, heatmap_cells, matrix, score_bars

__all__ = [
    "BLUE",
    "EARLIER_COLORS",
    "GREEN",
    "GREY",
    "MODEL_COLORS",
    "ORANGE",
    "PURPLE",
    "VIEWS",
    "extent",
    "forward",
    "heatmap",
    "heatmap_cells",
    "length_bars",
    "loss_axis",
    "loss_curve",
    "matrix",
    "one_hot",
    "pair_counts",
    "pair_losses",
    "regularization_vs_smoothing",
    "row_bars",
    "score_bars",
    "sweep_curve",
    "symbol_label",
    "w_vs_log_counts",
]
