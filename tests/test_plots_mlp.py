"""The MLP's figures: the embedding's coordinates, the curve's log axis, the crossover chart's marks."""

import math

import pytest
import torch

from makemore.plots.mlp import ANCHORS, MAX_POINTS, crossover_chart, embedding_xy, log_axis, mlp_curve

pytestmark = pytest.mark.unit


def test_the_embedding_is_c_itself_at_d_2_and_its_principal_components_beyond():
    C = torch.randn(27, 2, generator=torch.Generator().manual_seed(1))
    xy, axis = embedding_xy(C)
    assert axis == "dimension" and torch.equal(xy, C.double())
    C = torch.randn(27, 10, generator=torch.Generator().manual_seed(1))
    xy, axis = embedding_xy(C)
    assert axis == "principal component" and xy.shape == (27, 2)
    centred = C.double() - C.double().mean(0)
    top = torch.linalg.svdvals(centred)[:2] ** 2  # the variance the two components keep
    assert torch.allclose((xy**2).sum(0), top)


def test_the_log_axis_holds_every_point_and_the_floor():
    axis = log_axis([25.0, 3.0, 1.9], 2.1)
    lo, hi = axis["range"]
    assert axis["type"] == "log" and lo < math.log10(1.9) and hi > math.log10(25.0)
    before = log_axis([], 2.1)["range"]  # before a run: room for where a run starts
    assert before[0] < math.log10(2.1) and before[1] > math.log10(3.3)
    # every label is its number in full (Plotly's own read "2" for 20 after "10"), inside the range
    ticks = dict(zip(axis["tickvals"], axis["ticktext"], strict=True))
    assert 3 <= len(ticks) <= 7 and all(float(text) == value for value, text in ticks.items()), ticks
    assert all(lo <= math.log10(v) <= hi for v in ticks) and any(v > 10 for v in ticks), ticks


def test_a_long_curve_is_thinned_and_says_so():
    fig = mlp_curve([3.0] * (2 * MAX_POINTS + 10), 2 * MAX_POINTS + 10, [(1, 3.0)], 2.1)
    run = next(t for t in fig.data if t.meta == "run")
    assert len(run.y) <= MAX_POINTS and "one step in 3" in run.name


def test_the_crossover_chart_marks_the_anchors_as_theirs():
    rows = [{"n": n, "count_dev": 2.5, "count_train": 2.0} for n in range(1, 9)]
    fig = crossover_chart(rows)
    anchors = next(t for t in fig.data if t.meta == "anchors")
    assert list(anchors.x) == [n for n, *_ in ANCHORS] and "own data" in anchors.name
    assert all("split" in h for h in anchors.hovertext)
