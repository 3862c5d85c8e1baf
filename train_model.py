#!/usr/bin/env python
"""Train a digitpad network and save it; the same train() as the app's Train button.

    python train_model.py                   # the book (dense, MNIST, 5 epochs): assets/model.keras
    python train_model.py --preset convnet  # the bundled default: assets/model-convnet.keras
    python train_model.py --preset pen-path # the pen-path network: assets/model-pen-path.keras
    python train_model.py --preset fast     # real handwriting in under two minutes
    python train_model.py --arch convnet --train-on mnist+pen --augment --epochs 8 --out my.keras
    python train_model.py --layers "conv32,pool,conv64,pool,dense128,drop0.3" --epochs 3
    python train_model.py --layers my-network.json   # the same, from a JSON list of layers

The presets are seeded, so they reproduce the bundled files' accuracies. --layers builds the
same networks as the window's layer editor (see digitpad/layer_stack.py for the layer words).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from digitpad.layer_stack import (
    LayerStackError,
    format_layers,
    layers_from_json,
    parse_layers,
    plan,
)
from digitpad.mnist import MnistError
from digitpad.model_file import ModelFileError, save_model
from digitpad.networks import ARCHITECTURES, CUSTOM, OPTIMIZERS, PATH_ARCHITECTURES
from digitpad.paths import FileProblem, read_regular_file
from digitpad.pen import PenDataError
from digitpad.recipes import RECIPES
from digitpad.training import TrainConfig, TrainingError, build_for, run_metadata, train
from digitpad.training_data import DATA_CHOICES, PATH_DATA_CHOICES, load_training_data

ASSETS = Path(__file__).resolve().parent / "assets"
OUTPUTS = {"book": ASSETS / "model.keras", "convnet": ASSETS / "model-convnet.keras",
           "pen-path": ASSETS / "model-pen-path.keras"}
# Option name: TrainConfig field, for the options a preset fills in.
FIELDS = {"arch": "architecture", "train_on": "data", "augment": "augment", "epochs": "epochs",
          "batch_size": "batch_size", "optimizer": "optimizer",
          "learning_rate": "learning_rate", "lr_decay": "lr_decay",
          "average_weights": "average_weights", "seed": "seed", "redraw": "redraw"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=RECIPES, default="book",
                        help="starting recipe; options below override it (default: book)")
    parser.add_argument("--arch", choices=[*ARCHITECTURES, *PATH_ARCHITECTURES],
                        help="network (custom: give --layers)")
    parser.add_argument("--layers", help="your own network: layer words such as "
                        '"conv32,pool,conv64,pool,dense128,drop0.3", or a JSON file of them')
    parser.add_argument("--train-on", choices=[*DATA_CHOICES, *PATH_DATA_CHOICES],
                        help="training data (pen: the pen digits' paths, for --arch pen-path)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction,
                        help="drawing-like augmentation of every batch")
    parser.add_argument("--epochs", type=int, help="training epochs")
    parser.add_argument("--batch-size", type=int, help="batch size")
    parser.add_argument("--optimizer", choices=OPTIMIZERS)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--lr-decay", action=argparse.BooleanOptionalAction,
                        help="cosine learning-rate decay over the epochs")
    parser.add_argument("--average-weights", action=argparse.BooleanOptionalAction,
                        help="keep a moving average of the weights as the final model")
    parser.add_argument("--redraw", action=argparse.BooleanOptionalAction,
                        help="augmentation mixes in digits re-drawn as pen strokes")
    parser.add_argument("--seed", type=int, help="random seed (presets fix one)")
    parser.add_argument("--out", type=Path, help="where to write the model")
    parser.add_argument("--data", type=Path, default=None,
                        help="path to mnist.npz (default: $DIGITPAD_MNIST, the user data dir, "
                             "then Keras's download)")
    parser.add_argument("--pen", type=Path, default=None,
                        help="pen digits: the stroke file unipen-digits.npz or a rendered file "
                             "(default: $DIGITPAD_PEN_DIGITS, else the copy in the package)")
    args = parser.parse_args(argv)
    recipe = RECIPES[args.preset]
    if args.layers is not None:
        args.arch = args.arch or CUSTOM
        try:
            args.layers = _read_layers(args.layers)
        except (LayerStackError, FileProblem, UnicodeDecodeError) as exc:
            parser.error(f"--layers: {exc}")
    elif args.arch == CUSTOM or args.arch is None and recipe.architecture == CUSTOM:
        args.layers = recipe.layers if args.arch is None else None
        if args.layers is None:
            parser.error("--arch custom needs --layers")
    for option, name in FIELDS.items():
        if getattr(args, option) is None:
            setattr(args, option, getattr(recipe, name))
    if args.out is None:
        as_recipe = args.arch == recipe.architecture and args.layers in (None, recipe.layers)
        args.out = OUTPUTS.get(args.preset) if as_recipe else None
        args.out = args.out or Path(f"model-{args.preset if as_recipe else args.arch}.keras")
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be at least 1")
    if (args.arch in PATH_ARCHITECTURES) != (args.train_on in PATH_DATA_CHOICES):
        parser.error("--arch pen-path reads paths: it trains on --train-on pen, and only it does")
    return args


def _read_layers(value: str) -> str:
    """Layer words, or the path of a JSON file of them, as checked layer words."""
    path = Path(value)
    if value.strip().endswith(".json") or path.is_file():
        layers = layers_from_json(read_regular_file(path, 1 << 20).decode("utf-8"))
    else:
        layers = parse_layers(value)
    plan(layers)
    return format_layers(layers)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        data = load_training_data(args.train_on, args.data, args.pen)
    except (MnistError, PenDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                         optimizer=args.optimizer, learning_rate=args.learning_rate,
                         architecture=args.arch, data=args.train_on, augment=args.augment,
                         lr_decay=args.lr_decay, average_weights=args.average_weights,
                         layers=args.layers or "", redraw=args.redraw)
    model = build_for(config)
    started = time.perf_counter()

    def report_epoch(epoch: int, logs: dict[str, float]) -> None:
        pen = f" - real handwriting: {logs['pen_accuracy']:.4f}" if "pen_accuracy" in logs else ""
        print(f"Epoch {epoch + 1}/{config.epochs} - loss: {logs['loss']:.4f} - "
              f"accuracy: {logs['accuracy']:.4f} - test: {logs.get('val_accuracy', 0):.4f}"
              f"{pen} - {time.perf_counter() - started:.0f} s", flush=True)

    try:
        result = train(model, data.train, data.test, config, on_epoch=report_epoch,
                       monitors=data.monitors,
                       alternates=data.alternates() if config.augment and config.redraw
                       else None)
    except TrainingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"test_acc: {result.test_accuracy:.4f}")
    pen = result.monitor_accuracy.get("pen", math.nan)
    if math.isfinite(pen):
        print(f"pen_acc: {pen:.4f}")
    try:
        save_model(model, args.out, run_metadata(config, result, len(data.train[0])))
    except (OSError, ModelFileError) as exc:
        print(f"error: could not write {args.out}: {exc}", file=sys.stderr)
        return 1
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
