"""Network and data choices in the panel, the real-handwriting curve, and the model picker."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from qt_helpers import drag, make_window, picture_probabilities

from digitpad.paths import asset_path
from digitpad.session import selected_model_path


def test_convnet_choice_trains_a_convnet_that_the_canvas_then_uses(qtbot, small_npz):
    win = make_window(qtbot, small_npz)
    panel = win.training_panel
    panel.settings.set_choice(architecture="convnet", data="mnist+pen", augment=True)
    panel.settings.epochs_spin.setValue(2)
    panel.train_limit = 600  # a slice: seconds, not minutes
    drag(win.canvas, [(120, 80), (300, 80), (200, 350)])
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=120_000)
    result = panel.last_result
    assert result.epochs_completed == 2 and result.saved
    # One real-handwriting point per epoch, beside MNIST test accuracy.
    assert panel.plots.pen_acc.size == 2 and panel.plots.test_acc.size == 2
    assert 0.0 <= panel.plots.pen_acc.values.min() <= 1.0
    assert "real handwriting" in panel.result_label.text()
    assert panel.result_label.text().startswith("MNIST test ")
    # A tiny synthetic run ends far below the bundled model, so it is kept in the list but
    # not put in use; picking it there puts it on the canvas.
    if win.active_model.path != result.saved:
        assert "not put in use" in panel.status_label.text()
        assert str(result.saved) in win.model_picker.paths()
        win.pick_model(str(result.saved))
    else:
        assert panel.status_label.styleSheet() == "", panel.status_label.text()
    # The canvas now classifies with the new convnet, through numpy.
    assert win.active_model.source == "trained"
    assert win.predictor.architecture == "convnet"
    assert win.active_model.metadata["architecture_key"] == "convnet"
    assert win.active_model.metadata["augment"] is True
    assert 0 <= win.active_model.metadata["pen_accuracy"] <= 1
    assert win.model_picker.combo.currentText().startswith("Your Convnet + pen")


def test_picker_switches_models_and_the_choice_survives_a_restart(qtbot):
    win = make_window(qtbot)
    assert win.active_model.path.name == "model-convnet.keras"  # the default at first launch
    paths = win.model_picker.paths()
    assert paths[:2] == [str(asset_path("model-convnet.keras")), str(asset_path("model.keras"))]
    assert "real handwriting" in win.model_picker.combo.itemText(0)
    drag(win.canvas, [(200, 80), (200, 350)])  # a "1"
    convnet_answer = picture_probabilities(win)
    win.model_picker.combo.setCurrentIndex(1)
    win.model_picker.combo.activated.emit(1)
    assert win.predictor.architecture == "dense"
    assert not np.allclose(picture_probabilities(win), convnet_answer)
    assert selected_model_path() == asset_path("model.keras").resolve()
    win.close()

    again = make_window(qtbot)
    assert again.active_model.path.resolve() == asset_path("model.keras").resolve()
    assert again.model_picker.combo.currentIndex() == 1
    qtbot.mouseClick(again.training_panel.restore_button, Qt.MouseButton.LeftButton)
    assert again.active_model.path.name == "model-convnet.keras"


def test_picking_a_damaged_model_keeps_the_current_one(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    import digitpad.session as session

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    win = make_window(qtbot)
    broken = session.new_trained_model_path("dense")
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a zip")
    win.model_picker.refresh(win.active_model.path)
    win.pick_model(str(broken))
    assert warnings and str(broken) in warnings[0]
    assert win.active_model.path.name == "model-convnet.keras"
    assert selected_model_path() is None


def test_learning_rate_steps_on_a_log_scale_and_settings_have_tooltips(qapp):
    from digitpad._qt.training_settings import TrainingSettings

    settings = TrainingSettings()
    box = settings.lr_spin
    assert box.value() == pytest.approx(1e-3)
    for _ in range(6):
        box.stepBy(1)
    assert box.value() == pytest.approx(0.1) and box.text() == "0.1"  # 6 clicks, not 990
    box.stepBy(-10)
    assert box.value() == pytest.approx(5e-5) and box.text() == "5e-05"
    for widget in (settings.architecture_combo, settings.data_combo, settings.augment_check,
                   settings.decay_check, settings.average_check, settings.epochs_spin,
                   settings.batch_spin, settings.optimizer_combo, settings.lr_spin):
        assert widget.toolTip(), widget.objectName()


def test_loss_axis_labels_do_not_overlap_over_two_decades(qtbot):
    """3 -> 0.03 (the whole first epoch of a run): one plain label per decade, and decades
    are further apart on screen than a label is tall."""
    from PySide6.QtGui import QFontMetrics

    from digitpad._qt.training_plots import TrainingPlots

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(500, 400)
    plots.show()
    for i in range(50):
        plots.add_batch(i / 50, 3.0 * 0.01 ** (i / 49), 0.5)
    plots.flush(force=True)
    qtbot.wait(50)
    axis = plots.loss_plot.getAxis("left")
    low, high = plots.loss_plot.getViewBox().viewRange()[1]
    major, minor = axis._tickLevels  # what setTicks installed (pyqtgraph has no getter)
    shown = [label for value, label in major if low <= value <= high]
    assert shown == ["0.01", "0.1", "1", "10"] and minor == []
    pixels_per_decade = axis.height() / (high - low)
    assert pixels_per_decade > QFontMetrics(plots.font()).height()


def test_loss_and_accuracy_plots_line_up(qtbot):
    """Epoch 0 sits at the same x in both plots (their left axes used to differ in width)."""
    from pyqtgraph import Point

    from digitpad._qt.training_plots import TrainingPlots

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(500, 400)
    plots.show()
    qtbot.wait(50)

    def epoch_zero_x(plot):
        return plot.mapFromScene(plot.getViewBox().mapViewToScene(Point(0, 0))).x()

    assert epoch_zero_x(plots.loss_plot) == pytest.approx(epoch_zero_x(plots.accuracy_plot),
                                                          abs=1)


def test_the_network_choice_starts_at_the_architecture_in_use(qtbot, book_model_path):
    """A run compares like with like: the panel's Network follows the model in use (it
    offered Dense while the convnet was in use), until you pick a Network yourself."""
    win = make_window(qtbot, network=None)
    combo = win.training_panel.settings.architecture_combo
    assert win.active_model.predictor.architecture == "convnet"
    assert combo.currentData() == "convnet"
    assert "Convnet" in win.training_panel.drawer.summary.text()
    win.pick_model(str(book_model_path))
    assert combo.currentData() == "dense"
    combo.setCurrentIndex(combo.findData("convnet"))
    combo.activated.emit(combo.currentIndex())  # picked by hand
    win.pick_model(str(win.model_picker.paths()[0]))  # the default convnet...
    win.pick_model(str(book_model_path))  # ...and the book's again
    assert combo.currentData() == "convnet"  # your pick stays
