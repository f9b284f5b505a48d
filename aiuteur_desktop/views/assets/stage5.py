"""Stage 5 (PRD §3.5, §8.5): the Visual Style Lock, the extracted master assets, the asset
editor (pre-filled description with targeted rewrite, voice profile, scene links), image keys
as jobs with a history strip, your own image as the key, Lock Master Asset, bulk generation
with its estimate first, Promote to Global, and the Approve gate."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.assets.library import AssetLibrary
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.asset_edits import AssetEdits
from aiuteur_desktop.views.assets.keys import KeyActions, MediaRole, PathRole
from aiuteur_desktop.views.assets.panels import MARKS, AssetInspector, AssetList
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.pictures import (
    cached_image,
    decode_aside,
    keep_decoded,
    pictures_aside,
    show_in_strip,
)
from aiuteur_desktop.views.stage_frame import StageFrame

IconRole = Qt.ItemDataRole.UserRole + 3  # the media id of an asset's image key
ICON = 40  # the list's thumbnails, on their long side
THUMB = 72  # the candidates' thumbnails (the strip's icon size)


class Stage5Page(AssetEdits, KeyActions, StageFrame):
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
        self.asset_list = AssetList(self)
        for name in [
            "add_button",
            "empty",
            "extract_button",
            "from_library",
            "legend",
            "list",
            "merge_button",
            "props_button",
            "remove_button",
            "rename_button",
        ]:
            setattr(self, name, getattr(self.asset_list, name))
        left = self.asset_list
        self.inspector = AssetInspector(self)
        for name in [
            "description",
            "generate_button",
            "history",
            "image",
            "kind",
            "lock_button",
            "name",
            "own_button",
            "promote_button",
            "scenes",
            "voice",
            "voice_box",
        ]:
            setattr(self, name, getattr(self.inspector, name))
        right = self.inspector
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
            locked = masters.style_lock(self.project).get("library", "")
            i = self.style_combo.findData(locked)
            self.style_combo.setCurrentIndex(max(0, i))

    def _fill_list(self, select: str | None = None) -> None:
        keep = select or self.current_path()
        missing: set[str] = set()  # keys whose thumbnails are decoded aside, then shown
        self.list.blockSignals(True)
        self.list.clear()
        if self.project is not None:
            last_kind = ""
            for a in masters.kept_assets(self.project):
                if a["kind"] != last_kind:
                    header = QListWidgetItem(masters.KIND_LABELS[a["kind"]].upper())
                    header.setFlags(Qt.ItemFlag.NoItemFlags)
                    header.setForeground(theme.MUTED)  # a section, not an asset
                    self.list.addItem(header)
                    last_kind = a["kind"]
                state = "locked" if a.get("locked") else "key" if a.get("image_key") else "none"
                item = QListWidgetItem(f"{MARKS[state][0]} {a['name']}")
                item.setData(PathRole, a["path"])
                item.setToolTip(MARKS[state][1])
                if a.get("image_key"):
                    item.setData(IconRole, a["image_key"])
                    image = cached_image(a["image_key"], ICON)
                    if image is not None:
                        item.setIcon(QIcon(QPixmap.fromImage(image)))
                    else:
                        missing.add(a["image_key"])
                self.list.addItem(item)
        self.list.blockSignals(False)
        if missing and self.project is not None:
            read = self.project.media.read
            reads = {m: (lambda m=m: read(m)) for m in missing}
            run_in_background(lambda: decode_aside(reads, ICON), self._icons_landed, parent=self)
        self.empty.setVisible(self.list.count() == 0)
        self.legend.setVisible(self.list.count() > 0)
        self.list.blockSignals(True)  # (shown once, below: not also as the row changes)
        for row in range(self.list.count()):
            if keep is not None and self.list.item(row).data(PathRole) == keep:
                self.list.setCurrentRow(row)
                break
        else:
            for row in range(self.list.count()):
                if self.list.item(row).data(PathRole):
                    self.list.setCurrentRow(row)
                    break
        self.list.blockSignals(False)
        self.show_asset()

    def _icons_landed(self, images: dict[str, QImage]) -> None:
        keep_decoded(images, ICON)
        for row in range(self.list.count()):
            item = self.list.item(row)
            image = images.get(item.data(IconRole))
            if image is not None and not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def show_asset(self) -> None:
        path = self.current_path()
        self._loading = True
        try:
            if self.project is None or path is None:
                self.name.setText("")
                self.kind.setText("")
                self.description.setPlainText("")
                self.voice_box.show_profile(voices.Profile())
                self.scenes.setText("")
                self.image.setPixmap(QPixmap())
                self.image.setText("No asset selected")
                self.history.clear()
                self.sync()
                return
            a = masters.read(self.project, path)
            self.name.setText(a["name"])
            aliases = f" · also {', '.join(a['aliases'])}" if a.get("aliases") else ""
            self.kind.setText(f"{a['kind'].title()}{aliases}")
            self.description.setPlainText(a.get("description", ""))
            self.description.document().clearUndoRedoStacks()
            self.voice_box.show_profile(voices.of(a))
            self.voice_box.setVisible(a["kind"] == "character")
            labels = master_script.labels(self.project)
            scenes = ", ".join(
                f'<a href="{s}" style="color:#8fb1ff">{html.escape(labels.get(s, s))}</a>'
                for s in a.get("scenes", [])
            )
            variants = "; ".join(masters.variant_text(v) for v in a.get("variants", []))
            text = f"In scenes {scenes}." if scenes else "Not found in the script."
            if variants:
                text += f" Variants: {variants}."
            if a.get("global_id"):
                text += " From the Asset Library."
            self.scenes.setText(text)
            self.scenes.setToolTip("Click a scene number to read it in the Master Script")
            key = a.get("image_key")
            self.image.setPixmap(QPixmap())
            self.image.setText("" if key else "No image key yet")
            self.history.clear()
            for c in a.get("candidates", []):
                item = QListWidgetItem("")
                item.setData(MediaRole, c["media"])
                tip = c.get("guidance") or {
                    "uploaded": "Your image",
                    "library": "From the Asset Library",
                }.get(c.get("source", ""), "Generated")
                item.setToolTip(tip)
                self.history.addItem(item)
                if c["media"] == key:
                    item.setSelected(True)
            self._show_pictures(path, key, [c["media"] for c in a.get("candidates", [])])
        finally:
            self._loading = False
        self.sync()

    def _show_pictures(self, path: str, key: str | None, candidates: list[str]) -> None:
        """The asset's key and its candidates' thumbnails, decoded aside where not yet."""
        assert self.project is not None
        fit = max(112, min(320, self.image.height() - 8, self.image.width() - 8))

        project = self.project

        def put(media: str, side: int, pixmap: QPixmap) -> None:
            if self.project is not project or self.current_path() != path:
                return  # another asset is shown by now
            if media == key and side == fit:
                self.image.setPixmap(pixmap)
                if pixmap.isNull():
                    self.image.setText("The key cannot be shown")
            if side == THUMB:
                show_in_strip(self.history, MediaRole, media, pixmap)

        wanted = [(key, fit)] if key else []
        pictures_aside(
            self, self.project.media.read, wanted + [(m, THUMB) for m in candidates], put
        )

    def preview_voice(self) -> None:
        self.voice_box.speak(self.project, self.current_path(), self._source())

    def _edited(self) -> None:
        if not self._loading:
            self.schedule_save()

    def save_now(self) -> None:
        path = self.current_path()
        if self.project is None or path is None or self.project.read(path) is None:
            return
        a = masters.read(self.project, path)
        changes: dict[str, Any] = {}
        if self.description.toPlainText() != a.get("description", ""):
            changes["description"] = self.description.toPlainText()
        if changes:
            masters.update(self.project, path, **changes)
        heard = a["kind"] == "character"
        if changes or (heard and voices.save(self.project, path, self.voice_box.profile())):
            self.changed.emit()
        self.mark_loaded()

    def sync(self) -> None:
        if self.project is None:
            return
        path = self.current_path()
        everything = masters.kept_assets(self.project)  # (kept per draft: no read)
        by_path = {x["path"]: x for x in everything}
        a = by_path.get(path) if path else None
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
        chosen = [by_path[p] for p in self.selected_paths() if p in by_path]
        if len(chosen) > 1:  # several chosen (Ctrl+A, Shift-click): one Lock for them all
            all_locked = all(x.get("locked") for x in chosen)
            can = all_locked or any(x.get("image_key") and not x.get("locked") for x in chosen)
            self.lock_button.setEnabled(can and not busy and not self._locking)
            self.lock_button.setText(f"{'Unlock' if all_locked else 'Lock'} {len(chosen)} Assets")
        else:
            self.lock_button.setEnabled(
                a is not None and bool(a.get("image_key")) and not busy and not self._locking
            )
            self.lock_button.setText("Unlock" if a and a.get("locked") else "Lock Master Asset")
        self.description.setReadOnly(bool(a and a.get("locked")))
        self.description.can_rewrite = self.jobs.route() is not None
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
        locked = masters.style_lock(self.project)
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
        masters.set_style_lock(self.project, library, card)
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

        run_in_background(lambda: masters.extract_into(project), done, failed, parent=self)

    def find_props(self) -> None:
        """The extraction agent for props (characters and locations come from the script)."""
        if self.project is None:
            return
        self.flush()
        project = self.project

        def done(result: dict[str, Any]) -> None:
            if self.project is not project:
                return
            added, updated = result.get("counts") or (0, 0)
            self.message.emit(f"Key props: {added} new, {updated} updated.")
            self._fill_list()
            self.mark_loaded()
            self.changed.emit()

        self.run_answer(
            story.props_ask(project),
            "props",
            "Key props from the script",
            done,
            "Finding the key props in the script…",
        )

    def open_scene(self, scene: str) -> None:
        """A scene link in the asset editor: show that scene in the Master Script."""
        self.goToStage.emit(4)
        self.sceneRequested.emit(scene)

    def approve(self) -> None:
        if self.project is None:
            return
        self.flush()
        try:
            if not (story.is_locked(self.project, 5) and not self.project.is_dirty()):
                masters.approve(self.project)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.changed.emit()
        self.message.emit("Master assets approved. Phase B opens scene by scene in the Script Hub.")
        self.sync()
