"""Warm TensorFlow up in the background once the window has been left alone for a moment
(see :mod:`digitpad.warmup`), so the first Train click does not stall the window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Slot

from digitpad.warmup import enabled, warm_tensorflow

IDLE_MS = 3000  # no drawing for this long: start


class TensorFlowWarmup(QObject):
    """``poke()`` on any drawing activity; ``done`` is set when TensorFlow is ready (or the
    warm-up failed: the run itself will then report the problem)."""

    def __init__(self, parent: QObject | None = None, idle_ms: int | None = None) -> None:
        super().__init__(parent)
        idle_ms = IDLE_MS if idle_ms is None else idle_ms
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.enabled = enabled()
        self._timer = QTimer(self, singleShot=True, interval=idle_ms)
        self._timer.timeout.connect(self.start)
        if self.enabled:
            self._timer.start()
        else:
            self.done.set()

    @property
    def started(self) -> bool:
        return self.thread is not None

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
        self.thread = threading.Thread(target=self._run, name="digitpad-tf-warmup",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from .worker import deprioritise_background_threads

        deprioritise_background_threads()
        try:
            warm_tensorflow()
        except Exception:  # noqa: BLE001 - the real run reports any TensorFlow problem
            pass
        finally:
            self.done.set()

    def skip(self) -> None:
        """A run starts now: it imports TensorFlow itself; no warm-up after it."""
        self._timer.stop()
        if not self.started:
            self.enabled = False
            self.done.set()

    def join(self, timeout: float = 15.0) -> None:
        if self.thread is not None:
            self.thread.join(timeout)
