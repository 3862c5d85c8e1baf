"""Your samples: a gallery per digit with counts, corrections marked, relabel, delete
(undoable) or delete all (asked first), put one back on the canvas, export and import one
file a class can pool."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.samples import (
    Sample,
    SampleError,
    SampleStore,
    counts,
    export_samples,
    import_samples,
)

from .background import Task
from .pixmaps import array_pixmap

THUMB = 56
CORRECTION = QColor("#e65100")  # a sample the network read as another digit


def _import(path: Path, store: SampleStore, *, report, cancel) -> tuple[int, int]:
    """The import task: (added, already there); SampleError or OSError says why not."""
    return import_samples(path, store)


def thumbnail(image: np.ndarray) -> QPixmap:
    return array_pixmap(np.asarray(image, dtype=np.uint8), THUMB)


class SamplesWindow(QDialog):
    """Non-modal: draw and label on the canvas while it is open."""

    chosen = Signal(object)  # a Sample to put on the canvas
    changed = Signal()  # samples were deleted, restored or imported

    def __init__(self, store: SampleStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your samples — digitpad")
        self.setObjectName("samplesWindow")
        self.resize(620, 520)
        self.store = store
        self.samples: list[Sample] = []
        self._deleted: list[list[str]] = []  # undo stack of deleted id groups
        self._import_task: Task | None = None

        self.counts_label = QLabel()
        self.counts_label.setObjectName("sampleCounts")
        self.counts_label.setWordWrap(True)
        self.digit_filter = QComboBox(objectName="digitFilter")
        self.digit_filter.addItem("All digits", None)
        for digit in range(10):
            self.digit_filter.addItem(f"{digit}s", digit)
        self.digit_filter.addItem("Corrections", "corrections")
        self.digit_filter.currentIndexChanged.connect(self._fill)
        self.gallery = QListWidget(objectName="sampleGallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setSpacing(4)
        self.gallery.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.gallery.itemDoubleClicked.connect(lambda _item: self._put_on_canvas())
        self.gallery.itemSelectionChanged.connect(self._update_buttons)

        self.canvas_button = QPushButton("Put on canvas", objectName="putOnCanvasButton")
        self.relabel_button = QPushButton("Relabel…", objectName="relabelButton")
        self.relabel_button.setToolTip("Say which digit the selected drawings are")
        self.delete_button = QPushButton("Delete", objectName="deleteSampleButton")
        self.undo_button = QPushButton("Undo delete", objectName="undoDeleteButton")
        self.delete_all_button = QPushButton("Delete all…", objectName="deleteAllButton")
        self.export_button = QPushButton("Export…", objectName="exportButton")
        self.import_button = QPushButton("Import…", objectName="importButton")
        self.canvas_button.clicked.connect(self._put_on_canvas)
        self.relabel_button.clicked.connect(self._ask_relabel)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.delete_all_button.clicked.connect(self._ask_delete_all)
        self.export_button.clicked.connect(self._ask_export)
        self.import_button.clicked.connect(self._ask_import)
        self.delete_button.setShortcut("Delete")

        top = QHBoxLayout()
        top.addWidget(self.counts_label, 1)
        top.addWidget(self.digit_filter)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for button in (self.canvas_button, self.relabel_button, self.delete_button,
                       self.undo_button):
            row1.addWidget(button)
        row1.addStretch(1)
        for button in (self.export_button, self.import_button, self.delete_all_button):
            row2.addWidget(button)
        row2.addStretch(1)
        self.message = QLabel("Draw on the canvas and press the digit's key to add a sample. "
                              "Double-click one to put it back on the canvas.")
        self.message.setObjectName("samplesMessage")
        self.message.setWordWrap(True)
        # Two lines always: a longer or shorter message never moves the buttons above it.
        self.message.setFixedHeight(2 * self.message.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.gallery, 1)
        layout.addLayout(row1)
        layout.addLayout(row2)
        # Shown while an import runs in the background (a big export takes seconds).
        self.import_progress = QProgressBar(objectName="importProgress")
        self.import_progress.setRange(0, 0)  # busy: the reading has no steps to count
        self.import_progress.setTextVisible(False)
        self.import_progress.hide()
        layout.addWidget(self.import_progress)
        layout.addWidget(self.message)
        self._update_buttons()

    def refresh(self, samples: Sequence[Sample]) -> None:
        self.samples = list(samples)
        per_digit = counts(self.samples)
        corrected = sum(s.corrected for s in self.samples)
        self.counts_label.setText(
            f"<b>{len(self.samples)} samples</b>, {corrected} of them corrections · "
            + " · ".join(f"{d}: {n}" for d, n in enumerate(per_digit)))
        self._fill()

    @Slot()
    def _fill(self) -> None:
        digit = self.digit_filter.currentData()
        self.gallery.clear()
        for sample in self.samples:
            if digit == "corrections" and not sample.corrected or \
                    isinstance(digit, int) and sample.label != digit:
                continue
            text = f"{sample.label} (read {sample.guess})" if sample.corrected \
                else str(sample.label)
            item = QListWidgetItem(QIcon(thumbnail(sample.image)), text)
            read = f"; the network read {sample.guess}: a correction" if sample.corrected \
                else ""
            item.setToolTip(f"a {sample.label}{read}\n{sample.created[:16].replace('T', ' ')}")
            if sample.corrected:
                item.setForeground(QBrush(CORRECTION))
            item.setData(Qt.ItemDataRole.UserRole, sample.id)
            self.gallery.addItem(item)
        self._update_buttons()

    def _selected_ids(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.gallery.selectedItems()]

    @Slot()
    def _update_buttons(self) -> None:
        selected = len(self.gallery.selectedItems())
        self.canvas_button.setEnabled(selected == 1)
        self.delete_button.setEnabled(selected > 0)
        self.relabel_button.setEnabled(selected > 0)
        self.undo_button.setEnabled(bool(self._deleted))
        self.delete_all_button.setEnabled(bool(self.samples))
        self.export_button.setEnabled(bool(self.samples))

    @Slot()
    def _put_on_canvas(self) -> None:
        ids = self._selected_ids()
        sample = next((s for s in self.samples if ids and s.id == ids[0]), None)
        if sample is not None:
            self.chosen.emit(sample)

    @Slot()
    def _ask_relabel(self) -> None:
        chosen = self._selected_samples()
        if not chosen:
            return
        label, ok = QInputDialog.getInt(
            self, "Relabel", f"The {len(chosen)} selected drawing(s) are of the digit:",
            chosen[0].label, 0, 9)
        if ok:
            self.relabel(chosen, label)

    def relabel(self, chosen: Sequence[Sample], label: int) -> bool:
        try:
            self.store.relabel(chosen, label)
        except (SampleError, OSError) as exc:
            self._say(f"Not relabelled: {exc}", error=True)
            return False
        self._say(f"{len(chosen)} sample(s) are now {label}s.")
        self.changed.emit()
        return True

    def _selected_samples(self) -> list[Sample]:
        ids = set(self._selected_ids())
        return [s for s in self.samples if s.id in ids]

    @Slot()
    def delete_selected(self) -> None:
        self._delete(self._selected_ids())

    def _delete(self, ids: list[str]) -> None:
        if not ids:
            return
        try:
            self.store.delete(ids)
        except OSError as exc:
            self._say(f"Could not delete: {exc}", error=True)
            return
        self._deleted.append(ids)
        self._say(f"Deleted {len(ids)} sample(s). Undo delete brings them back.")
        self.changed.emit()

    @Slot()
    def undo_delete(self) -> None:
        if self._deleted:
            ids = self._deleted.pop()
            try:
                restored = self.store.restore(ids)
            except OSError as exc:
                self._say(f"Could not restore: {exc}", error=True)
                return
            if restored == len(ids):
                self._say(f"Restored {restored} sample(s).")
            else:
                self._say(f"Restored {restored} of {len(ids)} sample(s); the others are no "
                          "longer in the trash.", error=True)
            self.changed.emit()

    @Slot()
    def _ask_delete_all(self) -> None:
        answer = QMessageBox.question(
            self, "Delete all samples", f"Delete all {len(self.samples)} samples of your "
            "handwriting? (Undo delete still brings them back until you close digitpad.)")
        if answer == QMessageBox.StandardButton.Yes:
            self._delete([s.id for s in self.samples])

    @Slot()
    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export samples", "digitpad-samples.npz",
                                              "digitpad samples (*.npz)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        try:
            export_samples(self.samples, path)
        except SampleError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(f"Exported {len(self.samples)} samples to {path}.")
        return True

    @Slot()
    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import samples", "",
                                              "digitpad samples (*.npz);;All files (*)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        """Import in the background (a big export must not block the window); the gallery
        and the message follow when it is done."""
        if self.importing:
            return
        self.import_button.setEnabled(False)
        self.import_progress.show()
        self._say(f"Importing {path.name}…")
        task = self._import_task = Task(_import, Path(path), self.store)
        task.returned.connect(self._on_imported)
        task.errored.connect(self._on_import_failed)
        task.start()

    @property
    def importing(self) -> bool:
        return self._import_task is not None

    @Slot(object)
    def _on_imported(self, counts: tuple[int, int]) -> None:
        self._import_task = None
        self.import_progress.hide()
        self.import_button.setEnabled(True)
        added, known = counts
        self._say(f"Imported {added} samples" + (f" ({known} were already here)" if known
                                                 else "") + ".")
        self.changed.emit()

    @Slot(object)
    def _on_import_failed(self, error: Exception) -> None:
        self._import_task = None
        self.import_progress.hide()
        self.import_button.setEnabled(True)
        self._say(f"Nothing imported: {error}", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")
