"""A picture network as a list of layers you can write, check and size before training.

The layer editor, ``train_model.py --layers``, the named networks and the model files share
this one description. Its text form is a comma-separated list:

=================  ==========================================================
``dense128``       Dense, 128 units, relu (``dense128:tanh``: another activation)
``conv32``         Conv2D, 32 filters of 3x3, relu (``conv32k5``: 5x5 kernels,
                   ``conv32s2``: every second position, a quarter of the work)
``pool``           MaxPooling2D, 2x2
``drop0.3``        Dropout, rate 0.3 (only while training)
``flatten``        Flatten: a picture's maps become one flat list
``gap``            GlobalAveragePooling2D: each map becomes its mean
``bn``             BatchNormalization: each map or unit rescaled to a steady range
=================  ==========================================================

Every network ends in ``Dense(10, softmax)``, added here: it chooses among the ten digits. A
Dense after a convolution gets a Flatten added in front of it. Keras is imported only by
:func:`keras_layers`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

INPUT_SIDE = 28
CLASSES = 10
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
KINDS = {"dense": "Dense", "conv": "Conv2D", "pool": "MaxPooling2D", "drop": "Dropout",
         "flatten": "Flatten", "gap": "GlobalAveragePooling2D", "bn": "BatchNormalization"}
MAX_UNITS = 4096
MAX_FILTERS = 512
MAX_KERNEL = 9
MAX_LAYERS = 32
MAX_WEIGHTS = 20_000_000  # ~80 MB of float32 weights: beyond it a laptop struggles
_TOKEN = re.compile(
    r"^(dense|conv|drop|pool|flatten|gap|bn)([0-9.]*)(?:k([0-9]+))?(?:s([0-9]+))?(?::(\w+))?$")
MAX_STRIDE = 4


class LayerStackError(ValueError):
    """A stack that cannot be built; the message says in words what is wrong."""


@dataclass(frozen=True)
class Layer:
    """One layer the user chose: ``kind`` is a key of :data:`KINDS`; ``size`` is units for
    dense, filters for conv; ``rate`` is dropout's."""

    kind: str
    size: int = 0
    kernel: int = 3
    activation: str = "relu"
    rate: float = 0.0
    stride: int = 1

    def token(self) -> str:
        """The layer in the text form (``conv32k5:tanh``)."""
        if self.kind == "drop":
            return f"drop{self.rate:g}"
        if self.kind not in ("dense", "conv"):
            return self.kind
        kernel = f"k{self.kernel}" if self.kind == "conv" and self.kernel != 3 else ""
        stride = f"s{self.stride}" if self.kind == "conv" and self.stride != 1 else ""
        activation = f":{self.activation}" if self.activation != "relu" else ""
        return f"{self.kind}{self.size}{kernel}{stride}{activation}"

    def describe(self) -> str:
        """The layer in words, as the editor lists it."""
        if self.kind == "dense":
            return f"Dense, {self.size} units, {self.activation}"
        if self.kind == "conv":
            stride = f", stride {self.stride}" if self.stride != 1 else ""
            return (f"Conv2D, {self.size} filters {self.kernel}×{self.kernel}{stride}, "
                    f"{self.activation}")
        if self.kind == "drop":
            return f"Dropout {self.rate:g}"
        return {"pool": "MaxPool 2×2", "flatten": "Flatten", "gap": "Global average pool",
                "bn": "Batch normalisation"}[self.kind]


Stack = tuple[Layer, ...]


def parse_layers(text: str) -> Stack:
    """``"conv32,pool,dense128,drop0.3"`` -> layers; raises :class:`LayerStackError` naming
    the token that is not understood. Sizes are checked by :func:`problems`."""
    layers = []
    for position, raw in enumerate(t.strip().lower() for t in text.split(",")):
        if not raw:
            if text.strip():
                raise LayerStackError(f"layer {position + 1} is empty (two commas in a row?)")
            continue
        match = _TOKEN.match(raw.replace(" ", ""))
        if not match:
            raise LayerStackError(
                f"layer {position + 1}, {raw!r}, is not a layer: write dense128, conv32, "
                "conv32k5, pool, drop0.3, bn, flatten or gap")
        kind, number, kernel, stride, activation = match.groups()
        try:
            layers.append(_layer(kind, number, kernel, stride, activation))
        except ValueError as exc:
            raise LayerStackError(f"layer {position + 1}, {raw!r}: {exc}") from None
    return tuple(layers)


