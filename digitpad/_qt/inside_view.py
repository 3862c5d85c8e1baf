"""Inside the network, live for the drawing on the canvas: the dense net's hidden units (and
the input weights of the most active ones, red where ink raises the unit, blue where it
lowers it), or each convolution layer's feature maps; below them, when it reads too, the
pen-path network's feature maps along the path. Computations are
:func:`digitpad.explain.inside` (numpy, ~0.1 ms); this window only paints them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from digitpad.explain import LayerView, inside

from .pixmaps import array_pixmap

REFRESH_MS = 60  # at most ~15 repaints a second while drawing


def _grey(values: np.ndarray) -> np.ndarray:
    peak = max(float(values.max()), 1e-6)
    return np.clip(values / peak, 0, 1)


def _diverging(weights: np.ndarray) -> np.ndarray:
    """(h, w) signed -> (h, w, 3) red for positive, blue for negative, white at zero."""
    scale = max(float(np.abs(weights).max()), 1e-6)
    w = np.clip(weights / scale, -1, 1)
    red = np.where(w < 0, 1 + w, 1.0)
    blue = np.where(w > 0, 1 - w, 1.0)
    green = 1 - np.abs(w)
    return np.stack([red, green, blue], axis=-1)


def tiles(maps: np.ndarray, columns: int) -> np.ndarray:
    """(h, w, n) feature maps -> one grey picture of n tiles, 1 px apart."""
    h, w, n = maps.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), 0.25, np.float32)
    for k in range(n):
        r, c = divmod(k, columns)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = _grey(maps[:, :, k])
    return out


class InsideWindow(QDialog):
    """Non-modal; ``show_drawing(predictor, image)`` after each prediction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Inside the network — digitpad")
        self.setObjectName("insideWindow")
        self.resize(560, 700)
        self.views: list[LayerView] = []
        self._rows: list[tuple[QLabel, QLabel | None]] = []  # (picture, weights) per layer
        self._row_names: list[str] = []
        self._pending: tuple | None = None
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._timer.timeout.connect(self._paint)
        self.content = QWidget()
        self.rows = QVBoxLayout(self.content)
        self.rows.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.content)
        self.message = QLabel("Draw a digit: each layer's response shows here as you draw.",
                              objectName="insideMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def show_drawing(self, predictor, image: np.ndarray | None, path_predictor=None,
                     path: np.ndarray | None = None) -> None:
        """Queue an update (painted at most every REFRESH_MS); ``path_predictor`` and
        ``path``: the pen-path network and the path it read, when it reads too."""
        self._pending = (predictor, image, path_predictor, path)
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _paint(self) -> None:
        if self._pending is None:
            return
        predictor, image, path_predictor, path = self._pending
        layers = getattr(predictor, "layers", None)
        if layers is None or image is None:
            self.views = []
            self._clear_rows()
            self.message.setText("This model has no numpy forward pass: nothing to show."
                                 if layers is None else
                                 "Draw a digit: each layer's response shows here as you draw.")
            return
        self.views = inside(layers, image)
        has_weights = any(v.weight_images is not None for v in self.views)
        text = ("Brighter is stronger. Red weights: ink there raises the unit; blue: lowers it."
                if has_weights else
                "Brighter is stronger: each square is one feature map of a convolution layer, "
                "lit where its pattern is found in your drawing.")
        path_layers = getattr(path_predictor, "layers", None)
        if path_layers is not None and path is not None:
            self.views += [replace(v, name=f"Pen path · {v.name}")
                           for v in inside(path_layers, path)]
            text += (" Pen path: each row is one feature map of the pen-path network, left "
                     "to right along your strokes in the order you drew them.")
        self.message.setText(text)
        names = [v.name for v in self.views]
        if names != self._row_names:  # another model: build the rows once
            self._clear_rows()
            self._row_names = names
            for view in self.views:
                self._rows.append(self._add_row(view))
        for view, (picture, weights) in zip(self.views, self._rows, strict=True):
            self._fill(view, picture, weights)

    def _clear_rows(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._rows, self._row_names = [], []

    def _add_row(self, view: LayerView) -> tuple[QLabel, QLabel | None]:
        self.rows.addWidget(QLabel(f"<b>{view.name}</b>"))
        picture = QLabel()
        picture.setWordWrap(True)
        self.rows.addWidget(picture)
        weights = None
        if view.weight_images is not None:
            self.rows.addWidget(QLabel("The most active units and their input weights:"))
            weights = QLabel()
            self.rows.addWidget(weights)
        return picture, weights

    def _fill(self, view: LayerView, picture: QLabel, weights: QLabel | None) -> None:
        if view.kind == "Conv1D":  # one row per feature map, along the path
            rows = _grey(view.values.T)  # (maps, steps): stretched along the path so each
            stretch = max(1, 240 // rows.shape[1])  # map is a thin row, not a square
            picture.setPixmap(array_pixmap(np.repeat(rows, stretch, axis=1), 480))
        elif view.kind == "Conv2D":
            n = view.values.shape[-1]
            picture.setPixmap(array_pixmap(tiles(view.values, 8 if n <= 32 else 16), 480))
        elif view.values.shape[0] == 10:
            picture.setText("output (probabilities): " + " · ".join(
                f"{d}: {p:.0%}" for d, p in enumerate(view.values)))
        else:
            units = view.values.shape[0]
            columns = 32 if units % 32 == 0 else units
            picture.setPixmap(array_pixmap(_grey(view.values).reshape(-1, columns), 480))
        if weights is not None and view.weight_images is not None:
            strip = np.concatenate([np.pad(_diverging(w), ((0, 0), (0, 2), (0, 0)),
                                           constant_values=1.0) for w in view.weight_images],
                                   axis=1)
            weights.setPixmap(array_pixmap(strip, 480))
            weights.setToolTip("units " + ", ".join(
                f"{u} ({view.values[u]:.2f})" for u in view.top_units))
