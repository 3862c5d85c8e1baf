"""Numpy forward passes for every network digitpad builds (dense, convnet, your designs, pen
path), no TensorFlow.

``model.predict`` costs ~120 ms a call and importing TensorFlow ~5 s; the canvas classifies on
every mouse move, so inference runs over copies of the weights in numpy instead (~0.07 ms for
the dense net, well under 1 ms for the convnet). A network is a list of :class:`NumpyLayer`,
built from a Keras layer config plus its weights, whether those come from a live model or
straight from a ``.keras`` file's HDF5 (see :func:`digitpad.model_file.read_layers`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

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
    n, height, width, channels = x.shape
    if channels == 1:
        # The picture itself: every window's values gathered in one take (twice as fast as
        # the strided copy below, which is faster for many channels).
        cols = np.take(x.reshape(n, -1), _windows(height, width, kh, kw, stride), axis=1)
    else:
        windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
        windows = windows[:, ::stride, ::stride]  # (N, H', W', C, kh, kw)
        cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(*windows.shape[:3], -1)
    # The windows' (kh, kw, C) values contracted with the kernel as one 2-D matmul (a
    # batched one, over rows of windows, is several times slower).
    out = cols.reshape(-1, kh * kw * channels) @ kernel.reshape(kh * kw * channels, -1)
    out += bias
    return out.reshape(*cols.shape[:3], -1)


@functools.lru_cache(maxsize=32)
def _windows(height: int, width: int, kh: int, kw: int, stride: int) -> np.ndarray:
    """Where each window's pixels lie in a flattened one-channel (H, W) input: (H', W',
    kh * kw) indices in the kernel's order (read only: shared)."""
    rows = np.arange(0, height - kh + 1, stride)
    cols = np.arange(0, width - kw + 1, stride)
    within = (np.arange(kh)[:, None] * width + np.arange(kw)[None, :]).ravel()
    index = (rows[:, None] * width + cols[None, :])[:, :, None] + within
    index.flags.writeable = False
    return index


def _max_pool(x: np.ndarray, pool: int) -> np.ndarray:
    """Non-overlapping max pooling with Keras's default 'valid' padding (edges dropped): the
    maximum of the pool's strided slices (a reduction over two inner axes is several times
    slower)."""
    h2, w2 = x.shape[1] // pool * pool, x.shape[2] // pool * pool
    out = x[:, 0:h2:pool, 0:w2:pool].copy()
    for dy in range(pool):
        for dx in range(pool):
            if dy or dx:
                np.maximum(out, x[:, dy:h2:pool, dx:w2:pool], out=out)
    return out


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


def fused(layers: Sequence[NumpyLayer]) -> list[NumpyLayer]:
    """The same network in fewer steps, for reading: a batch normalisation is folded into the
    convolution or dense layer before it (its scale into the kernel, its shift into the
    bias), an activation layer becomes that layer's activation, and layers that do nothing
    at inference are dropped. Outputs equal the layers' within float32 rounding; the pen-path
    network reads in two thirds of the time."""
    out: list[NumpyLayer] = []
    for layer in layers:
        if layer.kind in PASS_THROUGH:
            continue
        last = out[-1] if out else None
        linear = last is not None and last.kind in ("Dense", "Conv2D", "Conv1D") and \
            last.activation == "linear"
        if linear and layer.kind == "BatchNormalization":
            gamma, beta, mean, var = (w.astype(np.float64) for w in layer.weights)
            scale = gamma / np.sqrt(var + layer.options["epsilon"])
            kernel, bias = (w.astype(np.float64) for w in last.weights)
            out[-1] = replace(last, weights=[(kernel * scale).astype(np.float32),
                                             ((bias - mean) * scale + beta).astype(np.float32)])
        elif linear and layer.kind == "Activation":
            out[-1] = replace(last, activation=layer.activation)
        else:
            out.append(layer)
    return out


def activations(layers: Sequence[NumpyLayer], x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output for inputs ``x`` (for views of what happens inside)."""
    outs = []
    for layer in layers:
        x = layer(x)
        outs.append(x)
    return outs
