"""Command line entry points answer without importing TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import digitpad

PROBE = (
    "import sys, contextlib, io\n"
    "from digitpad.__main__ import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    try:\n"
    "        main([{arg!r}])\n"
    "    except SystemExit as exc:\n"
    "        code = exc.code\n"
    "print(out.getvalue())\n"
    "print('exit', code)\n"
    "print('tensorflow loaded' if 'tensorflow' in sys.modules else 'no tensorflow')\n"
    "print('qt loaded' if 'PySide6.QtWidgets' in sys.modules else 'no qt')\n"
)


def run_probe(arg: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True,
                          text=True, timeout=60, check=True).stdout


def test_version_without_tensorflow():
    out = run_probe("--version")
    assert f"digitpad {digitpad.__version__}" in out
    assert "exit 0" in out and "no tensorflow" in out and "no qt" in out


def test_help_without_tensorflow():
    out = run_probe("--help")
    assert "classify" in out and "--model" in out
    assert "exit 0" in out and "no tensorflow" in out


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "digitpad", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and digitpad.__version__ in proc.stdout


def test_train_model_script_help():
    from conftest import REPO

    proc = subprocess.run([sys.executable, str(REPO / "train_model.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for option in ("--out", "--epochs", "--batch-size", "--data", "--seed"):
        assert option in proc.stdout


def test_train_model_builds_the_layers_it_is_given(tmp_path, small_npz):
    """``--layers`` (words or a JSON file) trains that network and records it; a wrong stack
    is refused in words before anything loads."""
    from conftest import REPO

    from digitpad.inference import NumpyPredictor, load_predictor
    from digitpad.model_file import read_metadata

    script = [sys.executable, str(REPO / "train_model.py"), "--data", str(small_npz),
              "--epochs", "1"]
    (tmp_path / "net.json").write_text('["conv4", "pool", {"kind": "dense", "size": 8}]')
    out = tmp_path / "mine.keras"
    proc = subprocess.run([*script, "--layers", str(tmp_path / "net.json"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    meta = read_metadata(out)
    assert (meta["architecture_key"], meta["layers"]) == ("custom", "conv4,pool,dense8")
    assert isinstance(load_predictor(out), NumpyPredictor)
    proc = subprocess.run([*script, "--layers", "dense8,conv4"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "a convolution needs a picture" in proc.stderr
    proc = subprocess.run([*script, "--layers", "resnet50"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "'resnet50', is not a layer" in proc.stderr


def test_app_starts_and_classifies_without_importing_tensorflow(tmp_path):
    """``digitpad`` opens a window with the bundled model ready; TensorFlow stays unloaded."""
    script = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from digitpad.__main__ import main\n"
        "def check():\n"
        "    win = [w for w in app.topLevelWidgets() if w.objectName() == 'digitpadMain']\n"
        "    if win and win[0].predictor is not None:\n"
        "        print('ready', win[0].active_model.source)\n"
        "        print('tensorflow' in sys.modules)\n"
        "        app.quit()\n"
        "    else:\n"
        "        QTimer.singleShot(20, check)\n"
        "QTimer.singleShot(0, check)\n"
        "sys.exit(main([]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**__import__("os").environ,
                                           "DIGITPAD_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["ready", "bundled", "False"]


def test_the_window_quiets_tensorflow_errors_unless_the_user_chose_a_level(monkeypatch):
    import digitpad
    from digitpad._qt.app import quiet_tensorflow

    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")  # what importing digitpad sets
    monkeypatch.setattr(digitpad, "TF_LOG_LEVEL_SET_BY_USER", False)
    quiet_tensorflow()
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.setattr(digitpad, "TF_LOG_LEVEL_SET_BY_USER", True)
    quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
