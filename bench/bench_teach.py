#!/usr/bin/env python
"""Teaching a model your handwriting: simulated users from the real pen digits.

Each writer of the UNIPEN ``test`` split (sites the bundled models never trained on) with at
least k+1 samples of every digit teaches k samples per digit (drawn at random, ``--draws``
times); the model is fine-tuned on them (``digitpad.finetune``, the function the app and
``digitpad finetune`` use) and then reads that writer's other digits. Prints per writer the
accuracy before and after, the median and the worst writer, MNIST test after, and the
fine-tune time.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_teach.py [--model assets/model.keras]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from digitpad.finetune import FinetuneConfig, accuracy, finetune
from digitpad.mnist import load_mnist
from digitpad.model_file import load_model
from digitpad.pen import read_pen_strokes
from digitpad.preprocess import strokes_to_mnist
from digitpad.samples import Sample
from digitpad.session import default_model_path

PEN_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "unipen-digits.npz"


def writers(pen, split: str) -> dict[str, list[Sample]]:
    """Every writer's samples of ``split``, rendered through the canvas path."""
    out: dict[str, list[Sample]] = {}
    for i in np.flatnonzero(pen.split == split):
        strokes = tuple(np.asarray(s, dtype=np.float32) for s in pen.strokes(int(i)))
        image = np.round(strokes_to_mnist(strokes) * 255).astype(np.uint8)
        out.setdefault(str(pen.writer[i]), []).append(
            Sample(f"{i}", int(pen.label[i]), -1, "", image, strokes, 1.0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3, 5])
    parser.add_argument("--draws", type=int, default=2, help="random choices of the taught "
                        "samples per writer")
    parser.add_argument("--split", default="test", help="pen split (tune on 'train')")
    parser.add_argument("--pen-file", type=Path, default=PEN_FILE)
    defaults = FinetuneConfig()
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--variants", type=int, default=defaults.variants)
    parser.add_argument("--mnist-digits", type=int, default=defaults.mnist_digits)
    args = parser.parse_args()
    config = FinetuneConfig(epochs=args.epochs, learning_rate=args.lr, variants=args.variants,
                            mnist_digits=args.mnist_digits, validate_each_epoch=False)
    model_path = args.model or default_model_path()
    mnist = load_mnist()
    everyone = writers(read_pen_strokes(args.pen_file), args.split)
    print(f"model: {model_path.name}; {config}")
    start_model = load_model(model_path)
    x_test, y_test = mnist[1]
    mnist_before = accuracy(start_model, x_test, np.asarray(y_test))
    print(f"MNIST test before: {mnist_before:.4f}")
    for k in args.k:
        eligible = {w: s for w, s in everyone.items()
                    if min(np.bincount([x.label for x in s], minlength=10)) >= k + 1}
        rows, seconds, mnist_after = [], [], []
        for name, samples in sorted(eligible.items()):
            labels = np.array([s.label for s in samples])
            before_acc, after_acc = [], []
            for draw in range(args.draws):
                rng = np.random.default_rng([k, draw, abs(hash(name)) % 2**31])
                taught = np.concatenate([rng.choice(np.flatnonzero(labels == d), k,
                                                    replace=False) for d in range(10)])
                rest = np.setdiff1d(np.arange(len(samples)), taught)
                model = load_model(model_path)
                started = time.perf_counter()
                result = finetune(model, [samples[i] for i in taught], mnist, config,
                                  held_out=[samples[i] for i in rest])
                seconds.append(time.perf_counter() - started)
                before_acc.append(result.yours_before)
                after_acc.append(result.yours_after)
                mnist_after.append(result.mnist_after)
            rows.append((name, len(samples) - 10 * k, np.mean(before_acc), np.mean(after_acc)))
        print(f"\nk = {k} per digit: {len(rows)} writers with at least {k + 1} of every digit")
        print("| writer | tested on | before | after |")
        print("|---|---:|---:|---:|")
        for name, tested, before, after in rows:
            print(f"| {name} | {tested} | {before:.1%} | {after:.1%} |")
        before = [r[2] for r in rows]
        after = [r[3] for r in rows]
        worst = int(np.argmin(before))
        print(f"median writer: {statistics.median(before):.1%} -> {statistics.median(after):.1%}; "
              f"worst writer ({rows[worst][0]}): {before[worst]:.1%} -> {after[worst]:.1%} "
              f"({(after[worst] - before[worst]) * 100:+.1f} points); "
              f"MNIST test after: {np.mean(mnist_after):.4f} (worst {min(mnist_after):.4f}, "
              f"before {mnist_before:.4f}); fine-tune {statistics.median(seconds):.1f} s "
              f"median, {max(seconds):.1f} s max")


if __name__ == "__main__":
    main()
