"""Artifact Vault (PRD §7.4 A): every artifact, grouped branch → stage → scene, with previews."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.media.thumbnails import thumbnail_png
from aiuteur_desktop.core.pipeline import vault
from aiuteur_desktop.core.pipeline.vault import VaultEntry
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import timefmt
from aiuteur_desktop.views.kit.dialogs import show_error

EntryRole = Qt.ItemDataRole.UserRole + 1
BranchRole = Qt.ItemDataRole.UserRole + 2
GroupRole = Qt.ItemDataRole.UserRole + 3  # a group row: its first artifact, for ordering
COLUMNS = ("Artifact", "Origin branch", "Created", "Cost")


def money(value: float) -> str:
    return f"${value:,.2f}" if value else "—"


def _row(*texts: str) -> list[QStandardItem]:
    row = [QStandardItem(t) for t in texts]
    for item in row:
        item.setEditable(False)
    row[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return row


class VaultModel(QStandardItemModel):
    """Branch → Stage → Scene → artifact rows; group rows show the total cost beneath them.

    Branch rows are created up front; their artifacts arrive when first needed
    (a project may hold hundreds of timelines).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.branch_rows: dict[str, QStandardItem] = {}
        self.loaded: set[str] = set()
        # Per branch: its group rows, their costs and each current artifact's "Created" cell.
        self._groups: dict[str, dict[tuple[str, ...], list[QStandardItem]]] = {}
        self._totals: dict[str, dict[tuple[str, ...], float]] = {}
        self._rows: dict[str, dict[str, QStandardItem]] = {}

    def set_branches(self, names: list[str], current_branch: str) -> None:
        self.removeRows(0, self.rowCount())
        self.branch_rows.clear()
        self.loaded.clear()
        bold = QFont()
        bold.setWeight(QFont.Weight.DemiBold)
        for name in names:
            suffix = "  (current)" if name == current_branch else ""
            row = _row(f"{name}{suffix}", "", "", "")
            row[0].setFont(bold)
            row[0].setData(name, BranchRole)
            row[0].appendRow(_row("Loading…", "", "", ""))
            self.invisibleRootItem().appendRow(row)
            self.branch_rows[name] = row[0]

    def add_entries(self, branch: str, entries: Iterable[VaultEntry]) -> None:
        """Fill one branch row with its artifacts (replacing the "Loading…" row)."""
        top = self.branch_rows.get(branch)
        if top is None or branch in self.loaded:
            return
        self.loaded.add(branch)
        top.removeRows(0, top.rowCount())
        self._groups[branch] = {}
        self._totals[branch] = {(): 0.0}
        self._rows[branch] = {}
        count = 0
        for e in entries:
            count += 1
            self._place(top, e, append=True)
        if count == 0:
            top.appendRow(_row("No artifacts on this timeline yet", "", "", ""))
        self._show_totals(top)

    def add_earlier(self, branch: str, earlier: vault.Earlier) -> None:
        """The second pass: earlier versions slot in after the documents they preceded, and
        current artifacts with no time of their own get the time they were first saved."""
        top = self.branch_rows.get(branch)
        if top is None or branch not in self.loaded:
            return
        for path, when in earlier.created.items():
            item = self._rows[branch].get(path)
            if item is not None and item.text() == "—":
                item.setText(timefmt.stamp(when))
        if earlier.entries and not self._groups[branch]:
            top.removeRows(0, top.rowCount())  # "No artifacts on this timeline yet"
        for e in earlier.entries:
            self._place(top, e, append=False)
        self._show_totals(top)

    def _place(self, top: QStandardItem, e: VaultEntry, *, append: bool) -> None:
        branch = e.branch
        stage_label = f"Stage {e.stage.number} · {e.stage.name}" if e.stage else "Other"
        node = self._group(branch, (stage_label,), stage_label, top, e, append)
        keys: list[tuple[str, ...]] = [(), (stage_label,)]
        if e.scene is not None:
            node = self._group(branch, (stage_label, e.scene), f"Scene {e.scene}", node, e, append)
            keys.append((stage_label, e.scene))
        created = timefmt.stamp(e.created_at) if e.created_at else "—"
        row = _row(e.title, e.origin_branch, created, money(e.cost))
        row[0].setData(e, EntryRole)
        row[0].setToolTip(e.path)
        if append:
            node.appendRow(row)
        else:
            node.insertRow(_position(node, e), row)
        if not e.superseded and not e.part:
            self._rows[branch][e.path] = row[2]
        for key in keys:
            self._totals[branch][key] += e.cost

    def _group(
        self,
        branch: str,
        key: tuple[str, ...],
        label: str,
        parent: QStandardItem,
        first: VaultEntry,
        append: bool,
    ) -> QStandardItem:
        groups = self._groups[branch]
        if key in groups and not append:
            there = groups[key][0].data(GroupRole)
            if vault.order_key(first) < vault.order_key(there):
                groups[key][0].setData(first, GroupRole)
        if key not in groups:
            groups[key] = _row(label, "", "", "")
            groups[key][0].setData(first, GroupRole)  # where the group sorts
            if append:
                parent.appendRow(groups[key])
            else:
                parent.insertRow(_position(parent, first), groups[key])
            self._totals[branch][key] = 0.0
        return groups[key][0]

    def _show_totals(self, top: QStandardItem) -> None:
        branch = top.data(BranchRole)
        for key, items in self._groups[branch].items():
            items[3].setText(money(self._totals[branch][key]))
        self.item(top.row(), 3).setText(money(self._totals[branch][()]))


