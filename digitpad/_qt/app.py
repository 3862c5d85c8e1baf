"""Start the Qt application."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from digitpad.paths import asset_path


def run_app(model_path: Path | None = None, data_path: Path | None = None) -> int:
    # TensorFlow's C++ log (e.g. "failed call to cuInit" on every CPU-only machine) is noise
    # for a desktop user; real failures still reach the panel as Python exceptions.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
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
