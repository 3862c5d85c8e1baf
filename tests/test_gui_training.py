"""The training panel: a real run in a worker thread, Stop, one run at a time, clean close."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO
from PySide6.QtCore import Qt
from qt_helpers import drag, make_window, picture_probabilities

from digitpad.session import selected_model_path, trained_models_dir


def trained_files():
    """The models trained runs saved (the picker lists them)."""
    folder = trained_models_dir()
    return sorted(folder.glob("*.keras")) if folder.is_dir() else []


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def train_until_done(qtbot, data_path, timeout_ms: int = 30_000):
    """Open a window, click Train, wait for the run to end; returns (window, panel)."""
    win = make_window(qtbot, data_path)
    panel = win.training_panel
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=timeout_ms)
    return win, panel


def one_epoch_over_a_drawing(qtbot, data_path):
    """A window with a 7 drawn, one epoch trained by the Train button: (window, panel, the
    probabilities before the run)."""
    win = make_window(qtbot, data_path)
    panel = win.training_panel
    panel.settings.epochs_spin.setValue(1)
    drag(win.canvas, [(120, 80), (300, 80), (200, 350)])
    before = picture_probabilities(win)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    return win, panel, before


def test_train_shows_progress_curves_result_and_switches_model(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    assert panel.train_button.text() == "Train"  # not "Retrain": new users train too
    assert panel.settings.epochs_spin.value() == 5 and panel.settings.batch_spin.value() == 128
    assert panel.settings.optimizer_combo.currentText() == "rmsprop"
    drag(win.canvas, [(120, 80), (300, 80), (200, 350)])  # a "7"
    before = picture_probabilities(win)
    panel.settings.epochs_spin.setValue(3)
    click(qtbot, panel.train_button)
    assert not panel.train_button.isEnabled() and panel.stop_button.isEnabled()
    assert not panel.settings.epochs_spin.isEnabled()
    qtbot.waitUntil(lambda: panel.plots.train_loss.size > 0, timeout=30_000)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.status_label.styleSheet() == "", panel.status_label.text()
    assert panel.last_result.epochs_completed == 3
    assert panel.plots.train_loss.size >= 3 and panel.plots.test_acc.size == 3
    xs, ys = panel.plots.loss_plot.getPlotItem().listDataItems()[0].getData()
    assert len(xs) == panel.plots.train_loss.size and xs[-1] == pytest.approx(3.0)
    assert np.all(np.isfinite(ys))
    assert re.search(r"test_acc: [01]\.\d{4}", panel.result_label.text())
    assert "overfitting" in panel.result_label.text()
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()
    [saved] = trained_files()
    assert win.active_model.source == "trained" and win.active_model.path == saved
    assert str(saved) in win.model_picker.paths()  # listed in the picker
    win.reading.update_prediction()
    assert not np.allclose(picture_probabilities(win), before, atol=1e-4)
    from digitpad.inference import load_predictor  # the model in use is the file on disk

    np.testing.assert_allclose(load_predictor(saved)(win.reading.last_image),
                               picture_probabilities(win), atol=1e-5)

    # A run on synthetic digits reads real handwriting worse than the bundled model: it is
    # in use now, on trial, with both models' figures; the next launch would go back to the
    # model before. Keep it makes it the choice for the next launch too.
    bar = panel.trial_bar
    assert bar.isVisible() and "the model before: MNIST" in bar.label.text()
    assert selected_model_path() != saved
    click(qtbot, bar.keep_button)
    assert not bar.isVisible() and selected_model_path() == saved.resolve()
    # Next launch uses the kept model; "Restore bundled model" goes back, and the
    # trained run stays one pick away.
    win2 = make_window(qtbot, small_npz)
    assert win2.active_model.source == "trained" and win2.active_model.path == saved
    click(qtbot, win2.training_panel.restore_button)
    assert win2.active_model.source == "bundled" and saved.exists()
    assert str(saved) in win2.model_picker.paths()
    assert selected_model_path() != saved


def test_stop_keeps_the_previous_model_and_offers_what_was_trained(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    panel.settings.batch_spin.setValue(8)  # many batches: the run would take long
    panel.settings.epochs_spin.setValue(50)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.plots.train_loss.size > 2, timeout=30_000)
    click(qtbot, panel.train_button)  # a second click during the run does nothing
    assert panel.is_training
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=30_000)
    assert panel.last_result.cancelled and panel.last_result.saved is None
    assert "previous model is still in use" in panel.status_label.text()
    assert win.active_model.source == "bundled"
    assert trained_files() == []
    assert panel.train_button.isEnabled()
    # A stopped run never looks done: the bar stays where it stopped and says so.
    assert 0 < panel.progress.value() < panel.progress.maximum()
    assert panel.progress.format().startswith("stopped at epoch 1/50")
    assert panel.progress.format().endswith("not kept")
    # What was trained is offered, with its figures; keeping it makes it a run like any
    # other: saved, read with at once (beside the model before, which stays one click away).
    keep = panel.recovery.keep_button
    assert keep.isVisible() and "MNIST test" in panel.status_label.text()
    click(qtbot, keep)
    assert len(trained_files()) == 1 and not keep.isVisible()
    assert win.active_model.source == "trained"
    assert win.active_model.path == trained_files()[0]
    assert panel.progress.format().endswith("partial model kept")
    assert panel.result_label.text()


def test_a_stopped_run_not_kept_is_dropped_by_the_next_run(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    panel.settings.batch_spin.setValue(8)
    panel.settings.epochs_spin.setValue(50)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.plots.train_loss.size > 2, timeout=30_000)
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=30_000)
    assert panel.recovery.keep_button.isVisible()
    panel.settings.epochs_spin.setValue(1)
    click(qtbot, panel.train_button)
    assert not panel.recovery.keep_button.isVisible()  # the new run replaces the offer
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=30_000)
    assert trained_files() == []


def test_stop_with_keep_partial_uses_partial_model(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    panel.keep_partial_check.setChecked(True)
    panel.settings.batch_spin.setValue(8)
    panel.settings.epochs_spin.setValue(50)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.plots.test_acc.size >= 1, timeout=30_000)
    qtbot.waitUntil(lambda: "weights" in win.statusBar().currentMessage(), timeout=5_000)
    assert "epoch 1/50 weights" in win.statusBar().currentMessage()  # not the old model
    click(qtbot, panel.stop_button)
    # Then it saves and reads the same digits with the model before, to compare: seconds.
    qtbot.waitUntil(lambda: not panel.is_training, timeout=30_000)
    assert panel.last_result.cancelled and panel.last_result.saved
    assert win.active_model.source == "trained"
    assert str(win.active_model.path) in win.statusBar().currentMessage()
    # The kept model's test accuracy is plotted where the run stopped, as printed.
    last = panel.plots.test_acc.size - 1
    assert panel.plots.test_acc.values[last] == pytest.approx(panel.last_result.test_accuracy)
    train_acc = panel.plots.train_acc
    assert panel.plots.test_acc.x[last] == pytest.approx(train_acc.x[train_acc.size - 1])


def test_missing_data_gives_visible_error_and_app_stays_usable(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("DIGITPAD_MNIST", raising=False)
    win, panel = train_until_done(qtbot, tmp_path / "no-such-mnist.npz", timeout_ms=10_000)
    assert "no-such-mnist.npz" in panel.status_label.text()
    assert "DIGITPAD_MNIST" in panel.status_label.text()
    assert "color: #c62828" in panel.status_label.styleSheet()
    assert panel.train_button.isEnabled()
    drag(win.canvas, [(100, 100), (100, 300)])
    assert win.last_probabilities is not None and win.active_model.source == "bundled"
    # A file picker is offered; a wrong pick is said at once, a right one trains.
    assert panel.recovery.choose_mnist_button.isVisible()
    not_mnist = tmp_path / "other.npz"
    np.savez(not_mnist, a=np.zeros(3))
    assert not panel.recovery.use_mnist(not_mnist)
    assert "missing x_train" in panel.status_label.text() and not panel.is_training


def test_picking_mnist_after_a_missing_data_error_trains(qtbot, tmp_path, small_npz,
                                                         monkeypatch):
    monkeypatch.delenv("DIGITPAD_MNIST", raising=False)
    win, panel = train_until_done(qtbot, tmp_path / "no-such-mnist.npz", timeout_ms=10_000)
    panel.settings.epochs_spin.setValue(1)
    assert panel.recovery.use_mnist(small_npz) and panel.is_training
    assert not panel.recovery.choose_mnist_button.isVisible()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.last_result.epochs_completed == 1 and panel.data_path == small_npz
    # Remembered: the next launch (and the command line) finds the chosen file by itself.
    from digitpad.mnist import load_mnist

    (x_train, _), _ = load_mnist(download=False)
    assert len(x_train) == 3000  # the small file, not another copy


def test_exception_inside_training_is_reported(qtbot, small_npz, monkeypatch):
    import digitpad.training_run

    def exploding_train(*args, **kwargs):
        raise RuntimeError("simulated failure inside fit")

    monkeypatch.setattr(digitpad.training_run, "train", exploding_train)
    win, panel = train_until_done(qtbot, small_npz)
    assert "simulated failure inside fit" in panel.status_label.text()
    assert panel.train_button.isEnabled() and win.active_model.source == "bundled"


def test_nan_loss_is_reported(qtbot, small_npz, monkeypatch):
    """Data that makes the loss NaN: the real train() detects it and the panel says so."""
    import digitpad.training

    real_one_hot = digitpad.training.one_hot

    def poisoned(y):
        labels = real_one_hot(y)
        labels[::7] = np.nan
        return labels

    monkeypatch.setattr(digitpad.training, "one_hot", poisoned)
    win, panel = train_until_done(qtbot, small_npz)
    assert "diverged" in panel.status_label.text()
    assert "lower learning rate" in panel.status_label.text()
    assert "color: #c62828" in panel.status_label.styleSheet()
    assert win.active_model.source == "bundled" and trained_files() == []


# A fresh process with a long run started; the scripts below end it in different ways.
RUN_IN_FLIGHT = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["DIGITPAD_DATA_DIR"] = {data_dir!r}
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from digitpad._qt.main_window import MainWindow
win = MainWindow(data_path={data_path!r})
win.show()
panel = win.training_panel
panel.settings.batch_spin.setValue(8)
panel.settings.epochs_spin.setValue(100)
panel.start_training()
"""

