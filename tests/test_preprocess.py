"""Drawings become MNIST-style images whatever their size, place or pen."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapes import FOUR

from digitpad.preprocess import (
    CENTRE,
    centre_of_mass,
    naive_resize,
    raster_to_mnist,
    render_strokes,
    strokes_to_mnist,
    strokes_to_mnist_many,
    widen_thin_strokes,
)
from digitpad.skeleton import digit_strokes, thin, trace

coordinate = st.floats(min_value=-2000, max_value=2000, allow_nan=False)
point = st.tuples(coordinate, coordinate)
stroke = st.lists(point, min_size=1, max_size=40)
drawing = st.lists(stroke, min_size=1, max_size=5)


def ink_box(image: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    rows = np.flatnonzero((image > level).any(axis=1))
    cols = np.flatnonzero((image > level).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def check_mnist_like(image: np.ndarray) -> None:
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0 and image.max() > 0.5
    row, col = centre_of_mass(image)
    assert abs(row - CENTRE) <= 1.0 and abs(col - CENTRE) <= 1.0
    height, width = ink_box(image, 0.5)
    assert max(height, width) <= 20


@settings(max_examples=150, deadline=None)
@given(drawing)
def test_any_drawing_gives_a_valid_centred_image(strokes):
    check_mnist_like(strokes_to_mnist(strokes))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 40.0), st.floats(-5000, 5000), st.floats(-5000, 5000))
def test_scaling_and_translating_a_drawing_changes_nothing(scale, dx, dy):
    eight = [np.array([[14 + 5 * np.sin(t), 14 + 8 * np.sin(t) * np.cos(t) * 1.2 - 0]
                       for t in np.linspace(0, 2 * np.pi, 60)]) * [1, 1]]
    base = strokes_to_mnist(eight)
    moved = strokes_to_mnist([s * scale + [dx, dy] for s in eight])
    np.testing.assert_allclose(moved, base, atol=1e-3)


# Two real pen 7s (pen test) whose bar is heavy on one side: centred by mass they would
# leave the field, so each is shrunk, by its own amount.
SEVEN_SHRUNK_ONCE = [[(0, 0), (198, 0), (198, 99), (184, 170), (184, 255)]]
SEVEN_SHRUNK_TWICE = [[(0, 20), (39, 20), (196, 0), (255, 0), (255, 20), (235, 137),
                       (196, 235), (196, 255)]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(drawing, st.just([])), st.floats(0.5, 6.0)), min_size=1,
                max_size=6), st.booleans())
@example([(SEVEN_SHRUNK_ONCE, 2.6), ([[(0, 0), (3, 9)]], 2.6), (SEVEN_SHRUNK_TWICE, 2.6),
          ([], 2.6)], False)
@example([(SEVEN_SHRUNK_ONCE, 1.5), (SEVEN_SHRUNK_TWICE, 4.0)], True)
def test_drawings_drawn_together_are_each_drawn_as_alone(drawings_and_pens, own_pens):
    """A number's digits (one pen) and a batch of re-drawings (a pen each) are rendered
    together; each must be the image it gets alone (lopsided ones shrunk, empty ones None),
    or the network reads numbers, and trains on re-drawings, differently."""
    drawings = [d for d, _ in drawings_and_pens]
    pens = [p for _, p in drawings_and_pens] if own_pens else [drawings_and_pens[0][1]] * len(
        drawings)
    together = strokes_to_mnist_many(drawings, pens if own_pens else pens[0],
                                     min_extent=pens[0])
    assert len(together) == len(drawings)
    for strokes, pen, image in zip(drawings, pens, together, strict=True):
        alone = strokes_to_mnist(strokes, pen, min_extent=pens[0])
        if alone is None:
            assert image is None
        else:
            np.testing.assert_allclose(image, alone, atol=1e-6)


def test_translation_and_scale_keep_the_prediction(mnist, book_model_path):
    from digitpad.inference import load_predictor

    predictor = load_predictor(book_model_path)
    _, (x_test, y_test) = mnist
    rng = np.random.default_rng(5)
    for i in range(30):
        strokes = digit_strokes(x_test[i])
        expected = predictor(strokes_to_mnist(strokes)).argmax()
        scale, shift = rng.uniform(2, 30), rng.uniform(-500, 500, size=2)
        moved = strokes_to_mnist([s * scale + shift for s in strokes])
        assert predictor(moved).argmax() == expected


def test_empty_drawing_is_no_digit():
    assert strokes_to_mnist([]) is None
    assert strokes_to_mnist([[]]) is None
    assert raster_to_mnist(np.zeros((50, 50))) is None
    assert raster_to_mnist(np.full((50, 50), 255.0)) is None  # blank white paper


def test_a_dot_is_a_small_centred_blob():
    image = strokes_to_mnist([[(100.0, 100.0)]])
    check_mnist_like(image)
    assert max(ink_box(image)) <= 4


def test_vertical_bar_stays_thin_and_tall():
    image = strokes_to_mnist([[(50, 10), (50, 300)]])
    check_mnist_like(image)
    height, width = ink_box(image, 0.5)
    assert height >= 18 and width <= 4


def test_horizontal_line_is_wide_and_flat():
    height, width = ink_box(strokes_to_mnist([[(10, 50), (300, 50)]]), 0.5)
    assert width >= 18 and height <= 4


def test_huge_scribble_and_edge_touching_ink():
    rng = np.random.default_rng(0)
    scribble = [rng.uniform(0, 5000, size=(500, 2))]
    check_mnist_like(strokes_to_mnist(scribble))
    canvas = np.zeros((100, 100))
    canvas[:, :8] = 1.0  # ink touching the left edge
    canvas[90:, :] = 1.0  # and the bottom
    check_mnist_like(raster_to_mnist(canvas, detect_polarity=False))


def test_raster_recipe_reproduces_mnist(mnist, book_model_path):
    """Re-normalising MNIST digits by our recipe keeps them MNIST: accuracy stays."""
    from digitpad.inference import load_predictor

    predictor = load_predictor(book_model_path)
    _, (x_test, y_test) = mnist
    images = np.stack([raster_to_mnist(im, detect_polarity=False) for im in x_test[:500]])
    ours = np.mean(predictor(images).argmax(axis=1) == y_test[:500])
    original = np.mean(predictor(x_test[:500] / 255.0).argmax(axis=1) == y_test[:500])
    assert ours >= original - 0.01


def test_render_is_antialiased_and_round_capped():
    image = render_strokes([np.array([[10.0, 10.0], [20.0, 10.0]])], (21, 31), 4.0)
    assert image[10, 15] == 1.0
    assert 0.0 < image[12, 15] < 1.0  # a soft edge, not a staircase
    assert image[10, 8] > 0 and image[10, 7] == 0  # the round cap reaches radius + 0.5 past the end
    assert image[0, 0] == 0.0


def test_naive_resize_is_what_peers_do():
    canvas = np.zeros((280, 280))
    canvas[100:180, 135:145] = 1.0
    image = naive_resize(canvas)
    assert image.shape == (28, 28)
    assert ink_box(image, 0.2)[0] == 8  # stays small: far from the 20x20 box MNIST uses


def test_skeleton_trace_covers_a_ring_in_one_stroke():
    ring = np.zeros((28, 28), bool)
    yy, xx = np.mgrid[0:28, 0:28]
    radius = np.hypot(yy - 14, xx - 14)
    ring[(radius > 6) & (radius < 9)] = True
    strokes = trace(thin(ring))
    assert len(strokes) == 1 and len(strokes[0]) > 20


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 25), min_size=1, max_size=6), st.floats(0.3, 4.0),
       st.integers(0, 2**31 - 1))
def test_all_strokes_at_once_resample_like_one_at_a_time(lengths, spacing, seed):
    """The vectorised resampling (300 strokes read in milliseconds, not 60 ms) gives the
    points the per-stroke one gives: clicks, short strokes and long ones."""
    from digitpad.preprocess import resample, resample_all

    rng = np.random.default_rng(seed)
    strokes = [np.cumsum(rng.normal(0, rng.choice([0.05, 2.0]), (n, 2)), axis=0)
               for n in lengths]
    points, count = resample_all(strokes, spacing)
    one_by_one = [resample(s, spacing) for s in strokes]
    assert count.tolist() == [len(p) for p in one_by_one]
    np.testing.assert_allclose(points, np.concatenate(one_by_one), atol=1e-9)


@pytest.mark.parametrize("pen", [3.0, 6.0])
@pytest.mark.parametrize("name", ["ONE", "SEVEN", "FOUR", "ZERO", "EIGHT", "FIVE"])
def test_a_fine_pen_on_paper_looks_like_the_canvas_pen(name, pen):
    """A picture of a digit written with a fine pen (3-6% of its height) becomes the image
    the canvas makes of the same strokes: the network learnt the canvas's pen, and read
    photographed thin ink worse (bench/bench_photos.py)."""
    import shapes

    strokes = getattr(shapes, name)
    canvas = strokes_to_mnist(strokes)
    picture = render_strokes([s * 2 + 20 for s in strokes], (250, 200), pen * 2)
    image = raster_to_mnist(picture, detect_polarity=False)
    check_mnist_like(image)
    assert np.corrcoef(image.ravel(), canvas.ravel())[0, 1] >= 0.9
    assert image.sum() >= 0.55 * canvas.sum()


def test_a_wide_pen_is_left_as_it_is():
    picture = render_strokes([s * 2 + 20 for s in FOUR], (250, 200), 40.0)
    crop = picture[np.ix_(picture.any(axis=1), picture.any(axis=0))]
    np.testing.assert_array_equal(widen_thin_strokes(crop), crop)


def test_a_big_picture_becomes_the_image_a_small_one_does():
    """Big pictures are measured and widened at a working size: the same digit, 250 or
    2,000 pixels tall, becomes the same 28x28."""
    import shapes

    small = render_strokes([s * 2 + 20 for s in shapes.EIGHT], (250, 200), 1.0)
    big = render_strokes([s * 16 + 160 for s in shapes.EIGHT], (2000, 1600), 8.0)
    a = raster_to_mnist(small, detect_polarity=False)
    b = raster_to_mnist(big, detect_polarity=False)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] >= 0.95


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.floats(0.5, 6.0), st.integers(0, 2**31 - 1))
def test_segments_are_drawn_with_the_exact_coverage_of_the_nearest_segment(n, width, seed):
    """Every pixel's ink is clip(radius + 0.5 - distance to the nearest segment, 0, 1), as
    a pixel-by-pixel reference computes it: segments inside, across the edge and outside the
    image, clicks (zero length) and, with ``owner``, several images at once."""
    from digitpad.preprocess import draw_segments

    rng = np.random.default_rng(seed)
    shape = (17, 23)
    a = rng.uniform(-6, 28, (n, 2))
    b = a + rng.uniform(-1.0, 1.0, (n, 2)) * (rng.random((n, 1)) < 0.8)  # some clicks
    owner = rng.integers(0, 2, n)
    drawn = draw_segments(a, b, shape, width, 1.5, owner, 2)
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]]
    pixels = np.stack([cols.ravel(), rows.ravel()], axis=1).astype(np.float64)
    for image in range(2):
        nearest = np.full(len(pixels), np.inf)
        for start, end in zip(a[owner == image], b[owner == image], strict=True):
            d = end - start
            t = np.clip((pixels - start) @ d / max(d @ d, 1e-12), 0, 1)
            nearest = np.minimum(nearest, np.hypot(*(pixels - start - t[:, None] * d).T))
        expected = np.clip(width / 2 + 0.5 - nearest, 0, 1).reshape(shape)
        np.testing.assert_allclose(drawn[image], expected, atol=1e-9)
