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
