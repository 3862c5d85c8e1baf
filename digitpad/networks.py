"""The networks digitpad builds, and their optimizers (Keras, imported only when building).

* ``dense``: Chollet's ch. 2 network, Dense(512, relu) -> Dense(10, softmax);
* ``convnet``: the book's MNIST convnet with dropout before the classifier;
* ``custom``: a network you design, a stack of layers (:mod:`digitpad.layer_stack`);
* ``pen-path``: a 1-D convnet over the pen's path (:mod:`digitpad.pen_path`), which reads
  how a digit was written rather than how it looks.

The picture networks take the same flat (N, 784) input in [0, 1]; the pen-path network takes
(N, 64, 5) paths. Training and the numpy forward pass (:mod:`digitpad.numpy_net`) are shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

OPTIMIZERS = ("rmsprop", "adam", "sgd")
DEFAULT_LEARNING_RATES = {"rmsprop": 1e-3, "adam": 1e-3, "sgd": 1e-2}


ARCHITECTURES = {
    "dense": "Dense (the book)",
    "convnet": "Convnet",
    "custom": "Your design",
}
CUSTOM = "custom"
# The named picture networks as layer stacks (digitpad.layer_stack's text form), so the editor
# starts from them and a design equal to one is that one.
NAMED_STACKS = {
    # Chollet's ch. 2 network: Dense(512, relu) on 784 inputs, Dense(10, softmax).
    "dense": "dense512",
    # The book's MNIST convnet (ch. 8: conv 32/64/128, 3x3, two max-pools) with dropout before
    # the classifier, the regularisation the book adds when data is augmented.
    "convnet": "conv32,pool,conv64,pool,conv128,flatten,drop0.5",
}
PEN_PATH = "pen-path"  # reads strokes, not pictures: trained and read beside a picture network
PATH_ARCHITECTURES = {PEN_PATH: "Pen path"}


def _pen_path_layers(keras: Any) -> list:
    """A 1-D convnet over the path's 64 points (chosen in issue 21's trials over global
    pooling and a recurrent net): local shapes of the stroke, pooled to 8 steps that keep
    their order (a loop *then* a stroke down), and a classifier over them. Each convolution
    is batch-normalised before its relu: cross-validated over the train sites, the path
    alone made 212 and 210 mistakes (two seeds) against 241-285 without."""
    def block(filters: int, width: int) -> list:
        return [keras.layers.Conv1D(filters, width, padding="same", use_bias=False),
                keras.layers.BatchNormalization(), keras.layers.Activation("relu")]

    pool = keras.layers.MaxPooling1D
    return [*block(64, 5), *block(64, 5), pool(2), *block(128, 3), pool(2),
            *block(128, 3), pool(2),
            keras.layers.Flatten(), keras.layers.Dropout(0.4),
            keras.layers.Dense(10, activation="softmax")]


def stack_of(architecture: str, layers: str = "") -> str:
    """The layer stack (text form) a picture ``architecture`` builds: its named stack, or
    ``layers`` for ``custom``; empty for the pen-path network (not a picture stack)."""
    if architecture == CUSTOM:
        return layers
    if architecture == PEN_PATH:
        return ""
    if architecture not in NAMED_STACKS:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of "
                         f"{', '.join([*ARCHITECTURES, *PATH_ARCHITECTURES])}")
    return NAMED_STACKS[architecture]


def named_architecture(layers: str) -> str:
    """``dense`` or ``convnet`` when ``layers`` is that network's stack, else ``custom``."""
    from digitpad.layer_stack import LayerStackError, format_layers, parse_layers

    try:
        text = format_layers(parse_layers(layers))
    except LayerStackError:
        return CUSTOM
    return next((key for key, stack in NAMED_STACKS.items() if stack == text), CUSTOM)


def input_shape(architecture: str) -> tuple[int, ...]:
    """What one input of ``architecture`` looks like: 784 pixels, or the pen's path."""
    if architecture == PEN_PATH:
        from digitpad.pen_path import FEATURES, POINTS

        return (POINTS, FEATURES)
    return (28 * 28,)


def build_model(architecture: str = "dense", optimizer: str = "rmsprop",
                learning_rate: float | None = None, seed: int | None = None,
                layers: str = "") -> keras.Model:
    """A compiled, untrained network of ``architecture`` (a key of :data:`ARCHITECTURES` or
    :data:`PATH_ARCHITECTURES`; ``custom`` builds the stack ``layers``), taking
    :func:`input_shape` inputs. Raises ``LayerStackError`` for a stack that cannot be built.
    """
    import keras

    from digitpad.layer_stack import keras_layers, parse_layers

    stack = None if architecture == PEN_PATH else parse_layers(stack_of(architecture, layers))
    if seed is not None:
        keras.utils.set_random_seed(seed)
    built = _pen_path_layers(keras) if stack is None else keras_layers(stack, keras)
    model = keras.Sequential([keras.Input(shape=input_shape(architecture)), *built])
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_seed_model(
    optimizer: str = "rmsprop", learning_rate: float | None = None, seed: int | None = None
) -> keras.Model:
    """Chollet's ch. 2 network: Dense(512, relu) on 784 inputs, Dense(10, softmax)."""
    return build_model("dense", optimizer, learning_rate, seed)


def make_optimizer(name: str, learning_rate: float | None = None,
                   average_weights: bool = False) -> keras.optimizers.Optimizer:
    """A fresh Keras optimizer by name; ``None`` learning rate means the optimizer's default.

    ``average_weights`` keeps an exponential moving average of the weights (Keras's
    ``use_ema``, momentum 0.999: about the last 1,000 batches) that replaces them when
    ``fit()`` ends: the final model is the average of where training wandered, not its
    last step.
    """
    import keras

    name = name.lower()
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    lr = DEFAULT_LEARNING_RATES[name] if learning_rate is None else float(learning_rate)
    classes = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam,
               "sgd": keras.optimizers.SGD}
    if average_weights:
        return classes[name](learning_rate=lr, use_ema=True, ema_momentum=0.999)
    return classes[name](learning_rate=lr)


def describe_architecture(model: keras.Model) -> str:
    """One line such as ``Dense(512, relu) -> Dense(10, softmax)`` for metadata and the UI."""
    parts = []
    for layer in model.layers:
        cfg = layer.get_config()
        if "units" in cfg:
            parts.append(f"{type(layer).__name__}({cfg['units']}, {cfg.get('activation')})")
        elif "filters" in cfg:
            size = "x".join(str(k) for k in cfg["kernel_size"])
            parts.append(f"{type(layer).__name__}({cfg['filters']}, {size}, "
                         f"{cfg.get('activation')})")
        elif type(layer).__name__ != "Reshape":
            parts.append(type(layer).__name__)
    return " -> ".join(parts)


def architecture_key(layer_kinds: Iterable[str]) -> str:
    """``pen-path`` for a 1-D convolution over the path, ``convnet`` for a 2-D one, else
    ``dense``: the one rule for telling them apart, from class names (Keras layers or numpy
    layers alike)."""
    kinds = set(layer_kinds)
    return PEN_PATH if "Conv1D" in kinds else "convnet" if "Conv2D" in kinds else "dense"


def architecture_of(model: keras.Model) -> str:
    """``pen-path``, ``convnet`` or ``dense`` for a live Keras model."""
    return architecture_key(type(layer).__name__ for layer in model.layers)
