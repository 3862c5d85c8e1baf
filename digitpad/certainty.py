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
    return float(turnings([as_strokes(strokes)], np.array([size]))[0])


def turnings(drawings: Sequence[list[np.ndarray]], sizes: np.ndarray) -> np.ndarray:
    """:func:`turning` of each drawing (its strokes as float arrays, none empty) at its size,
    all resampled at once: the digits of a number cost little more than one."""
    strokes = [stroke for parts in drawings for stroke in parts]
    if not strokes:
        return np.zeros(len(drawings))
    owner = np.repeat(np.arange(len(drawings)), [len(parts) for parts in drawings])
    points, count = resample_all(strokes, np.asarray(sizes, dtype=np.float64)[owner] / 12)
    stroke = np.repeat(np.arange(len(count)), count)
    steps = np.diff(points, axis=0)
    moving = (steps * steps).sum(axis=1) > 0
    keep = (stroke[1:] == stroke[:-1]) & moving  # within a stroke, moving
    steps, step_stroke = steps[keep], stroke[1:][keep]
    angles = np.arctan2(steps[:, 1], steps[:, 0])
    bends = (np.diff(angles) + np.pi) % (2 * np.pi) - np.pi
    same = step_stroke[1:] == step_stroke[:-1]
    total = np.bincount(owner[step_stroke[1:][same]], np.abs(bends[same]),
                        minlength=len(drawings))
    return total / (2 * np.pi)


def doubt(strokes: Sequence[Sequence[Sequence[float]]], pen_width: float = 0.0) -> str | None:
    """Why this drawing may not be a digit ("a dot", "too flat", "too tangled"), or None."""
    return doubts([strokes], pen_width)[0]


def doubts(drawings: Sequence[Sequence[Sequence[Sequence[float]]]], pen_width: float = 0.0,
           ) -> list[str | None]:
    """:func:`doubt` of each drawing (the digits of a number), their turning measured at
    once."""
    parts = [as_strokes(strokes) for strokes in drawings]
    out: list[str | None] = [None] * len(parts)
    tangled = []  # drawings whose turning decides
    for k, strokes in enumerate(parts):
        if not strokes:
            continue
        width, height = np.ptp(np.concatenate(strokes), axis=0)
        size = float(max(width, height))
        if size <= MIN_SIZE_IN_PENS * pen_width:
            out[k] = "a dot"
        elif width > MAX_WIDTH_RATIO * max(height, pen_width):
            out[k] = "too flat"
        else:
            tangled.append((k, size))
    if tangled:
        turns = turnings([parts[k] for k, _ in tangled], np.array([size for _, size in tangled]))
        for (k, _), turn in zip(tangled, turns, strict=True):
            if turn > MAX_TURNS:
                out[k] = "too tangled"
    return out


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
