"""Fine-tune a model on your handwriting, without forgetting MNIST (plain Python/Keras).

A few samples of yours are too few to train on alone: each is re-drawn many times from its
strokes (bent by small random affine maps, other pen widths, a little elastic warp) and mixed
with a random share of MNIST training digits, and the model in use is trained on that for a
few epochs at a low learning rate. Some of your samples are held out (a share of each digit)
so "your handwriting" is measured on drawings the fine-tune never saw. The fitting itself is
:func:`digitpad.training.train`, as for every run.

The settings were chosen with ``bench/bench_teach.py``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitpad.augment import AugmentConfig, redraw_strokes
from digitpad.networks import architecture_of
from digitpad.samples import Sample
from digitpad.training import (
    BatchCallback,
    EpochCallback,
    TrainConfig,
    TrainingError,
    TrainResult,
    model_accuracy,
    prepare_images,
    run_metadata,
    train,
)

if TYPE_CHECKING:
    import keras

# Gentler than training from scratch: your digits are already your style.
VARIANT_AUGMENT = AugmentConfig(rotation_deg=8.0, shear=0.15, scale=(0.92, 1.08),
                                shift_px=1.0, elastic_px=1.2, elastic_share=0.5,
                                thickness_share=0.0)


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 3
    learning_rate: float = 1e-4
    optimizer: str = "rmsprop"
    batch_size: int = 128
    mnist_digits: int = 15000  # MNIST training digits mixed in, so MNIST is not forgotten
    variants: int = 30  # copies of each of your samples per run: itself and re-drawings
    holdout_share: float = 0.25  # of each digit's samples, kept out to measure
    seed: int | None = 0
    validate_each_epoch: bool = True

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size,
                           optimizer=self.optimizer, learning_rate=self.learning_rate,
                           seed=self.seed, validate_each_epoch=self.validate_each_epoch,
                           data="yours+mnist")


@dataclass
class FinetuneResult:
    yours_before: float  # on the held-out samples (NaN when none could be held out)
    yours_after: float
    mnist_before: float
    mnist_after: float
    trained_on: int  # your samples the fine-tune learned from
    held_out: int
    run: TrainResult
    run_samples: int = 0  # images per epoch: re-drawings of yours and MNIST digits
    pen_before: float = float("nan")  # real handwriting (pen test), when it was given
    pen_after: float = float("nan")


def holdout_split(labels: Sequence[int], share: float,
                  seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train, held-out) indices: ``share`` of each digit's samples held out, rounded up
    (3 of each gives 1 to measure), but never a digit's last one (it is needed to learn)."""
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(seed)
    held = []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        keep_out = min(math.ceil(len(rows) * share), len(rows) - 1)
        if keep_out > 0:
            held.extend(rng.choice(rows, keep_out, replace=False).tolist())
    held_mask = np.zeros(len(labels), dtype=bool)
    held_mask[held] = True
    return np.flatnonzero(~held_mask), np.flatnonzero(held_mask)


def _normalised(strokes: Sequence[np.ndarray], min_extent: float) -> list[np.ndarray]:
    """Strokes scaled to a 20-unit box, so re-drawing does not depend on the canvas size."""
    points = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
    extent = max(float(np.ptp(points, axis=0).max()), min_extent, 1e-9)
    return [(np.asarray(s, dtype=np.float64) - points.min(axis=0)) * (20.0 / extent)
            for s in strokes]


