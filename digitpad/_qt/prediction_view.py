"""What the network thinks: the winning digit (or the number, when several digits are drawn),
all ten probabilities of one digit, and that digit's 28x28 input (and its pen path, when the
pen-path network reads too; both answers when the two disagree)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.certainty import verdict
from digitpad.segment import NumberReading

from .path_view import PathView
from .pixmaps import array_pixmap
from .theme import MUTED, style_plot

INPUT_CAPTION = "network input (28×28)"
BOTH_CAPTION = "what each network sees: the picture · the pen path"
HEAT_LEGEND = ("<span style='color:#d62728'>■</span> ink that pushed the answer up · "
               "<span style='color:#1f77b4'>■</span> down")
BAR = "#4c78a8"
WINNER = "#f58518"
UNSURE = "#9aa5b1"


class PredictionView(QWidget):
    """Big digit + confidence, a bar chart of the 10 probabilities, and the network's input.

    Clicking a bar says "what I drew is this digit" (``barClicked``), like its digit key.
    """

    barClicked = Signal(int)
    heatToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictionView")
        self.digit_label = QLabel("–")
        self.digit_label.setObjectName("digitLabel")
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit_label.setMinimumWidth(120)
        self.confidence_label = QLabel("")
        self.confidence_label.setObjectName("confidenceLabel")
        self.confidence_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confidence_label.setWordWrap(True)  # a long line never widens the column
        self.digits_label = QLabel("")  # each digit of a number with its probability
        self.digits_label.setObjectName("digitsLabel")
        self.digits_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digits_label.setWordWrap(True)
        self.digits_label.setTextFormat(Qt.TextFormat.RichText)
        self.digits_label.setToolTip("Each digit of the number with the network's probability; "
                                     "the bars show the digit under the mouse or the last "
                                     "one drawn")
        self.digits_label.hide()
        self.model_label = QLabel("Loading model…")
        self.model_label.setObjectName("modelLabel")
        self.model_label.setWordWrap(True)
        self.model_label.setStyleSheet(MUTED)

        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setFixedSize(112, 112)
        self.preview.setToolTip("The 28x28 image the network sees")
        self.preview.setStyleSheet("background: black; border: 1px solid palette(mid);")
        self.preview_caption = QLabel(INPUT_CAPTION)
        self.preview_caption.setStyleSheet(f"{MUTED} font-size: 10px;")
        self.preview_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_caption.setWordWrap(True)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("probabilityPlot")
        style_plot(self.plot, self)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setXRange(-0.6, 9.6, padding=0)
        self.plot.setLabel("left", "probability")
        axis = self.plot.getAxis("bottom")
        axis.setTicks([[(d, str(d)) for d in range(10)]])
        self.plot.setMinimumHeight(160)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brushes=[BAR] * 10, pens=[pg.mkPen(None)] * 10)
        self.plot.addItem(self.bars)
        self.plot.setToolTip("The network's probability for each digit. Click a bar to keep "
                             "your drawing as a sample of that digit (or press its key).")
        self.plot.scene().sigMouseClicked.connect(self._on_plot_click)
        self._image: np.ndarray | None = None
        self._heat: np.ndarray | None = None
        self.note_label = QLabel("")  # "kept as a 7", briefly
        self.note_label.setObjectName("noteLabel")
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note_label.setWordWrap(True)

        top = QHBoxLayout()
        digit_box = QVBoxLayout()
        digit_box.addWidget(self.digit_label)
        digit_box.addWidget(self.confidence_label)
        digit_box.addWidget(self.digits_label)
        top.addLayout(digit_box, 1)
        preview_box = QVBoxLayout()
        self.path_view = PathView()
        self.path_view.hide()
        inputs = QHBoxLayout()
        inputs.addStretch(1)
        inputs.addWidget(self.preview)
        inputs.addWidget(self.path_view)
        inputs.addStretch(1)
        preview_box.addLayout(inputs)
        preview_box.addWidget(self.preview_caption)
        self.heat_button = QToolButton(text="Why this answer?", objectName="heatButton",
                                       checkable=True)
        self.heat_button.setToolTip(
            "Colour the network's input by which ink pushed the answer up (red) or down "
            "(blue): each small patch of ink is removed in turn and the change in the "
            "answer's probability measured")
        self.heat_button.toggled.connect(self.heatToggled)
        self.heat_button.toggled.connect(self._on_heat_button)
        preview_box.addWidget(self.heat_button, 0, Qt.AlignmentFlag.AlignCenter)
        top.addLayout(preview_box)
        # The answer above the bars; beside them under a wide canvas (see set_wide).
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addLayout(top)
        self.body.addWidget(self.plot, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.model_label)
        self._wide = False
        self.show_probabilities(None, None)

    def set_wide(self, wide: bool) -> None:
        """Under a wide canvas, the answer sits beside the bars: the view needs less height
        and the canvas gets it."""
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if wide
                               else QBoxLayout.Direction.TopToBottom)
        self._wide = wide
        self._size_inputs()
        self.plot.setMinimumHeight(110 if wide else 160)

    def _size_inputs(self) -> None:
        # Smaller under a wide canvas, so it keeps its height in a 600 px window; smaller
        # beside the pen path, so the two fit the column as the picture alone did.
        both = self.path_view.isVisibleTo(self)
        side = (76 if both else 84) if self._wide else (84 if both else 112)
        self.preview.setFixedSize(side, side)
        self.path_view.set_side(side)
        self.digit_label.setMinimumWidth(96 if both else 120)
        self._show_preview(self._image)

    def set_two_views(self, on: bool) -> None:
        """Whether the pen path is read too: its view stays in place while on (empty
        between drawings), so the column never changes width as you draw."""
        if on != self.path_view.isVisibleTo(self):
            self.path_view.setVisible(on)
            self._size_inputs()
        if not self.heat_button.isChecked():
            self.preview_caption.setText(BOTH_CAPTION if on else INPUT_CAPTION)

    def show_note(self, text: str, error: bool = False) -> None:
        self.note_label.setText(text)
        self.note_label.setStyleSheet("color: #c62828; font-weight: bold;" if error
                                      else "color: #2ca02c; font-weight: bold;")

    def _on_plot_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        digit = int(round(point.x()))
        if 0 <= digit <= 9 and abs(point.x() - digit) <= 0.45:
            self.barClicked.emit(digit)

    def set_model_text(self, text: str) -> None:
        self.model_label.setText(text)

    def show_probabilities(self, probabilities: np.ndarray | None, image: np.ndarray | None,
                           waiting_text: str = "Draw a digit", doubt: str | None = None,
                           path: np.ndarray | None = None,
                           views: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Show a prediction, or the empty state when ``probabilities`` is None; ``path`` is
        the pen path read beside the picture, ``views`` the picture's and the path's own
        probabilities (both answers are named when they differ)."""
        self._show_preview(image)
        self.path_view.show_path(path if probabilities is not None else None)
        self.digits_label.hide()
        self.digit_label.setTextFormat(Qt.TextFormat.PlainText)
        if probabilities is None:
            self.digit_label.setText("–")
            self.digit_label.setStyleSheet(f"font-size: 72px; font-weight: bold; color: {UNSURE};")
            self.confidence_label.setText(waiting_text)
            self.bars.setOpts(height=np.zeros(10), brushes=[BAR] * 10)
            return
        winner = int(np.argmax(probabilities))
        unsure, words = verdict(probabilities, doubt)
        colour = UNSURE if unsure else WINNER
        self.digit_label.setText(f"{winner}?" if unsure else str(winner))
        self.digit_label.setStyleSheet(f"font-size: 72px; font-weight: bold; color: {colour};")
        if doubt is not None:  # the network's confidence means nothing for a non-digit
            words += f"; the network says {winner}, {float(probabilities[winner]):.0%}"
        if views is not None:
            words += _disagreement(*views, winner)
        self.confidence_label.setText(words)
        brushes = [BAR] * 10
        brushes[winner] = colour
        self.bars.setOpts(height=np.asarray(probabilities, dtype=float), brushes=brushes)

    def show_number(self, reading: NumberReading, selected: int) -> None:
        """A number: its digits in big type (unsure ones grey), each digit's probability, and
        the bars and input of digit ``selected``."""
        digit = reading.digits[selected]
        self.show_reading(digit)
        n = len(reading.digits)

        def styled(index: int, d) -> str:
            colour = UNSURE if verdict(d.probabilities, d.doubt)[0] else WINNER
            underline = " text-decoration: underline;" if index == selected else ""
            return f"<span style='color:{colour};{underline}'>{d.digit}</span>"

        big = "".join(styled(i, d) for i, d in enumerate(reading.digits))
        size = 72 if n <= 3 else max(30, int(216 / n))
        self.digit_label.setTextFormat(Qt.TextFormat.RichText)
        self.digit_label.setText(big)
        self.digit_label.setStyleSheet(f"font-size: {size}px; font-weight: bold;")
        sure = verdict(digit.probabilities, digit.doubt)[1]
        self.confidence_label.setText(f"digit {selected + 1} of {n}: {digit.digit} · {sure}")

        def entry(d) -> str:
            return f"{d.digit}? (not a digit?)" if d.doubt else f"{d.digit} {d.confidence:.0%}"

        self.digits_label.setText(" · ".join(
            (f"<b>{entry(d)}</b>" if i == selected else entry(d))
            for i, d in enumerate(reading.digits)))
        self.digits_label.show()

    def show_reading(self, digit) -> None:
        """One digit's reading (a ``segment.DigitReading``): its bars, input and pen path."""
        views = None
        if digit.path_probabilities is not None:
            views = (digit.picture_probabilities, digit.path_probabilities)
        self.show_probabilities(digit.probabilities, digit.image, doubt=digit.doubt,
                                path=digit.path, views=views)

    @Slot(bool)
    def _on_heat_button(self, on: bool) -> None:
        # The colours need words: the legend replaces the caption while the map shows.
        both = self.path_view.isVisibleTo(self)
        self.preview_caption.setText(HEAT_LEGEND if on else BOTH_CAPTION if both
                                     else INPUT_CAPTION)
        self._show_preview(self._image)

    def show_heat(self, heat: np.ndarray | None) -> None:
        """The heat map for the input shown (None: not computed yet)."""
        self._heat = heat
        self._show_preview(self._image)

    def _show_preview(self, image: np.ndarray | None) -> None:
        if image is not self._image:
            self._heat = None  # a new input: its heat map comes later
        self._image = image
        if image is None:
            image = np.zeros((28, 28), np.float32)
        grey = np.clip(np.asarray(image, dtype=np.float32), 0, 1)
        if self.heat_button.isChecked() and self._heat is not None:
            scale = max(float(np.abs(self._heat).max()), 1e-6)
            # A square-root scale, so ink that mattered a little still shows a tint.
            push = np.sign(self._heat) * np.sqrt(np.clip(np.abs(self._heat) / scale, 0, 1))
            rgb = np.stack([grey * 0.45 + np.clip(push, 0, 1) * 0.55,
                            grey * 0.45,
                            grey * 0.45 + np.clip(-push, 0, 1) * 0.55], axis=-1)
            self.preview.setPixmap(array_pixmap(rgb, self.preview.width()))
        else:
            self.preview.setPixmap(array_pixmap(grey, self.preview.width()))


def _disagreement(picture: np.ndarray, path: np.ndarray, winner: int) -> str:
    """Both answers (e.g. "picture: 3 · pen path: 9 → 9") when the networks differ, or when
    the reading is neither's (both lean a little to 7, the class bias reads 1)."""
    seen, along = int(np.argmax(picture)), int(np.argmax(path))
    if seen == along == winner:
        return ""
    # Non-breaking spaces: a narrow column wraps between the two answers, not inside one.
    return f"\npicture:\u00a0{seen} · pen\u00a0path:\u00a0{along}\u00a0→\u00a0{winner}"
