"""The lecture's keys as the server reads them (ui/lecture/keys.js sends them): the step a press
asks for, whatever the browser sends."""

import pytest

from ui.lecture import N_STEPS, asked_step

pytestmark = pytest.mark.unit


def test_a_press_asks_for_its_step_clamped_to_the_lecture():
    assert asked_step("step:8:3", 7) == 8
    assert asked_step("step:0:4", 7) == 1 and asked_step(f"step:{N_STEPS + 5}:5", 7) == N_STEPS
    assert [asked_step(m, 7) for m in ("next", "prev", "home")] == [8, 6, 1]
    assert asked_step("next", N_STEPS) == N_STEPS and asked_step("prev", 1) == 1


def test_a_press_sent_from_the_board_that_arrives_after_the_step_is_back_turns_the_page():
    """The projector left the board on one press; the next came while the page's keys still said
    "back" (its data not yet redrawn): it reaches the lecture as back:next and turns the page (a
    lecturer's press was lost once in six: the journey of this stop)."""
    assert asked_step("back:next:12", 7) == 8
    assert asked_step("back:prev:13", 7) == 6


@pytest.mark.parametrize("move", [None, 3, "", "step:x:1", "step:99999:1", "back:", "back:sideways:2", "jump"])
def test_anything_else_leaves_the_step(move):
    assert asked_step(move, 7) == 7
