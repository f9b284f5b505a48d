"""Shortcuts that belong to one widget (and its children), not the whole window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def local_shortcut(
    key: QKeySequence | QKeySequence.StandardKey | str, widget: QWidget, slot: Callable[[], None]
) -> QShortcut:
    """Active only while focus is inside `widget`, so pages can reuse keys such as Delete
    without clashing (PySide6 ignores a `context=` keyword here, so it is set afterwards)."""
    shortcut = QShortcut(widget)
    if isinstance(key, QKeySequence.StandardKey):
        # Every binding the platform has (Redo is Ctrl+Y *and* Ctrl+Shift+Z on Linux): one
        # QKeySequence of a standard key would keep only the first.
        shortcut.setKeys(QKeySequence.keyBindings(key))
    else:
        shortcut.setKey(QKeySequence(key))
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut
