"""Stage 12 · Review (PRD §4.7, §9.7): the scene cut together from its takes, issues filed
on a shot at a timecode, and the way back upstream the Failure Attribution names.

The player is `player.Player`; the right-hand panel shows the shot under the playhead —
its takes ("Use this take"), an issue form (kind, note, filed at the playhead) — and the
issues with their routes: Complete Scene, Return to Stage 10 (the shot's frames; the
re-render is charged again, shown with its price) and Return to Stage 7 (the shot list;
what it would outdate is shown first)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.media.playback import Cut
from aiuteur_desktop.core.money import spend
from aiuteur_desktop.core.operations import cloud_dialogue
from aiuteur_desktop.core.production import review, takes, voice_tracks
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.spending import confirm_spend
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.production.player import Player, timecode
from aiuteur_desktop.views.production.stage11 import money
from aiuteur_desktop.views.stage_frame import StageFrame


class Stage12Page(StageFrame):
    """Stage 12 · Review (per scene)."""

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(12, jobs, parent)
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.clips: list[review.Clip] = []
        self.shown: list[review.Clip] = []  # the clips in the player, in order
        self.voices_button = self.add_action(
            "Cloud Dialogue…", "cloudDialogue", self.cloud_dialogue
        )
        self.voices_button.setToolTip(
            "Speak the scene's lines in the characters' cloud voices (Stage 5's Voice "
            "Gallery): one paid request a line, priced before anything is sent"
        )
        self._voicing: set[str] = set()  # the Cloud Dialogue jobs on their way
        self._heard: dict[str, list[tuple[Path, float, str]]] = {}  # the shots' voiced lines
        jobs.runner.finished.connect(self._voiced)
        self.complete_button = self.add_action(
            "Complete Scene", "completeScene", self.complete, primary=True
        )
        self.complete_button.setToolTip(
            "The takes are final: on to the next scene in the Script Hub"
        )
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.player = Player()
        self.player.shotChanged.connect(lambda _i: self._shot_panel())

        side = QWidget()
        side.setMinimumWidth(300)
        side.setMaximumWidth(380)
        panel = QVBoxLayout(side)
        panel.setContentsMargins(8, 0, 0, 0)
        self.shot_title = QLabel()
        self.shot_title.setObjectName("sectionTitle")
        self.take = QComboBox()
        self.take.setObjectName("takeChoice")
        self.take.activated.connect(self._preview_take)
        self.use_take = QPushButton("Use this take")
        self.use_take.setObjectName("useTake")
        self.use_take.clicked.connect(self.use_this_take)
        takes_row = QHBoxLayout()
        takes_row.addWidget(self.take, 1)
        takes_row.addWidget(self.use_take)
        self.kind = QComboBox()
        self.kind.setObjectName("issueKind")
        for key, label in review.KINDS.items():
            self.kind.addItem(label, key)
        self.note = QPlainTextEdit()
        self.note.setObjectName("issueNote")
        self.note.setPlaceholderText("What is wrong? e.g. “Her coat turns blue halfway.”")
        self.note.setMaximumHeight(80)
        self.note.setTabChangesFocus(True)
        self.file_button = QPushButton("File Issue")
        self.file_button.setObjectName("fileIssue")
        self.file_button.clicked.connect(self.file_issue)
        form = QFormLayout()
        form.addRow("Issue", self.kind)
        form.addRow("Note", self.note)
        self.issues = QListWidget()
        self.issues.setObjectName("issueList")
        self.issues.setWordWrap(True)
        self.issues.currentRowChanged.connect(lambda _r: self._route_panel())
        self.route = QLabel()
        self.route.setObjectName("routeReason")
        self.route.setWordWrap(True)
        self.to_frames = QPushButton("Return to Stage 10 · Frames")
        self.to_frames.setObjectName("returnToFrames")
        self.to_frames.clicked.connect(self.return_to_frames)
        self.to_shots = QPushButton("Return to Stage 7 · Shot List")
        self.to_shots.setObjectName("returnToShotList")
        self.to_shots.clicked.connect(self.return_to_shot_list)
        self.to_other = QPushButton()
        self.to_other.setObjectName("returnToOther")
        self.to_other.clicked.connect(self._go_other)
        panel.addWidget(self.shot_title)
        panel.addLayout(takes_row)
        panel.addSpacing(8)
        panel.addLayout(form)
        panel.addWidget(self.file_button)
        panel.addSpacing(8)
        issues_title = QLabel("Issues")
        issues_title.setObjectName("sectionTitle")
        panel.addWidget(issues_title)
        panel.addWidget(self.issues, 1)
        panel.addWidget(self.route)
        panel.addWidget(self.to_other)
        panel.addWidget(self.to_frames)
        panel.addWidget(self.to_shots)

        split = QSplitter()
        split.addWidget(self.player)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setChildrenCollapsible(False)
        self.body.addWidget(self.scene_line)
        self.body.addWidget(split, 1)

    # ---------------------------------------------------------------- state
    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.load_when_shown()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        self.player.set_cut(None)
        super().set_project(project, load=load)

    def load(self, at: float | None = None) -> None:
        self.clear_error()
        keep = self.player.position if at is None else at
        if self.project is None or self.scene_id is None:
            self.scene_line.setText("Select a scene in the Script Hub")
            self.player.set_cut(None)
            self.mark_loaded()
            return
        try:
            self.clips = review.cut(self.project, self.scene_id)
            self.shown = [c for c in self.clips if c.take is not None]
            self._heard = voice_tracks.placed_in_scene(self.project, self.scene_id)
            cut = Cut.of(  # in the editor's cut's in-points and lengths where there is one
                [
                    (
                        Path(self.project.media.path(c.take.media)),
                        c.shot,
                        c.label,
                        c.first,
                        c.length,
                        self._voices_of(c.shot),  # its lines in cloud voices, heard over it
                    )
                    for c in self.shown
                    if c.take
                ]
            )
        except (AiuteurError, OSError, ValueError) as exc:
            message = exc.user_message if isinstance(exc, AiuteurError) else str(exc)
            self.fail(f"The scene's takes cannot be read: {message}")
            self.player.set_cut(None)
            self.mark_loaded()
            return
        label = master_script.label_of(self.project, self.scene_id)
        missing = [c.label for c in self.clips if c.take is None]
        dropped = review.omitted(self.project, self.scene_id)
        self.scene_line.setText(
            f"Scene {label} · review"
            + (f" — not rendered yet: {', '.join(missing)}" if missing else "")
            + (f" — omitted in the editor's cut: {', '.join(dropped)}" if dropped else "")
        )
        self.player.screen.empty = "No takes yet: confirm and render the scene in Stage 11."
        self.player.set_cut(cut, at=keep)
        self.player.strip.marks = [i.at for i in review.issues(self.project, self.scene_id)]
        self._issues()
        self._shot_panel()
        self.mark_loaded()
        self.sync()

    def hideEvent(self, e) -> None:  # type: ignore[no-untyped-def]
        self.player.pause()
        super().hideEvent(e)

    def sync(self) -> None:
        ready = self.project is not None and self.scene_id is not None and bool(self.shown)
        self.complete_button.setEnabled(ready)
        self.file_button.setEnabled(ready)

    def current_clip(self) -> review.Clip | None:
        i = self.player.current_piece()
        return self.shown[i] if 0 <= i < len(self.shown) else None

    def _shot_panel(self) -> None:
        clip = self.current_clip()
        self.take.clear()
        if clip is None:
            self.shot_title.setText("No shot")
            self.use_take.setEnabled(False)
            return
        self.shot_title.setText(f"Shot {clip.label}")
        for t in clip.takes:
            tag = " (in use)" if clip.take and t.media == clip.take.media else ""
            self.take.addItem(f"Take {t.number}{tag}", t.media)
            self.take.setItemData(
                self.take.count() - 1,
                f"Rendered from confirmation v{t.version} with {t.model}, {money(t.cost)}",
                Qt.ItemDataRole.ToolTipRole,
            )
        if clip.take is not None:
            self.take.setCurrentIndex(max(0, self.take.findData(clip.take.media)))
        self.use_take.setEnabled(len(clip.takes) > 1)

    def _issues(self) -> None:
        assert self.project is not None and self.scene_id is not None
        self.issues.clear()
        labels = {c.shot: c.label for c in self.clips}
        for i in review.issues(self.project, self.scene_id):
            done = "✓ " if i.resolved else ""
            item = QListWidgetItem(
                f"{done}{labels.get(i.shot, i.shot)} · {timecode(i.at, self.player.fps)} · "
                f"{review.KINDS.get(i.kind, i.kind)}\n{i.note or '—'}\n→ {i.route.label}"
            )
            item.setData(256, i.id)
            self.issues.addItem(item)
        if self.issues.count():
            self.issues.setCurrentRow(self.issues.count() - 1)
        self._route_panel()

    def selected_issue(self) -> review.Issue | None:
        item = self.issues.currentItem()
        if item is None or self.project is None or self.scene_id is None:
            return None
        wanted = item.data(256)
        return next((i for i in review.issues(self.project, self.scene_id) if i.id == wanted), None)

    def _route_panel(self) -> None:
        issue = self.selected_issue()
        price = None
        if issue is not None and self.project is not None and self.scene_id is not None:
            price = review.rerender_price(self.project, self.scene_id, issue.shot)
        self.route.setText(f"<b>{issue.route.label}</b> — {issue.route.reason}" if issue else "")
        self.to_frames.setText(
            "Return to Stage 10 · Frames" + (f" ({money(price)})" if issue else "")
        )
        self.to_frames.setToolTip(
            f"Regenerate the shot's anchor frames; rendering it again costs {money(price)}"
        )
        other = issue is not None and issue.route.stage not in (review.FRAMES, review.SHOT_LIST)
        self.to_other.setVisible(other)
        if other and issue is not None:
            self.to_other.setText(issue.route.label)
        for b in (self.to_frames, self.to_shots):
            b.setEnabled(issue is not None)
            suggested = issue is not None and (
                (b is self.to_frames and issue.route.stage == review.FRAMES)
                or (b is self.to_shots and issue.route.stage == review.SHOT_LIST)
            )
            b.setDefault(suggested)
            b.setStyleSheet("font-weight:600" if suggested else "")

    def _voices_of(self, shot: str) -> tuple[tuple[Path, float], ...]:
        """The shot's lines in cloud voices, as the last load read them."""
        return tuple((path, at) for path, at, _who in self._heard.get(shot, ()))

    # -------------------------------------------------------------- actions
    def cloud_dialogue(self) -> None:
        """Dialogue with cloud voices: the scene's lines priced on a worker, then one
        question with the price and the budget left, then a job per line."""
        if self.project is None or self.scene_id is None:
            return
        project, scene = self.project, self.scene_id
        settings = self.jobs.library.load_settings()
        source = Registry(settings)
        self.voices_button.setEnabled(False)
        self.clear_error()

        def ask(ops: list[cloud_dialogue.DialogueLine]) -> None:
            self.voices_button.setEnabled(True)
            if not ops:
                self.fail(
                    "No line of this scene is waiting for a cloud voice: give its characters "
                    "one in Stage 5's Voice Gallery (a line already spoken is kept)."
                )
                return
            total = sum(op.estimate for op in ops)
            money = spend.Money.of(self.jobs.library.jobs, settings.budget, str(project.path))
            over = money.over(total, f"Speaking {len(ops)} line(s)")
            if over:
                self.fail(over)
                return
            who = sorted({op.character for op in ops})
            confirm_spend(
                self,
                f"Speaking {len(ops)} line(s) of {', '.join(who)} in cloud voices",
                total,
                "pricing.toml, per character of text",
                settings,
                self.jobs.library.jobs,
                lambda: self._voicing.update(self.jobs.runner.run_operation(op) for op in ops),
            ).setObjectName("cloudDialogueEstimate")

        def failed(exc: BaseException) -> None:
            self.voices_button.setEnabled(True)
            self.fail_with(exc)

        run_in_background(
            lambda: cloud_dialogue.plan(project, scene, source), ask, failed, parent=self
        )

    def _voiced(self, job_id: str) -> None:
        """A line spoken (or not): heard in the player once the scene's last one is in."""
        if job_id not in self._voicing:
            return
        self._voicing.discard(job_id)
        job = self.jobs.runner.job(job_id)
        if job is not None and job.error:
            self.fail(f"{job.title}: {job.error}")
        if not self._voicing and self.isVisible():
            self.load()

    def _preview_take(self, index: int) -> None:
        """Choosing a take in the list plays it in the cut's place (not yet kept)."""
        clip = self.current_clip()
        media = self.take.itemData(index)
        if clip is None or self.project is None or not media:
            return
        i = self.shown.index(clip)
        items = [
            (
                Path(self.project.media.path(media if j == i else c.take.media)),  # type: ignore[union-attr]
                c.shot,
                c.label,
                0.0,
                None,
                self._voices_of(c.shot),
            )
            for j, c in enumerate(self.shown)
        ]
        try:
            cut = Cut.of(items)
        except (OSError, ValueError) as exc:
            self.fail(f"That take cannot be read: {exc}")
            return
        self.player.set_cut(cut, at=cut.pieces[i].start)
        self.use_take.setEnabled(clip.take is None or media != clip.take.media)

    def use_this_take(self) -> None:
        clip = self.current_clip()
        media = self.take.currentData()
        if clip is None or self.project is None or self.scene_id is None or not media:
            return
        try:
            t = takes.use(self.project, self.scene_id, clip.shot, str(media))
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        at = self.player.position
        self.changed.emit()
        self.load(at=at)
        self.message.emit(f"Shot {clip.label} uses take {t.number}.")

    def file_issue(self) -> None:
        clip = self.current_clip()
        if clip is None or self.project is None or self.scene_id is None:
            return
        try:
            issue = review.file_issue(
                self.project, self.scene_id, clip.shot, str(self.kind.currentData()),
                self.player.position, self.note.toPlainText(),
            )  # fmt: skip
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.note.clear()
        self.changed.emit()
        self.load(at=self.player.position)
        self.message.emit(f"Issue filed on shot {clip.label}: {issue.route.label}.")

    def complete(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        try:
            review.complete(self.project, self.scene_id)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.changed.emit()
        play = master_script.current(self.project)
        ids = [s.id for s in play.scenes()] if play is not None else []
        here = ids.index(self.scene_id) if self.scene_id in ids else len(ids)
        label = master_script.label_of(self.project, self.scene_id)
        if here + 1 < len(ids):
            following = ids[here + 1]
            nxt = master_script.scene(play, following) if play is not None else None
            what = f"Scene {nxt.label} · {nxt.title}" if nxt is not None else following
            self.message.emit(f"Scene {label} complete. Next: {what}.")
            self.goToScene.emit(following, 6)
        else:
            self.message.emit(f"Scene {label} complete — the film's last scene.")
            self.goToStage.emit(6)

    def return_to_frames(self) -> None:
        issue = self.selected_issue()
        if issue is None or self.project is None or self.scene_id is None:
            return
        price = review.rerender_price(self.project, self.scene_id, issue.shot)
        label = next((c.label for c in self.clips if c.shot == issue.shot), issue.shot)

        def go() -> None:
            assert self.project is not None and self.scene_id is not None
            try:
                review.return_to_frames(self.project, self.scene_id, issue.shot, issue.id)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                return
            self.changed.emit()
            self.goToStage.emit(10)

        confirm(
            self, "returnToFrames", QMessageBox.Icon.Question, "Return to Stage 10",
            f"Regenerate the anchor frames of shot {label}. Its frames are opened for "
            f"regeneration; rendering it again is charged again: {money(price)}.",
            "Return to Stage 10", QMessageBox.ButtonRole.AcceptRole, go,
        )  # fmt: skip

    def return_to_shot_list(self) -> None:
        issue = self.selected_issue()
        if self.project is None or self.scene_id is None:
            return
        dry = review.cascade(self.project, self.scene_id)

        def go() -> None:
            assert self.project is not None and self.scene_id is not None
            try:
                review.return_to_shot_list(self.project, self.scene_id, issue.id if issue else None)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                return
            self.changed.emit()
            self.goToStage.emit(7)

        confirm(
            self, "returnToShotList", QMessageBox.Icon.Warning, "Return to Stage 7",
            f"The shot list is unlocked for editing. {dry.text}",
            "Return to Stage 7", QMessageBox.ButtonRole.AcceptRole, go,
        )  # fmt: skip

    def _go_other(self) -> None:
        issue = self.selected_issue()
        if issue is not None:
            self.goToStage.emit(issue.route.stage)
