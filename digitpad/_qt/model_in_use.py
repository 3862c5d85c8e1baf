"""The model the window reads with, and the one place that changes it: loading at launch (in
the background), a pick in the Model list, a finished run (judged by
:func:`digitpad.adoption.judge`: used and remembered, used on trial, or only listed),
*Keep it* / *Back* after a trial, *Save as…*, *Restore default model*.

Outputs: ``changed`` (a new :attr:`ModelInUse.active`), ``loaded`` (the launch's load is
over, whatever came of it), ``status`` (a line for the status bar), ``notice`` (a decision
the user should read: text, is it a problem), ``trial`` (a run's model is on trial: the
figures of both; an empty text when the trial is over).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from digitpad.adoption import judge
from digitpad.inference import NumpyPredictor
from digitpad.model_file import ModelFileError, read_metadata
from digitpad.session import (
    ActiveModel,
    choose_model,
    default_model_path,
    label_for,
    open_model,
    remember_selection,
    tidy_user_dir,
)
from digitpad.training_run import RunResult

from .background import Task


def _load(model_path: Path | None, *, report,
          cancel: threading.Event) -> tuple[ActiveModel | None, list[str]]:
    """The launch's load task; never raises, so the window always gets an answer."""
    try:
        tidy_user_dir()
        return choose_model(model_path)
    except Exception as exc:
        return None, [f"No usable model: {exc}. Train one with the Train button."]


class ModelInUse(QObject):
    changed = Signal()
    loaded = Signal(list)  # the launch's warnings (empty when all went well)
    status = Signal(str)
    notice = Signal(str, bool)
    trial = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active: ActiveModel | None = None
        self.before_trial: ActiveModel | None = None  # the model a run on trial replaced
        self.loading = False
        self._task: Task | None = None

    def load(self, model_path: Path | None) -> None:
        """At launch: the explicit, remembered or bundled model, read in the background."""
        self.loading = True
        self._task = Task(_load, model_path)
        self._task.returned.connect(self._on_loaded)
        self._task.start()

    @Slot(object)
    def _on_loaded(self, outcome: tuple[ActiveModel | None, list[str]]) -> None:
        active, messages = outcome
        self.loading = False
        if active is not None:
            self._use(active)
        self.loaded.emit(messages)

    def _use(self, active: ActiveModel) -> None:
        self.active = active
        self.status.emit(f"Model: {active.describe()} ({active.path})")
        self.changed.emit()

    def pick(self, path: Path, source: str) -> None:
        """Use the model at ``path`` and remember the choice for the next launch. Raises
        :class:`ModelFileError` or ``OSError`` if it cannot be used (the model in use
        stays)."""
        active = open_model(Path(path), source)
        self._end_trial()
        self._use(active)
        self._remember(Path(path))

    def _remember(self, path: Path) -> None:
        """For the next launch; a read-only data dir must not keep the model from use."""
        try:
            remember_selection(path)
        except OSError as exc:
            self.status.emit(f"In use for this session, but not remembered for the next "
                             f"launch: {exc}")

    @Slot(object)
    def adopt(self, result: RunResult) -> None:
        """A run saved a model: use it now and remember it, use it on trial, or only list
        it, as :func:`digitpad.adoption.judge` says. Its numpy weights come with it, so no
        file is read again but the small metadata record."""
        if result.saved is None:
            return
        decision = judge(result)
        if decision.kind == "reject":
            self.notice.emit(decision.text, True)
            self.changed.emit()  # the Model list now holds the run
            return
        before = self.active
        if not self.use_saved(result.saved, result.layers, remember=decision.kind == "adopt"):
            return
        if decision.kind == "trial":
            self.before_trial = before
            self.trial.emit(decision.text)
        elif decision.text:
            self.notice.emit(decision.text, False)

    def _end_trial(self) -> None:
        self.before_trial = None
        self.trial.emit("")

    @Slot()
    def keep(self) -> None:
        """*Keep it*: the model on trial becomes the choice for the next launch too."""
        if self.before_trial is not None and self.active is not None:
            self._remember(self.active.path)
            self.notice.emit(f"Kept: {self.active.describe()} is the model from now on.", False)
        self._end_trial()

    @Slot()
    def back(self) -> None:
        """*Back*: the model the run on trial replaced, again (it is still the remembered
        choice); the run stays in the Model list."""
        before = self.before_trial
        if before is not None:
            self._use(before)
            self.notice.emit(f"Back to {before.describe()}; the run stays in the Model "
                             "list.", False)
        self._end_trial()

    def use_saved(self, path: Path | str, layers: object, remember: bool = True) -> bool:
        """Use a model just saved (its numpy ``layers`` if given); True if it is in use."""
        path = Path(path)
        try:
            metadata = read_metadata(path)
            if layers is not None:
                active = ActiveModel(NumpyPredictor(layers), path, "trained", metadata,
                                     label_for(path, "trained", metadata))
            else:
                active = open_model(path, "trained")
        except (OSError, ModelFileError) as exc:
            self.status.emit(str(exc))
            return False
        self._end_trial()
        self._use(active)
        if remember:
            self._remember(path)
        return True

    def restore_default(self) -> None:
        """The bundled default model again; trained runs stay in the Model list."""
        try:
            self.pick(default_model_path(), "bundled")
        except (OSError, ModelFileError) as exc:
            self.notice.emit(f"Could not use the bundled model: {exc}", True)
            return
        self.notice.emit(f"Using {self.active.describe()} again; your trained models stay "
                         "in the Model list.", False)
