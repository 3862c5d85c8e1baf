#!/usr/bin/env python
"""Time from launching ``digitpad`` to a painted window, and to a ready model.

Runs the real entry point in a fresh interpreter (nothing cached in this process) several
times and prints the median. Needs a display or QT_QPA_PLATFORM=offscreen.

    python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROBE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import digitpad._qt.app as app_module
from digitpad._qt import main_window

shown = {}
original_show = main_window.MainWindow.show

def show(self):
    original_show(self)
    QApplication.processEvents()
    shown["window"] = time.perf_counter()
    def poll():
        if self.predictor is not None:
            shown["model"] = time.perf_counter()
            QApplication.quit()
        else:
            QTimer.singleShot(5, poll)
    poll()

main_window.MainWindow.show = show
app_module.run_app()
print("window", shown["window"], "model", shown["model"],
      "tensorflow", "tensorflow" in sys.modules)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    windows, models, tf_loaded = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()  # perf_counter is system-wide monotonic on Linux
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                             check=True).stdout.split()
        windows.append(float(out[1]) - start)
        models.append(float(out[3]) - start)
        tf_loaded.append(out[5] == "True")
    print(f"launch -> window painted: median {statistics.median(windows):.2f} s "
          f"(runs: {', '.join(f'{w:.2f}' for w in windows)})")
    print(f"launch -> model ready:    median {statistics.median(models):.2f} s")
    print(f"TensorFlow imported at start-up: {any(tf_loaded)}")


if __name__ == "__main__":
    main()
