"""Split a drawing into digits, so a whole number can be read (pure numpy, no Qt).

People write a digit in one to three strokes (a 4 or a 5 often takes two, a 7 may get a
crossbar, sometimes after the next digit was begun), one digit beside the next. So strokes
are grouped by where they lie, not by when they were drawn: strokes whose horizontal extents
overlap belong to one digit; a small mark (a bar, a dot) joins the digit it lies nearest to.
Groups are read left to right, each through the usual preprocessing and model.

The thresholds were chosen with ``bench/bench_numbers.py`` (numbers composed from real pen
digits and traced MNIST digits, with gaps from overlapping to wide).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.preprocess import as_strokes, resample, strokes_to_mnist

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


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: its strokes (indices into the drawing), box, image and reading."""

    strokes: tuple[int, ...]
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 of the centre lines
    image: np.ndarray  # the 28x28 network input
    probabilities: np.ndarray  # (10,)

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
    return np.array([[*p.min(axis=0), *p.max(axis=0)] for p in parts], dtype=np.float64)


def line_height(boxes: np.ndarray, pen_width: float = 0.0) -> float:
    """The height of a digit in this drawing: the median height of the taller strokes (a bar
    or a dot does not count), but at least the whole line's height less some baseline
    wobble (an 8 drawn as two loops is one digit, not two half-height ones), and never less
    than the pen width."""
    heights = boxes[:, 3] - boxes[:, 1]
    tall = heights[heights >= 0.5 * heights.max()] if len(heights) else heights
    line = float(boxes[:, 3].max() - boxes[:, 1].min()) / LINE_WOBBLE if len(boxes) else 0.0
    return max(float(np.median(tall)) if len(tall) else 0.0, line, pen_width, 1e-9)


def _x_overlap(a: np.ndarray, b: np.ndarray, pad: float) -> float:
    """How much of the narrower box's width (padded by half a pen each side) the other covers."""
    lo, hi = max(a[0], b[0]) - pad, min(a[2], b[2]) + pad
    narrower = min(a[2] - a[0], b[2] - b[0]) + 2 * pad
    return max(0.0, hi - lo) / max(narrower, 1e-9)


