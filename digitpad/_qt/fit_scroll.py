"""A scroll area for a column of controls that should fill the window when it can."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QScrollArea


class FitScrollArea(QScrollArea):
    """Gives its widget the whole viewport, and scrolls only when the viewport is shorter
    than the widget's minimum (QScrollArea's own resizing follows the size hint of
    word-wrapped labels and would scroll the plots out of sight on a tall screen)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setWidget(self, widget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)  # its layout changes (a longer message): fit again

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, self.fit)
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        widget = self.widget()
        if widget is None:
            return
        minimum = widget.minimumSizeHint().height()
        layout = widget.layout()
        if layout is not None and layout.hasHeightForWidth():
            # Word-wrapped labels need more lines in a narrow column than their hint says.
            minimum = max(minimum, layout.totalMinimumHeightForWidth(self.viewport().width()))
        scrolls = minimum > self.height()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn if scrolls
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.resize(self.viewport().width(), max(self.viewport().height(), minimum))
