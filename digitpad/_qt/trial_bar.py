"""A run's model on trial: both models' figures, *Keep it* and *Back*, one click each."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class TrialBar(QFrame):
    """Hidden until :meth:`show_trial` gets a text; an empty text hides it again."""

    keepClicked = Signal()
    backClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="trialBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel("", objectName="trialLabel")
        self.label.setWordWrap(True)
        self.keep_button = QPushButton("Keep it", objectName="keepButton")
        self.keep_button.setToolTip("The next launch uses this run's model too")
        self.back_button = QPushButton("Back to the model before", objectName="backButton")
        self.back_button.setToolTip("Read with the model in use before this run again; the "
                                    "run stays in the Model list")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.keep_button.clicked.connect(self.keepClicked)
        self.back_button.clicked.connect(self.backClicked)
        self.hide()

    @Slot(str)
    def show_trial(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))