def _layer(kind: str, number: str, kernel: str | None, stride: str | None,
           activation: str | None) -> Layer:
    if kind in ("pool", "flatten", "gap", "bn"):
        if number or kernel or stride or activation:
            raise ValueError(f"{kind} takes no size")
        return Layer(kind)
    if kind == "drop":
        if not number or kernel or stride or activation:
            raise ValueError("write the rate after drop, e.g. drop0.3")
        return Layer(kind, rate=float(number))
    if not number or "." in number:
        raise ValueError(f"write a whole number after {kind}, e.g. {kind}64")
    if (kernel is not None or stride is not None) and kind != "conv":
        raise ValueError("only a convolution has a kernel size or a stride")
    return Layer(kind, int(number), int(kernel) if kernel else 3, activation or "relu",
                 stride=int(stride) if stride else 1)


def format_layers(layers: Stack) -> str:
    """The text form of ``layers`` (what :func:`parse_layers` reads back)."""
    return ",".join(layer.token() for layer in layers)


def layers_to_json(layers: Stack) -> str:
    return json.dumps([asdict(layer) for layer in layers])


def layers_from_json(text: str) -> Stack:
    """A stack from a JSON list of layers (``[{"kind": "conv", "size": 32}, ...]``) or of
    tokens (``["conv32", "pool"]``)."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise LayerStackError(f"not JSON: {exc}") from None
    if not isinstance(items, list) or len(items) > MAX_LAYERS:
        raise LayerStackError(f"a layer list must be a JSON list of at most {MAX_LAYERS}")
    layers = []
    for position, item in enumerate(items):
        if isinstance(item, str):
            layers.extend(parse_layers(item))
            continue
        try:
            layer = Layer(**item)
        except TypeError:
            raise LayerStackError(f"layer {position + 1} is not a layer: {item!r}") from None
        if layer.kind not in KINDS:
            raise LayerStackError(f"layer {position + 1}: unknown kind {layer.kind!r}")
        layers.append(layer)
    return tuple(layers)


@dataclass(frozen=True)
class Row:
    """One layer as built: its name, output shape, weights and multiply-adds per digit."""

    name: str
    shape: tuple[int, ...]
    weights: int
    macs: int
    added: bool = False  # put in by digitpad (the Flatten, the output layer)


def _is_picture_first(layers: Stack) -> bool:
    for layer in layers:
        if layer.kind in ("conv", "pool", "gap"):
            return True
        if layer.kind in ("dense", "flatten"):
            return False
    return False


def problems(layers: Stack) -> list[str]:
    """Everything wrong with ``layers``, in words (empty: it can be built)."""
    found, _ = _walk(layers)
    return found


def buildable(text: str) -> bool:
    """Whether layer words (a model file's record, say) read and build without a problem."""
    try:
        return not problems(parse_layers(text))
    except LayerStackError:
        return False


def plan(layers: Stack) -> list[Row]:
    """The network layer by layer from the 28×28 input to the ten outputs; raises
    :class:`LayerStackError` with the first problem."""
    found, rows = _walk(layers)
    if found:
        raise LayerStackError(found[0])
    return rows


def _walk(layers: Stack) -> tuple[list[str], list[Row]]:
    found: list[str] = []
    if len(layers) > MAX_LAYERS:
        return [f"{len(layers)} layers: at most {MAX_LAYERS}"], []
    picture = _is_picture_first(layers)
    shape: tuple[int, ...] = (INPUT_SIDE, INPUT_SIDE, 1) if picture else (INPUT_SIDE ** 2,)
    rows = [Row("Input", shape, 0, 0, added=True)]
    for number, layer in enumerate(layers, start=1):
        where = f"layer {number} ({layer.describe()})"
        if layer.activation not in ACTIVATIONS:
            found.append(f"{where}: activation {layer.activation!r} unknown; choose "
                         f"{', '.join(ACTIVATIONS)}")
        if layer.kind == "dense":
            if not 1 <= layer.size <= MAX_UNITS:
                found.append(f"{where}: a Dense layer needs 1 to {MAX_UNITS} units")
                continue
            if len(shape) == 3:
                shape = (shape[0] * shape[1] * shape[2],)
                rows.append(Row("Flatten (added before the Dense)", shape, 0, 0, added=True))
            rows.append(Row(layer.describe(), (layer.size,), shape[0] * layer.size + layer.size,
                            shape[0] * layer.size))
            shape = (layer.size,)
        elif layer.kind == "conv":
            if not 1 <= layer.size <= MAX_FILTERS:
                found.append(f"{where}: a Conv2D layer needs 1 to {MAX_FILTERS} filters")
                continue
            if not 1 <= layer.kernel <= MAX_KERNEL:
                found.append(f"{where}: kernels are 1×1 to {MAX_KERNEL}×{MAX_KERNEL}")
                continue
            if len(shape) != 3:
                found.append(f"{where}: a convolution needs a picture (height × width × maps),"
                             f" but here the data is a flat list of {shape[0]} numbers; move it"
                             " before the first Dense, Flatten or global pool")
                continue
            if not 1 <= layer.stride <= MAX_STRIDE:
                found.append(f"{where}: a stride is 1 to {MAX_STRIDE}")
                continue
            if shape[0] < layer.kernel:
                found.append(f"{where}: the maps are only {shape[0]}×{shape[0]} here, smaller "
                             f"than the {layer.kernel}×{layer.kernel} kernel; remove a pool or "
                             "a convolution before it")
                continue
            side = (shape[0] - layer.kernel) // layer.stride + 1
            weights = layer.kernel ** 2 * shape[2] * layer.size + layer.size
            rows.append(Row(layer.describe(), (side, side, layer.size), weights,
                            side * side * layer.size * layer.kernel ** 2 * shape[2]))
            shape = (side, side, layer.size)
        elif layer.kind in ("pool", "gap", "flatten"):
            if len(shape) != 3:
                found.append(f"{where}: the data is already a flat list of {shape[0]} numbers "
                             "here; a " + ("pool" if layer.kind == "pool" else layer.kind) +
                             " works on a picture's maps, before any Dense or Flatten")
                continue
            if layer.kind == "pool":
                if shape[0] < 2:
                    found.append(f"{where}: the maps are 1×1 here; nothing left to pool")
                    continue
                shape = (shape[0] // 2, shape[1] // 2, shape[2])
            else:
                shape = (shape[2],) if layer.kind == "gap" else (shape[0] * shape[1] * shape[2],)
            rows.append(Row(layer.describe(), shape, 0, 0))
        elif layer.kind == "bn":  # scale, offset, and the running mean and variance
            rows.append(Row(layer.describe(), shape, 4 * shape[-1], 0))
        elif layer.kind == "drop":
            if not 0.0 <= layer.rate < 1.0:
                found.append(f"{where}: a dropout rate is from 0 up to (not including) 1")
                continue
            rows.append(Row(layer.describe(), shape, 0, 0))
    if len(shape) == 3:
        shape = (shape[0] * shape[1] * shape[2],)
        rows.append(Row("Flatten (added before the answer)", shape, 0, 0, added=True))
    rows.append(Row(f"Dense, {CLASSES} units, softmax (the answer, always added)", (CLASSES,),
                    shape[0] * CLASSES + CLASSES, shape[0] * CLASSES, added=True))
    weights = sum(row.weights for row in rows)
    if weights > MAX_WEIGHTS:
        found.append(f"{weights:,} weights is too big to train here (at most {MAX_WEIGHTS:,}); "
                     "use fewer units or pool before the first Dense")
    return found, rows


def count_weights(layers: Stack) -> int:
    return sum(row.weights for row in plan(layers))


def count_macs(layers: Stack) -> int:
    """Multiply-adds to read one digit."""
    return sum(row.macs for row in plan(layers))


def keras_layers(layers: Stack, keras: Any) -> list:
    """The Keras layers after the (784,) input: a Reshape to 28×28×1 when the stack starts on
    the picture, the Flattens :func:`plan` adds, and the output layer."""
    rows = plan(layers)  # checks, and says where Flattens go
    built: list = []
    if len(rows[0].shape) == 3:
        built.append(keras.layers.Reshape(rows[0].shape))
    chosen = iter(layers)
    for row in rows[1:-1]:
        if row.added:  # an added Flatten
            built.append(keras.layers.Flatten())
            continue
        built.append(_keras_layer(next(chosen), keras))  # one row per chosen layer
    built.append(keras.layers.Dense(CLASSES, activation="softmax"))
    return built


def _keras_layer(layer: Layer, keras: Any) -> Any:
    if layer.kind == "dense":
        return keras.layers.Dense(layer.size, activation=layer.activation)
    if layer.kind == "conv":
        return keras.layers.Conv2D(layer.size, layer.kernel, strides=layer.stride,
                                   activation=layer.activation)
    if layer.kind == "pool":
        return keras.layers.MaxPooling2D(2)
    if layer.kind == "drop":
        return keras.layers.Dropout(layer.rate)
    if layer.kind == "gap":
        return keras.layers.GlobalAveragePooling2D()
    if layer.kind == "bn":
        return keras.layers.BatchNormalization()
    return keras.layers.Flatten()
