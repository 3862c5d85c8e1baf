"""The pen path the pen-path network saw: the 64 points in their order, coloured from the
first (blue) to the last (orange), pen-up jumps dashed, a dot where the pen started and an
arrow where it ended."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

START, END = QColor("#1f77b4"), QColor("#f58518")


def _mix(t: float) -> QColor:
    return QColor.fromRgbF(*(START.getRgbF()[i] * (1 - t) + END.getRgbF()[i] * t
                             for i in range(3)))


class PathView(QWidget):
    """A square showing a (64, 5) path (x, y, dx, dy, pen-down; see digitpad.pen_path)."""

    def __init__(self, side: int = 112, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pathView")
        self.path: np.ndarray | None = None
        self.setFixedSize(side, side)
        self.setToolTip("The pen path the second network reads: the order and direction of "
                        "your strokes (blue first, orange last; dashed where the pen was "
                        "lifted)")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_side(self, side: int) -> None:
        self.setFixedSize(side, side)

    def show_path(self, path: np.ndarray | None) -> None:
        self.path = None if path is None else np.asarray(path, dtype=np.float64)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if self.path is None or len(self.path) < 2:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        scale, centre = side * 0.8, QPointF(self.width() / 2, self.height() / 2)
        points = [QPointF(centre.x() + x * scale, centre.y() + y * scale)
                  for x, y in self.path[:, :2]]
        down = self.path[:, 4] > 0.5
        last = len(points) - 1
        for i in range(last):
            colour = _mix(i / last)
            if down[i] and down[i + 1]:
                painter.setPen(QPen(colour, 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            else:  # the pen in the air between strokes
                painter.setPen(QPen(QColor("#888888"), 1, Qt.PenStyle.DashLine))
            painter.drawLine(points[i], points[i + 1])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(START)
        painter.drawEllipse(points[0], 3.5, 3.5)
        tip, back = points[-1], points[max(0, last - 3)]
        direction = np.array([tip.x() - back.x(), tip.y() - back.y()])
        length = float(np.hypot(*direction))
        if length > 1e-6:
            along = direction / length * 7
            across = np.array([-along[1], along[0]]) * 0.6
            base = np.array([tip.x(), tip.y()]) - along
            painter.setBrush(END)
            painter.drawPolygon(QPolygonF([tip, QPointF(*(base + across)),
                                           QPointF(*(base - across))]))
        painter.end()
