#!/usr/bin/env python
"""Drawn-digit accuracy: MNIST test digits replayed as pen strokes, the way a user draws them.

Each digit is thinned to its skeleton, traced into strokes, and replayed on a 400x400 canvas
at a random size (30-95% of the canvas), a random position and one of several pen widths,
with a little hand jitter. The drawings then go through

  * digitpad's vector preprocessing (re-render at MNIST scale, 20x20 box, centre of mass),
  * the raster recipe (crop the canvas image, fit 20x20 by area averaging, centre of mass),
  * the naive recipe most demos use (shrink the whole canvas to 28x28),

and the bundled model. Prints accuracy next to the model's clean test accuracy, per-class
accuracy, and the time from strokes to probabilities.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_drawn.py [--n 2000] [--sweep]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from digitpad.inference import load_predictor
from digitpad.mnist import load_mnist
from digitpad.paths import asset_path
from digitpad.pen_path import path_features
from digitpad.preprocess import (
    PEN_WIDTH,
    naive_resize,
    raster_to_mnist,
    render_strokes,
    strokes_to_mnist,
)
from digitpad.session import PEN_PATH_MODEL, default_model_path
from digitpad.skeleton import digit_strokes
from digitpad.two_views import combine

CANVAS = 400
PEN_WIDTHS = (6.0, 12.0, 20.0)


def replay(strokes: list[np.ndarray], rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
    """Strokes in 28x28 units -> strokes on the canvas at a random size, place and pen."""
    points = np.concatenate(strokes)
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = max(float((hi - lo).max()), 1.0)
    size = rng.uniform(0.30, 0.95) * CANVAS
    pen = float(rng.choice(PEN_WIDTHS))
    scale = size / extent
    span = (hi - lo) * scale
    origin = np.array([rng.uniform(pen / 2, CANVAS - span[0] - pen / 2),
                       rng.uniform(pen / 2, CANVAS - span[1] - pen / 2)])
    drawn = []
    for stroke in strokes:
        jitter = rng.normal(0.0, 0.6, stroke.shape)  # a hand is not a plotter
        drawn.append((stroke - lo) * scale + origin + jitter)
    return drawn, pen


def accuracy(predictor, images: list[np.ndarray | None], labels: np.ndarray) -> float:
    blank = np.zeros((28, 28), np.float32)
    batch = np.stack([blank if im is None else im for im in images])
    return float(np.mean(predictor(batch).argmax(axis=1) == labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="test digits to draw")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--sweep", action="store_true", help="also try other pen widths")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    _, (x_test, y_test) = load_mnist()
    predictor = load_predictor(args.model)
    clean = float(np.mean(predictor(x_test / 255.0).argmax(axis=1) == y_test))
    pick = rng.choice(len(x_test), size=min(args.n, len(x_test)), replace=False)
    labels = y_test[pick]
    clean_subset = float(np.mean(predictor(x_test[pick] / 255.0).argmax(axis=1) == labels))

    traced = [digit_strokes(x_test[i]) for i in pick]
    drawings = [replay(strokes, rng) for strokes in traced]
    # Where the gap comes from: the traced strokes redrawn in place at 28x28 with no
    # preprocessing at all. Uniform pen strokes lose MNIST's varying thickness.
    in_place = [render_strokes(strokes, (28, 28), PEN_WIDTH).astype(np.float32)
                for strokes in traced]

    methods = ("vector (digitpad)", "raster crop/20x20/COM", "naive whole-canvas resize")
    results: dict[str, list[np.ndarray | None]] = {name: [] for name in methods}
    timings = []
    for strokes, pen in drawings:
        start = time.perf_counter()
        image = strokes_to_mnist(strokes)
        predictor(image)
        timings.append((time.perf_counter() - start) * 1000)
        results["vector (digitpad)"].append(image)
        canvas = render_strokes(strokes, (CANVAS, CANVAS), pen)
        results["raster crop/20x20/COM"].append(raster_to_mnist(canvas, detect_polarity=False))
        results["naive whole-canvas resize"].append(naive_resize(canvas))

    print(f"model: {args.model}")
    print(f"clean MNIST test accuracy: {clean:.4f} (all 10000), {clean_subset:.4f} "
          f"(the {len(pick)} drawn)")
    print(f"drawn digits: {len(pick)}, canvas {CANVAS}px, size 30-95%, pens {PEN_WIDTHS}")
    print(f"  {'traced strokes redrawn in place':28s} accuracy "
          f"{accuracy(predictor, in_place, labels):.4f}  (the replay's own cost, no preprocessing)")
    for name, images in results.items():
        acc = accuracy(predictor, images, labels)
        print(f"  {name:28s} accuracy {acc:.4f}  (gap to clean {100 * (clean_subset - acc):+.2f}"
              " points)")
    vector = np.stack(results["vector (digitpad)"])
    # As the canvas reads by default: the picture and the pen path combined. Traced MNIST
    # strokes have a made-up order and direction, so this is the pen path at a disadvantage.
    path_predictor = load_predictor(asset_path(PEN_PATH_MODEL))
    paths = np.stack([path_features(strokes) for strokes, _ in drawings])
    both = combine(predictor(vector), path_predictor(paths))
    print(f"  {'vector + pen path (canvas)':28s} accuracy "
          f"{np.mean(both.argmax(axis=1) == labels):.4f}  (pen path alone "
          f"{np.mean(path_predictor(paths).argmax(axis=1) == labels):.4f}; traced strokes)")
    predicted = predictor(vector).argmax(axis=1)
    print("per-class accuracy (vector):")
    print("  " + "  ".join(f"{d}:{np.mean(predicted[labels == d] == d):.3f}" for d in range(10)))
    confusions = [(int(t), int(p)) for t, p in zip(labels, predicted, strict=True) if t != p]
    common = sorted({c: confusions.count(c) for c in confusions}.items(), key=lambda kv: -kv[1])
    print("  most common errors (true->predicted: count): "
          + ", ".join(f"{t}->{p}: {n}" for (t, p), n in common[:6]))
    print(f"strokes -> probabilities: median {statistics.median(timings):.2f} ms, "
          f"95th percentile {np.percentile(timings, 95):.2f} ms")
    if args.sweep:
        print(f"pen width sweep (28x28 pixels; default {PEN_WIDTH}):")
        for width in (1.8, 2.2, 2.6, 3.0, 3.4):
            images = [strokes_to_mnist(s, pen_width=width) for s, _ in drawings]
            print(f"  pen {width:.1f}: accuracy {accuracy(predictor, images, labels):.4f}")


if __name__ == "__main__":
    main()
