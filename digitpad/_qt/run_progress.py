"""The run's progress bar: busy while TensorFlow starts, then epoch · batch · time left."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QProgressBar, QWidget

from digitpad.training import EtaEstimator


def clock(seconds: float) -> str:
    """``1:05`` for 65 seconds."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class RunProgress(QProgressBar):
    """Inputs: :meth:`busy`, :meth:`run_started`, :meth:`batch_done`, :meth:`epoch_done`,
    :meth:`ended`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="trainProgress", minimum=0, maximum=1, value=0)
        self.setFormat("idle")
        self.setTextVisible(True)
        self.epochs = self.batches = 0
        self._eta = EtaEstimator(1, 1)

    @property
    def waiting_for_first_batch(self) -> bool:
        return self.maximum() == 0

    def busy(self, text: str) -> None:
        """No batch yet: a moving bar (an empty one would look stuck)."""
        self.setRange(0, 0)
        self.setFormat(text)

    def run_started(self, epochs: int, batches: int) -> None:
        self.epochs, self.batches = epochs, batches
        self._eta = EtaEstimator(epochs, batches)
        self._eta.epoch_started(time.monotonic())
        # Busy until the first batch is done (TensorFlow traces the model first).
        self.busy("preparing the first batch…")

    def batch_done(self, epoch: int, batch: int) -> None:
        if self.waiting_for_first_batch:
            self.setRange(0, self.epochs * self.batches)
        done = epoch * self.batches + batch + 1
        self.setValue(done)
        remaining = self._eta.update(done, time.monotonic())
        eta = "ETA …" if remaining is None else f"ETA {clock(remaining)}"
        self.setFormat(f"epoch {epoch + 1}/{self.epochs} · batch {batch + 1}/{self.batches}"
                       f" · {eta}")

    def epoch_done(self) -> None:
        self._eta.epoch_finished(time.monotonic())

    def ended(self, text: str, full: bool | None) -> None:
        """``full``: the bar filled (the run completed); False: emptied (it failed); None:
        left where the run stopped, so a stopped run never looks done."""
        if self.waiting_for_first_batch:
            self.setRange(0, 1)
        if full is not None:
            self.setValue(self.maximum() if full else 0)
        self.setFormat(text)

    def where(self) -> str:
        """``epoch 2/5, batch 100/469``: how far the run got."""
        done = max(0, self.value())
        batches = max(1, self.batches)
        return f"epoch {done // batches + 1}/{self.epochs}, batch {done % batches}/{batches}"
