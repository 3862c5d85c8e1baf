"""digitpad's one way to run work off the GUI thread, in superqt's worker style.

A :class:`Task` runs a plain function (a *job*) in a thread of its own. The job gets two
keyword arguments, ``report`` (call it with plain data: it arrives in the GUI thread as the
``progress`` signal) and ``cancel`` (a :class:`threading.Event` set by :meth:`Task.cancel`),
and returns its result (the ``returned`` signal) or raises (``errored``, with the
exception). ``finished`` follows either. Model loading, training and fine-tuning, the
evaluation window, TensorFlow's warm-up and the heat map all run this way.

Why not superqt's own workers: they run on ``QThreadPool`` threads, which Python sees as
foreign threads whose thread state is made and dropped around every job. TensorFlow keeps
per-thread state of its own, so the second ``fit()`` on a reused pool thread crashed
(segmentation fault in graph building, reproduced here). A Python thread per task keeps
one thread state for the job's whole life.

Connect the signals to methods of GUI-thread QObjects (a lambda would run in the worker
thread). :meth:`Task.wait` joins a task (the window closing); nothing else blocks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

Report = Callable[[Any], None]
Job = Callable[..., Any]  # job(*args, report=..., cancel=..., **kwargs) -> result


class Task(QObject):
    """One job in the background (see the module doc): ``Task(job, *args).start()``."""

    started = Signal()
    progress = Signal(object)  # whatever the job reported: plain data
    returned = Signal(object)  # the job's result
    errored = Signal(object)  # the exception the job raised
    finished = Signal()  # after returned or errored

    # Started tasks, kept alive while they run; ended ones are let go at the next start, in
    # the GUI thread (a QObject must not be destroyed from the worker thread).
    _started: set[Task] = set()

    def __init__(self, job: Job, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._job, self._args, self._kwargs = job, args, kwargs
        self.cancel_event = threading.Event()
        self._ended = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("this task has already been started")
        name = f"digitpad-{getattr(self._job, '__name__', 'task').strip('_')}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        Task._started = {task for task in Task._started if not task.ended} | {self}
        self._thread.start()

    def _run(self) -> None:
        self.started.emit()
        try:
            result = self._job(*self._args, report=self.progress.emit,
                               cancel=self.cancel_event, **self._kwargs)
        except Exception as exc:  # handed to the GUI thread, which says it
            _tell(self.errored, exc)
        else:
            _tell(self.returned, result)
        finally:
            self._ended.set()
            _tell(self.finished)

    def cancel(self) -> None:
        """Thread-safe: ask the job to stop (it checks ``cancel`` when it can); a stopped
        training run still returns what it made."""
        self.cancel_event.set()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the task's thread has ended, its signals all sent (or ``timeout_s``
        passed); True if it has. A task never started counts as ended. The application
        quitting waits this way, so no thread touches Qt after it is gone."""
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()


def _tell(signal: Any, *args: Any) -> None:
    """Emit from the worker thread; when the process is ending and Qt has already deleted
    the task's C++ side, there is no one left to tell."""
    with contextlib.suppress(RuntimeError):
        signal.emit(*args)
