"""The training panel: run control (Train/Stop/Restore, progress, summaries) over its parts,
the settings form (:mod:`.training_settings`) and the live curves (:mod:`.training_plots`).

A thin view over :class:`~digitpad._qt.worker.TrainingWorker`; the worker runs in its own
QThread and the curves repaint at most 10 times a second.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.finetune import FinetuneConfig
from digitpad.run_report import describe_run
from digitpad.training import EtaEstimator, TrainConfig

from .run_history import RunHistoryBar
from .run_recovery import RecoveryMixin
from .training_plots import PEN_TOOLTIP, TrainingPlots, accuracy_floor, loss_decades
from .training_settings import TrainingSettings
from .worker import TrainingWorker

__all__ = ["TrainingPanel", "accuracy_floor", "loss_decades"]

# Curves repaint at most 10 times a second. Each pyqtgraph repaint redraws its axes (~10 ms
# of GUI-thread CPU on this 2-core machine), and that CPU is taken from training.
REPAINT_INTERVAL_MS = 100


class TrainingPanel(RecoveryMixin, QWidget):
    """Train the seed network on MNIST in the background and watch it learn."""

    snapshotReady = Signal(object, str)  # numpy layers, label: classify with them meanwhile
    modelSaved = Signal(str, object)  # path of the new model, its numpy layers (or None)
    runEnded = Signal(bool)  # True if the run produced a new model in use
    restoreRequested = Signal()
    finetuneRequested = Signal()  # the window answers with start_training(finetune_from=...)

    def __init__(self, data_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.data_path = data_path
        self.train_limit: int | None = None  # tests and demos may train on a slice
        self.pen_path: Path | None = None  # pen digits (default: the file in the package)
        self.save = True
        self.finetune_config = FinetuneConfig()  # tests may make it smaller
        self.warmup = None  # the window's TensorFlowWarmup: a run waits for it to finish
        self.last_request: tuple[Path, str] | None = None
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._epochs = 0
        self._batches = 0
        self._started_at = 0.0
        self.last_result: dict | None = None
        self._eta = EtaEstimator(1, 1)

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip("Train the network on MNIST with these settings (Ctrl+T)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Stop after the current batch")
        self.finetune_button = QPushButton("Fine-tune on my handwriting")
        self.finetune_button.setObjectName("finetuneButton")
        self.finetune_button.setToolTip(
            "Tune the model in use on the digits you labelled (draw, then press the digit's "
            "key), mixed with MNIST so it does not forget it; a share of yours is held out "
            "and measured before and after")
        self.restore_button = QPushButton("Restore default model")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setToolTip("Use the bundled default model again; your trained "
                                       "models stay in the Model list")
        self.save_as_button = QPushButton("Save as…")
        self.save_as_button.setObjectName("saveAsButton")
        self.save_as_button.setToolTip("The run could not be saved in the data folder: "
                                       "choose another place")
        self.save_as_button.hide()
        self._unsaved: tuple | None = None  # (Keras model, metadata) when a save failed
        self.choose_mnist_button = QPushButton("Choose mnist.npz…")
        self.choose_mnist_button.setObjectName("chooseMnistButton")
        self.choose_mnist_button.setToolTip("Point digitpad at a copy of mnist.npz (Keras "
                                            "layout) and train again")
        self.choose_mnist_button.hide()

        self.settings = TrainingSettings()
        self.epochs_spin, self.batch_spin = self.settings.epochs_spin, self.settings.batch_spin
        self.optimizer_combo = self.settings.optimizer_combo
        self.keep_partial_check = QCheckBox("If stopped, use the partly trained model")
        self.keep_partial_check.setObjectName("keepPartialCheck")
        self.keep_partial_check.setToolTip(
            "Off (default): Stop discards the run and the previous model stays in use.\n"
            "On: Stop saves and uses the weights trained so far.")

        self.settings_widgets = [self.settings, self.keep_partial_check, self.restore_button,
                                 self.finetune_button]

        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        settings_box = QGroupBox("Training")
        settings_layout = QVBoxLayout(settings_box)
        settings_layout.addWidget(self.settings)
        settings_layout.addWidget(self.keep_partial_check)
        settings_layout.addLayout(buttons)
        settings_layout.addWidget(self.finetune_button)
        settings_layout.addWidget(self.restore_button)
        settings_layout.addWidget(self.save_as_button)
        settings_layout.addWidget(self.choose_mnist_button)

        self.progress = QProgressBar(objectName="trainProgress", minimum=0, maximum=1, value=0)
        self.progress.setFormat("idle")
        self.progress.setTextVisible(True)
        self.status_label = QLabel("Ready. Defaults reproduce Chollet's ch. 2 run.")
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)

        self.result_label.setToolTip(PEN_TOOLTIP)
        self.plots = TrainingPlots()
        self.loss_plot, self.accuracy_plot = self.plots.loss_plot, self.plots.accuracy_plot
        self.train_loss, self.test_acc = self.plots.train_loss, self.plots.test_acc
        self.pen_acc = self.plots.pen_acc

        layout = QVBoxLayout(self)
        layout.addWidget(settings_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        self.history_bar = RunHistoryBar(self.plots)  # runs compared, CSV / PNG export
        layout.addWidget(self.history_bar)
        if self.history_bar.problems:
            self._set_status(f"Run history: {self.history_bar.problems[0]}; set aside, your "
                             "models are untouched.", error=True)
        layout.addWidget(self.plots, 1)

        self._repaint_timer = QTimer(self, interval=REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self._flush_curves)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.restore_button.clicked.connect(self.restoreRequested)
        self.finetune_button.clicked.connect(self.finetuneRequested)
        self.save_as_button.clicked.connect(self._ask_save_as)
        self.choose_mnist_button.clicked.connect(self._ask_mnist)

    # ---- state ------------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self._thread is not None

    def config(self) -> TrainConfig:
        return self.settings.config()

    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in self.settings_widgets:
            widget.setEnabled(not running)

    def note(self, text: str, error: bool = False) -> None:
        """Tell the user something about the model in use (the window's decisions)."""
        self._set_status(text, error)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")

    # ---- run control --------------------------------------------------------------------
    @Slot()
    def start_training(self) -> None:
        """Train the chosen network from scratch; ignored while a run is going."""
        self._start()

    def start_finetune(self, base_path: Path, base_name: str) -> None:
        """Fine-tune the model at ``base_path`` on your samples; ignored while a run is going."""
        self._start((base_path, base_name))

    def _start(self, finetune_from: tuple[Path, str] | None = None) -> None:
        if self.is_training:
            return
        self.last_request = finetune_from  # what "Choose mnist.npz…" starts again
        self.plots.clear()
        self.plots.show_yours(finetune_from is not None)
        self.save_as_button.hide()
        self._unsaved = None
        self.result_label.setText("")
        self.last_result = None
        self.progress.setRange(0, 0)  # busy until the first batch
        self.progress.setFormat("starting…")
        self._set_running(True)
        self._set_status("Starting…")
        ready = None
        if self.warmup is not None:
            self.warmup.skip()  # not started yet: the run imports TensorFlow itself
            ready = self.warmup.done
        worker = TrainingWorker(self.config(), self.data_path, self.save,
                                keep_partial=self.keep_partial_check.isChecked(),
                                train_limit=self.train_limit, pen_path=self.pen_path,
                                finetune_from=finetune_from,
                                finetune_config=self.finetune_config,
                                tensorflow_ready=ready)
        thread = QThread(self)
        thread.setObjectName("digitpad-training")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.status.connect(self._on_status)
        worker.runStarted.connect(self._on_run_started)
        worker.batchProgress.connect(self._on_batch)
        worker.epochFinished.connect(self._on_epoch)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.mnistMissing.connect(self.choose_mnist_button.show)
        self._thread, self._worker = thread, worker
        self._started_at = time.monotonic()
        self._repaint_timer.start()
        thread.start()

    @Slot()
    def stop_training(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.stop_button.setEnabled(False)
            self._set_status("Stopping after the current batch…")

    def shutdown(self, timeout_ms: int | None = 10_000) -> bool:
        """Cancel any run and join its thread (window closing; ``None`` waits as long as the
        worker needs, for the application quitting). True if the thread ended."""
        if self._thread is None:
            return True
        self._worker.cancel()
        self._thread.quit()
        ended = self._thread.wait() if timeout_ms is None else self._thread.wait(timeout_ms)
        self._repaint_timer.stop()
        return ended

    def _end_run(self) -> None:
        self._repaint_timer.stop()
        self._flush_curves(force=True)
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._worker.deleteLater()
            self._thread.deleteLater()
        self._thread, self._worker = None, None
        self._set_running(False)

    # ---- worker signals (GUI thread) --------------------------------------------------------
    @Slot(str)
    def _on_status(self, text: str) -> None:
        self._set_status(text)

    @Slot(int, int)
    def _on_run_started(self, epochs: int, batches: int) -> None:
        self._epochs, self._batches = epochs, batches
        self.plots.set_epochs(epochs)
        self._eta = EtaEstimator(epochs, batches)
        self._eta.epoch_started(time.monotonic())
        # The bar stays busy until the first batch is done (TensorFlow traces the model
        # first, which takes seconds): an empty bar would look stuck.
        self.progress.setFormat("preparing the first batch…")
        self._set_status("Preparing the first batch (TensorFlow builds the network)…")

    @Slot(int, int, float, float)
    def _on_batch(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        if self.progress.maximum() == 0:  # the first batch: a real bar from now on
            self.progress.setRange(0, self._epochs * self._batches)
            self._set_status("Training…")
        x = epoch + (batch + 1) / self._batches
        self.plots.add_batch(x, loss, accuracy)
        done = epoch * self._batches + batch + 1
        self.progress.setValue(done)
        remaining = self._eta.update(done, time.monotonic())
        eta = "ETA …" if remaining is None else f"ETA {_clock(remaining)}"
        self.progress.setFormat(f"epoch {epoch + 1}/{self._epochs} · batch {batch + 1}/"
                                f"{self._batches} · {eta}")

    @Slot(int, object, object)
    def _on_epoch(self, epoch: int, logs: dict, layers: object) -> None:
        if epoch < 0:  # a fine-tune's starting figures: the curves start from them
            self.plots.add_epoch(epoch, logs)
            return
        self._eta.epoch_finished(time.monotonic())
        self.plots.add_epoch(epoch, logs)
        if "val_loss" in logs:
            pen = (f", real handwriting {logs['pen_accuracy']:.1%}" if "pen_accuracy" in logs
                   else "")
            if math.isfinite(logs.get("yours_accuracy", math.nan)):
                pen += f", your handwriting {logs['yours_accuracy']:.1%}"
            self._set_status(f"Epoch {epoch + 1}/{self._epochs}: loss {logs['loss']:.4f}, "
                             f"accuracy {logs['accuracy']:.4f}, MNIST test "
                             f"{logs['val_accuracy']:.1%}{pen}")
        if layers is not None:
            self.snapshotReady.emit(layers, f"epoch {epoch + 1}/{self._epochs} weights "
                                            "(training…)")

    @Slot(object)
    def _on_finished(self, summary: dict) -> None:
        self.last_result = summary
        self._end_run()
        seconds = time.monotonic() - self._started_at
        settings = asdict(self.finetune_config.train_config() if summary.get("finetune")
                          else self.config())
        self.history_bar.record(settings, {k: v for k, v in summary.items()
                                           if isinstance(v, (bool, int, float, str))})
        if summary.get("cancelled") and not summary.get("saved"):
            self.progress.setFormat("stopped")
            self._set_status(f"Stopped after {summary.get('epochs_completed', 0)} full epoch(s); "
                             "the run was discarded and the previous model is still in use.")
            self.runEnded.emit(False)
            return
        cancelled = bool(summary.get("cancelled"))
        if cancelled and self.plots.train_acc.size:
            # The kept partial model's test figures, plotted where the run stopped (the test
            # pass of an epoch cut short never ran, so the curve would miss them).
            self.plots.add_final(float(self.plots.train_acc.x[self.plots.train_acc.size - 1]),
                                 summary.get("test_loss", math.nan),
                                 summary.get("test_accuracy", math.nan))
        self.progress.setFormat("stopped (partial model kept)" if cancelled else "done")
        self.progress.setValue(self.progress.maximum())
        result_text, done = describe_run(summary, list(self.plots.test_loss.values),
                                         _clock(seconds))
        self.result_label.setText(result_text)
        if summary.get("save_error"):
            self._unsaved = summary.get("unsaved")
            self.save_as_button.show()
            self._set_status(f"{summary['save_error']}. The trained model is kept in memory "
                             "and in use: Save as… to keep it.", error=True)
            self.runEnded.emit(False)
            if summary.get("layers") is not None:  # the canvas reads with it meanwhile
                self.snapshotReady.emit(summary["layers"], "the new model (not saved yet)")
            return
        self._set_status(f"{done} is saved and in use.")
        if summary.get("saved"):
            self.modelSaved.emit(summary["saved"], summary.get("layers"))
        self.runEnded.emit(bool(summary.get("saved")))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end_run()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("failed")
        self._set_status(f"{message}\nThe previous model is still in use.", error=True)
        self.runEnded.emit(False)

    @Slot()
    def _flush_curves(self, force: bool = False) -> None:
        self.plots.flush(force)


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"
