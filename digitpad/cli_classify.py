"""``digitpad classify IMAGE...``: classify picture files with the app's preprocessing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from digitpad.model import ModelFileError
from digitpad.preprocess import raster_to_mnist
from digitpad.session import choose_model


def run_classify(images: list[Path], model_path: Path | None = None, as_json: bool = False) -> int:
    """Print ``path: digit (confidence)`` per file, or a JSON list; exit 1 if any file failed."""
    from digitpad._qt.imageio import ImageReadError, read_grayscale

    try:
        active, warnings = choose_model(model_path)
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    results, failures = [], 0
    for path in images:
        try:
            image = raster_to_mnist(read_grayscale(path))
        except ImageReadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failures += 1
            continue
        if image is None:
            print(f"error: {path}: no digit found (the image is blank)", file=sys.stderr)
            failures += 1
            continue
        probabilities = active.predictor(image)
        digit = int(probabilities.argmax())
        results.append({"path": str(path), "digit": digit,
                        "probabilities": [round(float(p), 6) for p in probabilities]})
        if not as_json:
            print(f"{path}: {digit} ({float(probabilities[digit]):.1%})")
    if as_json:
        print(json.dumps(results, indent=2))
    return 1 if failures else 0
