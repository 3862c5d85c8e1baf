#!/usr/bin/env python
"""Photographed paper: real pen digits and numbers rendered as photos, read by ``classify``.

Each picture is one UNIPEN writer's digits of the pen ``test`` split (sites never trained on),
written as ink on paper at 50-140 px a digit with a pen 7-14% of the digit's height, then
photographed under one condition:

    clean     even paper, black ink, PNG
    texture   paper grain and blotches (+-4%)
    gradient  light falling to 35-60% across the page at a random angle
    shadow    a soft-edged shadow (35-60% light) across part of the ink
    noise N   Gaussian sensor noise, sigma N of 255 (5, 10, 15, 20)
    blur      out of focus, sigma 1-2.5 px
    jpeg      JPEG quality 60-90
    colours   blue, red or black ballpoint, or pencil (light, grainy)
    photo     all of the above at once, noise sigma 5-15
    chalk     light ink on a dark board (grain, gradient, noise sigma 5-15): the other way round

Pictures are written to a file (PNG, or JPEG when the condition compresses) and read exactly
as ``digitpad classify`` reads them: Qt's decoder, then
:func:`digitpad.number_picture.read_number_image`.
Prints digit accuracy (one-digit pictures) and whole-number accuracy (2-5 digits, normal
spacing) per condition.

    python bench/bench_photos.py [--digits 1000] [--numbers 300] [--conditions photo,clean]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_numbers import PEN_FILE, SPACINGS, compose, writers_digits
from PIL import Image
from scipy import ndimage

from digitpad._qt.imageio import read_grayscale
from digitpad.inference import load_predictor
from digitpad.pen import read_pen_strokes
from digitpad.preprocess import render_strokes
from digitpad.session import default_model_path

INKS = {"black": (0.10, 0.10, 0.12), "blue": (0.12, 0.18, 0.58), "red": (0.72, 0.12, 0.12),
        "pencil": (0.38, 0.38, 0.40)}
CONDITIONS = ("clean", "texture", "gradient", "shadow", "noise 5", "noise 10", "noise 15",
              "noise 20", "blur", "jpeg", "colours", "photo", "chalk")


def ink_layer(strokes: list[np.ndarray], rng: np.random.Generator,
              ) -> tuple[np.ndarray, float]:
    """Coverage of the ink on a page with margins, and the digit height in pixels."""
    points = np.concatenate(strokes)
    height = float(np.ptp(points[:, 1])) or 1.0
    digit = rng.uniform(50, 140)
    scale = digit / height
    pen = digit * rng.uniform(0.07, 0.14)
    placed = [(s - points.min(axis=0)) * scale for s in strokes]
    size = np.ptp(np.concatenate(placed), axis=0)
    margin = rng.uniform(0.5, 2.0, 4) * digit
    shape = (int(size[1] + margin[0] + margin[1]), int(size[0] + margin[2] + margin[3]))
    shift = np.array([margin[2], margin[0]])
    return render_strokes([p + shift for p in placed], shape, pen), digit


def smooth_noise(shape: tuple[int, int], scale: float, rng: np.random.Generator) -> np.ndarray:
    field = ndimage.gaussian_filter(rng.normal(size=shape), scale)
    return field / (np.abs(field).max() + 1e-9)


def photograph(strokes: list[np.ndarray], condition: str, rng: np.random.Generator,
               ) -> tuple[bytes, str]:
    """The picture file's bytes and its format."""
    cover, digit = ink_layer(strokes, rng)
    h, w = cover.shape
    every = condition == "photo"
    paper = np.full((h, w, 3), rng.uniform(0.82, 0.95)) * np.array([1.0, 0.99, 0.96])
    if every or condition == "texture":
        grain = 0.015 * rng.normal(size=(h, w)) + 0.04 * smooth_noise((h, w), digit / 3, rng)
        paper = paper + grain[..., None]
    ink_name = "black"
    if every or condition == "colours":
        ink_name = str(rng.choice(list(INKS)))
    ink = np.array(INKS[ink_name])
    opacity = rng.uniform(0.55, 0.8) if ink_name == "pencil" else rng.uniform(0.85, 1.0)
    alpha = cover * opacity
    if ink_name == "pencil":
        alpha = alpha * np.clip(1 - 0.35 * rng.random((h, w)), 0, 1)
    if condition == "chalk":
        paper = 0.2 + 0.05 * smooth_noise((h, w), digit / 3, rng)[..., None] \
            + 0.02 * rng.normal(size=(h, w, 1)) + np.zeros(3)
        ink = np.full(3, rng.uniform(0.7, 0.95))
    page = paper * (1 - alpha[..., None]) + ink * alpha[..., None]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if every or condition in ("gradient", "chalk"):
        angle = rng.uniform(0, 2 * np.pi)
        along = xx * np.cos(angle) + yy * np.sin(angle)
        along = (along - along.min()) / (np.ptp(along) + 1e-9)
        page = page * (1 - (1 - rng.uniform(0.35, 0.6)) * along)[..., None]
    if every or condition == "shadow":
        angle = rng.uniform(0, 2 * np.pi)
        across = (xx - w * rng.uniform(0.3, 0.7)) * np.cos(angle) \
            + (yy - h * rng.uniform(0.3, 0.7)) * np.sin(angle)
        soft = rng.uniform(1, 8)
        light = rng.uniform(0.35, 0.6)
        page = page * (light + (1 - light) / (1 + np.exp(-across / soft)))[..., None]
    if every or condition == "blur":
        page = ndimage.gaussian_filter(page, (rng.uniform(1.0, 2.5),) * 2 + (0,))
    sigma = {"noise 5": 5, "noise 10": 10, "noise 15": 15, "noise 20": 20}.get(condition, 0.0)
    if every or condition == "chalk":
        sigma = rng.uniform(5, 15)
    if sigma:
        page = page + rng.normal(0, sigma / 255, page.shape)
    pixels = Image.fromarray(np.clip(page * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")
    out = io.BytesIO()
    if every or condition == "jpeg":
        pixels.save(out, "JPEG", quality=int(rng.integers(60, 91)))
        return out.getvalue(), "jpg"
    pixels.save(out, "PNG")
    return out.getvalue(), "png"


def read_photo(data: bytes, suffix: str, predictor, folder: Path) -> str:
    """The number ``digitpad classify`` would print for this file ("" when nothing read)."""
    from digitpad.number_picture import read_number_image

    path = folder / f"photo.{suffix}"
    path.write_bytes(data)
    reading = read_number_image(read_grayscale(path), predictor)
    return reading.text if reading is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=1000, help="one-digit pictures a condition")
    parser.add_argument("--numbers", type=int, default=300, help="numbers (2-5 digits) a condition")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--pen-file", type=Path, default=PEN_FILE)
    parser.add_argument("--split", default="test", help="train to tune, test to report")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=None, help="keep a few pictures here")
    args = parser.parse_args()
    model = args.model or default_model_path()
    predictor = load_predictor(model)
    pen = read_pen_strokes(args.pen_file)
    writers = writers_digits(pen, args.split)
    chosen = np.flatnonzero(pen.split == args.split)
    print(f"model: {model.name}; pen {args.split}: {len(chosen)} digits, {len(writers)} writers")
    print("| condition | digits | digits right | numbers | numbers right | ms a picture |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for condition in args.conditions.split(","):
            rng = np.random.default_rng(args.seed)  # the same digits under every condition
            start, right_digits, right_numbers = time.perf_counter(), 0, 0
            for k, i in enumerate(rng.choice(chosen, args.digits, replace=False)):
                data, suffix = photograph(pen.strokes(int(i)), condition, rng)
                if args.save and k < 5:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{condition.replace(' ', '')}-{k}.{suffix}").write_bytes(data)
                right_digits += read_photo(data, suffix, predictor, Path(tmp)) == str(pen.label[i])
            for _ in range(args.numbers):
                writer = writers[rng.integers(len(writers))]
                truth = rng.integers(0, 10, int(rng.integers(2, 6)))
                samples = [writer[int(d)][rng.integers(len(writer[int(d)]))] for d in truth]
                strokes, _ = compose(samples, SPACINGS["normal"], rng)
                data, suffix = photograph(strokes, condition, rng)
                text = read_photo(data, suffix, predictor, Path(tmp))
                right_numbers += text == "".join(map(str, truth))
            ms = (time.perf_counter() - start) * 1000 / max(args.digits + args.numbers, 1)
            print(f"| {condition} | {args.digits} | {right_digits / max(args.digits, 1):.1%} "
                  f"| {args.numbers} | {right_numbers / max(args.numbers, 1):.1%} | {ms:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
