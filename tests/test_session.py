"""Which model the app starts with, and what happens when a file is damaged."""

from __future__ import annotations

import pytest

from digitpad.model import ModelFileError, build_seed_model, save_model
from digitpad.paths import user_model_path
from digitpad.session import choose_model


def test_bundled_model_by_default():
    active, warnings = choose_model()
    assert active.source == "bundled" and warnings == []
    assert active.describe().startswith("bundled model · test acc 98.")


def test_trained_model_is_preferred(tmp_path):
    save_model(build_seed_model(seed=0), user_model_path(), {"test_accuracy": 0.5})
    active, warnings = choose_model()
    assert active.source == "trained" and warnings == []
    assert active.describe() == "your trained model · test acc 50.00%"


def test_damaged_trained_model_is_reported_and_bundled_used():
    user_model_path().parent.mkdir(parents=True, exist_ok=True)
    user_model_path().write_bytes(b"PK\x03\x04 truncated")
    active, warnings = choose_model()
    assert active.source == "bundled"
    assert len(warnings) == 1 and str(user_model_path()) in warnings[0]
    assert "Using the bundled model instead" in warnings[0]


def test_missing_explicit_model_is_reported(tmp_path):
    active, warnings = choose_model(tmp_path / "nope.keras")
    assert active.source == "bundled" and "nope.keras does not exist" in warnings[0]


def test_no_usable_model_at_all_raises(monkeypatch, tmp_path):
    import digitpad.session

    monkeypatch.setattr(digitpad.session, "bundled_model_path", lambda: tmp_path / "gone.keras")
    with pytest.raises(ModelFileError, match="gone.keras"):
        choose_model()


def test_installed_wheel_finds_the_bundled_model_under_share(tmp_path, monkeypatch):
    """A non-editable install has no assets/ beside the package; pyproject's data-files put
    the model under <prefix>/share/digitpad instead."""
    import digitpad.paths as paths

    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "site-packages" / "digitpad")
    monkeypatch.setattr(paths.sys, "prefix", str(tmp_path / "prefix"))
    shared = tmp_path / "prefix" / "share" / "digitpad"
    shared.mkdir(parents=True)
    (shared / "model.keras").write_bytes(b"x")
    assert paths.bundled_model_path() == shared / "model.keras"
