"""The training panel: run control (Train/Stop/Restore, progress, summaries) over its parts,
the settings form (:mod:`.training_settings`) and the live curves (:mod:`.training_plots`).

A thin view over :func:`digitpad.training_run.run`, which runs as a background
:class:`~digitpad._qt.background.Task`; its events arrive as plain data and the curves
repaint at most 10 times a second.

Inputs: :meth:`set_model_in_use` (what a fine-tune starts from), :meth:`start_training`,
:meth:`start_finetune` (with your samples), :meth:`stop_training`. Outputs: the signals below.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.finetune import FinetuneConfig
from digitpad.inference import Predictor
from digitpad.layer_stack import buildable
from digitpad.mnist import MnistError, remember_mnist_path
from digitpad.run_report import (
    describe_run,
    epoch_summary,
    failure_message,
    finetune_summary,
    stopped_summary,
)
from digitpad.samples import Sample
from digitpad.training import TrainConfig
from digitpad.training_run import (
    BatchDone,
    EpochDone,
    FinetuneRequest,
    RunRequest,
    RunResult,
    RunStarted,
    Status,
    run,
)

from .background import Task
from .run_history import RunHistoryBar
from .run_progress import RunProgress, clock
from .run_recovery import RunRecovery
from .settings_drawer import SettingsDrawer
from .training_plots import PEN_TOOLTIP, TrainingPlots
from .training_settings import TrainingSettings
from .trial_bar import TrialBar
from .wheel_guard import guard_wheel

# Curves repaint at most 5 times a second. Each pyqtgraph repaint redraws its axes, and with
# the plots at full height that GUI-thread CPU is taken from training (bench_training_gui:
# fit 1.65x headless at 10/s with the tall plots, 1.0x with short ones).
REPAINT_INTERVAL_MS = 200


class TrainingPanel(QWidget):
    """Train the seed network on MNIST in the background and watch it learn."""

    snapshotReady = Signal(object, str)  # numpy layers, label: classify with them meanwhile
    runFinished = Signal(object)  # the RunResult of a run that saved a model (adopt it?)
    # A pen-path run: its weights read the strokes beside the picture model.
    pathSnapshotReady = Signal(object, str)  # numpy layers, label
    pathRunFinished = Signal(object)  # the RunResult of a pen-path run that saved a network
    modelSaved = Signal(str, object)  # a model saved with Save as…: path, numpy layers
    runEnded = Signal()  # any run's end (finished, stopped, failed): read with the model in use
    restoreRequested = Signal()
    finetuneRequested = Signal()  # the button: the teaching part answers with your samples

    def __init__(self, data_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.data_path = data_path
        self.train_limit: int | None = None  # tests and demos may train on a slice
        self.seed: int | None = None  # tests: a reproducible run
        self.pen_path: Path | None = None  # pen digits (default: the file in the package)
        self.save = True
        self.finetune_config = FinetuneConfig()  # tests may make it smaller
        self.warmup = None  # the window's TensorFlowWarmup: a run waits for it to finish
        self.model_in_use: tuple[Path, str] | None = None  # (path, name): fine-tunes start here
        self.path_model_in_use: Path | None = None  # the pen-path network read beside it
        self.current_path_predictor: Predictor | None = None  # ... a pen-path run's yardstick
        self.current_predictor: Predictor | None = None  # ... and runs are compared with it
        self.last_request: RunRequest | None = None  # what "Choose mnist.npz…" starts again
        self.task: Task | None = None
        self._started_at = 0.0
        self.last_result: RunResult | None = None
        self.history_problem: str | None = None  # why the last run's curves were not kept

        self.train_button = _button("Train", "trainButton",
                                    "Train the network on MNIST with these settings (Ctrl+T)")
        self.stop_button = _button("Stop", "stopButton", "Stop after the current batch")
        self.stop_button.setEnabled(False)
        self.finetune_button = _button(
            "Fine-tune on my handwriting", "finetuneButton",
            "Tune the model in use on the digits you labelled (draw, then press the digit's "
            "key), mixed with MNIST so it does not forget it; a share of yours is held out "
            "and measured before and after")
        self.restore_button = _button("Restore default model", "restoreButton",
                                      "Use the bundled default model again; your trained "
                                      "models stay in the Model list")
        self.recovery = RunRecovery()  # Save as… / Choose mnist.npz…, when needed

        self.settings = TrainingSettings()
        self._drop_unsaved = False  # asked once: the next start discards an unsaved model
        self._network_picked = False  # the user chose the Network: the model in use no longer
        self.settings.architecture_combo.activated.connect(self._on_network_picked)
        self.settings.editor.accepted.connect(self._on_network_picked)
        self.settings.recipe_combo.activated.connect(self._on_network_picked)
        self.keep_partial_check = QCheckBox("If stopped, use the partly trained model")
        self.keep_partial_check.setObjectName("keepPartialCheck")
        self.keep_partial_check.setToolTip(
            "Off (default): Stop discards the run and the previous model stays in use.\n"
            "On: Stop saves and uses the weights trained so far.")

        self.settings_widgets = [self.settings, self.keep_partial_check, self.restore_button,
                                 self.finetune_button]
        # Closed while a run goes (and until opened): the curves get the column's height.
        self.drawer = SettingsDrawer(self.settings, [self.keep_partial_check,
                                                     self.restore_button])

        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.finetune_button, 2)

        self.progress = RunProgress()
        self.status_label = QLabel("Ready. The Network starts at the one in use; in Settings, "
                                   "a Recipe fills them all (The book: Chollet's ch. 2 run), "
                                   "or Design… your own network.")
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setToolTip(PEN_TOOLTIP)
        self.plots = TrainingPlots()

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.drawer)
        layout.addWidget(self.recovery)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        self.trial_bar = TrialBar()  # a run's model on trial: Keep it / Back
        layout.addWidget(self.trial_bar)
        self.history_bar = RunHistoryBar(self.plots)  # runs compared, CSV / PNG export
        layout.addWidget(self.history_bar)
        if self.history_bar.problems:
            self.note(f"Run history: {self.history_bar.problems[0]}; set aside, your models "
                      "are untouched.", error=True)
        layout.addWidget(self.plots, 1)
        guard_wheel(self)  # the wheel scrolls the column; it edits a control only if focused

        self._repaint_timer = QTimer(self, interval=REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self.plots.flush)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.restore_button.clicked.connect(self.restoreRequested)
        self.finetune_button.clicked.connect(self.finetuneRequested)
        self.recovery.saved.connect(self.modelSaved)
        self.recovery.kept.connect(self._on_stopped_kept)
        self.recovery.mnistChosen.connect(self._on_mnist_chosen)
        self.recovery.message.connect(self.note)

    # ---- state ------------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self.task is not None

    @property
    def _running_paths(self) -> bool:
        request = self.last_request
        return request is not None and request.finetune is None and \
            request.config.reads_paths

    def set_model_in_use(self, path: Path | None, name: str = "",
                         predictor: Predictor | None = None, layers: str | None = None) -> None:
        """The model the canvas reads with: a fine-tune starts from it, a run is compared
        with it on the same digits; ``layers``, its design where its file records one."""
        self.model_in_use = (Path(path), name) if path is not None else None
        self.current_predictor = predictor
        # The Network choice starts at the architecture in use (an experiment compares like
        # with like), until you pick one yourself.
        architecture = getattr(predictor, "architecture", None)
        combo = self.settings.architecture_combo
        if self._network_picked or self.is_training:
            return
        if layers is not None and buildable(layers):  # a damaged record is ignored
            self.settings.set_design(layers)
        elif combo.findData(architecture) >= 0:
            self.settings.set_choice(architecture=architecture)

    def config(self) -> TrainConfig:
        return self.settings.config()

    @Slot()
    def _on_network_picked(self) -> None:
        self._network_picked = True

    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in self.settings_widgets:
            widget.setEnabled(not running)

    def note(self, text: str, error: bool = False) -> None:
        """The status line: the run's progress, its outcome, decisions about the model."""
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")

    # ---- run control --------------------------------------------------------------------
    @Slot()
    def start_training(self) -> None:
        """Train the chosen network from scratch; ignored while a run is going."""
        self._start(self._request())

    def start_finetune(self, samples: list[Sample]) -> None:
        """Fine-tune the model in use on ``samples`` (yours); ignored while a run is going."""
        if self.is_training:
            return
        if self.model_in_use is None:
            self.note("No model to fine-tune: train one first.", error=True)
            return
        if not samples:
            self.note("No samples of your handwriting yet: draw a digit and press its key "
                      "(0–9), or Edit ▸ Teach me 3 of each.", error=True)
            return
        path, name = self.model_in_use
        self._start(self._request(FinetuneRequest(path, name, list(samples),
                                                  self.finetune_config,
                                                  self.path_model_in_use)))

    def _request(self, finetune: FinetuneRequest | None = None) -> RunRequest:
        config = self.config()
        if self.seed is not None:
            config.seed = self.seed
        return RunRequest(config, self.data_path, self.pen_path, self.save,
                          keep_partial=self.keep_partial_check.isChecked(),
                          train_limit=self.train_limit, finetune=finetune,
                          current=self.current_path_predictor if config.reads_paths
                          and finetune is None else self.current_predictor)

    def _start(self, request: RunRequest) -> None:
        if self.is_training:
            return
        if self.recovery.holds_unsaved and not self._drop_unsaved:
            # Nothing in memory is discarded without asking: the second start confirms.
            self._drop_unsaved = True
            self.note("The model trained last is only in memory: Save as… keeps it. Start "
                      "again to discard it.", error=True)
            return
        self._drop_unsaved = False
        self.last_request = request
        self.plots.clear()
        self.plots.show_yours(request.finetune is not None,
                              paths=request.finetune is None and request.config.reads_paths)
        self.recovery.clear()
        self.result_label.setText("")
        self.last_result = None
        self.progress.busy("starting…")
        self._set_running(True)
        self.drawer.set_open(False)
        if request.finetune is not None:  # the form's settings are not what runs: say what does
            self.drawer.show_running(finetune_summary(request.finetune))
        self.note("Starting…")
        if self.warmup is not None:
            self.warmup.skip()  # not started yet: the run imports TensorFlow itself
            request.tensorflow_ready = self.warmup.done
        task = self.task = Task(run, request)
        task.progress.connect(self._on_progress)
        task.returned.connect(self._on_finished)
        task.errored.connect(self._on_failed)
        self._started_at = time.monotonic()
        self._repaint_timer.start()
        task.start()

    @Slot()
    def stop_training(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.stop_button.setEnabled(False)
            self.note("Stopping after the current batch…")

    def shutdown(self, timeout_ms: int | None = 10_000) -> bool:
        """Cancel any run and wait for it (window closing; ``None`` waits as long as the run
        needs, for the application quitting). True if it ended."""
        if self.task is None:
            return True
        self.task.cancel()
        ended = self.task.wait(None if timeout_ms is None else timeout_ms / 1000)
        self._repaint_timer.stop()
        return ended

    def _end_run(self) -> None:
        self.drawer.show_running(None)
        self._repaint_timer.stop()
        self.plots.flush(force=True)
        self.task = None
        self._set_running(False)

    # ---- the run's events (GUI thread) ------------------------------------------------------
    @Slot(object)
    def _on_progress(self, event: object) -> None:
        if self.task is None:
            return  # a late event of a run already ended
        if isinstance(event, BatchDone):
            self._on_batch(event)
        elif isinstance(event, EpochDone):
            self._on_epoch(event)
        elif isinstance(event, RunStarted):
            self._on_run_started(event)
        elif isinstance(event, Status):
            self.note(event.text)

    def _on_run_started(self, event: RunStarted) -> None:
        self.plots.set_epochs(event.epochs)
        self.progress.run_started(event.epochs, event.batches)
        self.note("Preparing the first batch (TensorFlow builds the network)…")

    def _on_batch(self, event: BatchDone) -> None:
        if self.progress.waiting_for_first_batch:
            self.note("Training…")
        self.plots.add_batch(event.epoch + (event.batch + 1) / self.progress.batches,
                             event.loss, event.accuracy)
        self.progress.batch_done(event.epoch, event.batch)

    def _on_epoch(self, event: EpochDone) -> None:
        epoch, logs = event.epoch, event.logs
        self.plots.add_epoch(epoch, logs)
        if epoch < 0:  # a fine-tune's starting figures: the curves start from them
            return
        self.progress.epoch_done()
        epochs = self.progress.epochs
        if "val_loss" in logs:
            self.note(epoch_summary(epoch, epochs, logs,
                                    "pen test" if self._running_paths else "MNIST test"))
        if event.layers is not None:
            label = f"epoch {epoch + 1}/{epochs} weights (training…)"
            (self.pathSnapshotReady if self._running_paths else self.snapshotReady).emit(
                event.layers, label)

    @Slot(object)
    def _on_finished(self, result: RunResult) -> None:
        self.last_result = result
        self._end_run()
        seconds = time.monotonic() - self._started_at
        kept = self.history_bar.record(result.settings_record(), result.record())
        self.history_problem = kept if isinstance(kept, str) else None
        if result.cancelled and self.plots.train_acc.size:
            # A stopped run's model's test figures, plotted where the run stopped (the test
            # pass of an epoch cut short never ran, so the curve would miss them).
            self.plots.add_final(float(self.plots.train_acc.x[self.plots.train_acc.size - 1]),
                                 result.test_loss, result.test_accuracy)
            self.plots.flush(force=True)
        if result.cancelled and not result.kept:
            where = self.progress.where()
            self.progress.ended(f"stopped at {where}: not kept", full=None)
            if result.stopped is not None:
                self.recovery.offer_keep(result)
            self.note(stopped_summary(result, where))
            self.runEnded.emit()
            return
        if result.cancelled:
            self.progress.ended(f"stopped at {self.progress.where()}: partial model kept",
                                full=None)
        else:
            self.progress.ended("done", full=True)
        self._report_kept(result, seconds)

    def _report_kept(self, result: RunResult, seconds: float) -> None:
        """Say how a run that gave a model did; hand it on (or offer Save as…)."""
        result_text, done = describe_run(result, list(self.plots.test_loss.values),
                                         clock(seconds))
        self.result_label.setText(result_text)
        self.runEnded.emit()  # the canvas reads with the model in use again...
        if result.save_error:
            self.recovery.offer_save(result)
            self.note(f"{result.save_error}. The trained model is kept in memory and in use: "
                      "Save as… to keep it.", error=True)
            if result.layers is not None:  # ...or with this one, until it is saved
                (self.pathSnapshotReady if result.reads_paths else self.snapshotReady).emit(
                    result.layers, "the new model (not saved yet)")
            return
        self.note(f"{done} is saved and in use." + (
            f" (Its curves were not kept: {self.history_problem}.)" if self.history_problem
            else ""))
        if result.saved is not None:
            (self.pathRunFinished if result.reads_paths else self.runFinished).emit(result)

    @Slot(object)
    def _on_stopped_kept(self, result: RunResult) -> None:
        """The user kept a stopped run's model: from here on it is a run like any other."""
        if not result.kept or self.is_training:
            return
        self.progress.ended(f"stopped at {self.progress.where()}: partial model kept",
                            full=None)
        self._report_kept(result, result.seconds)

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        self._end_run()
        self.progress.ended("failed", full=False)
        if isinstance(error, MnistError):
            self.recovery.offer_mnist()
        self.note(failure_message(error), error=True)
        self.runEnded.emit()

    @Slot(object)
    def _on_mnist_chosen(self, path: Path) -> None:
        """Train from ``path`` from now on; start again the run the user asked for (training
        or a fine-tune), with the settings as they are now."""
        self.data_path = path
        remember_mnist_path(path)  # the next launch finds it too
        request = self.last_request
        if request is not None:
            tune = request.finetune and replace(request.finetune, config=self.finetune_config)
            self._start(self._request(tune))


def _button(text: str, name: str, tooltip: str) -> QPushButton:
    button = QPushButton(text, objectName=name)
    button.setToolTip(tooltip)
    return button
