"""The mouse wheel scrolls the column it is over; it edits a spin box or a combo box only
once that control has the keyboard focus (clicked or tabbed to), so scrolling the training
column never changes the epochs or the run compared."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            event.ignore()  # not for this control: Qt passes it on to the scroll area
            return True
        return False


def guard_wheel(root: QWidget) -> None:
    """Every spin box and combo box under ``root`` takes the wheel only when focused."""
    guard = _WheelGuard(root)
    for control in root.findChildren(QAbstractSpinBox) + root.findChildren(QComboBox):
        control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        control.installEventFilter(guard)