CLOSE_SCRIPT = RUN_IN_FLIGHT + """
state = {{}}
def poll():
    if "t" not in state and panel.plots.train_loss.size >= {batches_before_close}:
        state["t"] = time.monotonic()
        win.close()
        state["hidden"] = not win.isVisible()
timer = QTimer(interval=20)
timer.timeout.connect(poll)
timer.start()
def safety_net():  # only if closing the window did not end the application
    state["by_safety_net"] = True
    app.quit()
QTimer.singleShot(60000, safety_net)
app.exec()
print("hidden", state["hidden"], "ended-by-close", "by_safety_net" not in state,
      "closed-in", time.monotonic() - state["t"], flush=True)
"""


QUIT_SCRIPT = RUN_IN_FLIGHT + """
QTimer.singleShot({quit_after_ms}, app.quit)  # the process ends with the run in flight
app.exec()
print("quit with training", panel.is_training, flush=True)
"""


@pytest.mark.parametrize("quit_after_ms", [0, 3000, 6000])
def test_quitting_the_application_mid_run_exits_cleanly(small_npz, tmp_path, quit_after_ms):
    """app.quit() with a run in flight: the worker is cancelled and joined, exit 0 (it used
    to abort with "QThread: Destroyed while thread is still running")."""
    script = QUIT_SCRIPT.format(data_dir=str(tmp_path), data_path=str(small_npz),
                                quit_after_ms=quit_after_ms)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "QThread: Destroyed while thread is still running" not in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("batches_before_close", [3, 0], ids=["mid-fit", "during-start-up"])
