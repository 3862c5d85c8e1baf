#!/usr/bin/env python
"""What augmentation costs: seconds per epoch with and without it, for each network.

Each run is a few epochs through the app's train() on the same slice of MNIST (or MNIST +
pen digits), all printed; the ratio compares the medians of the epochs after the first (the
first includes TensorFlow's tracing; single epochs vary by ~20% on a shared 2-core machine).
The pen re-drawings an augmented run mixes in are made once before its first epoch and timed
apart.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_augment.py [--n 60000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from digitpad.networks import build_model
from digitpad.training import TrainConfig, train
from digitpad.training_data import load_training_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="training samples (default: all)")
    parser.add_argument("--archs", nargs="+", default=["dense", "convnet"])
    parser.add_argument("--train-on", default="mnist")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    data = load_training_data(args.train_on).limit(args.n)
    print(f"{len(data.train[0])} training samples ({args.train_on}), {args.epochs} epochs each")
    started = time.perf_counter()
    alternates = data.alternates()
    made = 0 if alternates is None else len(alternates.images)
    print(f"  pen re-drawings, made once: {made} in {time.perf_counter() - started:.1f} s")
    for arch in args.archs:
        seconds = {}
        for augment in (False, True):
            config = TrainConfig(epochs=args.epochs, architecture=arch, augment=augment, seed=0,
                                 data=args.train_on, validate_each_epoch=False)
            result = train(build_model(arch, seed=0), data.train, data.test, config,
                           alternates=alternates if augment else None)
            seconds[augment] = result.per_epoch_seconds
            print(f"  {arch:8s} augment={augment!s:5s} s/epoch: "
                  + ", ".join(f"{s:.1f}" for s in result.per_epoch_seconds), flush=True)
        steady = {k: statistics.median(v[1:] or v) for k, v in seconds.items()}
        ratio = steady[True] / steady[False]
        first = seconds[True][0] / steady[False]
        print(f"  {arch}: augmented epoch costs {ratio:.2f}x a plain one (median "
              f"{steady[True]:.2f} s vs {steady[False]:.2f} s) "
              f"(first epoch, with tracing: {first:.2f}x)")


if __name__ == "__main__":
    main()
