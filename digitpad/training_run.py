"""A whole run as the window starts it (plain Python, no Qt): load the data, build or load the
network, :func:`digitpad.training.train` (or :func:`digitpad.finetune.finetune`), save, and
hand back one typed :class:`RunResult`.

Progress is reported as small plain-data events (:class:`Status`, :class:`RunStarted`,
:class:`BatchDone`, :class:`EpochDone`) through a ``report`` callable, at most ~10 batch
events a second; ``cancel`` (a :class:`threading.Event`) stops it after the current batch.
The window runs :func:`run` in a :class:`digitpad._qt.background.Task`; tests call it
directly.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from digitpad.evaluation import evaluate
from digitpad.finetune import (
    FinetuneConfig,
    FinetuneResult,
    PathFinetuneResult,
    finetune,
    finetune_metadata,
    holdout_split,
    sample_probabilities,
    save_tuned_path,
    tune_path_file,
)
from digitpad.inference import Predictor, layers_of, predictor_for_model
from digitpad.mnist import load_mnist
from digitpad.model_file import ModelFileError, load_model, save_model
from digitpad.networks import architecture_of
from digitpad.numpy_net import NumpyLayer
from digitpad.pen import PenDataError
from digitpad.samples import Sample
from digitpad.session import new_trained_model_path, prune_trained
from digitpad.tensorflow_startup import import_tensorflow
from digitpad.training import (
    BatchSmoother,
    TrainConfig,
    TrainingError,
    build_for,
    prepare_inputs,
    run_metadata,
    train,
)
from digitpad.training_data import PEN_MONITOR, load_test_set, load_training_data

BATCH_EVENT_INTERVAL = 0.1  # seconds: at most ~10 batch events a second, as the plots repaint
BACKGROUND_NICE = 5

Report = Callable[[Any], None]


# ---- what a run reports while it goes -------------------------------------------------------
@dataclass(frozen=True)
class Status:
    text: str


@dataclass(frozen=True)
class RunStarted:
    epochs: int
    batches: int  # per epoch


@dataclass(frozen=True)
class BatchDone:
    epoch: int  # 0-based
    batch: int  # 0-based
    loss: float  # smoothed across batches
    accuracy: float


@dataclass(frozen=True)
class EpochDone:
    """``epoch`` -1 is a fine-tune's starting figures; ``layers`` the weights so far, as
    numpy (the canvas reads with them meanwhile), or None."""

    epoch: int
    logs: dict[str, float]
    layers: list[NumpyLayer] | None


# ---- what is asked and what comes back -------------------------------------------------------
@dataclass(frozen=True)
class FinetuneRequest:
    base_path: Path  # the model in use
    base_name: str
    samples: Sequence[Sample]  # yours, as the window holds them
    config: FinetuneConfig = FinetuneConfig()
    path_base: Path | None = None  # the pen-path network read beside it: tuned too


@dataclass
class RunRequest:
    config: TrainConfig
    data_path: Path | None = None  # mnist.npz (None: $DIGITPAD_MNIST, the data dir)
    pen_path: Path | None = None  # pen digits (None: the file in the package)
    save: bool = True
    keep_partial: bool = False  # a stopped run keeps its weights
    train_limit: int | None = None  # train on a slice (tests, demos)
    finetune: FinetuneRequest | None = None  # tune that model instead of training config's
    tensorflow_ready: threading.Event | None = None  # a warm-up under way: wait for it
    current: Predictor | None = None  # the model in use: measured on the same digits

    def settings(self) -> TrainConfig:
        """The settings the run actually uses (a fine-tune has its own)."""
        return self.finetune.config.train_config() if self.finetune else self.config


@dataclass
class UnsavedModel:
    """A model not saved (yet): a failed save keeps it for *Save as…*, a stopped run for
    *Keep what was trained*."""
    model: Any  # keras.Model
    metadata: dict[str, Any]
    architecture: str = "dense"


@dataclass
class RunResult:
    """How a run ended: made in :func:`run` only; read by the panel, the run report, the run
    history and the tests."""

    settings: TrainConfig
    cancelled: bool = False
    epochs_completed: int = 0
    test_accuracy: float = math.nan  # MNIST test, final weights
    test_loss: float = math.nan
    train_accuracy: float = math.nan  # Keras's running mean over the last epoch
    pen_accuracy: float = math.nan  # real handwriting (pen test split), when measured
    seconds: float = 0.0
    before_test_accuracy: float = math.nan  # the model in use, on the same MNIST test
    before_pen_accuracy: float = math.nan  # ... and the same real handwriting
    finetune: FinetuneResult | None = None  # before -> after figures of a fine-tune
    path_finetune: PathFinetuneResult | None = None  # ... and of the pen-path network
    path_note: str = ""  # why the pen-path network was not tuned or saved, if it was not
    base_name: str = ""  # the model a fine-tune started from
    saved: Path | None = None
    save_error: str | None = None
    layers: list[NumpyLayer] | None = None  # the kept model as numpy (no file re-read)
    unsaved: UnsavedModel | None = None
    stopped: UnsavedModel | None = None  # a stopped run's model, until the user keeps it

    @property
    def is_finetune(self) -> bool:
        return self.finetune is not None

    @property
    def reads_paths(self) -> bool:
        """A pen-path network's run: read beside the picture model, not instead of it."""
        return self.settings.reads_paths

    @property
    def kept(self) -> bool:
        """A model came out of it (saved, or kept in memory after a failed save)."""
        return self.saved is not None or self.unsaved is not None

    def record(self) -> dict[str, bool | int | float | str]:
        """The plain figures the run history keeps (format of ``digitpad.history``)."""
        out: dict[str, Any] = {
            "cancelled": self.cancelled, "epochs_completed": self.epochs_completed,
            "test_accuracy": self.test_accuracy, "test_loss": self.test_loss,
            "train_accuracy": self.train_accuracy, "seconds": self.seconds,
            "pen_accuracy": self.pen_accuracy}
        if self.saved is not None:
            out["saved"] = str(self.saved)
        if self.save_error:
            out["save_error"] = self.save_error
        if self.finetune is not None:
            tuned = self.finetune
            out.update(finetune=True, yours_before=tuned.yours_before,
                       yours_after=tuned.yours_after, mnist_before=tuned.mnist_before,
                       trained_on=tuned.trained_on, held_out=tuned.held_out,
                       base=self.base_name)
        return out

    def settings_record(self) -> dict[str, Any]:
        return asdict(self.settings)