def test_closing_during_training_exits_cleanly(small_npz, tmp_path, batches_before_close):
    """Closing mid-fit ends after the current batch, not the whole run (100 epochs of 375
    batches); closing while TensorFlow is still being imported hides the window at once and
    exits as soon as the import returns. No Qt thread errors. Closing is what ends the
    application, not the script's safety net; how long it takes is printed, not asserted."""
    script = CLOSE_SCRIPT.format(data_dir=str(tmp_path), data_path=str(small_npz),
                                 batches_before_close=batches_before_close)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    words = proc.stdout.split()
    assert words[words.index("hidden") + 1] == "True"
    assert words[words.index("ended-by-close") + 1] == "True"
    assert "QThread: Destroyed while thread is still running" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plot_ranges_change_in_coarse_steps():
    from digitpad._qt.training_plots import accuracy_floor, loss_decades

    assert loss_decades(np.array([2.3, 0.5, 0.04])) == (-2.0, 1.0)
    assert loss_decades(np.array([0.09, 0.05])) == (-2.0, -1.0)
    assert loss_decades(np.array([np.nan])) == (-2.0, 1.0)
    xs = np.array([0.01, 0.1, 0.5, 1.0, 2.0])
    assert accuracy_floor(xs, np.array([0.1, 0.5, 0.91, 0.95, 0.97])) == pytest.approx(0.85)
    assert accuracy_floor(xs, np.array([0.1, 0.5, 0.93, 0.95, 0.97])) == pytest.approx(0.9)
    assert accuracy_floor(xs[:2], np.array([0.1, 0.5])) == 0.0


