"""The training settings form: network, data, augmentation, epochs, batch, optimizer, rate."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from digitpad.networks import ARCHITECTURES, DEFAULT_LEARNING_RATES, OPTIMIZERS
from digitpad.training import TrainConfig
from digitpad.training_data import DATA_CHOICES


class LogSpinBox(QDoubleSpinBox):
    """A learning-rate box that steps through 1, 2, 5 x 10^k (0.001 -> 0.1 is 6 clicks,
    not 990) and shows values like ``0.001`` or ``5e-05``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(decimals=8, **kwargs)

    def stepBy(self, steps: int) -> None:
        ladder = [m * 10.0**k for k in range(-6, 2) for m in (1, 2, 5)]
        value = self.value()
        index = min(range(len(ladder)), key=lambda i: abs(math.log(ladder[i] / value)))
        index = max(0, min(len(ladder) - 1, index + steps))
        self.setValue(ladder[index])

    def textFromValue(self, value: float) -> str:
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        from PySide6.QtGui import QValidator

        try:
            float(text)
            state = QValidator.State.Acceptable
        except ValueError:
            state = QValidator.State.Intermediate
        return state, text, pos


def _check(object_name: str, text: str, tooltip: str) -> QCheckBox:
    check = QCheckBox(text, objectName=object_name)
    check.setToolTip(tooltip)
    return check


def _combo(object_name: str, choices: dict[str, str], tooltip: str) -> QComboBox:
    combo = QComboBox(objectName=object_name)
    for key, label in choices.items():
        combo.addItem(label, key)
    combo.setToolTip(tooltip)
    return combo


class TrainingSettings(QWidget):
    """Plain form; :meth:`config` turns it into a :class:`TrainConfig`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.architecture_combo = _combo(
            "architectureCombo", ARCHITECTURES,
            "Dense (the book): Chollet's ch. 2 network, ~3 s an epoch on 2 cores.\n"
            "Convnet: the book's MNIST convnet; reads real handwriting better, ~12 s an epoch\n"
            "on MNIST, ~23 s with the default recipe (pen digits, augmentation).")
        self.data_combo = _combo(
            "dataCombo", DATA_CHOICES,
            "MNIST (the book): 60,000 scanned pencil digits.\n"
            "MNIST + pen digits: adds 11,498 real pen-drawn digits (UNIPEN, 12 sites);\n"
            "the 'real handwriting' curve is measured on 3 other sites never trained on.")
        self.augment_check = _check(
            "augmentCheck", "Augment (rotate, shear, scale, shift, warp, pen width)",
            "Every batch is changed at random the way drawings differ: small rotations,\n"
            "shears, scales and shifts, elastic warps, thicker or thinner strokes, and\n"
            "digits re-drawn as pen strokes, some in other national styles (a flagged 1,\n"
            "a slashed 0, a crossed 7). Helps the network read real handwriting.")
        self.decay_check = _check(
            "decayCheck", "Decay the rate",
            "Cosine decay of the learning rate to ~0 by the last epoch: big steps early,\n"
            "small steps late, so the last epochs settle instead of bouncing.\n"
            "Off in the book's recipe; on in the bundled convnet's.")
        self.average_check = _check(
            "averageCheck", "Average the weights",
            "Keep a moving average of the weights as the final model: it averages where\n"
            "training wandered over its last ~1,000 batches\n"
            "instead of taking its last step. On in the bundled convnet's recipe.")
        book = TrainConfig()  # the defaults are the book's run
        self.epochs_spin = QSpinBox(objectName="epochsSpin", minimum=1, maximum=200,
                                    value=book.epochs)
        self.batch_spin = QSpinBox(objectName="batchSizeSpin", minimum=1, maximum=8192,
                                   value=book.batch_size)
        self.epochs_spin.setToolTip("Passes over the whole training set (the book: 5)")
        self.batch_spin.setToolTip("Images per weight update (the book: 128)")
        self.optimizer_combo = QComboBox(objectName="optimizerCombo")
        self.optimizer_combo.addItems(list(OPTIMIZERS))
        self.optimizer_combo.setToolTip("How the weights move: rmsprop (the book), adam, or "
                                        "plain stochastic gradient descent")
        self.lr_spin = LogSpinBox(objectName="learningRateSpin", minimum=1e-6, maximum=10.0)
        self.lr_spin.setToolTip("Step size of the optimizer. Arrows step 1, 2, 5 x 10^k; too "
                                "high diverges, too low learns slowly.")
        self.optimizer_combo.setCurrentText(book.optimizer)
        self.lr_spin.setValue(DEFAULT_LEARNING_RATES[book.optimizer])
        self.optimizer_combo.currentTextChanged.connect(
            lambda name: self.lr_spin.setValue(DEFAULT_LEARNING_RATES[name]))

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Network", self.architecture_combo)
        form.addRow("Data", self.data_combo)
        form.addRow("", self.augment_check)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        schedule = QHBoxLayout()
        schedule.addWidget(self.decay_check)
        schedule.addWidget(self.average_check)
        schedule.addStretch(1)
        form.addRow("", schedule)

    def config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                           optimizer=self.optimizer_combo.currentText(),
                           learning_rate=self.lr_spin.value(),
                           architecture=self.architecture_combo.currentData(),
                           data=self.data_combo.currentData(),
                           augment=self.augment_check.isChecked(),
                           lr_decay=self.decay_check.isChecked(),
                           average_weights=self.average_check.isChecked())

    def set_choice(self, architecture: str | None = None, data: str | None = None,
                   augment: bool | None = None, lr_decay: bool | None = None,
                   average_weights: bool | None = None) -> None:
        """Select by key (tests and presets)."""
        if architecture is not None:
            self.architecture_combo.setCurrentIndex(
                self.architecture_combo.findData(architecture))
        if data is not None:
            self.data_combo.setCurrentIndex(self.data_combo.findData(data))
        if augment is not None:
            self.augment_check.setChecked(augment)
        if lr_decay is not None:
            self.decay_check.setChecked(lr_decay)
        if average_weights is not None:
            self.average_check.setChecked(average_weights)
