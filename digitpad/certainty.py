"""How far to trust a reading: is this a digit at all, and is the network sure?

Sure: a top probability under :data:`UNSURE_BELOW` is shown (and printed by ``classify``)
as unsure, with the runner-up. A digit at all: a network trained on digits answers "4,
99%" for a dash and "8, 99%" for a scribble: softmax confidence says nothing about inputs
unlike any digit. The drawing's own shape does, measured on its strokes (pure numpy, no Qt):

* **tangled**: a digit's pen turns through at most about three full turns (an 8 about two);
  scribbles and zigzags turn far more;
* **flat**: a digit is never much wider than tall (a dash is);
* **a dot**: a drawing no bigger than a couple of pen widths.

Thresholds from ``bench/bench_not_a_digit.py``: they flag 0.6% of the pen ``train`` digits
(where they were chosen), 1.1% of pen ``test`` digits, none of 2,000 traced MNIST test digits,
and every dash and tangle, 99.7% of scribbles and about half of zigzags.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitpad.preprocess import as_strokes, resample_all

UNSURE_BELOW = 0.6  # a top probability under this reads as "unsure", in the window and the CLI
MAX_TURNS = 3.5  # total turning of the pen, in full turns, over strokes resampled at 1/12 size
MAX_WIDTH_RATIO = 2.5  # width / height
MIN_SIZE_IN_PENS = 2.0  # extent / pen width


def turning(strokes: Sequence[np.ndarray], size: float) -> float:
    """Total absolute turning of the pen in full turns, on strokes resampled every
    ``size`` / 12 (so a mouse's jitter does not count as turning); all strokes at once."""
    parts = as_strokes(strokes)
    if not parts:
        return 0.0
    points, count = resample_all(parts, size / 12)
    owner = np.repeat(np.arange(len(count)), count)
    steps = np.diff(points, axis=0)
    keep = (owner[1:] == owner[:-1]) & (np.hypot(*steps.T) > 0)  # within a stroke, moving
    steps, step_owner = steps[keep], owner[1:][keep]
    angles = np.arctan2(steps[:, 1], steps[:, 0])
    bends = (np.diff(angles) + np.pi) % (2 * np.pi) - np.pi
    same = step_owner[1:] == step_owner[:-1]
    return float(np.abs(bends[same]).sum()) / (2 * np.pi)


def doubt(strokes: Sequence[Sequence[Sequence[float]]], pen_width: float = 0.0) -> str | None:
    """Why this drawing may not be a digit ("a dot", "too flat", "too tangled"), or None."""
    parts = as_strokes(strokes)
    if not parts:
        return None
    points = np.concatenate(parts)
    width, height = np.ptp(points, axis=0)
    size = float(max(width, height))
    if size <= MIN_SIZE_IN_PENS * pen_width:
        return "a dot"
    if width > MAX_WIDTH_RATIO * max(height, pen_width):
        return "too flat"
    if turning(parts, size) > MAX_TURNS:
        return "too tangled"
    return None


def is_unsure(confidence: float) -> bool:
    return confidence < UNSURE_BELOW


def verdict(probabilities: np.ndarray, doubt: str | None = None) -> tuple[bool, str]:
    """(shown as unsure, the words for it): not a digit by its shape, under 60% sure (with
    the runner-up), or sure."""
    winner = int(np.argmax(probabilities))
    top = float(probabilities[winner])
    if doubt is not None:
        return True, f"may not be a digit ({doubt})"
    if is_unsure(top):
        runner_up = int(np.argsort(probabilities)[-2])
        return True, f"unsure: {top:.0%} ({runner_up}: {probabilities[runner_up]:.0%})"
    return False, f"{top:.1%} sure"
