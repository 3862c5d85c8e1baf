"""The main window: canvas, live reading, training panel — parts wired together here.

The parts and what flows between them:

* :class:`~.model_in_use.ModelInUse` holds the model the canvas reads with and is the one
  place that changes it (launch, Model list, a finished run, Save as…, Restore default);
* :class:`~.live_reading.LiveReading` reads the canvas with a predictor it is given;
* :class:`~.teaching.Teaching` keeps your samples and hands them to the training panel for
  a fine-tune;
* :class:`~.training_panel.TrainingPanel` runs training and fine-tuning in the background
  and reports a :class:`~digitpad.training_run.RunResult`;
* :class:`~.window_layout.WindowLayout` owns the columns and the wide canvas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from digitpad.inference import NumpyPredictor, Predictor
from digitpad.model_file import ModelFileError
from digitpad.session import ActiveModel
from digitpad.skeleton import digit_strokes

from .canvas_panel import CanvasPanel
from .fit_scroll import FitScrollArea
from .live_reading import LiveReading
from .menus import install_menus
from .model_in_use import ModelInUse
from .model_picker import ModelPicker
from .prediction_view import PredictionView
from .read_with import ReadWith
from .teaching import Teaching
from .tensorflow_warmup import TensorFlowWarmup
from .training_panel import TrainingPanel
from .window_layout import WindowLayout, fit_to_screen, place_beside

CLOSE_WAIT_MS = 2000  # a run stops within one batch; longer means an uninterruptible step


class MainWindow(QMainWindow):
    """Draw on the left, see the prediction in the middle, train on the right."""

    predictionUpdated = Signal()
    modelReady = Signal()

    def __init__(self, model_path: Path | None = None, data_path: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("digitpad")
        self.setObjectName("digitpadMain")
        fit_to_screen(self, 1320, 760)
        self._closing = False
        self.evaluation_window = None
        self.inside_window = None

        self.models = ModelInUse(self)
        self.prediction_view = PredictionView()
        self.model_picker = ModelPicker()
        self.read_with = ReadWith()
        self.training_panel = TrainingPanel(data_path)
        self.canvas_panel = CanvasPanel()
        self.canvas = self.canvas_panel.canvas
        self.reading = LiveReading(self.canvas, self.prediction_view, self)
        self.teaching = Teaching(self.canvas, self.reading, self.prediction_view, self)

        reading_column = QWidget()
        column = QVBoxLayout(reading_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.model_picker)
        column.addWidget(self.read_with)
        column.addWidget(self.prediction_view, 1)
        # On a small screen the training column scrolls instead of squashing its rows.
        training_scroll = FitScrollArea(objectName="trainingScroll")
        training_scroll.setWidget(self.training_panel)
        self.layout_part = WindowLayout(self, self.canvas_panel, reading_column,
                                        training_scroll)
        self.splitter = self.layout_part.splitter
        # Laid out for the remembered reading before the pen-path network is read, so the
        # columns do not change width when it arrives.
        self.prediction_view.set_two_views(self.read_with.choice == "both")
        self.layout_part.restore()
        install_menus(self)
        self.canvas.setFocus()  # shortcuts and keys act on the drawing from launch

        # The wiring: every flow between the parts is here.
        self.models.changed.connect(self._on_model_changed)
        self.models.loaded.connect(self._on_model_loaded)
        self.models.status.connect(self.statusBar().showMessage)
        self.models.notice.connect(self.training_panel.note)
        # One trial bar for both kinds of run: Keep it / Back go to whichever is on trial.
        self._on_trial: ModelInUse | ReadWith = self.models
        self.models.trial.connect(self._show_model_trial)
        self.read_with.trial.connect(self._show_path_trial)
        self.training_panel.trial_bar.keepClicked.connect(self._keep_trial)
        self.training_panel.trial_bar.backClicked.connect(self._back_from_trial)
        self.training_panel.pathSnapshotReady.connect(self._use_path_snapshot)
        self.training_panel.pathRunFinished.connect(self.read_with.adopt_run)
        self.model_picker.picked.connect(self.pick_model)
        self.read_with.changed.connect(self.reading.set_path_predictor)
        self.read_with.changed.connect(self._on_read_with_changed)
        self.read_with.status.connect(self.statusBar().showMessage)
        self.reading.updated.connect(self.predictionUpdated)
        self.reading.strokeRead.connect(self._on_stroke_read)
        self.canvas.edited.connect(self._on_canvas_edited)
        self.canvas_panel.wideToggled.connect(self.set_wide_canvas)
        self.layout_part.wideChanged.connect(self._on_wide_changed)
        self.teaching.message.connect(self._show_message)
        self.teaching.finetuneRequested.connect(self.training_panel.start_finetune)
        self.teaching.promptChanged.connect(self.canvas_panel.set_teaching)
        self.canvas_panel.stop_teaching_button.clicked.connect(self.teaching.stop_prompt)
        self.training_panel.finetuneRequested.connect(self.teaching.request_finetune)
        self.training_panel.snapshotReady.connect(self._use_snapshot)
        self.training_panel.runFinished.connect(self.models.adopt)
        self.training_panel.modelSaved.connect(self._use_saved_as)
        self.training_panel.runEnded.connect(self._read_with_model_in_use)
        self.training_panel.restoreRequested.connect(self.restore_bundled_model)
        # TensorFlow's one-time start-up, paid while nobody draws (not at the first Train).
        self.warmup = TensorFlowWarmup(self)
        self.training_panel.warmup = self.warmup
        self.canvas.changed.connect(self.warmup.poke)
        self.canvas.hovered.connect(self.warmup.poke)

        # However the application ends (quit(), a signal handler, the last window), a run is
        # cancelled and waited for first.
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)
        self.statusBar().showMessage("Loading model…")
        self.read_with.load()  # first: a fine-tune started before it is read tunes it too
        self.models.load(model_path)

    # ---- what other tools and the tests read ----------------------------------------------
    @property
    def last_probabilities(self) -> np.ndarray | None:
        """The ten probabilities shown (of the digit the bars show); None when empty."""
        return self.reading.last_probabilities

    @property
    def last_number(self) -> str | None:
        """The number read, e.g. ``"2026"``; None for an empty canvas."""
        return self.reading.last_number

    @property
    def predictor(self) -> Predictor | None:
        return self.reading.predictor

    @property
    def active_model(self) -> ActiveModel | None:
        return self.models.active

    @property
    def wide_canvas(self) -> bool:
        return self.layout_part.wide

    # ---- the model ---------------------------------------------------------------------------
    @Slot(list)
    def _on_model_loaded(self, messages: list[str]) -> None:
        if self.models.active is None:
            self.reading.set_predictor(None, "No model: use Train to make one.")
        for message in messages:
            self.statusBar().showMessage(message)
            self.prediction_view.set_model_text(f"{self._model_text()}\n⚠ {message}")
        self.modelReady.emit()

    def _model_text(self) -> str:
        active = self.models.active
        return f"Model: {active.describe()}" if active is not None else "No model"

    @Slot()
    def _on_model_changed(self) -> None:
        active = self.models.active
        self.model_picker.refresh(active.path if active else None)
        if active is None:
            return
        # Named without its figures: "tuned <name> on 24 samples" must not read as if the
        # figures were measured on your samples.
        layers = active.metadata.get("layers")
        self.training_panel.set_model_in_use(active.path, active.label or active.path.name,
                                             active.predictor,
                                             layers if isinstance(layers, str) else None)
        self.read_with.follow(active.metadata)
        self.training_panel.path_model_in_use = self.read_with.file_to_tune
        if not self.training_panel.is_training:  # a run's snapshots stay on the canvas
            self.reading.set_predictor(active.predictor, self._model_text())
        if self.evaluation_window is not None:  # evaluates the new model if it is open
            self.evaluation_window.set_model(active.predictor, active.describe())

    @Slot(object)
    def _on_read_with_changed(self, predictor: object) -> None:
        """A fine-tune tunes the pen-path network too when it reads beside the picture; a
        pen-path run is compared with the one in use."""
        self.training_panel.path_model_in_use = self.read_with.file_to_tune
        self.training_panel.current_path_predictor = self.read_with.path_predictor

    @Slot(str)
    def pick_model(self, path: str) -> None:
        """Use the model picked in the Model list; a file that fails to load is reported
        and the current model stays."""
        current = self.models.active.path if self.models.active else None
        if self.training_panel.is_training:
            self.statusBar().showMessage("Training is running: pick a model when it ends.")
            self.model_picker.refresh(current)
            return
        try:
            self.models.pick(Path(path), self.model_picker.source_of(path))
        except (OSError, ModelFileError) as exc:
            QMessageBox.warning(self, "digitpad", f"Could not use that model:\n{exc}")
            self.model_picker.refresh(current)

    @Slot()
    def restore_bundled_model(self) -> None:
        if self.training_panel.is_training:
            self.statusBar().showMessage("Training is running: restore the default when it "
                                         "ends.")
            return
        self.models.restore_default()

    @Slot(object, str)
    def _use_snapshot(self, layers: object, label: str) -> None:
        """While a run goes, the canvas reads with its latest weights; the status bar says
        so too (not the name of the model it no longer uses)."""
        self.reading.set_predictor(NumpyPredictor(layers), f"Model: {label}")
        self.statusBar().showMessage(f"Reading your drawings with the {label}")

    @Slot(str, object)
    def _use_saved_as(self, path: str, layers: object) -> None:
        self.models.use_saved(path, layers)

    @Slot()
    def _read_with_model_in_use(self) -> None:
        """Whatever the run's outcome, classify with the model in use again (not the last
        epoch's snapshot), and with the pen-path network in use beside it."""
        active = self.models.active
        if active is not None:
            self.reading.set_predictor(active.predictor, self._model_text())
            self.statusBar().showMessage(f"Model: {active.describe()} ({active.path})")
        self.reading.set_path_predictor(self.read_with.reading_predictor)

    @Slot(object, str)
    def _use_path_snapshot(self, layers: object, label: str) -> None:
        """A pen-path run: the canvas reads its latest weights beside the picture."""
        if self.read_with.reading_both:
            self.reading.set_path_predictor(NumpyPredictor(layers))
            self.statusBar().showMessage(f"Reading the pen path with the {label}")

    @Slot(str)
    def _show_model_trial(self, text: str) -> None:
        self._show_trial(self.models, text)

    @Slot(str)
    def _show_path_trial(self, text: str) -> None:
        self._show_trial(self.read_with, text)

    def _show_trial(self, owner: ModelInUse | ReadWith, text: str) -> None:
        """A new trial replaces one still open (which then stays as it is: in use for this
        session, not remembered)."""
        if text:
            self._on_trial = owner
        elif owner is not self._on_trial:
            return  # the other one's trial ended; this bar shows another
        self.training_panel.trial_bar.show_trial(text)

    @Slot()
    def _keep_trial(self) -> None:
        self._on_trial.keep()

    @Slot()
    def _back_from_trial(self) -> None:
        self._on_trial.back()

    # ---- the canvas and the layout -------------------------------------------------------
    @Slot(bool)
    def set_wide_canvas(self, wide: bool, automatic: bool = False) -> None:
        # Turned back by hand while a number is drawn: do not widen again until cleared.
        if wide != self.layout_part.wide:
            self._wide_declined = not wide and not self.canvas.is_empty()
        self.layout_part.set_wide(wide, automatic)
        if wide and automatic:
            self.statusBar().showMessage("Several digits: the canvas widened for a number "
                                         "(Wide or Ctrl+Shift+W turns it back)", 6000)

    @Slot(bool)
    def _on_wide_changed(self, wide: bool) -> None:
        self.wide_action.setChecked(wide)
        self.reading.crossing_together = not wide
        self.canvas_panel.set_wide(wide)
        self.prediction_view.set_wide(wide)

    _wide_declined = False

    @Slot()
    def _on_canvas_edited(self) -> None:
        """Clearing goes back to the square canvas if it widened by itself."""
        self.canvas_panel.update_buttons()
        if self.canvas.is_empty():
            self._wide_declined = False
            if self.layout_part.wide_was_automatic:
                self.set_wide_canvas(False)

    @Slot()
    def _on_stroke_read(self) -> None:
        """A stroke that makes a number widens the canvas: after the stroke, never during
        it, so the ink stays under the pen."""
        reading = self.reading.last_reading
        if not self.layout_part.wide and not self._wide_declined and reading is not None \
                and len(reading.digits) > 1:
            self.set_wide_canvas(True, automatic=True)

    @Slot(str, int)
    def _show_message(self, text: str, milliseconds: int) -> None:
        self.statusBar().showMessage(text, milliseconds)

    # ---- secondary windows ----------------------------------------------------------------
    @Slot()
    def show_evaluation(self) -> None:
        """The evaluation window for the model in use (confusion matrix, mistakes)."""
        from .evaluation_view import EvaluationWindow

        if self.evaluation_window is None:
            self.evaluation_window = EvaluationWindow(self.training_panel.data_path, self)
            self.evaluation_window.chosen.connect(self._put_image_on_canvas)
            self.evaluation_window.set_path_predictor(self.reading.path_predictor)
            self.read_with.changed.connect(self.evaluation_window.set_path_predictor)
            place_beside(self.evaluation_window, self)  # never over the canvas
        active = self.models.active
        if active is not None:
            self.evaluation_window.set_model(active.predictor, active.describe())
        self.evaluation_window.show()
        self.evaluation_window.raise_()
        self.evaluation_window.refresh()

    @Slot()
    def show_inside(self) -> None:
        """Every layer's response to the drawing, live."""
        from .inside_view import InsideWindow

        if self.inside_window is None:
            self.inside_window = InsideWindow(self)
            self.reading.updated.connect(self._update_inside)
            place_beside(self.inside_window, self)  # "live as you draw": the drawing shows
        self.inside_window.show()
        self.inside_window.raise_()
        self._update_inside()

    @Slot()
    def _update_inside(self) -> None:
        if self.inside_window is not None and self.inside_window.isVisible():
            self.inside_window.show_drawing(self.reading.predictor, self.reading.last_image,
                                            self.reading.path_predictor, self.reading.last_path)

    @Slot(object)
    def _put_image_on_canvas(self, image: object) -> None:
        """A test digit, traced into strokes (skeleton), drawn on the canvas."""
        strokes = digit_strokes(np.asarray(image))
        if strokes:
            self.canvas.show_strokes(strokes)
            self.canvas.setFocus()

    # ---- shutdown ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel training and wait for it before the window goes away.

        A run stops within one batch. If it is inside something that cannot be interrupted
        (importing TensorFlow, reading MNIST), the window hides at once and the close
        completes when the run returns.
        """
        self.layout_part.save()
        panel = self.training_panel
        if panel.is_training and not panel.shutdown(timeout_ms=CLOSE_WAIT_MS):
            self.hide()
            if not self._closing:
                self._closing = True
                panel.runEnded.connect(self._finish_close)
            event.ignore()
            return
        super().closeEvent(event)

    @Slot()
    def _on_about_to_quit(self) -> None:
        self.training_panel.shutdown(timeout_ms=None)
        self.warmup.join()  # never end the process inside TensorFlow's import
        self.training_panel.settings.editor.join()  # ... nor inside timing a design
        self.teaching.store.empty_trash()  # deleted samples could be undone until now

    @Slot()
    def _finish_close(self) -> None:
        """The deferred close. A hidden window's close does not count as the last window
        closing, so quit here as closing it visibly would have."""
        self.close()
        app = QApplication.instance()
        if app.quitOnLastWindowClosed() and not any(
                w.isVisible() for w in app.topLevelWidgets()):
            app.quit()
