"""*Read with*: the picture network alone, or the picture and the pen-path network together
(see :mod:`digitpad.two_views`). The bundled pen-path network is loaded in the background at
launch; a picture model tuned to your handwriting brings the pen-path network tuned with it
(its metadata names it). The choice is remembered.

A pen-path network trained in the window (Network: *Pen path*) is read with at once and
judged like a picture run (:func:`digitpad.adoption.judge_path`): kept for the next launch if
it reads the pen test at least as well as the one before, else on trial (*Keep it* /
*Back*).

Inputs: :meth:`ReadWith.follow` (the picture model in use changed: its metadata),
:meth:`adopt_run`, :meth:`keep`, :meth:`back`.
Outputs: ``changed(predictor)``: the pen-path predictor to read with, or None for the picture
alone; :attr:`path_model` is its file. ``status(str)``: a line for the status bar (a choice
not remembered, a network that could not be read). ``trial(str)``: a run on trial (its
figures; empty when the trial is over).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from digitpad.adoption import judge_path
from digitpad.inference import NumpyPredictor
from digitpad.paths import asset_path
from digitpad.session import (
    PEN_PATH_MODEL,
    READ_WITH,
    load_path_predictor,
    paired_path_model,
    read_with,
    remember_path_model,
    remember_read_with,
    remembered_path_model,
)

from .background import Task


def _load(*, report, cancel: threading.Event) -> tuple[object, str | None, tuple | None]:
    """The bundled pen-path network, and the one you trained and kept, if it reads (else
    why not, in the problem)."""
    bundled, problem = load_path_predictor()
    kept = remembered_path_model()
    if kept is None:
        return bundled, problem, None
    trained, _ = load_path_predictor(kept)
    if trained is None:
        return bundled, problem or (f"The pen-path network you kept, {kept.name}, could not "
                                    "be read; reading with the bundled one."), None
    return bundled, problem, (kept, trained)


class ReadWith(QWidget):
    changed = Signal(object)
    status = Signal(str)
    trial = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bundled = None  # the bundled pen-path predictor, once read
        self.path_predictor = None  # the pen-path network for the picture model in use
        self.path_model: Path | None = None  # ... its file
        self._metadata: dict[str, Any] = {}  # the picture model in use
        self.trained: tuple[Path, object] | None = None  # a pen-path run's network, in use
        self.before_trial: tuple[Path, object] | None = None  # ... and the one it replaced
        self.on_trial = False
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
        self._loading = False

    def load(self) -> None:
        self._loading = True
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
    def _on_loaded(self, outcome: tuple[object, str | None, tuple | None]) -> None:
        predictor, problem, kept = outcome
        self._loading = False
        self.bundled = predictor
        if self.trained is None:
            self.trained = kept
        if predictor is not None and problem:
            self.status.emit(problem)
        if predictor is None:
            self.combo.setCurrentIndex(self.combo.findData("picture"))
            self.combo.setToolTip(problem or "")
            self.status.emit(problem or "")
            self._emit()  # nothing to read (or tune) beside the picture
            return
        self.combo.setEnabled(True)
        self._choose_network()

    def follow(self, metadata: dict[str, Any]) -> None:
        """The picture model in use changed: read with the pen-path network tuned with it,
        if it names one that can be read, else the bundled one."""
        self._metadata = dict(metadata)
        if self.bundled is not None:
            self._choose_network()

    @property
    def file_to_tune(self) -> Path | None:
        """The pen-path file a fine-tune tunes beside the picture: the one read with now, or,
        while the networks are still being read at launch, the one that will be (a fine-tune
        started in the first seconds tunes it too). None when reading the picture alone."""
        if self.choice != "both":
            return None
        if self.path_predictor is not None:
            return self.path_model
        return self._expected() if self._loading else None

    def _expected(self) -> Path:
        """The file :meth:`_choose_network` will pick, found without reading any network."""
        paired = paired_path_model(self._metadata)
        if paired is not None:
            return paired
        if self.trained is not None:
            return self.trained[0]
        return remembered_path_model() or asset_path(PEN_PATH_MODEL)

    def _choose_network(self) -> None:
        predictor, path = self.bundled, asset_path(PEN_PATH_MODEL)
        if self.trained is not None:
            path, predictor = self.trained
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

    # ---- a pen-path run from the training panel ----------------------------------------
    @Slot(object)
    def adopt_run(self, result: Any) -> None:
        """A pen-path run saved a network: read with it now, remembered or on trial."""
        if result.saved is None or result.layers is None:
            return
        decision = judge_path(result)
        if decision.kind == "reject":
            self.status.emit(decision.text)
            return
        previous = self.trained
        self.trained = (Path(result.saved), NumpyPredictor(result.layers))
        if decision.kind == "trial":
            self.before_trial, self.on_trial = previous, True
            self.trial.emit(decision.text)
        else:
            self._remember(self.trained[0])
            self.status.emit(decision.text)
        if self.bundled is not None:
            self._choose_network()

    def _remember(self, path: Path | None) -> None:
        try:
            remember_path_model(path)
        except OSError as exc:
            self.status.emit(f"Reading with this pen-path network now, but it could not be "
                             f"remembered for the next launch: {exc}")

    @Slot()
    def keep(self) -> None:
        """*Keep it*: the pen-path network on trial is read with at the next launch too."""
        if self.on_trial and self.trained is not None:
            self._remember(self.trained[0])
        self._end_trial()

    @Slot()
    def back(self) -> None:
        """*Back*: the pen-path network the run on trial replaced, again."""
        if self.on_trial:
            self.trained = self.before_trial
            if self.bundled is not None:
                self._choose_network()
        self._end_trial()

    def _end_trial(self) -> None:
        self.before_trial, self.on_trial = None, False
        self.trial.emit("")

    @property
    def reading_predictor(self) -> Any:
        """The pen-path network the canvas reads with now, or None for the picture alone."""
        return self.path_predictor if self.reading_both else None

    def _emit(self) -> None:
        self.changed.emit(self.reading_predictor)
