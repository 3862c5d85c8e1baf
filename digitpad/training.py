"""Training as one plain function, shared by the window (``training_run``),
``train_model.py``, the benches and the tests.

Progress goes to plain callables with floats; cancellation is a ``threading.Event`` checked
after every batch (``fit()`` resets ``model.stop_training`` when it starts, so setting that
from outside before the first batch would be lost).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

    from digitpad.augment import Alternates

BatchCallback = Callable[[int, int, dict[str, float]], None]
EpochCallback = Callable[[int, dict[str, float]], None]


class TrainingError(RuntimeError):
    """Training could not run or diverged (e.g. NaN loss); the message says why."""


@dataclass
class TrainConfig:
    """The seed's settings by default: the book's dense net on MNIST, 5 epochs, batch 128,
    rmsprop at its default rate, no augmentation."""

    epochs: int = 5
    batch_size: int = 128
    optimizer: str = "rmsprop"
    learning_rate: float | None = None
    seed: int | None = None
    validate_each_epoch: bool = True
    architecture: str = "dense"  # a key of digitpad.networks.ARCHITECTURES
    layers: str = ""  # the stack of a ``custom`` network (digitpad.layer_stack's text form)
    data: str = "mnist"  # a key of digitpad.training_data.DATA_CHOICES
    augment: bool = False
    lr_decay: bool = False  # cosine decay of the learning rate from epoch to epoch, to ~0
    average_weights: bool = False  # the final model is a moving average of the weights
    redraw: bool = True  # augmentation mixes in digits re-drawn as pen strokes (~20 s to make)

    @property
    def reads_paths(self) -> bool:
        """The pen-path network's run: it learns from pen paths and is read beside a picture
        network, not instead of it."""
        from digitpad.networks import PEN_PATH

        return self.architecture == PEN_PATH

    @property
    def stack(self) -> str:
        """The picture network's layer stack in text form (the named one, or ``layers``)."""
        from digitpad.networks import stack_of

        return stack_of(self.architecture, self.layers)


def build_for(config: TrainConfig) -> keras.Model:
    """The untrained network ``config`` trains (its architecture, stack, optimizer, seed)."""
    from digitpad.networks import build_model

    return build_model(config.architecture, config.optimizer, config.learning_rate,
                       config.seed, layers=config.layers)


@dataclass
class TrainResult:
    history: dict[str, list[float]]
    test_loss: float
    test_accuracy: float
    epochs_completed: int
    cancelled: bool
    seconds: float
    train_accuracy: float = math.nan
    per_epoch_seconds: list[float] = field(default_factory=list)
    monitor_accuracy: dict[str, float] = field(default_factory=dict)


def run_metadata(config: TrainConfig, result: TrainResult, train_samples: int) -> dict:
    """What a saved model records about the run that made it (see ``model.save_model``)."""
    from digitpad.networks import DEFAULT_LEARNING_RATES

    return {
        "architecture_key": config.architecture, "data": config.data,
        **({} if config.reads_paths else {"layers": config.stack}),
        "augment": config.augment, "lr_decay": config.lr_decay,
        "average_weights": config.average_weights,
        "pen_accuracy": result.monitor_accuracy.get("pen", math.nan),
        "epochs": result.epochs_completed, "batch_size": config.batch_size,
        "optimizer": config.optimizer, "seed": config.seed,
        "learning_rate": config.learning_rate or DEFAULT_LEARNING_RATES[config.optimizer],
        "cancelled": result.cancelled,
        "test_accuracy": result.test_accuracy, "test_loss": result.test_loss,
        "train_accuracy": result.train_accuracy, "train_samples": int(train_samples),
        "seconds_per_epoch": result.per_epoch_seconds,
    }


