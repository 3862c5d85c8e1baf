"""Accuracy of a model on a labelled set: overall, per class, per group (e.g. per site), the
confusion matrix and the most common mistakes. Plain numpy over a predictor's output."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """(classes, classes) counts: rows are the true digit, columns the predicted one."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true, np.int64), np.asarray(predicted, np.int64)), 1)
    return matrix


@dataclass
class Report:
    accuracy: float
    per_class: list[float]
    confusion: np.ndarray
    per_group: dict[str, float] = field(default_factory=dict)

    def top_confusions(self, n: int = 6) -> list[tuple[int, int, int]]:
        """(true, predicted, count) of the most common mistakes."""
        off = self.confusion.copy()
        np.fill_diagonal(off, 0)
        order = np.argsort(off, axis=None)[::-1][:n]
        return [(int(i // 10), int(i % 10), int(off.flat[i])) for i in order if off.flat[i]]


def evaluate(predictor, images: np.ndarray, labels: np.ndarray,
             groups: np.ndarray | None = None) -> Report:
    """Run ``predictor`` over uint8 or [0, 1] float (N, 28, 28) images and summarise."""
    x = np.asarray(images, dtype=np.float32)
    if images.dtype == np.uint8:
        x = x / 255.0
    predicted = predictor(x).argmax(axis=1) if len(x) else np.zeros(0, np.int64)
    labels = np.asarray(labels, np.int64)
    correct = predicted == labels
    matrix = confusion_matrix(labels, predicted)
    per_class = [float(correct[labels == d].mean()) if (labels == d).any() else float("nan")
                 for d in range(10)]
    per_group = {}
    if groups is not None:
        per_group = {str(g): float(correct[groups == g].mean()) for g in np.unique(groups)}
    return Report(float(correct.mean()) if len(x) else float("nan"), per_class, matrix,
                  per_group)
