"""Real mouse events for the canvas.

QTest.mouseMove sends no button state, so a drag would not draw; like pyqtgraph's
tests/ui_testing.py, these build QMouseEvents with the button held and send them directly.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: tuple[float, float],
               button: Qt.MouseButton, buttons: Qt.MouseButton) -> None:
    local = QPointF(*pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, points: Iterable[tuple[float, float]], release: bool = True) -> None:
    """Press at the first point, move through the rest with the button held, release."""
    points = [tuple(map(float, p)) for p in points]
    send_mouse(widget, QEvent.Type.MouseButtonPress, points[0], LEFT, LEFT)
    for point in points[1:]:
        send_mouse(widget, QEvent.Type.MouseMove, point, NONE, LEFT)
    if release:
        send_mouse(widget, QEvent.Type.MouseButtonRelease, points[-1], LEFT, NONE)


def draw_strokes(widget: QWidget, strokes: list[np.ndarray]) -> None:
    for stroke in strokes:
        drag(widget, stroke)


def fit_to_canvas(strokes: list[np.ndarray], widget: QWidget, fraction: float = 0.6,
                  corner: tuple[float, float] = (0.1, 0.15)) -> list[np.ndarray]:
    """Strokes in 28x28 units scaled to ``fraction`` of the canvas, placed off-centre."""
    points = np.concatenate(strokes)
    lo, extent = points.min(axis=0), max(float(np.ptp(points, axis=0).max()), 1.0)
    size = min(widget.width(), widget.height()) * fraction
    origin = np.array([widget.width() * corner[0], widget.height() * corner[1]])
    out = []
    for stroke in strokes:
        pts = (stroke - lo) / extent * size + origin
        # Mouse events come every few pixels, not every pixel.
        dense = [pts[0]]
        for a, b in zip(pts[:-1], pts[1:], strict=True):
            steps = max(1, int(np.hypot(*(b - a)) // 4))
            dense.extend(a + (b - a) * (k / steps) for k in range(1, steps + 1))
        out.append(np.array(dense))
    return out


def make_window(qtbot, data_path=None, network: str | None = "dense"):
    """A shown main window whose model has loaded (as a user sees it after launch). The
    Network starts at the model in use (the convnet); tests that train pick the book's
    network, as a user would, so they stay fast (``network=None`` leaves it as launched)."""
    from digitpad._qt.main_window import MainWindow

    win = MainWindow(data_path=data_path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.predictor is not None, timeout=10_000)
    if network is not None:
        combo = win.training_panel.settings.architecture_combo
        combo.setCurrentIndex(combo.findData(network))
        combo.activated.emit(combo.currentIndex())  # picked by hand: it stays
    return win


def draw_in_frame(canvas, strokes: list[np.ndarray], height: float = 0.25,
                  left: float = -0.45) -> None:
    """Draw strokes given in digit units (a digit 100 tall) at ``height`` of the canvas's
    shorter side, from ``left`` (canvas frame: centre 0, shorter side 1). Each stroke is
    placed where the canvas is when it is drawn: the canvas widens for a number."""
    for stroke in strokes:
        frame = np.asarray(stroke) / 100 * height + [left, -height / 2]
        points = [canvas.to_widget(x, y) for x, y in frame]
        dense = []
        for a, b in zip(points[:-1], points[1:], strict=True):
            steps = max(1, int(np.hypot(b.x() - a.x(), b.y() - a.y()) // 4))
            dense.extend((a.x() + (b.x() - a.x()) * k / steps,
                          a.y() + (b.y() - a.y()) * k / steps) for k in range(steps))
        dense.append((points[-1].x(), points[-1].y()))
        drag(canvas, dense)


def picture_probabilities(win) -> np.ndarray:
    """The picture network's own probabilities for the digit shown (the reading combines
    them with the pen path's while both read)."""
    reading = win.reading.last_reading
    digit = reading.digits[win.reading.shown_digit()]
    own = digit.picture_probabilities
    return (digit.probabilities if own is None else own).copy()
