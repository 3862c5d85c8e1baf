"""The main window: canvas, live prediction, training panel."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitpad.inference import NumpyPredictor, Predictor
from digitpad.model import ModelFileError, read_metadata
from digitpad.paths import user_data_dir
from digitpad.preprocess import strokes_to_mnist
from digitpad.session import (
    ActiveModel,
    choose_model,
    default_model_path,
    label_for,
    open_model,
    remember_selection,
    tidy_user_dir,
)

from .canvas import DrawingCanvas
from .menus import install_menus
from .model_picker import ModelPicker
from .prediction_view import PredictionView
from .theme import MUTED
from .training_panel import TrainingPanel

CLOSE_WAIT_MS = 2000  # a run stops within one batch; longer means an uninterruptible step
PREDICT_INTERVAL_MS = 15  # while drawing, classify at most ~60 times a second
ADOPT_MARGIN = 0.05  # a run more than 5 points below the model in use is not adopted
_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digitpad-model-loader")


def _load_model(model_path: Path | None) -> tuple[ActiveModel | None, list[str]]:
    """Runs in the loader thread; never raises, so the window always gets an answer."""
    try:
        tidy_user_dir()
        return choose_model(model_path)
    except Exception as exc:  # noqa: BLE001 - shown to the user, drawing still works
        return None, [f"No usable model: {exc}. Train one with the Train button."]


class FitScrollArea(QScrollArea):
    """Gives its widget the whole viewport, and scrolls only when the viewport is shorter
    than the widget's minimum (QScrollArea's own resizing follows the size hint of
    word-wrapped labels and would scroll the plots out of sight on a tall screen)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        widget = self.widget()
        if widget is None:
            return
        minimum = widget.minimumSizeHint().height()
        scrolls = minimum > self.height()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn if scrolls
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.resize(self.viewport().width(), max(self.viewport().height(), minimum))


class MainWindow(QMainWindow):
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
        self.last_probabilities: np.ndarray | None = None
        self.last_image: np.ndarray | None = None
        self.last_latency_ms = 0.0
        self._closing = False
        self._model_poll = QTimer(self, interval=10)  # active while the model is loading

        self.canvas = DrawingCanvas()
        self.prediction_view = PredictionView()
        self.model_picker = ModelPicker()
        self.model_picker.picked.connect(self.pick_model)
        self.training_panel = TrainingPanel(data_path)

        self.pen_spin = QSpinBox(objectName="penWidthSpin", minimum=2, maximum=80, value=18,
                                 suffix=" px")
        self.pen_spin.setToolTip("Pen width on the canvas (the network always sees an "
                                 "MNIST-like stroke)")
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        self.undo_button = QPushButton("Undo", objectName="undoButton")
        self.redo_button = QPushButton("Redo", objectName="redoButton")
        self.clear_button = QPushButton("Clear", objectName="clearButton")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button.clicked.connect(self.canvas.redo)
        self.clear_button.clicked.connect(self.canvas.clear)
        tools = QHBoxLayout()
        for widget in (self.undo_button, self.redo_button, self.clear_button):
            tools.addWidget(widget)
        tools.addStretch(1)
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_spin)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.canvas, 1)
        left_layout.addLayout(tools)
        hint = QLabel("Ctrl+Z undo · Ctrl+Shift+Z redo · Esc / Del clear · Ctrl+T train · "
                      "Ctrl+Q quit")
        hint.setObjectName("shortcutHint")
        hint.setWordWrap(True)  # wraps in a narrow column instead of widening the window
        hint.setStyleSheet(f"{MUTED} font-size: 11px;")
        left_layout.addWidget(hint)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.model_picker)
        middle_layout.addWidget(self.prediction_view, 1)
        # On a small screen the training column scrolls instead of squashing its rows.
        training_scroll = FitScrollArea(objectName="trainingScroll")
        training_scroll.setWidget(self.training_panel)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
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
        self.canvas.edited.connect(self._update_edit_buttons)
        self._update_edit_buttons()
        self.training_panel.snapshotReady.connect(self._use_snapshot)
        self.training_panel.modelSaved.connect(self._use_trained_model)
        self.training_panel.runEnded.connect(self._on_run_ended)
        self.training_panel.restoreRequested.connect(self.restore_bundled_model)

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

    @Slot()
    def _update_edit_buttons(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())
        self.clear_button.setEnabled(not self.canvas.is_empty())

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
        self._set_predictor(NumpyPredictor(layers), f"Model: {label}")

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

    @Slot()
    def restore_bundled_model(self) -> None:
        """Go back to the bundled default model; trained runs stay in the picker."""
        self.pick_model(str(default_model_path()))
        if self.active_model is not None and self.active_model.source == "bundled":
            self.training_panel.note(f"Using {self.active_model.describe()} again; your "
                                     "trained models stay in the Model list.")

    # ---- prediction ----------------------------------------------------------------------
    @Slot()
    def _schedule_prediction(self) -> None:
        if not self._predict_timer.isActive():
            self._predict_timer.start()

    @Slot()
    def update_prediction(self) -> None:
        """Classify the canvas now (strokes -> 28x28 -> probabilities) and show it."""
        self._predict_timer.stop()
        start = time.perf_counter()
        strokes = self.canvas.stroke_arrays()
        image = strokes_to_mnist(strokes, min_extent=self.canvas.pen_width) if strokes else None
        probabilities = None
        if image is not None and self.predictor is not None:
            probabilities = np.asarray(self.predictor(image), dtype=np.float64)
        self.last_latency_ms = (time.perf_counter() - start) * 1000
        # A huge drawing (hundreds of strokes) takes longer to read: classify it less often
        # while drawing, so the event loop stays free at least 2/3 of the time and ink keeps
        # flowing; a finished stroke is still read at once.
        self._predict_timer.setInterval(max(PREDICT_INTERVAL_MS, int(2 * self.last_latency_ms)))
        self.last_image = image
        self.last_probabilities = probabilities
        if self.predictor is not None:
            waiting = "Draw a digit"
        elif self._model_poll.isActive():
            waiting = "Model loading…"
        else:
            waiting = "No model: click Train"
        self.prediction_view.show_probabilities(probabilities, image, waiting)
        self.predictionUpdated.emit()

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

    @Slot(bool)
    def _finish_close(self, _new_model: bool) -> None:
        """The deferred close. A hidden window's close does not count as the last window
        closing, so quit here as closing it visibly would have."""
        self.close()
        app = QApplication.instance()
        if app.quitOnLastWindowClosed() and not any(
                w.isVisible() for w in app.topLevelWidgets()):
            app.quit()