def overfitting_verdict(test_losses: list[float], train_accuracy: float, test_accuracy: float,
                        complete: bool = True) -> str:
    """A learner-facing reading of a run, from evaluated numbers: the test loss curve first
    (rising from its best epoch by over 5% is overfitting), then the accuracy gap.

    ``train_accuracy`` is Keras's running mean over the last epoch, which lags the weights,
    so a small gap is not read as overfitting; a stopped run gets no verdict at all.
    """
    if not complete or len(test_losses) < 1 or not math.isfinite(train_accuracy):
        return "stopped early: too little to judge overfitting"
    if not test_accuracy >= 0.2:  # chance is 0.1: nothing learned to overfit
        return ("test accuracy near chance: the network has not learned (a learning rate "
                "too high or too low?)")
    best = int(np.argmin(test_losses))
    if best < len(test_losses) - 1 and test_losses[-1] > test_losses[best] * 1.05:
        return (f"test loss rising since epoch {best + 1} while training loss falls: "
                "overfitting; fewer epochs or more data would help")
    gap = (train_accuracy - test_accuracy) * 100
    if gap > 1.5:
        return f"train accuracy {gap:.1f} points above test: starting to overfit"
    return "test loss still falling or flat: little overfitting"


def prepare_images(x: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 784) in [0, 1], as in the seed notebook."""
    return (np.asarray(x).reshape(len(x), 28 * 28).astype("float32")) / 255.0


def is_paths(x: np.ndarray) -> bool:
    """Whether ``x`` holds pen paths (N, POINTS, 3), not pictures."""
    from digitpad.pen_path import POINTS

    return np.ndim(x) == 3 and np.shape(x)[1:] == (POINTS, 3)


def prepare_inputs(x: np.ndarray) -> np.ndarray:
    """A network's input from the data: pictures as :func:`prepare_images`, pen paths
    (x, y, pen-down; see ``training_data.pen_paths``) as :func:`digitpad.pen_path.features`."""
    if is_paths(x):
        from digitpad.pen_path import features

        return features(x[..., :2], x[..., 2] > 0.5)
    return prepare_images(x)


def _path_batches(paths: np.ndarray, y: np.ndarray, batch_size: int,
                  seed: int | None) -> keras.utils.PyDataset:
    """Freshly augmented pen paths every batch (strokes rewritten by
    :func:`digitpad.pen_path.rewrite_strokes`, then moved by
    :func:`~digitpad.pen_path.augment_points`), shuffled every epoch."""
    import keras

    from digitpad.pen_path import augment_points, features, rewrite_strokes

    rng = np.random.default_rng(seed)

    class Batches(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            self.order = rng.permutation(len(y))

        def __len__(self) -> int:
            return math.ceil(len(y) / batch_size)

        def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
            chosen = self.order[index * batch_size:(index + 1) * batch_size]
            xy, down = rewrite_strokes(paths[chosen, :, :2], paths[chosen, :, 2] > 0.5, rng)
            return features(augment_points(xy, rng), down), y[chosen]

        def on_epoch_end(self) -> None:
            self.order = rng.permutation(len(y))

    return Batches()


def one_hot(y: np.ndarray, classes: int = 10) -> np.ndarray:
    """Integer labels -> float32 one-hot rows (``to_categorical`` without importing Keras)."""
    out = np.zeros((len(y), classes), dtype=np.float32)
    out[np.arange(len(y)), np.asarray(y, dtype=np.int64)] = 1.0
    return out


def _floats(logs: dict | None) -> dict[str, float]:
    return {k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0}


def model_accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy by a direct batched call (``evaluate`` would rebuild its loop every epoch)."""
    correct = 0
    for i in range(0, len(x), 1024):
        probs = np.asarray(model(x[i:i + 1024], training=False))
        correct += int((probs.argmax(axis=1) == y[i:i + 1024]).sum())
    return correct / max(len(x), 1)