# ---- the run -----------------------------------------------------------------------------
def deprioritise_background_threads(nice: int = BACKGROUND_NICE) -> int:
    """On Linux, raise the nice value of every thread except the GUI (main) thread.

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


class _Progress:
    """``train``'s callbacks turned into throttled, smoothed events."""
    def __init__(self, report: Report, batches: int, model: Any) -> None:
        self.report, self.batches, self.model = report, batches, model
        self.smoother = BatchSmoother()
        self.last_emit = 0.0

    def on_batch(self, epoch: int, batch: int, logs: dict[str, float]) -> None:
        if batch == 0:
            self.smoother.new_epoch()
            if epoch == 0:
                deprioritise_background_threads()  # TensorFlow's pools exist by now
        smooth = self.smoother.update(logs)  # every batch, so the smoothing sees them all
        now = time.monotonic()
        if now - self.last_emit >= BATCH_EVENT_INTERVAL or batch == self.batches - 1:
            self.last_emit = now
            self.report(BatchDone(epoch, batch, smooth.get("loss", math.nan),
                                  smooth.get("accuracy", math.nan)))

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        self.report(EpochDone(epoch, logs, layers_of(self.model)))


def _save(model: Any, metadata: dict, architecture: str, report: Report,
          result: RunResult) -> None:
    """Save into the trained-models folder; a failure keeps the model in memory instead."""
    report(Status("Saving model…"))
    result.layers = layers_of(model)
    try:
        target = new_trained_model_path(architecture)
        save_model(model, target, metadata)
        prune_trained(protect=target)
        result.saved = target
    except (ModelFileError, OSError) as exc:
        # A read-only or full data dir must not throw a whole run away.
        result.save_error = str(exc)
        result.unsaved = UnsavedModel(model, metadata, architecture)


def keep_stopped(result: RunResult) -> None:
    """Save the model a stopped run held back, because the user chose to keep it: then
    ``result.saved`` is set, or ``save_error`` and ``unsaved`` as for any failed save."""
    stopped, result.stopped = result.stopped, None
    if stopped is not None:
        _save(stopped.model, stopped.metadata, stopped.architecture, lambda _event: None,
              result)


def _keep_or_hold(request: RunRequest, model: Any, metadata: dict, architecture: str,
                  report: Report, result: RunResult) -> None:
    """A finished run (or one stopped with ``keep_partial``) is saved; any other stopped
    run's model is held in memory, for the user to keep or not."""
    if not result.cancelled or request.keep_partial:
        _save(model, metadata, architecture, report, result)
    else:
        result.layers = layers_of(model)
        result.stopped = UnsavedModel(model, metadata, architecture)


def _wait_for_warmup(request: RunRequest, report: Report, cancel: threading.Event) -> None:
    """A warm-up under way finishes first (two threads building Keras models gain nothing)."""
    ready = request.tensorflow_ready
    if ready is not None and not ready.is_set():
        report(Status("Finishing TensorFlow's start-up…"))
        while not ready.wait(0.1) and not cancel.is_set():
            pass


def run(request: RunRequest, *, report: Report, cancel: threading.Event) -> RunResult:
    """Do the run ``request`` asks for; raises ``MnistError``, ``PenDataError``,
    ``TrainingError`` or ``ModelFileError`` with a message for the user."""
    deprioritise_background_threads()
    _wait_for_warmup(request, report, cancel)
    if request.finetune is not None:
        return _finetune(request, request.finetune, report, cancel)
    return _train(request, report, cancel)


