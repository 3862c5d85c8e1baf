"""Live training curves: loss and accuracy plots fed from growing numpy buffers.

Every curve is created once and fed with ``setData``; ranges are fixed and changed in coarse
steps, since auto-ranging on every point re-lays out the axes at each repaint (~10 ms of
GUI-thread CPU taken from training on a 2-core machine).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from .theme import style_plot

TRAIN_STYLE = {"name": "train (per batch)", "pen": pg.mkPen("#4c78a8", width=2)}
TEST_STYLE = {"name": "MNIST test (per epoch)", "symbol": "o", "symbolSize": 8,
              "symbolBrush": "#f58518", "symbolPen": "#f58518",
              "pen": pg.mkPen("#f58518", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)}
PEN_STYLE = {"name": "real handwriting (pen test)", "symbol": "s", "symbolSize": 8,
             "symbolBrush": "#2ca02c", "symbolPen": "#2ca02c",
             "pen": pg.mkPen("#2ca02c", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)}
YOURS_STYLE = {"symbol": "d", "symbolSize": 10, "symbolBrush": "#9467bd", "symbolPen": None,
               "pen": pg.mkPen("#9467bd", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)}
PEN_TOOLTIP = ("Real handwriting: accuracy on pen-drawn digits from 3 sites (28 writers) "
               "never trained on.\nThe gap to MNIST test accuracy is domain shift: MNIST is "
               "scanned pencil digits of US writers,\nthe canvas gets pen strokes from anyone.")


AXIS_WIDTH = 56  # pixels for the left axis of both plots
OVERLAY_COLOUR = (150, 150, 150, 150)
# Legend entries (glyph drawn like the curve: line, circle, square, diamond; its colour).
LEGEND = {"train": ("━", "#4c78a8", "train"),
          "test": ("-●-", "#f58518", "MNIST test"),
          "pen": ("-■-", "#2ca02c", "real handwriting"),
          "yours": ("-◆-", "#9467bd", "yours (held out)")}
LEGEND_TOOLTIP = ("train: per batch (smoothed) · MNIST test: per epoch · real handwriting: "
                  "per epoch, pen digits of sites never trained on · yours: per epoch, your "
                  "samples held out from a fine-tune")


def legend_label(keys: list[str], object_name: str, test_name: str = "MNIST test") -> QLabel:
    """A legend as a line of text above the plot: it never covers a curve, whatever the
    range, and its glyphs match the markers; ``test_name`` names the test curve."""
    label = QLabel(objectName=object_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignRight)
    # One line that never widens the column (in a very narrow one its left end is cut).
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setToolTip(LEGEND_TOOLTIP)
    label.setText("&nbsp;&nbsp; ".join(
        f"<span style='color:{colour}; font-weight:bold'>{glyph}</span>&nbsp;"
        f"{test_name if key == 'test' else name}"
        for key, (glyph, colour, name) in ((k, LEGEND[k]) for k in keys)))
    label.setStyleSheet("font-size: 11px;")
    return label
DECADE_TICKS = [(float(k), f"{10.0**k:g}") for k in range(-6, 4)]


class GrowingCurve:
    """A plot curve backed by a preallocated numpy buffer that doubles when full."""

    def __init__(self, item: pg.PlotDataItem) -> None:
        self.item = item
        self.x = np.empty(256)
        self.y = np.empty(256)
        self.size = 0

    def append(self, x: float, y: float) -> None:
        if self.size == len(self.x):
            self.x = np.concatenate([self.x, np.empty_like(self.x)])
            self.y = np.concatenate([self.y, np.empty_like(self.y)])
        self.x[self.size], self.y[self.size] = x, y
        self.size += 1

    def clear(self) -> None:
        self.size = 0
        self.item.setData([], [])

    def flush(self) -> None:
        self.item.setData(self.x[: self.size], self.y[: self.size])

    @property
    def values(self) -> np.ndarray:
        return self.y[: self.size]


def loss_decades(values: np.ndarray) -> tuple[float, float]:
    """log10 y range for the loss plot in whole decades: it changes only a few times a run."""
    finite = values[np.isfinite(values) & (values > 0)]
    if not len(finite):
        return -2.0, 1.0
    low = math.floor(math.log10(max(float(finite.min()), 1e-6)))
    high = math.ceil(math.log10(float(finite.max())))
    return float(low), float(max(high, low + 1))


MARKER_ROOM = 0.015  # below the lowest point, so a whole marker shows, not half of one


def accuracy_floor(xs: np.ndarray, ys: np.ndarray) -> float:
    """Bottom of the accuracy plot in steps of 0.05, ignoring the first quarter epoch (whose
    near-chance values would squash the interesting 0.9-1.0 region into a thin band), with
    room below the lowest point for its marker."""
    settled = ys[(xs >= 0.25) & np.isfinite(ys)]
    if not len(settled):
        return 0.0
    lowest = float(settled.min()) - MARKER_ROOM
    return float(min(0.95, max(0.0, math.floor(lowest * 20) / 20)))


def _plot(object_name: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.disableAutoRange()
    plot.setMouseEnabled(x=False, y=False)
    plot.setXRange(0, 1, padding=0.02)
    plot.setYRange(0, 1, padding=0.02)
    plot.setObjectName(object_name)
    style_plot(plot)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    # The same axis width on both plots, so their epochs line up one above the other.
    plot.getAxis("left").setWidth(AXIS_WIDTH)
    plot.setMinimumHeight(120)
    return plot


class TrainingPlots(QWidget):
    """Loss (log scale) and accuracy, each with a per-batch train curve and per-epoch test
    points; accuracy also shows real handwriting (pen test split) when the run measures it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = _plot("lossPlot", "loss (log scale)")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.setYRange(-2, 1, padding=0.02)
        # One label per decade, always in plain notation ("0.01", "0.1", "1", "10"):
        # pyqtgraph's own log ticks stack their minor labels and switch to "10¹".
        self.loss_plot.getAxis("left").setTicks([DECADE_TICKS, []])
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)  # no "(x0.01)" in the label
        self.accuracy_plot = _plot("accuracyPlot", "accuracy")
        self.loss_legend = legend_label(["train", "test"], "lossLegend")
        self.accuracy_legend = legend_label(["train", "test", "pen"], "accuracyLegend")
        self.accuracy_plot.setToolTip(PEN_TOOLTIP)
        self.train_loss = GrowingCurve(self.loss_plot.plot(**TRAIN_STYLE))
        self.test_loss = GrowingCurve(self.loss_plot.plot(**TEST_STYLE))
        self.train_acc = GrowingCurve(self.accuracy_plot.plot(**TRAIN_STYLE))
        self.test_acc = GrowingCurve(self.accuracy_plot.plot(**TEST_STYLE))
        self.pen_acc = GrowingCurve(self.accuracy_plot.plot(**PEN_STYLE))
        self.yours_acc = GrowingCurve(self.accuracy_plot.plot(**YOURS_STYLE))  # fine-tunes
        self.curves = [self.train_loss, self.test_loss, self.train_acc, self.test_acc,
                       self.pen_acc, self.yours_acc]
        # An earlier run, faint and grey behind the current one (see set_overlay).
        faint = pg.mkPen(OVERLAY_COLOUR, width=1.5)
        faint_dash = pg.mkPen(OVERLAY_COLOUR, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
        self.overlay = {
            "train_loss": self.loss_plot.plot(pen=faint),
            "test_loss": self.loss_plot.plot(pen=faint_dash, symbol="o", symbolSize=5,
                                             symbolBrush=OVERLAY_COLOUR, symbolPen=None),
            "train_accuracy": self.accuracy_plot.plot(pen=faint),
            "test_accuracy": self.accuracy_plot.plot(pen=faint_dash, symbol="o", symbolSize=5,
                                                     symbolBrush=OVERLAY_COLOUR,
                                                     symbolPen=None),
            "pen_accuracy": self.accuracy_plot.plot(pen=faint_dash, symbol="s", symbolSize=5,
                                                    symbolBrush=OVERLAY_COLOUR,
                                                    symbolPen=None)}
        for item in self.overlay.values():
            item.setZValue(-10)
        self._dirty = False
        self._loss_range = (math.nan, math.nan)
        self._accuracy_floor = math.nan
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.loss_legend)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.accuracy_legend)
        layout.addWidget(self.accuracy_plot, 1)

    def named_curves(self) -> dict[str, list[tuple[float, float]]]:
        """The current run's curves by name (for the run history)."""
        names = ("train_loss", "test_loss", "train_accuracy", "test_accuracy",
                 "pen_accuracy", "yours_accuracy")
        return {name: list(zip(c.x[: c.size].tolist(), c.values.tolist(), strict=True))
                for name, c in zip(names, self.curves, strict=True) if c.size}

    def set_overlay(self, curves: dict[str, list[tuple[float, float]]] | None) -> None:
        """Draw an earlier run's curves behind the current ones (None: none)."""
        for name, item in self.overlay.items():
            points = np.asarray((curves or {}).get(name, []), dtype=float).reshape(-1, 2)
            if name.endswith("loss"):  # the loss plot is in log mode: pyqtgraph maps it
                points = points[points[:, 1] > 0]
            item.setData(points[:, 0], points[:, 1])
        if curves:  # make room for it on the x axis
            last = max((p[-1][0] for p in curves.values() if p), default=1.0)
            for plot in (self.loss_plot, self.accuracy_plot):
                right = plot.viewRange()[0][1]
                if last > right:
                    plot.setXRange(0, last, padding=0.02)

    def show_yours(self, shown: bool, paths: bool = False) -> None:
        """The "your handwriting" curve is in the legend only for a fine-tune; a pen-path
        run's test curve is the pen test (read from the strokes' path), with no second
        real-handwriting curve."""
        test = "pen test (paths)" if paths else "MNIST test"
        keys = ["train", "test"] if paths else ["train", "test", "pen"]
        self.accuracy_legend.setText(legend_label(keys + ["yours"] * shown, "", test).text())
        self.loss_legend.setText(legend_label(["train", "test"], "", test).text())

    def clear(self) -> None:
        for curve in self.curves:
            curve.clear()
        self._loss_range = (math.nan, math.nan)
        self._accuracy_floor = math.nan

    def set_epochs(self, epochs: int) -> None:
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)

    def add_batch(self, x: float, loss: float, accuracy: float) -> None:
        self.train_loss.append(x, loss)
        self.train_acc.append(x, accuracy)
        self._dirty = True

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """Per-epoch points: ``val_loss``/``val_accuracy`` (MNIST test), ``pen_accuracy``."""
        if "val_loss" in logs:
            self.test_loss.append(epoch + 1, logs["val_loss"])
        if "val_accuracy" in logs:
            self.test_acc.append(epoch + 1, logs["val_accuracy"])
        if "pen_accuracy" in logs:
            self.pen_acc.append(epoch + 1, logs["pen_accuracy"])
        if math.isfinite(logs.get("yours_accuracy", math.nan)):
            self.yours_acc.append(epoch + 1, logs["yours_accuracy"])
        self._dirty = True

    def add_final(self, x: float, loss: float, accuracy: float) -> None:
        """Test figures measured after the run at ``x`` (a stopped run's last point)."""
        if math.isfinite(loss) and math.isfinite(accuracy):
            self.test_loss.append(x, loss)
            self.test_acc.append(x, accuracy)
            self._dirty = True

    def flush(self, force: bool = False) -> None:
        """Repaint what changed since the last flush (called by a ≤ 10 Hz timer)."""
        if not (self._dirty or force):
            return
        for curve in self.curves:
            curve.flush()
        losses = np.concatenate([self.train_loss.values, self.test_loss.values])
        decades = loss_decades(losses)
        if decades != self._loss_range:
            self._loss_range = decades
            self.loss_plot.setYRange(*decades, padding=0.02)
        # Per-epoch points always count (a fine-tune's starting point sits at x = 0); only the
        # per-batch curve's first quarter epoch is ignored.
        epoch_curves = (self.test_acc, self.pen_acc, self.yours_acc)
        xs = np.concatenate([self.train_acc.x[: self.train_acc.size],
                             *[np.ones(c.size) for c in epoch_curves]])
        ys = np.concatenate([c.values for c in (self.train_acc, *epoch_curves)])
        floor = accuracy_floor(xs, ys)
        if floor != self._accuracy_floor:
            self._accuracy_floor = floor
            self.accuracy_plot.setYRange(floor, 1.0, padding=0.02)
        self._dirty = False
