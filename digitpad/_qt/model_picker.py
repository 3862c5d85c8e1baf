"""The model picker: a combo listing the bundled models and the user's trained ones, each
with its MNIST and real-handwriting accuracy. Picking one emits its path; the window loads it
and remembers the choice (``digitpad.session.remember_selection``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from digitpad.session import ModelEntry, list_models


class ModelPicker(QWidget):
    picked = Signal(str)  # path of the model the user chose

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(objectName="modelCombo")
        self.combo.setToolTip("Which network reads your drawing. Bundled models ship with "
                              "digitpad;\nyour trained runs are added here (the newest 10 are "
                              "kept). The choice is remembered.")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(14)
        self.entries: list[ModelEntry] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Model"))
        layout.addWidget(self.combo, 1)
        self.combo.activated.connect(self._on_activated)

    def refresh(self, current: Path | None) -> None:
        """Re-list the models (after a run, a restore) and show ``current`` as selected."""
        self.entries = list_models()
        self.combo.blockSignals(True)
        self.combo.clear()
        index = -1
        for i, entry in enumerate(self.entries):
            self.combo.addItem(entry.describe(), str(entry.path))
            layers = entry.metadata.get("layers")
            tip = f"{entry.path}\nlayers: {layers}" if isinstance(layers, str) else str(entry.path)
            self.combo.setItemData(i, tip, 3)  # tooltip role: the file and its layers
            if current is not None and _same(entry.path, current):
                index = i
        if current is not None and index < 0:  # a --model file: show it too
            self.combo.addItem(Path(current).name, str(current))
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        # The list opens as wide as its longest entry, even when the column is narrow.
        view = self.combo.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + 24)

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        path = self.combo.itemData(index)
        if path:
            self.picked.emit(path)

    def source_of(self, path: str | Path) -> str:
        """``bundled`` or ``trained`` for a listed model, ``file`` for any other."""
        return next((e.source for e in self.entries if _same(e.path, Path(path))), "file")

    def paths(self) -> list[str]:
        return [self.combo.itemData(i) for i in range(self.combo.count())]


def _same(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
