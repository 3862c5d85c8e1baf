"""Turn drawings into the 28x28 images an MNIST network expects (pure numpy, no Qt).

MNIST digits were size-normalised into a 20x20 box keeping their aspect ratio, anti-aliased,
and placed in a 28x28 field so that their centre of mass sits at the centre (pixel index 14.0
measured over the training set), white ink on black. A network trained on them fails on
drawings that are off-centre, too big or too thin, so every drawing is brought to that form.

Strokes are kept as vectors, so they are re-rendered at the target scale with an MNIST-like
pen instead of shrinking a canvas raster (which makes thin, faint digits).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

SIZE = 28
BOX = 20.0
CENTRE = 14.0  # mean centre of mass of MNIST training digits, in pixel-index coordinates
PEN_WIDTH = 2.6  # pen width in 28x28 pixels; chosen by bench/bench_drawn.py
INK_THRESHOLD = 0.1
# A picture's strokes are widened to at least this mean width (ink mass over centre-line
# length, in 28x28 pixels): the canvas's drawings of the pen digits measure 2.8 at their 5th
# percentile (median 3.2), photographed pen digits 1.6 (median 2.2), and the thin ones were
# read worse. Widening to 2.8 or 3.2 read photographs of held-out train sites alike
# (bench/bench_photos.py's "photo" condition, 1,124 digits: 36 mistakes -> 32 / 33).
MIN_PICTURE_WIDTH = 2.8
WIDEN_SIDE = 112  # ... measured and widened at about this many pixels (4x the 28x28)
STROKE_LEVEL = 0.3  # ... where the ink is at least this dark: its centre line, its edge

Stroke = np.ndarray  # (k, 2) float array of (x, y) points in any consistent unit


def as_strokes(strokes: Sequence[Sequence[Sequence[float]]]) -> list[Stroke]:
    """Float (k, 2) arrays, dropping empty strokes (a click without a move is a 1-point stroke)."""
    out = []
    for stroke in strokes:
        arr = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(arr):
            out.append(arr)
    return out


def resample(stroke: Stroke, spacing: float) -> Stroke:
    """Points every ``spacing`` along the stroke (ends kept): dense mouse input is thinned and
    long straight segments are split, so each segment touches only a few pixels."""
    return resample_all([np.asarray(stroke, dtype=np.float64).reshape(-1, 2)], spacing)[0]


def resample_all(strokes: list[Stroke] | tuple[np.ndarray, np.ndarray],
                 spacing: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (non-empty) stroke resampled as :func:`resample` describes, at once (a loop
    over strokes cost 60 ms with 300 on the canvas): all the points, and how many belong to
    each stroke. ``spacing``: one for all, or one per stroke.

    Each stroke's arc length runs from 0; the strokes are laid end to end on one axis, each
    a ``gap`` beyond the last, so one ``np.interp`` samples them all.
    """
    points, lengths = strokes if isinstance(strokes, tuple) else \
        (np.concatenate(strokes), np.array([len(s) for s in strokes]))
    owner = np.repeat(np.arange(len(lengths)), lengths)
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    last = first + lengths - 1
    moves = np.diff(points, axis=0)  # a square root: np.hypot is several times slower
    arc = np.concatenate([[0.0], np.cumsum(np.sqrt((moves * moves).sum(axis=1)))])
    arc = arc - arc[first][owner]  # from 0 in each stroke (the jump between strokes drops)
    total = arc[last]
    # A click stays one point; a stroke no longer than one step keeps its two ends; any
    # other gets a point every ``spacing`` and its end.
    step = np.broadcast_to(np.asarray(spacing, dtype=np.float64), total.shape)
    count = np.where(lengths == 1, 1, np.where(total <= step, 2,
                                               np.ceil(total / step).astype(np.int64) + 1))
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    stroke = np.repeat(np.arange(len(lengths)), count)
    along = np.where(k == count[stroke] - 1, total[stroke], k * step[stroke])
    gap = float(total.max()) + 1.0
    sampled = np.stack([np.interp(along + stroke * gap, arc + owner * gap, points[:, i])
                        for i in (0, 1)], axis=1)
    return sampled, count


