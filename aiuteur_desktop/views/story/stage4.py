"""Stage 4 (PRD §8.4): generate the descriptive Master Script, edit it in the screenplay
editor, the read-only beat alignment panel, targeted rewrite, regeneration behind the Why box
with the mandatory branching rule, the soft branch advice, export, and Approve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import AiuteurError, BranchRequired
from aiuteur_desktop.core.screenplay import fdx, fountain, pdf
from aiuteur_desktop.core.screenplay.elements import ELEMENT_NAMES, WRITING_ELEMENTS
from aiuteur_desktop.core.store import artifacts, timelines
from aiuteur_desktop.core.store.names import validate_name
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE, Banner, StageFrame, ask_guidance
from aiuteur_desktop.views.story.rewrite import start_rewrite, undo_buttons
from aiuteur_desktop.views.story.screenplay_editor import ScreenplayEditor


class BranchRequiredDialog(QDialog):
    """The mandatory fork (PRD §7.2): the script is regenerated on a new Story Timeline; there
    is no way to regenerate in place."""

    def __init__(self, message: str, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchRequiredDialog")
        self.setWindowTitle("A New Story Timeline Is Required")
        self.setModal(True)
        self.resize(520, 220)
        lay = QVBoxLayout(self)
        text = QLabel(message)
        text.setWordWrap(True)
        lay.addWidget(text)
        lay.addWidget(QLabel("Name of the new Story Timeline"))
        self.name = QLineEdit(suggested)
        self.name.setObjectName("branchName")
        lay.addWidget(self.name)
        self.error = QLabel()
        self.error.setObjectName("statusError")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(
            "Create Branch && Regenerate", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok.setObjectName("createAndRegenerate")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        try:
            validate_name(self.name.text())
            self.error.setText("")
            self.ok.setEnabled(True)
        except AiuteurError as exc:
            self.error.setText(exc.user_message)
            self.ok.setEnabled(False)


class Stage4Page(StageFrame):
    branched = Signal(str)
    animaticRequested = Signal()

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(4, jobs, parent)
        self.regen_button = self.add_action("Regenerate…", "regenerateScript", self.regenerate)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setObjectName("exportScript")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, fmt in (
            ("Fountain (.fountain)…", "fountain"),
            ("Final Draft (.fdx)…", "fdx"),
            ("PDF…", "pdf"),
        ):
            menu.addAction(label, lambda f=fmt: self.export(f))
        menu.addSeparator()
        menu.addAction("Animatic and Editor's Timeline…", self.animaticRequested.emit)
        self.export_button.setMenu(menu)
        self.actions.addWidget(self.export_button)
        self.approve_button = self.add_action(
            "Approve Script && Proceed",
            "approveScript",
            self.approve,
            primary=True,
        )

        self.approve_button.setToolTip(
            "Approve Master Script & Proceed to Asset Definition (Stage 5): the approved script "
            "is the single source of truth for Phase B."
        )
        self.editor = ScreenplayEditor()
        self.editor.textChanged.connect(self._edited)
        self.editor.rewriteRequested.connect(
            lambda: start_rewrite(self, self.editor, "screenplay", self.schedule_save)
        )
        self.element_combo = QComboBox()
        self.element_combo.setObjectName("elementCombo")
        for i, kind in enumerate(WRITING_ELEMENTS, 1):
            self.element_combo.addItem(f"{ELEMENT_NAMES[kind]}   Ctrl+Alt+{i}", kind)
            local_shortcut(
                QKeySequence(f"Ctrl+Alt+{i}"),
                self.editor,
                lambda k=kind: self.editor.set_element(k),
            )
        self.element_combo.activated.connect(
            lambda i: (
                self.editor.set_element(self.element_combo.itemData(i)),
                self.editor.setFocus(),
            )
        )
        self.editor.elementChanged.connect(self._element_shown)
        undo_buttons(self, editor=self.editor)
        self.generate_button = QPushButton("Generate Descriptive Master Script")
        self.generate_button.setObjectName("generateScript")
        self.generate_button.setStyleSheet(PRIMARY_STYLE)
        self.generate_button.clicked.connect(lambda: self.generate(""))
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Element"))
        tools.addWidget(self.element_combo)
        tools.addWidget(QLabel("Tab / Enter switch elements"), 1)
        tools.itemAt(tools.count() - 1).widget().setProperty("muted", True)
        tools.addWidget(self.generate_button)
        tools.addWidget(self.regen_button)  # in the editor's row: the header keeps Approve
        tools.addWidget(self.export_button)

        self.beat_panel = QListWidget()
        self.beat_panel.setObjectName("beatAlignment")
        self.beat_panel.setWordWrap(True)
        self.beat_panel.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.beat_panel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_title = QLabel("Beat alignment")
        side_title.setObjectName("sectionTitle")
        self.side_note = QLabel("Read-only. The beats of the scene in view are highlighted.")
        self.side_note.setProperty("muted", True)
        self.side_note.setWordWrap(True)
        side_lay.addWidget(side_title)
        side_lay.addWidget(self.side_note)
        side_lay.addWidget(self.beat_panel, 1)
        split = QSplitter()
        split.addWidget(self.editor)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 300])
        self.advice = Banner("branchAdvice", "branch")
        self.advice.button.clicked.connect(self.branch_for_edits)
        self.body.addLayout(tools)
        self.body.addWidget(self.advice)
        self.body.addWidget(split, 1)
        self.flag.button.clicked.connect(self.regenerate)
        self.busy.cancelled.connect(lambda: self.jobs.cancel(self.tag()))
        self.editor.verticalScrollBar().valueChanged.connect(lambda _v: self._align_later())
        self.editor.cursorPositionChanged.connect(self._align_later)
        self._align_timer = QTimer(self)
        self._align_timer.setSingleShot(True)
        self._align_timer.setInterval(80)
        self._align_timer.timeout.connect(self.align_beats)
        self._loading = False
        self._advice_dismissed = False
        self.scene_beats: list[list[int]] = []

    # ------------------------------------------------------------------ state
    def load(self) -> None:
        self._loading = True
        play = master_script.current(self.project) if self.project else None
        if play is not None:
            self.editor.set_screenplay(play)
        else:
            self.editor.clear()
        self._loading = False
        self.beat_panel.clear()
        if self.project is not None:
            for i, beat in enumerate(story.beats_of(self.project), 1):
                item = QListWidgetItem(f"{i}. {beat['text']}")
                item.setData(Qt.ItemDataRole.UserRole, i)
                self.beat_panel.addItem(item)
            self.scene_beats = story.scene_beats(self.project)
        self.advice.hide()
        self.sync()
        self.align_beats()
        self.mark_loaded()

    def _edited(self) -> None:
        if not self._loading:
            self.schedule_save()

    def _element_shown(self, kind: str) -> None:
        i = self.element_combo.findData(kind)
        if i >= 0:
            self.element_combo.setCurrentIndex(i)

    def save_now(self) -> None:
        if self.project is None or self.project.read(story.SCRIPT) is None:
            return
        play = self.editor.screenplay()
        story.edit_script(self.project, play)
        self._advise()
        self.changed.emit()
        self.sync()
        self.mark_loaded()

    def _advise(self) -> None:
        """Soft advice (PRD §7.2): a large hand edit is better made on a new Story Timeline."""
        assert self.project is not None
        if self._advice_dismissed:
            return
        head = self.project.read_tree(
            self.project.tree_of(self.project.branch().head), story.SCRIPT
        )
        now = self.project.read(story.SCRIPT)
        if head is None or now is None:
            return
        share = timelines.changed_share(
            timelines._lines(artifacts.content_of(head)),
            timelines._lines(artifacts.content_of(now)),
        )
        if share > timelines.SIGNIFICANT_CHANGE:
            self.advice.show_message(
                f"You have rewritten about {share:.0%} of the script since it was last saved as a "
                "version. Consider creating a new Story Timeline for these edits, so the current "
                "one keeps its script.",
                "Move Edits to a New Branch…",
            )

    def sync(self) -> None:
        if self.project is None:
            return
        has = self.project.read(story.SCRIPT) is not None
        running = bool(self.jobs.running(self.tag()))
        ready = self.model_ready()
        imported = story.skipped(self.project, 3)
        if imported:
            self.no_model.hide()
        self.generate_button.setVisible(not has and not running and not imported)
        self.generate_button.setEnabled(ready)
        self.regen_button.setVisible(not imported)
        self.regen_button.setEnabled(has and ready and not running)
        self.approve_button.setEnabled(has and not running)
        approved = story.is_locked(self.project, 4) and not self.project.is_dirty()
        self.approve_button.setText(
            "Master Script Approved ✓ — Go to Assets" if approved else "Approve Script && Proceed"
        )
        self.export_button.setEnabled(has)
        self.editor.setReadOnly(running or not has)
        self.editor.can_rewrite = ready and not running
        self.side_note.setText(
            "This script was imported (Mode D): it has no beat sheet."
            if imported
            else "Read-only. The beats of the scene in view are highlighted."
        )
        if has and not imported and not story.script_synced_to_beats(self.project):
            self.flag.show_message(
                "Not up-to-date with current Beat Sheet: the beats were edited after this script "
                "was written. Regenerating it happens on a new Story Timeline, so this one keeps "
                "its script.",
                "Regenerate on a New Branch…",
            )
            self.flag.button.setEnabled(ready and not running)
        else:
            self.flag.hide()

    def _align_later(self) -> None:
        self._align_timer.start()

    def align_beats(self) -> None:
        """Highlight the beats of the scene at the top of the editor."""
        scene = self.editor.scene_in_view()
        numbers = set(self.scene_beats[scene]) if 0 <= scene < len(self.scene_beats) else set()
        first = None
        for row in range(self.beat_panel.count()):
            item = self.beat_panel.item(row)
            on = item.data(Qt.ItemDataRole.UserRole) in numbers
            item.setBackground(Qt.GlobalColor.transparent if not on else _HIGHLIGHT)
            item.setForeground(_ON if on else _OFF)
            if on and first is None:
                first = item
        if first is not None:
            self.beat_panel.scrollToItem(first)

    def highlighted_beats(self) -> list[int]:
        return [
            int(self.beat_panel.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.beat_panel.count())
            if self.beat_panel.item(r).foreground().color() == _ON
        ]

    # ---------------------------------------------------------------- actions
    def generate(self, guidance: str) -> None:
        """First pass, or a full regeneration; the branching rule is checked before any spend."""
        if self.project is None:
            return
        self.flush()
        try:
            timelines.check_script_regeneration(self.project)
        except BranchRequired as exc:
            self._require_branch(exc, guidance)
            return
        self._submit(guidance)

    def _submit(self, guidance: str) -> None:
        assert self.project is not None
        project = self.project
        branch = project.current_branch
        first = project.read(story.SCRIPT) is None
        message = guidance.strip() or (
            "Generated descriptive master script" if first else "Regenerated master script"
        )

        def done(result: dict[str, Any]) -> None:
            # The operation saved the script on the timeline it was asked for.
            if self.project is not project:
                return
            self._advice_dismissed = False
            self.load()
            self.changed.emit()
            self.message.emit(
                "The Master Script is ready."
                if project.current_branch == branch
                else f"The Master Script is ready on “{branch}”."
            )

        self.run_answer(
            story.script_ask(project, guidance),
            "script",
            message,
            done,
            "Writing the descriptive master script…",
        )

    def _require_branch(self, exc: BranchRequired, guidance: str) -> None:
        dialog = BranchRequiredDialog(exc.user_message, exc.suggested_name, self)

        def accepted() -> None:
            assert self.project is not None
            name = dialog.name.text().strip()
            try:
                timelines.branch_for_script_regeneration(self.project, name)
            except AiuteurError as err:
                self.fail(err.user_message)
                return
            self.branched.emit(name)
            self.changed.emit()
            self._submit(guidance)

        dialog.accepted.connect(accepted)
        dialog.open()

    def regenerate(self) -> None:
        ask_guidance(
            self,
            "Regenerate Master Script",
            "Full regeneration rewrites the whole script and outdates everything made from it "
            "in Phase B. What should change?",
            "Regenerate",
            self.generate,
            placeholder="e.g. “Rewrite all dialogue to be more sarcastic.”",
        )

    def branch_for_edits(self) -> None:
        """Move the unsaved script edits to a new Story Timeline; this one keeps its script."""
        if self.project is None:
            return
        self.flush()
        project = self.project
        origin = project.current_branch
        name = timelines.move_edits_to_branch(
            project,
            story.SCRIPT,
            "script edits",
            message="Manual edits to Master Script",
            stage=4,
        )
        self.advice.hide()
        self.branched.emit(name)
        self.changed.emit()
        self.message.emit(
            f"Your edits are on the new Story Timeline “{name}”; “{origin}” keeps its script."
        )

    def approve(self) -> None:
        if self.project is None:
            return
        self.flush()
        try:
            if not (story.is_locked(self.project, 4) and not self.project.is_dirty()):
                story.approve_script(self.project)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.changed.emit()
        self.goToStage.emit(5)

    def export(self, fmt: str) -> None:
        if self.project is None:
            return
        self.flush()
        suffix = {"fountain": ".fountain", "fdx": ".fdx", "pdf": ".pdf"}[fmt]
        default = str(Path.home() / f"{self.project.name}{suffix}")
        name, _ = QFileDialog.getSaveFileName(self, "Export Master Script", default, f"*{suffix}")
        if name:
            self.export_to(Path(name), fmt)

    def export_to(self, path: Path, fmt: str) -> None:
        play = self.editor.screenplay()

        def write() -> Path:
            if fmt == "pdf":
                pdf.write_pdf(play, path)
            elif fmt == "fdx":
                path.write_bytes(fdx.write_string(play).encode("utf-8"))
            else:
                path.write_text(fountain.write_string(play), encoding="utf-8")
            return path

        run_in_background(
            write,
            lambda p: self.message.emit(f"Exported {p.name}"),
            lambda exc: self.fail(f"Could not export {path.name}: {exc}"),
            parent=self,
        )


from PySide6.QtGui import QColor  # noqa: E402

_HIGHLIGHT = QColor("#2c3a5c")
_ON = QColor("#ffffff")
_OFF = QColor("#9aa0a8")
