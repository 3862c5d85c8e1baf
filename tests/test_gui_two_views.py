"""Reading with two views in the window: the picture network and the pen-path network."""

from __future__ import annotations

import numpy as np
from qt_helpers import draw_strokes, fit_to_canvas, make_window

# A 9 as people write it: the loop first (counter-clockwise from its right), then the stem.
NINE = [np.array([[20, 8], [14, 4], [8, 7], [8, 13], [14, 15], [20, 11], [20, 8], [20, 26]],
                 dtype=float)]


def wait_for_both(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.read_with.combo.isEnabled(), timeout=10_000)


def test_a_drawing_is_read_from_its_picture_and_its_pen_path(qtbot):
    win = make_window(qtbot, network=None)
    wait_for_both(qtbot, win)
    assert win.read_with.choice == "both"  # the default
    draw_strokes(win.canvas, fit_to_canvas(NINE, win.canvas))
    win.reading.update_prediction()
    digit = win.reading.last_reading.digits[0]
    assert digit.path is not None and digit.path_probabilities is not None
    view = win.prediction_view
    assert view.path_view.isVisible() and view.path_view.path is not None
    np.testing.assert_allclose(view.path_view.path, digit.path)
    assert int(np.argmax(win.last_probabilities)) == digit.digit == 9
    win.close()


def test_picture_only_is_a_choice_remembered_at_the_next_launch(qtbot):
    win = make_window(qtbot, network=None)
    wait_for_both(qtbot, win)
    combo = win.read_with.combo
    combo.setCurrentIndex(combo.findData("picture"))
    combo.activated.emit(combo.currentIndex())
    draw_strokes(win.canvas, fit_to_canvas(NINE, win.canvas))
    win.reading.update_prediction()
    digit = win.reading.last_reading.digits[0]
    assert digit.path_probabilities is None
    assert not win.prediction_view.path_view.isVisible()  # no room kept for it
    win.close()
    again = make_window(qtbot, network=None)
    qtbot.waitUntil(lambda: again.read_with.path_predictor is not None, timeout=10_000)
    assert again.read_with.choice == "picture"
    assert again.reading.path_predictor is None
    again.close()


def test_when_the_views_disagree_both_answers_are_named():
    from digitpad._qt.prediction_view import _disagreement

    picture, path = np.eye(10)[3] * 0.6 + 0.04, np.eye(10)[9] * 0.9 + 0.01
    assert _disagreement(picture, path, 9).replace("\u00a0", " ") == \
        "\npicture: 3 · pen path: 9 → 9"
    assert _disagreement(picture, picture, 3) == ""
    # Both lean a little to 7 and the combination reads 1: say so, or the answer looks wrong.
    assert _disagreement(np.eye(10)[7] * 0.4 + 0.05, np.eye(10)[7] * 0.4 + 0.05, 1).replace(
        "\u00a0", " ") == "\npicture: 7 · pen path: 7 → 1"


def test_a_tuned_picture_model_brings_its_own_pen_path_network(qtbot):
    """A model fine-tuned with both views names the pen-path network tuned with it: that one
    reads beside it; a damaged one falls back to the bundled network, with a message."""
    import shutil

    from digitpad.paths import asset_path
    from digitpad.session import PEN_PATH_MODEL, path_models_dir

    win = make_window(qtbot, network=None)
    wait_for_both(qtbot, win)
    bundled = win.read_with.path_predictor
    path_models_dir().mkdir(parents=True)
    tuned = path_models_dir() / "pen-path-mine.keras"
    shutil.copy(asset_path(PEN_PATH_MODEL), tuned)
    win.read_with.follow({"pen_path_model": tuned.name})
    assert win.read_with.path_model == tuned
    assert win.reading.path_predictor is win.read_with.path_predictor is not bundled
    assert win.training_panel.path_model_in_use == tuned  # a fine-tune starts from it
    tuned.write_bytes(b"damaged")
    messages = []
    win.read_with.status.connect(messages.append)
    win.read_with.follow({"pen_path_model": tuned.name})
    assert win.reading.path_predictor is bundled and messages
    combo = win.read_with.combo
    combo.setCurrentIndex(combo.findData("picture"))
    combo.activated.emit(combo.currentIndex())
    assert win.training_panel.path_model_in_use is None  # picture only: it is not tuned
    win.close()


