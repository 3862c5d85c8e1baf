#!/usr/bin/env python
"""Draw the app icon: a hand-drawn 7 above a probability bar chart.

    QT_QPA_PLATFORM=offscreen python assets/make_icon.py assets/icon.png
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen


def draw_icon(path: str, size: int = 256) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256, size / 256)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#101418"))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 40, 40)
    painter.setPen(QPen(QColor("white"), 22, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    seven = QPainterPath(QPointF(62, 70))
    seven.lineTo(176, 66)
    seven.quadTo(140, 120, 112, 196)
    painter.drawPath(seven)
    painter.setPen(Qt.PenStyle.NoPen)
    for digit, height in enumerate([10, 6, 8, 5, 12, 7, 9, 52, 6, 8]):
        painter.setBrush(QColor("#f58518" if digit == 7 else "#4c78a8"))
        painter.drawRect(QRectF(44 + digit * 17, 226 - height, 12, height))
    painter.end()
    if not image.save(path):
        raise SystemExit(f"could not write {path}")


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    draw_icon(sys.argv[1] if len(sys.argv) > 1 else "assets/icon.png")
