"""Colours from the application palette, so a dark desktop theme gets dark plots and
readable labels instead of hard-coded greys on white."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

# Secondary text (captions, hints, the model line): the palette's own muted text colour.
MUTED = "color: palette(placeholder-text);"


def style_plot(plot: pg.PlotWidget, widget: QWidget | None = None) -> None:
    """Background, axes and labels of a pyqtgraph plot in the palette's colours."""
    palette = (widget or plot).palette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    text = palette.color(QPalette.ColorRole.Text)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(palette.color(QPalette.ColorRole.Mid)))
        axis.setTextPen(pg.mkPen(text))
