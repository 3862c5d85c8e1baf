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
