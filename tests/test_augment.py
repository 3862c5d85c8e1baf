"""Drawing-like augmentation keeps shape, range and label, and is reproducible with a seed."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.augment import Alternates, AugmentConfig, add_style, make_alternates, redraw_strokes
from digitpad.augment_graph import augment_images, augmented_dataset
from digitpad.inference import load_predictor
from digitpad.paths import asset_path
from digitpad.pen import read_rendered
from digitpad.training import one_hot

STILL = AugmentConfig(rotation_deg=0, shear=0, scale=(1, 1), shift_px=0, elastic_px=0,
                      thickness_share=0)


@pytest.fixture(scope="module")
def pen():
    return read_rendered()


@pytest.fixture(scope="module")
def pen_test(pen):
    x, y = pen.part("test")
    return x[:400], y[:400], pen.stroke_lists("test")[:400]


def floats(images: np.ndarray) -> np.ndarray:
    return images.astype(np.float32) / 255


def test_shape_range_and_reproducibility(pen_test):
    x = floats(pen_test[0])
    a = np.asarray(augment_images(x, [7, 0]))
    b = np.asarray(augment_images(x, [7, 0]))
    c = np.asarray(augment_images(x, [8, 0]))
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert np.abs(a - x).mean() > 0.01  # it changes the images
    np.testing.assert_array_equal(x, floats(pen_test[0]))  # and never the input


def test_no_change_configured_is_the_identity(pen_test):
    x = floats(pen_test[0][:50])
    np.testing.assert_allclose(np.asarray(augment_images(x, [1, 2], STILL)), x, atol=1e-5)


def test_labels_survive_augmentation(pen_test):
    """The bundled convnet still reads the augmented digits about as well: the label is
    kept (a 6 does not turn into a 9, a 1 into a 7), for warped images and re-drawings."""
    x, y, strokes = pen_test
    predictor = load_predictor(asset_path("model-convnet.keras"))
    plain = (predictor(floats(x)).argmax(1) == y).mean()
    alternates = make_alternates(lambda i: strokes[i], y, np.ones(len(y)), np.full(len(y), 0.4))
    assert alternates is not None and (alternates.index >= 0).all()
    for images in (x, alternates.images[alternates.index]):
        accuracy = (predictor(np.asarray(augment_images(floats(images), [0, 1]))).argmax(1)
                    == y).mean()
        print(f"plain {plain:.3f} augmented {accuracy:.3f}")
        assert accuracy > plain - 0.04


def test_each_change_alone():
    bar = np.zeros((1, 28, 28), np.float32)
    bar[0, 4:24, 13:15] = 1.0  # a vertical "1"
    turned = np.asarray(augment_images(bar, [1, 1], AugmentConfig(
        rotation_deg=30, shear=0, scale=(1, 1), shift_px=0, elastic_px=0, thickness_share=0)))
    assert turned.shape == bar.shape and abs(turned.sum() - bar.sum()) < 0.1 * bar.sum()
    assert not np.allclose(turned, bar, atol=0.1)
    thick_only = AugmentConfig(rotation_deg=0, shear=0, scale=(1, 1), shift_px=0, elastic_px=0,
                               thickness_share=1)
    widths = [float(np.asarray(augment_images(bar, [s, 0], thick_only)).sum()) for s in range(20)]
    assert min(widths) < bar.sum() < max(widths)  # both thinner and thicker
    seven = [np.array([[0, 0], [10, 0], [4, 16]], float)]
    image = redraw_strokes(seven, np.random.default_rng(1))
    assert image.shape == (28, 28) and image.max() == pytest.approx(1.0, abs=0.05)


def test_empty_batch():
    assert np.asarray(augment_images(np.zeros((0, 28, 28), np.float32), [0, 0])).shape == (
        0, 28, 28)


def test_alternates_only_where_asked_and_stop_early(pen_test):
    x, y, strokes = pen_test
    share = np.where(np.arange(len(y)) % 4 == 0, 0.5, 0.0)
    alternates = make_alternates(lambda i: strokes[i], y, share, np.zeros(len(y)), seed=3)
    assert ((alternates.index >= 0) == (share > 0)).all()
    np.testing.assert_array_equal(alternates.share, share)
    assert alternates.images.shape == (int((share > 0).sum()), 28, 28)
    again = make_alternates(lambda i: strokes[i], y, share, np.zeros(len(y)), seed=3)
    np.testing.assert_array_equal(alternates.images, again.images)
    no_strokes = make_alternates(lambda i: None, y, share, np.zeros(len(y)))
    assert len(no_strokes.images) == 0 and (no_strokes.index < 0).all()
    assert make_alternates(lambda i: strokes[i], y, share, np.zeros(len(y)),
                           stop=lambda: True) is None


def batches(dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(a), np.asarray(b)) for a, b in dataset]


def test_dataset_is_reproducible_fresh_each_epoch_and_keeps_labels(pen_test):
    x, y, _ = pen_test
    targets = one_hot(y)
    a = augmented_dataset(x, targets, 64, seed=5, cfg=STILL)
    first, second = batches(a), batches(a)  # iterating again is the next epoch
    assert [len(b[0]) for b in first] == [64] * 6 + [16]
    assert first[0][0].shape == (64, 784) and 0 <= first[0][0].min() <= first[0][0].max() <= 1
    assert not np.array_equal(first[0][0], second[0][0])  # a new epoch: a new order
    np.testing.assert_array_equal(first[0][0], batches(augmented_dataset(
        x, targets, 64, seed=5, cfg=STILL))[0][0])  # the same seed: the same batches
    # Unchanged images let each row be found again: its label travelled with it.
    flat = floats(x).reshape(len(x), -1)
    for images, labels in first:
        rows = [int(np.abs(flat - image).sum(axis=1).argmin()) for image in images]
        np.testing.assert_array_equal(labels, targets[rows])
    seen = np.concatenate([b[1] for b in first]).argmax(1)
    assert sorted(seen) == sorted(y)  # every sample once per epoch


def test_dataset_mixes_in_alternates_at_their_share(pen_test):
    x, y, _ = pen_test
    n = len(x)
    blank = Alternates(np.zeros((n, 28, 28), np.uint8), np.arange(n),
                       np.where(np.arange(n) < n // 2, 0.5, 0.0))
    images = np.concatenate([b[0] for b in batches(
        augmented_dataset(x, one_hot(y), 100, seed=1, alternates=blank, cfg=STILL))])
    labels = np.concatenate([b[1] for b in batches(
        augmented_dataset(x, one_hot(y), 100, seed=1, alternates=blank, cfg=STILL))])
    replaced = images.max(axis=1) == 0
    assert 0.15 < replaced.mean() < 0.35  # half the rows, half of their draws
    assert len(labels) == n


def test_styles_add_one_stroke_to_zeros_ones_and_sevens_only():
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
