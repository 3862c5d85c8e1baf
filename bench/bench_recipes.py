#!/usr/bin/env python
"""The recipes side by side, each timed as a user waits for it: from the click (loading the
data, re-drawing strokes, building) to the saved model, on this machine; then MNIST test, pen
``test`` (sites never trained on, through the canvas path) and its worst site; and the
layer editor's predicted seconds an epoch against whole measured epochs for designed networks.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_recipes.py            # everything
    python bench/bench_recipes.py --recipes fast book                           # some recipes
    python bench/bench_recipes.py --recipes --designs "conv8,pool,dense64"      # timing only

Run it alone: timings from a busy machine are not this machine's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from digitpad.epoch_timing import estimate_epoch
from digitpad.evaluation import evaluate
from digitpad.inference import predictor_for_model
from digitpad.model_file import save_model
from digitpad.pen import load_pen_images
from digitpad.recipes import PICTURE_RECIPES, RECIPE_NAMES, RECIPES
from digitpad.training import TrainConfig, build_for, run_metadata, train
from digitpad.training_data import load_training_data

DESIGNS = ["dense128", "dense256,drop0.2,dense256", "conv8,pool,dense64",
           "conv16,pool,conv32,pool,flatten,dense128", "conv32,pool,conv64,pool,gap"]


def run_recipe(config: TrainConfig, mnist: str | None, folder: Path) -> dict:
    """Train ``config`` as the window does, timing from the click to the saved file
    (TensorFlow already imported, as the window warms it up while you draw)."""
    import tensorflow  # noqa: F401

    started = time.perf_counter()
    data = load_training_data(config.data, mnist)
    alternates = data.alternates() if config.augment and config.redraw else None
    prepared = time.perf_counter() - started
    model = build_for(config)
    result = train(model, data.train, data.test, config, monitors=data.monitors,
                   alternates=alternates,
                   on_epoch=lambda e, logs: print(
                       f"  epoch {e + 1}: MNIST {logs['val_accuracy']:.4f} pen "
                       f"{logs.get('pen_accuracy', float('nan')):.4f} "
                       f"({time.perf_counter() - started:.0f} s)", flush=True))
    save_model(model, folder / "model.keras", run_metadata(config, result, len(data.train[0])))
    wall = time.perf_counter() - started
    pen = load_pen_images()
    x_pen, y_pen = pen.part("test")
    report = evaluate(predictor_for_model(model), x_pen, y_pen, pen.sites("test"))
    worst = min(report.per_group, key=report.per_group.get)
    return {"wall": wall, "prepare": prepared, "epoch": statistics.median(
        result.per_epoch_seconds), "mnist": result.test_accuracy, "pen": report.accuracy,
        "worst": f"{worst} {report.per_group[worst]:.3f}"}


def time_design(layers: str, mnist: str | None) -> tuple[float, float]:
    """(predicted, measured) seconds for one epoch of MNIST, batch 128, evaluated on the
    10,000 test digits (what ``per_epoch_seconds`` covers)."""
    predicted = estimate_epoch("custom", layers, 128, 60_000, eval_samples=10_000).seconds
    config = TrainConfig(epochs=2, architecture="custom", layers=layers)
    data = load_training_data("mnist", mnist)
    result = train(build_for(config), data.train, data.test, config)
    return predicted, result.per_epoch_seconds[-1]  # the second: no tracing in it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="*", default=list(PICTURE_RECIPES),
                        choices=list(PICTURE_RECIPES))
    parser.add_argument("--designs", nargs="*", default=DESIGNS)
    parser.add_argument("--data", default=None, help="mnist.npz (default: $DIGITPAD_MNIST)")
    args = parser.parse_args()

    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for key in args.recipes:
            print(f"{RECIPE_NAMES[key]}: {RECIPES[key]}", flush=True)
            rows[key] = run_recipe(RECIPES[key], args.data, Path(folder))
            print(f"  {rows[key]}", flush=True)
    timings = []
    for layers in args.designs:
        predicted, measured = time_design(layers, args.data)
        timings.append((layers, predicted, measured))
        print(f"  {layers}: predicted {predicted:.1f} s, measured {measured:.1f} s", flush=True)

    if rows:
        print("\n| recipe | click to saved model | of it: data + re-drawing | s/epoch | "
              "MNIST test | pen test | worst pen site |\n|---|---:|---:|---:|---:|---:|---|")
        for key, row in rows.items():
            print(f"| {RECIPE_NAMES[key]} | {row['wall']:.0f} s | {row['prepare']:.0f} s | "
                  f"{row['epoch']:.1f} | {row['mnist']:.4f} | {row['pen']:.4f} | "
                  f"{row['worst']} |")
        if "fast" in rows and "convnet" in rows:
            ratio = rows["convnet"]["wall"] / rows["fast"]["wall"]
            print(f"\nFast reaches {rows['fast']['pen']:.4f} on pen test in "
                  f"{rows['fast']['wall']:.0f} s; Best for real handwriting "
                  f"{rows['convnet']['pen']:.4f} in {rows['convnet']['wall']:.0f} s: "
                  f"{ratio:.1f}x the time.")
    if timings:
        print("\n| designed network | predicted s/epoch | measured s/epoch | error |\n"
              "|---|---:|---:|---:|")
        for layers, predicted, measured in timings:
            print(f"| `{layers}` | {predicted:.1f} | {measured:.1f} | "
                  f"{(predicted - measured) / measured:+.0%} |")


if __name__ == "__main__":
    main()
