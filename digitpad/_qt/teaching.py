"""Teaching the network your handwriting: label what you drew (a digit key, or a click on its
bar), the "Teach me 3 of each" prompt, your samples window and the fine-tune.

A mixin of :class:`~digitpad._qt.main_window.MainWindow` (it uses the window's canvas,
prediction view, training panel and live reading); the samples themselves are kept by
:mod:`digitpad.samples`, the fine-tune is :mod:`digitpad.finetune`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Slot

from digitpad.samples import Sample, SampleError, SampleStore

PROMPT_PER_DIGIT = 3
CONFIRM_MS = 4000


class TeachingMixin:
    """Your samples, as the window sees them."""

    def _init_teaching(self) -> None:
        self.sample_store = SampleStore()
        self._samples: list[Sample] | None = None  # loaded when first needed
        self.prompt_digits: list[int] = []  # prompt mode: digits still to ask, in order
        self.prompt_total = 0
        self.samples_window = None
        self._confirm_timer = QTimer(self, singleShot=True, interval=CONFIRM_MS)
        self._confirm_timer.timeout.connect(lambda: self.prediction_view.show_note(""))
        self.canvas.digitKey.connect(self.label_drawing)
        self.canvas.enterKey.connect(self._on_enter)
        self.prediction_view.barClicked.connect(self.label_drawing)
        self.training_panel.finetuneRequested.connect(self.start_finetune)

    # ---- samples ---------------------------------------------------------------------------
    def samples(self) -> list[Sample]:
        """Your samples (read from the data dir once; damaged files are reported then)."""
        if self._samples is None:
            self._samples, problems = self.sample_store.load()
            for problem in problems:
                self.statusBar().showMessage(f"A sample could not be read and is skipped: "
                                             f"{problem}", 8000)
        return self._samples

    def reload_samples(self) -> None:
        self._samples = None
        self.samples()

    def _drawing_to_keep(self) -> tuple[list[np.ndarray], np.ndarray, int, bool] | None:
        """(strokes in the canvas frame, the 28x28 the network saw, its guess, whole drawing)
        for the drawing, or for the digit the bars show when a number is drawn."""
        reading = self.last_reading
        strokes = [np.asarray(s.points, dtype=np.float32) for s in self.canvas.strokes]
        if reading is None:
            if self.last_image is None:
                return None
            return strokes, self.last_image, -1, True
        shown = reading.digits[self._shown_digit()]
        whole = len(reading.digits) == 1
        if not whole:
            strokes = [strokes[i] for i in shown.pieces]
        return strokes, shown.image, shown.digit, whole

    @Slot(int)
    def label_drawing(self, digit: int) -> Sample | None:
        """Keep what is drawn as a sample of ``digit`` in your handwriting."""
        drawing = self._drawing_to_keep()
        if drawing is None:
            self.statusBar().showMessage("Draw a digit first, then press its key (0–9) to keep "
                                         "it as a sample of your handwriting.", CONFIRM_MS)
            return None
        strokes, image, guess, whole = drawing
        mine = self.samples()  # loaded before this one is written, so it is listed once
        pen = self.canvas.pen_width / max(1.0, float(min(self.canvas.width(),
                                                         self.canvas.height())))
        try:
            sample = self.sample_store.add(digit, strokes, image, guess, min_extent=pen)
        except SampleError as exc:
            self.statusBar().showMessage(f"Not kept: {exc}", 10000)
            self.prediction_view.show_note(f"⚠ not kept: {exc}", error=True)
            return None
        mine.append(sample)
        corrected = sum(s.corrected for s in mine)
        read = (f" — the network read {guess}: a correction" if sample.corrected else
                " — the network read it right" if guess >= 0 else "")
        self.prediction_view.show_note(f"✓ kept as a {digit}{read}")
        self._confirm_timer.start()
        self.statusBar().showMessage(
            f"Kept as a {digit}{read}. Your samples: {len(mine)}, {corrected} corrected "
            "(Training ▸ Fine-tune on my handwriting learns from them).", CONFIRM_MS * 2)
        if self.samples_window is not None:
            self.samples_window.refresh(mine)
        if whole:
            self.canvas.clear()  # ready for the next one (Ctrl+Z brings it back)
        if self.prompt_digits and digit == self.prompt_digits[0]:
            self.prompt_digits.pop(0)
            self._show_prompt()
        return sample

    # ---- prompt mode ------------------------------------------------------------------------
    @Slot()
    def start_prompt(self) -> None:
        """"Teach me 3 of each": ask for 0, 1, ... 9, three rounds; Enter keeps a drawing."""
        self.prompt_for(PROMPT_PER_DIGIT)

    def prompt_for(self, per_digit: int) -> None:
        self.prompt_digits = [d for _ in range(per_digit) for d in range(10)]
        self.prompt_total = len(self.prompt_digits)
        self.canvas.clear()
        self.canvas.setFocus()
        self._show_prompt()

    @Slot()
    def stop_prompt(self) -> None:
        if self.prompt_digits:
            self.prompt_digits = []
            self._show_prompt()

    @property
    def prompting(self) -> bool:
        return bool(self.prompt_digits)

    def _show_prompt(self) -> None:
        if not self.prompt_digits:
            self.canvas.set_hint(None)
            done = self.prompt_total
            self.prompt_total = 0
            if done:
                self.statusBar().showMessage(
                    "Teaching done. Training ▸ Fine-tune on my handwriting learns from your "
                    "samples.", 10000)
            return
        digit = self.prompt_digits[0]
        step = self.prompt_total - len(self.prompt_digits) + 1
        self.canvas.set_hint(f"Draw a {digit}\n{step} of {self.prompt_total} · Enter keeps it "
                             "· Esc stops")
        self.statusBar().showMessage(f"Teach me: draw a {digit} ({step} of "
                                     f"{self.prompt_total}), then Enter. Esc stops.")

    @Slot()
    def _on_enter(self) -> None:
        if self.prompt_digits:
            self.label_drawing(self.prompt_digits[0])

    # ---- fine-tune ----------------------------------------------------------------------------
    @Slot()
    def start_finetune(self) -> None:
        """Fine-tune the model in use on your samples (in the training panel)."""
        panel = self.training_panel
        if self.active_model is None:
            panel.note("No model to fine-tune: train one first.", error=True)
            return
        mine = self.samples()
        if not mine:
            panel.note("No samples of your handwriting yet: draw a digit and press its key "
                       "(0–9), or Edit ▸ Teach me 3 of each.", error=True)
            return
        panel.start_finetune(self.active_model.path, self.active_model.describe())

    # ---- the samples window -----------------------------------------------------------------
    @Slot()
    def show_samples(self) -> None:
        from .samples_view import SamplesWindow

        if self.samples_window is None:
            self.samples_window = SamplesWindow(self.sample_store, self)
            self.samples_window.chosen.connect(self._put_sample_on_canvas)
            self.samples_window.changed.connect(self._on_samples_changed)
        self.samples_window.refresh(self.samples())
        self.samples_window.show()
        self.samples_window.raise_()

    @Slot()
    def _on_samples_changed(self) -> None:
        self.reload_samples()
        if self.samples_window is not None:
            self.samples_window.refresh(self.samples())

    @Slot(object)
    def _put_sample_on_canvas(self, sample: Sample) -> None:
        self.canvas.show_strokes(sample.strokes)
        self.canvas.setFocus()
