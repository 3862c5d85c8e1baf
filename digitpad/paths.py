"""Where digitpad keeps its files: the bundled model and the per-user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "digitpad"
PACKAGE_DIR = Path(__file__).resolve().parent


def user_data_dir() -> Path:
    """Per-user data directory (models trained in the app, a downloaded ``mnist.npz``).

    ``DIGITPAD_DATA_DIR`` overrides it, so tests and portable installs never touch $HOME.
    """
    override = os.environ.get("DIGITPAD_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_model_path() -> Path:
    """The model the app trained last; used instead of the bundled one when present."""
    return user_data_dir() / "model.keras"


def asset_path(name: str) -> Path:
    """A shipped file: ``assets/`` of the source tree (editable install), else the copy a
    wheel installs under ``<prefix>/share/digitpad`` (see pyproject's data-files)."""
    candidates = [PACKAGE_DIR.parent / "assets" / name,
                  Path(sys.prefix) / "share" / APP_NAME / name]
    return next((path for path in candidates if path.exists()), candidates[0])


def bundled_model_path() -> Path:
    """The pretrained model shipped with digitpad."""
    return asset_path("model.keras")


def printable_path(path: str | os.PathLike[str]) -> str:
    """A file name printable on any terminal: bytes that are not UTF-8 appear as ``\\xe9``
    (like ``ls -b``) instead of raising UnicodeEncodeError or reading "file not found"."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
