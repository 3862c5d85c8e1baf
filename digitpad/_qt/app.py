"""Start the Qt application."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from digitpad.paths import asset_path


def quiet_tensorflow() -> None:
    """TensorFlow's C++ errors (e.g. "failed call to cuInit" on every CPU-only machine) are
    noise for a desktop user (real failures reach the panel as Python exceptions), unless the
    user asked for a log level. (A few lines TensorFlow prints before its logging starts
    cannot be turned off: tensorflow/tensorflow#100442.)"""
    import digitpad

    if not digitpad.TF_LOG_LEVEL_SET_BY_USER:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


def run_app(model_path: Path | None = None, data_path: Path | None = None) -> int:
    quiet_tensorflow()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("digitpad")
    app.setOrganizationName("digitpad")
    icon = asset_path("icon.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal quits

    from .main_window import MainWindow

    window = MainWindow(model_path=model_path, data_path=data_path)
    window.show()
    return app.exec()
