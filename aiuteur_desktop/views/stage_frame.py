"""What every stage page shares: the page frame (StageFrame), the Why box, the
targeted-rewrite prompt, the consistency flag bar, the no-model banner and the busy bar.
Running a generation as a job is `views/jobs/stage_jobs.py`'s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project, stages
from aiuteur_desktop.providers.connections import NO_TEXT_MODEL
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.stage_jobs import Done, StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.elided import ElidedLabel

PRIMARY_STYLE = (
    "QPushButton { background:#3f6fd8; border-color:#4f7fe6; color:white; font-weight:600; }"
    "QPushButton:hover { background:#4a7be3; }"
    "QPushButton:disabled { background:#2b3550; color:#8791a8; border-color:#2b3550; }"
)


class GuidanceDialog(QDialog):
    """The Why box (PRD §5.3) and the targeted-rewrite instruction: blocked below `minimum`
    characters; the text becomes the commit message."""

    def __init__(
        self,
        title: str,
        prompt: str,
        action: str,
        parent: QWidget | None = None,
        *,
        minimum: int = story.MIN_GUIDANCE,
        quote: str = "",
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("guidanceDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(520, 300 if quote else 240)
        self.minimum = minimum
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        if quote:
            q = QLabel(quote if len(quote) < 600 else quote[:600] + " […]")
            q.setObjectName("quote")
            q.setWordWrap(True)
            q.setStyleSheet(
                "background:#202226;border-left:3px solid #5b8def;padding:8px;color:#c9ccd1;"
            )
            layout.addWidget(q)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("guidance")
        self.edit.setPlaceholderText(
            placeholder or "Why? For example: “Give the ending more hope.”"
        )
        self.edit.setTabChangesFocus(True)
        layout.addWidget(self.edit, 1)
        self.hint = QLabel()
        self.hint.setProperty("muted", True)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._update)
        self._update()

    @property
    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def _update(self) -> None:
        missing = self.minimum - len(self.text)
        self.ok.setEnabled(missing <= 0)
        if missing > 0:
            self.hint.setText(f"{missing} more character{'s' if missing > 1 else ''} needed.")
        else:
            self.hint.setText("Saved as the message of this version.")

    def accept(self) -> None:
        if len(self.text) >= self.minimum:
            super().accept()


def ask_guidance(
    parent: QWidget,
    title: str,
    prompt: str,
    action: str,
    then: Callable[[str], None],
    **kw: Any,
) -> GuidanceDialog:
    dialog = GuidanceDialog(title, prompt, action, parent, **kw)
    dialog.accepted.connect(lambda: then(dialog.text))
    dialog.open()
    return dialog


class Banner(QFrame):
    """A one-line notice with an optional action: the flag bar, the no-model banner."""

    def __init__(self, name: str, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: #2b2618; border: 1px solid #5c4a1c; border-radius: 6px; }}"
            if icon_name == "flag"
            else f"QFrame#{name} {{ background: #1f2738; border: 1px solid #33476e; "
            "border-radius: 6px; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 8, 6)
        icon = QLabel()
        icon.setPixmap(theme.icon(icon_name).pixmap(QSize(16, 16)))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.label = QLabel()
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.button = QPushButton()
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_message(self, text: str, action: str = "") -> None:
        self.label.setText(text)
        self.button.setText(action)
        self.button.setVisible(bool(action))
        self.show()


class BusyBar(QFrame):
    """Progress of the generation a page waits for, with Cancel."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("busyBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("statusBusy")
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelGeneration")
        self.cancel.clicked.connect(self.cancelled)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setValue(0)
        self.show()

    def set_progress(self, fraction: float) -> None:
        self.bar.setValue(int(fraction * 100))


