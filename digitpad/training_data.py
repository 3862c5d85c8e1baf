"""What a run trains and measures on: MNIST, optionally plus pen digits, and the
real-handwriting set watched after every epoch. Shared by the window (``training_run``),
``train_model.py``, the benches and the tests, so every caller gets the same data for the
same choice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from digitpad.augment import DEFAULT_AUGMENT, Alternates, make_alternates
from digitpad.pen import PenDataError, PenImages, load_pen_images
from digitpad.skeleton import digit_strokes

TEST_SETS = {"mnist": "MNIST test", "pen": "real handwriting (pen test: sites never trained on)"}
DATA_CHOICES = {
    "mnist": "MNIST (the book)",
    "mnist+pen": "MNIST + pen digits",
}
# The pen-path network reads strokes, so it trains on the pen digits alone (MNIST has no
# writing order; traced MNIST in a made-up order made it worse, see issue 21's trials).
PATH_DATA_CHOICES = {"pen": "pen digits (their paths)"}
PEN_MONITOR = "pen"  # key of the real-handwriting set in TrainingData.monitors
# Times the pen train split is repeated in an epoch of mnist+pen: real pen digits are 1/5 of
# MNIST's count; three (differently augmented) passes read unseen sites' digits better.
PEN_REPEAT = 3
# Stroke-level re-drawings (made once, see digitpad.augment.make_alternates): a quarter of the
# MNIST digits get one, used in 60% of their draws (15% of MNIST draws are pen-like); pen 0s,
# 1s and 7s get one in another national style, used in 20% of their draws.
MNIST_REDRAWN = 0.25
MNIST_REDRAW_USE = 0.6
PEN_STYLE_USE = 0.2
STYLED_DIGITS = (0, 1, 7)

Strokes = list[np.ndarray]
StrokeSource = Callable[[int], "Strokes | None"]
Split = tuple[np.ndarray, np.ndarray]


@dataclass
class TrainingData:
    """uint8 images and labels; ``monitors`` are extra test sets measured every epoch;
    ``strokes(i)`` gives train sample i as pen strokes (for re-drawing augmentation)."""

    train: Split
    test: Split
    monitors: dict[str, Split] = field(default_factory=dict)
    strokes: StrokeSource | None = None
    redraw_share: np.ndarray | None = None  # per train sample: share of draws re-drawn
    style_chance: np.ndarray | None = None  # per train sample: re-drawn in another style

    def limit(self, n: int | None) -> TrainingData:
        """The first ``n`` training samples (tests and demos train on a slice)."""
        if not n:
            return self
        x, y = self.train
        share = None if self.redraw_share is None else self.redraw_share[:n]
        style = None if self.style_chance is None else self.style_chance[:n]
        return TrainingData((x[:n], y[:n]), self.test, self.monitors, self.strokes, share,
                            style)

    def alternates(self, stop: Callable[[], bool] | None = None) -> Alternates | None:
        """The pen re-drawings augmentation mixes in (~1 s per 1,000 samples), or None
        when there are none to make or ``stop()`` turned true."""
        if self.strokes is None or self.redraw_share is None:
            return None
        style = self.style_chance if self.style_chance is not None else np.zeros(
            len(self.redraw_share))
        return make_alternates(self.strokes, self.train[1], self.redraw_share, style,
                               stop=stop)


class MnistStrokes:
    """MNIST digits traced as pen strokes on first use (~0.5 ms each) and remembered."""

    def __init__(self, images: np.ndarray) -> None:
        self.images = images
        self._cache: dict[int, Strokes] = {}

    def __call__(self, index: int) -> Strokes | None:
        if index not in self._cache:
            self._cache[index] = digit_strokes(self.images[index])
        return self._cache[index] or None


def assemble(mnist: tuple[Split, Split], data: str = "mnist", pen: PenImages | None = None,
             pen_repeat: int | None = None) -> TrainingData:
    """Training and test sets for a ``data`` choice (a key of :data:`DATA_CHOICES`).

    ``pen`` (rendered pen digits) adds its ``train`` split, ``pen_repeat`` times over, to
    the training set for ``mnist+pen`` (the augmentation makes each repeat different) and its
    ``test`` split (sites never trained on) as the ``pen`` monitor for
    every choice, so each run shows how well it reads real handwriting.
    """
    if data not in DATA_CHOICES:
        raise ValueError(f"unknown data {data!r}; choose one of {', '.join(DATA_CHOICES)}")
    (x_train, y_train), test = mnist
    monitors = {PEN_MONITOR: pen.part("test")} if pen is not None else {}
    mnist_strokes = MnistStrokes(x_train)
    chosen = np.random.default_rng(0).random(len(x_train)) < MNIST_REDRAWN
    share = np.where(chosen, MNIST_REDRAW_USE, 0.0)
    style = np.full(len(x_train), DEFAULT_AUGMENT.style_share)
    source: StrokeSource = mnist_strokes
    if data == "mnist+pen":
        if pen is None:
            raise ValueError("MNIST + pen digits needs the pen digits")
        x_pen, y_pen = pen.part("train")
        pen_strokes = pen.stroke_lists("train")
        n_pen, pen_repeat = len(x_pen), pen_repeat or PEN_REPEAT
        x_pen, y_pen = np.tile(x_pen, (pen_repeat, 1, 1)), np.tile(y_pen, pen_repeat)
        offset = len(x_train)
        x_train = np.concatenate([x_train, x_pen])
        y_train = np.concatenate([y_train, y_pen])
        styled = np.isin(y_pen, STYLED_DIGITS)
        share = np.concatenate([share, np.where(styled, PEN_STYLE_USE, 0.0)])
        style = np.concatenate([style, np.ones(len(x_pen))])

        def source(index: int) -> Strokes | None:
            if index < offset:
                return mnist_strokes(index)
            return pen_strokes[(index - offset) % n_pen] if pen_strokes else None

    return TrainingData((x_train, y_train), test, monitors, source, share, style)


def pen_paths(pen: PenImages, split: str) -> Split:
    """The ``split``'s pen digits as paths: float32 (N, POINTS, 3) of x, y and pen-down
    (see :mod:`digitpad.pen_path`; :func:`digitpad.training.prepare_inputs` makes the network
    input), and their labels."""
    from digitpad.pen_path import path_data

    drawings = pen.stroke_lists(split)
    if drawings is None:
        raise PenDataError("the pen digits have no strokes to read paths from")
    return path_data(drawings), pen.part(split)[1]


def assemble_paths(pen: PenImages) -> TrainingData:
    """The pen-path network's data: the pen ``train`` split's paths to train on, the ``test``
    split's (sites never trained on) to test on and as the real-handwriting curve."""
    test = pen_paths(pen, "test")
    return TrainingData(pen_paths(pen, "train"), test, {PEN_MONITOR: test})


