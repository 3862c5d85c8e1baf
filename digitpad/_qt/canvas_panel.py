"""The drawing column: the canvas (square for a digit, wide for a number), its tools and the
shortcut hint."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .canvas import DrawingCanvas
from .theme import MUTED


class CanvasArea(QWidget):
    """Places the canvas: the largest square that fits (a digit is about square, and a tall
    strip wastes the hand's room), or the whole width in wide mode (room for a number); the
    tools sit right under it."""

    GAP = 4

    def __init__(self, canvas: DrawingCanvas, below: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas, self.below = canvas, below
        canvas.setParent(self)
        below.setParent(self)
        self.wide = False

    def minimumSizeHint(self) -> QSize:
        below = self.below.minimumSizeHint()
        canvas = self.canvas.minimumSize()
        return QSize(max(canvas.width(), below.width()),
                     canvas.height() + self.GAP + self._below_height())

    def sizeHint(self) -> QSize:
        return QSize(420, 420 + self.GAP + self._below_height())

    def _below_height(self) -> int:
        return self.below.heightForWidth(max(self.width(), 200)) if \
            self.below.hasHeightForWidth() else self.below.sizeHint().height()

    def set_wide(self, wide: bool) -> None:
        self.wide = wide
        self.place()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.place()

    def place(self) -> None:
        below = self._below_height()
        room = max(1, self.height() - below - self.GAP)
        if self.wide:
            self.canvas.setGeometry(QRect(0, 0, self.width(), room))
            self.below.setGeometry(QRect(0, room + self.GAP, self.width(), below))
            return
        side = min(self.width(), room)
        left = (self.width() - side) // 2
        self.canvas.setGeometry(QRect(left, 0, side, side))
        self.below.setGeometry(QRect(left, side + self.GAP, side, below))


class CanvasPanel(QWidget):
    """Canvas, Undo / Redo / Clear, the Wide toggle and the pen width."""

    wideToggled = Signal(bool)  # the user pressed Wide

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = DrawingCanvas()
        self.pen_spin = QSpinBox(objectName="penWidthSpin", minimum=2, maximum=80, value=18,
                                 prefix="pen ", suffix=" px")
        self.pen_spin.setToolTip("Pen width on the canvas (the network always sees an "
                                 "MNIST-like stroke)")
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        # Tool buttons: four of them and the pen width fit the narrowest column.
        self.undo_button = QToolButton(text="Undo", objectName="undoButton")
        self.redo_button = QToolButton(text="Redo", objectName="redoButton")
        self.clear_button = QToolButton(text="Clear", objectName="clearButton")
        self.wide_button = QToolButton(text="Wide", objectName="wideButton", checkable=True)
        self.wide_button.setToolTip("A wide canvas, for writing a number (it widens by itself "
                                    "when a second digit is drawn)")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button.clicked.connect(self.canvas.redo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.wide_button.toggled.connect(self.wideToggled)
        # Shown during a lesson: the one way to end it (Esc only clears, as everywhere).
        self.stop_teaching_button = QPushButton("Stop teaching",
                                                objectName="stopTeachingButton")
        self.stop_teaching_button.setToolTip("End the lesson; Edit ▸ Teach me goes on from "
                                             "there later")
        self.stop_teaching_button.hide()
        tools = QHBoxLayout()
        for widget in (self.undo_button, self.redo_button, self.clear_button, self.wide_button):
            tools.addWidget(widget)
        tools.addStretch(1)
        tools.addWidget(self.pen_spin)
        hint = QLabel("Ctrl+Z undo · Ctrl+Shift+Z redo · Esc / Del clear · Ctrl+Shift+W wide · "
                      "Ctrl+T train · Ctrl+Q quit")
        hint.setObjectName("shortcutHint")
        hint.setWordWrap(True)  # wraps in a narrow column instead of widening the window
        hint.setStyleSheet(f"{MUTED} font-size: 11px;")
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addLayout(tools)
        below_layout.addWidget(self.stop_teaching_button)  # its own row: never squeezed
        below_layout.addWidget(hint)
        self.area = CanvasArea(self.canvas, below)
        layout = QVBoxLayout(self)
        layout.addWidget(self.area, 1)
        self.canvas.edited.connect(self.update_buttons)
        self.update_buttons()

    @Slot(bool)
    def set_teaching(self, on: bool) -> None:
        """A lesson is on: show *Stop teaching* (the canvas makes room for its row)."""
        self.stop_teaching_button.setVisible(on)
        self.area.below.layout().activate()
        self.area.place()

    def set_wide(self, wide: bool) -> None:
        """Show the canvas wide or square (without emitting ``wideToggled``)."""
        self.area.set_wide(wide)
        self.wide_button.blockSignals(True)
        self.wide_button.setChecked(wide)
        self.wide_button.blockSignals(False)

    @Slot()
    def update_buttons(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())
        self.clear_button.setEnabled(not self.canvas.is_empty())
