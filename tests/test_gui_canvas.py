"""The canvas and live prediction, driven by real mouse events (offscreen Qt)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from qt_helpers import drag, draw_strokes, fit_to_canvas

from digitpad._qt.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.predictor is not None, timeout=10_000)
    yield win
    win.close()


def brightness(canvas, x: float, y: float) -> int:
    return QColor(canvas.image().pixel(int(x), int(y))).value()


def test_window_builds_without_arguments(qapp):
    win = MainWindow()
    assert win.canvas.objectName() == "canvas"
    assert win.last_probabilities is None
    win.close()


def test_drag_leaves_ink_along_the_path(window):
    canvas = window.canvas
    path = [(60 + i * 10, 80 + i * 6) for i in range(20)]
    drag(canvas, path)
    for x, y in path[1:-1]:
        assert brightness(canvas, x, y) > 200
    assert brightness(canvas, 60, 300) < 60  # background away from the stroke
    assert len(canvas.strokes) == 1 and len(canvas.strokes[0].points) == 20


def test_right_button_and_hover_do_not_draw(window):
    from PySide6.QtCore import QEvent
    from qt_helpers import NONE, send_mouse

    canvas = window.canvas
    send_mouse(canvas, QEvent.Type.MouseMove, (50, 50), NONE, NONE)
    send_mouse(canvas, QEvent.Type.MouseButtonPress, (50, 50), Qt.MouseButton.RightButton,
               Qt.MouseButton.RightButton)
    assert canvas.is_empty()


def test_probabilities_update_while_drawing(window, qtbot):
    canvas = window.canvas
    assert window.last_probabilities is None
    drag(canvas, [(200, 60 + i * 8) for i in range(30)], release=False)  # still drawing
    qtbot.waitUntil(lambda: window.last_probabilities is not None, timeout=2000)
    probabilities = window.last_probabilities
    assert probabilities.shape == (10,)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert window.reading.last_image.shape == (28, 28)
    drag(canvas, [(200, 300), (200, 301)])  # finish


def test_undo_redo_clear_with_keyboard(window, qtbot):
    canvas = window.canvas
    window.activateWindow()
    canvas.setFocus()
    drag(canvas, [(100, 100), (150, 150), (200, 200)])
    drag(canvas, [(250, 100), (250, 250)])
    assert len(canvas.strokes) == 2
    # Two digits side by side widen the canvas: find the second stroke where it now is.
    on_second = np.mean(canvas.strokes[1].points, axis=0)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    point = canvas.to_widget(*on_second)
    assert len(canvas.strokes) == 1 and brightness(canvas, point.x(), point.y()) < 60
    qtbot.keyClick(canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(canvas.strokes) == 2 and brightness(canvas, point.x(), point.y()) > 200
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.strokes) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.is_empty() and window.last_probabilities is None
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.strokes) == 2  # Undo brings the whole cleared drawing back
    assert window.last_probabilities is not None
    qtbot.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert canvas.is_empty()  # Redo clears again
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.is_empty()


def test_shortcuts_are_the_documented_ones(window):
    def keys(action):
        return {s.toString() for s in action.shortcuts()}

    assert QKeySequence("Ctrl+Z").toString() in keys(window.undo_action)
    assert {"Ctrl+Shift+Z", "Ctrl+Y"} <= keys(window.redo_action)
    assert {"Esc", "Del"} <= keys(window.clear_action)


def test_clear_button_and_empty_canvas_show_no_prediction(window, qtbot):
    buttons = window.canvas_panel
    assert not buttons.clear_button.isEnabled() and not buttons.undo_button.isEnabled()
    drag(window.canvas, [(100, 100), (300, 300)])
    assert buttons.clear_button.isEnabled() and buttons.undo_button.isEnabled()
    qtbot.waitUntil(lambda: window.last_probabilities is not None, timeout=2000)
    qtbot.mouseClick(window.canvas_panel.clear_button, Qt.MouseButton.LeftButton)
    assert window.canvas.is_empty()
    assert window.last_probabilities is None
    assert window.prediction_view.digit_label.text() == "–"
    assert not buttons.clear_button.isEnabled() and buttons.undo_button.isEnabled()


def test_undo_at_the_wrong_time_is_harmless(window):
    window.canvas.undo()
    window.canvas.redo()
    window.canvas.clear()
    assert window.canvas.is_empty() and window.last_probabilities is None


def test_resize_keeps_the_drawing(window, qtbot):
    drag(window.canvas, [(100, 100), (200, 250), (300, 120)])
    qtbot.waitUntil(lambda: window.last_probabilities is not None, timeout=2000)
    before = window.last_probabilities.copy()
    window.resize(900, 600)
    qtbot.wait(50)
    window.reading.update_prediction()
    assert len(window.canvas.strokes) == 1
    np.testing.assert_allclose(window.last_probabilities, before, atol=1e-3)


def test_broken_model_file_falls_back_to_bundled(qtbot, tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"definitely not a model")
    win = MainWindow(model_path=bad)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.active_model is not None, timeout=10_000)
    assert win.active_model.source == "bundled"
    assert "broken.keras" in win.prediction_view.model_label.text()
    assert "bundled" in win.prediction_view.model_label.text()


@pytest.mark.mnist
def test_mnist_digits_drawn_with_the_mouse_are_recognised(window, mnist):
    from digitpad.skeleton import digit_strokes

    _, (x_test, y_test) = mnist
    rng = np.random.default_rng(7)
    correct = 0
    for i in range(50):
        window.canvas.clear()
        strokes = fit_to_canvas(digit_strokes(x_test[i]), window.canvas,
                                fraction=rng.uniform(0.3, 0.8),
                                corner=tuple(rng.uniform(0.02, 0.15, size=2)))
        draw_strokes(window.canvas, strokes)
        window.reading.update_prediction()
        correct += int(np.argmax(window.last_probabilities) == y_test[i])
    assert correct >= 45, f"{correct}/50 drawn digits recognised"


def test_tablet_pen_draws_like_the_mouse(window):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    pen = QPointingDevice("test pen", 1, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 2)
    canvas = window.canvas

    def send(kind, x, y, buttons):
        local = QPointF(x, y)
        event = QTabletEvent(kind, pen, local, canvas.mapToGlobal(local), 0.8, 0.0, 0.0, 0.0,
                             0.0, 0.0, Qt.KeyboardModifier.NoModifier,
                             Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()

    held = Qt.MouseButton.LeftButton
    send(QEvent.Type.TabletPress, 150, 80, held)
    for i in range(1, 20):
        send(QEvent.Type.TabletMove, 150, 80 + 12 * i, held)
    send(QEvent.Type.TabletRelease, 150, 80 + 12 * 19, Qt.MouseButton.NoButton)
    assert len(canvas.strokes) == 1 and len(canvas.strokes[0].points) == 20
    assert brightness(canvas, 150, 200) > 200
    assert window.last_probabilities is not None


def test_without_any_model_drawing_still_works(qtbot, monkeypatch):
    import digitpad._qt.model_in_use as model_in_use
    from digitpad.model_file import ModelFileError

    def no_model(path):
        raise ModelFileError("model file assets/model.keras does not exist")

    monkeypatch.setattr(model_in_use, "choose_model", no_model)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: "No model" in win.prediction_view.model_label.text(), timeout=5000)
    drag(win.canvas, [(100, 100), (100, 300)])
    assert win.reading.last_image is not None  # the preview shows what the network would see
    assert win.last_probabilities is None
    assert "Model loading" not in win.prediction_view.confidence_label.text()


def test_low_confidence_looks_unsure(qapp):
    from digitpad._qt.prediction_view import UNSURE, WINNER, PredictionView

    view = PredictionView()
    sure = np.full(10, 0.01)
    sure[3] = 0.91
    view.show_probabilities(sure, np.zeros((28, 28)))
    assert view.digit_label.text() == "3" and WINNER in view.digit_label.styleSheet()
    assert view.confidence_label.text() == "91.0% sure"
    torn = np.full(10, 0.05)
    torn[4], torn[9] = 0.35, 0.25
    view.show_probabilities(torn, np.zeros((28, 28)))
    assert view.digit_label.text() == "4?" and UNSURE in view.digit_label.styleSheet()
    assert view.confidence_label.text() == "unsure: 35% (9: 25%)"
    heights = view.bars.opts["height"]
    np.testing.assert_allclose(heights, torn)
    assert view.bars.opts["brushes"][4] == UNSURE


def test_resizes_that_change_the_aspect_ratio_keep_the_drawing_size(window, qtbot):
    """Shrinking the height and restoring it, three times, gives back the same drawing
    (it used to lose 11% of its size per cycle)."""
    canvas = window.canvas
    drag(canvas, [(150, 120), (260, 300), (320, 140)])
    start_size = canvas.size()
    extent = canvas.ink_extent()

    def cycle():
        canvas.resize(start_size.width(), start_size.height() // 2)
        canvas.resize(start_size.width() // 2, start_size.height())
        canvas.resize(start_size)

    cycle()
    assert canvas.ink_extent() == pytest.approx(extent, rel=1e-6)
    ink = canvas.image()
    cycle()
    cycle()
    assert canvas.ink_extent() == pytest.approx(extent, rel=1e-6)
    assert canvas.image() == ink  # the very same pixels


def test_a_slow_prediction_is_made_less_often_while_drawing(window, monkeypatch):
    """Hundreds of strokes make reading slower; the window then reads less often while
    drawing instead of stalling the pen. The reading's clock is faked: no real timing."""
    import types

    import digitpad._qt.live_reading as live_reading

    ticks: list[float] = []
    monkeypatch.setattr(live_reading, "time", types.SimpleNamespace(
        perf_counter=lambda: ticks.pop(0) if ticks else 0.0))
    drag(window.canvas, [(100, 100), (200, 200)])
    ticks[:] = [10.0, 10.05]  # a read that took 50 ms
    window.reading.update_prediction()
    assert window.reading.last_latency_ms == pytest.approx(50)
    assert window.reading._predict_timer.interval() >= 100
    ticks[:] = [20.0, 20.001]  # 1 ms: back to the normal pace
    window.reading.update_prediction()
    assert window.reading._predict_timer.interval() == live_reading.PREDICT_INTERVAL_MS


