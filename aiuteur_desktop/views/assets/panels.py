"""Stage 5's two panes: the asset list with its tools, and the inspector of the selected
asset (description, voice, scenes, the image key with its candidate strip and actions).
The page owns the behaviour; these only build and hold the widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.views.assets.voice_gallery import VoiceBox
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.pictures import candidate_strip
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE
from aiuteur_desktop.views.story.rewrite import DescriptionEdit, start_rewrite

MARKS = {
    "none": ("○", "No image key yet"),
    "key": ("●", "Image key, not locked yet"),
    "locked": ("✓", "Locked"),
}


class AssetList(QWidget):
    """The master assets by kind, the legend of their marks, and the list's tools."""

    def __init__(self, page: Any) -> None:
        super().__init__()
        # ---- asset list
        self.list = QListWidget()
        self.list.setObjectName("assetList")
        self.list.setIconSize(QSize(40, 40))
        self.list.currentItemChanged.connect(lambda *_: page.show_asset())
        # Several at once for Lock (Ctrl+A, Shift- and Ctrl-click): a feature has ~170 assets.
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(page.sync)
        self.extract_button = QPushButton("Extract")
        self.extract_button.setObjectName("extractAssets")
        self.extract_button.setToolTip(
            "Characters from the cues and introductions, locations from the scene headings"
        )
        self.extract_button.clicked.connect(page.extract)
        self.props_button = QPushButton("Find Props (AI)")
        self.props_button.setObjectName("findProps")
        self.props_button.setToolTip("The text model lists the props the story depends on")
        self.props_button.clicked.connect(page.find_props)
        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(page.add_asset)
        self.from_library = QPushButton("From Library…")
        self.from_library.setObjectName("fromLibrary")
        self.from_library.setToolTip("Start an asset from the global Asset Library")
        self.from_library.clicked.connect(page.use_global)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.clicked.connect(page.merge_asset)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.clicked.connect(page.rename_asset)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(page.remove_asset)
        ll = QVBoxLayout(self)
        ll.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel(
            "No assets yet: press Extract to find the characters and locations of the "
            "Master Script, or Add… your own."
        )
        self.empty.setObjectName("assetsEmpty")
        self.empty.setWordWrap(True)
        ll.addWidget(self.empty)
        ll.addWidget(self.list, 1)
        # The marks in front of each name, said once where they are seen.
        # (each entry is kept on one line: it wraps between entries, never inside one)
        entries = (f"{m} {t}".replace(" ", "\u00a0") for m, t in MARKS.values())
        self.legend = QLabel("  ·  ".join(entries))
        self.legend.setObjectName("assetLegend")
        self.legend.setProperty("muted", True)
        self.legend.setWordWrap(True)
        ll.addWidget(self.legend)
        grid = QGridLayout()
        grid.setSpacing(4)
        grid.addWidget(self.extract_button, 0, 0, 1, 3)
        grid.addWidget(self.props_button, 0, 3, 1, 3)
        grid.addWidget(self.add_button, 1, 0, 1, 3)
        grid.addWidget(self.from_library, 1, 3, 1, 3)
        grid.addWidget(self.merge_button, 2, 0, 1, 2)
        grid.addWidget(self.rename_button, 2, 2, 1, 2)
        grid.addWidget(self.remove_button, 2, 4, 1, 2)
        ll.addLayout(grid)
        self.setMaximumWidth(340)


