#!/usr/bin/env python
"""Soak: a long session of drawing, keeping samples and clearing, in the real window
(offscreen). Prints the memory after warm-up and at the end, and how long reading the canvas
takes as strokes pile up on it (10 ... 300 strokes, never cleared).

    QT_QPA_PLATFORM=offscreen python bench/bench_soak.py [--strokes 2000]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def rss_mb() -> float:
    """Resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / (1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=2000)
    parser.add_argument("--pile", default="10,50,100,200,300")
    args = parser.parse_args()
    import os

    os.environ.setdefault("DIGITPAD_DATA_DIR", tempfile.mkdtemp(prefix="digitpad-soak-"))
    os.environ.setdefault("DIGITPAD_PREWARM", "0")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from qt_helpers import draw_strokes, fit_to_canvas

    from digitpad._qt.main_window import MainWindow
    from digitpad.pen import read_rendered

    app = QApplication([])
    win = MainWindow()
    win.resize(1320, 760)
    win.show()
    while win.predictor is None:
        app.processEvents()
    pen = read_rendered()
    labels = pen.part("test")[1]
    digits = pen.stroke_lists("test")
    rng = np.random.default_rng(0)

    drawn, kept, warm = 0, 0, None
    while drawn < args.strokes:
        index = int(rng.integers(len(digits)))
        strokes = fit_to_canvas(digits[index], win.canvas, fraction=0.6, corner=(0.2, 0.2))
        draw_strokes(win.canvas, strokes)
        app.processEvents()
        drawn += len(strokes)
        if drawn // 10 > kept:  # about every tenth stroke: keep it as a sample
            kept += 1
            key = Qt.Key(Qt.Key.Key_0 + int(labels[index]))
            QTest.keyClick(win.canvas, key)
            if not win.canvas.is_empty():
                QTest.keyClick(win.canvas, key)  # read as another digit: asked, confirmed
        win.canvas.clear()
        app.processEvents()
        if warm is None and drawn >= 200:
            warm = rss_mb()
    end = rss_mb()
    if warm is not None:
        print(f"{drawn} strokes, {kept} samples kept: {warm:.0f} MB after warm-up -> "
              f"{end:.0f} MB ({end - warm:+.1f} MB)")

    win.canvas.clear()
    marks = sorted(int(v) for v in args.pile.split(","))
    h, w = win.canvas.height(), win.canvas.width()
    print("| strokes on the canvas | reading it (median ms) |")
    print("|---:|---:|")
    count = 0
    for mark in marks:
        while count < mark:
            x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
            angle = rng.uniform(0, 2 * np.pi)
            line = np.array([[x, y], [x + 30 * np.cos(angle), y + 30 * np.sin(angle)]])
            draw_strokes(win.canvas, [line])
            count += 1
        app.processEvents()
        times = []
        for _ in range(9):
            start = time.perf_counter()
            win.reading.update_prediction()
            times.append((time.perf_counter() - start) * 1000)
        print(f"| {mark} | {statistics.median(times):.1f} |")
    win.close()


if __name__ == "__main__":
    main()
