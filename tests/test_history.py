"""Every run's curves kept: written and read back, damaged files skipped, the newest kept,
exported as CSV; in the window, an earlier run drawn behind the current one."""

from __future__ import annotations

import csv

import numpy as np

from digitpad import history
from digitpad.history import RunRecord, export_csv, load_runs, save_run


def record(i: int, test_acc: float = 0.9) -> RunRecord:
    return RunRecord(f"2026112{i % 10}-000000-{i:06d}-dense", "2026-11-22T00:00:00+00:00",
                     f"run {i}", {"architecture": "dense", "epochs": 2},
                     {"test_accuracy": test_acc, "cancelled": False, "nan": float("nan")},
                     {"test_accuracy": [(1.0, 0.8), (2.0, test_acc)],
                      "train_loss": [(0.5, 1.2), (1.0, 0.6), (2.0, float("nan"))]})


def test_runs_round_trip_newest_first(tmp_path):
    save_run(record(1, 0.91), tmp_path)
    save_run(record(2, 0.95), tmp_path)
    runs, problems = load_runs(tmp_path)
    assert problems == [] and [r.label for r in runs] == ["run 2", "run 1"]
    assert runs[0].curves["test_accuracy"] == [(1.0, 0.8), (2.0, 0.95)]
    assert runs[0].curves["train_loss"] == [(0.5, 1.2), (1.0, 0.6)]  # NaN points dropped
    assert "nan" not in runs[0].result  # and NaN figures: the file stays valid JSON


def test_a_damaged_run_file_is_reported_and_the_others_load(tmp_path):
    save_run(record(1), tmp_path)
    (tmp_path / "20991231-broken.json").write_text("{not json")
    (tmp_path / "20991230-list.json").write_text("[1, 2]")
    runs, problems = load_runs(tmp_path, set_aside=True)
    assert [r.label for r in runs] == ["run 1"] and len(problems) == 2
    assert (tmp_path / "20991231-broken.json.damaged").exists()  # reported once
    assert load_runs(tmp_path) == (runs, [])


def test_only_the_newest_runs_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "KEEP", 3)
    for i in range(5):
        save_run(record(i), tmp_path)
    assert sorted(r.label for r in load_runs(tmp_path)[0]) == ["run 2", "run 3", "run 4"]


def test_csv_export(tmp_path):
    path = export_csv(record(1, 0.93), tmp_path / "run.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["curve", "epoch", "value"]
    assert ["test_accuracy", "2", "0.93"] in rows


def test_runs_are_kept_and_compared_in_the_window(qtbot, small_npz, tmp_path):
    from qt_helpers import make_window

    win = make_window(qtbot, data_path=small_npz)
    panel = win.training_panel
    panel.settings.epochs_spin.setValue(2)
    panel.start_training()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    first = panel.history_bar.current
    assert first is not None and len(first.curves["test_accuracy"]) == 2
    panel.start_training()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    bar = panel.history_bar
    assert bar.current.id != first.id and bar.compare_combo.findData(first.id) > 0
    bar.compare_combo.setCurrentIndex(bar.compare_combo.findData(first.id))
    bar.compare_combo.activated.emit(bar.compare_combo.currentIndex())
    x, y = panel.plots.overlay["test_accuracy"].getData()
    np.testing.assert_allclose(y, [p[1] for p in first.curves["test_accuracy"]])
    assert bar.save_png(tmp_path / "plots.png") and (tmp_path / "plots.png").stat().st_size
    export_csv(bar.current, tmp_path / "run.csv")
    assert "test_accuracy" in (tmp_path / "run.csv").read_text()
    bar.compare_with(None)
    assert len(panel.plots.overlay["test_accuracy"].getData()[0] or []) == 0
    win.close()
    # After a restart the runs are still there to compare with; a damaged record is said.
    (history.runs_dir() / "20991231-broken.json").write_text("{")
    again = make_window(qtbot, data_path=small_npz)
    combo = again.training_panel.history_bar.compare_combo
    assert combo.findData(first.id) > 0 and combo.findData(bar.current.id) > 0
    assert "set aside" in again.training_panel.status_label.text()
    assert again.active_model is not None  # the models are untouched
    again.close()


def test_a_curve_point_at_infinity_is_dropped_not_plotted(tmp_path, qtbot):
    import json

    from digitpad._qt.training_plots import TrainingPlots
    from digitpad.history import read_run

    path = tmp_path / "20261129-x.json"
    path.write_text(json.dumps({"format_version": 1, "id": "x", "curves": {
        "test_accuracy": [[1.0, 0.9], [1e400, 0.95], [2.0, 0.96]]}}).replace("1e+400", "1e400"))
    record = read_run(path)
    assert record.curves["test_accuracy"] == [(1.0, 0.9), (2.0, 0.96)]
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.set_overlay(record.curves)  # no "Cannot set range [0, inf]"


def test_a_run_at_chance_is_not_called_overfitting():
    from digitpad.training import overfitting_verdict

    verdict = overfitting_verdict([2.30, 2.31], 0.11, 0.10)
    assert "near chance" in verdict and "overfit" not in verdict