def _segments(strokes: list[Stroke] | tuple[np.ndarray, np.ndarray],
              spacing: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end points of every segment of the resampled strokes (a click: a segment
    of length 0), and the stroke each belongs to."""
    points, count = resample_all(strokes, spacing)
    last = np.zeros(len(points), dtype=bool)
    last[np.cumsum(count) - 1] = True
    click = np.repeat(count == 1, count)  # the only point of its stroke
    starts = ~last | click  # a stroke's last point starts no segment, unless it is a click
    follow = np.flatnonzero(starts) + 1 - click[starts]
    stroke = np.repeat(np.arange(len(count)), count)
    return points[starts], points[follow], stroke[starts]


def render_strokes(strokes: list[Stroke], shape: tuple[int, int], width: float,
                   spacing: float | None = None) -> np.ndarray:
    """Anti-aliased round-capped polylines: coverage = clip(radius + 0.5 - distance, 0, 1).

    Coordinates are in pixel-index units (pixel (r, c) has its centre at x=c, y=r). Each
    segment is tested only against the small window of pixels it can reach, so the cost grows
    with the length of the ink, not with the canvas area.
    """
    parts = as_strokes(strokes)
    if not parts:
        return np.zeros(shape)
    return render_points(np.concatenate(parts), np.array([len(s) for s in parts]), shape,
                         width, spacing)


def render_points(points: np.ndarray, lengths: np.ndarray, shape: tuple[int, int],
                  width: float, spacing: float | None = None) -> np.ndarray:
    """:func:`render_strokes` for strokes given as all their points and each one's length
    (no per-stroke arrays: a drawing of 300 strokes renders in about a millisecond)."""
    spacing = _spacing(width, spacing)
    a, b, _ = _segments((points, lengths), spacing)
    return draw_segments(a, b, shape, width, spacing)


def _spacing(width: float | np.ndarray, spacing: float | None) -> float | np.ndarray:
    """The resampling step: given, or the pen's (per drawing when widths are many)."""
    return spacing if spacing is not None else np.maximum(0.7, width / 4.0)


@functools.lru_cache(maxsize=8)
def _window(side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The columns and rows of a square window's pixels, (side * side, 1) each, as floats
    and as whole numbers (read only: they are shared)."""
    cols, rows = np.tile(np.arange(side), side)[:, None], np.repeat(np.arange(side), side)[:, None]
    grids = (cols.astype(np.float64), rows.astype(np.float64), cols, rows)
    for grid in grids:
        grid.flags.writeable = False
    return grids


def draw_segments(a: np.ndarray, b: np.ndarray, shape: tuple[int, int],
                  width: float | np.ndarray, spacing: float,
                  owner: np.ndarray | None = None, count: int = 1) -> np.ndarray:
    """Segments from ``a`` to ``b`` (each (S, 2) as (x, y), at most ``spacing`` long) drawn
    as :func:`render_strokes` draws them: a drawing moved as a whole need not be resampled.
    With ``owner`` (the image each segment is drawn in), ``count`` images (count, *shape)
    drawn at once; ``width``: the pen's, or each segment's.

    Every digit read is drawn twice (see :func:`strokes_to_mnist_many`), so this is written
    for speed: the pixels of every window are laid out (window pixel, segment), so numpy's
    inner loops run along the segments, in place, with a square root rather than
    ``np.hypot`` (several times slower) and no ``np.clip`` (slow on small arrays).
    """
    radius = np.asarray(width, dtype=np.float64) / 2.0
    # Ink reaches radius + 0.5 past a segment: at most ceil(spacing + 2 radius + 1) pixels
    # past its window's first one (floor(x) - floor(y) <= ceil(x - y)).
    side = int(np.ceil(spacing + 2 * float(radius.max(initial=0.0)) + 1)) + 1
    edge = radius[:, None] if radius.ndim else radius  # against (S, 2)
    base = np.floor(np.minimum(a, b) - edge - 0.5)  # each window's first pixel, (S, 2) as (x, y)
    across, down, across_px, down_px = _window(side)
    start = base - a
    relx, rely = across + start[:, 0], down + start[:, 1]  # (K*K, S): pixel - segment start
    d = b - a
    t = relx * d[:, 0]
    t += rely * d[:, 1]
    t /= np.maximum((d * d).sum(axis=1), 1e-12)
    np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)  # the closest point of the segment
    relx -= t * d[:, 0]
    rely -= t * d[:, 1]
    relx *= relx
    rely *= rely
    relx += rely
    coverage = np.subtract(radius + 0.5, np.sqrt(relx, out=relx), out=relx)
    np.minimum(coverage, 1.0, out=coverage)
    corner = base.astype(np.int64)
    px = across_px + corner[:, 0]
    py = down_px + corner[:, 1]
    # Seen unsigned, a pixel left of or above the image is far beyond it: one test each way.
    inside = (px.view(np.uint64) < shape[1]) & (py.view(np.uint64) < shape[0]) & (coverage > 0)
    index = py * shape[1] + px
    if owner is not None:
        index += owner * (shape[0] * shape[1])
    image = np.zeros(count * shape[0] * shape[1])
    np.maximum.at(image, index[inside], coverage[inside])
    return image.reshape(shape if owner is None else (count, *shape))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass in pixel-index coordinates; the image must have ink."""
    rows, cols = centres_of_mass(image[None])
    return float(rows[0]), float(cols[0])


def centres_of_mass(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the centres of mass of (N, H, W) images, each with ink."""
    total = images.sum(axis=(1, 2))
    rows = (images.sum(axis=2) * np.arange(images.shape[1])).sum(axis=1) / total
    cols = (images.sum(axis=1) * np.arange(images.shape[2])).sum(axis=1) / total
    return rows, cols


def strokes_to_mnist(strokes: Sequence[Sequence[Sequence[float]]],
                     pen_width: float = PEN_WIDTH, min_extent: float = 1.0) -> np.ndarray | None:
    """The 28x28 float32 image in [0, 1] an MNIST net expects, or None for an empty drawing.

    Scale-, translation- and pen-width-invariant: the centre line is fitted so that the ink
    (with a ``pen_width`` pen) fills a 20x20 box keeping aspect ratio, then moved so its
    centre of mass lands on MNIST's. Drawings smaller than ``min_extent`` (in the strokes'
    units, e.g. the canvas pen width) are treated as that size, so a click stays a dot.
    """
    return strokes_to_mnist_many([strokes], pen_width, min_extent)[0]


def strokes_to_mnist_many(drawings: Sequence[Sequence[Sequence[Sequence[float]]]],
                          pen_width: float | Sequence[float] = PEN_WIDTH,
                          min_extent: float = 1.0) -> list[np.ndarray | None]:
    """:func:`strokes_to_mnist` of each drawing (the digits of a number, a batch of
    re-drawings), all resampled and drawn together: numpy's cost is per call, so six digits
    cost little more than one. ``pen_width``: one for all, or one per drawing."""
    parts = [as_strokes(strokes) for strokes in drawings]
    present = [i for i, p in enumerate(parts) if p]
    images: list[np.ndarray | None] = [None] * len(parts)
    if not present:
        return images
    n = len(present)
    pen = np.broadcast_to(np.asarray(pen_width, dtype=np.float64), (len(parts),))[present]
    points = [np.concatenate(parts[i]) for i in present]
    lo = np.array([p.min(axis=0) for p in points])
    hi = np.array([p.max(axis=0) for p in points])
    extent = np.maximum((hi - lo).max(axis=1), min_extent)
    # A dot or a tiny jitter is not blown up into a big blob: ``min_extent`` caps magnification.
    scale = (BOX - pen) / extent
    centre = (lo + hi) / 2.0
    offset = np.full((n, 2), CENTRE)
    limit = CENTRE - 0.5 - pen / 2  # farthest a centre line may reach from the centre
    lengths = np.array([len(s) for i in present for s in parts[i]])
    stroke_owner = np.repeat(np.arange(n), [len(parts[i]) for i in present])
    point_owner = np.repeat(np.arange(n), [len(p) for p in points])
    every_point = np.concatenate(points)
    spacing = _spacing(pen, None)

    def segments() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every drawing's segments at its scale, and the drawing each belongs to: made
        again only when a scale changes, as moving a drawing moves its segments."""
        placed = (every_point - centre[point_owner]) * scale[point_owner, None]
        a, b, stroke = _segments((placed, lengths), spacing[stroke_owner])
        return a, b, stroke_owner[stroke]

    def render(which: np.ndarray, drawn: tuple[np.ndarray, np.ndarray, np.ndarray],
               ) -> np.ndarray:
        a, b, owner = drawn
        slot = np.full(n, -1)
        slot[which] = np.arange(len(which))
        chosen = slot[owner] >= 0
        shift = offset[owner[chosen]]
        return draw_segments(a[chosen] + shift, b[chosen] + shift, (SIZE, SIZE),
                             pen[owner[chosen]], float(spacing.max()), slot[owner[chosen]],
                             len(which))

    drawn = segments()
    active = np.arange(n)
    for _ in range(3):
        com_row, com_col = centres_of_mass(render(active, drawn))
        offset[active] += np.stack([CENTRE - com_col, CENTRE - com_row], axis=1)
        reach = np.array([np.abs((points[i] - centre[i]) * scale[i] + offset[i] - CENTRE).max()
                          for i in active])
        # Lopsided drawing (heavy on one side): centring by mass would push ink off the
        # 28x28 field, so shrink about the centre of mass until it fits.
        far = reach > limit[active]
        active, shrink = active[far], limit[active][far] / reach[far]
        if not active.size:
            break
        scale[active] *= shrink
        offset[active] = (offset[active] - CENTRE) * shrink[:, None] + CENTRE
        drawn = segments()
    for i, image in zip(present, render(np.arange(n), drawn), strict=True):
        images[i] = image.astype(np.float32)
    return images


def _area_weights(n_src: int, n_dst: int, scale: float, offset: float) -> np.ndarray:
    """(n_dst, n_src) weights: source pixel i covers [i*scale+offset, (i+1)*scale+offset]."""
    src_lo = np.arange(n_src) * scale + offset
    src_hi = src_lo + scale
    dst_lo = np.arange(n_dst)[:, None].astype(np.float64)
    overlap = np.clip(np.minimum(src_hi[None], dst_lo + 1) - np.maximum(src_lo[None], dst_lo),
                      0.0, None)
    return overlap  # area fraction of each destination pixel covered by each source pixel


def resample_area(image: np.ndarray, scale: float, offset: tuple[float, float],
                  shape: tuple[int, int] = (SIZE, SIZE)) -> np.ndarray:
    """Area-average resampling (anti-aliased) of ``image`` scaled by ``scale`` then shifted.

    ``offset`` is (row, col) of the source's top-left corner in destination pixels.
    """
    rows = _area_weights(image.shape[0], shape[0], scale, offset[0])
    cols = _area_weights(image.shape[1], shape[1], scale, offset[1])
    return rows @ image @ cols.T


def raster_to_mnist(gray: np.ndarray, *, detect_polarity: bool = True) -> np.ndarray | None:
    """A greyscale picture of a digit -> 28x28 MNIST-style image, or None if it has no ink.

    Crops to the ink, fits it into 20x20 keeping aspect ratio with area averaging, and
    centres it by centre of mass.
    """
    if detect_polarity:
        from digitpad.photo import photo_ink

        ink = photo_ink(gray)
    else:
        ink = np.asarray(gray, dtype=np.float64)
    ink = np.where(ink >= INK_THRESHOLD, ink, 0.0)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return None
    ink = widen_thin_strokes(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    scale = BOX / max(ink.shape)
    # Centre the box first, then correct so the centre of mass lands on MNIST's.
    offset = (CENTRE + 0.5 - ink.shape[0] * scale / 2, CENTRE + 0.5 - ink.shape[1] * scale / 2)
    image = resample_area(ink, scale, offset)
    com_row, com_col = centre_of_mass(image)
    image = resample_area(ink, scale, (offset[0] + CENTRE - com_row, offset[1] + CENTRE - com_col))
    peak = image.max()
    return (image / peak if peak > 0 else image).astype(np.float32)


def mean_width(ink: np.ndarray) -> float | None:
    """A picture's mean stroke width in its pixels: ink mass over the length of its centre
    line (None without a line)."""
    from skimage.morphology import skeletonize

    line = int(skeletonize(ink > STROKE_LEVEL).sum())
    return float(ink.sum()) / line if line else None


def widen_thin_strokes(ink: np.ndarray) -> np.ndarray:
    """Cropped ``ink`` whose strokes, once its box is fitted to the 20x20 one, would be
    thinner than :data:`MIN_PICTURE_WIDTH`, grown to it and cropped again: each paper pixel
    near the ink takes the nearest ink's value faded by its distance (a sub-pixel,
    anti-aliased dilation). A fine pen on paper then reads like the canvas's pen, which the
    network was trained on; a wide one is left as it is. A big picture is measured and
    widened at :data:`WIDEN_SIDE` pixels (the maximum of each block, so no stroke fades): the
    28x28 cannot show more, and a 2,000-pixel one costs ten times less."""
    from scipy import ndimage

    step = max(1, max(ink.shape) // WIDEN_SIDE)
    work = ink
    if step > 1:
        from skimage.measure import block_reduce

        work = block_reduce(ink, (step, step), np.max)
    width = mean_width(work)
    if width is None:
        return ink
    grow = (MIN_PICTURE_WIDTH * max(work.shape) / BOX - width) / 2  # work pixels a side
    if grow <= 0.05:
        return ink
    pad = int(np.ceil(grow)) + 1
    padded = np.pad(work, pad)
    distance, (iy, ix) = ndimage.distance_transform_edt(padded <= STROKE_LEVEL,
                                                       return_indices=True)
    grown = np.maximum(padded, padded[iy, ix] * np.clip(grow + 0.5 - distance, 0.0, 1.0))
    rows = np.flatnonzero((grown >= INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((grown >= INK_THRESHOLD).any(axis=0))
    return grown[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def naive_resize(gray: np.ndarray) -> np.ndarray | None:
    """What most demo apps do: shrink the whole canvas to 28x28. Kept for comparison only."""
    ink = np.asarray(gray, dtype=np.float64)
    if not ink.any():
        return None
    scale = SIZE / max(ink.shape)
    return np.clip(resample_area(ink, scale, (0.0, 0.0)), 0, 1).astype(np.float32)