def _position(parent: QStandardItem, entry: VaultEntry) -> int:
    """Where `entry` (or the group it starts) goes among `parent`'s rows, in the Vault's order
    (rows are in that order already; a binary search)."""
    key = vault.order_key(entry)
    lo, hi = 0, parent.rowCount()
    while lo < hi:
        mid = (lo + hi) // 2
        child = parent.child(mid)
        there = child.data(EntryRole) or child.data(GroupRole)
        if isinstance(there, VaultEntry) and vault.order_key(there) <= key:
            lo = mid + 1
        else:
            hi = mid
    return lo


class ArtifactVaultDialog(QDialog):
    """Browse every artifact on every Story Timeline and preview it."""

    #: A master asset went to the global Asset Library (its new id).
    promoted = Signal(str)

    def __init__(
        self, project: Project, parent: QWidget | None = None, *, asset_library: Any = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("artifactVaultDialog")
        self.asset_library = asset_library
        self.selected: VaultEntry | None = None
        self.setWindowTitle(f"Artifact Vault — {project.name}")
        self.resize(1040, 640)
        self.project = project
        self.entries: list[VaultEntry] = []
        self._thumbs: dict[str, bytes | None] = {}

        self.summary = QLabel("Collecting artifacts…")
        self.summary.setProperty("muted", True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, scene or branch…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(300)

        self.model = VaultModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter_edit.textChanged.connect(self._filter)

        self.tree = QTreeView()
        self.tree.setObjectName("vaultTree")
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 130), (2, 140), (3, 70)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.tree.selectionModel().currentChanged.connect(lambda cur, _prev: self._show(cur))

        self.empty = QLabel(
            "No artifacts yet. Treatments, scripts, shot lists, frames and videos appear here "
            "as you make them, on every Story Timeline."
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("muted", True)
        self.left = QStackedWidget()
        self.left.addWidget(self.empty)
        self.left.addWidget(self.tree)

        preview = QFrame()
        preview.setObjectName("panel")
        self.preview_title = QLabel("Select an artifact")
        self.preview_title.setObjectName("sectionTitle")
        self.preview_title.setWordWrap(True)
        self.preview_meta = QLabel("")
        self.preview_meta.setWordWrap(True)
        self.preview_meta.setProperty("muted", True)
        self.preview_meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_image = QLabel()
        self.preview_image.setObjectName("vaultImage")
        self.preview_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_image.setMinimumHeight(200)
        self.preview_caption = QLabel("")
        self.preview_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_caption.setProperty("muted", True)
        self.preview_text = QPlainTextEdit()
        self.preview_text.setReadOnly(True)
        self.preview_text.setObjectName("vaultText")
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(QWidget())
        self.preview_stack.addWidget(self.preview_text)
        media = QWidget()
        ml = QVBoxLayout(media)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.preview_image, 1)
        ml.addWidget(self.preview_caption)
        self.preview_media = media
        self.preview_stack.addWidget(media)
        pl = QVBoxLayout(preview)
        pl.setContentsMargins(14, 14, 14, 14)
        pl.addWidget(self.preview_title)
        pl.addWidget(self.preview_meta)
        pl.addWidget(self.preview_stack, 1)

        split = QSplitter()
        split.addWidget(self.left)
        split.addWidget(preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.filter_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.promote_button = buttons.addButton(
            "Promote to Global", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.promote_button.setObjectName("promoteToGlobal")
        self.promote_button.setToolTip(
            "Clone this master asset (description, voice, image key) into the Asset Library"
        )
        self.promote_button.setEnabled(False)
        self.promote_button.setVisible(asset_library is not None)
        self.promote_button.clicked.connect(self.promote)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)

        self.current_branch = project.current_branch
        self._pending: set[str] = set()
        self._reading: set[str] = set()  # timelines whose earlier versions are being found
        self.tree.expanded.connect(self._expanded)
        current = self.current_branch
        # Shown at once: the timeline's current artifacts. Its earlier versions, which read
        # its whole history, follow (`_earlier`).
        run_in_background(
            lambda: (vault.branch_order(project), vault.collect(project, [current], earlier=False)),
            self._opened,
            self._failed,
            parent=self,
        )

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText("The Vault could not be read.")
        show_error(self, "Artifact Vault", exc)

    def _opened(self, result: tuple[list[str], list[VaultEntry]]) -> None:
        names, entries = result
        self.model.set_branches(names, self.current_branch)
        self._add(self.current_branch, entries)
        if len(names) <= 1 and not entries:
            self.summary.setText("This project has no artifacts yet.")
            self.left.setCurrentWidget(self.empty)
            return
        self._find_earlier([self.current_branch])
        self.left.setCurrentWidget(self.tree)
        # Open the current timeline down to its stages; other timelines stay folded.
        row = self.model.branch_rows.get(self.current_branch)
        if row is not None:
            self.tree.expand(self.proxy.mapFromSource(row.index()))

    def _add(self, branch: str, entries: list[VaultEntry]) -> None:
        self.entries.extend(entries)
        self.model.add_entries(branch, entries)
        self._say()

    def _say(self) -> None:
        here = [e for e in self.entries if e.branch == self.current_branch]
        timelines = len(self.model.branch_rows)
        spent = sum(e.cost for e in here)
        self.summary.setText(
            f"{len(here)} artifact{'s' * (len(here) != 1)} on “{self.current_branch}” · "
            + (f"{money(spent)} spent · " if spent else "nothing spent · ")
            + f"{timelines} Story Timeline{'s' * (timelines != 1)} in this project"
            + (" · finding earlier versions…" if self._reading else "")
        )

    def _find_earlier(self, names: list[str]) -> None:
        """The second pass for timelines just listed, one background read each."""
        project = self.project
        for name in names:
            self._reading.add(name)

            def done(earlier: vault.Earlier, name: str = name) -> None:
                self._reading.discard(name)
                self.entries.extend(earlier.entries)
                self.model.add_earlier(name, earlier)
                self._say()

            run_in_background(
                lambda name=name: vault.earlier_versions(project, name),  # type: ignore[misc]
                done,
                self._failed,
                parent=self,
            )
        self._say()

    def _expanded(self, index: QModelIndex) -> None:
        name = index.data(BranchRole)
        if isinstance(name, str):
            self._load([name])

    def _load(self, names: list[str], then: Callable[[], None] | None = None) -> None:
        """Collect the artifacts of timelines not loaded yet, off the UI thread."""
        todo = [n for n in names if n not in self.model.loaded and n not in self._pending]
        if not todo:
            if then is not None:
                then()
            return
        self._pending.update(todo)

        def done(entries: list[VaultEntry]) -> None:
            for name in todo:
                self._pending.discard(name)
                self._add(name, [e for e in entries if e.branch == name])
            self._find_earlier(todo)
            if then is not None:
                then()

        project = self.project
        run_in_background(
            lambda: vault.collect(project, todo, earlier=False), done, self._failed, parent=self
        )

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():  # search every timeline, not just the ones opened so far
            self._load(list(self.model.branch_rows), then=self.tree.expandAll)

    def _promotable(self, entry: VaultEntry | None) -> bool:
        return (
            entry is not None
            and entry.path.startswith("assets/")
            and entry.path.count("/") == 1
            and entry.branch == self.project.current_branch
        )

    def promote(self) -> None:
        """Promote to Global (PRD §7.4): the asset, its image key and description."""
        entry = self.selected
        if self.asset_library is None or not self._promotable(entry):
            return
        assert entry is not None
        try:
            made = self.asset_library.promote(self.project, entry.path)
        except Exception as exc:
            show_error(self, "Promote to Global", exc)
            return
        self.summary.setText(f"{made.name} is now in the Asset Library.")
        self.promoted.emit(made.id)

    def _show(self, index: QModelIndex) -> None:
        entry = index.siblingAtColumn(0).data(EntryRole)
        self.selected = entry if isinstance(entry, VaultEntry) else None
        self.promote_button.setEnabled(self._promotable(self.selected))
        if self.asset_library is not None and self.selected is not None:
            self.promote_button.setToolTip(
                "Clone this master asset (description, voice, image key) into the Asset Library"
                if self._promotable(self.selected)
                else "Only master assets of the current Story Timeline can be promoted."
            )
        if not isinstance(entry, VaultEntry):
            self.preview_title.setText(index.siblingAtColumn(0).data() or "")
            self.preview_meta.setText("A group. Select an artifact inside it to preview it.")
            self.preview_stack.setCurrentIndex(0)
            return
        self.preview_title.setText(entry.title)
        created = timefmt.stamp(entry.created_at) if entry.created_at else "unknown time"
        try:
            how = vault.explain(self.project, entry)
        except Exception:  # a damaged object: the preview below says so
            how = ""
        self.preview_meta.setText(
            f"Made on “{entry.origin_branch}” · {created} · cost {money(entry.cost)}\n{entry.path}"
            + (f"\n{how}" if how else "")
        )
        if entry.media_id and entry.media_kind in ("image", "video"):
            self.preview_image.setText("Loading preview…")
            self.preview_image.setPixmap(QPixmap())
            self.preview_caption.setText("")
            self.preview_stack.setCurrentWidget(self.preview_media)
            self._load_thumbnail(entry)
        else:
            try:
                self.preview_text.setPlainText(vault.preview_text(self.project, entry))
            except Exception as exc:  # a damaged object: say so, keep the Vault usable
                show_error(self, "Artifact Vault", exc)
                return
            self.preview_stack.setCurrentWidget(self.preview_text)

    def _load_thumbnail(self, entry: VaultEntry) -> None:
        media_id = entry.media_id
        assert media_id is not None
        if media_id in self._thumbs:
            self._set_thumbnail(entry, self._thumbs[media_id])
            return
        path, mime = self.project.media.path(media_id), entry.media_mime or ""

        def done(data: bytes | None) -> None:
            self._thumbs[media_id] = data
            self._set_thumbnail(entry, data)

        run_in_background(lambda: thumbnail_png(path, mime, 480), done, parent=self)

    def _set_thumbnail(self, entry: VaultEntry, data: bytes | None) -> None:
        selected = self.tree.currentIndex().siblingAtColumn(0).data(EntryRole)
        if selected != entry:
            return  # the user moved on while it loaded
        if data is None:
            self.preview_image.setText("No preview: the file could not be decoded.")
            return
        image = QImage.fromData(data)
        self.preview_image.setPixmap(QPixmap.fromImage(image))
        info = self.project.media.info(entry.media_id or "")
        kind = "Video · first frame" if entry.media_kind == "video" else "Image"
        caption = kind
        if info and info.width and info.height:
            caption += f" · {info.width}×{info.height}"
        if info and info.duration:
            caption += f" · {info.duration:.1f} s"
        self.preview_caption.setText(caption)
        self.preview_image.setToolTip(caption)

    def select_path(self, branch: str, path: str) -> bool:
        """Select an artifact (for tests and for "show in Vault" links)."""
        for r in range(self.model.rowCount()):
            found = self._find(self.model.item(r), branch, path)
            if found is not None:
                proxy_index = self.proxy.mapFromSource(found.index())
                self.tree.setCurrentIndex(proxy_index)
                self.tree.scrollTo(proxy_index)
                return True
        return False

    def _find(self, item: QStandardItem, branch: str, path: str) -> QStandardItem | None:
        entry = item.data(EntryRole)
        if isinstance(entry, VaultEntry) and entry.branch == branch and entry.path == path:
            return item
        for r in range(item.rowCount()):
            found = self._find(item.child(r), branch, path)
            if found is not None:
                return found
        return None
