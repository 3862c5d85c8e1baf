"""Hand-built digits as strokes, 100 units tall (``PEN`` wide ink), for segmentation and
drawing tests: the two-stroke 4, a 7 with a separate bar, an 8 as two loops, a 5 with a flag."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

PEN = 12.0  # digits are 100 units tall, as on a canvas with an 18 px pen and 150 px digits


def line(*points: tuple[float, float], steps: int = 12) -> np.ndarray:
    """A polyline through ``points``, densely sampled like mouse input."""
    out = [np.linspace(a, b, steps, endpoint=False) for a, b in pairwise(points)]
    return np.vstack([*out, [points[-1]]]).astype(np.float64)


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0,
            stop: float = 2 * np.pi) -> np.ndarray:
    t = np.linspace(start, stop, 48)
    return np.stack([cx + rx * np.sin(t), cy - ry * np.cos(t)], axis=1)


def at(strokes: list[np.ndarray], dx: float) -> list[np.ndarray]:
    return [s + [dx, 0.0] for s in strokes]


ONE = [line((20, 0), (20, 100))]
SEVEN = [line((0, 0), (55, 0), (20, 100))]
SEVEN_BAR = line((15, 50), (50, 50))
FOUR = [line((35, 0), (0, 65), (55, 65)), line((40, 25), (40, 100))]  # two strokes
ZERO = [ellipse(28, 50, 28, 50)]
EIGHT = [ellipse(25, 24, 20, 24), ellipse(25, 75, 25, 25)]  # two loops, one over the other
FIVE = [line((45, 0), (8, 0)), line((8, 0), (5, 45)),
        np.vstack([line((5, 45), (30, 40)), ellipse(25, 72, 25, 28, -1.2, 3.9)[1:]])]