def train(
    model: keras.Model,
    train_data: tuple[np.ndarray, np.ndarray],
    test_data: tuple[np.ndarray, np.ndarray],
    config: TrainConfig | None = None,
    *,
    on_batch: BatchCallback | None = None,
    on_epoch: EpochCallback | None = None,
    cancel: threading.Event | None = None,
    monitors: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    alternates: Alternates | None = None,
) -> TrainResult:
    """Fit ``model`` on uint8 MNIST-style arrays (or pen paths, see :func:`prepare_inputs`)
    and evaluate on the test split.

    ``on_batch(epoch, batch, logs)`` and ``on_epoch(epoch, logs)`` receive 0-based indices and
    the Keras logs as floats (``on_epoch`` also gets ``val_loss``/``val_accuracy`` from the test
    split when ``validate_each_epoch``, and ``<name>_accuracy`` for each of ``monitors``, e.g.
    ``pen_accuracy`` on real handwriting). Setting ``cancel`` stops after the current batch;
    the result then has ``cancelled=True`` and the model keeps its partly trained weights.
    With ``config.augment`` every batch is freshly augmented (:mod:`digitpad.augment_graph`),
    mixing in the pen re-drawings of ``alternates`` (see ``TrainingData.alternates``).
    Raises :class:`TrainingError` if the loss becomes NaN or infinite.
    """
    import keras

    config = config or TrainConfig()
    if config.seed is not None:
        keras.utils.set_random_seed(config.seed)
    cancel = cancel or threading.Event()
    x_train, y_train = prepare_inputs(train_data[0]), one_hot(train_data[1])
    x_test, y_test = prepare_inputs(test_data[0]), one_hot(test_data[1])
    monitor_sets = {name: (prepare_inputs(x), np.asarray(y)) for name, (x, y)
                    in (monitors or {}).items() if len(x)}
    if len(x_train) == 0:
        raise TrainingError("no training images")
    if len(x_test) == 0:
        raise TrainingError("no test images")
    diverged: list[str] = []
    epoch_times: list[float] = []
    last_monitored: dict[str, float] = {}  # the monitors at the last epoch's end
    cancelled_in: list[int] = []  # the epoch a cancel cut short, if any

    class _Relay(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.epoch_start = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch
            self.epoch_start = time.perf_counter()
            if config.lr_decay:
                self.model.optimizer.learning_rate.assign(
                    base_rate * 0.5 * (1 + math.cos(math.pi * epoch / config.epochs)))

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            values = _floats(logs)
            loss = values.get("loss", 0.0)
            if not math.isfinite(loss):
                diverged.append(f"loss became {loss} in epoch {self.epoch + 1}, batch {batch + 1}")
                self.model.stop_training = True
                return
            if on_batch is not None:
                on_batch(self.epoch, batch, values)
            if cancel.is_set():
                cancelled_in.append(self.epoch)
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            epoch_times.append(time.perf_counter() - self.epoch_start)
            if diverged or cancelled_in:
                return
            values = _floats(logs)
            if config.validate_each_epoch:
                for name, (x, y) in monitor_sets.items():
                    last_monitored[name] = values[f"{name}_accuracy"] = model_accuracy(
                        self.model, x, y)
            if on_epoch is not None:
                on_epoch(epoch, values)

    if config.average_weights:
        from digitpad.networks import make_optimizer

        model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate, True),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    base_rate = float(model.optimizer.learning_rate.numpy()) if config.lr_decay else 0.0
    started = time.perf_counter()
    if config.augment and is_paths(train_data[0]):
        inputs = {"x": _path_batches(np.asarray(train_data[0]), y_train, config.batch_size,
                                     config.seed), "shuffle": False}
    elif config.augment:
        from digitpad.augment_graph import augmented_dataset

        inputs = {"x": augmented_dataset(train_data[0], y_train, config.batch_size, config.seed,
                                         alternates), "shuffle": False}  # it shuffles itself
    else:
        inputs = {"x": x_train, "y": y_train, "batch_size": config.batch_size}
    history = model.fit(
        **inputs,
        epochs=config.epochs,
        validation_data=(x_test, y_test) if config.validate_each_epoch else None,
        callbacks=[_Relay()],
        verbose=0,
    )
    if diverged:
        raise TrainingError(
            f"training diverged: {diverged[0]}. Try a lower learning rate."
        )
    test_loss, test_accuracy = (float(v) for v in model.evaluate(x_test, y_test, verbose=0,
                                                                 batch_size=1024)[:2])
    hist = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    # On the final weights: the last epoch's figures are those unless a cancel cut an epoch
    # short or the weights were replaced by their average when fit() ended.
    final_monitors = (dict(last_monitored) if last_monitored.keys() == monitor_sets.keys()
                      and not cancelled_in and not config.average_weights else
                      {name: model_accuracy(model, x, y) for name, (x, y) in monitor_sets.items()})
    return TrainResult(
        history=hist,
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        epochs_completed=cancelled_in[0] if cancelled_in else len(epoch_times),
        cancelled=bool(cancelled_in),
        seconds=time.perf_counter() - started,
        train_accuracy=(hist.get("accuracy") or [math.nan])[-1],
        per_epoch_seconds=epoch_times,
        monitor_accuracy=final_monitors,
    )


