"""What happens inside the network, for the drawing on the canvas (pure numpy, no Qt).

* :func:`inside` — each layer's activations for one image: the dense net's hidden units (and
  the input weights of the most active ones, as 28x28 pictures), the convnet's feature maps,
  and for a pen path (64 points) the pen-path network's feature maps along the path;
* :func:`heat_map` — which pixels pushed the score of the predicted digit up or down, by
  occlusion: remove the ink under a small patch and see how much the log-probability of that
  digit drops (positive: the ink there spoke for it) or rises (it spoke against). It needs
  only forward passes, so it works for every architecture the numpy predictor runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.numpy_net import NumpyLayer, activations

PATCH = 4  # occluded square, in 28x28 pixels
STRIDE = 2
BLOCK_TAIL = ("BatchNormalization", "Activation")  # shown with the convolution before them


@dataclass(frozen=True)
class LayerView:
    """One layer as the inside view shows it."""

    name: str  # e.g. "Dense 512 relu", "Conv2D 32 3x3"
    kind: str
    values: np.ndarray  # (units,) for Dense, (H, W, channels) Conv2D, (steps, channels) Conv1D
    weight_images: np.ndarray | None = None  # (k, 28, 28) for the first Dense layer
    top_units: np.ndarray | None = None  # the units those images belong to


def inside(layers: Sequence[NumpyLayer], image: np.ndarray, top: int = 8) -> list[LayerView]:
    """The activations of every Dense and convolution layer for one 28x28 image in [0, 1]
    (or one (64, 5) pen path, for the pen-path network)."""
    x = np.asarray(image, dtype=np.float32)
    x = x.reshape(1, 784) if x.size == 784 else x[None]
    outputs = activations(layers, x)
    # A convolution without an activation of its own is shown as its block's output: after
    # the batch norm and activation layers that follow it (conv -> batch norm -> relu).
    shown = list(outputs)
    for k, layer in enumerate(layers):
        if layer.activation == "linear" and layer.kind in ("Conv1D", "Conv2D"):
            end = k
            while end + 1 < len(layers) and layers[end + 1].kind in BLOCK_TAIL:
                end += 1
            shown[k] = outputs[end]
    views, first_dense = [], True
    for layer, out in zip(layers, shown, strict=True):
        if layer.kind == "Dense":
            values = out[0]
            name = f"Dense {values.shape[0]} {layer.activation}"
            images = units = None
            if first_dense and layer.weights[0].shape[0] == 784:
                units = np.argsort(values)[::-1][:top]
                images = layer.weights[0][:, units].T.reshape(-1, 28, 28)
            first_dense = False
            views.append(LayerView(name, "Dense", values, images, units))
        elif layer.kind == "Conv2D":
            kernel = layer.weights[0].shape
            views.append(LayerView(f"Conv2D {kernel[-1]} {kernel[0]}x{kernel[1]}", "Conv2D",
                                   out[0]))
        elif layer.kind == "Conv1D":
            kernel = layer.weights[0].shape
            views.append(LayerView(f"Conv1D {kernel[-1]}, {kernel[0]} points", "Conv1D",
                                   out[0]))
    return views


def heat_map(predictor: Callable[[np.ndarray], np.ndarray], image: np.ndarray,
             target: int | None = None, patch: int = PATCH, stride: int = STRIDE) -> np.ndarray:
    """(28, 28) signed map: how much the ink in each place raised the log-probability of
    ``target`` (default: the predicted digit). Pixels without ink are 0."""
    x = np.asarray(image, dtype=np.float32).reshape(28, 28)
    probabilities = np.asarray(predictor(x), dtype=np.float64).reshape(10)
    target = int(np.argmax(probabilities)) if target is None else int(target)
    starts = range(0, 28 - patch + 1, stride)
    corners = [(r, c) for r in starts for c in starts
               if x[r:r + patch, c:c + patch].any()]
    if not corners:
        return np.zeros((28, 28), np.float32)
    occluded = np.repeat(x[None], len(corners), axis=0)
    for k, (r, c) in enumerate(corners):
        occluded[k, r:r + patch, c:c + patch] = 0.0
    scores = np.log(np.clip(np.asarray(predictor(occluded))[:, target], 1e-12, 1.0))
    drops = np.log(max(probabilities[target], 1e-12)) - scores
    total = np.zeros((28, 28))
    count = np.zeros((28, 28))
    for (r, c), drop in zip(corners, drops, strict=True):
        total[r:r + patch, c:c + patch] += drop
        count[r:r + patch, c:c + patch] += 1
    heat = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return (heat * (x > 0)).astype(np.float32)
