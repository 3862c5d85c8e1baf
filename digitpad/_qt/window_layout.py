"""The window's columns: the canvas, the reading (model picker + prediction), the training
panel; and the wide canvas a number needs (the canvas spans the first two columns, the
reading moves below it). Sizes are remembered in ``window.ini`` in the user data dir.

A part of the window: inputs :meth:`WindowLayout.set_wide`, :meth:`restore`, :meth:`save`;
output ``wideChanged``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QWidget

from digitpad.jsonfile import set_aside
from digitpad.paths import user_data_dir

HANDLE = "QSplitter::handle {{ background: palette(mid); margin: {}; border-radius: 2px; }}"


def _splitter(orientation: Qt.Orientation) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.setChildrenCollapsible(False)
    splitter.setHandleWidth(7)
    vertical = orientation == Qt.Orientation.Vertical
    splitter.setStyleSheet(HANDLE.format("2px 40px" if vertical else "40px 2px"))
    return splitter


class WindowLayout(QObject):
    wideChanged = Signal(bool)  # the canvas turned wide (True) or square

    def __init__(self, window: QMainWindow, canvas_column: QWidget, reading_column: QWidget,
                 training_column: QWidget) -> None:
        super().__init__(window)  # the window is parent(): no Python reference cycle with it
        self.canvas_column, self.reading_column = canvas_column, reading_column
        self.wide = False
        self.wide_was_automatic = False
        self._sizes_before_wide: list[int] = []
        # The wide layout's own sizes, once the user had it: (columns, canvas/reading rows).
        self._wide_sizes: tuple[list[int], list[int]] | None = None
        self._wide_stack: QSplitter | None = None
        self.splitter = splitter = _splitter(Qt.Orientation.Horizontal)
        splitter.addWidget(canvas_column)
        splitter.addWidget(reading_column)
        splitter.addWidget(training_column)
        for index, stretch in enumerate((3, 2, 3)):
            splitter.setStretchFactor(index, stretch)
        splitter.setSizes([480, 330, 510])
        window.setCentralWidget(splitter)

    # ---- remembered sizes -------------------------------------------------------------------
    @staticmethod
    def _settings() -> QSettings:
        path = user_data_dir() / "window.ini"
        # Qt would block reading a FIFO (or fail on a directory): such a file is set aside.
        if os.path.lexists(path) and not path.is_file():
            set_aside(path)
        return QSettings(str(path), QSettings.Format.IniFormat)

    def restore(self) -> None:
        """The size and columns of the last session, never a column below its minimum (a
        file from an older digitpad, or edited by hand, cannot squash one)."""
        settings = self._settings()
        geometry = settings.value("geometry")
        window = self.parent()
        if geometry is not None:
            window.restoreGeometry(geometry)
            fit_to_screen(window, window.width(), window.height())
        sizes = _ints(settings.value("columns"))
        if len(sizes) == self.splitter.count() and all(v > 0 for v in sizes):
            # setSizes keeps every column at its minimum width (children not collapsible),
            # which restoreState of a whole wide-mode state did not.
            self.splitter.setSizes(sizes)
        wide = [_ints(settings.value(key)) for key in ("wide_columns", "wide_rows")]
        if all(len(v) == 2 and min(v) > 0 for v in wide):
            self._wide_sizes = (wide[0], wide[1])

    def save(self) -> None:
        """The square layout's columns are saved, also when the canvas is wide now (the next
        launch starts square)."""
        sizes = self._sizes_before_wide if self.wide else self.splitter.sizes()
        settings = self._settings()
        settings.setValue("geometry", self.parent().saveGeometry())
        settings.setValue("columns", [int(v) for v in sizes])
        if self.wide:
            self._remember_wide()
        if self._wide_sizes is not None:
            settings.setValue("wide_columns", self._wide_sizes[0])
            settings.setValue("wide_rows", self._wide_sizes[1])
        settings.remove("splitter")  # the older, whole-state key
        settings.sync()

    # ---- the wide canvas --------------------------------------------------------------------
    def set_wide(self, wide: bool, automatic: bool = False) -> None:
        """Wide: the canvas spans the drawing and reading columns, with the reading below it,
        so a number has room. Back: the square canvas and the columns as before. Each layout
        keeps the sizes you gave it; the window keeps its size."""
        if wide == self.wide:
            return
        self.wide, self.wide_was_automatic = wide, automatic and wide
        window = self.parent()
        size = window.size()
        # The parts take their wide (or square) shape first, so the moved columns never ask
        # for more height than the window has (the window grew 600 -> 738 px here).
        self.wideChanged.emit(wide)
        splitter = self.splitter
        if wide:
            self._sizes_before_wide = sizes = splitter.sizes()
            stack = self._wide_stack = _splitter(Qt.Orientation.Vertical)
            stack.addWidget(self.canvas_column)  # moves it out of the columns
            stack.addWidget(self.reading_column)
            splitter.insertWidget(0, stack)
            if self._wide_sizes is not None:
                columns, rows = self._wide_sizes
            else:  # the canvas spans both columns; the reading at its smallest below it
                columns, rows = [sizes[0] + sizes[1] + splitter.handleWidth(), sizes[2]], \
                    [1 << 20, 1]
            splitter.setSizes(columns)
            stack.setSizes(rows)
        else:
            self._remember_wide()
            splitter.insertWidget(0, self.canvas_column)
            splitter.insertWidget(1, self.reading_column)
            self._wide_stack.setParent(None)
            self._wide_stack.deleteLater()
            self._wide_stack = None
            # After the columns' layouts have settled (a number's labels were wider).
            sizes = self._sizes_before_wide
            QTimer.singleShot(0, self, lambda: splitter.setSizes(sizes))
        window.resize(size)
        QTimer.singleShot(0, self, lambda: window.resize(size))

    def _remember_wide(self) -> None:
        if self._wide_stack is not None:
            self._wide_sizes = (self.splitter.sizes(), self._wide_stack.sizes())


def _ints(value: object) -> list[int]:
    """A list of ints from a QSettings value (a string when one item), [] when unusable."""
    try:
        return [int(v) for v in ([value] if isinstance(value, str) else value or [])]
    except (TypeError, ValueError):
        return []


def place_beside(dialog: QWidget, window: QWidget) -> None:
    """Put a secondary window where it never covers the canvas or the reading: beside the
    main window if the screen has room, else over the main window's right-hand (training)
    column, narrowed to it if need be."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    area, frame = screen.availableGeometry(), window.frameGeometry()
    width = dialog.width()
    if area.right() - frame.right() >= width:
        dialog.move(frame.right() + 1, frame.top())
    elif frame.left() - area.left() >= width:
        dialog.move(frame.left() - width, frame.top())
    else:
        right_column = window.findChild(QWidget, "trainingScroll")
        left = right_column.mapToGlobal(right_column.rect().topLeft()).x() \
            if right_column is not None else frame.center().x()
        width = max(min(width, area.right() - left), 380)
        dialog.resize(width, min(dialog.height(), area.height()))
        dialog.move(min(left, area.right() - width), frame.top())


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """The size asked for, but never larger than the screen's available area."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width, height = min(width, area.width()), min(height, area.height())
    window.resize(width, height)
