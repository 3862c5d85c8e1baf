"""The lesson's progress along the canvas's bottom edge: the ten digits, how many of each
are kept, and the one asked for now. It lets the mouse through, so you draw across it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

DONE = QColor("#2ca02c")
NOW = QColor("#f58518")
TODO = QColor("#6b7785")
HEIGHT = 30


class LessonStrip(QWidget):
    """Shown while a lesson is on; follows the canvas's size."""

    def __init__(self, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.setObjectName("lessonStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.kept: list[int] = [0] * 10
        self.needed = 0
        self.current: int | None = None
        canvas.installEventFilter(self)
        self.hide()

    def show_progress(self, kept: Sequence[int], needed: int, current: int | None) -> None:
        """``kept[d]`` of ``needed`` drawings of each digit ``d`` are kept; ``current`` is
        asked for now."""
        self.kept, self.needed, self.current = list(kept), needed, current
        self._place()
        self.show()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        canvas = self.parentWidget()
        self.setGeometry(0, canvas.height() - HEIGHT, canvas.width(), HEIGHT)

    def cell(self, digit: int) -> QRectF:
        """Where digit ``digit``'s progress is painted (widget pixels)."""
        width = min(self.width() / 10, 44.0)
        left = (self.width() - 10 * width) / 2
        return QRectF(left + digit * width, 0, width, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for digit in range(10):
            cell = self.cell(digit).adjusted(3, 2, -3, -3)
            done = self.needed > 0 and self.kept[digit] >= self.needed
            colour = NOW if digit == self.current else DONE if done else TODO
            if digit == self.current:
                painter.setPen(QPen(NOW, 1.5))
                painter.drawRoundedRect(cell, 4, 4)
            painter.setPen(colour)
            painter.drawText(cell.adjusted(0, 0, 0, -5), Qt.AlignmentFlag.AlignCenter,
                             str(digit))
            if self.needed:  # one dot per drawing asked for, filled when kept
                step = min(7.0, (cell.width() - 4) / self.needed)
                x0 = cell.center().x() - step * (self.needed - 1) / 2
                for k in range(self.needed):
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour if k < self.kept[digit] else QColor(0, 0, 0, 0))
                    if k >= self.kept[digit]:
                        painter.setPen(QPen(colour, 1.0))
                    painter.drawEllipse(QRectF(x0 + k * step - 2, cell.bottom() - 6, 4, 4))
        painter.end()
