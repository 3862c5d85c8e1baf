"""Split a drawing into digits, so a whole number can be read (pure numpy, no Qt).

People write a digit in one to three strokes (a 4 or a 5 often takes two, a 7 may get a
crossbar, sometimes after the next digit was begun), one digit beside the next. So strokes
are grouped by where they lie, not by when they were drawn (see :func:`group_pieces`): a
piece much shorter than the line joins the digit it comes closest to; two full-height
pieces are one digit when one lies over the other, and when they cross the network decides.
Groups are read left to right, each through the usual preprocessing and model. Pictures are
split by the same rule, with ink blobs for strokes (:mod:`digitpad.number_picture`).

The thresholds were chosen with ``bench/bench_numbers.py`` (numbers composed from real pen
digits and traced MNIST digits, with gaps from overlapping to wide).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.certainty import doubts
from digitpad.pen_path import features, paths_of
from digitpad.preprocess import as_strokes, resample_all, strokes_to_mnist_many
from digitpad.two_views import combine

FULL_HEIGHT = 0.75  # a piece at least this share of the line height can be a digit alone
PART_GAP = 0.5  # a shorter piece joins a group whose ink comes this close (share of height)
OVERLAP_WEIGHT = 0.3  # ... preferring one it lies above or below
LINE_WOBBLE = 1.5  # a line of digits is at most this much taller than one digit
# Two full-height pieces are one digit when they cross or touch while overlapping by
# CROSS_OVERLAP of the narrower one (a 4 in two strokes), or lie over one another
# (STACK_OVERLAP) nearly touching (an 8 drawn as two loops).
CROSS_OVERLAP, CROSS_GAP = 0.25, 0.02
STACK_OVERLAP, STACK_GAP = 0.85, 0.12
ABOVE_OVERLAP, ABOVE_Y = 0.5, 0.3  # or one lies above the other (not beside it, as digits)
# Crossing pieces, one spanning this share of the wider one's width, are one digit (a slashed
# 0); digits written into each other overlap by an edge (under 0.31 in 99% of such pairs).
COVER_OVERLAP = 0.6
MERGE_PRIOR = 1.0  # crossing pieces are one digit when read together > this x read apart
MAX_PIECES = 40  # more strokes than this make a scribble: read whole, as before


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: its pieces (stroke indices of a drawing, blob numbers of a
    picture), box, network input and reading."""

    pieces: tuple[int, ...]
    box: tuple[float, float, float, float]  # x0, y0, x1, y1: centre lines, or ink pixels
    image: np.ndarray  # the 28x28 network input
    probabilities: np.ndarray  # (10,): the reading (both views combined, when read so)
    doubt: str | None = None  # why it may not be a digit at all (see digitpad.certainty)
    # Read with two views (see digitpad.two_views): the path the pen-path network saw and
    # each network's own probabilities; None when read by the picture alone.
    path: np.ndarray | None = None  # (64, 5)
    picture_probabilities: np.ndarray | None = None
    path_probabilities: np.ndarray | None = None

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))


@dataclass(frozen=True)
class NumberReading:
    """The digits of a drawing, left to right."""

    digits: tuple[DigitReading, ...]

    @property
    def text(self) -> str:
        return "".join(str(d.digit) for d in self.digits)

    def digit_at(self, x: float) -> int:
        """Index of the digit whose box is nearest to the horizontal position ``x``."""
        centres = np.array([(d.box[0] + d.box[2]) / 2 for d in self.digits])
        inside = [i for i, d in enumerate(self.digits) if d.box[0] <= x <= d.box[2]]
        return inside[0] if inside else int(np.argmin(np.abs(centres - x)))


def _boxes(parts: list[np.ndarray]) -> np.ndarray:
    """(n, 4) x0, y0, x1, y1 of each part, at once."""
    if not parts:
        return np.zeros((0, 4))
    points = np.concatenate(parts).astype(np.float64)
    starts = np.concatenate([[0], np.cumsum([len(p) for p in parts])[:-1]])
    return np.hstack([np.minimum.reduceat(points, starts), np.maximum.reduceat(points, starts)])


def line_height(boxes: np.ndarray, pen_width: float = 0.0) -> float:
    """The height of a digit in this drawing: the median height of the taller strokes (a bar
    or a dot does not count), but at least the whole line's height less some baseline
    wobble (an 8 drawn as two loops is one digit, not two half-height ones), and never less
    than the pen width."""
    heights = boxes[:, 3] - boxes[:, 1]
    tall = heights[heights >= 0.5 * heights.max()] if len(heights) else heights
    line = float(boxes[:, 3].max() - boxes[:, 1].min()) / LINE_WOBBLE if len(boxes) else 0.0
    return max(float(np.median(tall)) if len(tall) else 0.0, line, pen_width, 1e-9)