def test_a_failed_save_keeps_the_model_and_offers_save_as(qtbot, small_npz, monkeypatch,
                                                          tmp_path):
    """A full or read-only data dir does not throw the run away."""
    import errno

    import digitpad.training_run
    from digitpad.model_file import ModelFileError

    def full_disk(model, path, metadata):
        raise ModelFileError(f"could not save the model to {path}: "
                             f"{__import__('os').strerror(errno.ENOSPC)}")

    monkeypatch.setattr(digitpad.training_run, "save_model", full_disk)
    win, panel, before = one_epoch_over_a_drawing(qtbot, small_npz)
    assert "No space left on device" in panel.status_label.text()
    assert "Save as" in panel.status_label.text() and panel.recovery.save_as_button.isVisible()
    assert trained_files() == []
    assert not np.allclose(picture_probabilities(win), before)  # the new weights read it
    # Training (or fine-tuning) again would drop it: asked first, not thrown away.
    win.training_panel.start_training()
    assert not panel.is_training and "only in memory" in panel.status_label.text()
    assert panel.recovery.save_as_button.isVisible()
    target = tmp_path / "elsewhere" / "mine.keras"
    assert panel.recovery.save_as(target)
    assert target.is_file() and win.active_model.path == target
    assert not panel.recovery.save_as_button.isVisible()


def test_a_run_far_below_the_model_in_use_is_kept_aside(qtbot, small_npz):
    """SGD at a huge rate ends near chance without NaN; it must not replace a good model."""
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    good = win.active_model.path
    panel.seed = 1
    panel.settings.optimizer_combo.setCurrentText("sgd")
    panel.settings.lr_spin.setValue(10.0)
    panel.settings.epochs_spin.setValue(1)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.last_result is not None and panel.last_result.saved, \
        panel.status_label.text()  # seeded: it ends near chance, not in NaN
    assert win.active_model.path == good
    assert "not put in use" in panel.status_label.text()
    assert str(panel.last_result.saved) in win.model_picker.paths()


def test_overfitting_verdict_reads_the_test_curve():
    from digitpad.training import overfitting_verdict

    assert "stopped early" in overfitting_verdict([0.5], 0.99, 0.9, complete=False)
    assert "rising since epoch 3" in overfitting_verdict([0.3, 0.2, 0.1, 0.12, 0.14],
                                                         0.99, 0.98)
    assert "little overfitting" in overfitting_verdict([0.3, 0.2, 0.1], 0.985, 0.98)


@pytest.fixture
def read_only_data_dir(tmp_path, monkeypatch):
    """A data dir on a read-only file system (a tmpfs remounted read-only; root can write
    through chmod, not through a read-only mount)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is refused here (needs root)")
    try:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True,
                       capture_output=True)
        monkeypatch.setenv("DIGITPAD_DATA_DIR", str(folder))
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_read_only_data_dir_keeps_the_finished_run_in_use(qtbot, small_npz,
                                                            read_only_data_dir):
    """Nothing can be written (model, run history, choice): the run still ends, its model is
    read with and offered for Save as…, and the panel is not left at "Saving model…"."""
    win, panel, before = one_epoch_over_a_drawing(qtbot, small_npz)
    assert panel.last_result is not None and panel.last_result.save_error
    assert "Saving model" not in panel.status_label.text()
    assert "Save as" in panel.status_label.text() and panel.recovery.save_as_button.isVisible()
    assert panel.history_problem  # said, not raised
    assert not np.allclose(picture_probabilities(win), before)  # the new weights read it
    assert list(read_only_data_dir.iterdir()) == []
    win.close()


def test_a_run_that_reads_real_handwriting_worse_is_on_trial_and_back_is_one_click(
        qtbot, small_npz):
    """A quick experiment never silently replaces a better model: it is read with now, the
    remembered choice stays, and Back restores the model before."""
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    before = win.active_model.path
    panel.settings.epochs_spin.setValue(1)
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    result = panel.last_result
    assert result.saved is not None and result.pen_accuracy < result.before_pen_accuracy
    assert win.active_model.path == result.saved  # read with at once
    assert selected_model_path() is None or selected_model_path() != result.saved.resolve()
    assert panel.trial_bar.isVisible()
    assert f"{result.before_pen_accuracy:.1%}" in panel.trial_bar.label.text()
    click(qtbot, panel.trial_bar.back_button)
    assert win.active_model.path == before and not panel.trial_bar.isVisible()
    assert str(result.saved) in win.model_picker.paths()  # the run stays one pick away
    again = make_window(qtbot, small_npz)
    assert again.active_model.path == before  # the next launch: the model before
    win.close()
    again.close()
