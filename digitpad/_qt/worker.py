"""Training in a worker thread: a QObject moved to a QThread, plain-data signals, throttled.

The worker calls the same :func:`digitpad.training.train` as ``train_model.py`` and the
tests. It never touches widgets; everything it reports is floats, ints, strings or numpy
arrays, delivered to the GUI thread by queued signals.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from digitpad.data import MnistError
from digitpad.dataset import load_training_data
from digitpad.finetune import FinetuneConfig
from digitpad.inference import layers_of
from digitpad.model import ModelFileError, build_model, save_model
from digitpad.pen import PenDataError
from digitpad.samples import SampleError
from digitpad.session import new_trained_model_path, prune_trained
from digitpad.training import BatchSmoother, TrainConfig, TrainingError, run_metadata, train
from digitpad.warmup import import_tensorflow

BATCH_SIGNAL_INTERVAL = 0.1  # seconds: at most ~10 progress signals a second, as the plots


BACKGROUND_NICE = 5


def deprioritise_background_threads(nice: int = BACKGROUND_NICE) -> int:
    """On Linux, raise the nice value of every thread except the GUI thread.

    TensorFlow keeps both cores of a small machine busy; at equal priority the GUI thread
    waits its turn and the window stutters. Nice only matters under contention, so training
    loses nothing while the window is idle. Threads inherit it, so TensorFlow's pools started
    from the worker are covered too. Returns how many threads were changed.
    """
    if not sys.platform.startswith("linux"):
        return 0
    gui = threading.main_thread().native_id
    changed = 0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return 0
    for tid in tids:
        if tid == gui:
            continue
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
                changed += 1
        except OSError:
            pass  # the thread ended meanwhile, or the system forbids it: not essential
    return changed


class TrainingWorker(QObject):
    """Runs one training run when ``run`` is invoked (from its thread's ``started``)."""

    status = Signal(str)
    runStarted = Signal(int, int)  # epochs, batches per epoch
    batchProgress = Signal(int, int, float, float)  # epoch, batch, loss, accuracy
    epochFinished = Signal(int, object, object)  # epoch, logs, dense layers snapshot (or None)
    finished = Signal(object)  # summary dict: cancelled, saved, test_accuracy, ...
    failed = Signal(str)
    mnistMissing = Signal()  # the failure was MNIST: the panel offers a file picker

    def __init__(self, config: TrainConfig, data_path: Path | None, save: bool = True,
                 keep_partial: bool = False, train_limit: int | None = None,
                 pen_path: Path | None = None, finetune_from: tuple[Path, str] | None = None,
                 finetune_config: FinetuneConfig | None = None,
                 tensorflow_ready: threading.Event | None = None) -> None:
        """``finetune_from`` (model path, its name) makes the run a fine-tune of that model
        on your samples instead of training ``config``'s network from scratch."""
        super().__init__()
        self.tensorflow_ready = tensorflow_ready
        self.finetune_from = finetune_from
        self.finetune_config = finetune_config or FinetuneConfig()
        self.config = config
        self.data_path = data_path
        self.pen_path = pen_path
        self.save = save
        self.keep_partial = keep_partial
        self.train_limit = train_limit
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Thread-safe: the run stops after the current batch."""
        self.cancel_event.set()

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except MnistError as exc:
            self.mnistMissing.emit()
            self.failed.emit(str(exc))
        except (PenDataError, TrainingError, SampleError, ModelFileError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - report anything; the app must survive
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            self.failed.emit(f"Training failed: {detail}")

    def _progress_callbacks(self, batches: int) -> tuple:
        """(on_batch, on_epoch) for ``train``: smoothed, throttled plain-data signals."""
        last_emit = [0.0]
        smoother = BatchSmoother()
        model_of = self._model_of

        def on_batch(epoch: int, batch: int, logs: dict[str, float]) -> None:
            if batch == 0:
                smoother.new_epoch()
                if epoch == 0:
                    deprioritise_background_threads()  # TensorFlow's pools exist by now
            smooth = smoother.update(logs)  # every batch, so the smoothing sees them all
            now = time.monotonic()
            if now - last_emit[0] >= BATCH_SIGNAL_INTERVAL or batch == batches - 1:
                last_emit[0] = now
                self.batchProgress.emit(epoch, batch, smooth.get("loss", float("nan")),
                                        smooth.get("accuracy", float("nan")))

        def on_epoch(epoch: int, logs: dict[str, float]) -> None:
            self.epochFinished.emit(epoch, logs, layers_of(model_of()))

        return on_batch, on_epoch

    def _save(self, model, metadata: dict, architecture: str) -> tuple:
        """(saved path or None, error or None, (model, metadata) kept in memory or None)."""
        self.status.emit("Saving model…")
        target = new_trained_model_path(architecture)
        try:
            save_model(model, target, metadata)
            prune_trained(protect=target)
            return str(target), None, None
        except ModelFileError as exc:
            # A read-only or full data dir must not throw a whole run away: the model
            # stays in memory and the panel offers Save as… elsewhere.
            return None, str(exc), (model, metadata)

    def _run_finetune(self) -> None:
        from digitpad.data import load_mnist
        from digitpad.finetune import (
            architecture_of,
            finetune,
            finetune_metadata,
            holdout_split,
        )
        from digitpad.model import load_model
        from digitpad.samples import SampleStore

        base_path, base_name = self.finetune_from
        self.status.emit("Loading your samples and MNIST…")
        samples, _problems = SampleStore().load()
        mnist = load_mnist(self.data_path)
        self.status.emit("Starting TensorFlow…")
        import_tensorflow()  # the import that stalls the window least
        model = load_model(base_path)
        self._model_of = lambda: model
        config = self.finetune_config
        # The held-out share is chosen here, once, and passed on (the batch count needs it).
        learn, keep = holdout_split([s.label for s in samples], config.holdout_share,
                                    config.seed)
        expected = len(learn) * config.variants + min(config.mnist_digits, len(mnist[0][0]))
        batches = -(-expected // config.batch_size)
        self.runStarted.emit(config.epochs, batches)
        on_batch, on_epoch = self._progress_callbacks(batches)
        result = finetune(model, [samples[i] for i in learn], mnist, config,
                          held_out=[samples[i] for i in keep], on_batch=on_batch,
                          on_epoch=on_epoch, cancel=self.cancel_event)
        run = result.run
        keep = self.save and (not run.cancelled or self.keep_partial)
        saved = save_error = unsaved = None
        if keep:
            saved, save_error, unsaved = self._save(
                model, finetune_metadata(model, config, result, base_name),
                architecture_of(model))
        self.finished.emit({
            "cancelled": run.cancelled, "saved": saved, "finetune": True,
            "epochs_completed": run.epochs_completed, "test_accuracy": run.test_accuracy,
            "test_loss": run.test_loss, "train_accuracy": run.train_accuracy,
            "seconds": run.seconds, "pen_accuracy": float("nan"),
            "yours_before": result.yours_before, "yours_after": result.yours_after,
            "mnist_before": result.mnist_before, "trained_on": result.trained_on,
            "held_out": result.held_out, "base": base_name,
            "layers": layers_of(model) if keep else None,
            "save_error": save_error, "unsaved": unsaved,
        })

    def _wait_for_warmup(self) -> None:
        """If TensorFlow is being warmed up in the background, let it finish first (two
        threads building Keras models at once gain nothing)."""
        ready = self.tensorflow_ready
        if ready is not None and not ready.is_set():
            self.status.emit("Finishing TensorFlow's start-up…")
            while not ready.wait(0.1) and not self.cancel_event.is_set():
                pass

    def _run(self) -> None:
        deprioritise_background_threads()
        self._wait_for_warmup()
        if self.finetune_from is not None:
            self._run_finetune()
            return
        self.status.emit("Loading training data…")
        data = load_training_data(self.config.data, self.data_path,
                                  self.pen_path).limit(self.train_limit)
        x_train = data.train[0]
        alternates = None
        if self.config.augment:
            self.status.emit("Re-drawing digits as pen strokes for augmentation…")
            alternates = data.alternates(stop=self.cancel_event.is_set)
        if self.cancel_event.is_set():
            self.finished.emit({"cancelled": True, "saved": None, "epochs_completed": 0})
            return
        self.status.emit("Starting TensorFlow…")
        import_tensorflow()  # the import that stalls the window least
        model = build_model(self.config.architecture, self.config.optimizer,
                            self.config.learning_rate, self.config.seed)
        self._model_of = lambda: model
        batches = -(-len(x_train) // self.config.batch_size)
        self.runStarted.emit(self.config.epochs, batches)
        on_batch, on_epoch = self._progress_callbacks(batches)

        result = train(model, data.train, data.test, self.config, on_batch=on_batch,
                       on_epoch=on_epoch, cancel=self.cancel_event, monitors=data.monitors,
                       alternates=alternates)
        saved, save_error, unsaved = None, None, None
        keep = self.save and (not result.cancelled or self.keep_partial)
        if keep:
            saved, save_error, unsaved = self._save(
                model, run_metadata(self.config, result, len(x_train)), self.config.architecture)
        self.finished.emit({
            "cancelled": result.cancelled, "saved": saved,
            "epochs_completed": result.epochs_completed,
            "test_accuracy": result.test_accuracy, "test_loss": result.test_loss,
            "train_accuracy": result.train_accuracy, "seconds": result.seconds,
            "pen_accuracy": result.monitor_accuracy.get("pen", float("nan")),
            # The final weights as numpy, so the GUI need not read the file it just saved.
            "layers": layers_of(model) if keep else None,
            "save_error": save_error, "unsaved": unsaved,
        })
