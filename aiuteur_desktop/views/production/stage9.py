"""Stage 9 · Prompts: every shot's Prompt Set, assembled by core with no model (PRD §9.4).

A card per shot: the frame prompt(s) — what the image model draws the anchor frames from,
read-only until "Edit manually" — and the video prompt — what the video model is sent,
always editable — with the shot's frames (start only, or start and end), the video models
that can take it and the Prompt Sanity Checker's warnings. The system scaffold is Aiuteur's
and never shown. Hand edits are saved as the user types and kept until Reset."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import prompts, visuals
from aiuteur_desktop.core.production.prompts import FRAMES_LABEL, START_END, START_ONLY, PromptSet
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.throttle import next_turn
from aiuteur_desktop.views.production.scene_before import RearviewMirror
from aiuteur_desktop.views.stage_frame import StageFrame

MUTED = "color:#9aa0a8"


def _box(name: str, read_only: bool) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(read_only)
    box.setMinimumHeight(80)
    box.setMaximumHeight(150)
    box.setTabChangesFocus(True)
    return box


class PromptCard(QFrame):
    """One shot's Prompt Set, collapsed to a header line until opened."""

    frameEdited = Signal(str, str, str)  # shot id, start, end ("" when none)
    videoEdited = Signal(str, str)
    frameReset = Signal(str)
    videoReset = Signal(str)
    framesChosen = Signal(str, str)

    def __init__(self, s: PromptSet, models: dict[str, str]) -> None:
        super().__init__()
        self.setObjectName("promptCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.shot = s.shot
        self._loading = True
        self._dirty: set[str] = set()  # prompts typed and not saved yet
        self.toggle = QToolButton()
        self.toggle.setObjectName("cardToggle")
        self.toggle.setCheckable(True)
        self.toggle.setStyleSheet("QToolButton { border:none; font-weight:600; }")
        self.toggle.toggled.connect(self._opened)
        self.tags = QLabel()
        self.tags.setObjectName("compatTags")
        self.tags.setWordWrap(True)
        self.tags.setStyleSheet(MUTED)
        head = QHBoxLayout()
        head.addWidget(self.toggle)
        head.addWidget(self.tags, 1)

        self.body: QWidget | None = None  # built when first opened: a scene has fifty cards
        self._shown: tuple[PromptSet, dict[str, str]] = (s, models)
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(6, 4, 6, 4)
        self._outer.addLayout(head)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._save)
        self.show_set(s, models)

    def _build_body(self) -> QWidget:
        body = QWidget()
        self.frames = QComboBox()
        self.frames.setObjectName("framesChoice")
        for key, label in FRAMES_LABEL.items():
            self.frames.addItem(label, key)
        self.frames.activated.connect(
            lambda i: self.framesChosen.emit(self.shot, str(self.frames.itemData(i)))
        )
        frame_title = QLabel(
            "<b>Frame prompt</b> — drives the anchor frames (image model, Stage 10)"
        )
        self.manual = QCheckBox("Edit manually")
        self.manual.setObjectName("editFrameManually")
        self.manual.toggled.connect(self._manual_toggled)
        self.frame_reset = QPushButton("Reset")
        self.frame_reset.setObjectName("resetFrame")
        self.frame_reset.setToolTip("Back to the assembled frame prompt")
        self.frame_reset.clicked.connect(lambda: self.frameReset.emit(self.shot))
        frame_row = QHBoxLayout()
        frame_row.addWidget(frame_title, 1)
        frame_row.addWidget(self.manual)
        frame_row.addWidget(self.frame_reset)
        self.start = _box("startFramePrompt", True)
        self.end_label = QLabel("End frame")
        self.end_label.setStyleSheet(MUTED)
        self.end = _box("endFramePrompt", True)
        video_title = QLabel(
            "<b>Video prompt</b> — sent to the video model (Stage 12); always editable"
        )
        self.video_reset = QPushButton("Reset")
        self.video_reset.setObjectName("resetVideo")
        self.video_reset.setToolTip("Back to the assembled video prompt")
        self.video_reset.clicked.connect(lambda: self.videoReset.emit(self.shot))
        video_row = QHBoxLayout()
        video_row.addWidget(video_title, 1)
        video_row.addWidget(self.video_reset)
        self.video = _box("videoPrompt", False)
        self.warnings = QLabel()
        self.warnings.setObjectName("sanityWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color:#e0b050")
        owned = QLabel(
            "Aiuteur adds its own system instructions to both prompts; they are not "
            "editable and not shown."
        )
        owned.setObjectName("scaffoldNote")
        owned.setWordWrap(True)
        owned.setStyleSheet(MUTED)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(8, 0, 8, 8)
        frames_row = QHBoxLayout()
        frames_row.addWidget(QLabel("Anchor frames"))
        frames_row.addWidget(self.frames)
        frames_row.addStretch(1)
        lay.addLayout(frames_row)
        lay.addLayout(frame_row)
        lay.addWidget(self.start)
        lay.addWidget(self.end_label)
        lay.addWidget(self.end)
        lay.addLayout(video_row)
        lay.addWidget(self.video)
        lay.addWidget(self.warnings)
        lay.addWidget(owned)
        self._outer.addWidget(body)
        self.start.textChanged.connect(lambda: self._typed("frame"))
        self.end.textChanged.connect(lambda: self._typed("frame"))
        self.video.textChanged.connect(lambda: self._typed("video"))
        self.body = body
        return body

    def show_set(self, s: PromptSet, models: dict[str, str]) -> None:
        self._loading = True
        try:
            warn = f" · ⚠ {len(s.warnings)}" if s.warnings else ""
            status = "" if s.status is Status.UP_TO_DATE else f" · {s.status.value}"
            edited = " · edited" if s.manual_frame or s.manual_video else ""
            arrow = "▾" if self.toggle.isChecked() else "▸"
            self.toggle.setText(f"{arrow} Shot {s.label}{status}{edited}{warn}")
            takes = ", ".join(models.get(m, m) for m in s.compatible) or "no configured model"
            self.tags.setText(f"{s.frames_label} · takes it: {takes}")
            self.tags.setToolTip(
                "Which configured video models can render this shot as it is (length, end "
                "frame, sound)"
            )
            self._shown = (s, models)
            if self.body is None:
                return  # (the prompts are put in when the card is first opened)
            self.frames.setCurrentIndex(self.frames.findData(s.frames))
            self.manual.setChecked(s.manual_frame)
            self.frame_reset.setVisible(s.manual_frame)
            self.video_reset.setVisible(s.manual_video)
            # Text still being typed (not saved yet) is never replaced under the user's hands.
            shown = [
                (self.start, s.start_frame, "frame"),
                (self.end, s.end_frame or "", "frame"),
                (self.video, s.video, "video"),
            ]
            for box, text, kind in shown:
                if box.toPlainText() != text and kind not in self._dirty:
                    box.setPlainText(text)
            has_end = s.frames == START_END
            self.end_label.setVisible(has_end)
            self.end.setVisible(has_end)
            self.start.setReadOnly(not s.manual_frame)
            self.end.setReadOnly(not s.manual_frame)
            self.warnings.setText("".join(f"⚠ {html.escape(w)}<br>" for w in s.warnings))
            self.warnings.setVisible(bool(s.warnings))
        finally:
            self._loading = False

    def _opened(self, on: bool) -> None:
        if on and self.body is None:
            self._build_body()
            self.show_set(*self._shown)
        if self.body is not None:
            self.body.setVisible(on)
        text = self.toggle.text()
        self.toggle.setText(("▾" if on else "▸") + text[1:])

    def _manual_toggled(self, on: bool) -> None:
        if self._loading:
            return
        self.start.setReadOnly(not on)
        self.end.setReadOnly(not on)
        if on:
            self.start.setFocus()
        else:
            self.frameReset.emit(self.shot)

    def _typed(self, which: str) -> None:
        if self._loading:
            return
        self._dirty.add(which)
        self._timer.start()

    def _save(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if "frame" in dirty:
            end = self.end.toPlainText() if self.end.isVisible() else ""
            self.frameEdited.emit(self.shot, self.start.toPlainText(), end)
        if "video" in dirty:
            self.videoEdited.emit(self.shot, self.video.toPlainText())

    def flush(self) -> None:
        if self._timer.isActive() and self.body is not None:
            self._timer.stop()
            self._save()


#: Prompt cards made per turn of the event loop (about 1 ms each).
CARDS_AT_ONCE = 12


class Stage9Page(StageFrame):
    """Stage 9 · Prompts (per scene)."""

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(9, jobs, parent)
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.cards: dict[str, PromptCard] = {}
        self.sets: list[PromptSet] = []
        self._placing = 0  # the newest showing of the cards
        self._placed = 0  # how many of `sets` have their card placed
        self._reason: str | None = None  # why the prompts cannot be assembled (Stage 8)
        self.assemble_button = self.add_action(
            "Assemble Prompts", "assemblePrompts", self.assemble, primary=True
        )
        self.assemble_button.setToolTip(
            "Save every shot's Prompt Set as assembled from the shot list, the starting looks "
            "and the style now (hand edits are kept)"
        )
        self._flag_action: Any = self.assemble
        self.flag.button.clicked.connect(lambda: self._flag_action())
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.summary = QLabel()
        self.summary.setProperty("muted", True)
        self.mirror = RearviewMirror()
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6)
        self.list_layout.addStretch(1)
        scroll = theme.scroll_area(self.list, "promptCards")
        line = QHBoxLayout()
        line.addWidget(self.scene_line, 1)
        line.addWidget(self.summary)
        self.body.addLayout(line)
        self.body.addWidget(self.mirror)
        self.body.addWidget(scroll, 1)

    # ---------------------------------------------------------------- state
    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.flush()
            self.scene_id = scene_id
            self._clear_cards()
            self.load_when_shown()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        self._clear_cards()
        super().set_project(project, load=load)

    def _clear_cards(self) -> None:
        self._placing += 1  # an older showing still placing its cards stops
        self.sets, self._placed = [], 0
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        self.cards = {}

    def _models(self) -> tuple[list[Any], str]:
        settings = self.jobs.library.load_settings()
        return Registry(settings).video_models(), settings.models.video

    def load(self) -> None:
        self.clear_error()
        if self.project is None or self.scene_id is None:
            self.scene_line.setText("Select a scene in the Script Hub")
            self.mirror.hide()
            self.mark_loaded()
            return
        project, scene = self.project, self.scene_id

        def derive() -> tuple[list[PromptSet], Any, str, str | None, dict[str, str]]:
            models, chosen = self._models()  # (the video models: their modules load once)
            return (
                prompts.prompt_sets(project, scene, models, chosen),
                shot_list.previous_last(project, scene),
                master_script.label_of(project, scene),
                visuals.gate(project, scene),
                {m.id: m.label for m in models},
            )

        self.derive_then(derive, self._show)

    def _show(self, found: tuple[list[PromptSet], Any, str, str | None, dict[str, str]]) -> None:
        self.sets, previous, label, self._reason, labels = found
        self.scene_line.setText(f"Scene {label} · prompt sets")
        self.mirror.show_end(previous, "(its final frame appears here once frames are made)")
        self._summarise()
        self._placing += 1
        self._place(self._placing, 0, labels)

    @property
    def deriving(self) -> bool:
        """Read on a worker, or its cards still being placed (tests wait on it)."""
        return super().deriving or self._placed < len(self.sets)

    def _place(self, generation: int, start: int, labels: dict[str, str]) -> None:
        """The cards from `start`, a few per turn of the event loop (a 50-shot scene's cards
        at once held the window ~50 ms); a newer showing stops an older one's."""
        if generation != self._placing:
            return
        end = min(len(self.sets), start + CARDS_AT_ONCE)
        self._placed = start
        for i, s in enumerate(self.sets[start:end], start):
            card = self.cards.get(s.shot)
            if card is None:
                card = PromptCard(s, labels)
                card.frameEdited.connect(self.edit_frame)
                card.videoEdited.connect(self.edit_video)
                card.frameReset.connect(self.reset_frame)
                card.videoReset.connect(self.reset_video)
                card.framesChosen.connect(self.choose_frames)
                self.cards[s.shot] = card
            else:
                card.show_set(s, labels)
            self.list_layout.insertWidget(i, card)
        if end < len(self.sets):
            self._placed = end
            next_turn(self, lambda: self._place(generation, end, labels))
            return
        shown = {s.shot for s in self.sets}
        for shot in [k for k in self.cards if k not in shown]:
            self.cards.pop(shot).deleteLater()
        self._placed = len(self.sets)
        self.sync()

    def _summarise(self) -> None:
        saved = [s for s in self.sets if s.status is not Status.MISSING]
        stale = [s for s in saved if s.status is not Status.UP_TO_DATE]
        warned = sum(1 for s in self.sets if s.warnings)
        parts = [f"{len(self.sets)} shot{'s' * (len(self.sets) != 1)}"]
        if len(saved) < len(self.sets):
            parts.append(f"{len(self.sets) - len(saved)} not assembled yet")
        if stale:
            parts.append(f"{len(stale)} outdated")
        if warned:
            parts.append(f"⚠ {warned}")
        self.summary.setText(" · ".join(parts))

    def sync(self) -> None:
        ready = self.project is not None and self.scene_id is not None and not self.deriving
        reason = self._reason if ready else None  # (worked out with the prompt sets)
        self.assemble_button.setEnabled(ready and reason is None)
        if reason:
            self._flag_action = lambda: self.goToStage.emit(8)
            self.flag.show_message(reason, "Go to Stage 8 · Visuals")
        elif any(s.status not in (Status.UP_TO_DATE, Status.MISSING) for s in self.sets):
            self.flag.show_message(
                "Outdated: the shot list, a starting look or the style changed since these "
                "prompts were assembled. Assemble them again (hand edits are kept).",
                "Assemble Prompts",
            )
            self._flag_action = self.assemble
        else:
            self.flag.hide()

    def flush(self) -> None:
        for card in self.cards.values():
            card.flush()
        super().flush()

    # -------------------------------------------------------------- actions
    def _after(self, done: str = "") -> None:
        self.load()
        self.changed.emit()
        if done:
            self.message.emit(done)

    def assemble(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        self.flush()
        try:
            n = prompts.assemble(self.project, self.scene_id)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._after(
            f"Assembled {n} prompt set{'s' * (n != 1)}." if n else "Prompts are up to date."
        )

    def _do(self, action: Any, *args: Any) -> None:
        if self.project is None or self.scene_id is None:
            return
        try:
            action(self.project, self.scene_id, *args)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._after()

    def edit_frame(self, shot: str, start: str, end: str) -> None:
        self._do(prompts.edit_frame, shot, start, end or None)

    def edit_video(self, shot: str, text: str) -> None:
        self._do(prompts.edit_video, shot, text)

    def reset_frame(self, shot: str) -> None:
        self._do(prompts.reset_frame, shot)

    def reset_video(self, shot: str) -> None:
        self._do(prompts.reset_video, shot)

    def choose_frames(self, shot: str, frames: str) -> None:
        if frames in (START_ONLY, START_END):
            self._do(prompts.set_frames, shot, frames)
