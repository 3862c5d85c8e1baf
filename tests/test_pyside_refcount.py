"""Regression: PySide6 6.12.0 on Python 3.11 drops a reference to None per void call.

After ~10^5 calls CPython aborts with "Fatal Python error: none_dealloc". digitpad pins
PySide6 away from it; this test fails if an install ever picks up a leaking build.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_void_qt_calls_keep_refcount_of_none_stable():
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen = QPen(QColor("black"))
    before = sys.getrefcount(None)
    for i in range(1000):
        pen.setWidthF(1.0 + (i % 5))
        painter.setPen(pen)
        painter.drawLine(QPointF(0, 0), QPointF(i % 64, 63))
    after = sys.getrefcount(None)
    painter.end()
    # Immortal None (Python >= 3.12) reports a huge constant; a leaking build loses ~3000 here.
    assert abs(after - before) < 100
