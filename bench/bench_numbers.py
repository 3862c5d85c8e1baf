#!/usr/bin/env python
"""Reading whole numbers: numbers of 2-6 digits composed from real pen digits and traced MNIST.

Each number is written by one writer (pen digits: one UNIPEN writer of the ``test`` split;
MNIST: test digits traced into strokes by ``skeleton.py``), each digit scaled to a common
height with +-15% jitter, a baseline wobble of 8% of the height, and a gap between the inks
drawn from one of five spacings (a fraction of the digit height):

    overlap -0.15..-0.05 · touching -0.03..0.03 · tight 0.05..0.15 · normal 0.2..0.4
    wide 0.5..0.9

A third of the digits written in more than one stroke get their last stroke drawn after the
next digit was begun (a 7's bar added late). Prints, per source, length and spacing: the share
of numbers split into the right digits, digit accuracy and whole-number accuracy, and the
whole-number accuracy of the same numbers rendered as pictures (``digitpad classify``'s path);
and the time from strokes to the number.

    DIGITPAD_MNIST=/path/to/mnist.npz python bench/bench_numbers.py [--numbers 400]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from digitpad.inference import load_predictor
from digitpad.mnist import load_mnist
from digitpad.number_picture import read_number_image
from digitpad.paths import asset_path
from digitpad.pen import read_pen_strokes
from digitpad.preprocess import render_strokes
from digitpad.segment import group_strokes, make_reader, read_number
from digitpad.session import PEN_PATH_MODEL, default_model_path
from digitpad.skeleton import digit_strokes

HEIGHT = 100.0
PEN = 12.0  # the canvas's 18 px pen on a ~150 px digit
SPACINGS = {"overlap": (-0.15, -0.05), "touching": (-0.03, 0.03), "tight": (0.05, 0.15),
            "normal": (0.2, 0.4), "wide": (0.5, 0.9)}
ORDER = {**{name: i for i, name in enumerate(SPACINGS)}, **{n: n for n in range(2, 7)}}
PEN_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "unipen-digits.npz"


def compose(samples: list[list[np.ndarray]], spacing: tuple[float, float],
            rng: np.random.Generator) -> tuple[list[np.ndarray], list[list[int]]]:
    """Digits (each a list of strokes) side by side -> the number's strokes and true groups."""
    strokes: list[np.ndarray] = []
    groups: list[list[int]] = []
    late: list[tuple[int, np.ndarray]] = []  # (digit index, stroke) to add after the next one
    right = 0.0
    for k, sample in enumerate(samples):
        points = np.concatenate(sample)
        lo, hi = points.min(axis=0), points.max(axis=0)
        scale = HEIGHT * rng.uniform(0.85, 1.15) / max(float(hi[1] - lo[1]), 1e-6)
        left = right + rng.uniform(*spacing) * HEIGHT + (PEN if k else 0.0)
        shift = np.array([left, rng.normal(0.0, 0.08) * HEIGHT])
        placed = [(s - lo) * scale + shift for s in sample]
        right = left + float(hi[0] - lo[0]) * scale
        delayed = len(placed) > 1 and k < len(samples) - 1 and rng.random() < 1 / 3
        group = []
        for s in placed[:-1] if delayed else placed:
            group.append(len(strokes))
            strokes.append(s)
        pending = [(d, s) for d, s in late]
        late.clear()
        for d, s in pending:  # the previous digit's late stroke, after this digit's first
            groups[d].append(len(strokes))
            strokes.append(s)
        if delayed:
            late.append((k, placed[-1]))
        groups.append(group)
    return strokes, [sorted(g) for g in groups]


def picture_of(strokes: list[np.ndarray]) -> np.ndarray:
    """The number as a scanned picture would show it: dark ink on light paper, 8-bit."""
    points = np.concatenate(strokes)
    lo = points.min(axis=0) - 3 * PEN
    shape = (int(np.ptp(points[:, 1]) + 6 * PEN), int(np.ptp(points[:, 0]) + 6 * PEN))
    return 255 - 200 * render_strokes([s - lo for s in strokes], shape, PEN)


def writers_digits(pen, split: str = "test") -> list[dict[int, list[list[np.ndarray]]]]:
    """Per writer of the split with every digit: digit -> that writer's samples as strokes."""
    by_writer: dict[str, dict[int, list]] = {}
    for i in np.flatnonzero(pen.split == split):
        by_writer.setdefault(pen.writer[i], {}).setdefault(int(pen.label[i]), []).append(
            pen.strokes(int(i)))
    return [d for d in by_writer.values() if len(d) == 10]


