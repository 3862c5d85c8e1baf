"""Recipes and the layer editor in the window: a recipe fills the form, editing makes it
Custom, a designed network is checked in words, sized and timed, trains, reads the canvas
and comes back after a relaunch."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from qt_helpers import drag, make_window, picture_probabilities

from digitpad.layer_stack import count_weights, parse_layers
from digitpad.model_file import read_metadata
from digitpad.recipes import RECIPES


def pick(combo, data):
    combo.setCurrentIndex(combo.findData(data))
    combo.activated.emit(combo.currentIndex())


def test_a_recipe_fills_every_setting_and_editing_makes_it_custom(qtbot):
    from digitpad._qt.training_settings import TrainingSettings

    settings = TrainingSettings()
    qtbot.addWidget(settings)
    assert settings.recipe_combo.currentText() == "The book"  # the defaults are the book's
    pick(settings.recipe_combo, "fast")
    fast = RECIPES["fast"]
    config = settings.config()
    assert (config.architecture, config.layers, config.epochs, config.batch_size,
            config.optimizer, config.data, config.augment, config.redraw, config.lr_decay) == (
        fast.architecture, fast.layers, fast.epochs, fast.batch_size, fast.optimizer,
        fast.data, fast.augment, fast.redraw, fast.lr_decay)
    assert config.learning_rate == fast.learning_rate
    settings.epochs_spin.setValue(fast.epochs + 1)
    assert settings.recipe_combo.currentText() == "Custom"
    settings.epochs_spin.setValue(fast.epochs)
    assert settings.recipe_combo.currentText() == "Fast"
    pick(settings.recipe_combo, "convnet")
    assert settings.recipe_combo.currentText() == "Best for real handwriting"
    assert settings.config().architecture == "convnet" and settings.config().redraw
    assert settings.config().epochs == 15 and settings.average_check.isChecked()


def test_the_layer_editor_checks_sizes_and_times_a_design(qtbot):
    from digitpad._qt.training_settings import TrainingSettings

    settings = TrainingSettings()
    qtbot.addWidget(settings)
    settings.show()
    qtbot.mouseClick(settings.design_button, Qt.MouseButton.LeftButton)
    editor = settings.editor
    assert editor.isVisible() and editor.layers() == "dense512"  # starts from the network
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    # A convolution after the Dense: refused, in words, and OK is off.
    editor.list.setCurrentRow(0)
    qtbot.mouseClick(editor.findChild(type(ok), "addConv2D"), Qt.MouseButton.LeftButton)
    assert editor.layers() == "dense512,conv32"
    assert "needs a picture" in editor.problems_label.text() and not ok.isEnabled()
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)  # conv first: fine
    assert editor.layers() == "conv32,dense512" and ok.isEnabled()
    assert not editor.problems_label.isVisible()
    editor.list.setCurrentRow(1)
    editor.size_spin.setValue(64)  # the Dense's units
    assert editor.layers() == "conv32,dense64"
    assert not editor.stride_spin.isVisibleTo(editor)  # a Dense has no stride
    editor.list.setCurrentRow(0)
    editor.stride_spin.setValue(2)
    assert editor.layers() == "conv32s2,dense64"
    assert editor.flow_label.text() == "28×28×1 → 13×13×32 → 5408 → 64 → 10"
    editor.stride_spin.setValue(1)
    assert f"{count_weights(parse_layers('conv32,dense64')):,} weights" in \
        editor.totals_label.text()
    assert editor.flow_label.text() == "28×28×1 → 26×26×32 → 21632 → 64 → 10"
    # Typing words works too; an unknown word is named.
    editor.text_edit.setText("conv8,pool,resnet")
    editor.text_edit.textEdited.emit("conv8,pool,resnet")
    assert "'resnet'" in editor.problems_label.text() and not ok.isEnabled()
    editor.text_edit.textEdited.emit("conv8,pool,dense32")
    assert editor.layers() == "conv8,pool,dense32" and ok.isEnabled()
    # The seconds an epoch are measured in the background.
    qtbot.waitUntil(lambda: "s an epoch on this machine" in editor.timing_label.text(),
                    timeout=90_000)
    ok.click()
    config = settings.config()
    assert config.architecture == "custom" and config.layers == "conv8,pool,dense32"
    assert settings.recipe_combo.currentText() == "Custom"
    # Re-designing as the book's network selects it by name.
    qtbot.mouseClick(settings.design_button, Qt.MouseButton.LeftButton)
    editor.text_edit.textEdited.emit("dense512")
    ok.click()
    assert settings.config().architecture == "dense"
    assert settings.recipe_combo.currentText() == "The book"


def test_a_designed_network_trains_reads_and_comes_back_after_relaunch(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    settings = panel.settings
    settings.set_design("conv8,pool,dense32:tanh,drop0.2")
    settings.epochs_spin.setValue(3)
    drag(win.canvas, [(120, 80), (300, 80), (200, 350)])
    before = picture_probabilities(win)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=90_000)
    assert panel.status_label.styleSheet() == "", panel.status_label.text()
    saved = win.active_model.path
    assert read_metadata(saved)["layers"] == "conv8,pool,dense32:tanh,drop0.2"
    assert "design" in win.model_picker.combo.currentText()
    win.reading.update_prediction()
    after = picture_probabilities(win)
    assert not np.allclose(after, before, atol=1e-4)
    from digitpad.inference import NumpyPredictor, load_predictor

    predictor = load_predictor(saved)
    assert isinstance(predictor, NumpyPredictor)  # read without TensorFlow
    np.testing.assert_allclose(predictor(win.reading.last_image), after, atol=1e-5)
    panel.trial_bar.keep_button.click()
    win2 = make_window(qtbot, small_npz, network=None)
    assert win2.active_model.path == saved
    config = win2.training_panel.settings.config()
    assert config.architecture == "custom"
    assert config.layers == "conv8,pool,dense32:tanh,drop0.2"


def test_compare_with_names_both_networks(qtbot):
    from digitpad._qt.run_history import RunHistoryBar
    from digitpad._qt.training_plots import TrainingPlots
    from digitpad.history import RunRecord, save_run

    def record(run_id, settings):
        return RunRecord(run_id, "2026-12-04T10:00:00", run_id, settings,
                         {"test_accuracy": 0.9}, {"test_accuracy": [(1.0, 0.9)]})

    save_run(record("20261204-100000-000000-convnet", {"architecture": "convnet"}))
    mine = record("20261204-110000-000000-custom", {"architecture": "custom",
                                                    "layers": "conv8,pool,dense32"})
    save_run(mine)
    plots = TrainingPlots()
    bar = RunHistoryBar(plots)
    qtbot.addWidget(bar)
    qtbot.addWidget(plots)
    bar.current = mine
    bar.show()
    assert not bar.compare_note.isVisible()
    bar.compare_with("20261204-100000-000000-convnet")
    assert bar.compare_note.isVisible()
    assert bar.compare_note.text() == "colours: design conv8,pool,dense32 · grey: convnet"
    bar.compare_with(None)
    assert not bar.compare_note.isVisible()


def test_picking_your_design_then_cancelling_keeps_the_network_it_was(qtbot):
    from digitpad._qt.training_settings import TrainingSettings

    settings = TrainingSettings()
    qtbot.addWidget(settings)
    settings.show()
    pick(settings.architecture_combo, "convnet")
    pick(settings.architecture_combo, "custom")
    editor = settings.editor
    assert editor.isVisible() and editor.layers() == settings.config().stack
    assert editor.layers().startswith("conv32,pool,conv64")  # starts from the convnet
    editor.reject()
    assert settings.config().architecture == "convnet"
