"""The list of style libraries with New / Rename / Delete, shared by the Written and Visual
Styles pages. The page supplies what each action does; errors are shown in plain words."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.views.kit.dialogs import confirm, show_error
from aiuteur_desktop.views.kit.shortcuts import local_shortcut


class LibraryPane(QWidget):
    #: The library to show ("" when none). Said only while the pane is on screen: the style
    #: pages are built at start-up and read their library (LanceDB, thumbnails) when first
    #: shown — not in the background while the dashboard paints.
    current_changed = Signal(str)

    def __init__(
        self,
        kind: str,
        *,
        names: Callable[[], list[str]],
        create: Callable[[str], str],
        rename: Callable[[str, str], str],
        delete: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind  # "written style" / "visual style"
        self._names, self._create, self._rename, self._delete = names, create, rename, delete
        self.list = QListWidget()
        self.list.setObjectName("libraryList")
        self.new_button = QPushButton("New library…")
        self.new_button.setToolTip(f"Create a {kind} library")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete…")
        self.new_button.clicked.connect(self.ask_new)
        self.rename_button.clicked.connect(self.ask_rename)
        self.delete_button.clicked.connect(self.ask_delete)
        local_shortcut(QKeySequence("F2"), self.list, self.ask_rename)
        local_shortcut(QKeySequence.StandardKey.Delete, self.list, self.ask_delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Libraries"))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.new_button)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(self._changed)
        self._unsaid = False  # a change made while hidden, said when shown

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item is not None else None

    def refresh(self, select: str | None = None) -> None:
        keep = select or self.current()
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(self._names())
        items = self.list.findItems(keep, Qt.MatchFlag.MatchExactly) if keep else []
        if items:
            self.list.setCurrentItem(items[0])
        elif self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._changed()

    def _changed(self, *_: object) -> None:
        has = self.current() is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self._unsaid = not self.isVisible()
        if not self._unsaid:
            self.current_changed.emit(self.current() or "")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._unsaid:
            self._unsaid = False
            self.current_changed.emit(self.current() or "")

    # ------------------------------------------------------------------ actions
    def ask_new(self) -> None:
        name, ok = QInputDialog.getText(self, f"New {self.kind}", "Name (e.g. Noir dialogue)")
        if ok and name.strip():
            self.create(name)

    def create(self, name: str) -> None:
        try:
            created = self._create(name)
        except AiuteurError as exc:
            show_error(self, f"New {self.kind}", exc)
            return
        self.refresh(select=created)

    def ask_rename(self) -> None:
        old = self.current()
        if old is None:
            return
        name, ok = QInputDialog.getText(self, f"Rename {self.kind}", "New name", text=old)
        if ok and name.strip() and name.strip() != old:
            self.rename(old, name)

    def rename(self, old: str, new: str) -> None:
        try:
            renamed = self._rename(old, new)
        except AiuteurError as exc:
            show_error(self, f"Rename {self.kind}", exc)
            return
        self.refresh(select=renamed)

    def ask_delete(self) -> None:
        name = self.current()
        if name is None:
            return
        confirm(
            self,
            "confirmDeleteLibrary",
            QMessageBox.Icon.Warning,
            f"Delete “{name}”?",
            f"The {self.kind} “{name}” and everything in it will be deleted. "
            "Projects that used it keep what they already generated.",
            "Delete",
            QMessageBox.ButtonRole.DestructiveRole,
            lambda: self.delete(name),
        )

    def delete(self, name: str) -> None:
        try:
            self._delete(name)
        except AiuteurError as exc:
            show_error(self, f"Delete {self.kind}", exc)
            return
        self.refresh()


def library_page(
    page: QWidget, title: str, intro: str, panes: list[QWidget], sizes: list[int]
) -> None:
    """The style pages' frame: a title, a muted introduction, then libraries | work | details
    side by side, the middle pane taking any extra width."""
    page.setObjectName("page")
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    words = QLabel(intro)
    words.setWordWrap(True)
    words.setProperty("muted", True)
    split = QSplitter()
    for pane in panes:
        split.addWidget(pane)
    split.setSizes(sizes)
    split.setStretchFactor(1, 1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 18, 24, 18)
    layout.addWidget(heading)
    layout.addWidget(words)
    layout.addWidget(split, 1)