class AssetInspector(QWidget):
    """The selected asset: what it looks like in words and in its image key."""

    def __init__(self, page: Any) -> None:
        super().__init__()
        # ---- editor
        self.name = QLabel()
        self.name.setObjectName("pageTitle")
        self.name.setStyleSheet("font-size: 15pt;")
        self.kind = QLabel()
        self.kind.setProperty("muted", True)
        self.description = DescriptionEdit()
        self.description.setObjectName("assetDescription")
        self.description.setPlaceholderText(
            "How it looks: age, build, wardrobe, colours, materials, light…"
        )
        self.description.textChanged.connect(page._edited)
        self.description.rewriteRequested.connect(
            lambda: start_rewrite(page, self.description, "asset description", page.schedule_save)
        )
        self.voice_box = VoiceBox()  # (characters only)
        self.voice_box.edited.connect(page._edited)
        self.voice_box.previewRequested.connect(page.preview_voice)
        self.voice_box.testRequested.connect(
            lambda: self.voice_box.test_cloud(page.project, page.current_path(), page.jobs)
        )
        page.jobs.runner.finished.connect(
            lambda job_id: self.voice_box.test_finished(job_id, page.project, page.jobs.runner)
        )
        self.voice = self.voice_box.description
        self.scenes = QLabel()
        self.scenes.setObjectName("assetScenes")
        self.scenes.setWordWrap(True)
        self.scenes.setProperty("muted", True)
        self.scenes.setTextFormat(Qt.TextFormat.RichText)
        self.scenes.linkActivated.connect(page.open_scene)
        self.image = QLabel("No image key yet")
        self.image.setObjectName("imageKey")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(220, 120)
        # The picture takes the room the column has; it never holds the column open.
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setStyleSheet(
            "background:#17181b;border:1px solid #2e3035;border-radius:6px;color:#9aa0a8;"
        )
        self.history = candidate_strip("keyHistory", QSize(72, 72), 100)
        self.history.itemClicked.connect(page.choose_candidate)
        self.generate_button = QPushButton("Generate Image Key")
        self.generate_button.setObjectName("generateKey")
        self.generate_button.setStyleSheet(PRIMARY_STYLE)
        self.generate_button.clicked.connect(page.generate_key)
        self.own_button = QPushButton("Use My Image…")
        self.own_button.setObjectName("useOwnImage")
        self.own_button.clicked.connect(page.use_own_image)
        self.lock_button = QPushButton("Lock Master Asset")
        self.lock_button.setObjectName("lockAsset")
        self.lock_button.clicked.connect(page.lock_asset)
        self.promote_button = QPushButton("Promote to Global")
        self.promote_button.setObjectName("promoteAsset")
        self.promote_button.clicked.connect(page.promote)
        text_col = QVBoxLayout()
        desc_label = QLabel("Description")
        desc_label.setObjectName("sectionTitle")
        text_col.addWidget(desc_label)
        text_col.addWidget(self.description, 1)
        text_col.addWidget(self.voice_box)
        text_col.addWidget(self.scenes)
        keys = QGridLayout()
        keys.addWidget(self.generate_button, 0, 0)
        keys.addWidget(self.own_button, 0, 1)
        keys.addWidget(self.lock_button, 1, 0)
        keys.addWidget(self.promote_button, 1, 1)
        image_col = QVBoxLayout()
        image_col.addWidget(self.image, 1)
        image_col.addWidget(self.history)
        image_col.addLayout(keys)
        self._image_col, self._keys = image_col, keys
        image_box = QWidget()
        image_box.setLayout(image_col)
        image_box.setFixedWidth(390)  # two key buttons a row, neither clipped
        self.image_box = image_box
        content = QWidget()
        rl = QVBoxLayout(content)
        rl.setContentsMargins(10, 0, 0, 0)
        rl.addWidget(self.name)
        rl.addWidget(self.kind)
        # Words beside the picture where there is room; the picture under the words where
        # there is not (the window's minimum size), the page scrolling then.
        self.editor_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.editor_row.addLayout(text_col, 1)
        self.editor_row.addWidget(image_box)
        rl.addLayout(self.editor_row, 1)
        self.description.setMinimumHeight(90)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(theme.scroll_area(content, "assetInspector"))

    #: Below this width the image key goes under the description, not beside it.
    SIDE_BY_SIDE = 760

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = self.width() < self.SIDE_BY_SIDE
        wanted = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.editor_row.direction() != wanted:
            self.editor_row.setDirection(wanted)
            # Narrow: a description of a few lines, then the key's buttons where they are seen
            # without scrolling, the picture and its versions below them.
            self.editor_row.setStretch(0, 0 if narrow else 1)
            self.description.setMaximumHeight(130 if narrow else 16_777_215)
            self._image_col.removeItem(self._keys)
            self._image_col.insertLayout(0 if narrow else self._image_col.count(), self._keys)
        super().resizeEvent(event)
