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

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QWidget,
)

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.operations.asset_key import AssetKey
from aiuteur_desktop.core.production import scene_style, visuals
from aiuteur_desktop.core.production.visuals import Condition, Element
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.keys import PendingKeys
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import pictures_aside, show_in_strip
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.production.scene_drawer import DrawerActions
from aiuteur_desktop.views.production.visual_widgets import (
    THUMB,
    DrawerPanel,
    ElementsPanel,
    KeyRole,
    TagRow,
    VisualStateEditor,
)
from aiuteur_desktop.views.stage_frame import StageFrame, ask_guidance
from aiuteur_desktop.views.story.rewrite import start_rewrite

SlugRole = Qt.ItemDataRole.UserRole + 1
MediaRole = Qt.ItemDataRole.UserRole + 3
MARKS = {visuals.UNREVIEWED: "○", visuals.EDITED: "●", visuals.LOCKED: "✓"}
KEY_SIDE = 320  # the key shown beside the list, on its long side


class Stage8Page(DrawerActions, PendingKeys, StageFrame):
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
        left = ElementsPanel()
        self.list, self.lock_button = left.list, left.lock_button
        self.list.itemSelectionChanged.connect(self.show_element)
        self.list.dropped.connect(self.add_dropped)
        self.lock_button.clicked.connect(self.toggle_lock)
        local_shortcut(QKeySequence("Ctrl+L"), self, self.toggle_lock)

        # ---- middle: the Visual State Editor
        editor = VisualStateEditor()
        for part in (
            "name", "source", "description", "tags_box", "tag_input", "add_tag_button", "image",
            "history", "reset_button", "promote_button", "remove_button",
        ):  # fmt: skip
            setattr(self, part, getattr(editor, part))
        self.description.textChanged.connect(self._edited)
        self.description.rewriteRequested.connect(
            lambda: start_rewrite(self, self.description, "starting look", self.schedule_save)
        )
        self.tag_input.lineEdit().returnPressed.connect(self.add_tag)
        self.add_tag_button.clicked.connect(self.add_tag)
        self.history.itemClicked.connect(self.choose_candidate)
        self.reset_button.clicked.connect(self.reset_element)
        self.promote_button.clicked.connect(self.promote)
        self.remove_button.clicked.connect(self.remove_added)
        scroll = theme.scroll_area(editor, "visualStateEditor")
        scroll.setMinimumWidth(300)

        # ---- right: the Asset Drawer
        right = self.drawer_panel = DrawerPanel()
        self.drawer, self.add_button = right.drawer, right.add_button
        self.new_button = right.new_button
        self.new_button.clicked.connect(self.new_scene_asset)
        self.add_button.clicked.connect(
            lambda: self.add_dropped(
                [str(i.data(KeyRole)) for i in self.drawer.selectedItems() if i.data(KeyRole)]
            )
        )

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
            self.load_when_shown()

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

    def _fill_styles(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        style = scene_style.of(self.project, self.scene_id)
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
        """The element's key and its candidates' thumbnails, decoded aside where not yet."""
        assert self.project is not None
        self.image.setPixmap(QPixmap())
        self.image.setText("" if e.image else "No starting key yet")
        for c in e.candidates:
            if not c.get("media"):
                continue
            item = QListWidgetItem()
            item.setData(MediaRole, c["media"])
            item.setToolTip(c.get("guidance") or c.get("prompt", "")[:200])
            self.history.addItem(item)
        shown = (self.project, self.scene_id, e.slug)

        def put(media: str, side: int, pixmap: QPixmap) -> None:
            if (self.project, self.scene_id, self.current()) != shown:
                return  # another element is shown by now
            if media == e.image and side == KEY_SIDE:
                self.image.setPixmap(pixmap)
                if pixmap.isNull():
                    self.image.setText("The key cannot be shown")
            if side == THUMB:
                show_in_strip(self.history, MediaRole, media, pixmap)

        wanted = [(e.image, KEY_SIDE)] if e.image else []
        wanted += [(c["media"], THUMB) for c in e.candidates if c.get("media")]
        pictures_aside(self, self.project.media.read, wanted, put)

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
        try:  # one commit for them all
            visuals.set_locked(self.project, self.scene_id, [e.slug for e in chosen], not unlock)
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
            scene_style.choose(project, scene, library, text)
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
            project, scene, refs = self.project, self.scene_id, self._style_references()

            def one(e: Element) -> Any:
                return lambda: AssetKey.for_instance(
                    project, scene, e.slug, guidance, model=model, source=source,
                    style_references=refs,
                )  # fmt: skip

            self.submit_all([(e.slug, one(e)) for e in chosen])

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
        library = scene_style.of(self.project, self.scene_id).get("library")
        if not library:
            return []
        try:
            return [r.path for r in self.visual.references(library)]
        except AiuteurError:
            return []

    def _settled(self, key: str | None = None) -> None:
        self.keys_settled(key)
        if self.scene_id is not None and self.project is not None:
            self._refresh_items(self.current() or key)
            self.show_element()
        self.mark_loaded()