class StageFrame(QWidget):
    """Title, purpose, the right-hand actions, banners, then the stage's own body."""

    openSettings = Signal()
    #: A stage asks the project page to show another stage (after locking, say).
    goToStage = Signal(int)
    #: A stage asks the project page to open a scene (its id) on a stage.
    goToScene = Signal(str, int)
    #: Something was saved or committed by hand: reported to the session as `changes()`, so
    #: the pages showing it (the timeline, the header, the Script Hub) refresh.
    changed = Signal()
    message = Signal(str)
    #: The scene a per-scene stage (6 onwards) shows; None for the story stages.
    scene_id: str | None = None
    _derive_round = 0
    _deriving = False

    def __init__(self, number: int, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.jobs = jobs
        self.project: Project | None = None
        stage = next(s for s in stages.ALL if s.number == number)
        self.title = ElidedLabel(f"Stage {number} · {stage.name}")
        self.title.setObjectName("pageTitle")
        self.purpose = QLabel(stage.purpose)
        self.purpose.setProperty("muted", True)
        self.purpose.setWordWrap(True)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(8)
        # The title and the actions share a row where both fit whole; where they do not (the
        # window's minimum size), the actions go under the title, on the right.
        head = self._head = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.purpose)
        head.addLayout(titles, 1)
        head.addLayout(self.actions)
        self.no_model = Banner("noModelBanner", "settings")
        self.no_model.button.clicked.connect(self.openSettings)
        self.flag = Banner("flagBar", "flag")
        self.busy = BusyBar()
        self.error = QLabel()
        self.error.setObjectName("statusError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.body = QVBoxLayout()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 16)
        outer.setSpacing(8)
        outer.addLayout(head)
        outer.addWidget(self.no_model)
        outer.addWidget(self.flag)
        outer.addWidget(self.busy)
        outer.addWidget(self.error)
        outer.addLayout(self.body, 1)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(500)
        self._save_timer.timeout.connect(self.flush_timer)
        self._loaded = False
        self._seen: tuple[str, str] | None = None
        jobs.busyChanged.connect(self._busy_changed)
        self.changed.connect(self._report)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_head()
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # an action shown, hidden or renamed
            self._fit_head()
        return super().event(event)

    def _fit_head(self) -> None:
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        title = self.title.fontMetrics().horizontalAdvance(self.title.text()) + 24
        stacked = title + self.actions.sizeHint().width() > room
        wanted = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._head.direction() != wanted:
            self._head.setDirection(wanted)
            self._head.setAlignment(
                self.actions,
                Qt.AlignmentFlag.AlignRight if stacked else Qt.AlignmentFlag.AlignVCenter,
            )

    # ---------------------------------------------------------------- helpers
    def add_action(
        self, text: str, name: str, slot: Callable[[], None], *, primary: bool = False
    ) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        if primary:
            b.setStyleSheet(PRIMARY_STYLE)
        b.clicked.connect(slot)
        # As wide as its text, whatever it says later ("Approved ✓ — Go to …"): the title
        # gives way, never the action.
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.actions.addWidget(b)
        return b

    def model_ready(self) -> bool:
        """Show or hide the no-model banner; True when AI actions can run."""
        ready = self.jobs.route() is not None
        if ready:
            self.no_model.hide()
        else:
            self.no_model.show_message(NO_TEXT_MODEL, "Open Settings")
        return ready

    def fail(self, text: str) -> None:
        self.busy.hide()
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def derive_then(
        self,
        derive: Callable[[], Any],
        show: Callable[[Any], None],
        refused: Callable[[BaseException], None] | None = None,
    ) -> None:
        """What the page shows, worked out on a worker from the project (a feature's scene is
        tens of documents), then shown here and the page marked loaded as of the draft it
        was read from. The newest call wins; a page whose project or scene changed meanwhile
        drops it."""
        self._derive_round += 1
        round_, project, scene, seen = self._derive_round, self.project, self.scene_id, None
        self._deriving = True

        def work() -> Any:
            nonlocal seen
            seen = (project.current_branch, project.branch().draft) if project else None
            return derive()

        def current() -> bool:
            return (
                round_ == self._derive_round and project is self.project and scene == self.scene_id
            )

        def done(value: Any) -> None:
            if current():
                self._deriving = False
                show(value)
                self._loaded, self._seen = True, seen

        def failed(exc: BaseException) -> None:
            if current():
                self._deriving = False
                (refused or self.fail_with)(exc)
                self.mark_loaded()

        run_in_background(work, done, failed, parent=self)

    @property
    def deriving(self) -> bool:
        """A `derive_then` is on its way (tests wait on it)."""
        return self._deriving

    def fail_with(self, exc: BaseException) -> None:
        """Background work that failed: its message in plain words, in the error line."""
        self.fail(getattr(exc, "user_message", None) or str(exc))

    def clear_error(self) -> None:
        self.error.hide()

    def tag(self) -> str:
        return f"stage{self.number}"

    def run_answer(
        self,
        ask: story.Ask,
        apply_as: str,
        message: str,
        on_done: Done,
        busy_text: str,
        **options: Any,
    ) -> str | None:
        """Submit a generation that changes the project (an operation applies it)."""
        self.clear_error()
        if not self.model_ready():
            self.fail(NO_TEXT_MODEL)
            return None
        self.busy.start(busy_text)

        def failed(text: str) -> None:
            self.fail(text)
            self._busy_changed()

        return self.jobs.answer(ask, apply_as, message, on_done, failed, tag=self.tag(), **options)

    def run(self, ask: story.Ask, on_done: Done, busy_text: str, *, tag: str = "") -> str | None:
        """Submit one generation with the busy bar shown; errors land in the error line."""
        self.clear_error()
        if not self.model_ready():
            self.fail(NO_TEXT_MODEL)
            return None
        self.busy.start(busy_text)

        def failed(text: str) -> None:
            self.fail(text)
            self._busy_changed()

        return self.jobs.ask(ask, on_done, failed, tag=tag or self.tag())

    def busy_with_own_work(self) -> bool:
        """The busy bar shows work of the page's own (its image or frame jobs, a batch), not
        a story answer's: another job's progress leaves it alone."""
        return False

    def _busy_changed(self) -> None:
        running = len(self.jobs.running(self.tag()))
        if not running:
            if not self.busy_with_own_work():  # (any job's progress reaches every page)
                self.busy.hide()
        else:
            self.busy.set_progress(self.jobs.progress(self.tag()))
        # Progress ticks many times a second: re-check the page only when a job starts or ends.
        if running != getattr(self, "_running", 0):  # (none at first: no re-check for that)
            self._running = running
            self.sync()

    def schedule_save(self) -> None:
        # An editor that has not read this project yet holds nothing of it to save (its
        # widgets may still show another project, or nothing): it never writes.
        if self._loaded:
            self._save_timer.start()

    def save_now(self) -> None:
        """Write pending hand edits to the draft (subclasses)."""

    def flush_timer(self) -> None:
        if self._loaded:
            self.save_now()

    def flush(self) -> None:
        if self._save_timer.isActive():
            self._save_timer.stop()
            if self._loaded:
                self.save_now()

    # --------------------------------------------------------------- overrides
    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        """Show `project`; with `load=False` it is read when the page is first shown."""
        self.flush()
        self.project = project
        self._loaded = False
        self._seen = None
        if load:
            self.load()

    def load(self) -> None:
        """Read the stage's documents into the editors (then `mark_loaded`)."""

    def load_when_shown(self) -> None:
        """Read now if the page is on screen, else when it is next shown (`stale`): a scene
        chosen in the Script Hub is not read by the six scene pages nobody is looking at."""
        if self.isVisible():
            self.load()
        else:
            self._loaded = False

    def state(self) -> tuple[str, str] | None:
        if self.project is None:
            return None
        return self.project.current_branch, self.project.branch().draft

    def mark_loaded(self) -> None:
        """The editor shows the project as it is now (after loading or saving its own edits)."""
        self._loaded = True
        self._seen = self.state()

    def stale(self) -> bool:
        """Something else changed the project since this editor last read or wrote it."""
        return not self._loaded or self._seen != self.state()

    def sync(self) -> None:
        """Enable and disable actions for the current state."""

    def changes(self) -> Changes:
        """What this page's hand edits change (its stage; Stages 6–7 also name the scene)."""
        scene = self.scene_id
        return Changes(stages=(self.number,), scenes=(scene,) if scene else ())

    def _report(self) -> None:
        if self.project is not None:
            self.jobs.session.changed(self.changes())


def file_of(bundle: str | Path) -> Path:
    return Path(bundle)
