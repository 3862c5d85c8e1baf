"""Warm TensorFlow up in the background once the window has been left alone for a moment
(see :mod:`digitpad.tensorflow_startup`), so the first Train click does not stall the window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Slot

from digitpad.tensorflow_startup import enabled, warm_tensorflow
from digitpad.training_run import deprioritise_background_threads

from .background import Task

IDLE_MS = 3000  # no drawing for this long: start


def _warm(done: threading.Event, *, report, cancel: threading.Event) -> None:
    """The task: never raises (the real run reports any TensorFlow problem itself); sets
    ``done`` in its own thread, so a run waiting for it never needs the GUI thread."""
    deprioritise_background_threads()
    try:
        warm_tensorflow()
    except Exception:
        pass
    finally:
        done.set()


class TensorFlowWarmup(QObject):
    """``poke()`` on any drawing activity; ``done`` is set when TensorFlow is ready (or the
    warm-up failed: the run itself will then report the problem)."""

    def __init__(self, parent: QObject | None = None, idle_ms: int | None = None) -> None:
        super().__init__(parent)
        idle_ms = IDLE_MS if idle_ms is None else idle_ms
        self.done = threading.Event()
        self.task: Task | None = None
        self.enabled = enabled()
        self._timer = QTimer(self, singleShot=True, interval=idle_ms)
        self._timer.timeout.connect(self.start)
        if self.enabled:
            self._timer.start()
        else:
            self.done.set()

    @property
    def started(self) -> bool:
        return self.task is not None

    @Slot()
    def poke(self) -> None:
        """The user is drawing: wait for the next quiet moment."""
        if self.enabled and not self.started:
            self._timer.start()

    @Slot()
    def start(self) -> None:
        if not self.enabled or self.started:
            return
        self._timer.stop()
        self.task = Task(_warm, self.done)
        self.task.start()

    def skip(self) -> None:
        """A run starts now: it imports TensorFlow itself; no warm-up after it."""
        self._timer.stop()
        if not self.started:
            self.enabled = False
            self.done.set()

    def join(self, timeout: float = 15.0) -> None:
        if self.task is not None:
            self.task.wait(timeout)