def sample_variants(samples: Sequence[Sample], variants: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each sample as stored plus ``variants - 1`` re-drawings: uint8 images and labels."""
    images, labels = [], []
    for sample in samples:
        images.append(sample.image)
        labels.append(sample.label)
        strokes = [s for s in sample.strokes if len(s)]
        if not strokes:
            continue
        base = _normalised(strokes, sample.min_extent)
        drawn = [redraw_strokes(base, rng, VARIANT_AUGMENT) for _ in range(variants - 1)]
        drawn = [d for d in drawn if d is not None]
        if drawn:
            from digitpad.augment_graph import augment_images

            warped = augment_images(np.stack(drawn), rng.integers(2**31, size=2), VARIANT_AUGMENT)
            images.extend(np.round(np.asarray(warped) * 255).astype(np.uint8))
            labels.extend([sample.label] * len(drawn))
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Share read right, by direct batched calls (NaN for no images)."""
    if len(images) == 0:
        return float("nan")
    return model_accuracy(model, prepare_images(images), np.asarray(labels))


def finetune(model: keras.Model, samples: Sequence[Sample],
             mnist: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
             config: FinetuneConfig | None = None, *, held_out: Sequence[Sample] | None = None,
             on_batch: BatchCallback | None = None, on_epoch: EpochCallback | None = None,
             cancel: threading.Event | None = None,
             real_handwriting: tuple[np.ndarray, np.ndarray] | None = None) -> FinetuneResult:
    """Fine-tune ``model`` in place on ``samples`` mixed with MNIST (``mnist`` is
    ((x_train, y_train), (x_test, y_test))); returns before/after figures.

    ``held_out`` are measured but never trained on; without it a ``holdout_share`` of each
    digit's samples is held out. Epoch logs carry ``yours_accuracy`` on them; ``on_epoch``
    first gets epoch -1 with the figures before tuning (the curves' starting points).
    ``real_handwriting`` (pen test images, labels) is measured before and after too, so a
    tune that reads you better but others worse shows it.
    """
    from digitpad.networks import make_optimizer

    config = config or FinetuneConfig()
    samples = list(samples)
    if held_out is None:
        learn, keep = holdout_split([s.label for s in samples], config.holdout_share,
                                    config.seed)
        samples, held_out = [samples[i] for i in learn], [samples[i] for i in keep]
    if not samples:
        raise TrainingError("no samples of yours to learn from: label some drawings first")
    held_images = np.stack([s.image for s in held_out]) if held_out else \
        np.zeros((0, 28, 28), np.uint8)
    held_labels = np.array([s.label for s in held_out], dtype=np.int64)
    (x_mnist, y_mnist), (x_test, y_test) = mnist
    rng = np.random.default_rng(config.seed)
    yours_before = accuracy(model, held_images, held_labels)
    mnist_before = accuracy(model, x_test, np.asarray(y_test))
    start = {"yours_accuracy": yours_before, "val_accuracy": mnist_before}
    monitors = {"yours": (held_images, held_labels)} if held_out else {}
    pen_before = float("nan")
    if real_handwriting is not None and len(real_handwriting[0]):
        monitors["pen"] = real_handwriting
        start["pen_accuracy"] = pen_before = accuracy(model, *real_handwriting)
    if on_epoch is not None:
        on_epoch(-1, start)
    mine_x, mine_y = sample_variants(samples, config.variants, rng)
    pick = rng.choice(len(x_mnist), min(config.mnist_digits, len(x_mnist)), replace=False)
    x = np.concatenate([mine_x, x_mnist[pick]])
    y = np.concatenate([mine_y, np.asarray(y_mnist)[pick]])
    order = rng.permutation(len(x))
    model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    run = train(model, (x[order], y[order]), (x_test, y_test), config.train_config(),
                on_batch=on_batch, on_epoch=on_epoch, cancel=cancel, monitors=monitors or None)
    return FinetuneResult(yours_before, run.monitor_accuracy.get("yours", float("nan")),
                          mnist_before, run.test_accuracy, len(samples), len(held_out), run,
                          len(x), pen_before, run.monitor_accuracy.get("pen", float("nan")))


def finetune_metadata(model: keras.Model, config: FinetuneConfig, result: FinetuneResult,
                      base_name: str) -> dict:
    """What the tuned model's file records (see ``model.save_model``): the run, and the
    model it started from with the before/after figures."""
    train_config = config.train_config()
    train_config.architecture = architecture_of(model)
    return {**run_metadata(train_config, result.run, result.run_samples),
            "finetuned_from": base_name, "your_samples": result.trained_on,
            "your_samples_held_out": result.held_out, "yours_before": result.yours_before,
            "yours_after": result.yours_after, "mnist_before": result.mnist_before}


# ---- the pen-path network, tuned on the same samples -----------------------------------------
PATH_LEARNING_RATE = 2e-4  # a tenth of the pen-path recipe's
PEN_DIGITS_MIXED = 3000  # pen train paths mixed in, so other writers are not forgotten


@dataclass
class PathFinetuneResult:
    """Before -> after of the pen-path network on your held-out samples (alone, and combined
    with the picture network before and after its own tuning) and on real handwriting."""

    yours_before: float
    yours_after: float
    both_before: float  # picture + pen path combined, on the held-out samples
    both_after: float
    pen_before: float
    pen_after: float
    run: TrainResult


def sample_paths(samples: Sequence[Sample]) -> tuple[np.ndarray, np.ndarray]:
    """Your samples' pen paths (N, POINTS, 3: x, y, pen-down, as ``training_data.pen_paths``)
    and labels."""
    from digitpad.pen_path import path_data

    return (path_data([[s for s in sample.strokes if len(s)] for sample in samples]),
            np.array([s.label for s in samples], dtype=np.int64))


def sample_probabilities(predictor: Callable[[np.ndarray], np.ndarray],
                         samples: Sequence[Sample]) -> np.ndarray:
    """A picture network's probabilities for your samples' images ((0, 10) for none)."""
    if not samples:
        return np.zeros((0, 10))
    return np.asarray(predictor(np.stack([s.image for s in samples]) / np.float32(255)))


def _combined_accuracy(picture: np.ndarray | None, path: np.ndarray, labels: np.ndarray) -> float:
    from digitpad.two_views import combine

    if picture is None or len(labels) == 0:
        return float("nan")
    return float(np.mean(combine(picture, path).argmax(axis=1) == labels))


def finetune_path(model: keras.Model, samples: Sequence[Sample], held_out: Sequence[Sample],
                  pen: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                  config: FinetuneConfig | None = None, *,
                  picture_before: np.ndarray | None = None,
                  picture_after: np.ndarray | None = None,
                  cancel: threading.Event | None = None) -> PathFinetuneResult:
    """Tune the pen-path network ``model`` in place on the paths of ``samples`` (each seen
    ``config.variants`` times, freshly augmented) mixed with pen train paths (``pen`` is
    ((train paths, labels), (test paths, labels)), as ``training_data.pen_paths``), measured
    on ``held_out``. ``picture_before`` / ``picture_after``: the picture network's
    probabilities on ``held_out`` before and after its tuning, for the combined figures."""
    from digitpad.networks import PEN_PATH, make_optimizer
    from digitpad.training import prepare_inputs

    config = config or FinetuneConfig()
    mine, mine_y = sample_paths(samples)
    if not len(mine):
        raise TrainingError("no samples of yours to learn from: label some drawings first")
    held, held_y = sample_paths(held_out)
    (pen_x, pen_y), pen_test = pen
    rng = np.random.default_rng(config.seed)

    def read(x: np.ndarray) -> np.ndarray:
        return np.asarray(model(prepare_inputs(x), training=False)) if len(x) else \
            np.zeros((0, 10))

    before = read(held)
    yours_before = float(np.mean(before.argmax(axis=1) == held_y)) if len(held) else math.nan
    pen_before = model_accuracy(model, prepare_inputs(pen_test[0]), pen_test[1])
    pick = rng.choice(len(pen_x), min(PEN_DIGITS_MIXED, len(pen_x)), replace=False)
    x = np.concatenate([np.tile(mine, (config.variants, 1, 1)), pen_x[pick]])
    y = np.concatenate([np.tile(mine_y, config.variants), np.asarray(pen_y)[pick]])
    model.compile(optimizer=make_optimizer("adam", PATH_LEARNING_RATE),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    tune = TrainConfig(epochs=config.epochs, batch_size=config.batch_size, optimizer="adam",
                       learning_rate=PATH_LEARNING_RATE, seed=config.seed,
                       architecture=PEN_PATH, data="yours+pen", augment=True)
    run = train(model, (x, y), pen_test, tune, cancel=cancel,
                monitors={"yours": (held, held_y)} if len(held) else None)
    after = read(held)
    return PathFinetuneResult(
        yours_before, run.monitor_accuracy.get("yours", math.nan),
        _combined_accuracy(picture_before, before, held_y),
        _combined_accuracy(picture_after, after, held_y),
        pen_before, run.test_accuracy, run)


def tune_path_file(path_base: Path, samples: Sequence[Sample], held_out: Sequence[Sample],
                   config: FinetuneConfig, *, picture_before: np.ndarray,
                   picture_after: np.ndarray, pen_file: Path | None = None,
                   cancel: threading.Event | None = None,
                   ) -> tuple[PathFinetuneResult, keras.Model]:
    """:func:`finetune_path` on the network in ``path_base``, with the pen digits (``pen_file``
    or the shipped ones): the result and the tuned network. Raises ``PenDataError``,
    ``ModelFileError``, ``OSError`` or :class:`TrainingError`."""
    from digitpad.model_file import load_model
    from digitpad.pen import load_pen_images
    from digitpad.training_data import pen_paths

    pen = load_pen_images(pen_file)
    model = load_model(path_base)
    result = finetune_path(model, samples, held_out, (pen_paths(pen, "train"),
                                                      pen_paths(pen, "test")), config,
                           picture_before=picture_before, picture_after=picture_after,
                           cancel=cancel)
    return result, model


def save_tuned_path(model: keras.Model, base_name: str) -> Path:
    """Save a tuned pen-path network beside the trained models (named by the picture model
    tuned with it); its path. Raises ``ModelFileError`` or ``OSError``."""
    from digitpad.model_file import save_model
    from digitpad.session import new_path_model_path

    target = new_path_model_path()
    save_model(model, target, {"architecture_key": "pen-path", "data": "yours+pen",
                               "finetuned_from": base_name})
    return target
