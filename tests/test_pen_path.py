"""The pen's path as a network input: order, direction and pen lifts survive; size does not."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.pen_path import FEATURES, POINTS, augment_points, path_features, paths_of

SEVEN = [[(0, 0), (10, 0), (4, 20)]]  # a 7 in one stroke: along the top, then down-left
CROSSED = [[(0, 0), (10, 0), (4, 20)], [(2, 10), (8, 10)]]  # ... and a crossbar


def test_a_path_has_fixed_length_and_keeps_its_direction():
    path = path_features(SEVEN)
    assert path.shape == (POINTS, FEATURES) and path.dtype == np.float32
    x, y, dx, dy, down = path.T
    assert x[0] < x[POINTS // 4] and y[0] == pytest.approx(y[POINTS // 4])  # starts going right
    assert y[-1] > y[0]  # ends at the bottom (y grows down, as on the canvas)
    assert (down == 1).all()
    reverse = path_features([SEVEN[0][::-1]])
    assert not np.allclose(reverse, path)  # the same picture written the other way round


def test_pen_lifts_are_marked_and_the_stroke_order_kept():
    x, y, dx, dy, down = path_features(CROSSED).T
    assert 0 < (down == 0).sum() < POINTS // 4  # the jump to the crossbar is pen-up
    first_up = int(np.flatnonzero(down == 0)[0])
    assert (down[:first_up] == 1).all() and down[-1] == 1  # the crossbar comes last
    swapped = path_features(CROSSED[::-1])
    assert not np.allclose(swapped, path_features(CROSSED))


def test_size_and_place_drop_out_but_the_aspect_stays():
    small = path_features(SEVEN)
    big = path_features([[(500 + 7 * x, 300 + 7 * y) for x, y in SEVEN[0]]])
    np.testing.assert_allclose(small, big, atol=1e-5)
    one = path_features([[(0, 0), (1, 30)]])
    assert np.ptp(one[:, 0]) < 0.1 and np.ptp(one[:, 1]) == pytest.approx(1.0)


def test_dots_and_empty_drawings():
    assert path_features([]) is None and path_features([[]]) is None
    dot = path_features([[(3, 3)], [(3, 3)]])
    assert dot.shape == (POINTS, FEATURES) and np.isfinite(dot).all()
    xy, down = paths_of([SEVEN, [], [[(1, 1)]]])
    assert xy.shape == (3, POINTS, 2) and down.shape == (3, POINTS)


def test_the_sampling_rate_of_the_tablet_drops_out():
    dense = [np.stack([np.linspace(0, 10, 200), np.zeros(200)], 1)]
    sparse = [[(0, 0), (10, 0)]]
    np.testing.assert_allclose(path_features(dense), path_features(sparse), atol=1e-5)


def test_augmentation_is_seeded_and_changes_the_writing_a_little():
    xy, _ = paths_of([SEVEN, CROSSED])
    one = augment_points(xy, np.random.default_rng(3))
    assert np.array_equal(one, augment_points(xy, np.random.default_rng(3)))
    other = augment_points(xy, np.random.default_rng(4))
    assert not np.allclose(one, other)
    from digitpad.pen_path import normalise

    moved = np.abs(normalise(one) - normalise(xy)).max(axis=(1, 2))
    assert (moved > 0.005).all() and (moved < 0.5).all()


def _pen_lifts(down: np.ndarray) -> int:
    """How many times the pen is lifted along a resampled path."""
    return int(np.sum(down[:-1] & ~down[1:]))


def test_strokes_rewritten_in_another_order_direction_or_count():
    from digitpad.pen_path import rewrite_strokes

    xy, down = paths_of([CROSSED])
    rng = np.random.default_rng(0)
    # Reordered: the crossbar (at y = 10, left to right) now comes first.
    moved, pen = rewrite_strokes(xy, down, rng, reorder=1.0, reverse=0, join=0, lift=0)
    for _ in range(20):
        if moved[0, 0, 1] == pytest.approx(10.0):
            break
        moved, pen = rewrite_strokes(xy, down, rng, reorder=1.0, reverse=0, join=0, lift=0)
    assert moved[0, 0] == pytest.approx((2.0, 10.0), abs=0.2)
    assert _pen_lifts(pen[0]) == 1
    # Reversed: the 7 in one stroke starts at its foot and ends at the top's left end.
    seven, seven_down = paths_of([SEVEN])
    back, _ = rewrite_strokes(seven, seven_down, rng, reorder=0, reverse=1.0, join=0, lift=0)
    assert back[0, 0] == pytest.approx((4.0, 20.0), abs=0.2)
    assert back[0, -1] == pytest.approx((0.0, 0.0), abs=0.2)
    # Joined: no pen lift left; lifted: one more.
    joined, pen = rewrite_strokes(xy, down, rng, reorder=0, reverse=0, join=1.0, lift=0)
    assert _pen_lifts(pen[0]) == 0 and pen[0].all()
    _, pen = rewrite_strokes(seven, seven_down, rng, reorder=0, reverse=0, join=0, lift=1.0)
    assert _pen_lifts(pen[0]) == 1
    # Nothing asked, nothing changed; the same seed, the same rewriting.
    same, same_down = rewrite_strokes(xy, down, rng, reorder=0, reverse=0, join=0, lift=0)
    assert np.array_equal(same, xy) and np.array_equal(same_down, down)
    one = rewrite_strokes(xy, down, np.random.default_rng(5), reorder=0.5, reverse=0.5)
    two = rewrite_strokes(xy, down, np.random.default_rng(5), reorder=0.5, reverse=0.5)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])


def _resampled_alone(strokes, points: int = POINTS):
    """The path of one drawing made the plain way (a search per drawing), to check the
    one-pass ``paths_of`` against."""
    pieces = [np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in strokes]
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return np.zeros((points, 2)), np.ones(points, dtype=bool)
    path = np.concatenate(pieces)
    down = np.ones(len(path) - 1, dtype=bool)
    down[np.cumsum([len(p) for p in pieces])[:-1] - 1] = False
    lengths = np.hypot(*np.diff(path, axis=0).T)
    if lengths.sum() <= 0:
        return np.repeat(path[:1], points, axis=0), np.ones(points, dtype=bool)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    wanted = np.linspace(0.0, along[-1], points)
    segment = np.clip(np.searchsorted(along, wanted, side="right") - 1, 0, len(lengths) - 1)
    share = np.clip((wanted - along[segment]) / np.maximum(lengths[segment], 1e-12), 0, 1)
    return path[segment] + share[:, None] * (path[segment + 1] - path[segment]), down[segment]


def test_many_drawings_resample_at_once_as_each_alone():
    """A number's digits are resampled in one pass (``paths_of``): each gets the points and
    pen flags a search over its own path gives: clicks, repeated points, pen-up jumps,
    zero-length strokes, empty drawings and dots among ordinary ones, any number of points."""
    from digitpad.pen_path import resample_path

    rng = np.random.default_rng(4)
    drawings = [SEVEN, [], [[(3, 3)]], [[(1, 1)], [(1, 1)]], [[(0, 0), (0, 0), (3, 4)]],
                [[(1, 1)], [(5, 1), (5, 1)]], CROSSED, [[(2, 2), (2, 2)], [(9, 0), (9, 7)]]]
    drawings += [[np.cumsum(rng.normal(0, 3, (rng.integers(1, 30), 2)), axis=0) * 40 + 500
                  for _ in range(rng.integers(1, 4))] for _ in range(40)]
    for points in (POINTS, 17):
        xy, down = paths_of(drawings, points)
        for k, drawing in enumerate(drawings):
            expected_xy, expected_down = _resampled_alone(drawing, points)
            np.testing.assert_allclose(xy[k], expected_xy, atol=1e-9)
            np.testing.assert_array_equal(down[k], expected_down)
    assert resample_path([]) is None
    np.testing.assert_array_equal(resample_path(CROSSED)[1], paths_of([CROSSED])[1][0])
