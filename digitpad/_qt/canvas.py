"""The drawing canvas: strokes kept as vectors, painted into a backing image.

Like Qt's Scribble example, each mouse move paints one segment into a QImage and repaints
only the rectangle it touched, so drawing stays smooth however much is on the canvas. Undo,
redo and resizing re-render from the vectors.

Strokes are stored in a resolution-independent frame: the canvas centre is the origin and
its shorter side is 1.0 (pen widths likewise). A resize only changes how that frame maps to
pixels, so any sequence of resizes gives back the drawing it started with; while it fits, a
drawing keeps the mapping it was drawn in, so widening the canvas never moves the ink
(:mod:`canvas_frame`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from .canvas_frame import CanvasFrame, Mapping

UNDO_LIMIT = 200
BACKGROUND = QColor("#101418")
INK = QColor("#ffffff")
HINT = QColor("#6b7785")
BOX = QColor("#5b6b7d")  # a digit's box when several digits are drawn
BOX_SELECTED = QColor("#f58518")  # the digit whose probabilities the bars show


@dataclass
class Stroke:
    """One pen stroke in the canvas frame (centre = origin, shorter side = 1.0)."""

    width: float
    points: list[tuple[float, float]] = field(default_factory=list)
    _array: np.ndarray | None = field(default=None, repr=False, compare=False)

    def array(self) -> np.ndarray:
        """The points as a (k, 2) float array, made again only when points were added (a
        drawing of 300 strokes is read without 300 list-to-array conversions)."""
        if self._array is None or len(self._array) != len(self.points):
            self._array = np.asarray(self.points, dtype=np.float64).reshape(-1, 2)
        return self._array


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """The stroke as drawn live: straight to the first midpoint, then curves through the
    midpoints of the segments with the points as control points, straight to the end."""
    path = QPainterPath(points[0])
    path.lineTo((points[0] + points[1]) / 2)
    for previous, point in zip(points[1:-1], points[2:], strict=True):
        path.quadTo(previous, (previous + point) / 2)
    path.lineTo(points[-1])
    return path


class DrawingCanvas(QWidget):
    """White ink on black, like MNIST.

    ``changed`` fires for every point added while drawing (throttle before heavy work);
    ``edited`` fires once for a finished stroke, undo, redo, clear or resize; ``hovered``
    gives the mouse's x in the canvas frame while not drawing (NaN when it leaves), so the
    window can show the digit under the mouse.
    """

    changed = Signal()
    edited = Signal()
    strokeEnded = Signal()  # after ``edited``, for a stroke just drawn (not undo or resize)
    hovered = Signal(float)
    digitKey = Signal(int)  # a digit key 0-9: "what I drew is this digit"
    enterKey = Signal()

    def __init__(self, parent: QWidget | None = None, pen_width: float = 18.0) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keys go to the drawing, not a box
        # No tooltip: it popped up over the drawing; the empty canvas says what to do.
        self.pen_width = pen_width
        self.strokes: list[Stroke] = []
        # Edits as ("stroke", stroke) or ("clear", the strokes it removed): Clear is undoable.
        # The last UNDO_LIMIT edits (a long session must not keep every cleared drawing).
        self._undo: deque[tuple[str, object]] = deque(maxlen=UNDO_LIMIT)
        self._redo: deque[tuple[str, object]] = deque(maxlen=UNDO_LIMIT)
        self._drawing = False
        self._image = QImage()
        # Boxes around the digits of a number (canvas frame), and the one the bars show.
        self._hint: str | None = None
        self.frame = CanvasFrame()  # where the frame sits: centred, or kept for the ink
        self._digit_boxes: list[tuple[float, float, float, float]] = []
        self._selected_box = -1
        self.setMouseTracking(True)  # hover picks the digit whose probabilities are shown

    # ---- public API -------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def is_empty(self) -> bool:
        return not self.strokes

    # ---- the frame --------------------------------------------------------------------
    def _mapping(self) -> Mapping:
        return self.frame.mapping(self.width(), self.height())

    def _scale(self) -> float:
        return self._mapping()[2]

    def to_widget(self, x: float, y: float) -> QPointF:
        """A frame point in widget pixels."""
        ox, oy, scale = self._mapping()
        return QPointF(ox + x * scale, oy + y * scale)

    def to_frame(self, pos: QPointF) -> tuple[float, float]:
        ox, oy, scale = self._mapping()
        return (pos.x() - ox) / scale, (pos.y() - oy) / scale

    def stroke_arrays(self) -> list[np.ndarray]:
        """Strokes as (k, 2) float arrays of widget coordinates, for preprocessing."""
        ox, oy, scale = self._mapping()
        origin = np.array([ox, oy])
        return [s.array() * scale + origin for s in self.strokes if s.points]

    def ink_extent(self) -> float:
        """Size of the drawing in widget pixels (largest side of its bounding box)."""
        arrays = self.stroke_arrays()
        if not arrays:
            return 0.0
        points = np.concatenate(arrays)
        return float(np.ptp(points, axis=0).max())

    def can_undo(self) -> bool:
        return bool(self._undo) and not self._drawing

    def can_redo(self) -> bool:
        return bool(self._redo) and not self._drawing

    def undo(self) -> None:
        """Take back the last stroke, or the last Clear (the whole drawing comes back)."""
        if not self.can_undo():
            return
        kind, item = self._undo.pop()
        if kind == "stroke":
            self.strokes.pop()
        else:
            self.strokes = list(item)
        self._redo.append((kind, item))
        self._rerender()

    def redo(self) -> None:
        if not self.can_redo():
            return
        kind, item = self._redo.pop()
        if kind == "stroke":
            self.strokes.append(item)
        else:
            self.strokes = []
        self._undo.append((kind, item))
        self._rerender()

    def clear(self) -> None:
        """Remove every stroke, as one undoable edit."""
        if self._drawing or not self.strokes:
            return
        self._undo.append(("clear", list(self.strokes)))
        self._redo.clear()
        self.strokes = []
        self._rerender()

    def set_pen_width(self, width: float) -> None:
        self.pen_width = float(width)

    def set_digit_boxes(self, boxes: list[tuple[float, float, float, float]],
                        selected: int = -1) -> None:
        """Outline the digits of a number: ``boxes`` as (x0, y0, x1, y1) in widget pixels
        around the centre lines; an empty list removes them."""
        ox, oy, scale = self._mapping()
        framed = [((x0 - ox) / scale, (y0 - oy) / scale, (x1 - ox) / scale, (y1 - oy) / scale)
                  for x0, y0, x1, y1 in boxes]
        if framed == self._digit_boxes and selected == self._selected_box:
            return
        self._digit_boxes, self._selected_box = framed, selected
        self.update()

    def set_hint(self, text: str | None) -> None:
        """What the empty canvas says (None: the usual "Draw a digit here")."""
        self._hint = text
        self.update()

    def show_strokes(self, strokes) -> None:
        """Put a drawing (any units, y down) on the canvas, centred and filling 60% of its
        shorter side, with the current pen, as one undoable edit."""
        parts = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
        parts = [p for p in parts if len(p)]
        if not parts or self._drawing:
            return
        self.frame.release()  # placed in the middle of the canvas as it is now
        points = np.concatenate(parts)
        centre = (points.min(axis=0) + points.max(axis=0)) / 2
        scale = 0.6 / max(float(np.ptp(points, axis=0).max()), 1e-9)
        width = self.pen_width / self._scale()
        if self.strokes:
            self._undo.append(("clear", list(self.strokes)))
        self.strokes = []
        for part in parts:
            stroke = Stroke(width, [tuple(p) for p in ((part - centre) * scale).tolist()])
            self.strokes.append(stroke)
            self._undo.append(("stroke", stroke))
        self._redo.clear()
        self._rerender()

    def set_strokes(self, strokes: list[Stroke]) -> None:
        """Replace the drawing with strokes given in widget pixels (tests and demos)."""
        scale = self._scale()
        self.strokes = [Stroke(s.width / scale, [self.to_frame(QPointF(x, y))
                                                 for x, y in s.points]) for s in strokes]
        self._undo.clear()
        self._redo.clear()
        self._rerender()

    # ---- input --------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        """Digit keys label the drawing; Enter confirms (prompt mode). Modifiers (other than
        the keypad's) leave the key to shortcuts."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        if modifiers == Qt.KeyboardModifier.NoModifier and Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self.digitKey.emit(int(key - Qt.Key.Key_0))
        elif modifiers == Qt.KeyboardModifier.NoModifier and key in (Qt.Key.Key_Return,
                                                                      Qt.Key.Key_Enter):
            self.enterKey.emit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
        elif not self._drawing:
            self.hovered.emit(self.to_frame(event.position())[0])

    def leaveEvent(self, event) -> None:
        self.hovered.emit(float("nan"))
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drawing:
            self._extend(event.position())
            self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen draws like the mouse; accepting stops Qt from synthesising mouse events."""
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove and self._drawing:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease and self._drawing:
            self._finish()
        event.accept()

    def _inside(self, pos: QPointF) -> QPointF:
        """A point dragged off the canvas is kept on its edge: what the network reads is
        always what you see."""
        return QPointF(min(max(pos.x(), 0.0), self.width() - 1.0),
                       min(max(pos.y(), 0.0), self.height() - 1.0))

    def _begin(self, pos: QPointF) -> None:
        pos = self._inside(pos)
        self._drawing = True
        self._redo.clear()
        self.strokes.append(Stroke(self.pen_width / self._scale(), [self.to_frame(pos)]))
        self._undo.append(("stroke", self.strokes[-1]))
        self._paint_segment(pos, pos)
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        pos = self._inside(pos)
        points = self.strokes[-1].points
        last = self.to_widget(*points[-1])
        if (pos - last).manhattanLength() < 0.5:
            return
        points.append(self.to_frame(pos))
        # Smooth ink: a curve through the midpoints of the segments, with the points as
        # control points, so sparse mouse events (a busy machine, a fast hand) do not show
        # as a polygon. The last half segment is drawn with the next point, or at release.
        pts = [self.to_widget(*p) for p in points[-3:]]
        if len(pts) == 2:
            self._paint_segment(pts[0], (pts[0] + pts[1]) / 2)
        else:
            self._paint_segment((pts[0] + pts[1]) / 2, (pts[1] + pts[2]) / 2, control=pts[1])
        self.changed.emit()

    def _finish(self) -> None:
        points = self.strokes[-1].points
        if len(points) >= 2:
            a, b = self.to_widget(*points[-2]), self.to_widget(*points[-1])
            self._paint_segment((a + b) / 2, b)
        self._drawing = False
        self.edited.emit()
        self.strokeEnded.emit()

    # ---- painting -------------------------------------------------------------------------
    def _pen(self, width: float) -> QPen:
        return QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin)

    def _paint_segment(self, start: QPointF, end: QPointF,
                       control: QPointF | None = None) -> None:
        width = self.strokes[-1].width * self._scale()
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen(width))
        if control is not None:
            path = QPainterPath(start)
            path.quadTo(control, end)
            painter.drawPath(path)
        elif start == end:
            painter.drawPoint(start)  # a click is a dot (a zero-length line paints nothing)
        else:
            painter.drawLine(start, end)
        painter.end()
        pad = int(width / 2) + 2
        bounds = QRectF(start, end).normalized()
        if control is not None:
            bounds = bounds.united(QRectF(control, control))
        dirty = bounds.toAlignedRect().adjusted(-pad, -pad, pad, pad)
        if len(self.strokes) == 1 and len(self.strokes[0].points) == 1:
            self.update()  # the "draw here" hint disappears
        else:
            self.update(dirty)

    def _rerender(self) -> None:
        if not self.strokes:
            self.frame.release()  # a new drawing starts in the centred frame
        self._image.fill(BACKGROUND)
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = self._scale()
        for stroke in self.strokes:
            painter.setPen(self._pen(stroke.width * scale))
            pts = [self.to_widget(x, y) for x, y in stroke.points]
            if len(pts) == 1:
                painter.drawPoint(pts[0])
            else:
                painter.drawPath(smooth_path(pts))
        painter.end()
        self.update()
        self.edited.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        new = event.size()
        old = event.oldSize()
        self.frame.resized([s.points for s in self.strokes], [s.width for s in self.strokes],
                           (old.width(), old.height()), (new.width(), new.height()))
        # The strokes live in the canvas frame: nothing to rescale. The backing image has the
        # screen's pixel density, so ink stays sharp on HiDPI.
        ratio = self.devicePixelRatioF()
        image = QImage(new * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(BACKGROUND)
        self._image = image
        self._rerender()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setClipRect(event.rect())  # only the dirty rectangle is copied
        painter.drawImage(QPointF(0, 0), self._image)
        if self._digit_boxes and self.strokes:
            self._paint_boxes(painter)
        if not self.strokes:
            painter.setPen(HINT)
            font = painter.font()
            font.setPointSizeF(max(11.0, self.height() / 28))
            painter.setFont(font)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self._hint or "Draw a digit here\n0 – 9, any size, anywhere")
        elif self._hint:  # a prompt stays on screen while you draw: small, in the corner
            painter.setClipping(False)
            painter.setPen(HINT)
            painter.drawText(self.rect().adjusted(8, 6, -8, -6),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             self._hint.replace("\n", " · "))
        painter.end()

    def _paint_boxes(self, painter: QPainter) -> None:
        painter.setClipping(False)  # a box may cross the dirty rectangle
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = self.pen_width / 2 + 6
        for index, (x0, y0, x1, y1) in enumerate(self._digit_boxes):
            selected = index == self._selected_box
            pen = QPen(BOX_SELECTED if selected else BOX, 2.0 if selected else 1.2,
                       Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rect = QRectF(self.to_widget(x0, y0), self.to_widget(x1, y1)).normalized()
            painter.drawRoundedRect(rect.adjusted(-margin, -margin, margin, margin), 6, 6)

    def image(self) -> QImage:
        """The rendered canvas (for screenshots and tests)."""
        return self._image.copy()
