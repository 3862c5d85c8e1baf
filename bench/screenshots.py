#!/usr/bin/env python
"""Drive the real window like a user and save the README screenshots.

Draws a real pen digit (UNIPEN test split) with mouse events, clicks Train (default: the
book's dense net on MNIST + pen digits, augmented, 5 epochs, so all three curves show), saves
a screenshot mid-training and one at the end, and prints the final accuracies. Run it on a
real display (e.g. Xvfb):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 DIGITPAD_MNIST=/path/to/mnist.npz python bench/screenshots.py --out assets
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
os.environ.setdefault("DIGITPAD_DATA_DIR", tempfile.mkdtemp(prefix="digitpad-shots-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("assets"))
    parser.add_argument("--digit-index", type=int, default=3, help="pen test digit to draw")
    parser.add_argument("--no-train", action="store_true")
    parser.add_argument("--arch", default="dense")
    parser.add_argument("--train-on", default="mnist+pen")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--size", default="1400x940", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--teach", action="store_true",
                        help="teach 3 of each digit (a real test writer's pen digits, drawn "
                        "and labelled with keys), fine-tune, and save screenshot-samples.png "
                        "and screenshot-finetune.png; needs ../shared/data/unipen-digits.npz")
    parser.add_argument("--sizes", default="",
                        help="comma-separated WIDTHxHEIGHT list: for each, save idle, "
                        "training and trained screenshots as sizes/<size>-<state>.png "
                        "(a quick dense run on MNIST)")
    parser.add_argument("--inside", action="store_true",
                        help="save screenshot-why.png (heat map on), screenshot-evaluation.png "
                        "and screenshot-inside.png")
    parser.add_argument("--compare", action="store_true",
                        help="two quick dense runs (learning rate 0.001, then 0.01) compared: "
                        "screenshot-compare.png")
    parser.add_argument("--design", action="store_true",
                        help="open the settings, pick the Fast recipe, design a network in the "
                        "layer editor (timed): screenshot-settings.png, screenshot-design.png")
    parser.add_argument("--number", default="",
                        help="also write this number (real pen digits of one test writer, "
                        "needs ../shared/data/unipen-digits.npz) and save "
                        "screenshot-number.png")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from qt_helpers import draw_in_frame, draw_strokes, fit_to_canvas

    from digitpad._qt.main_window import MainWindow
    from digitpad.pen import read_rendered

    app = QApplication([])
    started = time.perf_counter()
    win = MainWindow()
    win.resize(*map(int, args.size.split("x")))
    win.show()
    app.processEvents()
    print(f"window painted after {time.perf_counter() - started:.2f} s")
    while win.predictor is None:
        app.processEvents()
    print(f"model ready after {time.perf_counter() - started:.2f} s")

    pen = read_rendered()
    y_test = pen.part("test")[1]
    pen_strokes = pen.stroke_lists("test")

    def draw(index: int, window=None) -> None:
        window = window or win
        window.canvas.clear()
        strokes = fit_to_canvas(pen_strokes[index], window.canvas, fraction=0.62,
                                corner=(0.22, 0.16))
        draw_strokes(window.canvas, strokes)
        window.reading.update_prediction()
        app.processEvents()
        probabilities = window.last_probabilities
        print(f"drew a {y_test[index]}: predicted {int(np.argmax(probabilities))} "
              f"({probabilities.max():.1%}), {window.reading.last_latency_ms:.2f} ms")

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    args.out.mkdir(parents=True, exist_ok=True)
    if args.number:
        from bench_numbers import PEN_FILE, SPACINGS, compose, writers_digits

        from digitpad.pen import read_pen_strokes

        writer = writers_digits(read_pen_strokes(PEN_FILE))[0]
        rng = np.random.default_rng(7)
        samples = [writer[int(d)][0] for d in args.number]
        strokes, _ = compose(samples, SPACINGS["normal"], rng)
        points = np.concatenate(strokes)
        strokes = [(s - points.min(axis=0)) * 100 / np.ptp(points[:, 1]) for s in strokes]
        # Begun inside the square canvas; it widens after the second digit, as for a user.
        draw_in_frame(win.canvas, strokes, height=0.3, left=-0.45)
        wait(300)
        print(f"wrote {args.number}: read {win.last_number}, {win.reading.last_latency_ms:.2f} ms")
        win.grab().save(str(args.out / "screenshot-number.png"))
        win.canvas.clear()
        wait(100)
    if args.teach:
        teach(win, app, args.out, wait)
        return
    if args.design:
        panel = win.training_panel
        panel.drawer.set_open(True)
        combo = panel.settings.recipe_combo
        combo.setCurrentIndex(combo.findData("fast"))
        combo.activated.emit(combo.currentIndex())
        wait(300)
        win.grab().save(str(args.out / "screenshot-settings.png"))
        panel.settings.design_button.click()
        editor = panel.settings.editor
        editor.list.setCurrentRow(len(editor.stack) - 1)
        from digitpad.layer_stack import Layer

        editor.add_layer(Layer("dense", 64))
        for _ in range(600):
            if "s an epoch" in editor.timing_label.text():
                break
            wait(100)
        print("timing:", editor.timing_label.text())
        wait(200)
        editor.grab().save(str(args.out / "screenshot-design.png"))
        print(editor.layers(), "|", editor.totals_label.text(), "|", editor.timing_label.text())
        return
    if args.compare:
        panel = win.training_panel
        panel.settings.set_choice("dense", "mnist", False)
        panel.settings.epochs_spin.setValue(4)
        for rate in (0.001, 0.01):
            panel.settings.lr_spin.setValue(rate)
            panel.start_training()
            while panel.is_training:
                wait(100)
        bar = panel.history_bar
        bar.compare_with(bar.compare_combo.itemData(1))
        wait(300)
        panel.grab().save(str(args.out / "screenshot-compare.png"))
        print(panel.result_label.text(), "| compared with", bar.compare_combo.currentText())
        return
    if args.inside:
        draw(args.digit_index)
        win.prediction_view.heat_button.click()
        wait(300)
        win.grab().save(str(args.out / "screenshot-why.png"))
        win.show_inside()
        wait(400)
        win.inside_window.grab().save(str(args.out / "screenshot-inside.png"))
        win.inside_window.close()
        win.show_evaluation()
        view = win.evaluation_window
        view.data_combo.setCurrentIndex(view.data_combo.findData("pen"))
        while view.busy or view.result is None or view.result.data != "pen":
            wait(50)
        confusion = view.result.report.confusion.copy()
        np.fill_diagonal(confusion, 0)
        true, read = np.unravel_index(np.argmax(confusion), confusion.shape)
        view.show_cell(int(true), int(read))
        wait(300)
        view.grab().save(str(args.out / "screenshot-evaluation.png"))
        print(view.summary.text())
        return
    if args.sizes:
        win.close()
        for size in args.sizes.split(","):
            every_state(MainWindow, app, size, args.out / "sizes",
                        lambda window: draw(args.digit_index, window), wait)
        return
    draw(args.digit_index)
    wait(300)
    win.grab().save(str(args.out / "screenshot.png"))
    if args.no_train:
        return
    panel = win.training_panel
    panel.settings.set_choice(args.arch, args.train_on, args.augment)
    panel.settings.epochs_spin.setValue(args.epochs)
    panel.start_training()
    while panel.is_training and panel.plots.test_acc.size < 3:
        wait(50)
    draw(args.digit_index + 1)
    wait(300)
    win.grab().save(str(args.out / "screenshot-training.png"))
    while panel.is_training:
        wait(100)
    print(panel.result_label.text())
    print(panel.status_label.text())
    print("model in use:", win.active_model.describe() if win.active_model else None)
    win.grab().save(str(args.out / "screenshot-trained.png"))
    win.close()


def every_state(window_class, app, size: str, out: Path, draw, wait) -> None:
    """Idle, training and trained screenshots of a fresh window at ``size``."""
    win = window_class()
    width, height = map(int, size.split("x"))
    win.resize(width, height)
    win.show()
    while win.predictor is None:
        app.processEvents()
    out.mkdir(parents=True, exist_ok=True)
    wait(300)
    win.grab().save(str(out / f"{size}-idle.png"))
    print(f"{size}: window {win.width()}x{win.height()}, canvas {win.canvas.width()}x"
          f"{win.canvas.height()}")
    panel = win.training_panel
    panel.settings.set_choice("dense", "mnist", False)
    panel.settings.epochs_spin.setValue(3)
    panel.start_training()
    while panel.is_training and panel.plots.test_acc.size < 1:
        wait(50)
    draw(win)
    wait(300)
    win.grab().save(str(out / f"{size}-training.png"))
    while panel.is_training:
        wait(100)
    wait(300)
    win.grab().save(str(out / f"{size}-trained.png"))
    win.close()


def teach(win, app, out: Path, wait) -> None:
    """Label 5 of each digit of one test writer (the one the book's net reads worst) with key
    presses, show the samples window, fine-tune the book's net and grab the run."""
    from bench_teach import PEN_FILE, writers
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from qt_helpers import draw_in_frame

    from digitpad.paths import asset_path
    from digitpad.pen import read_pen_strokes

    win.pick_model(str(asset_path("model.keras")))  # the book's net: the gain shows most
    mine = writers(read_pen_strokes(PEN_FILE), "test")["val:val01"]
    started = time.perf_counter()
    for digit in range(10):
        for sample in [s for s in mine if s.label == digit][:5]:
            strokes = [s for s in sample.strokes if len(s)]
            points = np.concatenate(strokes)
            scaled = [(s - points.min(axis=0)) * 100 / max(np.ptp(points, axis=0).max(), 1e-6)
                      for s in strokes]
            draw_in_frame(win.canvas, scaled, height=0.6, left=-0.3)
            app.processEvents()
            key = Qt.Key(Qt.Key.Key_0 + digit)
            QTest.keyClick(win.canvas, key)
            if not win.canvas.is_empty():  # read surely as another digit: asked, confirmed
                QTest.keyClick(win.canvas, key)
    print(f"taught {len(win.teaching.samples())} samples in {time.perf_counter() - started:.1f} s, "
          f"{sum(s.corrected for s in win.teaching.samples())} corrections")
    win.teaching.show_samples()
    wait(300)
    win.teaching.samples_window.grab().save(str(out / "screenshot-samples.png"))
    win.teaching.samples_window.close()
    panel = win.training_panel
    win.teaching.request_finetune()
    while panel.is_training and panel.plots.yours_acc.size < 2:
        wait(50)
    wait(200)
    win.grab().save(str(out / "screenshot-finetune-running.png"))
    while panel.is_training:
        wait(100)
    wait(300)
    print(panel.result_label.text())
    print(panel.status_label.text())
    four = [s for s in mine if s.label == 4][6]  # one the fine-tune never saw
    strokes = [s for s in four.strokes if len(s)]
    points = np.concatenate(strokes)
    draw_in_frame(win.canvas, [(s - points.min(axis=0)) * 100 / np.ptp(points, axis=0).max()
                               for s in strokes], height=0.6, left=-0.3)
    wait(300)
    print(f"an unseen 4 of this writer: read {win.last_number}")
    win.grab().save(str(out / "screenshot-finetune.png"))
    win.close()


if __name__ == "__main__":
    main()
