#!/usr/bin/env python
"""Can the default model tell a digit from something that is not one? (issue 12, experiment)

Candidates, each thresholded so that few real digits are flagged:

* the top softmax probability under 0.6 (what the window's "unsure" look uses);
* the distance of the convnet's flattened features to the nearest class mean (diagonal
  Mahalanobis, class means and variances from 10,000 MNIST + the pen train digits),
  flagged above its 99.5th percentile on those training digits.

Reports the flag rate on MNIST test and pen test digits (should be small) and on made-up
non-digits drawn through the canvas path: dashes, random scribbles, zigzags, "7 1" side by
side, and dense tangles (should be large).

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_not_a_digit.py
"""

from __future__ import annotations

import numpy as np

from digitpad.data import load_mnist
from digitpad.inference import load_predictor
from digitpad.numpy_net import activations
from digitpad.pen import read_rendered
from digitpad.preprocess import strokes_to_mnist
from digitpad.session import default_model_path


def features(layers, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(flattened conv features, probabilities) for uint8 or [0, 1] images."""
    x = images.reshape(len(images), 784).astype(np.float32)
    if images.dtype == np.uint8:
        x /= 255
    feats, probs = [], []
    for i in range(0, len(x), 512):
        outs = activations(layers, x[i:i + 512])
        flat = next(o for layer, o in zip(layers, outs, strict=True) if layer.kind == "Flatten")
        feats.append(flat)
        probs.append(outs[-1])
    return np.concatenate(feats), np.concatenate(probs)


def non_digit(kind: str, rng: np.random.Generator) -> list[np.ndarray]:
    if kind == "dash":
        return [np.array([[0.0, 0.0], [rng.uniform(50, 200), rng.normal(0, 5)]])]
    if kind == "scribble":
        return [np.cumsum(rng.normal(0, 15, (rng.integers(20, 80), 2)), 0)
                for _ in range(rng.integers(1, 4))]
    if kind == "zigzag":
        return [np.array([[i * 10, (i % 2) * 60] for i in range(rng.integers(6, 14))], float)]
    if kind == "7 1 side by side":
        return [np.array([[0.0, 0.0], [40, 0], [15, 80]]), np.array([[70.0, 0.0], [70, 80]])]
    return [np.cumsum(rng.normal(0, 3, (200, 2)), 0)]  # a dense tangle


def main() -> None:
    rng = np.random.default_rng(0)
    layers = load_predictor(default_model_path()).layers
    pen = read_rendered()
    (x_train, y_train), (x_test, _) = load_mnist()
    pick = rng.choice(len(x_train), 10_000, replace=False)
    x_pen, y_pen = pen.part("train")
    train_feats, _ = features(layers, np.concatenate([x_train[pick], x_pen]))
    labels = np.concatenate([y_train[pick], y_pen])
    means = np.stack([train_feats[labels == d].mean(0) for d in range(10)])
    var = np.concatenate([train_feats[labels == d] - means[d] for d in range(10)]).var(0) + 1e-3

    def distance(feats: np.ndarray) -> np.ndarray:
        return ((feats[:, None, :] - means[None]) ** 2 / var).mean(-1).min(1)

    threshold = float(np.percentile(distance(train_feats), 99.5))
    print(f"feature-distance threshold (99.5th percentile of training digits): {threshold:.3f}")
    print("| input | flagged by distance | top probability < 0.6 | either |")
    print("| --- | --- | --- | --- |")
    sets = {"MNIST test": x_test, "pen test": pen.part("test")[0]}
    for kind in ("dash", "scribble", "zigzag", "7 1 side by side", "tangle"):
        sets[kind] = np.stack([strokes_to_mnist(non_digit(kind, rng), min_extent=18)
                               for _ in range(200)])
    for name, images in sets.items():
        feats, probs = features(layers, images)
        far, unsure = distance(feats) > threshold, probs.max(1) < 0.6
        print(f"| {name} | {far.mean():.3f} | {unsure.mean():.3f} | {(far | unsure).mean():.3f} |")


if __name__ == "__main__":
    main()
