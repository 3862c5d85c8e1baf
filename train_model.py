#!/usr/bin/env python
"""Train the seed MNIST network (Chollet, Deep Learning with Python, ch. 2) and save it.

    python train_model.py                      # 5 epochs, batch 128 -> assets/model.keras
    python train_model.py --data mnist.npz --epochs 10 --out my_model.keras
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad.data import MnistError, load_mnist
from digitpad.model import ModelFileError, build_seed_model, save_model
from digitpad.training import TrainConfig, TrainingError, run_metadata, train

DEFAULT_OUT = Path(__file__).resolve().parent / "assets" / "model.keras"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"where to write the model (default: {DEFAULT_OUT})")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs (default: 5)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (default: 128)")
    parser.add_argument("--data", type=Path, default=None,
                        help="path to mnist.npz (default: $DIGITPAD_MNIST, the user data dir, "
                             "then Keras's download)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: none)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        (train_images, train_labels), (test_images, test_labels) = load_mnist(args.data)
    except MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    model = build_seed_model(seed=args.seed)

    def report_epoch(epoch: int, logs: dict[str, float]) -> None:
        print(f"Epoch {epoch + 1}/{config.epochs} - loss: {logs['loss']:.4f} - "
              f"accuracy: {logs['accuracy']:.4f}", flush=True)

    try:
        result = train(model, (train_images, train_labels), (test_images, test_labels), config,
                       on_epoch=report_epoch)
    except TrainingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"test_acc: {result.test_accuracy:.4f}")
    try:
        save_model(model, args.out, run_metadata(config, result, len(train_images)))
    except (OSError, ModelFileError) as exc:
        print(f"error: could not write {args.out}: {exc}", file=sys.stderr)
        return 1
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
