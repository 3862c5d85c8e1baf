"""``digitpad classify IMAGE...``: classify picture files with the app's preprocessing.

Behaves like a good Unix tool: one line per file on stdout, problems on stderr (and inside
``--json``), exit 0 when every file was read, 1 when some failed, 2 when the model given with
``--model`` is unusable; a closed pipe (``| head -1``) or Ctrl+C ends it quietly.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

from digitpad.model import ModelFileError
from digitpad.paths import printable_path
from digitpad.preprocess import raster_to_mnist
from digitpad.session import choose_model

UNSURE_BELOW = 0.6  # as the window: a top probability under this is marked unsure


def run_classify(images: list[Path], model_path: Path | None = None, as_json: bool = False) -> int:
    """Print ``path: digit (confidence)`` per file, or a JSON list; see the module doc."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _classify(images, model_path, as_json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly, like cat or grep.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _classify(images: list[Path], model_path: Path | None, as_json: bool) -> int:
    from digitpad._qt.imageio import ImageReadError, read_grayscale

    try:
        active, warnings = choose_model(model_path)
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if model_path is not None and active.source != "file":
        print(f"error: {warnings[0] if warnings else model_path}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    model_name = str(active.path)
    results, failures = [], 0
    for path in images:
        row: dict = {"path": printable_path(path), "model": model_name}
        try:
            image = raster_to_mnist(read_grayscale(path))
            if image is None:
                raise ImageReadError(f"{printable_path(path)}: no digit found (the image is blank)")
        except ImageReadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failures += 1
            results.append({**row, "error": str(exc)})
            continue
        probabilities = active.predictor(image)
        digit = int(probabilities.argmax())
        confidence = float(probabilities[digit])
        if not math.isfinite(confidence):
            message = f"{printable_path(path)}: the model gave no usable answer"
            print(f"error: {message}", file=sys.stderr)
            failures += 1
            results.append({**row, "error": message})
            continue
        unsure = confidence < UNSURE_BELOW
        results.append({**row, "digit": digit, "unsure": unsure,
                         "probabilities": [round(float(p), 6) for p in probabilities]})
        if not as_json:
            mark = ", unsure" if unsure else ""
            print(f"{printable_path(path)}: {digit} ({confidence:.1%}{mark})", flush=True)
    if as_json:
        print(json.dumps(results, indent=2, allow_nan=False), flush=True)
    return 1 if failures else 0
