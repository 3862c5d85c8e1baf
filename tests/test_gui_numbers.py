"""Writing a whole number on the canvas with the mouse: read live, boxed, the bars following
the digit under the mouse, and a canvas that widens for it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from qt_helpers import NONE, draw_in_frame, make_window, send_mouse
from shapes import FOUR, ONE, SEVEN, ZERO, at


@pytest.fixture
def window(qtbot):
    win = make_window(qtbot)
    yield win
    win.close()


def test_a_number_written_with_the_mouse_is_read_whole(window, qtbot):
    canvas = window.canvas
    square = canvas.size()
    assert square.width() == square.height()  # a digit gets a square canvas
    draw_in_frame(canvas, ONE + at(ZERO, 75))
    assert window.last_number == "10"
    assert window.wide_canvas and canvas.width() > 1.3 * canvas.height()  # widened by itself
    draw_in_frame(canvas, at(SEVEN, 175) + at(FOUR, 270))
    assert window.last_number == "1074"
    view = window.prediction_view
    assert view.digits_label.isVisible()
    assert [s for s in view.digits_label.text().split(" · ")][3].startswith("<b>4 ")
    # The bars show the last digit drawn, and the canvas outlines all four.
    reading = window.reading.last_reading
    np.testing.assert_allclose(window.last_probabilities, reading.digits[3].probabilities)
    assert len(canvas._digit_boxes) == 4 and canvas._selected_box == 3
    assert "digit 4 of 4: 4" in view.confidence_label.text()


def test_the_bars_follow_the_digit_under_the_mouse(window):
    canvas = window.canvas
    draw_in_frame(canvas, ONE + at(ZERO, 75) + at(SEVEN, 175))
    reading = window.reading.last_reading
    assert reading.text == "107"
    zero = reading.digits[1]
    over_zero = ((zero.box[0] + zero.box[2]) / 2, (zero.box[1] + zero.box[3]) / 2)
    send_mouse(canvas, QEvent.Type.MouseMove, over_zero, NONE, NONE)
    np.testing.assert_allclose(window.last_probabilities, zero.probabilities)
    assert canvas._selected_box == 1
    assert window.prediction_view.bars.opts["height"][0] == pytest.approx(zero.confidence)
    canvas.leaveEvent(QEvent(QEvent.Type.Leave))  # the mouse leaves: the last digit drawn
    np.testing.assert_allclose(window.last_probabilities, reading.digits[2].probabilities)
    send_mouse(canvas, QEvent.Type.MouseMove, over_zero, NONE, NONE)
    draw_in_frame(canvas, at(FOUR, 270))  # drawing a new digit: its bars, not the hovered
    assert window.last_number == "1074"
    np.testing.assert_allclose(window.last_probabilities,
                               window.reading.last_reading.digits[3].probabilities)


def test_clear_brings_back_the_square_canvas_and_undo_the_number(window, qtbot):
    canvas = window.canvas
    sizes = window.splitter.sizes()
    draw_in_frame(canvas, SEVEN + at(ONE, 100))
    assert window.last_number == "71" and window.wide_canvas
    window.canvas_panel.clear_button.click()
    assert window.last_number is None and not window.wide_canvas
    # The columns come back as they were (Qt may nudge one to its minimum width).
    qtbot.waitUntil(lambda: len(window.splitter.sizes()) == 3 and np.abs(
        np.subtract(window.splitter.sizes(), sizes)).max() <= 20, timeout=1000)
    assert canvas.width() == canvas.height()
    window.undo_action.trigger()
    assert window.last_number == "71"


def test_wide_can_be_chosen_before_writing_and_a_lone_digit_is_unchanged(window):
    canvas = window.canvas
    window.wide_action.trigger()
    assert window.wide_canvas and window.canvas_panel.wide_button.isChecked()
    draw_in_frame(canvas, FOUR)
    assert window.last_number == "4"
    assert canvas._digit_boxes == []  # one digit: no boxes, the view as always
    assert not window.prediction_view.digits_label.isVisible()
    window.canvas_panel.clear_button.click()
    assert window.wide_canvas  # chosen by the user: stays wide when cleared
    window.wide_action.trigger()
    assert not window.wide_canvas


def test_turned_back_by_hand_it_stays_square_until_cleared(window):
    canvas = window.canvas
    draw_in_frame(canvas, ONE + at(ZERO, 75))
    assert window.wide_canvas
    window.wide_action.trigger()
    assert not window.wide_canvas
    draw_in_frame(canvas, at(SEVEN, 175))
    assert window.last_number == "107" and not window.wide_canvas
    window.canvas_panel.clear_button.click()
    draw_in_frame(canvas, ONE + at(ZERO, 75))
    assert window.wide_canvas


def test_a_scribble_may_not_be_a_digit(window):
    rng = np.random.default_rng(3)
    scribble = np.cumsum(rng.normal(0, 15, (60, 2)), axis=0)
    scribble = (scribble - scribble.min(axis=0)) / np.ptp(scribble, axis=0).max() * 100
    draw_in_frame(window.canvas, [scribble], height=0.5, left=-0.25)
    label = window.prediction_view.confidence_label.text()
    assert "may not be a digit (too tangled)" in label
    assert window.prediction_view.digit_label.text().endswith("?")
    window.canvas_panel.clear_button.click()
    draw_in_frame(window.canvas, SEVEN, height=0.5, left=-0.25)
    assert "may not be a digit" not in window.prediction_view.confidence_label.text()
    window.canvas_panel.clear_button.click()
    draw_in_frame(window.canvas, [np.array([[0.0, 0.0], [100.0, 2.0]])], height=0.5)  # a dash
    assert "may not be a digit (too flat)" in window.prediction_view.confidence_label.text()


def test_why_this_answer_colours_the_input_by_the_ink_that_spoke(window, qtbot):
    view = window.prediction_view
    draw_in_frame(window.canvas, FOUR, height=0.5, left=-0.25)
    assert window.reading.last_heat is None  # off by default: nothing computed
    view.heat_button.click()  # made in the background, shown when it arrives
    qtbot.waitUntil(lambda: window.reading.last_heat is not None, timeout=5000)
    heat = window.reading.last_heat
    assert heat.shape == (28, 28)
    assert np.all(heat[window.reading.last_image == 0] == 0) and np.abs(heat).max() > 0
    coloured = view.preview.pixmap().toImage()
    reds = [coloured.pixelColor(x, y).red() - coloured.pixelColor(x, y).green()
            for x in range(0, 112, 4) for y in range(0, 112, 4)]
    assert max(reds) > 60  # some ink is shown red (it pushed the answer up)
    draw_in_frame(window.canvas, ONE, height=0.5, left=0.1)  # a change: a new map follows
    qtbot.waitUntil(lambda: window.reading.last_heat is not None, timeout=5000)
    view.heat_button.click()
    plain = view.preview.pixmap().toImage()
    assert all(plain.pixelColor(x, 50).red() == plain.pixelColor(x, 50).green()
               for x in range(0, 112, 4))  # grey again
