"""Stage 8 · Visuals: the starting look of everything the scene's shots need (PRD §9.3).

Left, the Scene Visual Elements (found from the locked shot list; grouped by kind, each
with where its look comes from and its review status; multi-select for generation); in
the middle, the Visual State Editor (the look as text — right-click a highlight to rewrite
it with a text model — condition tags with "carries into later scenes", the key and its
history); right, the Asset Drawer (the project's master assets and the global Asset
Library: drag one onto the elements to add it; make a scene-only asset; promote it). Every
edit is this scene's instance, never the master asset; what it does is core's
(`core.production.visuals`, the `asset.key` operation)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QIcon,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.operations.asset_key import AssetKey
from aiuteur_desktop.core.production import visuals
from aiuteur_desktop.core.production.visuals import Condition, Element
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.assets.keys import PendingKeys
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import preview
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.production.visual_widgets import (
    AssetDrawer,
    ElementList,
    KeyRole,
    TagRow,
)
from aiuteur_desktop.views.stage_frame import StageFrame, StoryJobs, ask_guidance
from aiuteur_desktop.views.story.rewrite import DescriptionEdit, start_rewrite

SlugRole = Qt.ItemDataRole.UserRole + 1
MediaRole = Qt.ItemDataRole.UserRole + 3
MARKS = {visuals.UNREVIEWED: "○", visuals.EDITED: "●", visuals.LOCKED: "✓"}
THUMB = 72


class Stage8Page(PendingKeys, StageFrame):
    """Stage 8 · Visuals (per scene)."""

    NOUN = "starting key"

    def __init__(
        self,
        jobs: StoryJobs,
        visual: Any = None,
        library: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(8, jobs, parent)
        self.visual = visual  # VisualStyles (reference images, style cards)
        self.global_assets = library  # AssetLibrary
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.items: list[Element] = []
        self._pending: dict[str, str] = {}  # job id → element slug
        self._loading = False
        self.last_estimate = ""

        self.generate_button = self.add_action(
            "Generate Starting Visuals…", "generateVisuals", self.generate_selected
        )
        self.generate_button.setToolTip(
            "Make image keys for the selected elements' starting looks (price shown first)"
        )
        self.cancel_button = self.add_action("Cancel", "cancelVisuals", self.cancel_keys)
        self.cancel_button.hide()
        self.proceed_button = self.add_action(
            "Proceed to Prompts", "proceedPrompts", lambda: self.goToStage.emit(9), primary=True
        )

        # ---- scene line and style
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.gate_label = QLabel()
        self.gate_label.setObjectName("visualsGate")
        self.gate_label.setWordWrap(True)
        self.gate_label.setProperty("muted", True)
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("sceneStyle")
        self.style_combo.setMinimumWidth(220)
        self.style_combo.setToolTip(
            "The visual style of this scene's keys, frames and prompts: the project's locked "
            "style, or another style library for this scene alone"
        )
        self.style_combo.activated.connect(self.choose_style)
        head = QHBoxLayout()
        head.addWidget(self.scene_line, 1)
        head.addWidget(QLabel("Scene style"))
        head.addWidget(self.style_combo)

        # ---- left: elements
        self.list = ElementList()
        self.list.itemSelectionChanged.connect(self.show_element)
        self.list.dropped.connect(self.add_dropped)
        self.lock_button = QPushButton("Lock")
        self.lock_button.setObjectName("lockElement")
        self.lock_button.setToolTip("Lock the selected elements' starting looks (Ctrl+L)")
        self.lock_button.clicked.connect(self.toggle_lock)
        local_shortcut(QKeySequence("Ctrl+L"), self, self.toggle_lock)
        legend = QLabel("○ Unreviewed  ● Edited  ✓ Locked")
        legend.setProperty("muted", True)
        legend.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("In This Scene")
        title.setToolTip("Scene Visual Elements: what the scene's shots need")
        title.setObjectName("sectionTitle")
        left_layout.addWidget(title)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(legend)
        left_layout.addWidget(self.lock_button)

        # ---- middle: the Visual State Editor
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
        self.description.textChanged.connect(self._edited)
        self.description.rewriteRequested.connect(
            lambda: start_rewrite(self, self.description, "starting look", self.schedule_save)
        )
        self.tags_box = QVBoxLayout()
        self.tags_box.setSpacing(2)
        self.tag_input = QComboBox()
        self.tag_input.setObjectName("addTag")
        self.tag_input.setEditable(True)
        self.tag_input.addItems(list(visuals.SUGGESTED_TAGS))
        self.tag_input.setCurrentText("")
        self.tag_input.lineEdit().setPlaceholderText("Condition: Wet, Bloody, Torn Wardrobe…")
        self.tag_input.lineEdit().returnPressed.connect(self.add_tag)
        self.add_tag_button = QPushButton("Add Tag")
        self.add_tag_button.setObjectName("addTagButton")
        self.add_tag_button.clicked.connect(self.add_tag)
        tag_row = QHBoxLayout()
        tag_row.addWidget(self.tag_input, 1)
        tag_row.addWidget(self.add_tag_button)
        self.image = QLabel("No starting key yet")
        self.image.setObjectName("elementImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(200, 150)
        self.image.setStyleSheet("QLabel#elementImage { border:1px solid #2e3035; }")
        self.history = QListWidget()
        self.history.setObjectName("elementHistory")
        self.history.setViewMode(QListWidget.ViewMode.IconMode)
        self.history.setFlow(QListWidget.Flow.LeftToRight)
        self.history.setWrapping(False)
        self.history.setIconSize(QSize(THUMB, THUMB))
        self.history.setFixedHeight(THUMB + 28)
        self.history.itemClicked.connect(self.choose_candidate)
        self.reset_button = QPushButton("Back to Inherited")
        self.reset_button.setObjectName("resetElement")
        self.reset_button.setToolTip("Drop this scene's own look and use what it inherits")
        self.reset_button.clicked.connect(self.reset_element)
        self.promote_button = QPushButton("Promote to Master")
        self.promote_button.setObjectName("promoteElement")
        self.promote_button.clicked.connect(self.promote)
        self.remove_button = QPushButton("Remove from Scene")
        self.remove_button.setObjectName("removeElement")
        self.remove_button.clicked.connect(self.remove_added)
        buttons = QHBoxLayout()
        for b in (self.reset_button, self.promote_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        editor = QWidget()
        ed = QVBoxLayout(editor)
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
        scroll = theme.scroll_area(editor, "visualStateEditor")
        scroll.setMinimumWidth(300)

        # ---- right: the Asset Drawer
        self.drawer = AssetDrawer()
        self.new_button = QPushButton("New Scene Asset…")
        self.new_button.setObjectName("newSceneAsset")
        self.new_button.clicked.connect(self.new_scene_asset)
        self.add_button = QPushButton("Add to Scene")
        self.add_button.setObjectName("addFromDrawer")
        self.add_button.setToolTip("Add the selected drawer assets (or drag them onto the list)")
        self.add_button.clicked.connect(
            lambda: self.add_dropped(
                [str(i.data(KeyRole)) for i in self.drawer.selectedItems() if i.data(KeyRole)]
            )
        )
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        drawer_title = QLabel("Asset Drawer")
        drawer_title.setObjectName("sectionTitle")
        hint = QLabel("Drag an asset onto the scene's elements.")
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        right_layout.addWidget(drawer_title)
        right_layout.addWidget(hint)
        right_layout.addWidget(self.drawer, 1)
        right_layout.addWidget(self.add_button)
        right_layout.addWidget(self.new_button)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 4)
        split.setStretchFactor(2, 2)
        split.setChildrenCollapsible(False)
        left.setMinimumWidth(190)
        right.setMinimumWidth(170)
        self.body.addLayout(head)
        self.body.addWidget(self.gate_label)
        self.body.addWidget(split, 1)

    # ---------------------------------------------------------------- state
    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.flush()
            self.scene_id = scene_id
            self.load()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        super().set_project(project, load=load)

    def load(self) -> None:
        self.clear_error()
        keep = self.current()
        self._loading = True
        try:
            self.list.clear()
            self.items = []
            if self.project is None or self.scene_id is None:
                self.scene_line.setText("Select a scene in the Script Hub")
            else:
                try:
                    self.items = visuals.elements(self.project, self.scene_id)
                except AiuteurError as exc:
                    self.fail(exc.user_message)
                label = master_script.label_of(self.project, self.scene_id)
                self.scene_line.setText(f"Scene {label} · starting looks")
                self._fill()
                self._fill_drawer()
                self._fill_styles()
        finally:
            self._loading = False
        self.select(keep or (self.items[0].slug if self.items else None))
        self.mark_loaded()
        self.sync()

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for kind in masters.KINDS:
            group = [e for e in self.items if e.kind == kind]
            if not group:
                continue
            header = QListWidgetItem(masters.KIND_LABELS[kind].upper())
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setForeground(Qt.GlobalColor.gray)
            self.list.addItem(header)
            for e in group:
                where = f"from {e.first_shot}" if e.first_shot else "added"
                stale = "" if e.status in (Status.UP_TO_DATE, Status.MISSING) else " · ⚠"
                item = QListWidgetItem(
                    f"{MARKS[e.review]} {e.label}\n    {e.source_label} · {where}{stale}"
                )
                item.setData(SlugRole, e.slug)
                item.setToolTip(
                    f"{e.name}: {e.review}. Look from {e.source_label}"
                    + (f"; {e.status.value}" if stale else "")
                    + (f". {e.variant}" if e.variant else "")
                )
                self.list.addItem(item)
        self.list.blockSignals(False)

    def _fill_drawer(self) -> None:
        self.drawer.clear()
        if self.project is None:
            return
        in_scene = {e.master for e in self.items if e.master}
        header = QListWidgetItem("THIS PROJECT")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.drawer.addItem(header)
        for a in masters.all_assets(self.project):
            item = QListWidgetItem(f"{a['name']}  ·  {a['kind']}")
            item.setData(KeyRole, f"master:{a['path']}")
            if a["path"] in in_scene:
                item.setToolTip("Already in this scene")
            self.drawer.addItem(item)
        if self.global_assets is not None:
            try:
                found = self.global_assets.all()
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

    def _fill_styles(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        style = visuals.scene_style(self.project, self.scene_id)
        project_style = masters.style_lock(self.project).get("library") or "none"
        self.style_combo.blockSignals(True)
        self.style_combo.clear()
        self.style_combo.addItem(f"Project style ({project_style})", "")
        names: list[str] = []
        if self.visual is not None:
            try:
                names = self.visual.libraries()
            except (AiuteurError, OSError):
                names = []
        for n in names:
            self.style_combo.addItem(n, n)
        own = str(style.get("library") or "") if style.get("own") else ""
        if own and self.style_combo.findData(own) < 0:
            self.style_combo.addItem(own, own)
        self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(own)))
        self.style_combo.blockSignals(False)

    def current(self) -> str | None:
        items = self.list.selectedItems()
        return str(items[0].data(SlugRole)) if items and items[0].data(SlugRole) else None

    def selected(self) -> list[Element]:
        slugs = {str(i.data(SlugRole)) for i in self.list.selectedItems() if i.data(SlugRole)}
        return [e for e in self.items if e.slug in slugs]

    def element(self) -> Element | None:
        slug = self.current()
        return next((e for e in self.items if e.slug == slug), None)

    def select(self, slug: str | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if slug is not None and item.data(SlugRole) == slug:
                self.list.setCurrentItem(item)
                return
        self.show_element()

    def show_element(self) -> None:
        e = self.element()
        self._loading = True
        try:
            has = e is not None
            for w in (self.description, self.tag_input, self.add_tag_button):
                w.setEnabled(has and e is not None and e.review != visuals.LOCKED)
            while self.tags_box.count():
                w = self.tags_box.takeAt(0).widget()
                if w is not None:
                    w.deleteLater()
            self.history.clear()
            if e is None:
                self.name.setText("")
                self.source.setText("Select an element to see and edit its starting look.")
                self.description.setPlainText("")
                self.image.setPixmap(QPixmap())
                self.image.setText("")
                self._sync_buttons()
                return
            self.name.setText(f"<b>{html.escape(e.name)}</b> · {e.kind}")
            first = f"first seen in {e.first_shot}" if e.first_shot else "added to the scene"
            variant = f" · {e.variant}" if e.variant else ""
            status = (
                f" · <b>{e.status.value}</b>: what it inherits changed since"
                if e.status not in (Status.UP_TO_DATE, Status.MISSING)
                else ""
            )
            self.source.setText(
                f"{html.escape(e.source_label)} · {e.review} · {first}{variant}{status}"
            )
            self.description.setPlainText(e.description)
            self.description.can_rewrite = self.jobs.route() is not None
            for c in e.conditions:
                row = TagRow(c)
                row.setEnabled(e.review != visuals.LOCKED)
                row.changed.connect(self.save_now)
                row.removed.connect(lambda r=row: self.remove_tag(r))
                self.tags_box.addWidget(row)
            self._show_image(e)
        finally:
            self._loading = False
        self._sync_buttons()

    def _show_image(self, e: Element) -> None:
        assert self.project is not None
        if e.image:
            try:
                pix = preview(self.project.media.read(e.image), 320)
            except (OSError, AiuteurError):
                pix = QPixmap()
            self.image.setPixmap(pix)
            if pix.isNull():
                self.image.setText("The key cannot be shown")
        else:
            self.image.setPixmap(QPixmap())
            self.image.setText("No starting key yet")
        for c in e.candidates:
            item = QListWidgetItem()
            try:
                item.setIcon(QIcon(preview(self.project.media.read(c["media"]), THUMB)))
            except (OSError, AiuteurError, KeyError):
                continue
            item.setData(MediaRole, c["media"])
            item.setToolTip(c.get("guidance") or c.get("prompt", "")[:200])
            self.history.addItem(item)

    def _sync_buttons(self) -> None:
        e = self.element()
        chosen = self.selected()
        self.lock_button.setEnabled(bool(chosen))
        all_locked = bool(chosen) and all(x.review == visuals.LOCKED for x in chosen)
        self.lock_button.setText("Unlock" if all_locked else "Lock")
        self.reset_button.setEnabled(e is not None and e.review != visuals.UNREVIEWED)
        self.promote_button.setVisible(e is not None and e.source == visuals.NEW and e.added)
        self.remove_button.setVisible(e is not None and e.added)
        running = bool(self._pending)
        self.generate_button.setEnabled(bool(chosen) and not running)
        self.cancel_button.setVisible(running)

    def sync(self) -> None:
        if self.project is None or self.scene_id is None:
            self.proceed_button.setEnabled(False)
            self.gate_label.setText("")
            self._sync_buttons()
            return
        reason = visuals.gate(self.project, self.scene_id, self.items)
        self.proceed_button.setEnabled(reason is None)
        self.gate_label.setText(
            reason or "Every starting look is locked: the scene's prompts can be assembled."
        )
        self._sync_buttons()

    # ---------------------------------------------------------------- edits
    def _edited(self) -> None:
        if not self._loading:
            self.schedule_save()

    def save_now(self) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        if e.review == visuals.LOCKED:
            return
        conditions = [
            w.condition()
            for i in range(self.tags_box.count())
            if isinstance(w := self.tags_box.itemAt(i).widget(), TagRow)
        ]
        try:
            visuals.save(
                self.project,
                self.scene_id,
                e.slug,
                description=self.description.toPlainText(),
                conditions=conditions,
            )
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._refresh_items(e.slug)
        self.mark_loaded()
        self.changed.emit()

    def _refresh_items(self, keep: str | None) -> None:
        """Re-read the elements, keeping the selection (and `keep` current)."""
        assert self.project is not None and self.scene_id is not None
        self.items = visuals.elements(self.project, self.scene_id)
        slugs = {e.slug for e in self.selected()} | ({keep} if keep else set())
        self._fill()
        self.list.blockSignals(True)
        rows = {str(self.list.item(r).data(SlugRole)): r for r in range(self.list.count())}
        if keep in rows:
            self.list.setCurrentRow(rows[keep])
        for slug in slugs:
            if slug in rows:
                self.list.item(rows[slug]).setSelected(True)
        self.list.blockSignals(False)
        self.sync()

    def add_tag(self) -> None:
        e = self.element()
        text = " ".join(self.tag_input.currentText().split())
        if e is None or not text or e.review == visuals.LOCKED:
            return
        if text.lower() in (c.tag.lower() for c in e.conditions):
            self.tag_input.setCurrentText("")
            return
        row = TagRow(Condition(text, carries=False))
        row.changed.connect(self.save_now)
        row.removed.connect(lambda r=row: self.remove_tag(r))
        self.tags_box.addWidget(row)
        self.tag_input.setCurrentText("")
        self.save_now()
        self.show_element()

    def remove_tag(self, row: TagRow) -> None:
        self.tags_box.removeWidget(row)
        row.deleteLater()
        self.save_now()
        self.show_element()

    def save_version(self, message: str = "") -> None:
        if self.project is not None and self.scene_id is not None:
            self.flush()
            visuals.commit_edits(self.project, self.scene_id, message)

    def toggle_lock(self) -> None:
        chosen = self.selected()
        if self.project is None or self.scene_id is None or not chosen:
            return
        self.flush()
        unlock = all(e.review == visuals.LOCKED for e in chosen)
        try:
            for e in chosen:
                if unlock:
                    visuals.unlock(self.project, self.scene_id, e.slug)
                else:
                    visuals.lock(self.project, self.scene_id, e.slug)
        except AiuteurError as exc:
            self.fail(exc.user_message)
        self._after(chosen[0].slug)
        n = len(chosen)
        self.message.emit(
            f"{'Unlocked' if unlock else 'Locked'} {n} starting look{'s' * (n != 1)}."
        )

    def _after(self, keep: str | None) -> None:
        self._refresh_items(keep)
        self.show_element()
        self.mark_loaded()
        self.changed.emit()

    def reset_element(self) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        self.flush()
        visuals.reset_to_inherited(self.project, self.scene_id, e.slug)
        self._after(e.slug)

    def add_dropped(self, keys: list[str]) -> None:
        """Assets dragged in from the drawer (or added with its button) join the scene."""
        if self.project is None or self.scene_id is None or not keys:
            return
        self.flush()
        last = None
        try:
            for key in keys:
                kind, _, ref = key.partition(":")
                if kind == "global" and self.global_assets is not None:
                    master = f"assets/{masters.slug(self.global_assets.get(ref).name)}"
                    if self.project.read(master) is None:
                        master = self.global_assets.use_in(self.project, ref)
                elif kind == "master":
                    master = ref
                else:
                    continue
                last = visuals.add_from_master(self.project, self.scene_id, master).slug
        except AiuteurError as exc:
            self.fail(exc.user_message)
        label = master_script.label_of(self.project, self.scene_id)
        visuals.commit_edits(self.project, self.scene_id, f"Added assets to scene {label}")
        self._fill_drawer()
        self._after(last)

    def new_scene_asset(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        kinds = ["character", "location", "prop"]
        kind, ok = QInputDialog.getItem(
            self, "New Scene Asset", "What kind of asset?", kinds, 2, False
        )
        if not ok:
            return
        name, ok = QInputDialog.getText(self, "New Scene Asset", f"Name of the new {kind}:")
        if not ok or not name.strip():
            return
        try:
            e = visuals.create_scene_asset(self.project, self.scene_id, kind, name)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        visuals.commit_edits(self.project, self.scene_id, f"New scene asset {e.name}")
        self._after(e.slug)

    def promote(self) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        self.flush()
        try:
            visuals.promote(self.project, self.scene_id, e.slug)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._fill_drawer()
        self._after(e.slug)
        self.message.emit(f"{e.name} is a master asset now.")

    def remove_added(self) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        try:
            visuals.remove_added(self.project, self.scene_id, e.slug)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        visuals.commit_edits(self.project, self.scene_id, f"Removed {e.name} from the scene")
        self._after(None)

    def choose_candidate(self, item: QListWidgetItem) -> None:
        e = self.element()
        if self.project is None or e is None or self.scene_id is None:
            return
        try:
            masters.choose_candidate(self.project, e.path, str(item.data(MediaRole)))
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.save_version(f"Chose a starting key for {e.name}")
        self._after(e.slug)

    def choose_style(self, index: int) -> None:
        if self.project is None or self.scene_id is None:
            return
        library = str(self.style_combo.itemData(index) or "")
        project, scene = self.project, self.scene_id
        visual = self.visual

        def card() -> str:
            return visual.library_card(library) if library and visual is not None else ""

        def done(text: str) -> None:
            if self.project is not project or self.scene_id != scene:
                return
            visuals.set_scene_style(project, scene, library, text)
            self.message.emit(
                f"Scene style: {library}" if library else "Scene style: the project's style"
            )
            self.mark_loaded()
            self.changed.emit()

        run_in_background(card, done, lambda e: self.fail(str(e)), parent=self)

    # ---------------------------------------------------------- generation
    def generate_selected(self) -> None:
        chosen = self.selected()
        if self.project is None or self.scene_id is None or not chosen:
            return
        self.flush()
        priced = self.key_price()
        if priced is None:
            return
        source, model, each = priced
        n = len(chosen)
        names = ", ".join(e.name for e in chosen[:4]) + (" …" if n > 4 else "")
        text = (
            f"Generate starting keys for {n} element{'s' * (n != 1)} ({names}) with "
            f"{source.describe(model)}. {self.cost_text(n, each)}"
        )
        self.last_estimate = text
        has_keys = any(e.candidates for e in chosen)

        def go(guidance: str = "") -> None:
            for e in chosen:
                self._submit(e, guidance, model, source)

        def after_price() -> None:
            if has_keys:
                ask_guidance(
                    self,
                    "Regenerate Starting Visuals",
                    "What should change in these starting looks? Every earlier key stays in "
                    "the history strip.",
                    "Regenerate",
                    go,
                    placeholder="e.g. “Make the coat visibly soaked.”",
                )
            else:
                go()

        confirm(
            self,
            "visualsEstimate",
            QMessageBox.Icon.Question,
            "Generate Starting Visuals",
            text,
            "Generate",
            QMessageBox.ButtonRole.AcceptRole,
            after_price,
        )

    def _style_references(self) -> list[Any]:
        if self.project is None or self.scene_id is None or self.visual is None:
            return []
        library = visuals.scene_style(self.project, self.scene_id).get("library")
        if not library:
            return []
        try:
            return [r.path for r in self.visual.references(library)]
        except AiuteurError:
            return []

    def _submit(self, e: Element, guidance: str, model: str, source: Registry) -> None:
        assert self.project is not None and self.scene_id is not None
        try:
            op = AssetKey.for_instance(
                self.project,
                self.scene_id,
                e.slug,
                guidance,
                model=model,
                source=source,
                style_references=self._style_references(),
            )
            job_id = self.jobs.runner.run_operation(op)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.keys_started(job_id, e.slug)
        self._sync_buttons()

    def _settled(self, key: str | None = None) -> None:
        self.keys_settled(key)
        if self.scene_id is not None and self.project is not None:
            self._refresh_items(self.current() or key)
            self.show_element()
        self.mark_loaded()
