"""TensorFlow's one-time start-up is paid while the window is idle, not at the first Train;
a run started before (or during) it works all the same."""

from __future__ import annotations

from qt_helpers import drag, make_window

import digitpad._qt.tensorflow_warmup as warmup


def test_idle_warmup_then_a_run(qtbot, small_npz, monkeypatch):
    monkeypatch.setenv("DIGITPAD_PREWARM", "1")
    monkeypatch.setattr(warmup, "IDLE_MS", 2000)  # longer than opening a window under load
    win = make_window(qtbot, data_path=small_npz)
    assert win.warmup.enabled and not win.warmup.started
    for _ in range(3):  # drawing keeps it waiting for a quiet moment
        drag(win.canvas, [(100, 100), (120, 160)])
        qtbot.wait(700)
        assert not win.warmup.started
    qtbot.waitUntil(lambda: win.warmup.done.is_set(), timeout=60_000)
    assert win.warmup.started
    panel = win.training_panel
    panel.settings.epochs_spin.setValue(1)
    panel.train_limit = 120  # bounded: the test is about the warm-up, not the run
    panel.start_training()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.last_result.saved
    win.close()


def test_a_click_before_the_quiet_moment_skips_the_warmup(qtbot, small_npz, monkeypatch):
    monkeypatch.setenv("DIGITPAD_PREWARM", "1")
    win = make_window(qtbot, data_path=small_npz)  # 3 s of quiet not reached yet
    panel = win.training_panel
    panel.settings.epochs_spin.setValue(1)
    panel.train_limit = 120  # bounded: the test is about the warm-up, not the run
    panel.start_training()
    assert not win.warmup.started and win.warmup.done.is_set()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.last_result.saved
    qtbot.wait(200)
    assert not win.warmup.started  # and never afterwards
    win.close()


def test_the_warmup_can_be_turned_off(qtbot, monkeypatch):
    monkeypatch.setenv("DIGITPAD_PREWARM", "0")
    win = make_window(qtbot)
    assert not win.warmup.enabled and win.warmup.done.is_set()
    win.warmup.start()
    assert not win.warmup.started
    win.close()
