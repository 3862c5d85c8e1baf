"""Which model the app uses, and the models it can offer.

The canvas and ``digitpad classify`` use, in order: an explicit ``--model`` file; else the
model picked last in the window (remembered in ``selected-model.json`` in the user data dir);
else the bundled default. A damaged file is reported and skipped, never fatal while a bundled
model loads.

Models on offer: the bundled ones (``assets/``) and the user's trained runs, kept in
``<user data dir>/models/`` (the newest :data:`KEEP_TRAINED` plus the one in use).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.inference import Predictor, load_predictor
from digitpad.jsonfile import read_json, set_aside
from digitpad.model_file import (
    TEMP_PREFIX,
    ModelFileError,
    read_metadata,
    remove_stale_temp_files,
)
from digitpad.networks import PEN_PATH
from digitpad.paths import asset_path, atomic_file, user_data_dir, user_model_path
from digitpad.pen_path import path_features

# Bundled models: file in assets/, label. The first is the default at first launch.
BUNDLED = {
    "model-convnet.keras": "Convnet + pen digits (default)",
    "model.keras": "Dense (the book)",
}
# The pen-path network read beside the picture one (see digitpad.two_views), and the choice
# of reading with both or the picture alone.
PEN_PATH_MODEL = "model-pen-path.keras"
READ_WITH = {"both": "Picture + pen path", "picture": "Picture only"}
READ_WITH_FILE = "read-with.json"
KEEP_TRAINED = 10
SELECTION_FILE = "selected-model.json"
MAX_SELECTION_BYTES = 64 << 10


@dataclass
class ModelEntry:
    """A model the user can pick: where it is, where it comes from, what it scored."""

    path: Path
    source: str  # "bundled", "trained" (user data dir) or "file" (--model)
    label: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def accuracies(self) -> str:
        """``MNIST 99.2% · real handwriting 96.1%`` from the file's record, where known."""
        parts = []
        for key, name in (("test_accuracy", "MNIST"), ("pen_accuracy", "real handwriting")):
            value = self.metadata.get(key)
            if isinstance(value, float) and math.isfinite(value):
                parts.append(f"{name} {value:.1%}")
        return " · ".join(parts)

    def describe(self) -> str:
        return f"{self.label} · {self.accuracies}" if self.accuracies else self.label


@dataclass
class ActiveModel:
    predictor: Predictor
    path: Path
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        """Short label for the UI, e.g. ``Dense (the book) · MNIST 98.1%``."""
        return ModelEntry(self.path, self.source, self.label or self.path.name,
                          self.metadata).describe()


def _entry(path: Path, source: str, label: str) -> ModelEntry:
    try:
        metadata = read_metadata(path)
    except ModelFileError:
        metadata = {}
    return ModelEntry(path, source, label, metadata)


def trained_models_dir() -> Path:
    return user_data_dir() / "models"


def new_trained_model_path(architecture: str) -> Path:
    """A fresh file name for a run's model, e.g. ``models/convnet-20261122-215501.keras``; a
    pen-path network goes beside the tuned ones (not in the Model list)."""
    if architecture == PEN_PATH:
        return new_path_model_path()
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = trained_models_dir() / f"{architecture}-{stamp}.keras"
    n = 1
    while path.exists():
        n += 1
        path = trained_models_dir() / f"{architecture}-{stamp}-{n}.keras"
    return path


def _trained_label(path: Path, metadata: dict[str, Any]) -> str:
    kind = {"dense": "Dense", "convnet": "Convnet", "custom": "design"}.get(
        str(metadata.get("architecture_key", "")), "Model")
    data = {"mnist+pen": " + pen", "yours+mnist": " tuned to your handwriting"}.get(
        str(metadata.get("data")), "")
    when = str(metadata.get("date", ""))[:16].replace("T", " ")
    return f"Your {kind}{data} ({when or path.stem})"


def _trained_files() -> list[Path]:
    """Trained runs, newest first; not the hidden temp files of a save in progress."""
    folder = trained_models_dir()
    if not folder.is_dir():
        return []
    runs = [p for p in folder.glob("*.keras") if not p.name.startswith(TEMP_PREFIX)]
    return sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True)


def tidy_user_dir() -> None:
    """At start-up: remove temp files an interrupted save left behind (never fatal)."""
    data = user_data_dir()
    for folder, suffix in ((data, ".json"), (trained_models_dir(), ".keras"),
                           (data / "samples", ".npz"), (data / "runs", ".json")):
        with contextlib.suppress(OSError):
            remove_stale_temp_files(folder, suffix=suffix)


def list_models() -> list[ModelEntry]:
    """Bundled models first (default first), then the user's trained ones, newest first."""
    entries = [_entry(asset_path(name), "bundled", label) for name, label in BUNDLED.items()
               if asset_path(name).is_file()]
    trained = _trained_files()
    legacy = user_model_path()  # where digitpad 0.1 kept its one trained model
    if legacy.is_file():
        trained.append(legacy)
    for path in trained:
        entry = _entry(path, "trained", "")
        entry.label = _trained_label(path, entry.metadata)
        entries.append(entry)
    return entries


