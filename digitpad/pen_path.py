"""The pen's path as a network input: strokes -> a fixed-length sequence (numpy only).

A picture loses how a digit was written: a 9 is a loop closed and then a stroke down, a 3 two
arcs left to right, yet both can look alike at 28x28. The path keeps the order and direction
of every stroke. It is made the same way for the canvas, the pen data, your samples and each
digit of a number:

1. the strokes are joined into one path, each pen-up jump kept as a segment of its own;
2. the path is resampled to :data:`POINTS` points evenly spaced by arc length (pen-up jumps
   count their length too), so the speed of writing and the tablet's sampling drop out;
3. it is centred on its box and scaled by the box's longer side (the aspect is kept: a 1 stays
   thin);
4. each point gets ``x, y, dx, dy, pen_down``: where it is, where it goes next (scaled to
   about unit size) and whether the pen touched the paper on the way.

Augmentation works on the resampled points: :func:`rewrite_strokes` writes a drawing's strokes
in another order, one the other way, two joined or one broken (as people do), and
:func:`augment_points` turns, shears, stretches, jitters and warps it, seeded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitpad.preprocess import as_strokes

POINTS = 64  # points along the path
FEATURES = 5  # x, y, dx, dy, pen_down
STEP_SCALE = POINTS / 4  # dx, dy are multiplied by this, to about unit size
MIN_EXTENT = 1e-6  # a path shorter than this (a dot) is still a path: it is not scaled up


def resample_path(strokes: Sequence[Sequence[Sequence[float]]],
                  points: int = POINTS) -> tuple[np.ndarray, np.ndarray] | None:
    """``points`` (k, 2) evenly spaced along the strokes joined by their pen-up jumps, and
    for each whether the pen was down on the segment it lies on; None without any point."""
    if not as_strokes(strokes):
        return None
    xy, down = paths_of([strokes], points)
    return xy[0], down[0]


def normalise(xy: np.ndarray) -> np.ndarray:
    """Points (..., k, 2) centred on their box and scaled by its longer side (aspect kept)."""
    lo, hi = xy.min(axis=-2, keepdims=True), xy.max(axis=-2, keepdims=True)
    extent = np.maximum((hi - lo).max(axis=-1, keepdims=True), MIN_EXTENT)
    return (xy - (lo + hi) / 2) / extent


def features(xy: np.ndarray, down: np.ndarray) -> np.ndarray:
    """float32 (..., k, 5) network input from resampled points (..., k, 2) and pen flags."""
    xy = normalise(np.asarray(xy, dtype=np.float64))
    step = np.zeros_like(xy)  # the last point goes nowhere
    np.subtract(xy[..., 1:, :], xy[..., :-1, :], out=step[..., :-1, :])
    step *= STEP_SCALE
    pen = np.asarray(down, dtype=np.float64)[..., None]
    return np.concatenate([xy, step, pen], axis=-1).astype(np.float32)


def path_features(strokes: Sequence[Sequence[Sequence[float]]]) -> np.ndarray | None:
    """The network input for one drawing, float32 (POINTS, FEATURES); None when empty."""
    sampled = resample_path(strokes)
    return None if sampled is None else features(*sampled)


def paths_of(drawings: Sequence[Sequence[Sequence[Sequence[float]]]], points: int = POINTS,
             ) -> tuple[np.ndarray, np.ndarray]:
    """Resampled points (N, points, 2) and pen flags (N, points) for many drawings, all at
    once (the digits of a number cost little more than one): each drawing's strokes joined
    by their pen-up jumps, ``points`` evenly spaced along them by arc length, and for each
    whether the pen was down on the segment it lies on. An empty drawing gives a dot at the
    origin; a drawing without length, ``points`` copies of its point, the pen down."""
    xy = np.zeros((len(drawings), points, 2))
    down = np.ones((len(drawings), points), dtype=bool)
    parts = [as_strokes(strokes) for strokes in drawings]
    present = [i for i, p in enumerate(parts) if p]
    if not present:
        return xy, down
    paths = [np.concatenate(parts[i]) for i in present]
    sizes = np.array([len(p) for p in paths])
    path = np.concatenate(paths)
    owner = np.repeat(np.arange(len(present)), sizes)
    # Segment k joins point k to k + 1 within a drawing; pen-up when it leaves a stroke's end.
    moves = np.diff(path, axis=0)
    lengths = np.sqrt((moves * moves).sum(axis=1))
    inside = owner[1:] == owner[:-1]
    lengths[~inside] = 0.0
    pen_down = np.ones(len(path), dtype=bool)
    pen_down[np.cumsum([len(s) for i in present for s in parts[i]]) - 1] = False
    first = np.cumsum(sizes) - sizes
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    along -= along[first][owner]  # from 0 in each drawing
    total = along[first + sizes - 1]
    wanted = total[:, None] * np.linspace(0.0, 1.0, points)  # (n, points); linspace to
    # each total would be exact too, but takes longer than the rest of a digit's path
    # The segment holding each wanted point: the last of its drawing starting at or before
    # it. Searched as (drawing, distance) pairs, which complex numbers order exactly so.
    key = owner + 1j * along
    query = np.arange(len(present))[:, None] + 1j * wanted
    segment = np.clip(np.searchsorted(key, query, side="right") - 1, first[:, None],
                      np.maximum(first + sizes - 2, first)[:, None])
    step = np.append(lengths, 0.0)[segment]
    share = np.clip((wanted - along[segment]) / np.maximum(step, 1e-12), 0.0, 1.0)
    follow = np.minimum(segment + 1, len(path) - 1)
    sampled = path[segment] + share[..., None] * (path[follow] - path[segment])
    flags = pen_down[segment]
    dot = total <= 0.0  # no length: every point in one place, the pen down
    sampled[dot] = path[first[dot]][:, None, :]
    flags[dot] = True
    xy[present], down[present] = sampled, flags
    return xy, down


def path_data(drawings: Sequence[Sequence[Sequence[Sequence[float]]]]) -> np.ndarray:
    """Many drawings as path data: float32 (N, POINTS, 3) of x, y and pen-down, the form
    training data and samples keep (``digitpad.training.prepare_inputs`` makes the network
    input from it)."""
    xy, down = paths_of(drawings)
    return np.concatenate([xy, down[..., None]], axis=-1).astype(np.float32)


def augment_points(xy: np.ndarray, rng: np.random.Generator, *, rotate: float = 0.25,
                   shear: float = 0.3, scale: float = 0.15, jitter: float = 0.01,
                   warp: float = 0.04) -> np.ndarray:
    """Resampled points (N, k, 2) written a little differently: each drawing turned (up to
    ``rotate`` radians), sheared, stretched (x and y apart, up to ``scale``), its points
    jittered and the path bent by a smooth warp along its length (``warp`` of its size)."""
    xy = normalise(np.asarray(xy, dtype=np.float64))
    n, k = xy.shape[:2]
    angle = rng.uniform(-rotate, rotate, n)
    cos, sin = np.cos(angle), np.sin(angle)
    turn = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    slant = np.tile(np.eye(2), (n, 1, 1))
    slant[:, 0, 1] = rng.uniform(-shear, shear, n)
    stretch = np.exp(rng.uniform(-scale, scale, (n, 2)))
    matrix = turn @ slant * stretch[:, :, None]
    out = np.einsum("nij,nkj->nki", matrix, xy)
    # A smooth warp: a few random sine waves along the path's length, per drawing.
    t = np.linspace(0.0, 1.0, k)
    waves = rng.integers(1, 4, (n, 2))
    phase = rng.uniform(0, 2 * np.pi, (n, 2))
    amplitude = rng.uniform(-warp, warp, (n, 2))
    out = out + amplitude[:, None, :] * np.sin(
        2 * np.pi * waves[:, None, :] * t[None, :, None] + phase[:, None, :])
    return out + rng.normal(0.0, jitter, out.shape)


def _strokes_of(xy: np.ndarray, down: np.ndarray) -> list[np.ndarray]:
    """The pen-down runs of resampled points (k, 2), in order: the strokes again (the points
    lying on pen-up jumps are dropped; resampling makes them anew)."""
    edges = np.diff(np.concatenate([[False], down, [False]]).astype(np.int8))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [xy[a:b] for a, b in zip(starts, stops, strict=True)]


def rewrite_strokes(xy: np.ndarray, down: np.ndarray, rng: np.random.Generator, *,
                    reorder: float = 0.5, reverse: float = 0.2, join: float = 0.2,
                    lift: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Resampled paths (N, k, 2) and pen flags (N, k) written in another order, as people
    do: with probability ``reorder`` a drawing's strokes come in a shuffled order (a 7's bar
    first or last), ``reverse`` one stroke is drawn the other way, ``join`` two strokes are
    made one (the jump between them drawn: a 4 without lifting the pen) and ``lift`` one
    stroke is broken in two. Changed drawings are resampled; the rest are returned as they
    were. Chosen in issue 21's trials (5-fold by train site): with 36 epochs these about
    halved the path network's mistakes on unseen sites (482 -> 241-285 of 11.5k digits, four
    runs)."""
    xy, down = np.array(xy, dtype=np.float64), np.array(down, dtype=bool)
    for n in range(len(xy)):
        strokes = _strokes_of(xy[n], down[n])
        changed = False
        if len(strokes) > 1 and rng.random() < reorder:
            strokes = [strokes[i] for i in rng.permutation(len(strokes))]
            changed = True
        if strokes and rng.random() < reverse:
            i = int(rng.integers(len(strokes)))
            strokes[i] = strokes[i][::-1]
            changed = True
        if len(strokes) > 1 and rng.random() < join:
            i = int(rng.integers(len(strokes) - 1))
            strokes[i:i + 2] = [np.concatenate(strokes[i:i + 2])]
            changed = True
        if strokes and rng.random() < lift:
            i = int(rng.integers(len(strokes)))
            if len(strokes[i]) > 8:
                cut = int(rng.integers(3, len(strokes[i]) - 3))
                strokes[i:i + 1] = [strokes[i][:cut], strokes[i][cut:]]
                changed = True
        if changed:
            xy[n], down[n] = resample_path(strokes, xy.shape[1])
    return xy, down