def mnist_digits(images: np.ndarray, labels: np.ndarray, n: int, rng) -> list[dict]:
    """Pseudo-writers of traced MNIST test digits (each a few samples of every digit)."""
    out = []
    for _ in range(n):
        writer: dict[int, list] = {}
        for d in range(10):
            for i in rng.choice(np.flatnonzero(labels == d), 3, replace=False):
                strokes = digit_strokes(images[i])
                if strokes:
                    writer.setdefault(d, []).append(strokes)
        out.append(writer)
    return out


def run(source: str, writers: list[dict], predictor, numbers: int, rng,
        spacings: tuple[str, ...] = tuple(SPACINGS), lengths: tuple[int, int] = (2, 6),
        path_predictor=None) -> list[dict]:
    rows = []
    for spacing_name in spacings:
        spacing = SPACINGS[spacing_name]
        for _ in range(numbers):
            writer = writers[rng.integers(len(writers))]
            length = int(rng.integers(lengths[0], lengths[1] + 1))
            truth = rng.integers(0, 10, length)
            samples = [writer[int(d)][rng.integers(len(writer[int(d)]))] for d in truth]
            strokes, groups = compose(samples, spacing, rng)
            start = time.perf_counter()
            reading = read_number(strokes, predictor, PEN, path_predictor=path_predictor)
            elapsed = (time.perf_counter() - start) * 1000
            found = group_strokes(strokes, PEN, make_reader(predictor, PEN))
            read = {tuple(d.pieces): d.digit for d in reading.digits}
            right = sum(read.get(tuple(g)) == int(t) for g, t in zip(groups, truth, strict=True))
            picture = read_number_image(picture_of(strokes), predictor)
            text = "".join(map(str, truth))
            rows.append({"source": source, "spacing": spacing_name, "length": length,
                         "split_ok": found == groups, "digits": length, "digits_ok": right,
                         "number_ok": reading.text == text, "ms": elapsed,
                         "picture_ok": picture is not None and picture.text == text})
    return rows


def report(rows: list[dict], key: str, title: str) -> None:
    print(f"\n{title}")
    print(f"| {key} | numbers | split right | digits right | numbers right | pictures right |")
    print("|---|---:|---:|---:|---:|---:|")
    for value in sorted(dict.fromkeys(r[key] for r in rows), key=lambda v: ORDER.get(v, 0)):
        part = [r for r in rows if r[key] == value]
        split = np.mean([r["split_ok"] for r in part])
        digits = sum(r["digits_ok"] for r in part) / sum(r["digits"] for r in part)
        whole = np.mean([r["number_ok"] for r in part])
        picture = np.mean([r["picture_ok"] for r in part])
        print(f"| {value} | {len(part)} | {split:.1%} | {digits:.1%} | {whole:.1%} "
              f"| {picture:.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=300, help="numbers per source and spacing")
    parser.add_argument("--four", type=int, default=500,
                        help="extra 4-digit numbers with normal spacing per source (the goal)")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--pen-file", type=Path, default=PEN_FILE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--read-with", choices=["both", "picture"], default="both",
                        help="drawings read by the picture and the pen-path networks (the "
                        "window's default) or the picture alone; pictures: picture alone")
    parser.add_argument("--tune", action="store_true",
                        help="use the pen train split and MNIST training digits (for tuning "
                        "the segmentation thresholds; report with the default test data)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    model = args.model or default_model_path()
    predictor = load_predictor(model)
    path_predictor = load_predictor(asset_path(PEN_PATH_MODEL)) \
        if args.read_with == "both" else None
    print(f"model: {model.name}, read with: {args.read_with}")
    rows, fours = [], []
    sources = {}
    if args.pen_file.exists():
        sources["pen"] = writers_digits(read_pen_strokes(args.pen_file),
                                        "train" if args.tune else "test")
    else:
        print(f"(no {args.pen_file}: pen digits skipped)")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    images, labels = (x_train, y_train) if args.tune else (x_test, y_test)
    sources["mnist"] = mnist_digits(images, labels, 40, rng)
    for source, writers in sources.items():
        rows += run(source, writers, predictor, args.numbers, rng,
                    path_predictor=path_predictor)
        fours += run(source, writers, predictor, args.four, rng, ("normal",), (4, 4),
                     path_predictor)
    for source in dict.fromkeys(r["source"] for r in rows):
        part = [r for r in rows if r["source"] == source]
        report(part, "spacing", f"{source}: by spacing (2-6 digits)")
        report([r for r in part if r["spacing"] == "normal"], "length",
               f"{source}: normal spacing, by length")
    report(fours, "source", f"4-digit numbers, normal spacing ({args.four} per source)")
    six = [r["ms"] for r in rows if r["length"] == 6]
    print(f"\nstrokes -> number, 6 digits: median {statistics.median(six):.1f} ms, "
          f"p95 {np.percentile(six, 95):.1f} ms")


if __name__ == "__main__":
    main()