def _y_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much of the shorter box's height the other covers: digits side by side on a line
    overlap a lot, the two loops of an 8 hardly."""
    lo, hi = max(a[1], b[1]), min(a[3], b[3])
    return max(0.0, hi - lo) / max(min(a[3] - a[1], b[3] - b[1]), 1e-9)


def _box_distance(a: np.ndarray, b: np.ndarray) -> float:
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return float(np.hypot(dx, dy))


def _ink_distances(parts: list[np.ndarray], spacing: float, reach: float) -> np.ndarray:
    """(n, n) closest approach of the strokes' centre lines (to within ``spacing``); pairs
    whose boxes are farther apart than ``reach`` get their box distance (cheaper, and too far
    to matter)."""
    points = [resample(p, spacing) for p in parts]
    boxes = _boxes(parts)
    n = len(parts)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = _box_distance(boxes[i], boxes[j])
            if out[i, j] > reach:
                continue
            diff = points[i][:, None, :] - points[j][None, :, :]
            out[i, j] = out[j, i] = float(np.sqrt((diff**2).sum(axis=-1).min()))
    return out


def _joined(box_a: np.ndarray, box_b: np.ndarray) -> np.ndarray:
    return np.array([*np.minimum(box_a[:2], box_b[:2]), *np.maximum(box_a[2:], box_b[2:])])


Reader = Callable[[list[list[np.ndarray]]], np.ndarray]  # drawings -> (n, 10) probabilities


def group_strokes(strokes: Sequence[Sequence[Sequence[float]]], pen_width: float = 0.0,
                  reader: Reader | None = None) -> list[list[int]]:
    """Stroke indices grouped into digits, groups left to right, indices in drawing order.

    The digits of a number are about equally tall, so a piece much shorter than the line (a
    bar, a flag, the top of a 4) is part of a digit, not one: it joins the group it comes
    closest to, favouring one it lies above or below. Two full-height pieces are one digit
    when one lies over the other nearly touching (an 8 as two loops); when they cross while
    only partly overlapping (a 4 in two strokes, or two digits written into each other),
    ``reader`` decides: they stay one digit if read together they look more like a digit
    than apart. Without a reader they stay apart. Empty strokes are skipped (their indices
    appear in no group).
    """
    kept = [i for i, s in enumerate(strokes) if len(np.asarray(s).reshape(-1, 2))]
    if not kept:
        return []
    parts = as_strokes([strokes[i] for i in kept])
    boxes = _boxes(parts)
    height = line_height(boxes, pen_width)
    pad = pen_width / 2
    gaps = np.maximum(_ink_distances(parts, height / 20, PART_GAP * height + pen_width)
                      - pen_width, 0.0) / height
    groups = [[i] for i in range(len(parts))]
    group_boxes = [b.copy() for b in boxes]
    rejected: set[tuple[frozenset[int], frozenset[int]]] = set()

    def full(box: np.ndarray) -> bool:
        return box[3] - box[1] >= FULL_HEIGHT * height

    def candidates(a: int, b: int) -> tuple[int, float] | None:
        """(rank, cost) of joining groups a and b (lower first), None if they do not join."""
        gap = float(gaps[np.ix_(groups[a], groups[b])].min())
        if gap > PART_GAP:
            return None
        share = _x_overlap(group_boxes[a], group_boxes[b], pad)
        if not (full(group_boxes[a]) and full(group_boxes[b])):
            return 0, gap - OVERLAP_WEIGHT * share
        if (share >= STACK_OVERLAP and gap <= STACK_GAP) or \
                (share >= ABOVE_OVERLAP and _y_overlap(group_boxes[a], group_boxes[b]) <= ABOVE_Y):
            return 1, gap - share
        if share >= CROSS_OVERLAP and gap <= CROSS_GAP and reader is not None and \
                (frozenset(groups[a]), frozenset(groups[b])) not in rejected:
            return 2, gap - share
        return None

    def read_better_together(a: int, b: int) -> bool:
        drawings = [[parts[i] for i in groups[a] + groups[b]], [parts[i] for i in groups[a]],
                    [parts[i] for i in groups[b]]]
        together, first, second = np.asarray(reader(drawings)).max(axis=1)
        return together > first * second

    while len(groups) > 1:
        best, pair = None, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                value = candidates(a, b)
                if value is not None and (best is None or value < best):
                    best, pair = value, (a, b)
        if pair is None:
            break
        a, b = pair
        if best[0] == 2 and not read_better_together(a, b):
            rejected.add((frozenset(groups[a]), frozenset(groups[b])))
            continue
        groups[a] += groups.pop(b)
        group_boxes[a] = _joined(group_boxes[a], group_boxes.pop(b))
    order = np.argsort([(b[0] + b[2]) / 2 for b in group_boxes], kind="stable")
    return [sorted(kept[i] for i in groups[g]) for g in order]


def make_reader(predictor: Callable[[np.ndarray], np.ndarray], pen_width: float) -> Reader:
    """A :data:`Reader` over ``predictor`` through the one-digit preprocessing."""

    def reader(drawings: list[list[np.ndarray]]) -> np.ndarray:
        images = [strokes_to_mnist(d, min_extent=max(pen_width, 1e-9)) for d in drawings]
        return np.asarray(predictor(np.stack(images)), dtype=np.float64).reshape(-1, 10)

    return reader


def read_number(strokes: Sequence[Sequence[Sequence[float]]],
                predictor: Callable[[np.ndarray], np.ndarray],
                pen_width: float = 0.0) -> NumberReading | None:
    """Each digit of a drawing read by ``predictor`` (one batched call), or None when empty.

    ``pen_width`` (in the strokes' units) also caps magnification as in the one-digit path.
    """
    groups = group_strokes(strokes, pen_width, make_reader(predictor, pen_width))
    if not groups:
        return None
    parts = [as_strokes([strokes[i] for i in group]) for group in groups]
    images = [strokes_to_mnist(p, min_extent=max(pen_width, 1e-9)) for p in parts]
    probabilities = np.asarray(predictor(np.stack(images)), dtype=np.float64).reshape(-1, 10)
    digits = []
    for group, part, image, probs in zip(groups, parts, images, probabilities, strict=True):
        points = np.concatenate(part)
        box = (*points.min(axis=0).tolist(), *points.max(axis=0).tolist())
        digits.append(DigitReading(tuple(group), tuple(box), image, probs))
    return NumberReading(tuple(digits))
