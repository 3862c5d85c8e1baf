"""Where digitpad keeps its files: the bundled model and the per-user data directory."""

from __future__ import annotations

import os
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


def bundled_model_path() -> Path:
    """The pretrained model shipped with digitpad (``assets/model.keras`` in the source tree)."""
    for candidate in (PACKAGE_DIR / "assets" / "model.keras",
                      PACKAGE_DIR.parent / "assets" / "model.keras"):
        if candidate.exists():
            return candidate
    return PACKAGE_DIR.parent / "assets" / "model.keras"
