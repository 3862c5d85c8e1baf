"""Seconds an epoch will take on this machine, measured, not guessed: a few real training
steps of the network on random digits, scaled to the epoch. The layer editor shows it while
you design; ``bench/bench_recipes.py`` checks it against whole runs.

The estimate adds the epoch's evaluation (MNIST test and the real-handwriting set, read
once each) and, with augmentation, the batches' preparation measured the same way.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

STEPS = 6  # timed steps after the warm-up ones (tracing and first-call costs excluded)
WARMUP = 2
EVAL_SAMPLES = 10_000 + 2_774  # MNIST test and the pen test split, read every epoch


@dataclass(frozen=True)
class EpochEstimate:
    """The parts of an epoch's time, in seconds."""

    training: float
    evaluation: float
    steps_timed: int

    @property
    def seconds(self) -> float:
        return self.training + self.evaluation


def estimate_epoch(architecture: str, layers: str, batch_size: int, train_samples: int,
                   optimizer: str = "rmsprop", augment: bool = False,
                   eval_samples: int = EVAL_SAMPLES) -> EpochEstimate:
    """Time :data:`STEPS` training steps of the network on random pictures (augmented like a
    real run when ``augment``) and one evaluation batch, and scale them to ``train_samples``
    and ``eval_samples``. Takes a few seconds; imports TensorFlow. Raises ``LayerStackError``
    for a stack that cannot be built."""
    from digitpad.networks import build_model

    model = build_model(architecture, optimizer, layers=layers)
    rng = np.random.default_rng(0)
    batch = max(1, min(batch_size, train_samples))
    images = rng.integers(0, 256, (batch * (STEPS + WARMUP), 28, 28), dtype=np.uint8)
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, len(images))]
    if augment:  # batches made by tf.data's thread while training runs, as in a real run
        from digitpad.augment_graph import augmented_dataset

        batches = iter(augmented_dataset(images, labels, batch, seed=0))
    else:
        flat = images.reshape(len(images), -1).astype(np.float32) / 255.0
        batches = iter([(flat[i:i + batch], labels[i:i + batch])
                        for i in range(0, len(flat), batch)])
    for _ in range(WARMUP):
        probe, y = next(batches)
        model.train_on_batch(probe, y)
    started = time.perf_counter()
    for x, y in batches:
        model.train_on_batch(x, y)
    per_step = (time.perf_counter() - started) / STEPS
    probe = np.asarray(probe)[:1024]
    model(probe, training=False)  # first call traces
    started = time.perf_counter()
    model(probe, training=False)
    per_read = (time.perf_counter() - started) / len(probe)
    return EpochEstimate(training=per_step * math.ceil(train_samples / batch),
                         evaluation=per_read * eval_samples,
                         steps_timed=STEPS)
