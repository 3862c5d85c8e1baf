"""Numpy forward passes for every network digitpad builds (dense, convnet, your designs, pen
path), no TensorFlow.

``model.predict`` costs ~120 ms a call and importing TensorFlow ~5 s; the canvas classifies on
every mouse move, so inference runs over copies of the weights in numpy instead (~0.07 ms for
the dense net, well under 1 ms for the convnet). A network is a list of :class:`NumpyLayer`,
built from a Keras layer config plus its weights, whether those come from a live model or
straight from a ``.keras`` file's HDF5 (see :func:`digitpad.model_file.read_layers`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "softmax": _softmax,
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
}
# Layers that do nothing at inference time.
PASS_THROUGH = {"Dropout", "SpatialDropout2D", "GaussianNoise", "InputLayer"}
SUPPORTED = {"Dense", "Conv2D", "MaxPooling2D", "Conv1D", "MaxPooling1D", "Flatten", "Reshape",
             "BatchNormalization", "GlobalAveragePooling2D", "Activation"} | PASS_THROUGH


class UnsupportedLayer(ValueError):
    """The model has a layer or option the numpy path does not implement."""


@dataclass
class NumpyLayer:
    """One layer: its Keras class name, the options used, and float32 weights."""

    kind: str
    weights: list[np.ndarray] = field(default_factory=list)
    activation: str = "linear"
    options: dict = field(default_factory=dict)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "Dense":
            return ACTIVATIONS[self.activation](x @ self.weights[0] + self.weights[1])
        if self.kind == "Conv2D":
            return ACTIVATIONS[self.activation](_conv2d(x, *self.weights,
                                                        self.options["padding"],
                                                        self.options.get("stride", 1)))
        if self.kind == "MaxPooling2D":
            return _max_pool(x, self.options["pool"])
        if self.kind == "Conv1D":
            return ACTIVATIONS[self.activation](_conv1d(x, *self.weights,
                                                        self.options["padding"]))
        if self.kind == "MaxPooling1D":
            return _max_pool_1d(x, self.options["pool"])
        if self.kind == "GlobalAveragePooling2D":
            return x.mean(axis=(1, 2))
        if self.kind == "Flatten":
            return x.reshape(len(x), -1)
        if self.kind == "Reshape":
            return x.reshape((len(x), *self.options["shape"]))
        if self.kind == "Activation":
            return ACTIVATIONS[self.activation](x)
        if self.kind == "BatchNormalization":
            gamma, beta, mean, var = self.weights
            return (x - mean) / np.sqrt(var + self.options["epsilon"]) * gamma + beta
        return x  # pass-through at inference (Dropout and friends)


def _pad_same(x: np.ndarray, kernel: tuple[int, ...]) -> np.ndarray:
    """``x`` (N, *spatial, C) zero-padded as Keras's 'same' padding does for a stride-1
    ``kernel`` (the extra zero after). A slice into zeros: np.pad costs ~40 us a call, as
    much as the convolution of a short path."""
    sides = list(zip(x.shape[1:-1], kernel, strict=True))
    out = np.zeros((x.shape[0], *(n + k - 1 for n, k in sides), x.shape[-1]), dtype=x.dtype)
    out[(slice(None), *(slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in sides))] = x
    return out


def _conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, padding: str,
            stride: int = 1) -> np.ndarray:
    """2-D convolution (Keras layout: x (N, H, W, C), kernel (kh, kw, C, F)); a stride keeps
    every ``stride``-th window, as Keras does with 'valid' padding."""
    kh, kw = kernel.shape[:2]
    if padding == "same":
        x = _pad_same(x, (kh, kw))
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]
    # windows: (N, H', W', C, kh, kw); contract (C, kh, kw) with the kernel as one matmul.
    n, h, w, c = windows.shape[:4]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, kh * kw * c)
    out = cols @ kernel.reshape(kh * kw * c, -1) + bias
    return out.reshape(n, h, w, -1)


def _max_pool(x: np.ndarray, pool: int) -> np.ndarray:
    """Non-overlapping max pooling with Keras's default 'valid' padding (edges dropped)."""
    n, h, w, c = x.shape
    h2, w2 = h // pool, w // pool
    x = x[:, :h2 * pool, :w2 * pool].reshape(n, h2, pool, w2, pool, c)
    return x.max(axis=(2, 4))


