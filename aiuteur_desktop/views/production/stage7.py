"""Stage 7 · Shot List: the scene's exact mechanical breakdown into timed shots (PRD §9.2).

The Rearview Mirror shows how the scene before ends; the shot table holds one row per
shot (length, dialogue verbatim, action, characters, setting, camera, continuity flags);
the inspector shows the selected shot in full. Every edit — a cell, split, merge, re-time —
is one undoable step and is saved as a draft at once; Lock Shot List commits it.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QKeySequence,
    QResizeEvent,
    QShowEvent,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import cut
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.shots import tools as shot_tools
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.kit.text_table import RowFitter
from aiuteur_desktop.views.production.scene_before import RearviewMirror
from aiuteur_desktop.views.production.shot_table import (
    ACTION,
    CAMERA,
    CHARACTERS,
    DIALOGUE,
    FLAGS,
    ID,
    LENGTH,
    ChoiceDelegate,
    ShotModel,
    _Step,
)
from aiuteur_desktop.views.stage_frame import Banner, StageFrame


class Stage7Page(StageFrame):
    """One scene's shot list."""

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(7, jobs, parent)
        # The scene picked in the Script Hub reaches this page through the session.
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.previous: Shot | None = None  # the scene before's last shot (Rearview Mirror)
        self.beats: list[tuple[int, str]] = []  # the Beat Sheet beats the scene comes from
        self._rows_for: tuple[Any, str | None] | None = None  # (project, scene) the table shows
        self.undo = QUndoStack(self)
        self.tempo_button = self.add_action("Tempo Suggestions", "tempoShots", self.ask_tempo)
        self.tempo_button.setToolTip(
            "Ask the text model which shots cannot play in their length (suggestions only)"
        )
        self.retime_button = self.add_action("Re-time from Script", "retimeShots", self.retime)
        self.lock_button = self.add_action(
            "Lock Shot List", "lockShots", self.toggle_lock, primary=True
        )

        self.flag.button.clicked.connect(self.retime)
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.status_label = QLabel()
        self.status_label.setProperty("muted", True)
        self.mirror = RearviewMirror()

        self.model = ShotModel(self)
        self.table = QTableView()
        self.table.setObjectName("shotTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ChoiceDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        # (fitted to their text once per change of the rows, in `apply`: Qt's ResizeToContents
        # asks the model for every row's cells at each relayout)
        for col in (ID, LENGTH, CAMERA, FLAGS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        for col in (DIALOGUE, ACTION):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CHARACTERS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(CHARACTERS, 120)
        # Wrapped text needs the rows re-measured whenever the columns change width: once
        # per burst of column resizes (a layout pass resizes each column), a few rows a turn.
        self.fitter = RowFitter(self.table)
        header.sectionResized.connect(lambda *_: self._fit_rows())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.inspect())

        self.split_button = QPushButton("Split Shot")
        self.split_button.setObjectName("splitShot")
        self.split_button.setToolTip("Split the selected shot in two (Ctrl+Shift+S)")
        self.split_button.clicked.connect(self.split)
        self.merge_button = QPushButton("Merge with Next")
        self.merge_button.setObjectName("mergeShot")
        self.merge_button.setToolTip("Merge the selected shot with the one after it (Ctrl+Shift+M)")
        self.merge_button.clicked.connect(self.merge)
        self.delete_button = QPushButton("Delete Shot")
        self.delete_button.setObjectName("deleteShot")
        self.delete_button.setToolTip("Remove the selected shot from the list (Delete; undoable)")
        self.delete_button.clicked.connect(self.delete)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.clicked.connect(self.undo.redo)
        self.undo.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.total = QLabel()
        self.total.setProperty("muted", True)
        tools = QHBoxLayout()
        for b in (
            self.split_button,
            self.merge_button,
            self.delete_button,
            self.undo_button,
            self.redo_button,
        ):
            tools.addWidget(b)
        tools.addStretch(1)
        tools.addWidget(self.total)
        local_shortcut(QKeySequence("Ctrl+Shift+S"), self.table, self.split)
        local_shortcut(QKeySequence("Ctrl+Shift+M"), self.table, self.merge)
        local_shortcut(QKeySequence.StandardKey.Delete, self.table, self.delete)
        local_shortcut(QKeySequence.StandardKey.Undo, self, self.undo.undo)
        local_shortcut(QKeySequence.StandardKey.Redo, self, self.undo.redo)

        self.inspector = QTextBrowser()
        self.inspector.setObjectName("shotInspector")
        self.inspector.setOpenLinks(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(tools)
        # The inspector sits under the table so the table keeps the page's full width.
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(self.inspector)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 150])

        head = QFrame()
        head_layout = QVBoxLayout(head)
        head_layout.setContentsMargins(0, 0, 0, 0)
        head_layout.setSpacing(4)
        line = QHBoxLayout()
        line.addWidget(self.scene_line)
        line.addStretch(1)
        line.addWidget(self.status_label)
        head_layout.addLayout(line)
        head_layout.addWidget(self.mirror)
        # On a Story Timeline conform made: what the editor's cut does with this scene.
        self.cut_note = Banner("cutBanner", "film")
        self.body.addWidget(self.cut_note)
        self.body.addWidget(head)
        self.body.addWidget(split, 1)

    # ---------------------------------------------------------------- state
    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.model.tempo = {}
            self.undo.clear()
            self.load_when_shown()

    def locked(self) -> bool:
        return bool(
            self.project and self.scene_id and shot_list.is_locked(self.project, self.scene_id)
        )

    def load(self) -> None:
        self.clear_error()
        if self.project is None or self.scene_id is None:
            self.model.set_rows([], [])
            self.cut_note.hide()
            self.scene_line.setText("Select a scene in the Script Hub")
            self.mirror.hide()
            self.mark_loaded()
            self.sync()
            return
        project, scene = self.project, self.scene_id
        if self._rows_for != (project, scene):  # not another scene's rows meanwhile
            self._rows_for = (project, scene)
            self.model.set_rows([], [])

        def derive() -> tuple[Any, ...]:  # on a worker: a feature's scene has fifty shots
            return (
                shot_list.current(project, scene),
                shot_list.previous_last(project, scene),
                shot_list.scene_beats(project, scene),
                cut.read(project),
            )

        def show(found: tuple[Any, ...]) -> None:
            rows, self.previous, self.beats, edit = found
            self._show_cut(rows, edit)
            if rows:
                r = rows[0]
                self.scene_line.setText(f"Scene {r.scene_label} · {r.heading}")
            self.mirror.show_end(self.previous)
            self.apply(rows, 0, save=False)

        def refused(exc: BaseException) -> None:
            self.model.set_rows([], [])
            self.fail_with(exc)

        self.derive_then(derive, show, refused)

    def _show_cut(self, rows: list[Shot], edit: Any) -> None:
        """The editor's cut of this scene (`edit`), where the Story Timeline has one: its
        order and lengths, and the shots it dropped (kept here, omitted from the film)."""
        if edit is None or self.scene_id is None:
            self.cut_note.hide()
            return
        film = cut.arrange(rows, edit)
        mine = [p for p in film.placed if p.shot.scene_id == self.scene_id]
        order = ", ".join(f"{p.shot.label} ({film.seconds(p):.3g} s)" for p in mine) or "none"
        dropped = [s.label for s in film.omitted if s.scene_id == self.scene_id]
        text = f"This Story Timeline follows the editor's cut from {edit.source}: {order}."
        if dropped:
            text += f" Omitted by the editor: {', '.join(dropped)}."
        self.cut_note.show_message(text + " The table is the script's breakdown.")

    def apply(self, rows: list[Shot], row: int, *, save: bool = True) -> None:
        """Show `rows` (an edit, an undo or a redo) and write them as the scene's draft."""
        # A tempo note stays only on a shot that is as it was when the model looked.
        now = {r.id: r for r in rows}
        seen = getattr(self, "_tempo_seen", {})
        self.model.tempo = {k: v for k, v in self.model.tempo.items() if now.get(k) == seen.get(k)}
        self.model.read_only = self.locked()
        self.model.set_rows(rows, shot_list.flags(rows, self.previous))
        for col in (ID, LENGTH, CAMERA, FLAGS):
            self.table.resizeColumnToContents(col)
        self._fit_rows()
        if rows:
            self.table.selectRow(max(0, min(row, len(rows) - 1)))
        secs = sum(s.duration for s in rows)
        self.total.setText(
            f"{len(rows)} shot{'s' * (len(rows) != 1)} · {secs // 60}:{secs % 60:02d}"
        )
        if save and self.project is not None and self.scene_id is not None:
            try:
                shot_list.save(self.project, self.scene_id, rows)
            except AiuteurError as exc:
                self.fail(exc.user_message)
            self.mark_loaded()
            self.changed.emit()
        self.inspect()
        self.sync()

    def push(self, text: str, rows: list[Shot], row: int) -> None:
        self.undo.push(_Step(self, text, list(self.model.rows), rows, row))

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _sync_row_tools(self) -> bool:
        """The buttons that depend on the picked shot (cheap: no store reads but the lock)."""
        has = self.project is not None and self.scene_id is not None and bool(self.model.rows)
        locked = self.locked()
        row = self.current_row()
        rows = self.model.rows
        self.split_button.setEnabled(
            has and not locked and 0 <= row < len(rows) and shot_list.can_split(rows[row])
        )
        self.merge_button.setEnabled(has and not locked and 0 <= row < len(rows) - 1)
        self.delete_button.setEnabled(has and not locked and 0 <= row < len(rows) and len(rows) > 1)
        self.retime_button.setEnabled(has and not locked)
        self.tempo_button.setEnabled(has)
        self.lock_button.setEnabled(has)
        self.lock_button.setText("Unlock Shot List" if locked else "Lock Shot List")
        return has

    def sync(self) -> None:
        has = self._sync_row_tools()
        # (the route reads settings and the keyring: per scene, not per picked row)
        self.tempo_button.setVisible(self.jobs.route() is not None)
        locked = self.locked()
        if not has or self.project is None or self.scene_id is None:
            self.status_label.setText("")
            self.flag.hide()
            return
        status = shot_list.status(self.project, self.scene_id)
        self.status_label.setText(
            "Locked"
            if locked
            else ("Shot timing (not edited yet)" if status == Status.MISSING else "Draft")
        )
        if status == Status.OUTDATED:
            self.flag.show_message(
                "Outdated: this scene changed in the Master Script since the shot list was made. "
                "Re-time it from the script, or keep your list.",
                "Re-time from Script",
            )
        else:
            self.flag.hide()

    def inspect(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.model.rows):
            self.inspector.setHtml("")
            self._sync_row_tools()
            return
        s = self.model.rows[row]
        need = shot_list.needed(s)
        e = html.escape
        lines = "".join(
            f"<p><b>{e(d.character)}</b> {e(d.parenthetical)}<br>"
            f"{e(d.text).replace(chr(10), '<br>')}</p>"
            for d in s.dialogue
        )
        kind = timing.KIND_NAMES.get(s.kind, "")
        flags = "".join(f"<p style='color:#e0b050'>⚠ {e(f)}</p>" for f in self.model.flags_of[row])
        tempo = self.model.tempo.get(s.id)
        if tempo:
            flags += f"<p style='color:#8fb8e0'>⏱ Tempo: {e(tempo)}</p>"
        beats = "".join(
            f"<p style='color:#9aa0a8'><b>Beat {n}</b> — {e(text)}</p>" for n, text in self.beats
        )
        action = e(s.action) if s.action else "<i>No action</i>"
        self.inspector.setHtml(
            f"<h3>Shot {e(s.label)}</h3>"
            f"<p style='color:#9aa0a8'>{e(s.heading or s.location)}<br>{s.duration} s · its "
            f"action and lines take {need:.1f} s<br>{kind}{s.shot_size} · {s.angle} · {s.move}"
            f"{'<br>Then ' + e(s.transition) if s.transition else ''}</p>"
            f"{flags}<p>{action}</p>{lines}"
            f"<p style='color:#9aa0a8'>{e(', '.join(s.characters)) or 'Nobody in shot'}</p>"
            f"{beats}"
        )
        # A new pick changes only what the buttons can do; the scene's status is synced
        # when the scene or its list changes.
        self._sync_row_tools()

    # -------------------------------------------------------------- actions
    def _given(self) -> int:
        if self.project is None or self.scene_id is None:
            return 0
        return shot_list.issued(self.project, self.scene_id)

    def split(self) -> None:
        """Split the picked shot: the text model chooses where, when one is configured (its
        answer is checked against the shot's own text), else the deterministic split."""
        row = self.current_row()
        if self.locked() or not 0 <= row < len(self.model.rows):
            return
        shot = self.model.rows[row]
        if not shot_list.can_split(shot):
            self.message.emit(
                "This shot holds a single sentence or line: there is nothing to split."
            )
            return
        if self.jobs.route() is not None and self.project and self.scene_id:
            scene = self.scene_id
            ask = shot_tools.split_ask(self.project, scene, shot)

            def done(result: dict[str, Any]) -> None:
                rows = self.model.rows
                at = next((i for i, r in enumerate(rows) if r == shot), -1)
                if self.scene_id != scene or at < 0:
                    self.fail(f"Shot {shot.label} changed while the model split it; try again.")
                    return
                try:
                    new = shot_tools.apply_split(rows, at, result["value"], self._given())
                except AiuteurError as exc:
                    self.fail(exc.user_message)
                    return
                self.clear_error()
                self.push(f"Split shot {shot.label} (with the model)", new, at)

            self.run(ask, done, f"Splitting shot {shot.label}…")
            return
        try:
            rows = shot_list.split(self.model.rows, row, self._given())
        except AiuteurError as exc:
            self.message.emit(exc.user_message)
            return
        self.push(f"Split shot {shot.label}", rows, row)

    def camera_changed(self, before: Shot, after: Shot) -> None:
        """Field coherence: with a text model, the shot's action is reworded for its new
        camera — one more undoable step, applied only if the shot is as it was asked."""
        if self.jobs.route() is None or not self.project or not self.scene_id:
            return
        if not after.action.strip() or self.locked():
            return
        scene = self.scene_id
        ask = shot_tools.reword_ask(self.project, scene, before, after)
        cast = [
            n
            for a in masters.all_assets(self.project)
            if a["kind"] == "character"
            for n in [a["name"], *(a.get("aliases") or [])]
        ]

        def done(result: dict[str, Any]) -> None:
            rows = self.model.rows
            at = next((i for i, r in enumerate(rows) if r == after), -1)
            if self.scene_id != scene or at < 0:
                return  # edited again meanwhile: the newer edit wins
            try:
                new = shot_tools.apply_reword(after, result["value"], cast)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                return
            if new == after:
                return
            rows = list(rows)
            rows[at] = new
            self.push(f"Reword shot {after.label} for {after.shot_size}", rows, at)
            self.message.emit(
                f"Shot {after.label} reworded for the {after.shot_size} (Undo restores it)."
            )

        self.run(ask, done, f"Rewording shot {after.label} for the {after.shot_size}…")

    def ask_tempo(self) -> None:
        if self.project is None or self.scene_id is None or not self.model.rows:
            return
        scene, rows = self.scene_id, list(self.model.rows)
        ask = shot_tools.tempo_ask(self.project, scene, rows)

        def done(result: dict[str, Any]) -> None:
            if self.scene_id != scene:
                return
            notes = shot_tools.tempo_notes(self.model.rows, result["value"])
            self.model.tempo = notes
            self._tempo_seen = {r.id: r for r in self.model.rows}
            self.model.layoutChanged.emit()
            self.inspect()
            n = len(notes)
            self.message.emit(
                f"Tempo: {n} suggestion{'s' * (n != 1)} (⏱ in the table)."
                if n
                else "Tempo: every shot's pace looks right."
            )

        self.run(ask, done, "Checking the scene's pace…")

    def merge(self) -> None:
        row = self.current_row()
        if self.locked() or not 0 <= row < len(self.model.rows) - 1:
            return
        try:
            rows = shot_list.merge(self.model.rows, row)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.clear_error()
        a, b = self.model.rows[row].label, self.model.rows[row + 1].label
        self.push(f"Merge shots {a} and {b}", rows, row)

    def delete(self) -> None:
        """Take a shot out (what it held leaves the list; Undo brings it back)."""
        row = self.current_row()
        if self.locked() or not 0 <= row < len(self.model.rows) or len(self.model.rows) < 2:
            return
        gone = self.model.rows[row].label
        rows = [s for i, s in enumerate(self.model.rows) if i != row]
        self.push(f"Delete shot {gone}", rows, min(row, len(rows) - 1))

    def retime(self) -> None:
        """Back to the shot timing of the script as it is now (undoable). From the Outdated
        banner this also unlocks a locked list: the user asked to follow the new script."""
        if self.project is None or self.scene_id is None:
            return
        if self.locked():
            shot_list.unlock(self.project, self.scene_id)
            self.undo.clear()
            self.load()
        rows = shot_list.retimed(self.project, self.scene_id, self.model.rows)
        self.push("Re-time from script", rows, 0)

    def toggle_lock(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        try:
            if self.locked():
                shot_list.unlock(self.project, self.scene_id)
                self.message.emit("Shot list unlocked.")
            else:
                shot_list.lock(self.project, self.scene_id, self.model.rows)
                self.message.emit("Shot list locked.")
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.undo.clear()
        self.load()  # (the rows again, on a worker; locked or not shows at once)
        self.model.read_only = self.locked()
        self.sync()
        self.changed.emit()

    def _fit_rows(self) -> None:
        self.fitter.request()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_rows()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        self.undo.clear()
        super().set_project(project, load=load)
