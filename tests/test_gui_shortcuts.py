"""Keys after launch act on the drawing and the app, whatever has focus; a click is a dot."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from qt_helpers import LEFT, drag, send_mouse

from digitpad._qt.main_window import MainWindow

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def launched(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.predictor is not None, timeout=10_000)
    return win


def focused(win):
    return QApplication.focusWidget() or win


def test_keyboard_focus_starts_on_the_canvas(launched):
    assert QApplication.focusWidget() is launched.canvas


def test_keys_at_launch_act_on_the_drawing_not_the_pen_box(launched, qtbot):
    win = launched
    pen_before = win.canvas_panel.pen_spin.value()
    drag(win.canvas, [(100, 100), (200, 300)])
    drag(win.canvas, [(250, 100), (300, 300)])
    qtbot.keyClick(focused(win), Qt.Key.Key_Z, CTRL)
    assert len(win.canvas.strokes) == 1
    qtbot.keyClick(focused(win), Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(win.canvas.strokes) == 2
    qtbot.keyClick(focused(win), Qt.Key.Key_Delete)
    assert win.canvas.is_empty()
    assert win.canvas_panel.pen_spin.value() == pen_before  # Delete did not edit the pen width


def test_each_action_has_one_unambiguous_shortcut(launched):
    keys = [seq.toString() for act in launched.actions() for seq in act.shortcuts()]
    assert len(keys) == len(set(keys)), keys
    assert launched.quit_action.shortcuts()[0].toString() == "Ctrl+Q"
    menus = [a.text().replace("&", "") for a in launched.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Training", "Help"]


def test_ctrl_q_quits(launched, qtbot):
    qtbot.keyClick(focused(launched), Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not launched.isVisible(), timeout=2000)


def test_a_single_click_paints_a_visible_dot(launched):
    canvas = launched.canvas
    send_mouse(canvas, QEvent.Type.MouseButtonPress, (150, 150), LEFT, LEFT)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, (150, 150), LEFT, Qt.MouseButton.NoButton)
    assert len(canvas.strokes) == 1
    ratio = canvas.image().devicePixelRatio()
    pixel = canvas.image().pixelColor(int(150 * ratio), int(150 * ratio))
    assert pixel.lightness() > QColor("#808080").lightness()  # ink, not the background
    assert launched.last_probabilities is not None


def test_f1_lists_every_shortcut_the_keys_included(launched, monkeypatch):
    from digitpad._qt import menus

    shown = []
    monkeypatch.setattr(menus.QMessageBox, "information",
                        lambda parent, title, text: shown.append(text))
    menus.show_shortcuts(launched)
    (text,) = shown
    for keys in ("Ctrl+Q", "Ctrl+Shift+E", "Esc", "0 – 9", "Enter"):
        assert keys in text, keys