def default_model_path() -> Path:
    """The first bundled model that exists (the convnet, else the book's dense net)."""
    for name in BUNDLED:
        if asset_path(name).is_file():
            return asset_path(name)
    return asset_path(next(iter(BUNDLED)))


def read_selection() -> tuple[Path | None, str | None]:
    """(the model picked last in the window, if recorded and still there; why the record
    cannot be read, or None): one read of ``selected-model.json``."""
    file = user_data_dir() / SELECTION_FILE
    if not os.path.lexists(file):
        return None, None
    try:
        path = Path(read_json(file, MAX_SELECTION_BYTES)["path"])
        return (path if path.is_file() else None), None
    except (ValueError, KeyError, TypeError) as exc:  # JsonFileError is a ValueError
        return None, str(exc) or "not a model choice"
    except OSError:
        return None, None


def selected_model_path() -> Path | None:
    """The model picked last in the window, if that choice is recorded and still exists."""
    return read_selection()[0]


def remember_selection(path: Path) -> None:
    """Record the picked model (atomically: temp file, then ``os.replace``)."""
    with atomic_file(user_data_dir() / SELECTION_FILE) as fh:
        fh.write(json.dumps({"path": str(Path(path).resolve())}).encode("utf-8"))


def prune_trained(keep: int = KEEP_TRAINED, protect: Path | None = None) -> None:
    """Delete all but the newest ``keep`` trained models; never ``protect`` (the new one) nor
    the one picked in the window."""
    kept = {Path(p).resolve() for p in (protect, selected_model_path()) if p is not None}
    for path in _trained_files()[keep:]:
        if path.resolve() not in kept:
            with contextlib.suppress(OSError):
                path.unlink()
    _prune_path_models(keep)


