"""How the model in use reads a test set: accuracy per digit, the confusion matrix (rows the
true digit, columns what the network read), and a gallery of the mistakes in a cell with
their top two probabilities; a mistake can be put on the canvas (traced into strokes) to
watch the prediction. Pen digits are read as the canvas reads them: with the pen-path network
too when it reads beside the picture (each view's accuracy shown; the matrix is the combined
reading's).

The numbers are computed in a background task (10,000 convnet forward passes take ~2 s), so
drawing never freezes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.evaluation import Report, evaluate
from digitpad.training_data import load_test_set

from .background import Task
from .samples_view import THUMB, thumbnail

GALLERY_LIMIT = 200


@dataclass
class Evaluation:
    """A report plus what the gallery needs."""

    data: str
    report: Report
    images: np.ndarray  # uint8 (N, 28, 28)
    labels: np.ndarray
    probabilities: np.ndarray  # (N, 10)
    views: dict[str, float] | None = None  # each view's accuracy, when read with both


def _compute(predictor, data: str, data_path, path_predictor=None, *, report,
             cancel: threading.Event) -> tuple[str, Evaluation | str]:
    """The background task: (data, an Evaluation or a message); never raises."""
    try:
        images, labels = load_test_set(data, data_path)
        probabilities = np.concatenate([predictor(images[i:i + 1000] / 255.0)
                                        for i in range(0, len(images), 1000)])
        views = None
        if data == "pen" and path_predictor is not None:
            from digitpad.pen import load_pen_images
            from digitpad.training import prepare_inputs
            from digitpad.training_data import pen_paths
            from digitpad.two_views import combine

            along = path_predictor(prepare_inputs(pen_paths(load_pen_images(), "test")[0]))
            both = combine(probabilities, along)
            views = {name: float(np.mean(p.argmax(axis=1) == labels)) for name, p in
                     (("picture", probabilities), ("pen path", along), ("combined", both))}
            probabilities = both
        result = evaluate(lambda _x: probabilities, images, labels)
        return data, Evaluation(data, result, images, np.asarray(labels), probabilities, views)
    except Exception as exc:  # shown in the window; the app goes on
        return data, f"Could not evaluate: {exc}"


class EvaluationWindow(QDialog):
    """Non-modal; refreshes when the model in use changes (``set_model``)."""

    chosen = Signal(object)  # a uint8 28x28 image to put on the canvas

    def __init__(self, data_path=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("How the model reads test digits — digitpad")
        self.setObjectName("evaluationWindow")
        self.resize(760, 640)
        self.data_path = data_path
        self.predictor = None
        self.path_predictor = None  # the pen-path network, when it reads beside the picture
        self.model_text = ""
        self.result: Evaluation | None = None
        self._task: Task | None = None
        self._stale = False  # a request came while busy: run again when it is done

        self.data_combo = QComboBox(objectName="evaluationData")
        self.data_combo.addItem("MNIST test (10,000 digits)", "mnist")
        self.data_combo.addItem("Real handwriting (pen test: sites never trained on)", "pen")
        self.data_combo.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel("", objectName="evaluationSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(10, 10, objectName="confusionTable")
        self.table.setHorizontalHeaderLabels([f"read {d}" for d in range(10)])
        self.table.setVerticalHeaderLabels([f"a {d}" for d in range(10)])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Rows: the true digit; columns: what the network read. Click a "
                              "cell off the diagonal to see those mistakes.")
        self.table.cellClicked.connect(self.show_cell)
        # All ten rows and columns fit without scrolling; cells share the room.
        for axis in (self.table.horizontalHeader(), self.table.verticalHeader()):
            axis.setMinimumSectionSize(22)
            axis.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(10 * 22 + 30)
        self.gallery_title = QLabel("Click a cell to see its digits.",
                                    objectName="galleryTitle")
        self.gallery = QListWidget(objectName="mistakeGallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setToolTip("Double-click a digit to put it on the canvas")
        self.gallery.itemDoubleClicked.connect(self._choose)

        top = QHBoxLayout()
        top.addWidget(QLabel("Test set"))
        top.addWidget(self.data_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.gallery_title)
        layout.addWidget(self.gallery, 2)

    def set_model(self, predictor, text: str) -> None:
        """Evaluate this model (again) if the window is open."""
        self.predictor, self.model_text = predictor, text
        if self.isVisible():
            self.refresh()

    def set_path_predictor(self, predictor) -> None:
        """Read pen digits with the pen-path network too (None: the picture alone)."""
        self.path_predictor = predictor
        if self.isVisible() and self.data_combo.currentData() == "pen":
            self.refresh()

    @property
    def busy(self) -> bool:
        return self._task is not None

    @Slot()
    def refresh(self) -> None:
        if self.predictor is None:
            self.summary.setText("No model yet.")
            return
        if self._task is not None:  # one at a time; the newest request runs after it
            self._stale = True
            return
        self.summary.setText(f"Reading the test digits with {self.model_text}…")
        self._task = Task(_compute, self.predictor, self.data_combo.currentData(),
                          self.data_path, self.path_predictor)
        self._task.returned.connect(self._collect)
        self._task.start()

    @Slot(object)
    def _collect(self, outcome: tuple[str, Evaluation | str]) -> None:
        (data, result), self._task = outcome, None
        if data != self.data_combo.currentData() or self._stale:
            self._stale = False
            self.refresh()  # the choice or the model changed meanwhile
            return
        if isinstance(result, str):
            self.summary.setText(result)
            self.result = None
            return
        self.result = result
        self._show(result.report, result.views)

    def _show(self, report: Report, views: dict[str, float] | None = None) -> None:
        per_class = " · ".join(f"{d}: {a:.1%}" for d, a in enumerate(report.per_class))
        mistakes = ", ".join(f"{t} read as {p} ({n})" for t, p, n in report.top_confusions(3))
        reader = self.model_text
        if views:
            reader += " + the pen path (" + " · ".join(
                f"{name} alone {accuracy:.2%}" for name, accuracy in views.items()
                if name != "combined") + ")"
        self.summary.setText(f"<b>{report.accuracy:.2%}</b> read right by {reader}"
                             f"<br>per digit: {per_class}<br>most common mistakes: "
                             f"{mistakes or 'none'}")
        worst = max(1, int(np.max(report.confusion - np.diag(np.diag(report.confusion)))))
        for true in range(10):
            for read in range(10):
                count = int(report.confusion[true, read])
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if true == read:
                    item.setBackground(QBrush(QColor(44, 160, 44, 70)))
                elif count:
                    item.setBackground(QBrush(QColor(214, 39, 40, 40 + int(180 * count / worst))))
                self.table.setItem(true, read, item)
        self.gallery.clear()
        self.gallery_title.setText("Click a cell to see its digits.")

    @Slot(int, int)
    def show_cell(self, true: int, read: int) -> None:
        """The digits of one cell (at most GALLERY_LIMIT), with their top two answers."""
        result = self.result
        if result is None:
            return
        predicted = result.probabilities.argmax(axis=1)
        rows = np.flatnonzero((result.labels == true) & (predicted == read))
        self.gallery.clear()
        self.gallery_title.setText(
            f"{len(rows)} × a {true} read as {read}" + (f" (first {GALLERY_LIMIT})"
                                                        if len(rows) > GALLERY_LIMIT else ""))
        for row in rows[:GALLERY_LIMIT]:
            probs = result.probabilities[row]
            first, second = np.argsort(probs)[::-1][:2]
            item = QListWidgetItem(QIcon(thumbnail(result.images[row])),
                                   f"{first} {probs[first]:.0%}")
            item.setToolTip(f"a {true}; read {first} ({probs[first]:.1%}), then {second} "
                            f"({probs[second]:.1%})")
            item.setData(Qt.ItemDataRole.UserRole, int(row))
            self.gallery.addItem(item)

    @Slot(QListWidgetItem)
    def _choose(self, item: QListWidgetItem) -> None:
        if self.result is not None:
            self.chosen.emit(self.result.images[int(item.data(Qt.ItemDataRole.UserRole))])
