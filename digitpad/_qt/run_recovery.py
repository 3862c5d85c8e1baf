"""When a run cannot go on as planned: it was stopped (*Keep what was trained*), its model
could not be saved (*Save as…* elsewhere), or MNIST is missing (*Choose mnist.npz…*). A part
of the training panel: inputs :meth:`RunRecovery.offer_keep`, :meth:`offer_save`,
:meth:`offer_mnist`, :meth:`clear`; outputs ``kept``, ``saved``, ``mnistChosen`` and
``message``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFileDialog, QPushButton, QVBoxLayout, QWidget

from digitpad.mnist import MnistError, read_mnist_npz
from digitpad.model_file import ModelFileError, save_model
from digitpad.training_run import RunResult, keep_stopped


class RunRecovery(QWidget):
    kept = Signal(object)  # the RunResult of a stopped run whose model the user kept
    saved = Signal(str, object)  # a model saved with Save as…: its path, its numpy layers
    mnistChosen = Signal(object)  # the Path of a readable mnist.npz
    message = Signal(str, bool)  # text, is it a problem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keep_button = QPushButton("Keep what was trained", objectName="keepStoppedButton")
        self.keep_button.setToolTip("Save the stopped run's model and read with it (on trial, "
                                    "like a finished run)")
        self.save_as_button = QPushButton("Save as…", objectName="saveAsButton")
        self.save_as_button.setToolTip("The run could not be saved in the data folder: "
                                       "choose another place")
        self.choose_mnist_button = QPushButton("Choose mnist.npz…",
                                               objectName="chooseMnistButton")
        self.choose_mnist_button.setToolTip("Point digitpad at a copy of mnist.npz (Keras "
                                            "layout) and train again")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.keep_button)
        layout.addWidget(self.save_as_button)
        layout.addWidget(self.choose_mnist_button)
        self.keep_button.clicked.connect(self.keep)
        self.save_as_button.clicked.connect(self._ask_save_as)
        self.choose_mnist_button.clicked.connect(self._ask_mnist)
        self._unsaved: RunResult | None = None
        self._stopped: RunResult | None = None
        self.clear()

    def clear(self) -> None:
        self._unsaved = self._stopped = None
        self.keep_button.hide()
        self.save_as_button.hide()
        self.choose_mnist_button.hide()

    @property
    def holds_unsaved(self) -> bool:
        """A trained model is in memory only (its save failed): starting another run would
        drop it."""
        return self._unsaved is not None

    def offer_save(self, result: RunResult) -> None:
        self._unsaved = result
        self.save_as_button.show()

    def offer_keep(self, result: RunResult) -> None:
        """A stopped run: its model is held in memory until kept or another run starts."""
        self._stopped = result
        self.keep_button.show()

    @Slot()
    def keep(self) -> bool:
        """Save the stopped run's model where trained models go; a failed save offers
        *Save as…* (the model stays in memory). True when saved."""
        result, self._stopped = self._stopped, None
        self.keep_button.hide()
        if result is None or result.stopped is None:
            return False
        keep_stopped(result)
        if result.saved is None:
            self.offer_save(result)
            self.message.emit(f"{result.save_error}. The model is kept in memory: Save as… "
                              "to keep it.", True)
        self.kept.emit(result)
        return result.saved is not None

    def offer_mnist(self) -> None:
        self.choose_mnist_button.show()

    @Slot()
    def _ask_save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the trained model", "model.keras",
                                              "Keras models (*.keras)")
        if path:
            self.save_as(Path(path))

    def save_as(self, path: Path) -> bool:
        """Save the model a failed save kept in memory; on success it becomes the model in
        use (and listed). Returns False, with the reason said, if this place fails too."""
        if self._unsaved is None or self._unsaved.unsaved is None:
            return False
        unsaved = self._unsaved.unsaved
        try:
            save_model(unsaved.model, path, unsaved.metadata)
        except ModelFileError as exc:
            self.message.emit(f"{exc}. Try another place.", True)
            return False
        layers = self._unsaved.layers
        self._unsaved = None
        self.save_as_button.hide()
        self.message.emit(f"Saved to {path}; it is the model in use.", False)
        self.saved.emit(str(path), layers)
        return True

    @Slot()
    def _ask_mnist(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Where is mnist.npz?", "",
                                              "MNIST (*.npz);;All files (*)")
        if path:
            self.use_mnist(Path(path))

    def use_mnist(self, path: Path) -> bool:
        """Check ``path`` is a readable MNIST file (so a wrong pick is said at once), then
        hand it on."""
        try:
            read_mnist_npz(path)
        except MnistError as exc:
            self.message.emit(f"{exc}. Choose another file.", True)
            return False
        self.choose_mnist_button.hide()
        self.mnistChosen.emit(Path(path))
        return True