def load_training_data(data: str = "mnist", mnist_path: str | os.PathLike[str] | None = None,
                       pen_path: str | os.PathLike[str] | None = None) -> TrainingData:
    """Load MNIST and the pen digits (the file shipped in the package by default) and assemble;
    ``pen`` (the pen-path network's data) needs no MNIST.

    The pen digits are optional for ``mnist``: without them the run simply has no
    real-handwriting curve. Raises ``MnistError`` / ``PenDataError`` with a message.
    """
    from digitpad.mnist import load_mnist

    if data in PATH_DATA_CHOICES:
        return assemble_paths(load_pen_images(pen_path))
    mnist = load_mnist(mnist_path)
    try:
        pen = load_pen_images(pen_path)
    except PenDataError:
        if data != "mnist":
            raise
        pen = None
    return assemble(mnist, data, pen)


MNIST_TRAIN = 60_000


def expected_train_samples(data: str) -> int:
    """Digits in one epoch of ``data``, known before any data is loaded (for time estimates):
    MNIST's 60,000, plus the shipped pen ``train`` split :data:`PEN_REPEAT` times over for
    ``mnist+pen``."""
    if data != "mnist+pen":
        return MNIST_TRAIN
    from digitpad.pen import PACKAGE_FILE

    try:
        with np.load(PACKAGE_FILE) as arrays:
            pen_train = int((arrays["split"].astype(str) == "train").sum())
    except (OSError, KeyError, ValueError):
        pen_train = 11_498  # the shipped file's count
    return MNIST_TRAIN + PEN_REPEAT * pen_train


def load_test_set(name: str, mnist_path: str | os.PathLike[str] | None = None) -> Split:
    """uint8 images and labels of a test set (a key of :data:`TEST_SETS`): MNIST test, or
    the pen ``test`` split (real handwriting of sites never trained on). Raises
    ``MnistError`` / ``PenDataError`` with a message."""
    from digitpad.mnist import load_mnist

    if name == "pen":
        return load_pen_images().part("test")
    if name != "mnist":
        raise ValueError(f"unknown test set {name!r}; choose one of {', '.join(TEST_SETS)}")
    return load_mnist(mnist_path)[1]
