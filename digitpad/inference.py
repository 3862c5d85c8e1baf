"""Fast inference: a numpy forward pass for dense nets, a compiled call for the rest.

``model.predict`` costs ~120 ms per call (it builds a dataset and a loop) and ``model(x)``
~5 ms; a numpy forward pass of the seed net takes ~0.1 ms, so the canvas can classify on every
mouse move.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from digitpad.model import DenseLayers, load_model, read_dense_layers

if TYPE_CHECKING:
    import keras


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "softmax": _softmax,
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
}


def _as_batch(images: np.ndarray) -> tuple[np.ndarray, bool]:
    """(N, 784) float32 from (28, 28) or (N, 28, 28) images in [0, 1]; flag for a single one."""
    x = np.asarray(images, dtype=np.float32)
    single = x.ndim == 2
    if single:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"expected (28, 28) or (N, 28, 28) images, got shape {x.shape}")
    return x.reshape(len(x), 28 * 28), single


class Predictor:
    """Maps images to class probabilities: ``predictor(img)`` gives (10,), a batch gives (N, 10)."""

    kind = "abstract"

    def __call__(self, images: np.ndarray) -> np.ndarray:
        x, single = _as_batch(images)
        probs = self._forward(x)
        return probs[0] if single else probs

    def _forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class NumpyDensePredictor(Predictor):
    """Forward pass over copied weights; independent of the Keras model once built."""

    kind = "numpy"

    def __init__(self, layers: DenseLayers) -> None:
        unknown = {act for _, _, act in layers} - _ACTIVATIONS.keys()
        if unknown:
            raise ValueError(f"unsupported activations for the numpy path: {unknown}")
        self.layers = [(np.ascontiguousarray(w, np.float32), np.asarray(b, np.float32),
                        _ACTIVATIONS[act]) for w, b, act in layers]

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for kernel, bias, activation in self.layers:
            x = activation(x @ kernel + bias)
        return x


class KerasPredictor(Predictor):
    """A compiled direct call (not ``model.predict``) for architectures numpy does not cover."""

    kind = "keras"

    def __init__(self, model: keras.Model) -> None:
        import tensorflow as tf

        self.model = model
        self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        shape = self.model.inputs[0].shape if self.model.inputs else (None, 784)
        x = x.reshape((len(x), *[d for d in shape[1:]])) if len(shape) > 2 else x
        return np.asarray(self._call(x))


def dense_layers_of(model: keras.Model) -> DenseLayers | None:
    """The model's Dense layers as numpy arrays, or None if it has any other kind of layer."""
    layers: DenseLayers = []
    for layer in model.layers:
        name = type(layer).__name__
        if name in ("InputLayer", "Flatten"):
            continue
        cfg = layer.get_config()
        if name != "Dense" or not cfg.get("use_bias", True):
            return None
        if cfg.get("activation", "linear") not in _ACTIVATIONS:
            return None
        kernel, bias = (np.asarray(v) for v in layer.get_weights())
        layers.append((kernel, bias, cfg.get("activation", "linear")))
    return layers or None


def predictor_for_model(model: keras.Model) -> Predictor:
    """Numpy predictor for dense nets (a snapshot of the current weights), else a compiled call."""
    layers = dense_layers_of(model)
    return NumpyDensePredictor(layers) if layers else KerasPredictor(model)


def load_predictor(path: str | os.PathLike[str]) -> Predictor:
    """Predictor for a model file; dense nets load without importing TensorFlow."""
    layers = read_dense_layers(path)
    if layers is not None and {a for _, _, a in layers} <= _ACTIVATIONS.keys():
        return NumpyDensePredictor(layers)
    return KerasPredictor(load_model(path))
