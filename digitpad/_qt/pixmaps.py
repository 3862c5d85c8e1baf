"""Numpy pictures on screen: one conversion for the network input, sample thumbnails and the
inside view's layer pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def array_pixmap(values: np.ndarray, width: int) -> QPixmap:
    """A grey (h, w) or colour (h, w, 3) picture, uint8 or float in [0, 1], as a pixmap
    ``width`` pixels wide (enlarged without smoothing, so pixels stay visible)."""
    values = np.asarray(values)
    if values.dtype != np.uint8:
        values = (np.clip(values, 0, 1) * 255).astype(np.uint8)
    data = np.ascontiguousarray(values)
    h, w = data.shape[:2]
    if data.ndim == 2:
        image = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    else:
        image = QImage(data.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaledToWidth(width, Qt.TransformationMode.FastTransformation)
