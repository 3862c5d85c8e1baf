"""Reading image files with Qt's image plugins (PNG, JPEG, BMP, ...), no display needed.

Only regular files are read (a FIFO or a device would block forever), their bytes are read by
Python (so any file name works, whatever its encoding), big pictures are decoded scaled down
to at most :data:`MAX_SIDE` pixels, and Qt converts to 8-bit grey before numpy sees a pixel,
so a small file that decodes to a huge image cannot take gigabytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from digitpad.paths import FileProblem, printable_path, read_regular_file

MAX_SIDE = 2048  # decoded pixels per side; plenty for a digit, bounds memory and time
MAX_FILE_BYTES = 256 << 20


class ImageReadError(OSError):
    """An image file could not be read; the message names it and says why."""


def _read_bytes(path: Path) -> bytes:
    name = printable_path(path)
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except FileProblem as problem:
        reason = {"missing": "no such file",
                  "directory": "is a directory, not an image file",
                  "not-regular": "not a regular file (a pipe, socket or device)",
                  "too-big": f"too large for an image of a digit ({problem.size >> 20} MB)",
                  "permission": "permission denied"}.get(problem.kind,
                                                         f"cannot read ({problem.detail})")
        raise ImageReadError(f"{name}: {reason}") from None


def read_grayscale(path: str | Path) -> np.ndarray:
    """Float32 image in [0, 1] (H, W); transparent pixels count as the paper they are on."""
    path = Path(path)
    data = QByteArray(_read_bytes(path))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > MAX_SIDE:
        reader.setScaledSize(size.scaled(QSize(MAX_SIDE, MAX_SIDE),
                                         Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageReadError(f"{printable_path(path)}: cannot read image ({reader.errorString()})")
    grey = _grey8(image).astype(np.float32) / 255.0
    if image.hasAlphaChannel():
        alpha = _channel(image.convertToFormat(QImage.Format.Format_Alpha8)) / np.float32(255)
        if alpha.min() < 1.0:
            # Ink drawn on a transparent background: the opaque pixels are the ink.
            opaque = alpha > 0.5
            opaque_mean = float(grey[opaque].mean()) if opaque.any() else 0.0
            paper = 1.0 if opaque_mean < 0.5 else 0.0
            grey = grey * alpha + paper * (1.0 - alpha)
    return grey


def _grey8(image: QImage) -> np.ndarray:
    return _channel(image.convertToFormat(QImage.Format.Format_Grayscale8))


def _channel(image: QImage) -> np.ndarray:
    """A one-byte-per-pixel QImage as a (H, W) uint8 copy."""
    height, width = image.height(), image.width()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return buffer.reshape(height, image.bytesPerLine())[:, :width].copy()
