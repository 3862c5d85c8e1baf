"""The training settings as a drawer: one line saying what Train will do, opened with a click
to change it, closed while a run goes, so the live curves get the column's height."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from digitpad.networks import CUSTOM

from .training_settings import TrainingSettings


class SettingsDrawer(QWidget):
    """Inputs: :meth:`set_open`; the form's own signals keep the summary line current."""

    def __init__(self, settings: TrainingSettings, below: list[QWidget],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.running_text: str | None = None
        self.toggle = QToolButton(objectName="settingsToggle", checkable=True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setToolTip("Show or hide the training settings")
        self.toggle.setAutoRaise(True)
        self.summary = QLabel(objectName="settingsSummary")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body = QWidget(objectName="settingsBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(12, 0, 0, 4)
        body.addWidget(settings)
        for widget in below:
            body.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.summary)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self.set_open)
        settings.changed.connect(self._update_summary)
        self._update_summary()
        self.set_open(False)

    @property
    def is_open(self) -> bool:
        return self.body.isVisibleTo(self)

    @Slot(bool)
    def set_open(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.summary.setVisible(not open_)
        self.toggle.blockSignals(True)
        self.toggle.setChecked(open_)
        self.toggle.blockSignals(False)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.toggle.setText("Settings" if open_ else "Settings (click to change)")

    def show_running(self, text: str | None) -> None:
        """While a run that is not these settings goes (a fine-tune), say what it is;
        None: back to the settings' summary."""
        self.running_text = text
        self._update_summary()

    @Slot()
    def _update_summary(self) -> None:
        if self.running_text:
            self.summary.setText(self.running_text)
            return
        config = self.settings.config()
        extras = [name for on, name in ((config.augment, "augmented"),
                                        (config.lr_decay, "rate decay"),
                                        (config.average_weights, "averaged")) if on]
        recipe = self.settings.recipe_combo.currentText()
        network = f"your design ({config.layers or 'no hidden layer'})" \
            if config.architecture == CUSTOM else self.settings.architecture_combo.currentText()
        self.summary.setText(
            f"{recipe}: {network} · {self.settings.data_combo.currentText()} · "
            f"{config.epochs} epochs · batch {config.batch_size} · {config.optimizer} "
            f"{config.learning_rate:g}" + "".join(f" · {e}" for e in extras))
