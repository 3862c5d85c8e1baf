"""Fast inference: a numpy forward pass for every bundled architecture, a compiled call else.

``model.predict`` costs ~120 ms per call (it builds a dataset and a loop) and ``model(x)``
~5 ms; a numpy forward pass of the seed net takes ~0.07 ms and of the convnet well under
1 ms, so the canvas can classify on every mouse move without importing TensorFlow.

Numpy's BLAS runs on one thread once a numpy predictor exists (:func:`one_blas_thread`).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

import numpy as np

from digitpad.model_file import input_reshape, load_model, read_layers
from digitpad.networks import architecture_key
from digitpad.numpy_net import NumpyLayer, UnsupportedLayer, forward, fused, layer_from_config

if TYPE_CHECKING:
    import keras


def _as_batch(images: np.ndarray) -> tuple[np.ndarray, bool]:
    """(N, 784) float32 from (28, 28) or (N, 28, 28) images in [0, 1], or (N, 64, 5) pen
    paths from one path or a batch (:mod:`digitpad.pen_path`); flag for a single one."""
    from digitpad.pen_path import FEATURES, POINTS

    x = np.asarray(images, dtype=np.float32)
    single = x.ndim == 2
    if single:
        x = x[None]
    if x.ndim == 3 and x.shape[1:] == (POINTS, FEATURES):
        return x, single
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"expected (28, 28) or (N, 28, 28) images, or (N, {POINTS}, "
                         f"{FEATURES}) pen paths, got shape {x.shape}")
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


@functools.cache
def one_blas_thread() -> None:
    """Numpy's BLAS on one thread for the rest of the process (set once, never toggled).

    A reading multiplies small matrices (one to a few dozen inputs), where a second BLAS
    thread only waits for a core that training or the window is using: with one core busy a
    6-digit number read 5x slower (10 ms in the picture network alone, 2 ms on one thread).
    10,000 test digits read as fast on one thread (idle) or faster (a core busy). Set once
    rather than around each call: changing the count while another thread is inside BLAS is
    not safe.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class NumpyPredictor(Predictor):
    """Forward pass over copied weights; independent of the Keras model once built."""

    kind = "numpy"

    def __init__(self, layers: list[NumpyLayer], batch: int = 512) -> None:
        self.layers = layers
        self.batch = batch  # bounds the im2col buffers of a convnet on big batches
        self._reading = fused(layers)  # the same network in fewer steps
        one_blas_thread()

    @property
    def architecture(self) -> str:
        return architecture_key(layer.kind for layer in self.layers)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if len(x) <= self.batch:
            return forward(self._reading, x)
        return np.concatenate([forward(self._reading, x[i:i + self.batch])
                               for i in range(0, len(x), self.batch)])


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


def layers_of(model: keras.Model) -> list[NumpyLayer] | None:
    """A numpy copy of a live model's layers, or None if numpy cannot run one of them."""
    layers = []
    try:
        if model.inputs:
            layers.extend(input_reshape(model.inputs[0].shape[1:]))
        for layer in model.layers:
            layers.append(layer_from_config(type(layer).__name__, layer.get_config(),
                                            layer.get_weights()))
    except UnsupportedLayer:
        return None
    return [layer for layer in layers if layer.kind != "InputLayer"] or None


def predictor_for_model(model: keras.Model) -> Predictor:
    """Numpy predictor (a snapshot of the current weights) when possible, else a compiled call."""
    layers = layers_of(model)
    return NumpyPredictor(layers) if layers else KerasPredictor(model)


def load_predictor(path: str | os.PathLike[str]) -> Predictor:
    """Predictor for a model file; bundled architectures load without importing TensorFlow."""
    layers = read_layers(path)
    if layers is not None:
        return NumpyPredictor(layers)
    return KerasPredictor(load_model(path))
