"""Teaching the network your handwriting: label what you drew (a digit key, or a click on its
bar), the "Teach me 3 of each" prompt, and the *Your samples* window.

A part of the window with explicit inputs and outputs:

* inputs: the canvas's digit and Enter keys, the bars' clicks (it listens itself), and
  :meth:`Teaching.label_drawing`, :meth:`start_prompt`, :meth:`stop_prompt`,
  :meth:`show_samples`, :meth:`request_finetune`;
* outputs: ``message`` (for the status bar) and ``finetuneRequested`` with your samples, in
  memory, for the training panel.

The samples themselves are kept by :mod:`digitpad.samples`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from digitpad.samples import Sample, SampleError, SampleStore

from .canvas import DrawingCanvas
from .lesson_strip import LessonStrip
from .live_reading import LiveReading
from .prediction_view import PredictionView

PROMPT_PER_DIGIT = 3
CONFIRM_MS = 4000
SURE_DISAGREEMENT = 0.9  # a label the network reads otherwise this surely is asked first


class Teaching(QObject):
    """Your samples, as the window sees them."""

    message = Signal(str, int)  # text, milliseconds (0: until replaced)
    finetuneRequested = Signal(object)  # list[Sample]: tune the model in use on them
    promptChanged = Signal(bool)  # a lesson ("Teach me 3 of each") is on (True) or not

    def __init__(self, canvas: DrawingCanvas, reading: LiveReading, view: PredictionView,
                 window: QWidget, store: SampleStore | None = None) -> None:
        super().__init__(window)  # the window is parent(): no Python reference cycle with it
        self.canvas, self.reading, self.view = canvas, reading, view
        self.store = store or SampleStore()
        self._samples: list[Sample] | None = None  # loaded when first needed
        self.prompt_digits: list[int] = []  # prompt mode: digits still to ask, in order
        self.prompt_total = 0
        self._paused: tuple[list[int], int] | None = None  # a stopped lesson: (left, total)
        # A sure disagreement asked about: (label, the drawing's strokes); the same label for
        # the same drawing again keeps it.
        self._asked: tuple[int, tuple[int, ...]] | None = None
        self.samples_window = None
        self._confirm_timer = QTimer(self, singleShot=True, interval=CONFIRM_MS)
        self._confirm_timer.timeout.connect(self._clear_note)
        self.strip = LessonStrip(canvas)
        canvas.edited.connect(self._on_edited)
        canvas.digitKey.connect(self.label_drawing)
        canvas.enterKey.connect(self._on_enter)
        view.barClicked.connect(self.label_drawing)

    @Slot()
    def _clear_note(self) -> None:
        self.view.show_note("")

    @Slot()
    def _on_edited(self) -> None:
        if self._asked is not None:  # the drawing asked about is gone: so is the question
            self._asked = None
            self._clear_note()
            if self.prompt_digits:
                self._show_prompt()  # the lesson's line comes back to the status bar

    # ---- samples ---------------------------------------------------------------------------
    def samples(self) -> list[Sample]:
        """Your samples (read from the data dir once; damaged files are reported then)."""
        if self._samples is None:
            self._samples, problems = self.store.load()
            for problem in problems:
                self.message.emit(f"A sample could not be read and is skipped: {problem}", 8000)
        return self._samples

    def reload_samples(self) -> None:
        self._samples = None
        self.samples()

    @Slot(int)
    def label_drawing(self, digit: int) -> Sample | None:
        """Keep what is drawn as a sample of ``digit`` in your handwriting."""
        drawing = self.reading.drawing_to_keep()
        if drawing is None:
            self.message.emit("Draw a digit first, then press its key (0–9) to keep it as a "
                              "sample of your handwriting.", CONFIRM_MS)
            return None
        strokes, image, guess, confidence, whole = drawing
        if self._disagrees(digit, guess, confidence):
            return None
        mine = self.samples()  # loaded before this one is written, so it is listed once
        pen = self.canvas.pen_width / max(1.0, float(min(self.canvas.width(),
                                                         self.canvas.height())))
        try:
            sample = self.store.add(digit, strokes, image, guess, min_extent=pen)
        except SampleError as exc:
            self.message.emit(f"Not kept: {exc}", 10000)
            self.view.show_note(f"⚠ not kept: {exc}", error=True)
            return None
        mine.append(sample)
        corrected = sum(s.corrected for s in mine)
        read = (f" — the network read {guess}: a correction" if sample.corrected else
                " — the network read it right" if guess >= 0 else "")
        self.view.show_note(f"✓ kept as a {digit}{read}")
        self._confirm_timer.start()
        self.message.emit(
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

    def _disagrees(self, digit: int, guess: int, confidence: float) -> bool:
        """Ask once before keeping a drawing the network surely reads as another digit (a
        slip of the key, or the wrong digit drawn in a lesson); asking again keeps it."""
        drawn = tuple(id(stroke) for stroke in self.canvas.strokes)
        if guess < 0 or guess == digit or confidence < SURE_DISAGREEMENT or \
                self._asked == (digit, drawn):
            self._asked = None
            return False
        self._asked = (digit, drawn)
        again = "Enter" if self.prompt_digits and digit == self.prompt_digits[0] \
            else f"{digit} (or click its bar)"
        self._confirm_timer.stop()
        self.view.show_note(f"The network reads a {guess} ({confidence:.0%}). Press {again} "
                            f"again to keep it as a {digit}, or Esc to clear.", error=True)
        self.message.emit(f"Not kept yet: the network reads this as a {guess} "
                          f"({confidence:.0%}). Press {again} again to keep it as a {digit} "
                          "(a correction), or Esc to clear and draw again.", 0)
        return True

    @Slot()
    def request_finetune(self) -> None:
        """Hand your samples, as held in memory, to whoever tunes the model."""
        self.finetuneRequested.emit(list(self.samples()))

    # ---- prompt mode ------------------------------------------------------------------------
    @Slot()
    def start_prompt(self) -> None:
        """"Teach me 3 of each": ask for 0, 1, ... 9, three rounds; Enter keeps a drawing.
        A lesson stopped part way resumes where it was."""
        if self.prompt_digits:
            return  # already on: the same key does not start it again
        if self._paused is not None:
            (self.prompt_digits, self.prompt_total), self._paused = self._paused, None
            self.canvas.setFocus()
            self._show_prompt()
            self.promptChanged.emit(True)
            return
        self.prompt_for(PROMPT_PER_DIGIT)

    def prompt_for(self, per_digit: int) -> None:
        self._paused = None
        self.prompt_digits = [d for _ in range(per_digit) for d in range(10)]
        self.prompt_total = len(self.prompt_digits)
        self.canvas.clear()
        self.canvas.setFocus()
        self._show_prompt()
        self.promptChanged.emit(True)

    @Slot()
    def stop_prompt(self) -> None:
        """Stop the lesson (the drawing stays); Teach me again resumes it where it was."""
        if self.prompt_digits:
            self._paused = (self.prompt_digits, self.prompt_total)
            self.prompt_digits = []
            self.canvas.set_hint(None)
            self.strip.hide()
            self.message.emit(f"Teaching stopped at {self._step()} of {self.prompt_total}; "
                              "Edit ▸ Teach me (Ctrl+E) goes on from there.", 10000)
            self.promptChanged.emit(False)

    def _step(self) -> int:
        left = self.prompt_digits or (self._paused[0] if self._paused else [])
        total = self.prompt_total
        return total - len(left) + 1

    @property
    def prompting(self) -> bool:
        return bool(self.prompt_digits)

    def _show_prompt(self) -> None:
        if not self.prompt_digits:
            self.canvas.set_hint(None)
            self.strip.hide()
            done = self.prompt_total
            self.prompt_total = 0
            if done:
                self.message.emit("Teaching done. Training ▸ Fine-tune on my handwriting "
                                  "learns from your samples.", 10000)
                self.promptChanged.emit(False)
            return
        digit = self.prompt_digits[0]
        step = self._step()
        per_digit = self.prompt_total // 10
        self.strip.show_progress([per_digit - self.prompt_digits.count(d) for d in range(10)],
                                 per_digit, digit)
        self.canvas.set_hint(f"Draw a {digit}\n{step} of {self.prompt_total} · Enter keeps it")
        self.message.emit(f"Teach me: draw a {digit} ({step} of {self.prompt_total}), then "
                          "Enter. Esc clears; Stop teaching ends the lesson.", 0)

    @Slot()
    def _on_enter(self) -> None:
        if self.prompt_digits:
            self.label_drawing(self.prompt_digits[0])

    # ---- the samples window -----------------------------------------------------------------
    @Slot()
    def show_samples(self) -> None:
        from .samples_view import SamplesWindow

        if self.samples_window is None:
            self.samples_window = SamplesWindow(self.store, self.parent())
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
