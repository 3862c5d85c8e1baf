"""Splitting drawings and pictures into digits (Qt-free): hand-built stroke sets, the hard
cases the issue names, and whole numbers read by the bundled model."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from shapes import EIGHT, FIVE, FOUR, ONE, PEN, SEVEN, SEVEN_BAR, ZERO, at, line

from digitpad.inference import load_predictor
from digitpad.number_picture import read_number_image
from digitpad.preprocess import render_strokes, strokes_to_mnist
from digitpad.segment import group_strokes, read_number


def test_one_digit_is_one_group_however_many_strokes():
    for digit in (ONE, SEVEN, FOUR, ZERO, EIGHT, FIVE):
        assert group_strokes(digit, PEN) == [list(range(len(digit)))]


def test_two_stroke_four_beside_a_one():
    strokes = FOUR + at(ONE, 90)
    assert group_strokes(strokes, PEN) == [[0, 1], [2]]


def test_crossbar_drawn_after_the_next_digit_started_joins_its_seven():
    strokes = SEVEN + at(ONE, 85) + [SEVEN_BAR]  # 7, then 1, then the 7's bar
    assert group_strokes(strokes, PEN) == [[0, 2], [1]]


def test_touching_digits_stay_apart():
    # The 1's ink touches the 0's (the centre lines are one pen width apart).
    strokes = ZERO + at(ONE, 56 + PEN - 20)
    assert group_strokes(strokes, PEN) == [[0], [1]]


def test_groups_come_left_to_right_whatever_the_drawing_order():
    strokes = at(ONE, 300) + at(ZERO, 0) + at(SEVEN, 150)
    assert group_strokes(strokes, PEN) == [[1], [2], [0]]


def test_empty_strokes_are_skipped():
    strokes = [np.zeros((0, 2)), *ONE, np.zeros((0, 2)), *at(ZERO, 80)]
    assert group_strokes(strokes, PEN) == [[1], [3]]
    assert group_strokes([], PEN) == []


def test_crossing_pieces_are_settled_by_the_reader_or_kept_together():
    # Two 0s written into each other: full-height pieces that cross, partly overlapping.
    strokes = ZERO + at(ZERO, 40)

    def reader_saying(together: float, apart: float):
        def reader(drawings):
            tops = [together] + [apart] * (len(drawings) - 1)
            return np.array([[top] + [(1 - top) / 9] * 9 for top in tops])
        return reader

    assert group_strokes(strokes, PEN) == [[0], [1]]  # no reader: apart
    assert group_strokes(strokes, PEN, reader_saying(0.99, 0.6)) == [[0, 1]]
    assert group_strokes(strokes, PEN, reader_saying(0.5, 0.99)) == [[0], [1]]
    assert group_strokes(strokes, PEN, reader_saying(0.5, 0.99), crossing_together=True) == [
        [0, 1]]


def test_a_slashed_zero_is_one_digit_even_when_each_piece_reads_surer_apart():
    # A continental 0: the slash crosses the 0 off-centre and reaches past it at the top right.
    # Read apart, the 0 and the slash (a 1) both look surer than the slashed 0 together,
    # yet a stroke crossing most of a digit's width is part of it, not a digit written into it.
    slashed = ZERO + [line((14, 104), (72, -6))]
    strokes = ONE + at(slashed, 80)

    def reader(drawings):
        tops = [0.9] + [0.999] * (len(drawings) - 1)
        return np.array([[top] + [(1 - top) / 9] * 9 for top in tops])

    assert group_strokes(strokes, PEN, reader) == [[0], [1, 2]]
    # Two 0s written into each other overlap by an edge only: still the reader's call.
    assert group_strokes(ZERO + at(ZERO, 40), PEN, reader) == [[0], [1]]


@pytest.fixture(scope="module")
def predictor(book_model_path):
    return load_predictor(book_model_path)


def test_a_number_is_read_left_to_right(predictor):
    strokes = ONE + at(ZERO, 75) + at(SEVEN, 175) + at(FOUR, 270)
    reading = read_number(strokes, predictor, PEN)
    assert reading.text == "1074"
    assert [d.pieces for d in reading.digits] == [(0,), (1,), (2,), (3, 4)]
    assert all(d.image.shape == (28, 28) for d in reading.digits)
    assert np.allclose([d.probabilities.sum() for d in reading.digits], 1.0, atol=1e-4)
    # Boxes follow the digits, left to right, without overlapping.
    boxes = [d.box for d in reading.digits]
    assert all(a[2] < b[0] for a, b in pairwise(boxes))
    assert [reading.digit_at(x) for x in (100, -50, 900)] == [1, 0, 3]


def test_a_lone_digit_reads_exactly_as_the_one_digit_path(predictor):
    for digit in (SEVEN, FOUR, FIVE, EIGHT):
        reading = read_number(digit, predictor, PEN)
        assert len(reading.digits) == 1
        expected = predictor(strokes_to_mnist(digit, min_extent=PEN))
        np.testing.assert_allclose(reading.digits[0].probabilities, expected, atol=1e-6)
    assert read_number([], predictor, PEN) is None


def test_a_picture_of_a_number_is_read(predictor):
    strokes = at(SEVEN, 40) + at(ONE, 135) + at(FOUR, 220) + [SEVEN_BAR + [40, 40]]
    strokes = [s + [0, 40] for s in strokes[:-1]] + [strokes[-1]]
    ink = render_strokes(strokes, (180, 330), PEN)
    reading = read_number_image(255 - 230 * ink, predictor)  # dark ink on light paper
    assert reading.text == "714"
    assert len(reading.digits) == 3
    left, _, right, _ = reading.digits[1].box
    assert left >= 120 and right <= 180  # the 1's box, in the picture's pixels
    assert read_number_image(np.full((50, 50), 255.0), predictor) is None


def test_a_speck_far_from_the_digits_of_a_picture_is_not_read_as_a_digit(predictor):
    # Dust, or a crumb of a shadow's edge, well away from the ink: read, it became a "1".
    speck = [line((-60, 110), (-57, 104), steps=3)]
    strokes = [s + [90, 30] for s in [*SEVEN, SEVEN_BAR, *speck]]
    ink = render_strokes(strokes, (180, 220), PEN)
    assert ink[120:, :50].max() > 0.9  # the speck is there, dark and apart
    reading = read_number_image(255 - 230 * ink, predictor)
    assert reading.text == "7"
    # A dot alone is still ink: the line's height is its own.
    assert read_number_image(255 - 230 * render_strokes([s + [90, 30] for s in speck],
                                                         (180, 220), PEN), predictor) is not None


def test_touching_digits_in_a_picture_are_cut_apart(predictor):
    # A wide 4 whose bar runs into a wide 5: one ink blob in the picture, read as one unsure
    # digit unless it is cut.
    def wide(strokes):
        return [stroke * [1.3, 1.0] for stroke in strokes]

    strokes = [s + [20, 20] for s in wide(FOUR) + at(wide(FIVE), 65)]
    ink = render_strokes(strokes, (160, 240), PEN)
    reading = read_number_image(255 - 230 * ink, predictor)
    assert reading.text == "45"
    left, right = reading.digits
    assert left.pieces == right.pieces == (0,)  # one blob...
    assert left.box[2] < right.box[0] + 1  # ...cut into two digits side by side


def test_each_digit_of_a_number_is_read_from_its_own_pen_path_too(predictor):
    """With a pen-path network each digit's own strokes become its path, and each digit's
    reading combines both views; the number's grouping does not change."""
    from digitpad.paths import asset_path
    from digitpad.pen_path import path_features
    from digitpad.two_views import combine

    path_predictor = load_predictor(asset_path("model-pen-path.keras"))
    strokes = ONE + at(ZERO, 75) + at(SEVEN, 175) + at(FOUR, 270)
    alone = read_number(strokes, predictor, PEN)
    both = read_number(strokes, predictor, PEN, path_predictor=path_predictor)
    assert [d.pieces for d in both.digits] == [d.pieces for d in alone.digits]
    for digit, single in zip(both.digits, alone.digits, strict=True):
        own = path_features([strokes[i] for i in digit.pieces])
        np.testing.assert_allclose(digit.path, own, atol=1e-6)
        np.testing.assert_allclose(digit.picture_probabilities, single.probabilities)
        np.testing.assert_allclose(digit.path_probabilities, path_predictor(own), atol=1e-6)
        np.testing.assert_allclose(digit.probabilities,
                                   combine(single.probabilities, path_predictor(own)),
                                   atol=1e-6)
    assert both.text == "1074"
