"""Which model the app uses: an explicit file, else the user's last trained one, else the
bundled one. A damaged file is reported and skipped, never fatal while the bundled one loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitpad.inference import Predictor, load_predictor
from digitpad.model import ModelFileError, read_metadata
from digitpad.paths import bundled_model_path, user_model_path


@dataclass
class ActiveModel:
    predictor: Predictor
    path: Path
    source: str  # "bundled", "trained" (user data dir) or "file" (--model)
    metadata: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Short label for the UI, e.g. ``bundled model · test acc 98.09%``."""
        label = {"bundled": "bundled model", "trained": "your trained model"}.get(
            self.source, self.path.name)
        acc = self.metadata.get("test_accuracy")
        return f"{label} · test acc {acc:.2%}" if isinstance(acc, float) else label


def open_model(path: Path, source: str) -> ActiveModel:
    return ActiveModel(load_predictor(path), Path(path), source, read_metadata(path))


def choose_model(explicit: Path | None = None) -> tuple[ActiveModel, list[str]]:
    """The model to start with, plus warnings about files that could not be used.

    Raises :class:`ModelFileError` only if even the bundled model is unusable.
    """
    candidates: list[tuple[Path, str]] = []
    if explicit is not None:
        candidates.append((Path(explicit), "file"))
    elif user_model_path().exists():
        candidates.append((user_model_path(), "trained"))
    candidates.append((bundled_model_path(), "bundled"))
    warnings: list[str] = []
    for path, source in candidates:
        try:
            return open_model(path, source), warnings
        except ModelFileError as exc:
            if source == "bundled":
                raise
            warnings.append(f"{exc}. Using the bundled model instead.")
    raise AssertionError("unreachable")  # the bundled candidate returns or raises