def test_a_pen_path_run_from_the_panel_reads_beside_the_picture_on_trial(qtbot):
    """Network: Pen path trains on the pen digits' paths (no MNIST needed), its curve is the
    pen test, each epoch's weights read the canvas's path, and the finished network is read
    beside the picture, not put in the Model list. Worse than the bundled one, it is on
    trial: Back returns to the bundled one, Keep makes it the next launch's."""
    from digitpad.paths import asset_path
    from digitpad.session import PEN_PATH_MODEL, path_models_dir, remembered_path_model

    win = make_window(qtbot, network=None)
    wait_for_both(qtbot, win)
    panel = win.training_panel
    settings = panel.settings
    combo = settings.recipe_combo
    combo.setCurrentIndex(combo.findData("pen-path"))
    combo.activated.emit(combo.currentIndex())
    assert settings.config().data == "pen" and not settings.data_combo.isEnabled()
    assert not settings.design_button.isEnabled()
    settings.epochs_spin.setValue(2)
    panel.train_limit = 3000
    draw_strokes(win.canvas, fit_to_canvas(NINE, win.canvas))
    snapshots = []
    panel.pathSnapshotReady.connect(lambda layers, label: snapshots.append(label))
    panel.train_button.click()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=120_000)
    assert panel.status_label.styleSheet() == "", panel.status_label.text()
    assert "pen test (paths)" in panel.plots.accuracy_legend.text()
    assert "real handwriting" not in panel.plots.accuracy_legend.text()
    assert panel.result_label.text().startswith("pen test ")
    assert snapshots and all("epoch" in s for s in snapshots)
    result = panel.last_result
    saved = result.saved
    assert saved.parent == path_models_dir()
    assert str(saved) not in win.model_picker.paths()  # not a picture model
    assert win.read_with.path_model == saved
    assert result.test_accuracy < result.before_test_accuracy  # a small slice: on trial
    bar = panel.trial_bar
    assert bar.isVisible() and "pen-path run" in bar.label.text()
    win.reading.update_prediction()
    assert win.reading.path_predictor is win.read_with.path_predictor
    bar.back_button.click()
    assert not bar.isVisible() and win.read_with.path_model == asset_path(PEN_PATH_MODEL)
    assert remembered_path_model() is None
    # Trained again and kept: the next launch reads with it.
    panel.train_button.click()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=120_000)
    kept = panel.last_result.saved
    bar.keep_button.click()
    assert remembered_path_model() == kept
    win.close()
    again = make_window(qtbot, network=None)
    qtbot.waitUntil(lambda: again.read_with.path_predictor is not None, timeout=10_000)
    assert again.read_with.path_model == kept
    again.close()


def test_a_damaged_kept_pen_path_network_is_named_and_the_bundled_one_reads(qtbot):
    from digitpad.paths import asset_path
    from digitpad.session import PEN_PATH_MODEL, path_models_dir, remember_path_model

    path_models_dir().mkdir(parents=True, exist_ok=True)
    damaged = path_models_dir() / "pen-path-20261204-120000.keras"
    damaged.write_bytes(b"not a model")
    remember_path_model(damaged)
    from digitpad._qt.read_with import _load

    bundled, problem, kept = _load(report=None, cancel=None)  # the launch's background job
    assert bundled is not None and kept is None
    assert "pen-path-20261204-120000.keras, could not be read" in problem
    win = make_window(qtbot, network=None)
    wait_for_both(qtbot, win)
    qtbot.waitUntil(lambda: win.read_with.path_model is not None, timeout=10_000)
    assert win.read_with.path_model == asset_path(PEN_PATH_MODEL)
    assert win.read_with.reading_both
    win.close()


def test_a_fine_tune_started_while_the_pen_path_network_is_read_tunes_it_too(qtbot):
    """At launch the pen-path network is read in the background: a fine-tune started before
    it is read still tunes the file that will read beside the picture (CI once lost it)."""
    import shutil

    from digitpad._qt.read_with import ReadWith
    from digitpad.paths import asset_path
    from digitpad.session import PEN_PATH_MODEL, path_models_dir

    bundled = asset_path(PEN_PATH_MODEL)
    win = make_window(qtbot, network=None)  # whichever of the two was read first
    assert win.training_panel.path_model_in_use == bundled
    win.close()
    read_with = ReadWith()
    qtbot.addWidget(read_with)
    read_with.load()  # its answer is queued for the event loop: nothing is read yet
    assert read_with.path_predictor is None and read_with.file_to_tune == bundled
    path_models_dir().mkdir(parents=True)
    tuned = path_models_dir() / "pen-path-mine.keras"
    shutil.copy(bundled, tuned)
    read_with.follow({"pen_path_model": tuned.name})  # a model tuned with its own
    assert read_with.file_to_tune == tuned
    qtbot.waitUntil(lambda: read_with.path_predictor is not None, timeout=10_000)
    assert read_with.path_model == tuned == read_with.file_to_tune
    read_with.combo.setCurrentIndex(read_with.combo.findData("picture"))
    assert read_with.file_to_tune is None  # the picture alone: nothing tuned beside it
