"""The global Asset Library page (PRD §5.1): characters, props and locations kept outside any
project — search and filter by kind and tag, create and edit, image keys, and delete with a
check of which projects use the asset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.assets.library import AssetLibrary, GlobalAsset
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.media.imaging import ImageTooLarge
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import png_bytes, preview, read_image
from aiuteur_desktop.views.styles.library_pane import library_page

IdRole = Qt.ItemDataRole.UserRole + 1
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


class AssetLibraryPage(QWidget):
    def __init__(
        self,
        library: AssetLibrary,
        bundles: Callable[[], list[Path]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.bundles = bundles  # the user's projects, for the dependency check
        # ---- browse
        self.search = QLineEdit()
        self.search.setObjectName("assetSearch")
        self.search.setPlaceholderText("Search names and descriptions")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.kind = QComboBox()
        self.kind.setObjectName("kindFilter")
        self.kind.addItem("All kinds", "")
        for k in masters.KINDS:
            self.kind.addItem(masters.KIND_LABELS[k], k)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.tag = QComboBox()
        self.tag.setObjectName("tagFilter")
        self.tag.currentIndexChanged.connect(self.refresh)
        self.new_button = QPushButton(theme.icon("plus"), "New Asset")
        self.new_button.setObjectName("newAsset")
        self.new_button.clicked.connect(self.new_asset)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.kind)
        bar.addWidget(self.tag)
        bar.addWidget(self.new_button)
        self.grid = QListWidget()
        self.grid.setObjectName("assetGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(132, 132))
        self.grid.setGridSize(QSize(160, 180))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setWordWrap(True)
        self.grid.currentItemChanged.connect(lambda *_: self.show_current())
        self.empty = QLabel(
            "No global assets yet. Promote one from a project (Stage 5 or the Artifact Vault) "
            "or create one here; new projects can then start from it."
        )
        self.empty.setWordWrap(True)
        self.empty.setProperty("muted", True)
        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addLayout(bar)
        ml.addWidget(self.empty)
        ml.addWidget(self.grid, 1)
        # ---- details
        self.name = QLineEdit()
        self.name.setObjectName("assetName")
        self.kind_edit = QComboBox()
        for k in masters.KINDS:
            self.kind_edit.addItem(k.title(), k)
        self.description = QPlainTextEdit()
        self.description.setObjectName("assetDescription")
        self.voice = QLineEdit()
        self.voice.setPlaceholderText("Voice profile (characters)")
        self.tags = QLineEdit()
        self.tags.setObjectName("assetTags")
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.image = QLabel("No image key")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumHeight(220)
        self.image.setStyleSheet(
            "background:#17181b;border:1px solid #2e3035;border-radius:6px;color:#9aa0a8;"
        )
        self.source = QLabel()
        self.source.setProperty("muted", True)
        self.image_button = QPushButton("Choose Image…")
        self.image_button.clicked.connect(self.choose_image)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveAsset")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(theme.icon("trash"), "Delete…")
        self.delete_button.setObjectName("deleteAsset")
        self.delete_button.clicked.connect(self.delete)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("assetStatus")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind_edit)
        form.addRow("Description", self.description)
        form.addRow("Voice", self.voice)
        form.addRow("Tags", self.tags)
        details = QWidget()
        dl = QVBoxLayout(details)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.image)
        dl.addWidget(self.source)
        dl.addLayout(form, 1)
        buttons = QHBoxLayout()
        for b in (self.image_button, self.save_button, self.delete_button):
            buttons.addWidget(b)
        dl.addLayout(buttons)
        dl.addWidget(self.status)
        # With nothing selected the pane says what to do instead of drawing a dead form.
        self.idle = QLabel("Select an asset to see and edit it, or create one with “New Asset”.")
        self.idle.setObjectName("assetIdle")
        self.idle.setWordWrap(True)
        self.idle.setProperty("muted", True)
        self.idle.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.idle.setContentsMargins(16, 40, 16, 0)
        self.details = QStackedWidget()
        self.details.addWidget(self.idle)
        self.details.addWidget(details)
        library_page(
            self,
            "Asset Library",
            "Characters, props and locations to reuse across projects, with their image keys. "
            "“From Library…” in Stage 5 starts a project's asset from one of these.",
            [middle, self.details],
            [760, 380],
        )
        self._image_bytes: bytes | None = None

    # ------------------------------------------------------------------ state
    def current(self) -> GlobalAsset | None:
        item = self.grid.currentItem()
        if item is None:
            return None
        try:
            return self.library.get(item.data(IdRole))
        except AiuteurError:
            return None

    def refresh(self, *_: object, select: str | None = None) -> None:
        keep = select or (self.grid.currentItem().data(IdRole) if self.grid.currentItem() else None)
        tag = self.tag.currentData() or ""
        self.tag.blockSignals(True)
        self.tag.clear()
        self.tag.addItem("All tags", "")
        for t in self.library.tags():
            self.tag.addItem(t, t)
        self.tag.setCurrentIndex(max(0, self.tag.findData(tag)))
        self.tag.blockSignals(False)
        found = self.library.all(
            kind=self.kind.currentData() or "", text=self.search.text(), tag=tag
        )
        self.grid.blockSignals(True)
        self.grid.clear()
        for a in found:
            item = QListWidgetItem(f"{a.name}\n{a.kind}")
            item.setData(IdRole, a.id)
            item.setToolTip(a.description[:300])
            if a.image is not None:
                item.setIcon(QIcon(_thumb(a.image, 132)))
            else:
                item.setIcon(theme.icon("assets"))
            self.grid.addItem(item)
            if a.id == keep:
                self.grid.setCurrentItem(item)
        self.grid.blockSignals(False)
        total = len(self.library.all())
        self.empty.setVisible(total == 0)
        if self.grid.currentItem() is None and self.grid.count():
            self.grid.setCurrentRow(0)
        self.show_current()

    def show_current(self) -> None:
        a = self.current()
        self._image_bytes = None
        for w in (
            self.name,
            self.kind_edit,
            self.description,
            self.voice,
            self.tags,
            self.image_button,
            self.save_button,
            self.delete_button,
        ):
            w.setEnabled(a is not None)
        self.details.setCurrentIndex(0 if a is None else 1)
        if a is None:
            for e in (self.name, self.voice, self.tags):
                e.clear()
            self.description.clear()
            self.image.setPixmap(QPixmap())
            self.image.setText("No asset selected")
            self.source.setText("")
            return
        self.name.setText(a.name)
        self.kind_edit.setCurrentIndex(self.kind_edit.findData(a.kind))
        self.description.setPlainText(a.description)
        self.voice.setText(a.voice)
        self.tags.setText(", ".join(a.tags))
        if a.image is not None:
            self.image.setPixmap(_thumb(a.image, 220))
        else:
            self.image.setPixmap(QPixmap())
            self.image.setText("No image key")
        self.source.setText(a.source)

    # ---------------------------------------------------------------- actions
    def new_asset(self) -> None:
        kind = self.kind.currentData() or "character"
        made = self.library.create(kind, f"New {kind}")
        self.search.clear()
        self.refresh(select=made.id)
        self.name.setFocus()
        self.name.selectAll()

    def save(self) -> None:
        a = self.current()
        if a is None:
            return
        try:
            self.library.edit(
                a.id,
                name=" ".join(self.name.text().split()),
                kind=self.kind_edit.currentData(),
                description=self.description.toPlainText().strip(),
                voice=self.voice.text().strip(),
                tags=[t for t in self.tags.text().split(",")],
                image=self._image_bytes,
            )
        except AiuteurError as exc:
            self.status.setText(exc.user_message)
            return
        self.status.setText(f"Saved {self.name.text()}.")
        self.refresh(select=a.id)

    def choose_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Image key", "", IMAGE_FILTER)
        if name:
            self.set_image_file(Path(name))

    def set_image_file(self, path: Path) -> None:
        try:
            image = read_image(path)  # a bomb is refused from its header
        except ImageTooLarge as exc:
            self.status.setText(f"{path.name}: {exc.user_message}")
            return
        if image.isNull():
            self.status.setText(
                f"{path.name} is not an image Aiuteur can read (PNG, JPEG or WebP)."
            )
            return
        self._image_bytes = png_bytes(image)
        self.image.setPixmap(
            QPixmap.fromImage(image).scaled(
                220,
                220,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.status.setText("Save to keep the new image.")

    def delete(self) -> None:
        """Check which projects use the asset (off the UI thread), then ask."""
        a = self.current()
        if a is None:
            return
        self.status.setText(f"Checking which projects use {a.name}…")

        def ask(users: list[str]) -> None:
            text = f"Delete {a.name} from the Asset Library?"
            if users:
                text += (
                    f"\n\n{len(users)} project{'s' * (len(users) > 1)} started from it: "
                    f"{', '.join(users)}. Their own copies stay as they are."
                )
            self.status.setText("")
            self.last_question = text
            confirm(
                self,
                "deleteGlobalAsset",
                QMessageBox.Icon.Warning,
                "Delete Asset",
                text,
                "Delete",
                QMessageBox.ButtonRole.DestructiveRole,
                lambda: (self.library.delete(a.id, force=True), self.refresh()),
            )

        run_in_background(lambda: self.library.users(a.id, self.bundles()), ask, parent=self)


def _thumb(path: Path, size: int) -> QPixmap:
    return preview(path, size)
