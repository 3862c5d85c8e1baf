"""Reading image files with Qt's image plugins (PNG, JPEG, BMP, ...), no display needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage, QImageReader


class ImageReadError(OSError):
    """An image file could not be read; the message names it and says why."""


def read_grayscale(path: str | Path) -> np.ndarray:
    """Float image in [0, 1] (H, W); transparent pixels count as the paper they are drawn on."""
    path = Path(path)
    reader = QImageReader(str(path))
    image = reader.read()
    if image.isNull():
        raise ImageReadError(f"{path}: cannot read image ({reader.errorString()})")
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    height, width = rgba.height(), rgba.width()
    buffer = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    pixels = buffer.reshape(height, rgba.bytesPerLine())[:, : width * 4].reshape(height, width, 4)
    pixels = pixels.astype(np.float64) / 255.0
    grey = pixels[..., :3] @ np.array([0.299, 0.587, 0.114])
    alpha = pixels[..., 3]
    if alpha.min() < 1.0:
        # Ink drawn on a transparent background: the opaque pixels are the ink.
        opaque_mean = float(grey[alpha > 0.5].mean()) if (alpha > 0.5).any() else 0.0
        paper = 1.0 if opaque_mean < 0.5 else 0.0
        grey = grey * alpha + paper * (1.0 - alpha)
    return grey