def _prune_path_models(keep: int) -> None:
    """Tuned and trained pen-path networks: the newest ``keep`` stay (a ``digitpad finetune``
    output elsewhere may name one), the one you kept, and any a trained model still names;
    the others go."""
    folder = path_models_dir()
    if not folder.is_dir():
        return
    kept = remembered_path_model()
    named = {kept.name} if kept is not None else set()
    for model in _trained_files():
        with contextlib.suppress(ModelFileError, OSError):
            paired = paired_path_model(read_metadata(model))
            if paired is not None:
                named.add(paired.name)
    files = sorted((p for p in folder.glob("*.keras") if not p.name.startswith(TEMP_PREFIX)),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[keep:]:
        if path.name not in named:
            with contextlib.suppress(OSError):
                path.unlink()


def label_for(path: Path, source: str, metadata: dict[str, Any]) -> str:
    for name, label in BUNDLED.items():
        with contextlib.suppress(OSError):
            if asset_path(name).resolve() == Path(path).resolve():
                return label
    return _trained_label(path, metadata) if source == "trained" else Path(path).name


def check_predictor(predictor: Predictor, path: Path, reads_paths: bool = False) -> None:
    """The one validation every model passes, whatever its source: finite weights, and on a
    probe (a 28x28 image, or a pen path with ``reads_paths``) 10 non-negative probabilities
    that sum to 1. :class:`ModelFileError` else."""
    weights = getattr(predictor, "layers", None)
    if weights is not None and not all(np.isfinite(w).all() for layer in weights
                                       for w in layer.weights):
        raise ModelFileError(f"model file {path} has NaN or infinite weights")
    probe = np.zeros((28, 28), np.float32)
    probe[6:22, 13:15] = 1.0  # a "1"
    if reads_paths:
        probe = path_features([[(0.0, 0.0), (0.0, 1.0)]])  # a "1" written top down
    try:
        out = np.asarray(predictor(probe), dtype=np.float64)
    except Exception as exc:  # any failure on a probe means unusable
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        what = "a pen path" if reads_paths else "a 28x28 image"
        raise ModelFileError(f"model file {path} cannot classify {what} "
                             f"({type(exc).__name__}: {first_line})") from exc
    if out.shape != (10,):
        raise ModelFileError(f"model file {path} gives {out.size} outputs, not 10 digit "
                             "probabilities")
    if not np.isfinite(out).all() or out.min() < 0 or abs(out.sum() - 1) > 1e-3:
        raise ModelFileError(f"model file {path} does not output probabilities (softmax): "
                             f"its outputs sum to {out.sum():.3g}")


def open_model(path: Path, source: str) -> ActiveModel:
    """Load, validate (:func:`check_predictor`) and describe a model file."""
    try:
        metadata = read_metadata(path)
        predictor = load_predictor(path)
    except ModelFileError:
        raise
    except Exception as exc:  # odd configs raise anything; all mean "unusable"
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ModelFileError(f"model file {path} could not be loaded "
                             f"({type(exc).__name__}: {first_line})") from exc
    check_predictor(predictor, Path(path))
    return ActiveModel(predictor, Path(path), source, metadata,
                       label_for(path, source, metadata))


def path_models_dir() -> Path:
    """Pen-path networks tuned with a picture model (not listed in the Model list: each is
    read with the picture model that names it)."""
    return trained_models_dir() / "pen-path"


def new_path_model_path() -> Path:
    """A fresh file name for a tuned pen-path network."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = path_models_dir() / f"pen-path-{stamp}.keras", 1
    while path.exists():
        n += 1
        path = path_models_dir() / f"pen-path-{stamp}-{n}.keras"
    return path


def paired_path_model(metadata: dict[str, Any]) -> Path | None:
    """The pen-path network tuned together with a picture model (its metadata names it), if
    the name is a plain file name and the file is still there."""
    return _path_model_named(metadata.get("pen_path_model"))


def load_path_predictor(path: Path | None = None) -> tuple[Predictor | None, str | None]:
    """A pen-path network (default: the bundled one), checked; (None, why) when it cannot
    be read (the picture network then reads alone)."""
    path = path or asset_path(PEN_PATH_MODEL)
    try:
        predictor = load_predictor(path)
        check_predictor(predictor, path, reads_paths=True)
    except (OSError, ModelFileError) as exc:
        return None, f"The pen-path network could not be read ({exc}); reading the picture alone."
    except Exception as exc:  # an odd file raises anything; all mean "unusable"
        return None, (f"The pen-path network could not be read ({type(exc).__name__}); "
                      "reading the picture alone.")
    return predictor, None


def _read_with_record() -> dict[str, Any]:
    try:
        record = read_json(user_data_dir() / READ_WITH_FILE, MAX_SELECTION_BYTES)
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_read_with(record: dict[str, Any]) -> None:
    with atomic_file(user_data_dir() / READ_WITH_FILE) as fh:
        fh.write(json.dumps(record).encode("utf-8"))


def read_with() -> str:
    """How the canvas is read (a key of :data:`READ_WITH`): both views unless the user chose
    the picture alone; an unreadable record means the default."""
    choice = _read_with_record().get("read_with")
    return choice if choice in READ_WITH else "both"


def remember_read_with(choice: str) -> None:
    """Record how to read (atomically); raises ``OSError`` on a read-only disk."""
    if choice not in READ_WITH:
        raise ValueError(f"unknown reading {choice!r}")
    _write_read_with({**_read_with_record(), "read_with": choice})


def _path_model_named(name: object) -> Path | None:
    """A pen-path network by plain file name, only in :func:`path_models_dir`, if there."""
    if not isinstance(name, str) or not name.endswith(".keras") or Path(name).name != name \
            or name.startswith("."):
        return None
    path = path_models_dir() / name
    return path if path.is_file() else None


def remembered_path_model() -> Path | None:
    """The pen-path network you trained and kept (read beside the picture), if any."""
    return _path_model_named(_read_with_record().get("path_model"))


def remember_path_model(path: Path | None) -> None:
    """Keep reading with the pen-path network ``path`` (one in :func:`path_models_dir`) at the
    next launch; None: the bundled one again. Raises ``OSError`` on a read-only disk."""
    record = _read_with_record()
    record.pop("path_model", None)
    if path is not None:
        record["path_model"] = Path(path).name
    _write_read_with(record)


def model_for_command(explicit: Path | None) -> tuple[ActiveModel, list[str]]:
    """The model a command-line tool uses: the ``--model`` file given (its problem raised as
    :class:`ModelFileError`, no other model used instead), else as the window would."""
    if explicit is not None:
        return open_model(Path(explicit), "file"), []
    return choose_model()


def choose_model(explicit: Path | None = None) -> tuple[ActiveModel, list[str]]:
    """The model to start with, plus warnings about files that could not be used.

    Raises :class:`ModelFileError` only if no bundled model is usable either.
    """
    candidates: list[tuple[Path, str]] = []
    warnings: list[str] = []
    if explicit is not None:
        candidates.append((Path(explicit), "file"))
    else:
        selected, problem = read_selection()
        if problem is not None:
            set_aside(user_data_dir() / SELECTION_FILE)
            warnings.append(f"The model choice could not be read ({problem}); it is set "
                            "aside and the default model is used.")
        if selected is not None:
            bundled = any(selected == asset_path(n).resolve() for n in BUNDLED)
            candidates.append((selected, "bundled" if bundled else "trained"))
    for name in BUNDLED:
        if asset_path(name).is_file() and all(asset_path(name) != p for p, _ in candidates):
            candidates.append((asset_path(name), "bundled"))
    last_error: ModelFileError | None = None
    for path, source in candidates:
        try:
            return open_model(path, source), warnings
        except ModelFileError as exc:
            last_error = exc
            warnings.append(f"{exc}. Using a bundled model instead.")
    raise last_error or ModelFileError(f"no bundled model found at {default_model_path()}")

