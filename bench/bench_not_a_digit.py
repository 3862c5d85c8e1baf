#!/usr/bin/env python
"""Can digitpad tell a digit from something that is not one? (the "may not be a digit" sign)

Measures :func:`digitpad.certainty.doubt` (the pen's total turning, width/height, size) on real
digits — pen strokes of the ``train`` split (where the thresholds were chosen) and the
``test`` split, MNIST test digits traced into strokes — and on made-up non-digits: dashes,
random scribbles, zigzags and dense tangles. Next to it, for comparison, the share the
default model reads with a top probability under 0.6 (the window's "unsure" look), which is
what a peer app would rely on.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_not_a_digit.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad.certainty import doubt
from digitpad.inference import load_predictor
from digitpad.mnist import load_mnist
from digitpad.pen import read_pen_strokes
from digitpad.preprocess import strokes_to_mnist
from digitpad.session import default_model_path
from digitpad.skeleton import digit_strokes

PEN_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "unipen-digits.npz"


def non_digit(kind: str, rng: np.random.Generator) -> list[np.ndarray]:
    if kind == "dash":
        return [np.array([[0.0, 0.0], [rng.uniform(50, 200), rng.normal(0, 5)]])]
    if kind == "scribble":
        return [np.cumsum(rng.normal(0, 15, (rng.integers(20, 80), 2)), 0)
                for _ in range(rng.integers(1, 4))]
    if kind == "zigzag":
        return [np.array([[i * 10, (i % 2) * 60] for i in range(rng.integers(6, 14))], float)]
    return [np.cumsum(rng.normal(0, 3, (200, 2)), 0)]  # a dense tangle


def pen_width_of(strokes: list[np.ndarray]) -> float:
    """The canvas's pen is about an eighth of a digit's height."""
    points = np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes])
    return float(np.ptp(points, axis=0).max()) / 8


def main() -> None:
    rng = np.random.default_rng(0)
    predictor = load_predictor(default_model_path())
    sets: dict[str, list[list[np.ndarray]]] = {}
    if PEN_FILE.exists():
        pen = read_pen_strokes(PEN_FILE)
        for split in ("train", "test"):
            sets[f"pen {split}"] = [pen.strokes(int(i)) for i in np.flatnonzero(pen.split == split)]
    (_, _), (x_test, _) = load_mnist()
    sets["MNIST test (traced)"] = [s for s in (digit_strokes(x_test[i]) for i in range(2000))
                                   if s]
    for kind in ("dash", "scribble", "zigzag", "tangle"):
        sets[kind] = [non_digit(kind, rng) for _ in range(300)]
    print("| drawings | how many | flagged 'may not be a digit' | why | top probability < 0.6 |")
    print("| --- | ---: | ---: | --- | ---: |")
    for name, drawings in sets.items():
        reasons = [doubt(d, pen_width_of(d)) for d in drawings]
        flagged = [r for r in reasons if r]
        why = ", ".join(f"{r} {flagged.count(r)}" for r in sorted(set(flagged))) or "–"
        images = np.stack([strokes_to_mnist(d, min_extent=pen_width_of(d)) for d in drawings])
        unsure = (predictor(images).max(axis=1) < 0.6).mean()
        print(f"| {name} | {len(drawings)} | {len(flagged) / len(drawings):.1%} | {why} "
              f"| {unsure:.1%} |")


if __name__ == "__main__":
    main()
