"""Every training run's curves and settings, kept so runs can be compared (plain Python).

One JSON file per run in ``<user data dir>/runs/`` (written atomically; a damaged file is
reported and skipped, the others load), the newest :data:`KEEP` kept. Layout (version 1)::

    {"format_version": 1, "id": "20261123-014512-dense", "date": "2026-11-23T01:45:12+00:00",
     "label": "Dense · MNIST · 5 epochs", "settings": {...the run's TrainConfig...},
     "result": {"test_accuracy": 0.98, "pen_accuracy": 0.89, "cancelled": false, ...},
     "curves": {"train_loss": [[x, y], ...], "train_accuracy": [...], "test_loss": [...],
                "test_accuracy": [...], "pen_accuracy": [...], "yours_accuracy": [...]}}

x is in epochs (a per-batch curve has fractional x). :func:`export_csv` writes one run as
``curve,epoch,value`` rows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from digitpad.jsonfile import JsonFileError, read_json
from digitpad.jsonfile import set_aside as set_file_aside
from digitpad.paths import atomic_file, user_data_dir

FORMAT_VERSION = 1
KEEP = 50
MAX_FILE_BYTES = 8 << 20


class HistoryError(RuntimeError):
    """A run file could not be read or written; the message names it."""


@dataclass
class RunRecord:
    id: str
    date: str
    label: str
    settings: dict
    result: dict
    curves: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def runs_dir() -> Path:
    return user_data_dir() / "runs"


def new_run_id(architecture: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%d-%H%M%S-%f}-{architecture}"


def _finite_pairs(points) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in points if math.isfinite(x) and math.isfinite(y)]


def save_run(record: RunRecord, folder: Path | None = None) -> Path:
    """Write a run atomically and keep only the newest :data:`KEEP`."""
    folder = folder or runs_dir()
    path = folder / f"{record.id}.json"
    payload = {"format_version": FORMAT_VERSION, "id": record.id, "date": record.date,
               "label": record.label, "settings": record.settings,
               "result": {k: v for k, v in record.result.items()
                          if isinstance(v, (str, bool, int)) or
                          (isinstance(v, float) and math.isfinite(v))},
               "curves": {k: _finite_pairs(v) for k, v in record.curves.items()}}
    try:
        text = json.dumps(payload, allow_nan=False)
        folder.mkdir(parents=True, exist_ok=True)  # a read-only data dir fails here
        with atomic_file(path) as fh:
            fh.write(text.encode("utf-8"))
    except (OSError, ValueError) as exc:
        raise HistoryError(f"could not save the run to {path}: {exc}") from exc
    for old in sorted(folder.glob("*.json"))[:-KEEP]:
        with contextlib.suppress(OSError):
            old.unlink(missing_ok=True)
    return path


def read_run(path: Path) -> RunRecord:
    try:
        data = read_json(path, MAX_FILE_BYTES)
    except JsonFileError as exc:
        raise HistoryError(f"damaged run record: {exc}") from exc
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise HistoryError(f"{path}: not a version-{FORMAT_VERSION} run record")
    try:
        # Only finite points: an edited file with an infinite x would break the plot range.
        curves = {str(k): [(float(x), float(y)) for x, y in v
                           if math.isfinite(float(x)) and math.isfinite(float(y))]
                  for k, v in dict(data.get("curves", {})).items()}
        return RunRecord(str(data["id"]), str(data.get("date", "")), str(data.get("label", "")),
                         dict(data.get("settings", {})), dict(data.get("result", {})), curves)
    except (KeyError, TypeError, ValueError) as exc:
        raise HistoryError(f"{path}: damaged run record ({exc})") from exc


def load_runs(folder: Path | None = None,
              set_aside: bool = False) -> tuple[list[RunRecord], list[str]]:
    """Every readable run, newest first, and one line per damaged file; ``set_aside``
    renames a damaged file to ``*.json.damaged`` so it is reported once, not at every
    start (nothing else, models least of all, is touched)."""
    folder = folder or runs_dir()
    runs, problems = [], []
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            runs.append(read_run(path))
        except HistoryError as exc:
            problems.append(str(exc))
            if set_aside:  # reported anyway; a read-only folder keeps it
                set_file_aside(path)
    return runs, problems


def export_csv(record: RunRecord, path: str | os.PathLike[str]) -> Path:
    """One run's curves as ``curve,epoch,value`` rows."""
    path = Path(path)
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["curve", "epoch", "value"])
            for name, points in record.curves.items():
                for x, y in points:
                    writer.writerow([name, f"{x:.6g}", f"{y:.6g}"])
    except OSError as exc:
        raise HistoryError(f"could not write {path}: {exc.strerror or exc}") from exc
    return path
