"""The "may not be a digit" sign: real digits pass, dashes, scribbles and dots do not."""

from __future__ import annotations

import numpy as np
import pytest
from shapes import EIGHT, FIVE, FOUR, ONE, PEN, SEVEN, ZERO

from digitpad.certainty import doubt


def scribble(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.cumsum(rng.normal(0, 15, (60, 2)), axis=0)]


def test_hand_built_digits_are_digits():
    for digit in (ONE, SEVEN, FOUR, ZERO, EIGHT, FIVE):
        assert doubt(digit, PEN) is None


@pytest.mark.parametrize(("drawing", "reason"), [
    ([np.array([[0.0, 0.0], [120.0, 3.0]])], "too flat"),
    (scribble(1), "too tangled"),
    (scribble(2), "too tangled"),
    ([np.array([[5.0, 5.0]])], "a dot"),
    ([np.array([[i * 10.0, (i % 2) * 60.0] for i in range(14)])], "too tangled"),
])
def test_non_digits_are_doubted(drawing, reason):
    assert doubt(drawing, PEN) == reason


def test_empty_drawing_has_no_verdict():
    assert doubt([], PEN) is None


def test_mnist_test_digits_traced_as_strokes_pass(mnist):
    from digitpad.skeleton import digit_strokes

    (_, _), (x_test, _) = mnist
    drawings = [s for s in (digit_strokes(x_test[i]) for i in range(600)) if s]
    flagged = sum(doubt(d, 2.6) is not None for d in drawings)
    assert flagged <= 0.02 * len(drawings)


def test_the_digits_of_a_number_are_doubted_at_once_as_each_alone():
    """A number's digits are measured in one pass (read_number asks for all of them): each
    gets the verdict it gets alone, whatever its neighbours and their sizes. A big 8 drawn
    with a shaky hand (a mouse's jitter, many points) beside a small 7 is still a digit: its
    turning is measured at its own size, so the jitter does not count."""
    from digitpad.certainty import doubts

    rng = np.random.default_rng(0)

    def shaky(stroke: np.ndarray) -> np.ndarray:
        along = np.linspace(0, 1, (len(stroke) - 1) * 20 + 1)
        dense = np.stack([np.interp(along, np.linspace(0, 1, len(stroke)), stroke[:, i])
                          for i in (0, 1)], axis=1)
        return dense + rng.normal(0, 0.5, dense.shape)

    small_seven = [s * (3.5 * PEN / np.ptp(np.concatenate(SEVEN), axis=0).max()) for s in SEVEN]
    drawings = [small_seven, [shaky(s * 4) for s in EIGHT], ONE, scribble(1),
                [np.array([[5.0, 5.0]])], [], [np.array([[0.0, 0.0], [120.0, 3.0]])],
                scribble(2), FOUR]
    alone = [doubt(d, PEN) for d in drawings]
    assert doubts(drawings, PEN) == alone
    assert alone[:3] == [None, None, None] and alone.count("too tangled") == 2
