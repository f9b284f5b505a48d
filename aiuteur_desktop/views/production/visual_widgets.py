"""The Stage 8 page's parts: the Asset Drawer (drags carry our own mime data) and its panel,
the Scene Visual Elements list that takes its drops, the Visual State Editor's widgets and a
condition tag's row. The page fills them and connects the gestures."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import visuals
from aiuteur_desktop.core.production.visuals import Condition
from aiuteur_desktop.views.kit.pictures import candidate_strip
from aiuteur_desktop.views.story.rewrite import DescriptionEdit

#: A candidate key's thumbnail in the editor's history strip.
THUMB = 72

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


class VisualStateEditor(QWidget):
    """The look of the chosen element as text, its condition tags, its key and the keys
    made before, and the ways back: to what it inherits, up to the master, out of the scene."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel()
        self.name.setObjectName("elementName")
        self.name.setWordWrap(True)
        self.source = QLabel()
        self.source.setObjectName("elementSource")
        self.source.setWordWrap(True)
        self.source.setProperty("muted", True)
        self.description = DescriptionEdit()
        self.description.setObjectName("startingLook")
        self.description.setPlaceholderText(
            "How it looks at its first appearance in this scene: wardrobe, state, light…"
        )
        self.description.setMinimumHeight(80)
        self.description.setMaximumHeight(140)
        self.tags_box = QVBoxLayout()
        self.tags_box.setSpacing(2)
        self.tag_input = QComboBox()
        self.tag_input.setObjectName("addTag")
        self.tag_input.setEditable(True)
        self.tag_input.addItems(list(visuals.SUGGESTED_TAGS))
        self.tag_input.setCurrentText("")
        self.tag_input.lineEdit().setPlaceholderText("Condition: Wet, Bloody, Torn Wardrobe…")
        self.add_tag_button = QPushButton("Add Tag")
        self.add_tag_button.setObjectName("addTagButton")
        tag_row = QHBoxLayout()
        tag_row.addWidget(self.tag_input, 1)
        tag_row.addWidget(self.add_tag_button)
        self.image = QLabel("No starting key yet")
        self.image.setObjectName("elementImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(200, 150)
        self.image.setStyleSheet("QLabel#elementImage { border:1px solid #2e3035; }")
        self.history = candidate_strip("elementHistory", QSize(THUMB, THUMB), THUMB + 28)
        self.reset_button = QPushButton("Back to Inherited")
        self.reset_button.setObjectName("resetElement")
        self.reset_button.setToolTip("Drop this scene's own look and use what it inherits")
        self.promote_button = QPushButton("Promote to Master")
        self.promote_button.setObjectName("promoteElement")
        self.remove_button = QPushButton("Remove from Scene")
        self.remove_button.setObjectName("removeElement")
        buttons = QHBoxLayout()
        for b in (self.reset_button, self.promote_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        ed = QVBoxLayout(self)
        ed.setContentsMargins(0, 0, 0, 0)
        editor_title = QLabel("Visual State Editor")
        editor_title.setObjectName("sectionTitle")
        ed.addWidget(editor_title)
        ed.addWidget(self.name)
        ed.addWidget(self.source)
        ed.addWidget(self.description)
        tags_title = QLabel("Condition tags")
        tags_title.setProperty("muted", True)
        ed.addWidget(tags_title)
        ed.addLayout(self.tags_box)
        ed.addLayout(tag_row)
        ed.addWidget(self.image, 1)
        ed.addWidget(self.history)
        ed.addLayout(buttons)


class ElementsPanel(QWidget):
    """The Scene Visual Elements list with its title, legend and Lock button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = ElementList()
        self.lock_button = QPushButton("Lock")
        self.lock_button.setObjectName("lockElement")
        self.lock_button.setToolTip("Lock the selected elements' starting looks (Ctrl+L)")
        legend = QLabel("○ Unreviewed  ● Edited  ✓ Locked")
        legend.setProperty("muted", True)
        legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("In This Scene")
        title.setToolTip("Scene Visual Elements: what the scene's shots need")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(legend)
        layout.addWidget(self.lock_button)


class DrawerPanel(QWidget):
    """The Asset Drawer with its title, a hint, Add to Scene and New Scene Asset."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drawer = AssetDrawer()
        self.new_button = QPushButton("New Scene Asset…")
        self.new_button.setObjectName("newSceneAsset")
        self.add_button = QPushButton("Add to Scene")
        self.add_button.setObjectName("addFromDrawer")
        self.add_button.setToolTip("Add the selected drawer assets (or drag them onto the list)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        drawer_title = QLabel("Asset Drawer")
        drawer_title.setObjectName("sectionTitle")
        hint = QLabel("Drag an asset onto the scene's elements.")
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        layout.addWidget(drawer_title)
        layout.addWidget(hint)
        layout.addWidget(self.drawer, 1)
        layout.addWidget(self.add_button)
        layout.addWidget(self.new_button)

    def fill(self, project: Any, in_scene: set[str], global_assets: Any) -> None:
        """The project's master assets (those `in_scene` said so), then the global Asset
        Library's."""
        self.drawer.clear()
        if project is None:
            return
        header = QListWidgetItem("THIS PROJECT")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.drawer.addItem(header)
        for a in masters.kept_assets(project):  # (read only: no copies of a feature's 170)
            item = QListWidgetItem(f"{a['name']}  ·  {a['kind']}")
            item.setData(KeyRole, f"master:{a['path']}")
            if a["path"] in in_scene:
                item.setToolTip("Already in this scene")
            self.drawer.addItem(item)
        if global_assets is not None:
            try:
                found = global_assets.all()
            except (AiuteurError, OSError):
                found = []
            if found:
                header = QListWidgetItem("ASSET LIBRARY")
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                self.drawer.addItem(header)
            for g in found:
                item = QListWidgetItem(f"{g.name}  ·  {g.kind}")
                item.setData(KeyRole, f"global:{g.id}")
                item.setToolTip(g.description[:300])
                self.drawer.addItem(item)
