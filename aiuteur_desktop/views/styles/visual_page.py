"""The Visual Styles page (global sidebar): reference images per library as thumbnails, their
tags and editable style cards, the library's card that prompts use, and "find similar" — what
an image model would be shown as style references. Decoding and measuring run off the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.media.imaging import open_image
from aiuteur_desktop.core.media.thumbnails import thumbnail_png
from aiuteur_desktop.core.styles.visual import Reference, VisualStyles
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.dialogs import show_error
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.styles.library_pane import LibraryPane, library_page

IMAGE_FILTER = "Reference images (*.png *.jpg *.jpeg *.webp)"
RefRole = Qt.ItemDataRole.UserRole + 1
THUMB = 148


class VisualStylesPage(QWidget):
    def __init__(self, visual: VisualStyles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.visual = visual
        self._refs: dict[str, Reference] = {}
        self._thumbs: dict[str, QIcon] = {}
        self._note = ""

        self.libraries = LibraryPane(
            "visual style",
            names=self.visual.libraries,
            create=self.visual.create,
            rename=self.visual.rename,
            delete=self.visual.delete,
        )
        self.libraries.current_changed.connect(lambda _n: self.show_library())

        self.model = QStandardItemModel(self)
        self.grid = QListView()
        self.grid.setObjectName("referenceGrid")
        self.grid.setModel(self.model)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setIconSize(QSize(THUMB, THUMB * 2 // 3))
        self.grid.setGridSize(QSize(THUMB + 20, THUMB * 2 // 3 + 34))
        self.grid.setSpacing(6)
        self.grid.setWordWrap(True)
        self.grid.setUniformItemSizes(True)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self.show_reference())
        local_shortcut(QKeySequence.StandardKey.Delete, self.grid, self.remove_selected)

        self.add_button = QPushButton("Add images…")
        self.add_button.setToolTip("PNG, JPEG or WebP — or drop image files on this page")
        self.add_button.clicked.connect(self.choose_images)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.similar_button = QPushButton("Find similar…")
        self.similar_button.setToolTip(
            "Pick an image: the references closest to its look are selected, as image models "
            "would receive them"
        )
        self.similar_button.clicked.connect(self.choose_query)
        self.status = QLabel("")
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.library_card = QPlainTextEdit()
        self.library_card.setObjectName("libraryCard")
        self.library_card.setPlaceholderText("Add references and Aiuteur writes the card.")
        self.library_card.setMaximumHeight(110)
        self.save_library_card = QPushButton("Save card")
        self.save_library_card.clicked.connect(self.store_library_card)
        self.measured_card = QPushButton("Use measured card")
        self.measured_card.setToolTip("Forget your text and use the card Aiuteur measured")
        self.measured_card.clicked.connect(self.reset_library_card)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.similar_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        card_buttons = QHBoxLayout()
        card_buttons.addStretch(1)
        card_buttons.addWidget(self.measured_card)
        card_buttons.addWidget(self.save_library_card)
        middle = QVBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(QLabel("References"))
        middle.addWidget(self.grid, 1)
        middle.addLayout(buttons)
        middle.addWidget(self.status)
        middle.addWidget(QLabel("Library style card — what prompts are told about this look"))
        middle.addWidget(self.library_card)
        middle.addLayout(card_buttons)
        middle_w = QWidget()
        middle_w.setLayout(middle)

        self.preview = QLabel()
        self.preview.setObjectName("referencePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(280, 180)
        self.ref_name = QLabel("")
        self.ref_name.setWordWrap(True)
        self.tags = QLineEdit()
        self.tags.setObjectName("referenceTags")
        self.tags.setPlaceholderText("tags, separated by commas (e.g. noir, grain, 35mm)")
        self.tags.editingFinished.connect(self.store_tags)
        self.card = QPlainTextEdit()
        self.card.setObjectName("referenceCard")
        self.save_card = QPushButton("Save card")
        self.save_card.clicked.connect(self.store_card)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.preview)
        right.addWidget(self.ref_name)
        right.addWidget(QLabel("Tags"))
        right.addWidget(self.tags)
        right.addWidget(QLabel("Style card"))
        right.addWidget(self.card, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_card)
        right.addLayout(save_row)
        self.details = QWidget()
        self.details.setLayout(right)

        library_page(
            self,
            "Visual Styles",
            "Collect reference images for a look — black and white, a film stock, an anime "
            "style. Aiuteur measures palette, contrast, grain and edges, writes a style card "
            "you can edit, and shows the closest references to image models.",
            [self.libraries, middle_w, self.details],
            [200, 600, 320],
        )
        self.refresh()

    # ------------------------------------------------------------------- state
    def current(self) -> str | None:
        return self.libraries.current()

    def refresh(self, select: str | None = None) -> None:
        self.libraries.refresh(select)

    def create_library(self, name: str) -> None:
        self.libraries.create(name)

    def names(self) -> list[str]:
        return [self.model.item(r).text() for r in range(self.model.rowCount())]

    def show_library(self) -> None:
        name = self.current()
        has = name is not None
        for w in (
            self.add_button,
            self.similar_button,
            self.library_card,
            self.save_library_card,
            self.measured_card,
        ):
            w.setEnabled(has)  # nothing to add to or save before a library exists
        self.model.clear()
        self._refs.clear()
        self.show_reference()
        if name is None:
            self.status.setText(
                "No library yet: press “New library…” (bottom left), then add images whose look you want."
            )
            self.library_card.setPlainText("")
            return
        visual = self.visual

        def load() -> tuple[list[Reference], str, dict[str, bytes | None]]:
            refs = visual.references(name)
            thumbs = {
                r.id: thumbnail_png(r.path, "image/*", THUMB * 2)
                for r in refs
                if r.id not in self._thumbs
            }
            return refs, visual.library_card(name), thumbs

        def show(result: tuple[list[Reference], str, dict[str, bytes | None]]) -> None:
            refs, card, thumbs = result
            if self.current() != name:
                return
            for ref_id, data in thumbs.items():
                if data:
                    self._thumbs[ref_id] = QIcon(QPixmap.fromImage(QImage.fromData(data)))
            self.model.clear()
            for ref in refs:
                item = QStandardItem(ref.name)
                item.setData(ref.id, RefRole)
                item.setToolTip(", ".join(ref.tags) or ref.name)
                if ref.id in self._thumbs:
                    item.setIcon(self._thumbs[ref.id])
                self.model.appendRow(item)
                self._refs[ref.id] = ref
            self.library_card.setPlainText(card)
            n = len(refs)
            note, self._note = self._note, ""
            self.status.setText(
                note + (f"{n} reference{'s' * (n != 1)}" if n else "Add images or drop them here.")
            )
            self.show_reference()

        run_in_background(load, show, lambda e: show_error(self, "Visual Styles", e), parent=self)

    def selected(self) -> Reference | None:
        index = self.grid.currentIndex()
        if not index.isValid():
            return None
        return self._refs.get(str(index.data(RefRole)))

    def show_reference(self) -> None:
        ref = self.selected()
        for w in (self.tags, self.card, self.save_card):
            w.setEnabled(ref is not None)
        self.remove_button.setEnabled(ref is not None)
        if ref is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Select a reference")
            self.ref_name.setText("")
            self.tags.setText("")
            self.card.setPlainText("")
            return
        self.preview.setText("Loading…")
        self.ref_name.setText(ref.name)

        def load() -> tuple[bytes | None, tuple[int, int] | None]:
            try:
                with open_image(ref.path) as im:  # the header only
                    size: tuple[int, int] | None = im.size
            except (OSError, ValueError):  # damaged, or a bomb (ImageTooLarge)
                size = None
            return thumbnail_png(ref.path, "image/*", 560), size

        def show(result: tuple[bytes | None, tuple[int, int] | None]) -> None:
            data, size = result
            now = self.selected()
            if now is None or now.id != ref.id:
                return  # the user moved on while it decoded
            if data is None:
                self.preview.setText("No preview: the file could not be decoded.")
                return
            self.preview.setPixmap(
                QPixmap.fromImage(QImage.fromData(data)).scaled(
                    280,
                    200,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            if size:
                self.ref_name.setText(f"{ref.name} · {size[0]}×{size[1]}")

        run_in_background(load, show, parent=self)  # big references decode off the UI thread
        self.tags.setText(", ".join(ref.tags))
        self.card.setPlainText(ref.card)

    # ------------------------------------------------------------------ actions
    def choose_images(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add reference images", "", IMAGE_FILTER)
        if paths:
            self.add_images([Path(p) for p in paths])

    def add_images(self, paths: list[Path]) -> None:
        """Measure and store images in the background; refusals are listed, the rest kept."""
        name = self.current()
        if name is None:
            return
        self.status.setText(f"Adding {len(paths)} image{'s' * (len(paths) != 1)}…")
        self.add_button.setEnabled(False)
        visual = self.visual

        def work() -> tuple[int, list[str]]:
            added, refused = 0, []
            for path in paths:
                try:
                    visual.add(name, path.name, path.read_bytes())
                    added += 1
                except AiuteurError as exc:
                    refused.append(f"{path.name}: {exc.user_message}")
                except OSError as exc:
                    refused.append(f"{path.name}: cannot be opened ({exc.strerror or exc}).")
            return added, refused

        def done(result: tuple[int, list[str]]) -> None:
            added, refused = result
            self.add_button.setEnabled(True)
            self._note = f"Added {added} image{'s' * (added != 1)}. " if added else ""
            self.show_library()
            if refused:
                show_error(
                    self,
                    "Some images were not added",
                    AiuteurError("\n".join(refused)),
                )

        def failed(exc: BaseException) -> None:
            self.add_button.setEnabled(True)
            show_error(self, "Add images", exc)

        run_in_background(work, done, failed, parent=self)

    def remove_selected(self) -> None:
        ids = [str(i.data(RefRole)) for i in self.grid.selectionModel().selectedIndexes()]
        if not ids:
            return
        visual = self.visual

        def work() -> None:
            for ref_id in ids:
                visual.remove(ref_id)

        run_in_background(
            work,
            lambda _r: self.show_library(),
            lambda e: show_error(self, "Remove", e),
            parent=self,
        )

    def store_tags(self) -> None:
        ref = self.selected()
        if ref is None:
            return
        tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
        if tuple(tags) != ref.tags:
            self.visual.set_tags(ref.id, tags)
            self._refs[ref.id] = Reference(
                ref.id, ref.library, ref.name, ref.path, tuple(tags), ref.card
            )
            self.status.setText(f"Tags of {ref.name} saved.")

    def store_card(self) -> None:
        ref = self.selected()
        if ref is None:
            return
        card = self.card.toPlainText().strip()
        self.visual.set_card(ref.id, card)
        self._refs[ref.id] = Reference(ref.id, ref.library, ref.name, ref.path, ref.tags, card)
        self.status.setText(f"Style card of {ref.name} saved.")

    def store_library_card(self) -> None:
        name = self.current()
        if name is not None:
            self.visual.set_library_card(name, self.library_card.toPlainText().strip())
            self.status.setText("Library style card saved; prompts use your text.")

    def reset_library_card(self) -> None:
        name = self.current()
        if name is not None:
            self.visual.set_library_card(name, "")
            self.library_card.setPlainText(self.visual.library_card(name))
            self.status.setText("Using the measured style card.")

    def choose_query(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Find references like…", "", IMAGE_FILTER)
        if path:
            self.find_similar(Path(path))

    def find_similar(self, path: Path, k: int = 4) -> None:
        name = self.current()
        if name is None:
            return
        visual = self.visual

        def show(found: list[Reference]) -> None:
            selection = self.grid.selectionModel()
            selection.clearSelection()
            for row in range(self.model.rowCount()):
                item = self.model.item(row)
                if any(r.id == item.data(RefRole) for r in found):
                    selection.select(item.index(), selection.SelectionFlag.Select)
            listed = ", ".join(f"{r.name} ({r.score:.2f})" for r in found)
            self.status.setText(f"Closest looks to {path.name}: {listed or 'none yet'}")

        run_in_background(
            lambda: visual.retrieve(name, path.read_bytes(), k=k),
            show,
            lambda e: show_error(self, "Find similar", e),
            parent=self,
        )

    # ------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.current() is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.add_images(paths)
            event.acceptProposedAction()
