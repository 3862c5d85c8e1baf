"""Which model the app starts with, the models on offer, and damaged files."""

from __future__ import annotations

import pytest

from digitpad.model_file import ModelFileError, save_model
from digitpad.networks import build_seed_model
from digitpad.paths import asset_path
from digitpad.session import (
    choose_model,
    list_models,
    new_trained_model_path,
    prune_trained,
    remember_selection,
    selected_model_path,
    trained_models_dir,
)


def test_bundled_convnet_by_default():
    active, warnings = choose_model()
    assert active.source == "bundled" and warnings == []
    assert active.path.name == "model-convnet.keras"
    assert active.predictor.architecture == "convnet"  # numpy path, no TensorFlow
    assert active.describe().startswith("Convnet + pen digits (default) · MNIST 99.")
    assert "real handwriting 9" in active.describe()


def test_both_bundled_models_are_listed_with_their_accuracies():
    entries = list_models()
    assert [e.path.name for e in entries[:2]] == ["model-convnet.keras", "model.keras"]
    assert entries[1].describe().startswith("Dense (the book) · MNIST 98.")
    assert all(e.source == "bundled" for e in entries)


def test_selection_survives_and_is_used():
    remember_selection(asset_path("model.keras"))
    active, warnings = choose_model()
    assert active.path.name == "model.keras" and warnings == []
    assert active.predictor.architecture == "dense"


def test_trained_models_are_listed_newest_first_and_pruned():
    paths = []
    for _ in range(3):
        path = new_trained_model_path("dense")
        save_model(build_seed_model(seed=0), path, {"test_accuracy": 0.5, "pen_accuracy": 0.4,
                                                    "architecture_key": "dense"})
        paths.append(path)
    listed = [e for e in list_models() if e.source == "trained"]
    assert [e.path for e in listed] == paths[::-1]
    assert listed[0].label.startswith("Your Dense (")
    assert listed[0].accuracies == "MNIST 50.0% · real handwriting 40.0%"
    remember_selection(paths[0])  # the oldest, but picked: never pruned
    prune_trained(keep=1, protect=paths[2])
    assert sorted(trained_models_dir().glob("*.keras")) == sorted([paths[0], paths[2]])


def test_damaged_selected_model_is_reported_and_bundled_used():
    path = new_trained_model_path("dense")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 truncated")
    remember_selection(path)
    active, warnings = choose_model()
    assert active.source == "bundled"
    assert len(warnings) == 1 and str(path) in warnings[0]
    assert "Using a bundled model instead" in warnings[0]


def test_damaged_selection_record_is_ignored(isolated_user_dir):
    (isolated_user_dir / "selected-model.json").write_text("[1, 2")
    assert selected_model_path() is None
    assert choose_model()[0].path.name == "model-convnet.keras"


def test_missing_explicit_model_is_reported(tmp_path):
    active, warnings = choose_model(tmp_path / "nope.keras")
    assert active.source == "bundled" and "nope.keras does not exist" in warnings[0]


def test_no_usable_model_at_all_raises(monkeypatch, tmp_path):
    import digitpad.session

    monkeypatch.setattr(digitpad.session, "asset_path", lambda name: tmp_path / name)
    with pytest.raises(ModelFileError, match="model-convnet.keras"):
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
    assert paths.book_model_path() == shared / "model.keras"


def test_a_save_in_progress_is_neither_listed_nor_pruned():
    """Another digitpad saving right now writes a hidden temp file beside the runs."""
    folder = trained_models_dir()
    folder.mkdir(parents=True)
    in_progress = folder / ".dense-20261122-120000-abcd1234.keras"
    in_progress.write_bytes(b"half written")
    assert all(e.path != in_progress for e in list_models())
    prune_trained(keep=0)
    assert in_progress.exists()


def test_start_up_removes_every_kind_of_stale_temp_file(isolated_user_dir):
    """kill -9 during a save leaves a hidden temp file; the next start-up removes the old
    ones (models, samples, run records, the model choice) and nothing else."""
    import os
    import time

    from digitpad.session import tidy_user_dir

    old = time.time() - 3600
    stale = [isolated_user_dir / ".selected-model-abc123.json",
             isolated_user_dir / "models" / ".dense-20261129-abc123.keras",
             isolated_user_dir / "samples" / ".20261129-7-abc-x1y2.npz",
             isolated_user_dir / "runs" / ".20261129-dense-x1y2.json"]
    keep = [isolated_user_dir / "samples" / "20261129-7-abc.npz",
            isolated_user_dir / "runs" / "20261129-dense.json",
            isolated_user_dir / "samples" / ".trash" / "x.npz"]
    fresh = isolated_user_dir / "runs" / ".20261130-dense-zzzz.json"  # a save right now
    for path in stale + keep + [fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for path in stale + keep:
        os.utime(path, (old, old))
    tidy_user_dir()
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep) and fresh.exists()


def test_a_damaged_pen_path_network_leaves_the_picture_reading_alone(tmp_path, monkeypatch):
    from digitpad import session

    predictor, problem = session.load_path_predictor()
    assert predictor is not None and problem is None  # the bundled one reads
    bad = tmp_path / "model-pen-path.keras"
    bad.write_bytes(b"not a zip at all")
    monkeypatch.setattr(session, "asset_path", lambda name: tmp_path / name)
    predictor, problem = session.load_path_predictor()
    assert predictor is None and "picture alone" in problem
    bad.unlink()
    predictor, problem = session.load_path_predictor()
    assert predictor is None and "could not be read" in problem


def test_read_with_choice_round_trips_and_a_damaged_record_means_both():
    from digitpad import session
    from digitpad.paths import user_data_dir

    assert session.read_with() == "both"
    session.remember_read_with("picture")
    assert session.read_with() == "picture"
    (user_data_dir() / session.READ_WITH_FILE).write_text('{"read_with": "telepathy"}')
    assert session.read_with() == "both"
    (user_data_dir() / session.READ_WITH_FILE).write_text("{{{")
    assert session.read_with() == "both"
