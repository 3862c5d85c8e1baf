"""Reading a drawing with two views of it: the picture network and the pen-path network.

A picture network sees the 28x28 image; the pen-path network (:mod:`digitpad.pen_path`) sees
how the digit was written. Their mistakes differ (a 9 and a 3 can look alike but are written
differently), so the reading combines them: the picture's log-probabilities plus
:data:`PATH_WEIGHT` times the path's plus :data:`CLASS_BIAS`, renormalised. The bias corrects
how both views lean on the digits of writers they never saw: a 1 with a long flag leans to 7
in both (MNIST's 1s are bare strokes), so the bias favours 1 (+1.00) over 7 (-0.69). Rule,
weight and bias were chosen on the pen ``train`` split only (``bench/bench_pen_path.py
--choose-rule``: both recipes trained five times, each time without a fifth of the train
sites, read on that fifth; 11,498 digits). With the batch-normalised path network, summed
log-probabilities plus a bias fitted on the other fifths made 108 / 106 / 103 / 108 mistakes
at weight 0.5 / 0.7 / 1.0 / 1.5 (a second path seed: 116 / 114 / 112 / 109); the bias in use
was fitted at 1.0 on both seeds' readings. (The path network before batch norm: 98 at 0.7.)
Pictures of paper have no path: they are read by the picture alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.evaluation import Report, evaluate
from digitpad.pen_path import path_features
from digitpad.preprocess import strokes_to_mnist

PATH_WEIGHT = 1.0  # the pen path's share beside the picture (see the module docstring)
# Added to the combined log-probabilities of 0-9 (see the module docstring); mean 0.
CLASS_BIAS = np.array([0.30, 1.00, -0.38, 0.14, -0.26, -0.08, -0.07, -0.69, -0.05, 0.09])
Predictor = Callable[[np.ndarray], np.ndarray]


def combine(picture: np.ndarray, path: np.ndarray, weight: float = PATH_WEIGHT,
            bias: np.ndarray | None = CLASS_BIAS) -> np.ndarray:
    """Probabilities (..., 10) from both networks': summed log-probabilities, the path's
    weighted, plus ``bias``, renormalised."""
    logits = np.log(np.clip(picture, 1e-12, 1.0)) + weight * np.log(np.clip(path, 1e-12, 1.0))
    if bias is not None:
        logits = logits + bias
    logits = logits - logits.max(axis=-1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class TwoViewReading:
    """One drawing read both ways: what each network saw and said, and the combination."""

    image: np.ndarray  # the 28x28 picture
    path: np.ndarray | None  # the (64, 5) path, None when read by the picture alone
    picture_probabilities: np.ndarray
    path_probabilities: np.ndarray | None
    probabilities: np.ndarray  # the reading: combined, or the picture's alone

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def disagree(self) -> bool:
        """Whether the two networks name different digits."""
        return self.path_probabilities is not None and int(
            np.argmax(self.picture_probabilities)) != int(np.argmax(self.path_probabilities))


class TwoViewReader:
    """Reads strokes with a picture network and, when given, a pen-path network."""

    def __init__(self, picture: Predictor, path: Predictor | None = None,
                 weight: float = PATH_WEIGHT) -> None:
        self.picture, self.path, self.weight = picture, path, weight

    def read(self, strokes: Sequence[Sequence[Sequence[float]]], **render: float,
             ) -> TwoViewReading | None:
        """Both readings of a drawing (``render``: options of ``strokes_to_mnist``), or None
        for an empty one."""
        image = strokes_to_mnist(strokes, **render)
        if image is None:
            return None
        picture = np.asarray(self.picture(image), dtype=np.float64).reshape(10)
        if self.path is None:
            return TwoViewReading(image, None, picture, None, picture)
        path = path_features(strokes)
        along = np.asarray(self.path(path), dtype=np.float64).reshape(10)
        return TwoViewReading(image, path, picture, along, combine(picture, along, self.weight))


def evaluate_both(picture: Predictor, path: Predictor, images: np.ndarray, paths: np.ndarray,
                  labels: np.ndarray, groups: np.ndarray | None = None,
                  weight: float = PATH_WEIGHT) -> dict[str, Report]:
    """Picture alone, path alone and combined: a :class:`Report` each, on the same digits
    (uint8 or [0, 1] (N, 28, 28) images and (N, 64, 5) path features)."""
    x = np.asarray(images, dtype=np.float32)
    if np.asarray(images).dtype == np.uint8:
        x = x / 255.0
    seen = np.asarray(picture(x), dtype=np.float64)
    along = np.asarray(path(np.asarray(paths, dtype=np.float32)), dtype=np.float64)
    both = combine(seen, along, weight)
    return {name: evaluate(lambda _, p=probs: p, x, labels, groups)
            for name, probs in (("picture", seen), ("path", along), ("combined", both))}
