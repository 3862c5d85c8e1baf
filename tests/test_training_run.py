"""A whole run as the window starts it, without a window: its events, its typed result, and
what the run history and the panel's words are made from."""

from __future__ import annotations

import threading

import pytest

from digitpad.finetune import FinetuneConfig
from digitpad.history import load_runs, save_run
from digitpad.model_file import read_metadata
from digitpad.run_report import describe_run
from digitpad.samples import SampleStore
from digitpad.session import trained_models_dir
from digitpad.training import TrainConfig
from digitpad.training_run import (
    BatchDone,
    EpochDone,
    FinetuneRequest,
    RunRequest,
    RunResult,
    RunStarted,
    Status,
    keep_stopped,
    run,
)


def run_collecting(request: RunRequest, cancel: threading.Event | None = None):
    events: list = []
    result = run(request, report=events.append, cancel=cancel or threading.Event())
    return result, events


def test_a_run_reports_plain_events_and_returns_a_typed_result(small_npz):
    result, events = run_collecting(RunRequest(TrainConfig(epochs=2, batch_size=64, seed=0),
                                               small_npz))
    assert isinstance(result, RunResult) and not result.is_finetune
    kinds = [type(e) for e in events]
    assert kinds[0] is Status and RunStarted in kinds
    started = next(e for e in events if isinstance(e, RunStarted))
    assert (started.epochs, started.batches) == (2, 3000 // 64 + 1)
    batches = [e for e in events if isinstance(e, BatchDone)]
    assert batches and batches[-1].batch == started.batches - 1  # the last batch is reported
    assert all(isinstance(e.loss, float) for e in batches)
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert [e.epoch for e in epochs] == [0, 1] and epochs[-1].layers is not None
    assert result.epochs_completed == 2 and 0.5 < result.test_accuracy <= 1.0
    assert result.saved is not None and result.saved.parent == trained_models_dir()
    assert read_metadata(result.saved)["test_accuracy"] == pytest.approx(result.test_accuracy)
    assert result.layers is not None and result.kept


def test_the_result_is_what_the_history_and_the_panel_read(small_npz, tmp_path):
    from digitpad.history import RunRecord

    result, _ = run_collecting(RunRequest(TrainConfig(epochs=1, batch_size=64, seed=0),
                                          small_npz, save=False))
    record = result.record()
    assert set(record) >= {"cancelled", "epochs_completed", "test_accuracy", "test_loss",
                           "train_accuracy", "seconds", "pen_accuracy"}
    assert "saved" not in record and result.saved is None and not result.kept
    save_run(RunRecord("r1", "2026-11-29", "a run", result.settings_record(), record), tmp_path)
    (kept,), problems = load_runs(tmp_path)
    assert problems == [] and kept.settings["epochs"] == 1
    assert kept.result["test_accuracy"] == pytest.approx(result.test_accuracy)
    text, done = describe_run(result, [result.test_loss], "0:03")
    assert f"test_acc: {result.test_accuracy:.4f}" in text and done.startswith("Finished")


def test_a_run_cancelled_before_fitting_keeps_nothing(small_npz):
    cancel = threading.Event()
    cancel.set()
    result, _ = run_collecting(RunRequest(TrainConfig(epochs=3, augment=True), small_npz),
                               cancel)
    assert result.cancelled and result.epochs_completed == 0 and not result.kept
    assert not trained_models_dir().is_dir() or not any(trained_models_dir().iterdir())


def test_a_stopped_run_holds_its_model_until_the_user_keeps_it(small_npz):
    cancel = threading.Event()

    def stop_after_a_few_batches(event):
        if isinstance(event, BatchDone):
            cancel.set()

    result = run(RunRequest(TrainConfig(epochs=3, batch_size=32, seed=0), small_npz),
                 report=stop_after_a_few_batches, cancel=cancel)
    assert result.cancelled and result.epochs_completed == 0
    assert result.stopped is not None and not result.kept  # held, not saved
    assert result.layers is not None and 0 < result.test_accuracy <= 1  # measured
    assert not trained_models_dir().is_dir() or not any(trained_models_dir().iterdir())
    keep_stopped(result)
    assert result.kept and result.saved.parent == trained_models_dir()
    assert result.stopped is None
    assert read_metadata(result.saved)["test_accuracy"] == pytest.approx(result.test_accuracy)


def test_a_finetune_takes_the_samples_it_is_given(small_npz, book_model_path):
    """The samples come in memory (the window's), not from the data dir."""
    import numpy as np
    from conftest import synthetic_digits

    from digitpad.samples import Sample

    images, labels = synthetic_digits(2, seed=5)
    stroke = np.array([[0.0, 0.0], [5.0, 9.0], [9.0, 20.0]], np.float32)
    samples = [Sample(f"s{i}", int(label), -1, "2026-11-29T00:00:00+00:00", image, (stroke,))
               for i, (image, label) in enumerate(zip(images, labels, strict=True))]
    assert SampleStore().load()[0] == []  # nothing on disk
    config = FinetuneConfig(epochs=1, mnist_digits=100, variants=2)
    result, events = run_collecting(RunRequest(
        TrainConfig(), small_npz, finetune=FinetuneRequest(book_model_path, "the book",
                                                           samples, config)))
    assert result.is_finetune and result.base_name == "the book"
    assert result.finetune.trained_on + result.finetune.held_out == len(samples)
    assert result.record()["finetune"] is True and result.settings.data == "yours+mnist"
    assert any(isinstance(e, EpochDone) and e.epoch == -1 for e in events)  # the start
    text, _ = describe_run(result, [], "0:05")
    assert "your handwriting" in text and "tuned the book" in text


def test_a_finetune_tunes_the_pen_path_network_with_it(small_npz, book_model_path):
    """Read with both views, teaching tunes both: the tuned pen-path network is saved beside
    the trained models (not in the Model list), the tuned picture model names it, and the
    panel reports the combined reading before -> after."""
    import numpy as np

    from digitpad.paths import asset_path
    from digitpad.pen import read_rendered
    from digitpad.samples import Sample
    from digitpad.session import list_models, paired_path_model, path_models_dir

    pen = read_rendered()
    drawings, (images, labels) = pen.stroke_lists("test"), pen.part("test")
    rows = [int(np.flatnonzero(labels == d)[k]) for d in range(10) for k in range(3)]
    samples = [Sample(f"s{i}", int(labels[i]), -1, "2026-12-04T00:00:00+00:00", images[i],
                      tuple(np.asarray(s, np.float32) for s in drawings[i])) for i in rows]
    config = FinetuneConfig(epochs=1, mnist_digits=100, variants=2)
    result, events = run_collecting(RunRequest(TrainConfig(), small_npz, finetune=FinetuneRequest(
        book_model_path, "the book", samples, config, asset_path("model-pen-path.keras"))))
    tuned = result.path_finetune
    assert tuned is not None and not tuned.run.cancelled
    assert tuned.pen_after > 0.9  # other writers are not forgotten
    assert 0.0 <= tuned.both_before <= 1.0 and 0.0 <= tuned.both_after <= 1.0
    paired = paired_path_model(read_metadata(result.saved))
    assert paired is not None and paired.parent == path_models_dir()
    assert read_metadata(paired)["architecture_key"] == "pen-path"
    assert all(e.path != paired for e in list_models())  # only read beside its picture model
    assert any(isinstance(e, Status) and "pen-path" in e.text for e in events)
    text, _ = describe_run(result, [], "0:09")
    assert "read with the pen path too" in text


def test_a_paired_pen_path_name_never_leaves_its_folder(tmp_path):
    from digitpad.session import paired_path_model, path_models_dir

    path_models_dir().mkdir(parents=True)
    (path_models_dir() / "ok.keras").write_bytes(b"x")
    (tmp_path / "outside.keras").write_bytes(b"x")
    assert paired_path_model({"pen_path_model": "ok.keras"}) == path_models_dir() / "ok.keras"
    for name in ("../outside.keras", str(tmp_path / "outside.keras"), "missing.keras",
                 ".hidden.keras", 7, None, "ok.h5"):
        assert paired_path_model({"pen_path_model": name}) is None


def test_tuned_pen_path_networks_are_pruned_unless_a_model_names_them(monkeypatch):
    """The newest few stay, and any a trained model still names; older unnamed ones go."""
    import os
    import shutil

    from digitpad import session
    from digitpad.paths import asset_path

    folder = session.path_models_dir()
    folder.mkdir(parents=True)
    for k in range(5):
        target = folder / f"pen-path-{k}.keras"
        shutil.copy(asset_path("model-pen-path.keras"), target)
        os.utime(target, (1000 + k, 1000 + k))  # pen-path-4 is the newest
    monkeypatch.setattr(session, "_trained_files", lambda: [session.trained_models_dir() / "m"])
    monkeypatch.setattr(session, "read_metadata",
                        lambda path: {"pen_path_model": "pen-path-0.keras"})
    session.prune_trained(keep=2)
    assert sorted(p.name for p in folder.iterdir()) == [
        "pen-path-0.keras", "pen-path-3.keras", "pen-path-4.keras"]


def test_the_panels_words_for_an_epoch_a_stopped_run_and_a_failure():
    """What the status line says, from plain figures: each yardstick an epoch has, how far a
    stopped run got and whether it can be kept, a failure's own message."""
    import math

    from digitpad.run_report import epoch_summary, failure_message, stopped_summary
    from digitpad.training_run import UnsavedModel

    logs = {"loss": 0.25, "accuracy": 0.9, "val_loss": 0.3, "val_accuracy": 0.912}
    line = epoch_summary(1, 5, logs, "MNIST test")
    assert line.startswith("Epoch 2/5") and "MNIST test 91.2%" in line
    assert "real handwriting" not in line and "your handwriting" not in line
    line = epoch_summary(0, 3, {**logs, "pen_accuracy": 0.87, "yours_accuracy": 0.75},
                         "pen test")
    assert "pen test 91.2%" in line and "real handwriting 87.0%" in line
    assert "your handwriting 75.0%" in line
    assert "your handwriting" not in epoch_summary(0, 3, {**logs, "yours_accuracy": math.nan},
                                                   "MNIST test")

    stopped = RunResult(TrainConfig(), cancelled=True, epochs_completed=2, test_accuracy=0.95,
                        pen_accuracy=0.8, stopped=UnsavedModel(None, {}))
    text = stopped_summary(stopped, "epoch 3, batch 40")
    assert "epoch 3, batch 40" in text and "MNIST test 95.0%" in text
    assert "real handwriting 80.0%" in text and "Keep what was trained" in text
    text = stopped_summary(RunResult(TrainConfig(), cancelled=True, epochs_completed=2), "x")
    assert "after 2 full epoch(s)" in text and "Keep" not in text
    assert "still in use" in text

    assert failure_message(OSError("Disk full")).startswith("Disk full\n")
    text = failure_message(KeyError("w"))
    assert text.startswith("Training failed: KeyError") and text.endswith("still in use.")
