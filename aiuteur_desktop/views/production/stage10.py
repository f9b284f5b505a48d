"""Stage 10 · Frames: every shot's start and end anchor frame (PRD §9.5).

First the **mode** — Quick (every frame at once) or Control (one at a time, approve before
the next) — and whether the scene takes start frames only. Control shows one frame at a
time: the frame, the Visual Rearview (the frame it follows beside it, a ghost overlay with
an opacity slider, a flicker that swaps the two), the drift detector's notes, the candidate
strip, Approve / Regenerate (with the Why box) / Edit Region (the inpainting canvas: paint,
say what changes). Quick shows the grid of every frame as the jobs fill it, with multi-select
approve and regenerate. What is made when, and from what, is core's (`core.production.frames`)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.operations.frame_image import FrameEdit, FrameImage
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.production.frames import Slot
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.keys import PendingKeys
from aiuteur_desktop.views.jobs.background import run_in_background, write_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.page_stack import PageStack
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.production.frame_mode import (
    CANDIDATE,
    TILE,
    FrameControl,
    ModeChooser,
    QuickGrid,
    SlotRole,
    decode_ahead,
    frame_title,
    keep_pictures,
    neighbours,
    thumb,
)
from aiuteur_desktop.views.production.frame_settle import FrameSettling
from aiuteur_desktop.views.stage_frame import StageFrame, ask_guidance

MediaRole = Qt.ItemDataRole.UserRole + 2


def _mark(s: Slot) -> str:
    if not s.made:
        return "○"
    if s.status not in (Status.UP_TO_DATE, Status.MISSING):
        return "⚠"
    return "✓" if s.approved else "●"


class Stage10Page(FrameSettling, PendingKeys, StageFrame):
    """Stage 10 · Frames (per scene)."""

    NOUN = "frame"

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(10, jobs, parent)
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.items: list[Slot] = []
        self._tiles_shown: dict[str, tuple[Any, ...]] = {}  # what each step and tile shows
        self._items_for: str | None = None  # the scene `items` are of
        self._pending: dict[str, str] = {}
        self._mode: dict[str, Any] | None = None
        self._landed: str | None = None  # the frame to show when the refresh lands
        self._refresh = QTimer(self, singleShot=True, interval=150, timeout=self._refresh_now)
        self._deriving = 0  # refreshes being derived on a worker
        self._derived_for: dict[str, tuple[Any, str | None]] = {}  # derived there for show_slot
        self._showing: Any = None  # (project, scene, slot, mode, editing) as shown
        self._writing = 0  # approvals asked for, not stored yet
        self._showing_found: Any = None  # and what it chains to, as shown
        self.last_estimate = ""
        self.generate_button = self.add_action("Generate…", "generateFrames", self.generate)
        self.cancel_button = self.add_action("Cancel", "cancelFrames", self.cancel_keys)
        self.cancel_button.hide()
        self.approve_button = self.add_action("Approve", "approveFrame", self.approve, primary=True)
        local_shortcut(QKeySequence("Ctrl+Return"), self, self.approve)

        # ---- the mode
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.mode_line = QLabel()
        self.mode_line.setProperty("muted", True)
        chooser = ModeChooser()
        chooser.chosen.connect(self.choose_mode)
        for part in ("quick", "control", "start_only", "use_mode"):
            setattr(self, part, getattr(chooser, part))

        # ---- Control: one frame at a time
        self.frame_control = control = FrameControl()
        for part in (
            "steps", "rearview", "frame_state", "drift", "history", "regenerate_button",
            "edit_button", "editor", "frame_stack", "canvas", "brush", "eraser", "size",
            "feather", "instruction",
        ):  # fmt: skip
            setattr(self, part, getattr(control, part))
        self.apply_button = control.editor.apply_button
        self.steps.currentItemChanged.connect(lambda *_: self.show_slot())
        self.history.itemClicked.connect(self.choose_candidate)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.edit_button.toggled.connect(self.toggle_canvas)
        self.editor.applied.connect(self.apply_region)

        # ---- Quick: every frame at once
        quick = self.quick_grid = QuickGrid()
        self.grid, self.progress = quick.grid, quick.progress
        self.bulk_regenerate = quick.bulk_regenerate
        self.grid.itemDoubleClicked.connect(self._open_in_control)
        self.grid.itemSelectionChanged.connect(self._sync_buttons)
        self.bulk_regenerate.clicked.connect(self.regenerate)

        self.pages = PageStack()
        self.pages.addWidget(chooser)
        self.pages.addWidget(control)
        self.pages.addWidget(quick)
        # Quick mode's single-frame view (a tile double-clicked) has a way back to the grid.
        self.back_to_grid = QPushButton("Back to Grid")
        self.back_to_grid.setObjectName("backToGrid")
        self.back_to_grid.setToolTip("Every frame of the scene at once (Esc)")
        self.back_to_grid.clicked.connect(self.show_grid)
        local_shortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        self.pages.currentChanged.connect(lambda _i: self._sync_buttons())
        self.mode_switch = QPushButton("Change Mode…")
        self.mode_switch.setObjectName("changeMode")
        self.mode_switch.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        head = QHBoxLayout()
        head.addWidget(self.scene_line, 1)
        head.addWidget(self.mode_line)
        head.addWidget(self.back_to_grid)
        head.addWidget(self.mode_switch)
        self.body.addLayout(head)
        self.body.addWidget(self.pages, 1)

    # ---------------------------------------------------------------- state
    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.load_when_shown()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        super().set_project(project, load=load)

    def mode(self) -> dict[str, Any] | None:
        """The scene's frame mode as `load` read it (it changes only by `choose_mode`)."""
        return self._mode if self.project is not None and self.scene_id is not None else None

    def load(self) -> None:
        self.clear_error()
        if self.project is None or self.scene_id is None:
            self.scene_line.setText("Select a scene in the Script Hub")
            self.mark_loaded()
            return
        label = master_script.label_of(self.project, self.scene_id)
        self.scene_line.setText(f"Scene {label} · anchor frames")
        chosen = self._mode = frames.mode_of(self.project, self.scene_id)
        project, scene = self.project, self.scene_id
        if self._items_for != scene:  # another scene's frames are not shown meanwhile
            self.items, self._items_for = [], scene

        def derive() -> tuple[list[Slot], Any]:  # the frames, and their pictures decoded
            items = frames.slots(project, scene)
            nxt = frames.next_of(items)
            return items, decode_ahead(project, items, [nxt] if nxt else items[:1], [])

        def show(found: tuple[list[Slot], Any]) -> None:  # worked out on a worker
            self.items, pictures = found
            keep_pictures(pictures)
            self._fill()
            self.sync()

        self.derive_then(derive, show)
        if chosen is None:
            self.mode_line.setText("No mode chosen yet")
            self.pages.setCurrentIndex(0)
        else:
            quick = chosen.get("mode") == frames.QUICK
            self.quick.setChecked(quick)
            self.control.setChecked(not quick)
            self.start_only.setChecked(bool(chosen.get("start_only")))
            only = " · start frames only" if chosen.get("start_only") else ""
            self.mode_line.setText(("Quick mode" if quick else "Control mode") + only)
            self.pages.setCurrentIndex(2 if quick else 1)
        self._fill()
        self.sync()

    def _fill(self, select: str | None = None) -> None:
        """The steps and the grid: rebuilt when the frames themselves changed, else only the
        rows that changed are touched (a hundred tiles redrawn per approval held the window).
        Then the slot `select` is shown (else the one shown, else the next to do) — once."""
        keep = select or self.current_key()
        keys = [f"{s.shot}/{s.which}" for s in self.items]
        same = keys == [self.steps.item(r).data(SlotRole) for r in range(self.steps.count())]
        self.steps.blockSignals(True)
        if not same:
            self.steps.clear()
            self.grid.clear()
            self._tiles_shown = {}
        for row, (s, key) in enumerate(zip(self.items, keys, strict=True)):
            shown = (_mark(s), s.label, s.chosen, s.status, s.approved)
            if same and self._tiles_shown.get(key) == shown:
                continue
            self._tiles_shown[key] = shown
            step = self.steps.item(row) if same else QListWidgetItem()
            tile = self.grid.item(row) if same else QListWidgetItem()
            step.setText(f"{_mark(s)} {frame_title(s)}")
            tile.setText(f"{_mark(s)} {frame_title(s)}")
            step.setData(SlotRole, key)
            tile.setData(SlotRole, key)
            tile.setSizeHint(QSize(TILE.width() + 16, TILE.height() + 40))
            if s.chosen and self.project is not None:
                tile.setIcon(QIcon(thumb(self.project, s.chosen, TILE)))
            tile.setToolTip(
                f"{frame_title(s)}: {s.status.value}{' · approved' if s.approved else ''}"
            )
            if not same:
                self.steps.addItem(step)
                self.grid.addItem(tile)
        self.steps.blockSignals(False)
        self.quick_grid.mark_drift(self.project, self.scene_id, self.items)
        made = sum(1 for s in self.items if s.made)
        approved = sum(1 for s in self.items if s.approved)
        self.progress.setText(
            f"{made} of {len(self.items)} frames made · {approved} approved"
            + (f" · {len(self._pending)} being made" if self._pending else "")
        )
        target = keep
        if target is None and self.items:
            nxt = frames.next_of(self.items)
            target = (
                f"{nxt.shot}/{nxt.which}" if nxt else f"{self.items[0].shot}/{self.items[0].which}"
            )
        self.select_key(target)

    def current_key(self) -> str | None:
        item = self.steps.currentItem()
        return str(item.data(SlotRole)) if item is not None else None

    def current(self) -> Slot | None:
        key = self.current_key()
        return next((s for s in self.items if f"{s.shot}/{s.which}" == key), None)

    def select_key(self, key: str | None) -> None:
        for row in range(self.steps.count()):
            if self.steps.item(row).data(SlotRole) == key:
                self.steps.setCurrentRow(row)
                break
        self.show_slot()

    def show_slot(self) -> None:
        s = self.current()
        # The frame shown already, as it is shown (a refresh selects it again): not again.
        showing = (self.project, self.scene_id, s, self.mode(), self.edit_button.isChecked())
        if (
            s is not None
            and showing == self._showing
            and self._derived_for.get(f"{s.shot}/{s.which}") in (None, self._showing_found)
        ):
            self._sync_buttons()
            return
        self._showing, self._showing_found = showing, None
        if self.project is None or self.scene_id is None or s is None:
            self.rearview.show_pair(None, None, "Rearview: the frame it follows")
            self.frame_state.setText("")
            self.drift.setText("")
            self.history.clear()
            self._sync_buttons()
            return
        key = f"{s.shot}/{s.which}"
        project, scene, mode = self.project, self.scene_id, self.mode()
        found = self._derived_for.get(key)
        if found is None:  # what it chains to is derived on a worker, never here
            self.frame_control.show_neighbours(project, s, None, None, waiting=True)

            def landed(result: tuple[Any, str | None]) -> None:
                if self.project is project and self.current_key() == key:
                    self.frame_control.show_neighbours(project, s, *result)

            run_in_background(lambda: neighbours(project, scene, s, mode), landed, parent=self)
        else:
            self.frame_control.show_neighbours(project, s, *found)
            self._showing_found = found
        if self.edit_button.isChecked():
            self.canvas.set_frame(project.media.read(s.chosen) if s.chosen else None)
        self.drift.hide()

        def shown(report: dict[str, Any] | None) -> None:  # scored off the UI thread
            if self.project is not project or self.current_key() != key:
                return
            flags = (report or {}).get("flags") or []
            self.drift.setText("".join(f"⚠ {html.escape(f)}<br>" for f in flags))
            self.drift.setVisible(bool(flags))

        run_in_background(lambda: frames.drift_of(project, scene, s), shown, parent=self)
        self.history.clear()
        for c in s.candidates:
            item = QListWidgetItem()
            item.setIcon(QIcon(thumb(self.project, str(c.get("media")), CANDIDATE)))
            item.setData(MediaRole, c.get("media"))
            item.setToolTip(c.get("guidance") or c.get("source", ""))
            self.history.addItem(item)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        chosen = self.mode()
        s = self.current()
        running = bool(self._pending)
        self.cancel_button.setVisible(running)
        self.generate_button.setEnabled(chosen is not None and not running and not self.deriving)
        quick_mode = bool(chosen and chosen.get("mode") == frames.QUICK)
        self.back_to_grid.setVisible(quick_mode and self.pages.currentIndex() == 1)
        picked = self._acting_on()
        self.approve_button.setEnabled(
            chosen is not None and any(x.made and not x.approved for x in picked)
        )
        self.approve_button.setToolTip(
            "Approve the frame shown (Ctrl+Enter)"
            if not self._grid_shown()
            else "Approve the selected frames (Ctrl+Enter)"
            if picked
            else "Select the frames to approve in the grid"
        )
        made = s is not None and s.made
        self.regenerate_button.setEnabled(chosen is not None and made and not running)
        self.edit_button.setEnabled(chosen is not None and made and not running)
        self.mode_switch.setVisible(chosen is not None)
        self.bulk_regenerate.setEnabled(not running and any(x.made for x in self._grid_slots()))

    def sync(self) -> None:
        self._sync_buttons()

    def _grid_shown(self) -> bool:
        return self.pages.currentIndex() == 2

    def _acting_on(self) -> list[Slot]:
        """What Approve and Regenerate act on: the grid's selection where the grid is shown,
        else the frame shown (Control, or Quick's single-frame view)."""
        if self._grid_shown():
            return self._grid_slots()
        s = self.current()
        return [s] if s is not None else []

    def show_grid(self) -> None:
        """Back from the single-frame view, with the frame that was shown selected."""
        if (self.mode() or {}).get("mode") != frames.QUICK:
            return
        key = self.current_key()
        self.pages.setCurrentIndex(2)
        for i in range(self.grid.count()):
            tile = self.grid.item(i)
            tile.setSelected(tile.data(SlotRole) == key)
            if tile.data(SlotRole) == key:
                self.grid.setCurrentItem(tile)
                self.grid.scrollToItem(tile)
        self.grid.setFocus()

    def _escape(self) -> None:
        if self.edit_button.isChecked():
            self.edit_button.setChecked(False)
        elif self.back_to_grid.isVisible():
            self.show_grid()

    def _grid_slots(self) -> list[Slot]:
        keys = {str(i.data(SlotRole)) for i in self.grid.selectedItems()}
        return [s for s in self.items if f"{s.shot}/{s.which}" in keys]

    def _open_in_control(self, item: QListWidgetItem) -> None:
        self.select_key(str(item.data(SlotRole)))
        self.pages.setCurrentIndex(1)

    # -------------------------------------------------------------- actions
    def choose_mode(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        mode = frames.QUICK if self.quick.isChecked() else frames.CONTROL
        try:
            frames.set_mode(
                self.project, self.scene_id, mode, start_only=self.start_only.isChecked()
            )
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.load()
        self.changed.emit()

    def generate(self) -> None:
        """Control: the frame shown (or the next to make). Quick: every frame not made yet
        (or outdated). The price first."""
        if self.project is None or self.scene_id is None or self.mode() is None or self.deriving:
            return
        quick = (self.mode() or {}).get("mode") == frames.QUICK
        if quick:
            todo = [
                s for s in self.items
                if not s.made or s.status not in (Status.UP_TO_DATE, Status.MISSING)
            ]  # fmt: skip
        else:
            s = self.current()
            todo = [s] if s is not None else []
        if not todo:
            self.message.emit("Every frame is made and up to date.")
            return
        project, scene = self.project, self.scene_id

        def check() -> str | None:  # on a worker: a feature's scene has a hundred frames
            for s in todo:
                reason = frames.blocked(project, scene, s.shot, s.which)
                if reason is not None:
                    return reason
            return None

        def checked(reason: str | None) -> None:
            if self.project is not project or self.scene_id != scene:
                return  # the page moved on meanwhile
            if reason is not None:
                self.fail(reason)
            else:
                self._price_then(todo, "")

        # On the writer thread: after the approvals just asked for are stored (1A's end is
        # made from 1A's start once its approval has landed, not refused before it).
        write_in_background(check, checked, self.fail_with, parent=self)

    def _price_then(self, todo: list[Slot], guidance: str) -> None:
        priced = self.key_price()
        if priced is None:
            return
        source, model, each = priced
        n = len(todo)
        text = (
            f"Make {n} frame{'s' * (n != 1)} with {source.describe(model)}. "
            f"{self.cost_text(n, each)}"
        )
        self.last_estimate = text

        def go() -> None:
            self._submit_all(todo, guidance, model, source)

        confirm(
            self, "framesEstimate", QMessageBox.Icon.Question, "Make Frames", text, "Make",
            QMessageBox.ButtonRole.AcceptRole, go, harmless=each == 0,
        )  # fmt: skip

    def _submit_all(self, todo: list[Slot], guidance: str, model: str, source: Any) -> None:
        project, scene = self.project, self.scene_id

        def one(s: Slot) -> Callable[[], FrameImage]:
            return lambda: FrameImage.prepare(
                project, scene, s.shot, s.which, model=model, source=source, guidance=guidance
            )

        self.submit_all([(f"{s.shot}/{s.which}", one(s)) for s in todo])

    def regenerate(self) -> None:
        """Make the frame again (Quick: every selected tile), with the Why box first."""
        picked = [x for x in self._acting_on() if x.made]
        if not picked:
            return
        what = (
            f"the {picked[0].which} frame of shot {picked[0].label}"
            if len(picked) == 1
            else f"these {len(picked)} frames"
        )
        ask_guidance(
            self,
            "Regenerate Frames" if len(picked) > 1 else "Regenerate Frame",
            f"What should change in {what}? Every earlier version stays in the strip.",
            "Regenerate",
            lambda g: self._price_then(picked, g),
            placeholder="e.g. “She should be facing the window.”",
        )

    def choose_candidate(self, item: QListWidgetItem) -> None:
        s = self.current()
        if self.project is None or self.scene_id is None or s is None:
            return
        try:
            frames.choose(self.project, self.scene_id, s.shot, s.which, str(item.data(MediaRole)))
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._settled(f"{s.shot}/{s.which}")
        self.changed.emit()

    def toggle_canvas(self, on: bool) -> None:
        s = self.current()
        if on and self.project is not None and s is not None and s.chosen:
            self.canvas.set_frame(self.project.media.read(s.chosen))
            self.frame_stack.setCurrentWidget(self.editor)
            self.canvas.setFocus()
        else:
            self.frame_stack.setCurrentWidget(self.rearview)

    def apply_region(self) -> None:
        s = self.current()
        if self.project is None or self.scene_id is None or s is None:
            return
        priced = self.key_price()
        if priced is None:
            return
        source, model, _each = priced
        try:
            op = FrameEdit.prepare(
                self.project, self.scene_id, s.shot, s.which, self.canvas.mask_png(),
                self.instruction.text(), model=model, source=source,
            )  # fmt: skip
            job_id = self.jobs.runner.run_operation(op)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.clear_error()
        self.keys_started(job_id, f"{s.shot}/{s.which}")
        self._sync_buttons()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_F and not event.isAutoRepeat():
            self.rearview.hold(True)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_F and not event.isAutoRepeat():
            self.rearview.hold(False)
            return
        super().keyReleaseEvent(event)
