"""Teaching the window your handwriting with real key presses and clicks: labelling, the
prompt mode, your samples window, and a fine-tune with its "your handwriting" curve."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from qt_helpers import draw_in_frame, make_window
from shapes import FOUR, ONE, SEVEN, ZERO, at

from digitpad.finetune import FinetuneConfig
from digitpad.samples import SampleStore


@pytest.fixture
def window(qtbot):
    win = make_window(qtbot)
    win.activateWindow()
    win.canvas.setFocus()
    yield win
    win.close()


def press(qtbot: QtBot, window, key: Qt.Key) -> None:
    qtbot.keyClick(window.canvas, key)


def stored_labels() -> list[int]:
    return sorted(s.label for s in SampleStore().load()[0])


def test_a_digit_key_keeps_the_drawing_with_that_label(window, qtbot):
    draw_in_frame(window.canvas, SEVEN)
    guess = int(np.argmax(window.last_probabilities))
    press(qtbot, window, Qt.Key.Key_7)
    (sample,), problems = SampleStore().load()
    assert problems == [] and sample.label == 7 and sample.guess == guess
    assert sample.image.shape == (28, 28) and sample.image.max() > 200
    assert len(sample.strokes) == 1
    assert window.canvas.is_empty()  # ready for the next one...
    window.undo_action.trigger()
    assert not window.canvas.is_empty()  # ...and Ctrl+Z brings it back
    assert "kept as a 7" in window.prediction_view.note_label.text()


def test_a_correction_is_counted(window, qtbot):
    draw_in_frame(window.canvas, ONE)
    assert int(np.argmax(window.last_probabilities)) == 1
    assert window.last_probabilities.max() >= 0.9  # read surely as a 1...
    press(qtbot, window, Qt.Key.Key_4)  # "no, that was my 4"
    assert stored_labels() == []  # ...so it asks first: a slip of the key costs nothing
    note = window.prediction_view.note_label.text()
    assert "reads a 1" in note and "Press 4 (or click its bar) again" in note
    assert not window.canvas.is_empty()
    press(qtbot, window, Qt.Key.Key_4)  # yes, really
    (sample,) = window.teaching.samples()
    assert sample.label == 4 and sample.guess == 1 and sample.corrected
    assert "correction" in window.statusBar().currentMessage()
    assert "1 corrected" in window.statusBar().currentMessage()


def test_a_sure_disagreement_is_forgotten_when_the_drawing_changes(window, qtbot):
    draw_in_frame(window.canvas, ONE)
    press(qtbot, window, Qt.Key.Key_4)
    assert "Press 4 (or click its bar) again" in window.prediction_view.note_label.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)  # cleared: the question goes too
    assert window.prediction_view.note_label.text() == ""
    draw_in_frame(window.canvas, ONE)
    press(qtbot, window, Qt.Key.Key_4)  # a new drawing is asked about again
    assert stored_labels() == []
    press(qtbot, window, Qt.Key.Key_1)  # its right label is kept at once
    assert stored_labels() == [1]


def test_a_key_on_an_empty_canvas_keeps_nothing(window, qtbot):
    press(qtbot, window, Qt.Key.Key_3)
    assert stored_labels() == []
    assert "Draw a digit first" in window.statusBar().currentMessage()


def test_clicking_a_bar_labels_the_drawing(window, qtbot):
    draw_in_frame(window.canvas, FOUR)
    plot = window.prediction_view.plot
    scene_point = plot.getPlotItem().vb.mapViewToScene(QPointF(2, 0.5))
    for _ in range(2):  # read surely as a 4: the first click asks, the second keeps
        assert stored_labels() == []
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton,
                         pos=plot.mapFromScene(scene_point))
    assert stored_labels() == [2]


def test_in_a_number_the_key_labels_the_digit_shown(window, qtbot):
    draw_in_frame(window.canvas, ONE + at(SEVEN, 90))
    assert window.last_number == "17"
    press(qtbot, window, Qt.Key.Key_7)  # the bars show the last digit drawn: the 7
    (sample,) = window.teaching.samples()
    assert sample.label == 7 and len(sample.strokes) == 1
    np.testing.assert_allclose(sample.strokes[0], window.canvas.strokes[1].points, atol=1e-6)
    assert len(window.canvas.strokes) == 2  # a number stays on the canvas


def test_prompt_mode_walks_the_digits(window, qtbot):
    window.teach_action.trigger()
    assert window.teaching.prompting and window.teaching.prompt_digits[:3] == [0, 1, 2]
    assert len(window.teaching.prompt_digits) == 30
    assert "draw a 0" in window.statusBar().currentMessage()
    assert window.canvas._hint.startswith("Draw a 0\n1 of 30")
    draw_in_frame(window.canvas, ZERO)
    press(qtbot, window, Qt.Key.Key_Return)
    draw_in_frame(window.canvas, ONE)
    press(qtbot, window, Qt.Key.Key_Enter)
    assert stored_labels() == [0, 1]
    # The progress strip on the canvas: a 0 and a 1 kept of 3 each, the 2 asked for now.
    strip = window.teaching.strip
    assert strip.isVisible() and strip.kept[:3] == [1, 1, 0] and strip.current == 2
    assert strip.needed == 3 and strip.geometry().bottom() == window.canvas.height() - 1
    # Asked for a 2, a sure 1 is not kept as a 2 without asking.
    draw_in_frame(window.canvas, ONE)
    press(qtbot, window, Qt.Key.Key_Return)
    assert stored_labels() == [0, 1] and "Press Enter again" in \
        window.prediction_view.note_label.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.teaching.prompt_digits[0] == 2 and "draw a 2 (3 of 30)" in \
        window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_Return)  # Enter on an empty canvas keeps nothing
    assert stored_labels() == [0, 1] and window.teaching.prompt_digits[0] == 2
    # Esc clears, as everywhere: the lesson goes on (a mistake costs nothing).
    stop = window.canvas_panel.stop_teaching_button
    assert stop.isVisible()
    draw_in_frame(window.canvas, ONE)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.canvas.is_empty() and window.teaching.prompting
    assert window.teaching.prompt_digits[0] == 2 and window.canvas._hint.startswith("Draw a 2")
    # Ctrl+E during the lesson does not start it again.
    window.teach_action.trigger()
    assert window.teaching.prompt_digits[0] == 2 and len(window.teaching.prompt_digits) == 28
    # Stop teaching is a separate, visible button; Teach me later resumes at the same step.
    stop.click()
    assert not window.teaching.prompting and window.canvas._hint is None
    assert not strip.isVisible()
    assert not stop.isVisible() and stored_labels() == [0, 1]
    window.teach_action.trigger()
    assert window.teaching.prompt_digits[0] == 2 and "draw a 2 (3 of 30)" in \
        window.statusBar().currentMessage()


def test_the_samples_window(window, qtbot, tmp_path, monkeypatch):
    for shape, label in ((SEVEN, 7), (ONE, 1), (FOUR, 4)):
        draw_in_frame(window.canvas, shape)
        window.teaching.label_drawing(label)
    window.samples_action.trigger()
    view = window.teaching.samples_window
    assert view.isVisible() and view.gallery.count() == 3
    assert "3 samples" in view.counts_label.text()
    view.digit_filter.setCurrentIndex(view.digit_filter.findData(7))
    assert view.gallery.count() == 1
    view.digit_filter.setCurrentIndex(0)
    # Put one back on the canvas.
    view.gallery.item(0).setSelected(True)
    view.canvas_button.click()
    assert len(window.canvas.strokes) == 1 and window.last_probabilities is not None
    # Delete, and undo it.
    view.delete_button.click()
    assert stored_labels() == [1, 4] and view.gallery.count() == 2
    buttons = view.undo_button.geometry()
    view.undo_button.click()
    assert stored_labels() == [1, 4, 7] and view.gallery.count() == 3
    assert view.undo_button.geometry() == buttons  # a new message never moves the buttons
    # Relabel: the 7 was a 1 after all; Corrections lists it, marked with what was read.
    seven = next(i for i in range(3) if view.gallery.item(i).text() == "7")
    view.gallery.clearSelection()
    view.gallery.item(seven).setSelected(True)
    assert view.relabel_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (1, True))
    view.relabel_button.click()
    assert stored_labels() == [1, 1, 4]
    view.digit_filter.setCurrentIndex(view.digit_filter.findData("corrections"))
    assert view.gallery.count() == 1 and view.gallery.item(0).text() == "1 (read 7)"
    assert "1 of them corrections" in view.counts_label.text()
    view.digit_filter.setCurrentIndex(0)
    view.gallery.item(seven).setSelected(True)
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (7, True))
    view.relabel_button.click()  # and back
    assert stored_labels() == [1, 4, 7]
    # Export, delete all (asked first), import back.
    assert view.export_to(tmp_path / "mine.npz")
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    view.delete_all_button.click()
    assert stored_labels() == [] and view.gallery.count() == 0
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 broken")
    view.import_from(tmp_path / "broken.npz")  # in the background: the window stays live
    qtbot.waitUntil(lambda: not view.importing, timeout=10_000)
    assert "broken.npz" in view.message.text() and stored_labels() == []
    assert "Nothing imported" in view.message.text()
    view.import_from(tmp_path / "mine.npz")
    assert not view.import_button.isEnabled() and view.import_progress.isVisible()
    qtbot.waitUntil(lambda: not view.importing, timeout=10_000)
    assert stored_labels() == [1, 4, 7] and view.gallery.count() == 3
    assert "Imported 3 samples" in view.message.text() and view.import_button.isEnabled()
    assert not view.import_progress.isVisible()


def test_finetune_shows_your_handwriting_curve_and_uses_the_tuned_model(qtbot, small_npz):
    win = make_window(qtbot, data_path=small_npz)
    panel = win.training_panel
    panel.finetune_config = FinetuneConfig(epochs=2, mnist_digits=300, variants=5)
    panel.finetune_button.click()  # no samples yet: says what to do
    assert not panel.is_training and "No samples" in panel.status_label.text()
    rng = np.random.default_rng(0)
    for shape, label in ((SEVEN, 7), (ONE, 1), (ZERO, 0)):
        for _ in range(4):
            jittered = [s + rng.normal(0, 2.0, s.shape) for s in shape]
            draw_in_frame(win.canvas, jittered)
            win.teaching.label_drawing(label)
    before = win.active_model.path
    panel.finetune_button.click()
    assert panel.is_training
    # What runs is said, not the Train form's unrelated settings.
    summary = panel.drawer.summary.text()
    assert summary.startswith("Fine-tuning Convnet + pen digits (default) · 2 epochs")
    assert "0.0001" in summary and "MNIST 99" not in summary
    qtbot.waitUntil(lambda: not panel.is_training, timeout=120_000)
    # The figure before tuning, then a point per epoch, on 3 held-out samples.
    assert panel.plots.yours_acc.size == 3 and panel.plots.yours_acc.x[0] == 0
    assert panel.plots.pen_acc.size == 3  # real handwriting of others: before, then epochs
    text = panel.result_label.text()
    assert "your handwriting" in text and "→" in text and "3 held-out" in text
    assert "real handwriting of others" in text
    assert "tuned Convnet + pen digits (default) on 9 samples" in text  # no figures there
    assert "real handwriting" in win.active_model.describe()  # the picker shows it too
    assert "5 epochs" in panel.drawer.summary.text()  # the form's summary is back
    assert win.active_model.metadata.get("data") == "yours+mnist"
    assert win.active_model.path != before
    assert any(str(before) == path for path in win.model_picker.paths())  # restorable
    # Read with both views, the pen-path network was tuned too and now reads beside it.
    from digitpad.session import path_models_dir

    assert "read with the pen path too" in text
    assert win.read_with.path_model.parent == path_models_dir()
    assert win.reading.path_predictor is win.read_with.path_predictor
    win.close()


def test_finetune_without_mnist_says_so_and_keeps_everything(qtbot, tmp_path, monkeypatch,
                                                            small_npz):
    monkeypatch.delenv("DIGITPAD_MNIST", raising=False)
    win = make_window(qtbot, data_path=tmp_path / "no-mnist.npz")
    draw_in_frame(win.canvas, SEVEN)
    win.teaching.label_drawing(7)
    before = win.active_model.path
    win.training_panel.finetune_button.click()
    qtbot.waitUntil(lambda: not win.training_panel.is_training, timeout=30_000)
    panel = win.training_panel
    assert "no-mnist.npz" in panel.status_label.text()
    assert panel.recovery.choose_mnist_button.isVisible()
    assert win.active_model.path == before and stored_labels() == [7]
    panel.finetune_config = FinetuneConfig(epochs=1, mnist_digits=200, variants=3)
    assert panel.recovery.use_mnist(small_npz)  # the fine-tune, not a training, starts again
    qtbot.waitUntil(lambda: not panel.is_training, timeout=60_000)
    assert panel.last_result.is_finetune and panel.last_result.saved
    win.close()
