"""Drawing-like augmentation keeps shape, range and label, and is reproducible with a seed."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.augment import (
    AugmentConfig,
    augment_batch,
    change_thickness,
    redraw_strokes,
    warp_images,
)
from digitpad.inference import load_predictor
from digitpad.paths import asset_path
from digitpad.pen import read_rendered


@pytest.fixture(scope="module")
def pen():
    return read_rendered()


@pytest.fixture(scope="module")
def pen_test(pen):
    x, y = pen.part("test")
    return x[:400].astype(np.float32) / 255, y[:400], pen.stroke_lists("test")[:400]


def test_shape_range_and_reproducibility(pen_test):
    x, _, strokes = pen_test
    picked = [s if i % 3 == 0 else None for i, s in enumerate(strokes)]
    a = augment_batch(x, np.random.default_rng(7), picked)
    b = augment_batch(x, np.random.default_rng(7), picked)
    c = augment_batch(x, np.random.default_rng(8), picked)
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert np.abs(a - x).mean() > 0.01  # it changes the images
    np.testing.assert_array_equal(x, pen_test[0])  # and never the input


def test_labels_survive_augmentation(pen_test):
    """The bundled convnet still reads the augmented digits about as well: the label is
    kept (a 6 does not turn into a 9, a 1 into a 7)."""
    x, y, strokes = pen_test
    predictor = load_predictor(asset_path("model-convnet.keras"))
    plain = (predictor(x).argmax(1) == y).mean()
    rng = np.random.default_rng(0)
    for batch in (augment_batch(x, rng), augment_batch(x, rng, strokes)):
        accuracy = (predictor(batch).argmax(1) == y).mean()
        print(f"plain {plain:.3f} augmented {accuracy:.3f}")
        assert accuracy > plain - 0.04


def test_each_change_alone():
    rng = np.random.default_rng(1)
    bar = np.zeros((1, 28, 28), np.float32)
    bar[0, 4:24, 13:15] = 1.0  # a vertical "1"
    turned = warp_images(bar, rng, AugmentConfig(rotation_deg=30, shear=0, scale=(1, 1),
                                                  shift_px=0, elastic_px=0))
    assert turned.shape == bar.shape and abs(turned.sum() - bar.sum()) < 0.1 * bar.sum()
    assert not np.allclose(turned, bar, atol=0.1)
    widths = [change_thickness(bar, np.random.default_rng(s), AugmentConfig(thickness_share=1))
              [0].sum() for s in range(20)]
    assert min(widths) < bar.sum() < max(widths)  # both thinner and thicker
    seven = [np.array([[0, 0], [10, 0], [4, 16]], float)]
    image = redraw_strokes(seven, rng)
    assert image.shape == (28, 28) and image.max() == pytest.approx(1.0, abs=0.05)


def test_empty_batch():
    empty = np.zeros((0, 28, 28), np.float32)
    assert augment_batch(empty, np.random.default_rng(0)).shape == (0, 28, 28)


def test_styles_add_one_stroke_to_zeros_ones_and_sevens_only():
    from digitpad.augment import add_style

    rng = np.random.default_rng(3)
    one = [np.array([[5.0, 0.0], [5.0, 20.0]])]
    styled = [add_style(one, 1, rng) for _ in range(30)]
    assert all(len(s) in (1, 2, 3) for s in styled) and any(len(s) > 1 for s in styled)
    for strokes in styled:  # a flag stays short: never as wide as a 7's bar
        points = np.concatenate(strokes)
        assert np.ptp(points[:, 0]) <= 0.65 * 20
    zero = [np.array([[np.cos(t) * 6, np.sin(t) * 10] for t in np.linspace(0, 6.3, 40)])]
    assert len(add_style(zero, 0, rng)) == 2
    seven = [np.array([[0.0, 0.0], [10.0, 0.0], [4.0, 16.0]])]
    assert len(add_style(seven, 7, rng)) == 2
    three = [np.array([[0.0, 0.0], [8.0, 4.0], [0.0, 8.0], [8.0, 12.0], [0.0, 16.0]])]
    assert len(add_style(three, 3, rng)) == 1
