"""Reading the canvas live: one digit or a whole number, the bars for the digit under the
mouse (or the last drawn), boxes around the digits, and the wide canvas a number needs.

A mixin of :class:`~digitpad._qt.main_window.MainWindow` (it uses the window's canvas,
prediction view, predictor and splitter), kept apart so each file stays one concept.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QSplitter

from digitpad.preprocess import strokes_to_mnist
from digitpad.segment import NumberReading, read_number

PREDICT_INTERVAL_MS = 15  # while drawing, classify at most ~60 times a second
HEAT_DELAY_MS = 120  # the heat map follows once the pen pauses this long


class LiveReadingMixin:
    """What the canvas reads as: ``last_number`` (e.g. ``"2026"``, None when empty) and the
    shown digit's ``last_probabilities`` and ``last_image``."""

    def _init_live_reading(self) -> None:
        self.last_probabilities: np.ndarray | None = None  # of the digit the bars show
        self.last_image: np.ndarray | None = None
        self.last_reading: NumberReading | None = None
        self.last_number: str | None = None  # e.g. "2026"; None for an empty canvas
        self.last_latency_ms = 0.0
        self.wide_canvas = False
        self._image_without_model: np.ndarray | None = None
        self._hovered_digit: int | None = None
        self._wide_was_automatic = False
        self._wide_declined = False
        self._sizes_before_wide: list[int] = []
        self.last_heat: np.ndarray | None = None
        # The heat map costs ~1 ms (dense) to ~12 ms (convnet): made after drawing pauses.
        self._heat_timer = QTimer(self, singleShot=True, interval=HEAT_DELAY_MS)
        self._heat_timer.timeout.connect(self.update_heat)
        self.prediction_view.heatToggled.connect(self._on_heat_toggled)

    # ---- wide canvas for numbers ----------------------------------------------------------
    @Slot(bool)
    def set_wide_canvas(self, wide: bool, automatic: bool = False) -> None:
        """Wide: the canvas spans the drawing and prediction columns, with the prediction
        below it, so a number has room. Back: the square canvas and the columns as before."""
        if wide == self.wide_canvas:
            return
        # Turned back by hand while a number is drawn: do not widen again until cleared.
        self._wide_declined = not wide and not self.canvas.is_empty()
        self.wide_canvas, self._wide_was_automatic = wide, automatic and wide
        self.wide_action.setChecked(wide)
        splitter = self.splitter
        if wide:
            self._sizes_before_wide = sizes = splitter.sizes()
            stack = self._wide_stack = QSplitter(Qt.Orientation.Vertical)
            stack.setChildrenCollapsible(False)
            stack.setHandleWidth(7)
            stack.setStyleSheet("QSplitter::handle { background: palette(mid); "
                                "margin: 2px 40px; border-radius: 2px; }")
            stack.addWidget(self.canvas_panel)  # moves it out of the columns
            stack.addWidget(self.middle_column)
            splitter.insertWidget(0, stack)
            splitter.setSizes([sizes[0] + sizes[1] + splitter.handleWidth(), sizes[2]])
            stack.setSizes([1 << 20, 1])  # the prediction at its smallest, the canvas the rest
            if automatic:
                self.statusBar().showMessage("Several digits: the canvas widened for a number "
                                             "(Wide or Ctrl+Shift+W turns it back)", 6000)
        else:
            splitter.insertWidget(0, self.canvas_panel)
            splitter.insertWidget(1, self.middle_column)
            self._wide_stack.setParent(None)
            self._wide_stack.deleteLater()
            # After the columns' layouts have settled (a number's labels were wider).
            sizes = self._sizes_before_wide
            QTimer.singleShot(0, lambda: splitter.setSizes(sizes))
        self.canvas_panel.set_wide(wide)
        self.prediction_view.set_wide(wide)

    @Slot()
    def _on_canvas_edited(self) -> None:
        """Clearing goes back to the square canvas if it widened by itself."""
        self.canvas_panel.update_buttons()
        if self.canvas.is_empty():
            self._wide_declined = False
            if self._wide_was_automatic:
                self.set_wide_canvas(False)

    @Slot()
    def _on_stroke_ended(self) -> None:
        """A stroke that makes a number widens the canvas: after the stroke, never during
        it, so the ink stays under the pen."""
        reading = self.last_reading
        if not self.wide_canvas and not self._wide_declined and reading is not None and \
                len(reading.digits) > 1:
            self.set_wide_canvas(True, automatic=True)

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

    # ---- prediction ----------------------------------------------------------------------
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
                                  crossing_together=not self.wide_canvas)
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
        if self.prediction_view.heat_button.isChecked() and self.last_image is not None:
            self._heat_timer.start()
        self.predictionUpdated.emit()

    @Slot(bool)
    def _on_heat_toggled(self, on: bool) -> None:
        if on:
            self.update_heat()

    @Slot()
    def update_heat(self) -> None:
        """Which ink spoke for the answer of the digit shown (see digitpad.explain)."""
        from digitpad.explain import heat_map

        self._heat_timer.stop()
        if self.predictor is None or self.last_image is None or \
                self.last_probabilities is None:
            return
        self.last_heat = heat_map(self.predictor, self.last_image,
                                  int(np.argmax(self.last_probabilities)))
        self.prediction_view.show_heat(self.last_heat)

    def _shown_digit(self) -> int:
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
            self.canvas.set_digit_boxes([])
            waiting = "Draw a digit" if self.predictor is not None else (
                "Model loading…" if self._model_poll.isActive() else "No model: click Train")
            self.prediction_view.show_probabilities(None, self.last_image, waiting)
            return
        shown = self._shown_digit()
        digit = reading.digits[shown]
        self.last_probabilities, self.last_image = digit.probabilities, digit.image
        if len(reading.digits) == 1:
            self.canvas.set_digit_boxes([])
            self.prediction_view.show_probabilities(digit.probabilities, digit.image,
                                                    doubt=digit.doubt)
        else:
            self.canvas.set_digit_boxes([d.box for d in reading.digits], shown)
            self.prediction_view.show_number(reading, shown)
