"""The main window: canvas, live prediction, training panel."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitpad.inference import NumpyPredictor, Predictor
from digitpad.model import ModelFileError, read_metadata
from digitpad.paths import user_data_dir
from digitpad.session import (
    ActiveModel,
    choose_model,
    default_model_path,
    label_for,
    open_model,
    remember_selection,
    tidy_user_dir,
)

from .canvas_panel import CanvasPanel
from .fit_scroll import FitScrollArea
from .live_reading import PREDICT_INTERVAL_MS, LiveReadingMixin
from .menus import install_menus
from .model_picker import ModelPicker
from .prediction_view import PredictionView
from .teaching import TeachingMixin
from .training_panel import TrainingPanel
from .warmup import TensorFlowWarmup

CLOSE_WAIT_MS = 2000  # a run stops within one batch; longer means an uninterruptible step
ADOPT_MARGIN = 0.05  # a run more than 5 points below the model in use is not adopted
_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digitpad-model-loader")


def _load_model(model_path: Path | None) -> tuple[ActiveModel | None, list[str]]:
    """Runs in the loader thread; never raises, so the window always gets an answer."""
    try:
        tidy_user_dir()
        return choose_model(model_path)
    except Exception as exc:  # noqa: BLE001 - shown to the user, drawing still works
        return None, [f"No usable model: {exc}. Train one with the Train button."]


class MainWindow(LiveReadingMixin, TeachingMixin, QMainWindow):
    """Draw on the left, see the prediction in the middle, train on the right."""

    predictionUpdated = Signal()
    modelReady = Signal()

    def __init__(self, model_path: Path | None = None, data_path: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("digitpad")
        self.setObjectName("digitpadMain")
        self._fit_to_screen(1320, 760)
        self.active_model: ActiveModel | None = None
        self.predictor: Predictor | None = None
        self.model_text = "Loading model…"
        self._closing = False
        self._model_poll = QTimer(self, interval=10)  # active while the model is loading

        self.prediction_view = PredictionView()
        self._init_live_reading()
        self.model_picker = ModelPicker()
        self.model_picker.picked.connect(self.pick_model)
        self.training_panel = TrainingPanel(data_path)

        self.canvas_panel = CanvasPanel()
        self.canvas = self.canvas_panel.canvas
        self.pen_spin = self.canvas_panel.pen_spin
        self.undo_button = self.canvas_panel.undo_button
        self.redo_button = self.canvas_panel.redo_button
        self.clear_button = self.canvas_panel.clear_button
        self.canvas_panel.wideToggled.connect(self.set_wide_canvas)

        self.middle_column = middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.model_picker)
        middle_layout.addWidget(self.prediction_view, 1)
        # On a small screen the training column scrolls instead of squashing its rows.
        training_scroll = FitScrollArea(objectName="trainingScroll")
        training_scroll.setWidget(self.training_panel)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.canvas_panel)
        splitter.addWidget(middle)
        splitter.addWidget(training_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([480, 330, 510])
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(7)
        splitter.setStyleSheet("QSplitter::handle { background: palette(mid); margin: 40px 2px; "
                               "border-radius: 2px; }")
        self.setCentralWidget(splitter)
        self._restore_layout()
        install_menus(self)
        self.canvas.setFocus()  # shortcuts and keys act on the drawing from launch

        self._predict_timer = QTimer(self, singleShot=True, interval=PREDICT_INTERVAL_MS)
        self._predict_timer.timeout.connect(self.update_prediction)
        self.canvas.changed.connect(self._schedule_prediction)
        self.canvas.edited.connect(self.update_prediction)
        self.canvas.edited.connect(self._on_canvas_edited)
        self.canvas.strokeEnded.connect(self._on_stroke_ended)
        self.canvas.hovered.connect(self._on_hover)
        self.training_panel.snapshotReady.connect(self._use_snapshot)
        self.training_panel.modelSaved.connect(self._use_trained_model)
        self.training_panel.runEnded.connect(self._on_run_ended)
        self.training_panel.restoreRequested.connect(self.restore_bundled_model)
        self._init_teaching()
        # TensorFlow's one-time start-up, paid while nobody draws (not at the first Train).
        self.warmup = TensorFlowWarmup(self)
        self.training_panel.warmup = self.warmup
        self.canvas.changed.connect(self.warmup.poke)
        self.canvas.hovered.connect(self.warmup.poke)
        self.evaluation_window = None
        self.inside_window = None

        # However the application ends (quit(), a signal handler, the last window), the
        # training thread is cancelled and joined first: never "QThread: Destroyed while
        # thread is still running".
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)

        # The model loads in a plain thread (a model that needs TensorFlow takes seconds) and
        # is picked up by a GUI-thread timer: no Qt call ever crosses threads here.
        self.statusBar().showMessage("Loading model…")
        self._model_future: Future = _LOADER.submit(_load_model, model_path)
        self._model_poll.timeout.connect(self._poll_model)
        self._model_poll.start()

    def _layout_settings(self) -> QSettings:
        """Window geometry and splitter sizes, in an INI file in the user data dir."""
        return QSettings(str(user_data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        settings = self._layout_settings()
        geometry, sizes = settings.value("geometry"), settings.value("splitter")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self._fit_to_screen(self.width(), self.height())  # the screen may have shrunk
        if sizes is not None:
            self.splitter.restoreState(sizes)

    def _save_layout(self) -> None:
        if self.wide_canvas:  # the next launch starts square, with the user's columns
            self.set_wide_canvas(False)
        settings = self._layout_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("splitter", self.splitter.saveState())
        settings.sync()

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The default size, but never larger than the screen's available area."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, area.width()), min(height, area.height())
        self.resize(width, height)

    # ---- model -----------------------------------------------------------------------------
    @Slot()
    def _poll_model(self) -> None:
        if self._model_future.done():
            self._model_poll.stop()
            self._on_model_loaded(*self._model_future.result())

    def _on_model_loaded(self, active: ActiveModel | None, messages: list[str]) -> None:
        if active is not None:
            self._set_active_model(active)
        else:
            self.model_text = "No model"
            self.prediction_view.set_model_text("No model: use Train to make one.")
        for message in messages:
            self.statusBar().showMessage(message)
            self.prediction_view.set_model_text(f"{self.model_text}\n⚠ {message}")
        self.modelReady.emit()

    def _set_active_model(self, active: ActiveModel) -> None:
        self.active_model = active
        self._set_predictor(active.predictor, f"Model: {active.describe()}")
        self.model_picker.refresh(active.path)
        self.statusBar().showMessage(f"Model: {active.describe()} ({active.path})")
        if self.evaluation_window is not None:  # evaluates the new model if it is open
            self.evaluation_window.set_model(active.predictor, active.describe())

    @Slot()
    def show_evaluation(self) -> None:
        """The evaluation window for the model in use (confusion matrix, mistakes)."""
        from .evaluation_view import EvaluationWindow

        if self.evaluation_window is None:
            self.evaluation_window = EvaluationWindow(self.training_panel.data_path, self)
            self.evaluation_window.chosen.connect(self._put_image_on_canvas)
        if self.active_model is not None:
            self.evaluation_window.set_model(self.active_model.predictor,
                                             self.active_model.describe())
        self.evaluation_window.show()
        self.evaluation_window.raise_()
        self.evaluation_window.refresh()

    @Slot()
    def show_inside(self) -> None:
        """Every layer's response to the drawing, live."""
        from .inside_view import InsideWindow

        if self.inside_window is None:
            self.inside_window = InsideWindow(self)
            self.predictionUpdated.connect(self._update_inside)
        self.inside_window.show()
        self.inside_window.raise_()
        self._update_inside()

    @Slot()
    def _update_inside(self) -> None:
        if self.inside_window is not None and self.inside_window.isVisible():
            self.inside_window.show_drawing(self.predictor, self.last_image)

    @Slot(object)
    def _put_image_on_canvas(self, image: object) -> None:
        """A test digit, traced into strokes (skeleton), drawn on the canvas."""
        from digitpad.skeleton import digit_strokes

        strokes = digit_strokes(np.asarray(image))
        if strokes:
            self.canvas.show_strokes(strokes)
            self.canvas.setFocus()

    @Slot(str)
    def pick_model(self, path: str) -> None:
        """Use the model picked in the combo and remember the choice for the next launch.
        A file that fails to load is reported and the current model stays."""
        if self.training_panel.is_training:
            self.statusBar().showMessage("Training is running: pick a model when it ends.")
            self.model_picker.refresh(self.active_model.path if self.active_model else None)
            return
        try:
            active = open_model(Path(path), self.model_picker.source_of(path))
            remember_selection(Path(path))
        except (OSError, ModelFileError) as exc:
            QMessageBox.warning(self, "digitpad", f"Could not use that model:\n{exc}")
            self.model_picker.refresh(self.active_model.path if self.active_model else None)
            return
        self._set_active_model(active)

    def _set_predictor(self, predictor: Predictor, text: str) -> None:
        self.predictor = predictor
        self.model_text = text
        self.prediction_view.set_model_text(text)
        self.update_prediction()

    @Slot(object, str)
    def _use_snapshot(self, layers: object, label: str) -> None:
        """While a run goes, the canvas reads with its latest weights; the status bar says
        so too (not the name of the model it no longer uses)."""
        self._set_predictor(NumpyPredictor(layers), f"Model: {label}")
        self.statusBar().showMessage(f"Reading your drawings with the {label}")

    @Slot(str, object)
    def _use_trained_model(self, path: str, layers: object) -> None:
        """Switch to the model just saved (and remember it); its numpy weights come with the
        signal, so the GUI thread does not re-read the file (~50 ms of h5py).

        A run that ended far below the model in use (a diverged run stuck at chance, say) is
        kept in the Model list but not adopted: the user's good model stays on the canvas.
        """
        try:
            metadata = read_metadata(path)
            new, current = metadata.get("test_accuracy"), (
                self.active_model.metadata.get("test_accuracy") if self.active_model else None)
            if "mnist_before" in metadata:  # a fine-tune measured its start on the same data
                current = metadata["mnist_before"]
            if isinstance(new, float) and isinstance(current, float) and \
                    new < current - ADOPT_MARGIN:
                self.model_picker.refresh(self.active_model.path)
                self.training_panel.note(
                    f"This run reached {new:.1%} on MNIST test, far below the model in use "
                    f"({current:.1%}), so it was not adopted. It is kept in the Model list: "
                    "pick it there to use it anyway.", error=True)
                return
            if layers is not None:
                self._set_active_model(ActiveModel(NumpyPredictor(layers), Path(path),
                                                   "trained", metadata,
                                                   label_for(Path(path), "trained", metadata)))
            else:
                self._set_active_model(open_model(Path(path), "trained"))
            remember_selection(Path(path))
        except (OSError, ModelFileError) as exc:
            self.statusBar().showMessage(str(exc))

    @Slot(bool)
    def _on_run_ended(self, _new_model: bool) -> None:
        """Whatever the run's outcome, classify with the model in use again (not the last
        epoch's snapshot)."""
        if self.active_model is not None:
            self._set_predictor(self.active_model.predictor,
                                f"Model: {self.active_model.describe()}")
            self.statusBar().showMessage(f"Model: {self.active_model.describe()} "
                                         f"({self.active_model.path})")

    @Slot()
    def restore_bundled_model(self) -> None:
        """Go back to the bundled default model; trained runs stay in the picker."""
        self.pick_model(str(default_model_path()))
        if self.active_model is not None and self.active_model.source == "bundled":
            self.training_panel.note(f"Using {self.active_model.describe()} again; your "
                                     "trained models stay in the Model list.")

    # ---- shutdown ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Cancel training and join its thread before the window goes away.

        A run stops within one batch. If the worker is inside something that cannot be
        interrupted (importing TensorFlow, reading MNIST), the window hides at once and the
        close completes when the worker returns, so the thread is never destroyed running.
        """
        self._save_layout()
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
        self.sample_store.empty_trash()  # deleted samples could be undone until now

    @Slot(bool)
    def _finish_close(self, _new_model: bool) -> None:
        """The deferred close. A hidden window's close does not count as the last window
        closing, so quit here as closing it visibly would have."""
        self.close()
        app = QApplication.instance()
        if app.quitOnLastWindowClosed() and not any(
                w.isVisible() for w in app.topLevelWidgets()):
            app.quit()
