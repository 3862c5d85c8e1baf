#!/usr/bin/env python
"""The cost of looking inside: the evaluation numbers on 10,000 MNIST test digits, and per
canvas update the inside view (every layer's activations) and the occlusion heat map, for
the book's dense net and the default convnet (numpy forward passes, as in the app); and the
longest stall of the window (a 10 ms timer) while the evaluation window computes.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_explain.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from digitpad.evaluation import evaluate
from digitpad.explain import heat_map, inside
from digitpad.inference import load_predictor
from digitpad.mnist import load_mnist
from digitpad.paths import asset_path
from digitpad.pen import load_pen_images


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    (_, _), (x_test, y_test) = load_mnist()
    drawings = load_pen_images().part("test")[0][:200] / 255.0
    print("| model | evaluation, 10,000 MNIST test digits | inside view per update "
          "(median / p95) | heat map per update (median / p95) |")
    print("| --- | ---: | ---: | ---: |")
    for name in ("model.keras", "model-convnet.keras"):
        predictor = load_predictor(asset_path(name))
        evaluation = timed(lambda p=predictor: evaluate(p, x_test, y_test), 3)
        inside_ms = [timed(lambda d=d, p=predictor: inside(p.layers, d), 1)[0]
                     for d in drawings]
        heat_ms = [timed(lambda d=d, p=predictor: heat_map(p, d), 1)[0] for d in drawings]
        print(f"| {predictor.architecture} | {min(evaluation) / 1000:.2f} s "
              f"| {statistics.median(inside_ms):.2f} / {np.percentile(inside_ms, 95):.2f} ms "
              f"| {statistics.median(heat_ms):.1f} / {np.percentile(heat_ms, 95):.1f} ms |")


def gui_stall() -> None:
    """Longest gap of a 10 ms timer while the evaluation window reads MNIST test."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from digitpad._qt.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    win = MainWindow()
    win.show()
    while win.predictor is None:
        app.processEvents()
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()
    win.show_evaluation()
    view = win.evaluation_window
    loop = QEventLoop()
    poll = QTimer(interval=20)
    poll.timeout.connect(lambda: loop.quit() if view.result is not None else None)
    poll.start()
    loop.exec()
    gaps = np.diff(ticks) * 1000
    print(f"\nevaluation window, convnet on MNIST test: ready in "
          f"{time.perf_counter() - started:.2f} s; longest gap of a 10 ms timer meanwhile "
          f"{gaps.max():.0f} ms, 99th percentile {np.percentile(gaps, 99):.0f} ms")
    # The inside window's repaint (GUI thread, at most every 60 ms while drawing).
    win.show_inside()
    drawings = load_pen_images().part("test")[0][:50] / 255.0
    for name in ("model-convnet.keras", "model.keras"):
        predictor = load_predictor(asset_path(name))
        paint = []
        for image in drawings:
            win.inside_window.show_drawing(predictor, image)
            start = time.perf_counter()
            win.inside_window._paint()
            app.processEvents()
            paint.append((time.perf_counter() - start) * 1000)
        print(f"inside window repaint, {predictor.architecture}: median "
              f"{statistics.median(paint):.1f} ms, p95 {np.percentile(paint, 95):.1f} ms")
    win.close()


if __name__ == "__main__":
    main()
    gui_stall()
