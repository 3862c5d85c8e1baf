"""One bounded reader for digitpad's JSON files: a hostile file in the data dir is reported
and set aside, never a crash, a hang, or a launch that fails every time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from conftest import REPO

from digitpad.history import load_runs
from digitpad.jsonfile import JsonFileError, read_json
from digitpad.session import SELECTION_FILE, choose_model

DEEP = "[" * 200_000 + "]" * 200_000
HUGE_INT = '{"format_version": 1, "id": ' + "9" * 5000 + "}"


def finishes(function, *args, seconds: float = 10.0):
    """Run ``function`` in a thread; its result, or a test failure if it blocks."""
    outcome: list = []

    def call():
        try:
            outcome.append(function(*args))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{function.__name__} blocked"
    return outcome[0]


@pytest.mark.parametrize("text", [DEEP, HUGE_INT, "{", "\xff\xfe not utf-8"])
def test_anything_json_cannot_take_is_one_clear_error(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(JsonFileError, match="bad.json"):
        read_json(path, 8 << 20)


def test_a_fifo_or_a_big_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    error = finishes(read_json, fifo, 1000)
    assert isinstance(error, JsonFileError) and "not a regular file" in str(error)
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 1000 + "1]")
    with pytest.raises(JsonFileError, match="too big"):
        read_json(big, 1000)


def test_hostile_run_records_are_reported_set_aside_and_the_rest_load(tmp_path):
    from digitpad.history import RunRecord, save_run

    save_run(RunRecord("20261129-good", "2026-11-29", "good", {}, {}), tmp_path)
    (tmp_path / "a-deep.json").write_text(DEEP)
    (tmp_path / "b-huge.json").write_text(HUGE_INT)
    os.mkfifo(tmp_path / "c-pipe.json")
    runs, problems = finishes(load_runs, tmp_path, True)
    assert [r.label for r in runs] == ["good"] and len(problems) == 3
    assert sorted(p.name for p in tmp_path.glob("*.damaged")) == [
        "a-deep.json.damaged", "b-huge.json.damaged", "c-pipe.json.damaged"]
    assert load_runs(tmp_path) == (runs, [])  # reported once, not at every launch


@pytest.mark.parametrize("kind", ["fifo", "deep", "not a record"])
def test_a_hostile_model_choice_falls_back_to_the_default_with_a_word(kind,
                                                                      isolated_user_dir):
    choice = isolated_user_dir / SELECTION_FILE
    if kind == "fifo":
        os.mkfifo(choice)
    else:
        choice.write_text(DEEP if kind == "deep" else '{"path": [1, 2]}')
    active, warnings = finishes(choose_model)
    assert active.source == "bundled"
    assert any("model choice could not be read" in w for w in warnings)
    assert not os.path.lexists(choice)  # set aside: the next launch is quiet
    assert choose_model()[1] == []


LAUNCH = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from digitpad._qt.main_window import MainWindow
win = MainWindow()
win.show()
def check():
    if win.predictor is not None:
        print("model", win.active_model.source, flush=True)
        win.close()
        app.quit()
timer = QTimer(interval=50)
timer.timeout.connect(check)
timer.start()
QTimer.singleShot(30000, app.quit)
app.exec()
"""


def test_the_window_launches_over_a_hostile_data_dir(tmp_path):
    """FIFOs where window.ini, a run record and the model choice should be, and a model
    choice nested 200,000 deep: the real window still opens, reads, and quits."""
    data = tmp_path / "data"
    (data / "runs").mkdir(parents=True)
    os.mkfifo(data / "window.ini")
    os.mkfifo(data / "runs" / "20261129-x.json")
    (data / SELECTION_FILE).write_text(DEEP)
    done = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                          timeout=120, cwd=REPO,
                          env={**os.environ, "DIGITPAD_DATA_DIR": str(data),
                               "DIGITPAD_PREWARM": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "model bundled" in done.stdout
