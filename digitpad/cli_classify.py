"""``digitpad classify IMAGE...``: read the digit, or the number, in picture files.

Each picture's ink blobs are grouped into digits (:mod:`digitpad.segment`) and read left to
right with the app's preprocessing; ``--single`` reads the whole picture as one digit.

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

from digitpad.certainty import is_unsure
from digitpad.model_file import ModelFileError
from digitpad.number_picture import read_number_image
from digitpad.paths import printable_path
from digitpad.segment import DigitReading, NumberReading
from digitpad.session import model_for_command


def run_classify(images: list[Path], model_path: Path | None = None, as_json: bool = False,
                 single: bool = False) -> int:
    """Print ``path: number (confidence of each digit)`` per file, or a JSON list whose rows
    hold ``number`` and ``digits`` (each with ``digit``, ``box``, ``unsure`` and
    ``probabilities``), and for a one-digit picture also ``digit``, ``unsure`` and
    ``probabilities`` at the top level; see the module doc."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _classify(images, model_path, as_json, single)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly, like cat or grep.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _classify(images: list[Path], model_path: Path | None, as_json: bool, single: bool) -> int:
    from digitpad._qt.imageio import ImageReadError, read_grayscale

    try:
        active, warnings = model_for_command(model_path)
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    # Which model read the pictures (stderr, so stdout stays one line per file; --json
    # rows carry it as "model").
    print(f"model: {active.describe()} ({printable_path(active.path)})", file=sys.stderr)
    model_name = printable_path(active.path)  # \xNN for odd bytes, as "path" is
    results, failures = [], 0
    for path in images:
        row: dict = {"path": printable_path(path), "model": model_name}
        try:
            reading = read_number_image(read_grayscale(path), active.predictor, single=single)
            if reading is None:
                raise ImageReadError(f"{printable_path(path)}: no digit found (the image is blank)")
            if not all(math.isfinite(d.confidence) for d in reading.digits):
                raise ImageReadError(f"{printable_path(path)}: the model gave no usable answer")
        except ImageReadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failures += 1
            results.append({**row, "error": str(exc)})
            continue
        digits = [{"digit": d.digit, "unsure": is_unsure(d.confidence),
                   "box": [round(v, 1) for v in d.box],
                   "probabilities": [round(float(p), 6) for p in d.probabilities]}
                  for d in reading.digits]
        row["number"] = reading.text
        if len(digits) == 1:  # one digit: the same keys as before numbers were read
            row.update({k: digits[0][k] for k in ("digit", "unsure", "probabilities")})
        results.append({**row, "digits": digits})
        if not as_json:
            print(f"{printable_path(path)}: {_describe(reading)}", flush=True)
    if as_json:
        print(json.dumps(results, indent=2, allow_nan=False), flush=True)
    return 1 if failures else 0


def _describe(reading: NumberReading) -> str:
    """``7 (99.1%)`` for a digit, ``714 (7 99.0%, 1 99.9%, 4 61.0% unsure)`` for a number."""
    def one(d: DigitReading) -> str:
        return f"{d.confidence:.1%}" + (", unsure" if is_unsure(d.confidence) else "")

    if len(reading.digits) == 1:
        return f"{reading.text} ({one(reading.digits[0])})"
    return f"{reading.text} (" + ", ".join(
        f"{d.digit} {one(d).replace(', ', ' ')}" for d in reading.digits) + ")"