class EtaEstimator:
    """A steady time-left estimate for the progress bar.

    The first batch of a run includes TensorFlow's tracing and the first batches run slower,
    so a plain "elapsed / done" starts far too high and then drops (3:14 -> 0:53 -> 0:33).
    This measures from the first batch on, switches to the measured length of a whole epoch
    (evaluation included) once one has finished, and smooths what it reports.
    """

    def __init__(self, epochs: int, batches_per_epoch: int, smoothing: float = 0.8) -> None:
        self.epochs, self.batches = epochs, batches_per_epoch
        self.smoothing = smoothing
        self._first: tuple[float, int] | None = None  # (time, batches done) at the first batch
        self._epoch_started: float | None = None
        self._epoch_seconds: float | None = None
        self._shown: float | None = None

    def epoch_started(self, now: float) -> None:
        self._epoch_started = now

    def epoch_finished(self, now: float) -> None:
        if self._epoch_started is not None:
            self._epoch_seconds = now - self._epoch_started
        self._epoch_started = now

    def update(self, done: int, now: float) -> float | None:
        """Seconds left after ``done`` batches at time ``now``; None while still measuring."""
        if self._first is None:
            self._first = (now, done)
            self._epoch_started = now  # the first epoch is timed without the tracing
            return None
        left = self.epochs * self.batches - done
        if self._epoch_seconds is not None:
            estimate = left / self.batches * self._epoch_seconds
        else:
            t0, done0 = self._first
            if done <= done0 or now - t0 < 1.0:
                return None
            estimate = left * (now - t0) / (done - done0)
        if self._shown is None:
            self._shown = estimate
        else:  # follow the estimate, and the clock running down, without jumping about
            self._shown = self.smoothing * self._shown + (1 - self.smoothing) * estimate
        return self._shown


class BatchSmoother:
    """Per-batch curve values from Keras logs, smoothed across epoch boundaries.

    Keras reports, after each batch, the running mean since the epoch began; plotted as is,
    the curve jumps at every epoch start. This recovers each batch's own value from
    consecutive running means and applies an exponential moving average instead.
    """

    def __init__(self, smoothing: float = 0.9) -> None:
        self.smoothing = smoothing
        self._previous_mean: dict[str, float] = {}
        self._batch_in_epoch = 0
        self._ema: dict[str, float] = {}

    def new_epoch(self) -> None:
        self._previous_mean.clear()
        self._batch_in_epoch = 0

    def update(self, logs: dict[str, float]) -> dict[str, float]:
        """Feed one batch's logs (every batch, in order); returns the smoothed values."""
        k = self._batch_in_epoch + 1
        out = {}
        for key, mean in logs.items():
            previous = self._previous_mean.get(key, 0.0)
            value = k * mean - (k - 1) * previous  # this batch's own value
            self._previous_mean[key] = mean
            ema = self._ema.get(key)
            ema = value if ema is None else self.smoothing * ema + (1 - self.smoothing) * value
            self._ema[key] = ema
            out[key] = ema
        self._batch_in_epoch = k
        return out
