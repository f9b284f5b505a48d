"""Artifact Vault (PRD §7.4 A): every artifact, grouped branch → stage → scene, with previews."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
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

from aiuteur_desktop.core import timefmt, vault
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.thumbnails import thumbnail_png
from aiuteur_desktop.core.vault import VaultEntry
from aiuteur_desktop.views.dialogs import show_error
from aiuteur_desktop.views.jobs import run_in_background

EntryRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Artifact", "Origin branch", "Created", "Cost")


def money(value: float) -> str:
    return f"${value:,.2f}" if value else "—"


class VaultModel(QStandardItemModel):
    """Branch → Stage → Scene → artifact rows; group rows show the total cost beneath them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))

    def load(self, entries: Iterable[VaultEntry], current_branch: str) -> None:
        self.removeRows(0, self.rowCount())
        groups: dict[tuple[str, ...], list[QStandardItem]] = {}
        totals: dict[tuple[str, ...], float] = {}
        bold = QFont()
        bold.setWeight(QFont.Weight.DemiBold)

        def group(key: tuple[str, ...], label: str, parent: QStandardItem) -> QStandardItem:
            if key not in groups:
                row = [QStandardItem(label), QStandardItem(""), QStandardItem(""), QStandardItem()]
                for item in row:
                    item.setEditable(False)
                parent.appendRow(row)
                groups[key] = row
                totals[key] = 0.0
            return groups[key][0]

        root = self.invisibleRootItem()
        for e in entries:
            suffix = "  (current)" if e.branch == current_branch else ""
            branch_key = (e.branch,)
            node = group(branch_key, f"{e.branch}{suffix}", root)
            node.setFont(bold)
            keys = [branch_key]
            stage_label = f"Stage {e.stage.number} · {e.stage.name}" if e.stage else "Other"
            stage_key = (e.branch, stage_label)
            node = group(stage_key, stage_label, node)
            keys.append(stage_key)
            if e.scene is not None:
                scene_key = (*stage_key, e.scene)
                node = group(scene_key, f"Scene {e.scene}", node)
                keys.append(scene_key)
            row = [
                QStandardItem(e.title),
                QStandardItem(e.origin_branch),
                QStandardItem(timefmt.stamp(e.created_at) if e.created_at else "—"),
                QStandardItem(money(e.cost)),
            ]
            row[0].setData(e, EntryRole)
            row[0].setToolTip(e.path)
            row[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for item in row:
                item.setEditable(False)
            node.appendRow(row)
            for key in keys:
                totals[key] += e.cost
        for key, row in groups.items():
            row[3].setText(money(totals[key]))
            row[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ArtifactVaultDialog(QDialog):
    """Browse every artifact on every Story Timeline and preview it."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("artifactVaultDialog")
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
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)

        current = project.current_branch
        run_in_background(
            lambda: vault.collect(project),
            lambda entries: self._loaded(entries, current),
            lambda exc: show_error(self, "Artifact Vault", exc),
            parent=self,
        )

    def _loaded(self, entries: list[VaultEntry], current_branch: str) -> None:
        self.entries = entries
        self.model.load(entries, current_branch)
        branches = len({e.branch for e in entries})
        spent = sum(e.cost for e in entries if e.branch == current_branch)
        self.summary.setText(
            f"{len(entries)} artifact{'s' * (len(entries) != 1)} on {branches} Story "
            f"Timeline{'s' * (branches != 1)} · {money(spent)} spent on “{current_branch}”"
            if entries
            else "This project has no artifacts yet."
        )
        self.left.setCurrentWidget(self.tree if entries else self.empty)
        # Open the current timeline down to its stages; other timelines stay folded.
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data().endswith("(current)"):
                self.tree.expand(index)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def _show(self, index: QModelIndex) -> None:
        entry = index.siblingAtColumn(0).data(EntryRole)
        if not isinstance(entry, VaultEntry):
            self.preview_title.setText(index.siblingAtColumn(0).data() or "")
            self.preview_meta.setText("A group. Select an artifact inside it to preview it.")
            self.preview_stack.setCurrentIndex(0)
            return
        self.preview_title.setText(entry.title)
        created = timefmt.stamp(entry.created_at) if entry.created_at else "unknown time"
        self.preview_meta.setText(
            f"Made on “{entry.origin_branch}” · {created} · cost {money(entry.cost)}\n{entry.path}"
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
