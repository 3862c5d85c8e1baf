"""The window's menus (File, Edit, View, Training, Help): every action with its one shortcut.

Shortcuts are application-wide, so they work from launch whatever has focus (a text field
still edits its own text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from .main_window import MainWindow


def install_menus(window: MainWindow) -> None:
    """Add the menus to ``window`` and keep its actions as ``window.<name>_action``."""

    def action(menu, text: str, keys: list, slot, tip: str = "") -> QAction:
        act = QAction(text, window)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        window.addAction(act)
        return act

    std = QKeySequence.StandardKey
    bar = window.menuBar()
    file_menu, edit_menu = bar.addMenu("&File"), bar.addMenu("&Edit")
    view_menu = bar.addMenu("&View")
    train_menu, help_menu = bar.addMenu("&Training"), bar.addMenu("&Help")
    # Only "Ctrl+Q": StandardKey.Quit is the same key on Linux (two bindings of one key make
    # Qt report an ambiguous shortcut and do nothing) and empty on some platforms.
    window.quit_action = action(file_menu, "&Quit", ["Ctrl+Q"], window.close)
    window.undo_action = action(edit_menu, "&Undo", [std.Undo], window.canvas.undo,
                                "Undo the last stroke or Clear")
    window.redo_action = action(edit_menu, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"],
                                window.canvas.redo)
    window.clear_action = action(edit_menu, "&Clear", [Qt.Key.Key_Escape, Qt.Key.Key_Delete],
                                 window.canvas.clear, "Clear the canvas (Undo brings it back)")
    edit_menu.addSeparator()
    window.teach_action = action(edit_menu, "&Teach me 3 of each", ["Ctrl+E"],
                                 window.teaching.start_prompt,
                                 "The app asks for each digit in turn; draw it, Enter keeps it")
    window.stop_teaching_action = action(edit_menu, "Stop &teaching", [],
                                         window.teaching.stop_prompt,
                                         "End the lesson; Teach me goes on from there later")
    window.samples_action = action(edit_menu, "Your &samples…", ["Ctrl+Shift+S"],
                                   window.teaching.show_samples,
                                   "The digits you labelled: view, delete, export, import")
    window.wide_action = action(view_menu, "&Wide canvas (for numbers)", ["Ctrl+Shift+W"],
                                window.set_wide_canvas,
                                "A wide canvas for writing a number; it widens by itself "
                                "when a second digit is drawn")
    window.wide_action.setCheckable(True)
    window.evaluation_action = action(view_menu, "How it reads &test digits…",
                                      ["Ctrl+Shift+E"], window.show_evaluation,
                                      "Confusion matrix and mistakes of the model in use")
    window.inside_action = action(view_menu, "&Inside the network…", ["Ctrl+Shift+I"],
                                  window.show_inside,
                                  "Each layer's response to your drawing, live")
    heat = window.prediction_view.heat_button
    window.why_action = action(view_menu, "&Why this answer?", ["Ctrl+Shift+Y"], heat.toggle,
                               "Colour the network's input by the ink that spoke for the "
                               "answer")
    window.why_action.setCheckable(True)
    heat.toggled.connect(window.why_action.setChecked)
    panel = window.training_panel
    file_menu.insertAction(window.quit_action, _plain_action(
        window, "Export the run's curves as &CSV…", panel.history_bar.ask_csv))
    file_menu.insertAction(window.quit_action, _plain_action(
        window, "Save the &plots as PNG…", panel.history_bar.ask_png))
    file_menu.insertSeparator(window.quit_action)
    window.train_action = action(train_menu, "&Train", ["Ctrl+T"],
                                 window.training_panel.start_training)
    window.stop_action = action(train_menu, "&Stop", ["Ctrl+."],
                                window.training_panel.stop_training)
    window.finetune_action = action(train_menu, "&Fine-tune on my handwriting",
                                    ["Ctrl+Shift+T"], window.teaching.request_finetune,
                                    "Tune the model in use on the digits you labelled")
    window.restore_action = action(train_menu, "Restore &default model", [],
                                   window.restore_bundled_model)
    action(help_menu, "&Keyboard shortcuts", [std.HelpContents],
           lambda: show_shortcuts(window))
    action(help_menu, "&About digitpad", [], lambda: show_about(window))


def _plain_action(window: MainWindow, text: str, slot) -> QAction:
    act = QAction(text, window)
    act.triggered.connect(slot)
    return act


def show_shortcuts(window: MainWindow) -> None:
    native = QKeySequence.SequenceFormat.NativeText
    keys = [(", ".join(k.toString(native) for k in a.shortcuts()), a.text().replace("&", ""))
            for a in window.actions() if not a.shortcut().isEmpty()]
    keys += [("0 – 9", "keep the drawing as a sample of that digit (your handwriting)"),
             ("Enter", "in Teach me: keep the drawing as the digit asked for")]
    rows = "".join(f"<tr><td><b>{k}</b></td><td>{text}</td></tr>" for k, text in keys)
    QMessageBox.information(window, "Keyboard shortcuts", f"<table>{rows}</table>")


def show_about(window: MainWindow) -> None:
    from digitpad import __version__

    QMessageBox.about(window, "About digitpad", (
        f"<b>digitpad {__version__}</b><p>Draw a digit and watch a Keras network read it; "
        "retrain it and watch it learn. After Chollet, <i>Deep Learning with Python</i>, "
        "ch. 2.</p><p>Pen digits: UNIPEN (International Unipen Foundation), CC BY 4.0. "
        "MNIST: Y. LeCun, C. Cortes, C. J. C. Burges.</p>"))
