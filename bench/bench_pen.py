#!/usr/bin/env python
"""Real handwriting: how well each recipe reads pen-drawn digits of sites never trained on.

Trains each recipe with the app's own train() (or evaluates the bundled models), then reports
MNIST test accuracy, pen ``test`` accuracy (UNIPEN sites aga, ibm, val: 2,774 digits, 28
writers) overall, per class and per site, the top confusions, and seconds per epoch on this
machine. The pen digits go through the canvas path (``strokes_to_mnist``).

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_pen.py                  # all recipes
    python bench/bench_pen.py --recipes bundled                                   # no training
    python bench/bench_pen.py --recipes dense convnet --seed 2
    python bench/bench_pen.py --pen ../shared/data/unipen-digits.npz              # from strokes
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np

from digitpad import recipes, training
from digitpad.evaluation import Report, evaluate
from digitpad.inference import load_predictor, predictor_for_model
from digitpad.paths import asset_path
from digitpad.pen import load_pen_images
from digitpad.session import BUNDLED
from digitpad.training import train
from digitpad.training_data import load_training_data

BOOK = recipes.RECIPES["book"]
# The recipes compared: variations of the book's run, and the bundled convnet's recipe.
RECIPES = {
    "dense": BOOK,
    "dense-aug": replace(BOOK, augment=True),
    "dense-pen": replace(BOOK, data="mnist+pen"),
    "dense-aug-pen": replace(BOOK, data="mnist+pen", augment=True),
    "convnet": replace(BOOK, architecture="convnet"),
    "convnet-aug-pen": recipes.RECIPES["convnet"],  # the bundled default's recipe
}


def report_lines(name: str, mnist: Report, pen: Report, seconds: list[float]) -> list[str]:
    per_epoch = f"{statistics.median(seconds):.1f}" if seconds else "-"
    lines = [f"| {name} | {mnist.accuracy:.4f} | {pen.accuracy:.4f} | "
             + " | ".join(f"{pen.per_group[s]:.3f}" for s in sorted(pen.per_group))
             + f" | {per_epoch} |"]
    lines.append(f"  {name}, per class (pen): " + "  ".join(
        f"{d}:{a:.3f}" for d, a in enumerate(pen.per_class)))
    lines.append(f"  {name}, top confusions (pen, true->predicted): " + ", ".join(
        f"{t}->{p}: {n}" for t, p, n in pen.top_confusions()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=[*RECIPES, "bundled"],
                        choices=[*RECIPES, "bundled"])
    parser.add_argument("--epochs", type=int, default=None, help="override each recipe's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=None, help="mnist.npz (default: $DIGITPAD_MNIST)")
    parser.add_argument("--pen", default=None, help="pen digits (default: the shipped file)")
    args = parser.parse_args()

    pen = load_pen_images(args.pen)
    x_pen, y_pen = pen.part("test")
    sites = pen.sites("test")
    rows: list[str] = []
    header = ("| model | MNIST test | pen test | " + " | ".join(
        f"pen {s}" for s in sorted(set(sites))) + " | s/epoch |")
    for name in args.recipes:
        if name == "bundled":
            data = load_training_data("mnist", args.data, args.pen)
            for file, label in BUNDLED.items():
                predictor = load_predictor(asset_path(file))
                mnist = evaluate(predictor, *data.test)
                start = time.perf_counter()
                for image in x_pen[:500]:
                    predictor(image / np.float32(255))
                ms = (time.perf_counter() - start) / 500 * 1000
                rows += report_lines(f"bundled: {label}", mnist,
                                     evaluate(predictor, x_pen, y_pen, sites), [])
                rows.append(f"  bundled: {label}, numpy forward per digit: {ms:.3f} ms")
            continue
        config = replace(RECIPES[name], seed=args.seed,
                         epochs=args.epochs or RECIPES[name].epochs)
        data = load_training_data(config.data, args.data, args.pen)
        model = training.build_for(config)
        print(f"training {name}: {config}", flush=True)
        result = train(model, data.train, data.test, config, monitors=data.monitors,
                       alternates=data.alternates() if config.augment and config.redraw else None,
                       on_epoch=lambda e, logs: print(
                           f"  epoch {e + 1}: MNIST {logs['val_accuracy']:.4f} "
                           f"pen {logs.get('pen_accuracy', float('nan')):.4f}", flush=True))
        predictor = predictor_for_model(model)
        rows += report_lines(name, evaluate(predictor, *data.test),
                             evaluate(predictor, x_pen, y_pen, sites), result.per_epoch_seconds)
        print("\n".join(rows[-3:]), flush=True)
    print()
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    print("\n".join(r for r in rows if r.startswith("|")))
    print()
    print("\n".join(r for r in rows if not r.startswith("|")))


if __name__ == "__main__":
    main()