def test_sparse_mouse_events_draw_a_smooth_curve_not_a_polygon(window):
    """A busy machine delivers few mouse events: the ink follows a curve through them
    instead of straight segments with corners."""
    canvas = window.canvas
    centre = np.array([canvas.width() / 2, canvas.height() / 2])
    radius = 0.35 * min(canvas.width(), canvas.height())
    angles = np.linspace(0, 2 * np.pi, 9)  # eight events around a circle: an octagon
    points = centre + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    drag(canvas, [tuple(p) for p in points])

    def ink(r: float) -> int:
        x, y = centre + r * np.array([np.cos(angles[2]), np.sin(angles[2])])
        return brightness(canvas, x, y)

    # A polygon would put a corner at each event (its 18 px ink reaching radius + 9 there);
    # the curve rounds it off well inside that.
    assert ink(radius + 5) < 60 and ink(radius - 12) > 200
    window.undo_action.trigger()
    window.redo_action.trigger()  # redrawn from the vectors: the same curve
    assert ink(radius + 5) < 60 and ink(radius - 12) > 200


def test_a_stroke_leaving_the_canvas_stays_visible_on_its_edge(window):
    canvas = window.canvas
    w, h = canvas.width(), canvas.height()
    drag(canvas, [(w / 2, h / 2), (w + 200, h / 2), (w + 200, h + 300)])
    xs, ys = np.array(canvas.stroke_arrays()[0]).T
    assert xs.max() <= w - 1 and ys.max() <= h - 1  # the network reads what is shown
    assert brightness(canvas, w - 3, h * 0.9) > 200  # ink runs down the right edge


def test_a_long_session_keeps_a_bounded_undo_history(window):
    """Every Clear kept the drawing it removed, forever (memory grew over a session); the
    last 200 edits are kept, and undo still works."""
    from digitpad._qt.canvas import UNDO_LIMIT

    canvas = window.canvas
    for k in range(UNDO_LIMIT):
        canvas.show_strokes([np.array([[0.0, 0.0], [10.0, float(k % 7)]])])
        canvas.clear()
    assert len(canvas._undo) == UNDO_LIMIT
    canvas.undo()
    assert len(canvas.strokes) == 1  # the last clear, undone
