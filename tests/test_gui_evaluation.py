"""The evaluation window: confusion matrix of the model in use, the mistakes of a cell, a
mistake put on the canvas; computed off the GUI thread and redone for a new model."""

from __future__ import annotations

import numpy as np
from qt_helpers import drag, make_window


def open_on_pen_test(win, qtbot):
    win.evaluation_action.trigger()
    view = win.evaluation_window
    view.data_combo.setCurrentIndex(view.data_combo.findData("pen"))
    qtbot.waitUntil(lambda: view.result is not None and view.result.data == "pen"
                    and not view.busy, timeout=30_000)
    return view


def test_confusion_matrix_and_a_cell_of_mistakes(qtbot):
    win = make_window(qtbot)
    view = open_on_pen_test(win, qtbot)
    counts = np.array([[int(view.table.item(r, c).text()) for c in range(10)]
                       for r in range(10)])
    assert counts.sum() == 2774
    assert np.array_equal(counts, view.result.report.confusion)
    assert f"{view.result.report.accuracy:.2%}" in view.summary.text()
    off = counts - np.diag(np.diag(counts))
    true, read = np.unravel_index(np.argmax(off), off.shape)
    view.table.cellClicked.emit(int(true), int(read))
    assert view.gallery.count() == min(off[true, read], 200)
    assert f"a {true} read as {read}" in view.gallery_title.text()
    rows = [view.gallery.item(i).data(0x0100) for i in range(view.gallery.count())]
    expected = np.flatnonzero((view.result.labels == true) &
                              (view.result.probabilities.argmax(axis=1) == read))
    assert rows == expected[:200].tolist()  # exactly the digits of that cell
    first = view.gallery.item(0)
    view.gallery.itemDoubleClicked.emit(first)  # onto the canvas, traced into strokes
    assert not win.canvas.is_empty() and win.last_probabilities is not None
    win.close()


def test_drawing_goes_on_while_it_computes_and_a_new_model_is_evaluated(qtbot):
    from digitpad.paths import asset_path

    win = make_window(qtbot)
    view = open_on_pen_test(win, qtbot)
    first = view.result.report.accuracy
    win.pick_model(str(asset_path("model.keras")))  # the book's dense net
    assert view.busy or "Dense" in view.summary.text()
    drag(win.canvas, [(100, 100), (100, 250)])  # the canvas is not blocked meanwhile
    assert win.last_probabilities is not None
    qtbot.waitUntil(lambda: not view.busy and view.result is not None
                    and "Dense" in view.summary.text(), timeout=30_000)
    assert view.result.report.accuracy < first  # the book's net reads pen digits worse
    win.close()


def test_inside_view_follows_the_drawing(qtbot):
    from qt_helpers import draw_in_frame
    from shapes import SEVEN

    win = make_window(qtbot)
    qtbot.waitUntil(lambda: win.read_with.combo.isEnabled(), timeout=10_000)
    win.inside_action.trigger()
    view = win.inside_window
    assert view.isVisible() and view.views == []
    draw_in_frame(win.canvas, SEVEN, height=0.5, left=-0.25)
    qtbot.waitUntil(lambda: len(view.views) > 0, timeout=2000)
    convs = [v for v in view.views if v.kind == "Conv2D"]
    assert [v.values.shape[-1] for v in convs] == [32, 64, 128]  # the default convnet
    # ... and below it the pen-path network, along the 64 points of the path it read.
    along = [v for v in view.views if v.kind == "Conv1D"]
    assert [v.values.shape for v in along] == [(64, 64), (64, 64), (32, 128), (16, 128)]
    assert all(v.name.startswith("Pen path") for v in along) and "Pen path" in \
        view.message.text()
    first = view.views[0].values.copy()
    win.canvas.clear()
    draw_in_frame(win.canvas, [np.array([[50.0, 0.0], [50.0, 100.0]])], height=0.5)  # a 1
    qtbot.waitUntil(lambda: not np.array_equal(view.views[0].values, first), timeout=2000)
    win.canvas_panel.clear_button.click()
    qtbot.waitUntil(lambda: view.views == [], timeout=2000)
    from digitpad.paths import asset_path

    win.pick_model(str(asset_path("model.keras")))  # the book's dense net
    draw_in_frame(win.canvas, SEVEN, height=0.5, left=-0.25)
    qtbot.waitUntil(lambda: len([v for v in view.views if not v.name.startswith("Pen")])
                    == 2, timeout=2000)
    hidden = view.views[0]
    assert hidden.name == "Dense 512 relu" and hidden.weight_images.shape == (8, 28, 28)
    win.close()


def test_secondary_windows_never_cover_the_canvas_and_say_true_things(qtbot):
    """The evaluation and inside windows open beside the work, never over the drawing; the
    confusion matrix fits without scrolling; captions fit the network shown."""
    from PySide6.QtCore import QRect

    win = make_window(qtbot)
    drag(win.canvas, [(120, 80), (300, 80), (200, 350)])
    canvas = QRect(win.canvas.mapToGlobal(win.canvas.rect().topLeft()), win.canvas.size())
    view = open_on_pen_test(win, qtbot)
    assert not view.frameGeometry().intersects(canvas)
    table = view.table
    last_row_bottom = table.rowViewportPosition(9) + table.rowHeight(9)
    assert 0 < last_row_bottom <= table.viewport().height()  # all ten rows, no scrolling
    win.inside_action.trigger()
    inside = win.inside_window
    qtbot.waitUntil(lambda: bool(inside.views), timeout=5000)
    assert not inside.frameGeometry().intersects(canvas)
    assert "feature map" in inside.message.text() and "Red" not in inside.message.text()
    prediction = win.prediction_view
    prediction.heat_button.click()
    assert "pushed the answer up" in prediction.preview_caption.text()  # the colours' legend
    prediction.heat_button.click()
    from digitpad._qt.prediction_view import BOTH_CAPTION, INPUT_CAPTION

    both = prediction.path_view.isVisible()  # the pen path read too: both inputs named
    assert prediction.preview_caption.text() == (BOTH_CAPTION if both else INPUT_CAPTION)
    win.close()


def test_pen_digits_are_evaluated_with_both_views_when_both_read(qtbot):
    """Read with picture + pen path, the window reports each view and the combined reading
    (fewer mistakes); read with the picture only, the picture's figures alone."""
    win = make_window(qtbot, network=None)
    qtbot.waitUntil(lambda: win.read_with.combo.isEnabled(), timeout=10_000)
    view = open_on_pen_test(win, qtbot)
    both = view.result
    assert set(both.views) == {"picture", "pen path", "combined"}
    assert both.report.accuracy == both.views["combined"] > both.views["picture"]
    assert "pen path alone" in view.summary.text()
    combo = win.read_with.combo
    combo.setCurrentIndex(combo.findData("picture"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: not view.busy and view.result is not None
                    and view.result.views is None, timeout=30_000)
    assert view.result.report.accuracy == both.views["picture"]
    assert "pen path" not in view.summary.text()
    win.close()
