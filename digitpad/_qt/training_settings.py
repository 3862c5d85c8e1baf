"""The training settings form: a recipe, the network (and its design), data, augmentation,
epochs, batch, optimizer, rate.

Picking a recipe fills every setting; changing any setting shows *Custom* (or the recipe the
settings now equal). Inputs: :meth:`TrainingSettings.set_config`, :meth:`set_design`;
output: :meth:`TrainingSettings.config` and the ``changed`` signal.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from digitpad.networks import (
    ARCHITECTURES,
    CUSTOM,
    DEFAULT_LEARNING_RATES,
    OPTIMIZERS,
    PATH_ARCHITECTURES,
    PEN_PATH,
    named_architecture,
    stack_of,
)
from digitpad.recipes import RECIPE_NAMES, RECIPES, recipe_of
from digitpad.training import TrainConfig
from digitpad.training_data import DATA_CHOICES, PATH_DATA_CHOICES

from .layer_editor import LayerEditor

CUSTOM_RECIPE = "Custom"


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

    changed = Signal()  # any setting, the recipe or the design

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layers = ""  # the design used when the Network is "Your design"
        self.recipe_combo = _combo(
            "recipeCombo", {**RECIPE_NAMES, "": CUSTOM_RECIPE},
            "A recipe fills every setting below:\n"
            "The book: Chollet's ch. 2 run (Dense 512, MNIST, 5 epochs).\n"
            "The book's convnet: its ch. 8 convnet, 5 epochs.\n"
            "Best for real handwriting: the bundled default's recipe (~6 minutes).\n"
            "Fast: real handwriting in about two minutes.\n"
            "Pen path: the second network, which reads the order and direction of strokes.\n"
            "Custom: whatever you changed.")
        self.architecture_combo = _combo(
            "architectureCombo", {**ARCHITECTURES, **PATH_ARCHITECTURES},
            "Dense (the book): Chollet's ch. 2 network, ~3 s an epoch on 2 cores.\n"
            "Convnet: the book's MNIST convnet; reads real handwriting better, ~12 s an epoch\n"
            "on MNIST, ~23 s with the default recipe (pen digits, augmentation).\n"
            "Your design: layers you choose (Design…).\n"
            "Pen path: the network read beside the picture one; it learns from the pen\n"
            "digits' strokes (their order and direction), ~8 s an epoch.")
        self.design_button = QPushButton("Design…", objectName="designButton")
        self.design_button.setToolTip("Add, remove, reorder and size the layers; see the "
                                      "weights, multiply-adds, shapes and seconds an epoch")
        self.editor = LayerEditor(self)
        self.editor.accepted.connect(self._on_designed)
        self.editor.rejected.connect(self._on_design_cancelled)
        self.design_button.clicked.connect(self.open_editor)
        self.data_combo = _combo(
            "dataCombo", {**DATA_CHOICES, **PATH_DATA_CHOICES},
            "MNIST (the book): 60,000 scanned pencil digits.\n"
            "MNIST + pen digits: adds 11,498 real pen-drawn digits (UNIPEN, 12 sites);\n"
            "the 'real handwriting' curve is measured on 3 other sites never trained on.")
        self.augment_check = _check(
            "augmentCheck", "Augment every batch",
            "Every batch is changed at random the way drawings differ: small rotations,\n"
            "shears, scales and shifts, elastic warps, thicker or thinner strokes (for the\n"
            "pen path: rotated, sheared, stretched, jittered and bent paths). Helps the\n"
            "network read real handwriting over many epochs; in a few it slows learning\n"
            "(~40% more time an epoch), so Fast leaves it off.")
        self.redraw_check = _check(
            "redrawCheck", "…and re-draw as pen strokes",
            "Mix in digits re-drawn as pen strokes, some in other national styles (a flagged\n"
            "1, a slashed 0, a crossed 7).\n"
            "Helps real handwriting a little; preparing them takes ~20 s before the first\n"
            "epoch. On in the bundled convnet's recipe, off in Fast.")
        self.redraw_check.setChecked(True)
        self.augment_check.toggled.connect(self.redraw_check.setEnabled)
        self.redraw_check.setEnabled(False)
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
        form.addRow("Recipe", self.recipe_combo)
        network = QHBoxLayout()
        network.addWidget(self.architecture_combo, 1)
        network.addWidget(self.design_button)
        form.addRow("Network", network)
        form.addRow("Data", self.data_combo)
        form.addRow("", self.augment_check)
        form.addRow("", self.redraw_check)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("", self.decay_check)
        form.addRow("", self.average_check)

        self._previous_architecture = self.architecture_combo.currentData()
        self.recipe_combo.activated.connect(self._on_recipe)
        self.architecture_combo.activated.connect(self._on_network)
        for combo in (self.architecture_combo, self.data_combo, self.optimizer_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        for spin in (self.epochs_spin, self.batch_spin, self.lr_spin):
            spin.valueChanged.connect(self._on_changed)
        for check in (self.augment_check, self.redraw_check, self.decay_check,
                      self.average_check):
            check.toggled.connect(self._on_changed)
        self._on_changed()

    # ---- recipes and designs ----------------------------------------------------------
    @Slot(int)
    def _on_recipe(self, index: int) -> None:
        key = self.recipe_combo.itemData(index)
        if key:
            self.set_config(RECIPES[key])

    def set_config(self, config: TrainConfig) -> None:
        """Fill every setting from ``config`` (a recipe)."""
        self.layers = config.layers if config.architecture == CUSTOM else self.layers
        self.set_choice(architecture=config.architecture, data=config.data,
                        augment=config.augment, lr_decay=config.lr_decay,
                        average_weights=config.average_weights)
        self.epochs_spin.setValue(config.epochs)
        self.batch_spin.setValue(config.batch_size)
        self.optimizer_combo.setCurrentText(config.optimizer)
        self.lr_spin.setValue(config.learning_rate or DEFAULT_LEARNING_RATES[config.optimizer])
        self.redraw_check.setChecked(config.redraw)
        self._on_changed()

    def set_design(self, layers: str) -> None:
        """Use the network ``layers`` (a named one when it equals one, else *Your design*)."""
        architecture = named_architecture(layers)
        if architecture == CUSTOM:
            self.layers = layers
        self.set_choice(architecture=architecture)
        self._on_changed()

    @Slot()
    def open_editor(self) -> None:
        """The layer editor, starting from the network chosen now."""
        config = self.config()
        self.editor.edit(config.stack, config.batch_size, config.data, config.augment,
                         config.optimizer)

    @Slot()
    def _on_designed(self) -> None:
        self.set_design(self.editor.layers())

    @Slot()
    def _on_design_cancelled(self) -> None:
        """Cancelled: *Your design* stays only for a design that is not a named network."""
        if self.architecture_combo.currentData() == CUSTOM:
            self.set_design(self.layers)

    @Slot(int)
    def _on_network(self, _index: int) -> None:
        """Picking *Your design* opens the editor (from the last design, or the network
        chosen before)."""
        if self.architecture_combo.currentData() == CUSTOM:
            if not self.layers:
                self.layers = stack_of(self._previous_architecture)
            self.open_editor()

    def _follow_network(self) -> None:
        """The pen-path network learns from pen paths, and only it does: the data follows
        the network; a design is for picture networks."""
        paths = self.architecture_combo.currentData() == PEN_PATH
        data = self.data_combo.currentData()
        if paths and data not in PATH_DATA_CHOICES:
            self.data_combo.setCurrentIndex(self.data_combo.findData(next(iter(
                PATH_DATA_CHOICES))))
        elif not paths and data in PATH_DATA_CHOICES:
            self.data_combo.setCurrentIndex(self.data_combo.findData("mnist+pen"))
        self.data_combo.setEnabled(not paths)
        self.design_button.setEnabled(not paths)
        self.redraw_check.setVisible(not paths)

    @Slot()
    def _on_changed(self) -> None:
        self.data_combo.blockSignals(True)
        self._follow_network()
        self.data_combo.blockSignals(False)
        if self.architecture_combo.currentData() not in (CUSTOM, PEN_PATH):
            self._previous_architecture = self.architecture_combo.currentData()
        key = recipe_of(self.config())
        self.recipe_combo.blockSignals(True)
        self.recipe_combo.setCurrentIndex(self.recipe_combo.findData(key or ""))
        self.recipe_combo.blockSignals(False)
        self.design_button.setToolTip(f"Layers now: {self.config().stack or '(none)'}\n"
                                      "Add, remove, reorder and size them; see the weights, "
                                      "multiply-adds, shapes and seconds an epoch")
        self.changed.emit()

    def config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                           optimizer=self.optimizer_combo.currentText(),
                           learning_rate=self.lr_spin.value(),
                           architecture=self.architecture_combo.currentData(),
                           data=self.data_combo.currentData(),
                           augment=self.augment_check.isChecked(),
                           lr_decay=self.decay_check.isChecked(),
                           average_weights=self.average_check.isChecked(),
                           layers=self.layers if self.architecture_combo.currentData() == CUSTOM
                           else "", redraw=self.redraw_check.isChecked())

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
