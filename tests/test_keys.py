"""The lecture's keys as the server reads them (ui/lecture/keys.js sends them): the step a press
asks for, whatever the browser sends."""

import pytest

from ui.lecture import N_STEPS, asked_step, fresh_move, seq_of

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


def test_a_press_is_handled_once_whatever_times_the_page_sends_it():
    """keys.js sends a press again until a run says it handled it (a rerun that starts before the
    press's run read the keys drops its trigger: the lecturer's clicker died on the board as answers
    arrived, 4 presses in 16 sent 50-100 ms after a console action). The server takes each number once."""
    assert fresh_move("step:8:3", 2) == "step:8:3" and fresh_move("back:next:4", 3) == "back:next:4"
    assert fresh_move("step:8:3", 3) is None and fresh_move("back:next:4", 9) is None  # sent again, handled
    assert [seq_of(m) for m in ("step:8:3", "back:prev:13", "next", "step:8:x", "step:8:" + "9" * 12)] == [
        3, 13, None, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize("move", [None, 3, "", "next", "step:8", "back:next:-1", "back:next:1e3"])
def test_a_move_without_its_number_is_not_a_press(move):
    assert fresh_move(move, 0) is None
