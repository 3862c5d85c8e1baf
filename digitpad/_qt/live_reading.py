"""Reading the canvas live: one digit or a whole number, the bars for the digit under the
mouse (or the last drawn), boxes around the digits, and *Why this answer?*.

A part of the window with explicit inputs and outputs:

* inputs: the canvas's signals (it listens itself), :meth:`LiveReading.set_predictor`,
  :meth:`LiveReading.set_path_predictor` (the pen-path network read beside it, or none),
  :attr:`LiveReading.crossing_together` (the window's square or wide canvas);
* outputs: :attr:`last_number`, :attr:`last_probabilities`, :attr:`last_image`, :attr:`last_path`,
  :attr:`last_reading`, :attr:`last_heat`, and the ``updated`` / ``strokeRead`` signals.
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from digitpad.explain import heat_map
from digitpad.inference import Predictor
from digitpad.preprocess import strokes_to_mnist
from digitpad.segment import NumberReading, read_number

from .background import Task
from .canvas import DrawingCanvas
from .prediction_view import PredictionView


class DrawingToKeep(NamedTuple):
    """What a digit key keeps: strokes in the canvas frame, the 28x28 the network saw, its
    reading and how sure it was (-1 and 0 with no model), and whether it is the whole
    drawing (a digit of a number stays on the canvas)."""

    strokes: list[np.ndarray]
    image: np.ndarray
    guess: int
    confidence: float
    whole: bool


PREDICT_INTERVAL_MS = 15  # while drawing, classify at most ~60 times a second
HEAT_DELAY_MS = 120  # the heat map follows once the pen pauses this long


def _heat(predictor: Predictor, image: np.ndarray, digit: int, *, report,
          cancel: threading.Event) -> tuple[np.ndarray, np.ndarray]:
    """The heat-map task: (the image it was made for, the map)."""
    return image, heat_map(predictor, image, digit)


class LiveReading(QObject):
    """What the canvas reads as: ``last_number`` (e.g. ``"2026"``, None when empty) and the
    shown digit's ``last_probabilities`` and ``last_image``."""

    updated = Signal()  # a new reading is shown
    strokeRead = Signal()  # a finished stroke has been read (the window may widen)

    def __init__(self, canvas: DrawingCanvas, view: PredictionView,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas, self.view = canvas, view
        self.predictor: Predictor | None = None
        self.path_predictor: Predictor | None = None
        self.waiting_text = "Model loading…"  # shown while there is no predictor
        self.crossing_together = True  # square canvas: crossing strokes are one digit
        self.last_probabilities: np.ndarray | None = None  # of the digit the bars show
        self.last_image: np.ndarray | None = None
        self.last_path: np.ndarray | None = None  # the pen path of that digit, if read
        self.last_reading: NumberReading | None = None
        self.last_number: str | None = None  # e.g. "2026"; None for an empty canvas
        self.last_latency_ms = 0.0
        self.last_heat: np.ndarray | None = None
        self._image_without_model: np.ndarray | None = None
        self._hovered_digit: int | None = None
        self._heat_task: Task | None = None
        self._predict_timer = QTimer(self, singleShot=True, interval=PREDICT_INTERVAL_MS)
        self._predict_timer.timeout.connect(self.update_prediction)
        # The heat map costs ~1 ms (dense) to ~12 ms (convnet): made after drawing pauses.
        self._heat_timer = QTimer(self, singleShot=True, interval=HEAT_DELAY_MS)
        self._heat_timer.timeout.connect(self.update_heat)
        canvas.changed.connect(self._schedule_prediction)
        canvas.edited.connect(self.update_prediction)
        canvas.strokeEnded.connect(self.strokeRead)
        canvas.hovered.connect(self._on_hover)
        view.heatToggled.connect(self._on_heat_toggled)

    def set_predictor(self, predictor: Predictor | None, text: str,
                      waiting_text: str = "No model: click Train") -> None:
        """Read with ``predictor`` from now on (``text`` names it under the bars)."""
        self.predictor = predictor
        self.waiting_text = waiting_text
        self.view.set_model_text(text)
        self.update_prediction()

    def set_path_predictor(self, predictor: Predictor | None) -> None:
        """Read the pen's path with ``predictor`` beside the picture (None: the picture
        alone)."""
        self.path_predictor = predictor
        self.view.set_two_views(predictor is not None)
        self.update_prediction()

    @Slot(float)
    def _on_hover(self, x_frame: float) -> None:
        """The bars follow the digit under the mouse (the last drawn when it leaves)."""
        hovered = None
        reading = self.last_reading
        if reading is not None and len(reading.digits) > 1 and x_frame == x_frame:  # not NaN
            x = self.canvas.to_widget(x_frame, 0.0).x()
            hovered = reading.digit_at(x)
        if hovered != self._hovered_digit:
            self._hovered_digit = hovered
            self._show_reading()

    @Slot()
    def _schedule_prediction(self) -> None:
        self._hovered_digit = None  # while drawing, the bars show the digit being drawn
        if not self._predict_timer.isActive():
            self._predict_timer.start()

    @Slot()
    def update_prediction(self) -> None:
        """Read the canvas now (strokes -> digits -> 28x28 images -> probabilities), show it."""
        self._predict_timer.stop()
        start = time.perf_counter()
        strokes = self.canvas.stroke_arrays()
        reading = image = None
        if strokes and self.predictor is not None:
            # On the square canvas crossing strokes are one digit (a 4 in two strokes is never
            # split); on the wide one the model settles them (two digits written into each
            # other).
            reading = read_number(strokes, self.predictor, self.canvas.pen_width,
                                  crossing_together=self.crossing_together,
                                  path_predictor=self.path_predictor)
        elif strokes:  # no model yet: still show what the network will see
            image = strokes_to_mnist(strokes, min_extent=self.canvas.pen_width)
        self.last_latency_ms = (time.perf_counter() - start) * 1000
        # A huge drawing (hundreds of strokes) takes longer to read: classify it less often
        # while drawing, so the event loop stays free at least 2/3 of the time and ink keeps
        # flowing; a finished stroke is still read at once.
        self._predict_timer.setInterval(max(PREDICT_INTERVAL_MS, int(2 * self.last_latency_ms)))
        self.last_reading = reading
        self.last_number = reading.text if reading is not None else None
        self._image_without_model = image
        self._show_reading()
        self.last_heat = None
        if self.view.heat_button.isChecked() and self.last_image is not None:
            self._heat_timer.start()
        self.updated.emit()

    # ---- why this answer ---------------------------------------------------------------------
    @Slot(bool)
    def _on_heat_toggled(self, on: bool) -> None:
        if on:
            self.update_heat()

    @Slot()
    def update_heat(self) -> None:
        """Which ink spoke for the answer of the digit shown (see digitpad.explain), in the
        background; a map that arrives for a drawing since changed is dropped."""
        self._heat_timer.stop()
        if self.predictor is None or self.last_image is None or \
                self.last_probabilities is None:
            return
        if self._heat_task is not None and not self._heat_task.ended:
            self._heat_timer.start()  # one at a time: try again shortly
            return
        self._heat_task = Task(_heat, self.predictor, self.last_image,
                               int(np.argmax(self.last_probabilities)))
        self._heat_task.returned.connect(self._on_heat)
        self._heat_task.start()

    @Slot(object)
    def _on_heat(self, made: tuple[np.ndarray, np.ndarray]) -> None:
        image, heat = made
        if image is self.last_image and self.view.heat_button.isChecked():
            self.last_heat = heat
            self.view.show_heat(heat)

    # ---- what is shown --------------------------------------------------------------------
    def shown_digit(self) -> int:
        """The digit whose bars are shown: the one under the mouse, else the last drawn."""
        reading = self.last_reading
        if self._hovered_digit is not None and self._hovered_digit < len(reading.digits):
            return self._hovered_digit
        last_stroke = len(self.canvas.strokes) - 1
        return next((i for i, d in enumerate(reading.digits) if last_stroke in d.pieces),
                    len(reading.digits) - 1)

    def _show_reading(self) -> None:
        reading = self.last_reading
        if reading is None:
            self.last_probabilities, self.last_image = None, self._image_without_model
            self.last_path = None
            self.canvas.set_digit_boxes([])
            waiting = "Draw a digit" if self.predictor is not None else self.waiting_text
            self.view.show_probabilities(None, self.last_image, waiting)
            return
        shown = self.shown_digit()
        digit = reading.digits[shown]
        self.last_probabilities, self.last_image = digit.probabilities, digit.image
        self.last_path = digit.path
        if len(reading.digits) == 1:
            self.canvas.set_digit_boxes([])
            self.view.show_reading(digit)
        else:
            self.canvas.set_digit_boxes([d.box for d in reading.digits], shown)
            self.view.show_number(reading, shown)

    def drawing_to_keep(self) -> DrawingToKeep | None:
        """The drawing as a sample would keep it, or the digit the bars show when a number
        is drawn; None when nothing is drawn."""
        reading = self.last_reading
        strokes = [np.asarray(s.points, dtype=np.float32) for s in self.canvas.strokes]
        if reading is None:
            if self.last_image is None:
                return None
            return DrawingToKeep(strokes, self.last_image, -1, 0.0, True)
        shown = reading.digits[self.shown_digit()]
        whole = len(reading.digits) == 1
        if not whole:
            strokes = [strokes[i] for i in shown.pieces]
        return DrawingToKeep(strokes, shown.image, shown.digit, shown.confidence, whole)
