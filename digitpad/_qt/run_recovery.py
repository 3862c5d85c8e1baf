"""When a run cannot go on as planned: the model could not be saved (Save as… elsewhere), or
MNIST is missing (Choose mnist.npz…). A mixin of the training panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot


class RecoveryMixin:
    """Uses the panel's ``_unsaved``, buttons, ``_set_status`` and signals."""

    @Slot()
    def _ask_save_as(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, "Save the trained model", "model.keras",
                                              "Keras models (*.keras)")
        if path:
            self.save_as(Path(path))

    def save_as(self, path: Path) -> bool:
        """Save the model a failed save kept in memory; on success it becomes the model in
        use (and listed). Returns False, with the reason shown, if this place fails too."""
        if self._unsaved is None:
            return False
        from digitpad.inference import layers_of
        from digitpad.model import ModelFileError, save_model

        model, metadata = self._unsaved
        try:
            save_model(model, path, metadata)
        except ModelFileError as exc:
            self._set_status(f"{exc}. Try another place.", error=True)
            return False
        self._unsaved = None
        self.save_as_button.hide()
        self._set_status(f"Saved to {path}; it is the model in use.")
        self.modelSaved.emit(str(path), layers_of(model))
        return True

    @Slot()
    def _ask_mnist(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Where is mnist.npz?", "",
                                              "MNIST (*.npz);;All files (*)")
        if path:
            self.use_mnist(Path(path))

    def use_mnist(self, path: Path) -> bool:
        """Train from ``path`` from now on, if it is a readable MNIST file (checked here, so a
        wrong pick is said at once); then start again the run the user asked for."""
        from digitpad.data import MnistError, read_mnist_npz

        try:
            read_mnist_npz(path)
        except MnistError as exc:
            self._set_status(f"{exc}. Choose another file.", error=True)
            return False
        self.data_path = path
        self.choose_mnist_button.hide()
        self._start(self.last_request)  # the run asked for: training or a fine-tune
        return True
