"""Stage 5 (PRD §3.5, §8.5): the Visual Style Lock, the extracted master assets, the asset
editor (pre-filled description with targeted rewrite, voice profile, scene links), image keys
as jobs with a history strip, your own image as the key, Lock Master Asset, bulk generation
with its estimate first, Promote to Global, and the Approve gate."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import assets, master_script, story
from aiuteur_desktop.core.asset_library import AssetLibrary
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.operations.asset_key import AssetKey, price_per_key
from aiuteur_desktop.providers.registry import Registry, image_model
from aiuteur_desktop.views import theme
from aiuteur_desktop.views.dialogs import confirm
from aiuteur_desktop.views.jobs import run_in_background
from aiuteur_desktop.views.phase_a.common import PRIMARY_STYLE, StageFrame, StoryJobs, ask_guidance
from aiuteur_desktop.views.phase_a.rewrite import DescriptionEdit, start_rewrite

PathRole = Qt.ItemDataRole.UserRole + 1
MediaRole = Qt.ItemDataRole.UserRole + 2
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"
_MARKS = {
    "none": ("○", "No image key yet"),
    "key": ("●", "Image key, not locked yet"),
    "locked": ("✓", "Locked"),
}


class Stage5Page(StageFrame):
    #: An asset was promoted: the Asset Library page refreshes.
    promoted = Signal(str)
    #: Show a scene (id "s3") of the Master Script.
    sceneRequested = Signal(str)

    def __init__(
        self, jobs: StoryJobs, visual: Any, library: AssetLibrary, parent: QWidget | None = None
    ) -> None:
        super().__init__(5, jobs, parent)
        self.visual = visual  # VisualStyles
        self.global_assets = library
        self.bulk_button = self.add_action(
            "Generate All Unlocked…", "generateAll", self.generate_all
        )
        self.approve_button = self.add_action(
            "Approve Assets && Proceed", "approveAssets", self.approve, primary=True
        )
        self.approve_button.setToolTip(
            "Approve Master Assets & Proceed to the Technical Shot List (Stage 6): every asset "
            "needs a locked image key."
        )
        # ---- style lock
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("styleLock")
        self.style_combo.setMinimumWidth(240)
        self.style_button = QPushButton("Lock Visual Style")
        self.style_button.setObjectName("lockStyle")
        self.style_button.clicked.connect(self.lock_style)
        self.style_state = QLabel()
        self.style_state.setProperty("muted", True)
        self.style_state.setWordWrap(True)
        style_row = QHBoxLayout()
        style_row.addWidget(QLabel("Visual style"))
        style_row.addWidget(self.style_combo)
        style_row.addWidget(self.style_button)
        style_row.addWidget(self.style_state, 1)
        # ---- asset list
        self.list = QListWidget()
        self.list.setObjectName("assetList")
        self.list.setIconSize(QSize(40, 40))
        self.list.currentItemChanged.connect(lambda *_: self.show_asset())
        self.extract_button = QPushButton("Extract")
        self.extract_button.setObjectName("extractAssets")
        self.extract_button.setToolTip(
            "Characters from the cues and introductions, locations from the scene headings"
        )
        self.extract_button.clicked.connect(self.extract)
        self.props_button = QPushButton("Find Props (AI)")
        self.props_button.setObjectName("findProps")
        self.props_button.setToolTip("The text model lists the props the story depends on")
        self.props_button.clicked.connect(self.find_props)
        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(self.add_asset)
        self.from_library = QPushButton("From Library…")
        self.from_library.setObjectName("fromLibrary")
        self.from_library.setToolTip("Start an asset from the global Asset Library")
        self.from_library.clicked.connect(self.use_global)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.clicked.connect(self.merge_asset)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.clicked.connect(self.rename_asset)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_asset)
        left = QWidget()
        ll = QVBoxLayout(left)
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
        entries = (f"{m} {t}".replace(" ", "\u00a0") for m, t in _MARKS.values())
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
        left.setMaximumWidth(340)
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
        self.description.textChanged.connect(self._edited)
        self.description.rewriteRequested.connect(
            lambda: start_rewrite(self, self.description, "asset description", self.schedule_save)
        )
        self.voice = QLineEdit()
        self.voice.setObjectName("voiceProfile")
        self.voice.setPlaceholderText("Voice profile: free text or a provider voice id")
        self.voice.textChanged.connect(self._edited)
        self.scenes = QLabel()
        self.scenes.setObjectName("assetScenes")
        self.scenes.setWordWrap(True)
        self.scenes.setProperty("muted", True)
        self.scenes.setTextFormat(Qt.TextFormat.RichText)
        self.scenes.linkActivated.connect(self.open_scene)
        self.image = QLabel("No image key yet")
        self.image.setObjectName("imageKey")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(220, 120)
        # The picture takes the room the column has; it never holds the column open.
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setStyleSheet(
            "background:#17181b;border:1px solid #2e3035;border-radius:6px;color:#9aa0a8;"
        )
        self.history = QListWidget()
        self.history.setObjectName("keyHistory")
        self.history.setViewMode(QListView.ViewMode.IconMode)
        self.history.setFlow(QListView.Flow.LeftToRight)
        self.history.setWrapping(False)
        self.history.setIconSize(QSize(72, 72))
        self.history.setFixedHeight(100)
        self.history.itemClicked.connect(self.choose_candidate)
        self.generate_button = QPushButton("Generate Image Key")
        self.generate_button.setObjectName("generateKey")
        self.generate_button.setStyleSheet(PRIMARY_STYLE)
        self.generate_button.clicked.connect(self.generate_key)
        self.own_button = QPushButton("Use My Image…")
        self.own_button.setObjectName("useOwnImage")
        self.own_button.clicked.connect(self.use_own_image)
        self.lock_button = QPushButton("Lock Master Asset")
        self.lock_button.setObjectName("lockAsset")
        self.lock_button.clicked.connect(self.lock_asset)
        self.promote_button = QPushButton("Promote to Global")
        self.promote_button.setObjectName("promoteAsset")
        self.promote_button.clicked.connect(self.promote)
        text_col = QVBoxLayout()
        desc_label = QLabel("Description")
        desc_label.setObjectName("sectionTitle")
        text_col.addWidget(desc_label)
        text_col.addWidget(self.description, 1)
        voice_row = QHBoxLayout()
        self.voice_label = QLabel("Voice")
        voice_row.addWidget(self.voice_label)
        voice_row.addWidget(self.voice, 1)
        text_col.addLayout(voice_row)
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
        image_box = QWidget()
        image_box.setLayout(image_col)
        image_box.setFixedWidth(390)  # two key buttons a row, neither clipped
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(10, 0, 0, 0)
        rl.addWidget(self.name)
        rl.addWidget(self.kind)
        editor_row = QHBoxLayout()
        editor_row.addLayout(text_col, 1)
        editor_row.addWidget(image_box)
        rl.addLayout(editor_row, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([250, 950])
        split.setStretchFactor(1, 1)
        box = QFrame()
        box.setObjectName("panel")
        bl = QVBoxLayout(box)
        bl.setContentsMargins(12, 8, 12, 8)
        bl.addLayout(style_row)
        self.body.addWidget(box)
        self.body.addWidget(split, 1)
        self._loading = False
        self._pending: dict[str, str] = {}  # job id → asset path
        self.busy.cancelled.connect(self.cancel_keys)

    # ------------------------------------------------------------------ state
    def current_path(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(PathRole)

    def load(self) -> None:
        self._fill_styles()
        self._fill_list()
        self.sync()
        self.mark_loaded()

    def _fill_styles(self) -> None:
        self.style_combo.clear()
        self.style_combo.addItem("None — describe the look in each asset", "")
        try:
            names = list(self.visual.libraries()) if self.visual is not None else []
        except Exception:  # an unreadable style store must not block Stage 5
            names = []
        for n in names:
            self.style_combo.addItem(n, n)
        if self.project is not None:
            locked = assets.style_lock(self.project).get("library", "")
            i = self.style_combo.findData(locked)
            self.style_combo.setCurrentIndex(max(0, i))

    def _fill_list(self, select: str | None = None) -> None:
        keep = select or self.current_path()
        self.list.blockSignals(True)
        self.list.clear()
        if self.project is not None:
            last_kind = ""
            for a in assets.all_assets(self.project):
                if a["kind"] != last_kind:
                    header = QListWidgetItem(assets.KIND_LABELS[a["kind"]].upper())
                    header.setFlags(Qt.ItemFlag.NoItemFlags)
                    header.setForeground(theme.MUTED)  # a section, not an asset
                    self.list.addItem(header)
                    last_kind = a["kind"]
                state = "locked" if a.get("locked") else "key" if a.get("image_key") else "none"
                item = QListWidgetItem(f"{_MARKS[state][0]} {a['name']}")
                item.setData(PathRole, a["path"])
                item.setToolTip(_MARKS[state][1])
                if a.get("image_key"):
                    item.setIcon(QIcon(self._pixmap(a["image_key"], 40)))
                self.list.addItem(item)
        self.list.blockSignals(False)
        self.empty.setVisible(self.list.count() == 0)
        self.legend.setVisible(self.list.count() > 0)
        for row in range(self.list.count()):
            if keep is not None and self.list.item(row).data(PathRole) == keep:
                self.list.setCurrentRow(row)
                break
        else:
            for row in range(self.list.count()):
                if self.list.item(row).data(PathRole):
                    self.list.setCurrentRow(row)
                    break
        self.show_asset()

    def _pixmap(self, media: str, size: int) -> QPixmap:
        assert self.project is not None
        try:
            image = QImage.fromData(self.project.media.read(media))
        except Exception:
            return QPixmap()
        return QPixmap.fromImage(image).scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )

    def show_asset(self) -> None:
        path = self.current_path()
        self._loading = True
        try:
            if self.project is None or path is None:
                self.name.setText("")
                self.kind.setText("")
                self.description.setPlainText("")
                self.voice.setText("")
                self.scenes.setText("")
                self.image.setPixmap(QPixmap())
                self.image.setText("No asset selected")
                self.history.clear()
                self.sync()
                return
            a = assets.read(self.project, path)
            self.name.setText(a["name"])
            aliases = f" · also {', '.join(a['aliases'])}" if a.get("aliases") else ""
            self.kind.setText(f"{a['kind'].title()}{aliases}")
            self.description.setPlainText(a.get("description", ""))
            self.description.document().clearUndoRedoStacks()
            self.voice.setText(a.get("voice", ""))
            self.voice.setVisible(a["kind"] == "character")
            self.voice_label.setVisible(a["kind"] == "character")
            labels = master_script.labels(self.project)
            scenes = ", ".join(
                f'<a href="{s}" style="color:#8fb1ff">{html.escape(labels.get(s, s))}</a>'
                for s in a.get("scenes", [])
            )
            variants = "; ".join(assets.variant_text(v) for v in a.get("variants", []))
            text = f"In scenes {scenes}." if scenes else "Not found in the script."
            if variants:
                text += f" Variants: {variants}."
            if a.get("global_id"):
                text += " From the Asset Library."
            self.scenes.setText(text)
            self.scenes.setToolTip("Click a scene number to read it in the Master Script")
            key = a.get("image_key")
            if key:
                fit = max(112, min(320, self.image.height() - 8, self.image.width() - 8))
                self.image.setPixmap(self._pixmap(key, fit))
            else:
                self.image.setPixmap(QPixmap())
                self.image.setText("No image key yet")
            self.history.clear()
            for c in a.get("candidates", []):
                item = QListWidgetItem(QIcon(self._pixmap(c["media"], 72)), "")
                item.setData(MediaRole, c["media"])
                tip = c.get("guidance") or {
                    "uploaded": "Your image",
                    "library": "From the Asset Library",
                }.get(c.get("source", ""), "Generated")
                item.setToolTip(tip)
                self.history.addItem(item)
                if c["media"] == key:
                    item.setSelected(True)
        finally:
            self._loading = False
        self.sync()

    def _edited(self) -> None:
        if not self._loading:
            self.schedule_save()

    def save_now(self) -> None:
        path = self.current_path()
        if self.project is None or path is None or self.project.read(path) is None:
            return
        a = assets.read(self.project, path)
        changes: dict[str, Any] = {}
        if self.description.toPlainText() != a.get("description", ""):
            changes["description"] = self.description.toPlainText()
        if self.voice.text() != a.get("voice", ""):
            changes["voice"] = self.voice.text()
        if changes:
            assets.update(self.project, path, **changes)
            self.changed.emit()
        self.mark_loaded()

    def sync(self) -> None:
        if self.project is None:
            return
        path = self.current_path()
        a = (
            assets.read(self.project, path)
            if path and self.project.read(path) is not None
            else None
        )
        has_script = master_script.current(self.project) is not None
        busy = path in self._pending.values() if path else False
        self.extract_button.setEnabled(has_script)
        self.props_button.setEnabled(
            has_script and self.jobs.route() is not None and not self.jobs.running(self.tag())
        )
        for b in (
            self.merge_button,
            self.rename_button,
            self.remove_button,
            self.own_button,
            self.promote_button,
        ):
            b.setEnabled(a is not None and not busy)
        self.generate_button.setEnabled(a is not None and not busy)
        self.generate_button.setText(
            "Regenerate…" if a and a.get("candidates") else "Generate Image Key"
        )
        self.lock_button.setEnabled(a is not None and bool(a.get("image_key")) and not busy)
        self.lock_button.setText("Unlock" if a and a.get("locked") else "Lock Master Asset")
        self.description.setReadOnly(bool(a and a.get("locked")))
        self.description.can_rewrite = self.jobs.route() is not None
        everything = assets.all_assets(self.project)
        self.bulk_button.setEnabled(
            any(not x.get("locked") for x in everything) and not self._pending
        )
        approved = story.is_locked(self.project, 5) and not self.project.is_dirty()
        self.approve_button.setText(
            "Assets Approved ✓" if approved else "Approve Assets && Proceed"
        )
        self.approve_button.setEnabled(
            bool(everything) and all(x.get("locked") for x in everything)
        )
        locked = assets.style_lock(self.project)
        self.style_state.setText(
            f"Locked: {locked['library']} — every image and video call uses this look."
            if locked.get("library")
            else "No style locked: prompts use each asset's own description."
        )
        self.no_model.hide()

    # ---------------------------------------------------------------- actions
    def lock_style(self) -> None:
        if self.project is None:
            return
        library = str(self.style_combo.currentData() or "")
        card = ""
        if library and self.visual is not None:
            try:
                card = self.visual.library_card(library)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                return
        assets.set_style_lock(self.project, library, card)
        self.changed.emit()
        self.sync()

    def extract(self) -> None:
        if self.project is None:
            return
        self.flush()
        project = self.project
        self.extract_button.setEnabled(False)  # off the UI thread: a feature takes a second

        def done(counts: tuple[int, int]) -> None:
            self.extract_button.setEnabled(True)
            if self.project is project:
                self.message.emit(f"Extracted master assets: {counts[0]} new, {counts[1]} updated.")
                self._fill_list()
                self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.extract_button.setEnabled(True)
            self.fail(exc.user_message if isinstance(exc, AiuteurError) else str(exc))

        run_in_background(lambda: assets.extract_into(project), done, failed, parent=self)

    def find_props(self) -> None:
        """The extraction agent for props (characters and locations come from the script)."""
        if self.project is None:
            return
        self.flush()
        project = self.project

        def done(result: dict[str, Any]) -> None:
            if self.project is not project:
                return
            play = master_script.current(project)
            if play is None:
                return
            value = story.PropsOut.model_validate(result["value"])
            found = assets.props_from([(p.name, p.description) for p in value.props], play)
            added, updated = assets.sync_extracted(project, found)
            if project.is_dirty():
                project.commit("Key props from the script", kind="generate", stage=5)
            self.message.emit(f"Key props: {added} new, {updated} updated.")
            self._fill_list()
            self.changed.emit()

        self.run(story.props_ask(project), done, "Finding the key props in the script…")

    def open_scene(self, scene: str) -> None:
        """A scene link in the asset editor: show that scene in the Master Script."""
        self.goToStage.emit(4)
        self.sceneRequested.emit(scene)

    def add_asset(self) -> None:
        kinds = ["Character", "Location", "Prop"]
        kind, ok = QInputDialog.getItem(self, "Add Asset", "Kind", kinds, 2, False)
        if not ok:
            return
        name, ok = QInputDialog.getText(self, "Add Asset", f"Name of the {kind.lower()}")
        if ok:
            self.add_new(kind.lower(), name)

    def add_new(self, kind: str, name: str) -> None:
        if self.project is not None:
            self._try(lambda: self._after(assets.add(self.project, kind, name), f"Added {name}"))  # type: ignore[arg-type]

    def _after(self, path: str | None, message: str) -> None:
        assert self.project is not None
        if self.project.is_dirty():
            self.project.commit(message, kind="edit", stage=5)
        self._fill_list(path)
        self.changed.emit()
        self.message.emit(message)

    def _try(self, fn: Any) -> None:
        try:
            fn()
        except AiuteurError as exc:
            self.fail(exc.user_message)

    def rename_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        old = assets.read(self.project, path)["name"]
        name, ok = QInputDialog.getText(self, "Rename Asset", "New name", text=old)
        if ok:
            self._try(
                lambda: (
                    assets.rename(self.project, path, name),
                    self._after(path, f"Renamed {old} to {name}"),
                )
            )  # type: ignore[arg-type]

    def merge_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        me = assets.read(self.project, path)
        others = [
            a
            for a in assets.all_assets(self.project)
            if a["kind"] == me["kind"] and a["path"] != path
        ]
        if not others:
            self.fail(f"There is no other {me['kind']} to merge into {me['name']}.")
            return
        names = [a["name"] for a in others]
        name, ok = QInputDialog.getItem(
            self, "Merge Assets", f"Merge into {me['name']} (it becomes an alias):", names, 0, False
        )
        if ok:
            other = others[names.index(name)]["path"]
            self._try(
                lambda: (
                    assets.merge(self.project, path, other),
                    self._after(path, f"Merged {name} into {me['name']}"),
                )
            )  # type: ignore[arg-type]

    def remove_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        name = assets.read(self.project, path)["name"]
        confirm(
            self,
            "removeAsset",
            QMessageBox.Icon.Warning,
            "Remove Asset",
            f"Remove {name} from this project's master assets? Version History keeps it.",
            "Remove",
            QMessageBox.ButtonRole.DestructiveRole,
            lambda: self._try(
                lambda: (assets.remove(self.project, path), self._after(None, f"Removed {name}"))
            ),  # type: ignore[arg-type]
        )

    # -------------------------------------------------------------- image keys
    def _source(self) -> Registry:
        return Registry(self.jobs.library.load_settings())

    def _submit_key(self, a: dict[str, Any], guidance: str) -> None:
        assert self.project is not None
        source = self._source()
        style = assets.style_lock(self.project)
        refs = []
        if style.get("library") and self.visual is not None:
            try:
                refs = [r.path for r in self.visual.references(style["library"])]
            except AiuteurError:
                refs = []
        op = AssetKey.prepare(
            self.project,
            a["path"],
            guidance,
            model=image_model(source.settings),
            source=source,
            references=refs,
        )
        try:
            job = self.jobs.runner.run_operation(op)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._pending[job.id] = a["path"]
        self.busy.start(
            f"Generating {len(self._pending)} image key{'s' * (len(self._pending) > 1)}…"
        )
        self.sync()

    def job_finished(self, job_id: str) -> None:
        """The operation has applied its result already; the page only shows it."""
        path = self._pending.pop(job_id, None)
        if path is None or self.project is None:
            return
        job = self.jobs.runner.store.get(job_id)
        if job.state is not JobState.SUCCEEDED:
            self.fail(f"{job.params.get('name')}: {job.error or 'cancelled'}")
        if not self._pending:
            self.busy.hide()
        else:
            n = len(self._pending)
            self.busy.label.setText(f"Generating {n} more image key{'s' * (n > 1)}…")
        self._fill_list()
        self.mark_loaded()
        self.changed.emit()

    def cancel_keys(self) -> None:
        """Stop the image keys still queued or running (finished ones are kept)."""
        for job_id in list(self._pending):
            self.jobs.runner.cancel(job_id)

    def generate_key(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        self.flush()
        a = {**assets.read(self.project, path), "path": path}
        if not a.get("candidates"):
            self._submit_key(a, "")
            return
        ask_guidance(
            self,
            "Regenerate Image Key",
            f"What should change in {a['name']}'s image? Every earlier version stays in the strip.",
            "Regenerate",
            lambda g: self._submit_key({**assets.read(self.project, path), "path": path}, g),  # type: ignore[arg-type]
            placeholder="e.g. “Make the character's hair redder.”",
        )

    def generate_all(self) -> None:
        if self.project is None:
            return
        self.flush()
        todo = [a for a in assets.all_assets(self.project) if not a.get("locked")]
        if not todo:
            return
        source = self._source()
        model = image_model(source.settings)
        each = price_per_key(model, source)
        where = source.describe(model)
        text = (
            f"Generate image keys for {len(todo)} unlocked asset{'s' * (len(todo) > 1)} with "
            f"{where}. Estimated cost: ${each * len(todo):,.2f}"
            + (f" (${each:,.3f} each)." if each else ".")
        )
        self.last_estimate = text
        confirm(
            self,
            "bulkEstimate",
            QMessageBox.Icon.Question,
            "Generate All Unlocked",
            text,
            "Generate",
            QMessageBox.ButtonRole.AcceptRole,
            lambda: [self._submit_key(a, "") for a in todo],
        )

    def choose_candidate(self, item: QListWidgetItem) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        media = item.data(MediaRole)
        assets.choose_candidate(self.project, path, media)
        self._fill_list(path)
        self.changed.emit()

    def use_own_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Use your own image as the key", "", IMAGE_FILTER
        )
        if name:
            self.use_image_file(Path(name))

    def use_image_file(self, file: Path) -> None:
        """An actor headshot, location photo or concept art as the key: works offline."""
        path = self.current_path()
        if self.project is None or path is None:
            return
        project = self.project

        def read() -> bytes:
            data = file.read_bytes()
            image = QImage.fromData(data)
            if image.isNull():
                raise AiuteurError(
                    f"{file.name} is not an image Aiuteur can read (PNG, JPEG or WebP)."
                )
            from PySide6.QtCore import QBuffer, QIODevice

            buf = QBuffer()
            buf.open(QIODevice.OpenModeFlag.WriteOnly)
            image.save(buf, "PNG")
            return bytes(buf.data().data())

        def done(png: bytes) -> None:
            if self.project is not project:
                return
            media = project.media.put(png, "image/png")
            assets.add_candidate(
                project, path, media, source="uploaded", guidance=f"Your image: {file.name}"
            )
            project.commit(f"Image key from {file.name}", kind="edit", stage=5)
            self._fill_list(path)
            self.changed.emit()

        run_in_background(
            read, done, lambda exc: self.fail(getattr(exc, "user_message", str(exc))), parent=self
        )

    def lock_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        self.flush()
        a = assets.read(self.project, path)
        if a.get("locked"):
            assets.unlock(self.project, path)
            self.project.commit(f"Unlocked master asset {a['name']}", kind="edit", stage=5)
        else:
            self._try(lambda: assets.lock(self.project, path))  # type: ignore[arg-type]
        self._fill_list(path)
        self.changed.emit()

    def promote(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        self.flush()
        try:
            g = self.global_assets.promote(self.project, path)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.message.emit(f"{g.name} is now in the Asset Library.")
        self.promoted.emit(g.id)

    def use_global(self) -> None:
        items = self.global_assets.all()
        if not items:
            self.fail(
                "The Asset Library is empty: promote an asset, or create one in the Asset Library."
            )
            return
        labels = [f"{a.name} ({a.kind})" for a in items]
        label, ok = QInputDialog.getItem(
            self, "From Asset Library", "Start an asset from:", labels, 0, False
        )
        if ok:
            self.add_from_library(items[labels.index(label)].id)

    def add_from_library(self, aid: str) -> None:
        if self.project is None:
            return
        g = self.global_assets.get(aid)
        self._try(
            lambda: self._after(
                self.global_assets.use_in(self.project, aid),
                f"Added {g.name} from the Asset Library",
            )
        )  # type: ignore[arg-type]

    def approve(self) -> None:
        if self.project is None:
            return
        self.flush()
        try:
            if not (story.is_locked(self.project, 5) and not self.project.is_dirty()):
                assets.approve(self.project)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.changed.emit()
        self.message.emit("Master assets approved. Phase B opens scene by scene in the Script Hub.")
        self.sync()