def _conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, padding: str) -> np.ndarray:
    """Stride-1 1-D convolution (x (N, T, C), kernel (k, C, F)): one small matmul per kernel
    tap over the shifted sequence, cheaper than gathering windows for a short path."""
    k = kernel.shape[0]
    if padding == "same":
        x = _pad_same(x, (k,))
    steps = x.shape[1] - k + 1
    out = x[:, :steps] @ kernel[0] + bias
    for tap in range(1, k):
        out += x[:, tap:tap + steps] @ kernel[tap]
    return out


def _max_pool_1d(x: np.ndarray, pool: int) -> np.ndarray:
    """Non-overlapping 1-D max pooling, 'valid' padding (x (N, T, C))."""
    n, t, c = x.shape
    return x[:, :t // pool * pool].reshape(n, t // pool, pool, c).max(axis=2)


def layer_from_config(kind: str, config: dict, weights: Sequence[np.ndarray]) -> NumpyLayer:
    """Check a Keras layer's options against what numpy implements and wrap its weights."""
    if kind not in SUPPORTED:
        raise UnsupportedLayer(f"layer {kind} has no numpy forward pass")
    activation = config.get("activation", "linear") or "linear"
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise UnsupportedLayer(f"{kind}: activation {activation!r} not supported")
    weights = [np.asarray(w, dtype=np.float32) for w in weights]
    options: dict = {}
    if kind in ("Dense", "Conv2D", "Conv1D"):
        if len(weights) == 1 and not config.get("use_bias", True):
            # Without a bias (a batch norm after it centres the output anyway): zeros.
            weights.append(np.zeros(weights[0].shape[-1], dtype=np.float32))
        if len(weights) != 2:
            raise UnsupportedLayer(f"{kind} needs a kernel and a bias")
    if kind in ("Conv2D", "Conv1D"):
        ones = (1,) * int(kind[-2])
        strides = tuple(np.atleast_1d(config.get("strides", ones)))
        dilation = tuple(np.atleast_1d(config.get("dilation_rate", ones)))
        square_valid = kind == "Conv2D" and len(set(strides)) == 1 and \
            config.get("padding", "valid") == "valid"
        if (strides != ones and not square_valid) or dilation != ones:
            raise UnsupportedLayer(f"{kind}: only equal strides with 'valid' padding, and no "
                                   "dilation, are supported")
        options["stride"] = int(strides[0])
        if config.get("data_format", "channels_last") != "channels_last" or \
                config.get("groups", 1) != 1:
            raise UnsupportedLayer(f"{kind} must be channels_last and ungrouped")
        options["padding"] = config.get("padding", "valid")
        if options["padding"] not in ("valid", "same"):
            raise UnsupportedLayer(f"{kind} padding {options['padding']!r} is not supported")
    elif kind in ("MaxPooling2D", "MaxPooling1D"):
        pool = tuple(np.atleast_1d(config.get("pool_size", 2)))
        strides = tuple(np.atleast_1d(config.get("strides") or pool))
        if len(set(pool)) != 1 or strides != pool or config.get("padding", "valid") != "valid":
            raise UnsupportedLayer("only square, non-overlapping, valid max pooling")
        options["pool"] = int(pool[0])
    elif kind == "GlobalAveragePooling2D":
        if config.get("keepdims") or config.get("data_format", "channels_last") != \
                "channels_last":
            raise UnsupportedLayer("global pooling must be channels_last, without keepdims")
    elif kind == "Reshape":
        options["shape"] = tuple(int(d) for d in config["target_shape"])
    elif kind == "BatchNormalization":
        if config.get("axis", -1) not in (-1, [-1], 3, [3], 1, [1]) or len(weights) != 4:
            raise UnsupportedLayer("BatchNormalization must normalise the last axis with "
                                   "scale and centre")
        options["epsilon"] = float(config.get("epsilon", 1e-3))
    return NumpyLayer(kind, weights, activation, options)


def forward(layers: Sequence[NumpyLayer], x: np.ndarray) -> np.ndarray:
    """Run float32 inputs ((N, 784) pictures, (N, 64, 5) pen paths) through the layers;
    returns the last layer's output."""
    for layer in layers:
        x = layer(x)
    return x


def activations(layers: Sequence[NumpyLayer], x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output for inputs ``x`` (for views of what happens inside)."""
    outs = []
    for layer in layers:
        x = layer(x)
        outs.append(x)
    return outs