def _x_overlap(a: np.ndarray, b: np.ndarray, pad: float, of: Callable = min) -> float:
    """How much of the narrower box's width (``of=max``: the wider's; padded by half a pen
    each side) the other covers. A slash across a 0 covers most of the wider one too, a digit
    written into its neighbour only an edge."""
    lo, hi = max(a[0], b[0]) - pad, min(a[2], b[2]) + pad
    width = of(a[2] - a[0], b[2] - b[0]) + 2 * pad
    return max(0.0, hi - lo) / max(width, 1e-9)


def _y_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much of the shorter box's height the other covers: digits side by side on a line
    overlap a lot, the two loops of an 8 hardly."""
    lo, hi = max(a[1], b[1]), min(a[3], b[3])
    return max(0.0, hi - lo) / max(min(a[3] - a[1], b[3] - b[1]), 1e-9)


def closest_approach(point_sets: list[np.ndarray], boxes: np.ndarray,
                     reach: float) -> np.ndarray:
    """(n, n) smallest distance between the point sets; pairs whose boxes are farther apart
    than ``reach`` get their box distance (cheaper, and too far to matter)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    gap = np.maximum(np.maximum(boxes[:, None, :2], boxes[None, :, :2])
                     - np.minimum(boxes[:, None, 2:], boxes[None, :, 2:]), 0.0)
    out = np.sqrt((gap * gap).sum(axis=-1))  # between the boxes: all pairs at once
    for i, j in zip(*np.nonzero(np.triu(out <= reach, 1)), strict=True):
        a, b = point_sets[i], point_sets[j]
        across = a[:, None, 0] - b[None, :, 0]  # x and y apart: a sum over a last axis of
        down = a[:, None, 1] - b[None, :, 1]  # two is several times slower
        out[i, j] = out[j, i] = float(np.sqrt((across * across + down * down).min()))
    np.fill_diagonal(out, 0.0)
    return out


def _ink_distances(parts: list[np.ndarray], spacing: float, reach: float) -> np.ndarray:
    """(n, n) closest approach of the strokes' centre lines (to within ``spacing``)."""
    points, count = resample_all(parts, spacing)
    return closest_approach(np.split(points, np.cumsum(count)[:-1]), _boxes(parts), reach)


def read_better_together(probabilities: np.ndarray) -> bool:
    """Rows (together, first, second): one digit if read together it looks more like a digit
    than the two pieces do apart."""
    together, first, second = np.asarray(probabilities).reshape(-1, 10).max(axis=1)
    return bool(together > MERGE_PRIOR * first * second)


Reader = Callable[[list[list[np.ndarray]]], np.ndarray]  # drawings -> (n, 10) probabilities
Judge = Callable[[list[int], list[int]], bool]  # are these two groups of pieces one digit?


def group_pieces(boxes: np.ndarray, gaps: np.ndarray, height: float, pad: float = 0.0,
                 judge: Judge | None = None) -> list[list[int]]:
    """Pieces (strokes, or ink blobs of a picture) grouped into digits, left to right.

    ``boxes`` are the pieces' (x0, y0, x1, y1) extents (centre lines, widened by ``pad``
    each side), ``gaps`` the (n, n) closest approach of their ink as a share of the digit
    ``height``. The digits of a number are about equally tall, so a piece much shorter than
    the line (a bar, a flag, the top of a 4) is part of a digit, not one: it joins the group
    it comes closest to, favouring one it lies above or below. Two full-height pieces are one
    digit when one lies over the other (an 8 as two loops) or crosses most of the other's
    width (a slashed 0: apart, the 0 and the slash each read surer than together, so the
    network is not asked); when they cross while only partly overlapping (a 4 in two
    strokes, or two digits written into each other), ``judge`` decides, and without one they
    stay apart.
    """
    n = len(boxes)
    if n > MAX_PIECES:  # a scribble, not a number: read as one drawing, as a lone digit is
        return [list(range(n))]
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    group_boxes = {i: np.asarray(boxes[i], dtype=np.float64) for i in range(n)}
    costs: dict[tuple[int, int], tuple[int, float] | None] = {}

    def full(box: np.ndarray) -> bool:
        return box[3] - box[1] >= FULL_HEIGHT * height

    def cost(a: int, b: int) -> tuple[int, float] | None:
        """(rank, cost) of joining groups a and b (lower first), None if they do not join."""
        gap = min(float(gaps[i, j]) for i in groups[a] for j in groups[b])  # a few pieces
        if gap > PART_GAP:
            return None
        box_a, box_b = group_boxes[a], group_boxes[b]
        share = _x_overlap(box_a, box_b, pad)
        if not (full(box_a) and full(box_b)):
            return 0, gap - OVERLAP_WEIGHT * share
        if (share >= STACK_OVERLAP and gap <= STACK_GAP) or \
                (share >= ABOVE_OVERLAP and _y_overlap(box_a, box_b) <= ABOVE_Y):
            return 1, gap - share
        if gap <= CROSS_GAP and _x_overlap(box_a, box_b, pad, of=max) >= COVER_OVERLAP:
            return 1, gap - share
        if share >= CROSS_OVERLAP and gap <= CROSS_GAP and judge is not None:
            return 2, gap - share
        return None

    for a in range(n):
        for b in range(a + 1, n):
            costs[a, b] = cost(a, b)
    while True:
        live = [(value, pair) for pair, value in costs.items() if value is not None]
        if not live:
            break
        value, (a, b) = min(live)
        if value[0] == 2 and not judge(groups[a], groups[b]):
            costs[a, b] = None  # read apart, they look more like two digits
            continue
        groups[a] += groups.pop(b)
        box_b = group_boxes.pop(b)
        group_boxes[a] = np.array([*np.minimum(group_boxes[a][:2], box_b[:2]),
                                   *np.maximum(group_boxes[a][2:], box_b[2:])])
        costs = {pair: v for pair, v in costs.items() if b not in pair and a not in pair}
        for other in groups:
            if other != a:
                costs[min(a, other), max(a, other)] = cost(min(a, other), max(a, other))
    order = sorted(groups, key=lambda g: (group_boxes[g][0] + group_boxes[g][2]) / 2)
    return [sorted(groups[g]) for g in order]


