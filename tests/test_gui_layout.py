"""The window fits the screen, keeps its rows readable when small, remembers its layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from qt_helpers import make_window


def test_window_never_opens_larger_than_the_screen(qtbot):
    win = make_window(qtbot)
    area = (win.screen() or QApplication.primaryScreen()).availableGeometry()
    assert win.width() <= area.width() and win.height() <= area.height()


def test_at_1024x600_every_form_row_keeps_its_height(qtbot):
    win = make_window(qtbot)
    win.resize(1024, 600)
    # Long word-wrapped messages need several lines in the narrow column: the column must
    # scroll, not squash the form to make room for them.
    win.training_panel.note("A long message that wraps onto several lines in a narrow column "
                            "of the training panel, as an error or a run's summary does. " * 3)
    win.training_panel.result_label.setText("MNIST test 98.0% · real handwriting 89.0%\n"
                                            "test_acc: 0.9800 · train acc 0.9790 (running "
                                            "mean over the last epoch)\nlittle overfitting")
    win.training_panel.drawer.toggle.click()  # the settings drawer, opened
    qtbot.wait(50)
    settings = win.training_panel.settings
    rows = [settings.architecture_combo, settings.data_combo, settings.augment_check,
            settings.epochs_spin, settings.batch_spin, settings.optimizer_combo,
            settings.lr_spin, settings.decay_check, win.training_panel.train_button]
    for widget in rows:
        assert widget.height() >= widget.sizeHint().height(), widget.objectName()
    assert win.canvas.width() >= 200 and win.canvas.height() >= 200


@pytest.mark.parametrize("size", [(1320, 760), (1920, 1080)])
def test_the_live_curves_get_room(qtbot, size):
    """The curves are half of the app: at the default size and up each plot is at least
    160 px tall, settings closed (as at launch and during a run); opening the settings
    still leaves each plot its minimum, and a run closes them again."""
    win = make_window(qtbot)
    win.resize(*size)
    qtbot.wait(100)
    panel = win.training_panel
    plots = (panel.plots.loss_plot, panel.plots.accuracy_plot)
    assert not panel.drawer.is_open and panel.drawer.summary.isVisible()
    assert "5 epochs" in panel.drawer.summary.text()
    for plot in plots:
        assert plot.height() >= 160 and plot.isVisible(), (size, plot.height())
    panel.drawer.toggle.click()
    qtbot.wait(50)
    assert panel.drawer.is_open and panel.settings.epochs_spin.isVisible()
    for plot in plots:
        assert plot.height() >= plot.minimumHeight()
    panel.drawer.set_open(False)  # what starting a run does
    qtbot.wait(50)
    assert all(plot.height() >= 160 for plot in plots)


def test_geometry_and_splitter_are_remembered(qtbot):
    win = make_window(qtbot)
    win.resize(760, 560)
    win.splitter.setSizes([300, 200, 260])
    qtbot.wait(20)
    sizes = win.splitter.sizes()
    win.close()
    again = make_window(qtbot)
    assert (again.width(), again.height()) == (760, 560)
    assert again.splitter.sizes() == sizes


def test_quitting_in_wide_mode_keeps_every_column_at_its_minimum_or_more(qtbot):
    """Quit while the canvas is wide (a number written), launch again: square canvas, the
    columns as they were before it widened, none below its minimum width."""
    win = make_window(qtbot)
    win.resize(1320, 760)
    win.splitter.setSizes([480, 330, 510])
    qtbot.wait(20)
    square = win.splitter.sizes()
    win.set_wide_canvas(True)
    qtbot.wait(20)
    win.close()
    again = make_window(qtbot)
    again.resize(1320, 760)
    qtbot.wait(20)
    assert not again.wide_canvas
    splitter = again.splitter
    assert splitter.count() == 3
    for index in range(3):
        column = splitter.widget(index)
        assert column.width() >= column.minimumSizeHint().width(), index
    assert abs(splitter.sizes()[2] - square[2]) <= 40  # the training column as it was


@pytest.mark.parametrize("size", [(1024, 600), (1320, 760)])
def test_toggling_wide_keeps_the_window_size_and_each_layout_its_own(qtbot, size):
    """Wide and back never resize the window (it grew 600 -> 738 px); the square and the
    wide layout each come back as the user left them, also after a relaunch."""
    win = make_window(qtbot)
    win.resize(*size)
    qtbot.wait(50)
    square = win.splitter.sizes()
    for _ in range(2):
        win.set_wide_canvas(True)
        qtbot.wait(50)
        assert win.size().toTuple() == size
        win.set_wide_canvas(False)
        qtbot.wait(50)
        assert win.size().toTuple() == size and win.splitter.sizes() == square
    win.set_wide_canvas(True)
    qtbot.wait(50)
    stack = win.layout_part._wide_stack
    win.splitter.setSizes([size[0] - 460, 453])  # a wider training column...
    stack.setSizes([size[1] - 380, 300])  # ...and more room for the reading
    qtbot.wait(20)
    wide = (win.splitter.sizes(), stack.sizes())
    win.set_wide_canvas(False)
    qtbot.wait(50)
    assert win.splitter.sizes() == square
    win.set_wide_canvas(True)
    qtbot.wait(50)
    assert (win.splitter.sizes(), win.layout_part._wide_stack.sizes()) == wide
    win.close()
    again = make_window(qtbot)
    again.resize(*size)
    qtbot.wait(50)
    assert again.splitter.sizes() == square
    again.set_wide_canvas(True)
    qtbot.wait(50)
    assert (again.splitter.sizes(), again.layout_part._wide_stack.sizes()) == wide


def test_the_canvas_widening_for_a_number_does_not_move_the_ink(qtbot):
    """The second digit widens the canvas: what was drawn stays where it is on the screen
    (it jumped ~190 px right and 25 px up), so the pen is still where the ink is."""
    from qt_helpers import draw_in_frame
    from shapes import ONE, SEVEN

    win = make_window(qtbot)
    win.resize(1320, 760)
    qtbot.wait(50)
    canvas = win.canvas
    draw_in_frame(canvas, ONE, left=-0.4)
    before = [canvas.mapToGlobal(canvas.to_widget(x, y).toPoint()).toTuple()
              for x, y in canvas.strokes[0].points]
    draw_in_frame(canvas, SEVEN, left=-0.1)
    qtbot.waitUntil(lambda: win.wide_canvas, timeout=3000)
    qtbot.wait(50)
    after = [canvas.mapToGlobal(canvas.to_widget(x, y).toPoint()).toTuple()
             for x, y in canvas.strokes[0].points]
    assert max(abs(a - b) for p, q in zip(before, after, strict=True)
               for a, b in zip(p, q, strict=True)) <= 1
    assert win.last_number == "17"


def test_a_saved_layout_that_squashes_a_column_is_not_obeyed(qtbot, isolated_user_dir):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(isolated_user_dir / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("columns", [1200, 100, 20])  # as if edited by hand, or a bad version
    settings.sync()
    win = make_window(qtbot)
    qtbot.wait(20)
    for index in range(3):
        column = win.splitter.widget(index)
        assert column.width() >= column.minimumSizeHint().width(), index


def test_a_dark_theme_gets_dark_plots_and_palette_text(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from digitpad._qt.prediction_view import PredictionView
    from digitpad._qt.training_plots import TrainingPlots

    app = QApplication.instance()
    light = app.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2d30"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#dfe1e5"))
    app.setPalette(dark)
    try:
        view, plots = PredictionView(), TrainingPlots()
        qtbot.addWidget(view)
        qtbot.addWidget(plots)
        for plot in (view.plot, plots.loss_plot, plots.accuracy_plot):
            assert plot.backgroundBrush().color() == QColor("#1e1f22")
            assert plot.getAxis("left").textPen().color() == QColor("#dfe1e5")
        assert "palette(" in view.model_label.styleSheet()  # no hard-coded grey
    finally:
        app.setPalette(light)


def test_the_wheel_edits_a_setting_only_when_it_is_focused(qtbot):
    """Unfocused, a spin box leaves the wheel event ignored (a real one then goes on to the
    scrolling column: Qt passes ignored spontaneous wheel events to the parent)."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    win = make_window(qtbot)
    win.resize(1024, 600)
    settings = win.training_panel.settings

    def wheel_down(control) -> bool:
        centre = QPointF(control.width() / 2, control.height() / 2)
        event = QWheelEvent(centre, control.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(control, event)
        return event.isAccepted()

    spin, combo = settings.epochs_spin, win.training_panel.history_bar.compare_combo
    combo.addItem("an earlier run", "x")
    before, picked = spin.value(), combo.currentIndex()
    assert not wheel_down(spin) and spin.value() == before  # passed on, not taken
    assert not wheel_down(combo) and combo.currentIndex() == picked
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=1000)
    wheel_down(spin)
    assert spin.value() == before - 1  # focused: the wheel edits it


def test_why_this_answer_and_the_exports_are_in_the_menus(qtbot):
    win = make_window(qtbot)
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    file_items = [a.text().replace("&", "") for a in menus["File"].actions()]
    assert any("CSV" in t for t in file_items) and any("PNG" in t for t in file_items)
    view_items = [a.text().replace("&", "") for a in menus["View"].actions()]
    assert "Why this answer?" in view_items
    win.why_action.trigger()
    assert win.prediction_view.heat_button.isChecked() and win.why_action.isChecked()
    win.prediction_view.heat_button.click()
    assert not win.why_action.isChecked()
    combo = win.training_panel.history_bar.compare_combo
    assert combo.itemText(0) == "no earlier run yet"
