"""Runs compared: every run's curves are kept (:mod:`digitpad.history`); pick an earlier one
to draw it faintly behind the current curves, export a run's curves as CSV and the plots as
PNG."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.history import HistoryError, RunRecord, export_csv, load_runs, new_run_id, save_run
from digitpad.samples import now_iso

from .training_plots import TrainingPlots


def network_name(settings: dict) -> str:
    """The run's network in a few words: ``convnet``, ``dense``, ``design conv8,pool,dense32``."""
    architecture = str(settings.get("architecture", "?"))
    if architecture == "custom":
        return f"design {settings.get('layers') or '(no hidden layer)'}"
    return architecture


def run_label(settings: dict, result: dict) -> str:
    kind = "fine-tune" if settings.get("data") == "yours+mnist" else \
        f"{network_name(settings)} · {settings.get('data', '?')}"
    acc = result.get("test_accuracy", math.nan)
    figure = f" · MNIST {acc:.1%}" if isinstance(acc, float) and math.isfinite(acc) else ""
    stopped = " · stopped" if result.get("cancelled") else ""
    rate = settings.get("learning_rate")
    rate = f" · lr {rate:g}" if isinstance(rate, float) else ""
    return f"{kind} · {settings.get('epochs', '?')} epochs{rate}{figure}{stopped}"


class RunHistoryBar(QWidget):
    """"Compare with" an earlier run, and the export buttons, above the plots."""

    def __init__(self, plots: TrainingPlots, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = plots
        self.runs: list[RunRecord] = []
        self.current: RunRecord | None = None  # the run on the plots now
        self.compare_combo = QComboBox(objectName="compareCombo")
        # Long run labels never widen the column; the list shows them whole, elided in the
        # middle only if the screen is narrower still.
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setMinimumContentsLength(12)
        self.compare_combo.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.compare_combo.setToolTip("Draw an earlier run's curves faintly behind these")
        self.compare_combo.activated.connect(self._on_pick)
        self.csv_button = QToolButton(text="CSV…", objectName="exportCsvButton")
        self.csv_button.setToolTip("Export this run's curves as CSV (curve, epoch, value)")
        self.png_button = QToolButton(text="PNG…", objectName="exportPngButton")
        self.png_button.setToolTip("Save the plots as a PNG picture")
        self.csv_button.clicked.connect(self.ask_csv)
        self.png_button.clicked.connect(self.ask_png)
        # While comparing: which network drew which curves.
        self.compare_note = QLabel(objectName="compareNote")
        self.compare_note.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        self.compare_note.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Compare with"))
        row.addWidget(self.compare_combo, 1)
        row.addWidget(self.csv_button)
        row.addWidget(self.png_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.compare_note)
        self.problems = self.reload()  # damaged run records, set aside: the panel says so

    def reload(self) -> list[str]:
        """Re-read the history; returns problems (damaged files skipped)."""
        self.runs, problems = load_runs(set_aside=True)
        self.compare_combo.clear()
        earlier = [run for run in self.runs
                   if self.current is None or run.id != self.current.id]
        self.compare_combo.addItem("(none: pick an earlier run)" if earlier else
                                   "no earlier run yet", None)
        for run in earlier:
            self.compare_combo.addItem(f"{run.date[:16].replace('T', ' ')} · {run.label}",
                                       run.id)
        self.csv_button.setEnabled(self.current is not None)
        return problems

    def record(self, settings: dict, result: dict) -> RunRecord | str:
        """Keep the run now on the plots; if it cannot be written, why (one line), and the
        run's model is not affected."""
        record = RunRecord(new_run_id(str(settings.get("architecture", "run"))), now_iso(),
                           run_label(settings, result), settings, result,
                           self.plots.named_curves())
        try:
            save_run(record)
        except HistoryError as exc:
            return str(exc)
        self.current = record
        self.reload()
        return record

    def compare_with(self, run_id: str | None) -> None:
        run = next((r for r in self.runs if r.id == run_id), None)
        self.plots.set_overlay(run.curves if run is not None else None)
        if run is not None:
            now = network_name(self.current.settings) if self.current is not None else "—"
            self.compare_note.setText(f"colours: {now} · grey: {network_name(run.settings)}")
            self.compare_note.setToolTip(f"colours: {self.current.label if self.current else '—'}"
                                         f"\ngrey: {run.label}")
        self.compare_note.setVisible(run is not None)
        index = self.compare_combo.findData(run_id)
        self.compare_combo.setCurrentIndex(max(index, 0))

    @Slot(int)
    def _on_pick(self, index: int) -> None:
        self.compare_with(self.compare_combo.itemData(index))

    @Slot()
    def ask_csv(self) -> None:
        if self.current is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export curves", f"{self.current.id}.csv",
                                              "CSV (*.csv)")
        if path:
            export_csv(self.current, Path(path))

    @Slot()
    def ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save plots", "digitpad-curves.png",
                                              "PNG (*.png)")
        if path:
            self.save_png(Path(path))

    def save_png(self, path: Path) -> bool:
        return self.plots.grab().save(str(path))
