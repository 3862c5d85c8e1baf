"""The training panel: settings, Train/Stop, live loss and accuracy curves, progress.

A thin view over :class:`~digitpad._qt.worker.TrainingWorker`; the worker runs in its own
QThread, and every curve is created once and fed with ``setData`` from growing numpy buffers,
repainted at most ~30 times a second.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitpad.model import DEFAULT_LEARNING_RATES, OPTIMIZERS
from digitpad.paths import user_model_path
from digitpad.training import TrainConfig

from .worker import TrainingWorker

# Curves repaint at most 10 times a second. Each pyqtgraph repaint redraws its axes (~10 ms
# of GUI-thread CPU on this 2-core machine), and that CPU is taken from training.
REPAINT_INTERVAL_MS = 100
TRAIN_STYLE = {"name": "train (per batch)", "pen": pg.mkPen("#4c78a8", width=2)}
TEST_STYLE = {"name": "test (per epoch)", "symbol": "o", "symbolSize": 8,
              "symbolBrush": "#f58518", "symbolPen": None,
              "pen": pg.mkPen("#f58518", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)}


class GrowingCurve:
    """A plot curve backed by a preallocated numpy buffer that doubles when full."""

    def __init__(self, item: pg.PlotDataItem) -> None:
        self.item = item
        self.x = np.empty(256)
        self.y = np.empty(256)
        self.size = 0

    def append(self, x: float, y: float) -> None:
        if self.size == len(self.x):
            self.x = np.concatenate([self.x, np.empty_like(self.x)])
            self.y = np.concatenate([self.y, np.empty_like(self.y)])
        self.x[self.size], self.y[self.size] = x, y
        self.size += 1

    def clear(self) -> None:
        self.size = 0
        self.item.setData([], [])

    def flush(self) -> None:
        self.item.setData(self.x[: self.size], self.y[: self.size])


def loss_decades(values: np.ndarray) -> tuple[float, float]:
    """log10 y range for the loss plot in whole decades: it changes only a few times a run."""
    finite = values[np.isfinite(values) & (values > 0)]
    if not len(finite):
        return -2.0, 1.0
    low = math.floor(math.log10(max(float(finite.min()), 1e-6)))
    high = math.ceil(math.log10(float(finite.max())))
    return float(low), float(max(high, low + 1))


def accuracy_floor(xs: np.ndarray, ys: np.ndarray) -> float:
    """Bottom of the accuracy plot in steps of 0.05, ignoring the first quarter epoch (whose
    near-chance values would squash the interesting 0.9-1.0 region into a thin band)."""
    settled = ys[(xs >= 0.25) & np.isfinite(ys)]
    if not len(settled):
        return 0.0
    return float(min(0.95, max(0.0, math.floor(float(settled.min()) * 20) / 20)))


def _plot(object_name: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    # Fixed ranges, changed in coarse steps: auto-ranging on every point would re-layout the
    # axes at every repaint.
    plot.disableAutoRange()
    plot.setMouseEnabled(x=False, y=False)
    plot.setXRange(0, 1, padding=0.02)
    plot.setYRange(0, 1, padding=0.02)
    plot.setObjectName(object_name)
    plot.setBackground("w")
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    plot.addLegend(offset=(-10, 10))
    plot.setMinimumHeight(150)
    return plot


class TrainingPanel(QWidget):
    """Train the seed network on MNIST in the background and watch it learn."""

    snapshotReady = Signal(object, str)  # dense layers, label: classify with them meanwhile
    modelSaved = Signal(str, object)  # path of the new model, its dense layers (or None)
    runEnded = Signal(bool)  # True if the run produced a new model in use
    restoreRequested = Signal()

    def __init__(self, data_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.data_path = data_path
        self.train_limit: int | None = None  # tests and demos may train on a slice
        self.save_to: Path | None = user_model_path()
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._epochs = 0
        self._batches = 0
        self._started_at = 0.0
        self._dirty = False
        self._loss_range = (math.nan, math.nan)
        self._accuracy_floor = math.nan
        self.last_result: dict | None = None

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip("Train the network on MNIST with these settings (Ctrl+T)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Stop after the current batch")
        self.restore_button = QPushButton("Restore bundled model")
        self.restore_button.setObjectName("restoreButton")

        self.epochs_spin = QSpinBox(objectName="epochsSpin", minimum=1, maximum=200, value=5)
        self.batch_spin = QSpinBox(objectName="batchSizeSpin", minimum=1, maximum=8192,
                                   value=128)
        self.optimizer_combo = QComboBox(objectName="optimizerCombo")
        self.optimizer_combo.addItems(list(OPTIMIZERS))
        self.lr_spin = QDoubleSpinBox(objectName="learningRateSpin", decimals=5,
                                      minimum=1e-5, maximum=10.0, singleStep=1e-4)
        self.lr_spin.setValue(DEFAULT_LEARNING_RATES["rmsprop"])
        self.optimizer_combo.currentTextChanged.connect(
            lambda name: self.lr_spin.setValue(DEFAULT_LEARNING_RATES[name]))
        self.keep_partial_check = QCheckBox("If stopped, use the partly trained model")
        self.keep_partial_check.setObjectName("keepPartialCheck")
        self.keep_partial_check.setToolTip(
            "Off (default): Stop discards the run and the previous model stays in use.\n"
            "On: Stop saves and uses the weights trained so far.")

        form = QFormLayout()
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        self.settings_widgets = [self.epochs_spin, self.batch_spin, self.optimizer_combo,
                                 self.lr_spin, self.keep_partial_check, self.restore_button]

        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        settings_box = QGroupBox("Training (Dense 512 relu → Dense 10 softmax)")
        settings_layout = QVBoxLayout(settings_box)
        settings_layout.addLayout(form)
        settings_layout.addWidget(self.keep_partial_check)
        settings_layout.addLayout(buttons)
        settings_layout.addWidget(self.restore_button)

        self.progress = QProgressBar(objectName="trainProgress", minimum=0, maximum=1, value=0)
        self.progress.setFormat("idle")
        self.progress.setTextVisible(True)
        self.status_label = QLabel("Ready. Defaults reproduce Chollet's ch. 2 run.")
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)

        self.loss_plot = _plot("lossPlot", "loss (log scale)")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.setYRange(-2, 1, padding=0.02)
        self.accuracy_plot = _plot("accuracyPlot", "accuracy")
        self.train_loss = GrowingCurve(self.loss_plot.plot(**TRAIN_STYLE))
        self.test_loss = GrowingCurve(self.loss_plot.plot(**TEST_STYLE))
        self.train_acc = GrowingCurve(self.accuracy_plot.plot(**TRAIN_STYLE))
        self.test_acc = GrowingCurve(self.accuracy_plot.plot(**TEST_STYLE))
        self.curves = [self.train_loss, self.test_loss, self.train_acc, self.test_acc]

        layout = QVBoxLayout(self)
        layout.addWidget(settings_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.accuracy_plot, 1)

        self._repaint_timer = QTimer(self, interval=REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self._flush_curves)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.restore_button.clicked.connect(self.restoreRequested)

    # ---- state ------------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self._thread is not None

    def config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                           optimizer=self.optimizer_combo.currentText(),
                           learning_rate=self.lr_spin.value())

    def set_has_model(self, has_model: bool) -> None:
        self.train_button.setText("Retrain" if has_model else "Train")

    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in self.settings_widgets:
            widget.setEnabled(not running)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")

    # ---- run control --------------------------------------------------------------------
    @Slot()
    def start_training(self) -> None:
        """Start a run; ignored while one is running (one run at a time)."""
        if self.is_training:
            return
        for curve in self.curves:
            curve.clear()
        self.result_label.setText("")
        self.last_result = None
        self.progress.setRange(0, 0)  # busy until the first batch
        self.progress.setFormat("starting…")
        self._set_running(True)
        self._set_status("Starting…")
        worker = TrainingWorker(self.config(), self.data_path, self.save_to,
                                keep_partial=self.keep_partial_check.isChecked(),
                                train_limit=self.train_limit)
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

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel any run and join its thread (window closing). True if the thread ended."""
        if self._thread is None:
            return True
        self._worker.cancel()
        self._thread.quit()
        ended = self._thread.wait(timeout_ms)
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
        self._loss_range = (math.nan, math.nan)
        self._accuracy_floor = math.nan
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
        self.progress.setRange(0, epochs * batches)
        self.progress.setValue(0)
        self._train_started_at = time.monotonic()

    @Slot(int, int, float, float)
    def _on_batch(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        x = epoch + (batch + 1) / self._batches
        self.train_loss.append(x, loss)
        self.train_acc.append(x, accuracy)
        self._dirty = True
        done = epoch * self._batches + batch + 1
        self.progress.setValue(done)
        elapsed = time.monotonic() - self._train_started_at
        remaining = elapsed / done * (self._epochs * self._batches - done)
        self.progress.setFormat(f"epoch {epoch + 1}/{self._epochs} · batch {batch + 1}/"
                                f"{self._batches} · ETA {_clock(remaining)}")

    @Slot(int, object, object)
    def _on_epoch(self, epoch: int, logs: dict, layers: object) -> None:
        if "val_loss" in logs:
            self.test_loss.append(epoch + 1, logs["val_loss"])
            self.test_acc.append(epoch + 1, logs["val_accuracy"])
            self._dirty = True
            self._set_status(f"Epoch {epoch + 1}/{self._epochs}: loss {logs['loss']:.4f}, "
                             f"accuracy {logs['accuracy']:.4f}, test accuracy "
                             f"{logs['val_accuracy']:.4f}")
        if layers is not None:
            self.snapshotReady.emit(layers, f"epoch {epoch + 1}/{self._epochs} weights "
                                            "(training…)")

    @Slot(object)
    def _on_finished(self, summary: dict) -> None:
        self.last_result = summary
        self._end_run()
        seconds = time.monotonic() - self._started_at
        if summary.get("cancelled") and not summary.get("saved"):
            self.progress.setFormat("stopped")
            self._set_status(f"Stopped after {summary.get('epochs_completed', 0)} full epoch(s); "
                             "the run was discarded and the previous model is still in use.")
            self.runEnded.emit(False)
            return
        acc, train_acc = summary.get("test_accuracy", math.nan), summary.get("train_accuracy")
        gap = (train_acc - acc) * 100 if train_acc is not None else math.nan
        verdict = ("the network fits training data better than unseen digits: overfitting"
                   if gap > 1.0 else "little overfitting")
        self.progress.setFormat("stopped (partial model kept)" if summary.get("cancelled")
                                else "done")
        self.progress.setValue(self.progress.maximum())
        self.result_label.setText(
            f"test_acc: {acc:.4f}   train acc {train_acc:.4f}   gap {gap:+.2f} points "
            f"({verdict})")
        self._set_status(f"Finished in {_clock(seconds)}. The new model is saved and in use.")
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
        if not (self._dirty or force):
            return
        for curve in self.curves:
            curve.flush()
        losses = np.concatenate([c.y[: c.size] for c in (self.train_loss, self.test_loss)])
        decades = loss_decades(losses)
        if decades != self._loss_range:
            self._loss_range = decades
            self.loss_plot.setYRange(*decades, padding=0.02)
        xs = np.concatenate([c.x[: c.size] for c in (self.train_acc, self.test_acc)])
        ys = np.concatenate([c.y[: c.size] for c in (self.train_acc, self.test_acc)])
        floor = accuracy_floor(xs, ys)
        if floor != self._accuracy_floor:
            self._accuracy_floor = floor
            self.accuracy_plot.setYRange(floor, 1.0, padding=0.02)
        self._dirty = False


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"