def _train(request: RunRequest, report: Report, cancel: threading.Event) -> RunResult:
    config = request.config
    report(Status("Loading training data…"))
    data = load_training_data(config.data, request.data_path,
                              request.pen_path).limit(request.train_limit)
    alternates = None
    if config.augment and config.redraw:
        report(Status("Re-drawing digits as pen strokes for augmentation…"))
        alternates = data.alternates(stop=cancel.is_set)
    if cancel.is_set():
        return RunResult(config, cancelled=True)
    report(Status("Starting TensorFlow…"))
    import_tensorflow()  # the import that stalls the window least
    model = build_for(config)
    batches = -(-len(data.train[0]) // config.batch_size)
    report(RunStarted(config.epochs, batches))
    progress = _Progress(report, batches, model)
    # A pen-path run's test split is the pen test: no second real-handwriting curve.
    paths = config.reads_paths
    trained = train(model, data.train, data.test, config, on_batch=progress.on_batch,
                    on_epoch=progress.on_epoch, cancel=cancel,
                    monitors=None if paths else data.monitors, alternates=alternates)
    result = RunResult(config, trained.cancelled, trained.epochs_completed,
                       trained.test_accuracy, trained.test_loss, trained.train_accuracy,
                       trained.test_accuracy if paths else
                       trained.monitor_accuracy.get("pen", math.nan), trained.seconds)
    if request.save:
        _keep_or_hold(request, model, run_metadata(config, trained, len(data.train[0])),
                      config.architecture, report, result)
        if request.current is not None and result.kept:  # not for a stopped run held back
            report(Status("Reading the same digits with the model in use, to compare…"))
            if paths:  # the pen-path network in use, on the same pen test paths
                result.before_test_accuracy = result.before_pen_accuracy = evaluate(
                    request.current, prepare_inputs(data.test[0]), data.test[1]).accuracy
                return result
            result.before_test_accuracy = evaluate(request.current, *data.test).accuracy
            pen = data.monitors.get(PEN_MONITOR)
            if pen is not None and len(pen[0]):
                result.before_pen_accuracy = evaluate(request.current, *pen).accuracy
    return result


def _finetune(request: RunRequest, tune: FinetuneRequest, report: Report,
              cancel: threading.Event) -> RunResult:
    samples, config = list(tune.samples), tune.config
    if not samples:
        raise TrainingError("no samples of yours to learn from: label some drawings first")
    report(Status("Loading MNIST…"))
    mnist = load_mnist(request.data_path)
    try:  # real handwriting before -> after, if the pen digits are there
        pen = load_test_set("pen")
    except PenDataError:
        pen = None
    report(Status("Starting TensorFlow…"))
    import_tensorflow()
    model = load_model(tune.base_path)
    base_picture = predictor_for_model(model)  # a numpy copy: the model before tuning
    # The held-out share is chosen here, once, and passed on (the batch count needs it).
    learn, keep = holdout_split([s.label for s in samples], config.holdout_share, config.seed)
    expected = len(learn) * config.variants + min(config.mnist_digits, len(mnist[0][0]))
    batches = -(-expected // config.batch_size)
    report(RunStarted(config.epochs, batches))
    progress = _Progress(report, batches, model)
    tuned = finetune(model, [samples[i] for i in learn], mnist, config,
                     held_out=[samples[i] for i in keep], on_batch=progress.on_batch,
                     on_epoch=progress.on_epoch, cancel=cancel, real_handwriting=pen)
    trained = tuned.run
    result = RunResult(config.train_config(), trained.cancelled, trained.epochs_completed,
                       trained.test_accuracy, trained.test_loss, trained.train_accuracy,
                       tuned.pen_after, trained.seconds, finetune=tuned,
                       base_name=tune.base_name)
    metadata = finetune_metadata(model, config, tuned, tune.base_name)
    if tune.path_base is not None and not trained.cancelled:
        held_out = [samples[i] for i in keep]
        picture_before = sample_probabilities(base_picture, held_out)
        picture_after = sample_probabilities(predictor_for_model(model), held_out)
        name = _tune_path(request, tune, [samples[i] for i in learn], held_out,
                          picture_before, picture_after, report, cancel, result)
        if name:
            metadata["pen_path_model"] = name
    if request.save:
        _keep_or_hold(request, model, metadata, architecture_of(model), report, result)
    return result


def _tune_path(request: RunRequest, tune: FinetuneRequest, learn: list[Sample],
               held_out: list[Sample], picture_before: Any, picture_after: Any,
               report: Report, cancel: threading.Event, result: RunResult) -> str | None:
    """Tune the pen-path network on the same samples and save it beside the trained models;
    its file name (for the picture model's metadata), or None with ``result.path_note``."""
    report(Status("Tuning the pen-path network on your samples…"))
    try:
        result.path_finetune, model = tune_path_file(
            tune.path_base, learn, held_out, tune.config, picture_before=picture_before,
            picture_after=picture_after, pen_file=request.pen_path, cancel=cancel)
    except (PenDataError, ModelFileError, OSError, TrainingError) as exc:
        result.path_note = f"the pen-path network was not tuned: {exc}"
        return None
    if result.path_finetune.run.cancelled or not request.save:
        return None
    try:
        return save_tuned_path(model, tune.path_base.name).name
    except (ModelFileError, OSError) as exc:
        result.path_note = f"the tuned pen-path network could not be saved: {exc}"
        return None
