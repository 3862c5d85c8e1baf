"""*Read with*: the picture network alone, or the picture and the pen-path network together
(see :mod:`digitpad.two_views`). The bundled pen-path network is loaded in the background at
launch; a picture model tuned to your handwriting brings the pen-path network tuned with it
(its metadata names it). The choice is remembered.

Inputs: :meth:`ReadWith.follow` (the picture model in use changed: its metadata).
Outputs: ``changed(predictor)``: the pen-path predictor to read with, or None for the picture
alone; :attr:`path_model` is its file. ``status(str)``: a line for the status bar (a choice
not remembered, a network that could not be read).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from digitpad.paths import asset_path
from digitpad.session import (
    PEN_PATH_MODEL,
    READ_WITH,
    load_path_predictor,
    paired_path_model,
    read_with,
    remember_read_with,
)

from .background import Task


def _load(*, report, cancel: threading.Event) -> tuple[object, str | None]:
    return load_path_predictor()


class ReadWith(QWidget):
    changed = Signal(object)
    status = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bundled = None  # the bundled pen-path predictor, once read
        self.path_predictor = None  # the pen-path network for the picture model in use
        self.path_model: Path | None = None  # ... its file
        self._metadata: dict[str, Any] = {}  # the picture model in use
        self.combo = QComboBox(objectName="readWithCombo")
        for key, text in READ_WITH.items():
            self.combo.addItem(text, key)
        self.combo.setToolTip("Picture + pen path: a second network reads the order and "
                              "direction of your strokes, and the two answers are combined.\n"
                              "Picture only: the model above reads the 28x28 image alone.")
        # The remembered choice from the start (a tiny file), so the window is laid out for
        # it before the network is read; enabled once it is.
        self.combo.setCurrentIndex(self.combo.findData(read_with()))
        self.combo.setEnabled(False)
        # Never wider than the Model list above it needs: the columns keep their room.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Read with"))
        layout.addWidget(self.combo, 1)
        self.combo.activated.connect(self._on_activated)
        self._task: Task | None = None

    def load(self) -> None:
        self._task = Task(_load)
        self._task.returned.connect(self._on_loaded)
        self._task.start()

    @property
    def choice(self) -> str:
        return str(self.combo.currentData())

    @property
    def reading_both(self) -> bool:
        return self.choice == "both" and self.path_predictor is not None

    @Slot(object)
    def _on_loaded(self, outcome: tuple[object, str | None]) -> None:
        predictor, problem = outcome
        self.bundled = predictor
        if predictor is None:
            self.combo.setCurrentIndex(self.combo.findData("picture"))
            self.combo.setToolTip(problem or "")
            self.status.emit(problem or "")
            return
        self.combo.setEnabled(True)
        self._choose_network()

    def follow(self, metadata: dict[str, Any]) -> None:
        """The picture model in use changed: read with the pen-path network tuned with it,
        if it names one that can be read, else the bundled one."""
        self._metadata = dict(metadata)
        if self.bundled is not None:
            self._choose_network()

    def _choose_network(self) -> None:
        predictor, path = self.bundled, asset_path(PEN_PATH_MODEL)
        paired = paired_path_model(self._metadata)
        if paired is not None:
            tuned, problem = load_path_predictor(paired)
            if tuned is not None:
                predictor, path = tuned, paired
            else:
                self.status.emit(problem or "")
        self.path_predictor, self.path_model = predictor, path
        self._emit()

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        try:
            remember_read_with(self.choice)
        except OSError as exc:
            self.status.emit(f"Reading {READ_WITH[self.choice].lower()} for this session, "
                             f"but not remembered: {exc}")
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.path_predictor if self.reading_both else None)