def group_strokes(strokes: Sequence[Sequence[Sequence[float]]], pen_width: float = 0.0,
                  reader: Reader | None = None,
                  crossing_together: bool = False) -> list[list[int]]:
    """Stroke indices grouped into digits (see :func:`group_pieces`), groups left to right,
    indices in drawing order. ``crossing_together`` keeps crossing pieces together (reading
    one digit as before numbers were read); else ``reader`` settles them: one digit if
    read together they look more like a digit than apart. Empty strokes are in no group.
    """
    kept = [i for i, s in enumerate(strokes) if len(np.asarray(s).reshape(-1, 2))]
    if not kept:
        return []
    parts = as_strokes([strokes[i] for i in kept])
    boxes = _boxes(parts)
    height = line_height(boxes, pen_width)
    judge = None
    if crossing_together:
        def judge(a: list[int], b: list[int]) -> bool:
            return True
    elif reader is not None:
        def judge(a: list[int], b: list[int]) -> bool:
            return read_better_together(reader(
                [[parts[i] for i in a + b], [parts[i] for i in a], [parts[i] for i in b]]))
    if len(parts) > MAX_PIECES:
        return [kept]
    gaps = np.maximum(_ink_distances(parts, height / 20, PART_GAP * height + pen_width)
                      - pen_width, 0.0) / height
    groups = group_pieces(boxes, gaps, height, pen_width / 2, judge)
    return [[kept[i] for i in group] for group in groups]


def make_reader(predictor: Callable[[np.ndarray], np.ndarray], pen_width: float) -> Reader:
    """A :data:`Reader` over ``predictor`` through the one-digit preprocessing."""

    def reader(drawings: list[list[np.ndarray]]) -> np.ndarray:
        images = strokes_to_mnist_many(drawings, min_extent=max(pen_width, 1e-9))
        return np.asarray(predictor(np.stack(images)), dtype=np.float64).reshape(-1, 10)

    return reader


def read_number(strokes: Sequence[Sequence[Sequence[float]]],
                predictor: Callable[[np.ndarray], np.ndarray],
                pen_width: float = 0.0, crossing_together: bool = False,
                path_predictor: Callable[[np.ndarray], np.ndarray] | None = None,
                ) -> NumberReading | None:
    """Each digit of a drawing read by ``predictor`` (one batched call), or None when empty.

    ``pen_width`` (in the strokes' units) also caps magnification as in the one-digit path.
    ``crossing_together``: strokes that cross stay one digit without asking the model (a
    lone digit in two crossing strokes, such as a 4, is never split; two digits written
    into each other are then read as one). With ``path_predictor`` (a pen-path network)
    each digit is also read from its pen path and the two readings combined
    (:func:`digitpad.two_views.combine`); the grouping is the picture network's alone.
    """
    groups = group_strokes(strokes, pen_width, make_reader(predictor, pen_width),
                           crossing_together)
    if not groups:
        return None
    parts = [as_strokes([strokes[i] for i in group]) for group in groups]
    images = strokes_to_mnist_many(parts, min_extent=max(pen_width, 1e-9))
    probabilities = np.asarray(predictor(np.stack(images)), dtype=np.float64).reshape(-1, 10)
    reading, own = probabilities, [None] * len(parts)  # own: the picture's, when combined
    paths = along = [None] * len(parts)
    if path_predictor is not None:
        paths = features(*paths_of(parts))
        along = np.asarray(path_predictor(paths), dtype=np.float64).reshape(-1, 10)
        reading, own = combine(probabilities, along), probabilities
    digits = []
    for k, (group, part, image, why) in enumerate(zip(groups, parts, images,
                                                      doubts(parts, pen_width), strict=True)):
        points = np.concatenate(part)
        box = (*points.min(axis=0).tolist(), *points.max(axis=0).tolist())
        digits.append(DigitReading(tuple(group), tuple(box), image, reading[k], why,
                                   paths[k], own[k], along[k]))
    return NumberReading(tuple(digits))
