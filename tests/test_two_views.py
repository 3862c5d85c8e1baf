"""Two views of one drawing: the picture's and the pen path's probabilities, combined."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.pen_path import FEATURES, POINTS
from digitpad.two_views import TwoViewReader, combine

SEVEN = [[(0, 0), (10, 0), (4, 20)]]


def sure(digit: int, confidence: float) -> np.ndarray:
    p = np.full(10, (1 - confidence) / 9)
    p[digit] = confidence
    return p


def test_combination_sums_log_probabilities_and_weighs_the_path():
    picture, path = sure(3, 0.6), sure(9, 0.99)
    both = combine(picture, path)
    assert both.sum() == pytest.approx(1.0) and int(both.argmax()) == 9
    np.testing.assert_allclose(combine(picture, path, 0.0, bias=None), picture)
    assert int(combine(sure(3, 0.99), sure(9, 0.6)).argmax()) == 3  # the surer view wins
    batch = combine(np.stack([picture] * 4), np.stack([path] * 4))
    assert batch.shape == (4, 10)


def test_the_bias_settles_close_calls_only():
    """A 1 with a long flag, which both views find a little more like a 7, is read as 1;
    a drawing both views are sure of is read as they say, whatever the bias."""
    leaning = np.full(10, 0.01)
    leaning[[1, 7]] = 0.42, 0.50
    assert int(combine(leaning, leaning).argmax()) == 1
    for digit in range(10):
        assert int(combine(sure(digit, 0.95), sure(digit, 0.9)).argmax()) == digit


def test_reader_gives_each_network_its_own_view():
    seen = {}

    def picture(image):
        seen["picture"] = image.shape
        return sure(3, 0.6)

    def path(features):
        seen["path"] = features.shape
        return sure(9, 0.99)

    reading = TwoViewReader(picture, path).read(SEVEN)
    assert seen == {"picture": (28, 28), "path": (POINTS, FEATURES)}
    assert reading.digit == 9 and reading.disagree
    assert int(reading.picture_probabilities.argmax()) == 3
    alone = TwoViewReader(picture).read(SEVEN)
    assert alone.digit == 3 and alone.path is None and not alone.disagree
    assert TwoViewReader(picture, path).read([]) is None
