"""The Stage 8 page's parts: the Asset Drawer (drags carry our own mime data), the Scene
Visual Elements list that takes its drops, and a condition tag's row."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
)

from aiuteur_desktop.core.production.visuals import Condition

#: What the Asset Drawer's drags carry: "master:assets/<slug>" or "global:<id>", a line each.
MIME = "application/x-aiuteur-asset"
KeyRole = Qt.ItemDataRole.UserRole + 2


class AssetDrawer(QListWidget):
    """The project's master assets and the global Asset Library, to drag into the scene."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("assetDrawer")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        keys = [str(i.data(KeyRole)) for i in items if i.data(KeyRole)]
        data.setData(MIME, QByteArray("\n".join(keys).encode()))
        return data


class ElementList(QListWidget):
    """The Scene Visual Elements; assets dropped from the drawer join the scene."""

    dropped = Signal(list)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sceneElements")
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(MIME):
            event.ignore()
            return
        raw = bytes(event.mimeData().data(MIME).data()).decode("utf-8", "replace")
        keys = [k for k in raw.splitlines() if k.strip()]
        event.acceptProposedAction()
        if keys:
            self.dropped.emit(keys)


class TagRow(QFrame):
    """One condition tag: its name, "carries into later scenes", remove."""

    changed = Signal()
    removed = Signal()

    def __init__(self, condition: Condition) -> None:
        super().__init__()
        self.setObjectName("conditionTag")
        self.tag = condition.tag
        self.name = QLabel(f"<b>{html.escape(condition.tag)}</b>")
        self.carries = QCheckBox("carries into later scenes")
        self.carries.setObjectName("tagCarries")
        self.carries.setChecked(condition.carries)
        self.carries.toggled.connect(lambda _on: self.changed.emit())
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setObjectName("removeTag")
        self.remove.setToolTip(f"Remove the tag “{condition.tag}”")
        self.remove.clicked.connect(self.removed)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.name)
        row.addStretch(1)
        row.addWidget(self.carries)
        row.addWidget(self.remove)

    def condition(self) -> Condition:
        return Condition(self.tag, self.carries.isChecked())
