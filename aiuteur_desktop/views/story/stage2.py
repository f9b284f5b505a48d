"""Stage 2 (PRD §8.2): three treatments generated concurrently, the variation gallery, the
prose editor (manual edits win; targeted rewrite), full regeneration behind the Why box,
the "Not up-to-date with current Beat Sheet" flag and "Retroactively Revise Treatment"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.operations.story_answer import StoryAnswer
from aiuteur_desktop.core.store.status import StatusDeriver
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE, StageFrame, ask_guidance
from aiuteur_desktop.views.story.rewrite import add_rewrite_action, start_rewrite, undo_buttons


class ProseEditor(QTextEdit):
    rewriteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.can_rewrite = True
        font = QFont("Georgia")
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSizeF(12.5)
        self.setFont(font)
        self.document().setDocumentMargin(24)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        add_rewrite_action(self, event, self.rewriteRequested.emit, self.can_rewrite)


class VariantCard(QFrame):
    chosen = Signal(int)
    #: Write this one treatment again, alone (it failed while the others were written).
    rewrite = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"variant{index}")
        self.setMinimumHeight(118)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.title.setWordWrap(True)
        self.logline = QLabel()
        self.logline.setWordWrap(True)
        self.logline.setProperty("muted", True)
        self.logline.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.use = QPushButton("Use This Treatment")
        self.use.setObjectName("useVariant")
        self.use.clicked.connect(
            lambda: (self.rewrite if self.failed else self.chosen).emit(self.index)
        )
        self.failed = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.addWidget(self.title)
        lay.addWidget(self.logline, 1)
        lay.addWidget(self.use, 0, Qt.AlignmentFlag.AlignRight)
        self.set_state(None, False)

    def set_state(self, variant: dict[str, Any] | None, active: bool, busy: bool = False) -> None:
        border = "#5b8def" if active else "#2e3035"
        self.setStyleSheet(
            f"QFrame#variant{self.index} {{ background: {'#232838' if active else '#202226'}; "
            f"border: 1px solid {border}; border-radius: 8px; }}"
        )
        self.failed = bool(variant and variant.get("failed"))
        if variant is None or self.failed:
            self.title.setText(f"Treatment {self.index + 1}")
            self.logline.setText(
                "Writing…"
                if busy
                else f"Not written: {variant['failed']}"
                if variant
                else "Not generated yet."
            )
            self.use.setText("Write This One Again")
            self.use.setVisible(self.failed and not busy)
            return
        self.title.setText(f"{self.index + 1}. {variant.get('title', '')}")
        self.logline.setText(str(variant.get("logline", "")))
        self.use.setVisible(not active)
        self.use.setText("Use This Treatment")
        if active:
            self.title.setText(f"{self.index + 1}. {variant.get('title', '')}  ✓ active")


class Stage2Page(StageFrame):
    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(2, jobs, parent)
        self.regen_button = self.add_action("Regenerate…", "regenerate", self.regenerate)
        self.lock_button = self.add_action(
            "Lock Treatment && Proceed", "lockTreatment", self.lock_treatment, primary=True
        )
        self.cards = [VariantCard(i) for i in range(3)]
        gallery = QHBoxLayout()
        for c in self.cards:
            c.chosen.connect(self.choose)
            c.rewrite.connect(self.write_again)
            gallery.addWidget(c, 1)
        self.generate_button = QPushButton("Generate 3 Treatments")
        self.generate_button.setObjectName("generateTreatments")
        self.generate_button.setStyleSheet(PRIMARY_STYLE)
        self.generate_button.clicked.connect(lambda: self.generate(""))
        self.editor = ProseEditor()
        self.editor.setObjectName("treatmentEditor")
        self.editor.setPlaceholderText(
            "The active treatment appears here. Edit it freely: your edits win."
        )
        self.editor.textChanged.connect(self._edited)
        self.editor.rewriteRequested.connect(
            lambda: start_rewrite(self, self.editor, "film treatment", self.schedule_save)
        )
        self.words = QLabel()
        self.words.setProperty("muted", True)
        undo_buttons(self, editor=self.editor)
        self.body.addLayout(gallery)
        self.body.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.editor, 1)
        self.body.addWidget(self.words)
        self.flag.button.clicked.connect(self.revise)
        self.busy.cancelled.connect(lambda: self.jobs.cancel(self.tag()))
        self._loading = False
        self._results: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------------ state
    def load(self) -> None:
        self._loading = True
        doc = story.treatment_doc(self.project) if self.project else {}
        self.editor.setPlainText(str(doc.get("text") or ""))
        self.editor.document().clearUndoRedoStacks()
        self._loading = False
        self.sync()
        self.mark_loaded()

    def _edited(self) -> None:
        if self._loading:
            return
        self.schedule_save()
        self._count()

    def save_now(self) -> None:
        if self.project is None or not story.treatment_doc(self.project):
            return
        story.edit_treatment(self.project, self.editor.toPlainText())
        self.changed.emit()
        self.mark_loaded()

    def _count(self) -> None:
        n = len(self.editor.toPlainText().split())
        self.words.setText(f"{n:,} words" if n else "")

    def flag_text(self) -> str:
        if self.project is None:
            return ""
        for f in StatusDeriver(self.project, self.project.branch().draft).flags():
            if f.path == story.TREATMENT:
                return f.text
        return ""

    def sync(self) -> None:
        if self.project is None:
            return
        doc = story.treatment_doc(self.project)
        variants = doc.get("variants") or []
        running = bool(self.jobs.running(self.tag()))
        for i, card in enumerate(self.cards):
            v = variants[i] if i < len(variants) else None
            card.set_state(v, bool(v) and doc.get("active") == i and not running, busy=running)
            card.use.setEnabled(not running)
        has = bool(doc)
        ready = self.model_ready()
        self.generate_button.setVisible(not has and not running)
        self.generate_button.setEnabled(ready)
        self.regen_button.setEnabled(has and ready and not running)
        self.lock_button.setEnabled(has and not running and bool(self.editor.toPlainText().strip()))
        self.lock_button.setText(
            "Treatment Locked ✓ — Go to Beat Sheet"
            if story.is_locked(self.project, 2)
            else "Lock Treatment && Proceed"
        )
        self.editor.setReadOnly(running)
        self.editor.can_rewrite = ready and not running
        flag = self.flag_text()
        if flag:
            self.flag.show_message(
                f"{flag}. The beat sheet was edited by hand after this treatment was written.",
                "Retroactively Revise Treatment",
            )
            self.flag.button.setEnabled(ready and not running)
        else:
            self.flag.hide()
        self._count()

    # ---------------------------------------------------------------- actions
    def generate(self, guidance: str) -> None:
        """Three treatments at once, each asked to differ (tone / ending / chronology)."""
        if self.project is None:
            return
        self.flush()
        self.clear_error()
        if not self.model_ready():
            return
        asks = story.treatment_asks(self.project, guidance)
        project = self.project
        message = guidance.strip() or "Generated 3 treatments"

        def done(result: dict[str, Any]) -> None:
            # Saved by the operation: every treatment that was written.
            if self.project is project:
                self.load()
                self.changed.emit()
                failed = [i + 1 for i, e in enumerate(result.get("errors") or []) if e]
                if not failed:
                    self.message.emit("Three treatments are ready. Pick the one to develop.")
                    return
                which = " and ".join(str(n) for n in failed)
                self.fail(
                    f"Treatment {which} could not be written; the others are saved. "
                    "Write it again from its card."
                )

        def failed(text: str) -> None:
            self.fail(f"The treatments were not replaced: {text}")
            self._busy_changed()

        self.busy.start("Writing three treatments…")
        self.jobs.operate(
            lambda p, route, provider: StoryAnswer.prepare_many(
                p,
                asks,
                "treatments",
                message,
                title="Three treatments",
                route=route,
                provider=provider,
            ),
            done,
            failed,
            tag=self.tag(),
        )
        self.sync()

    def write_again(self, index: int) -> None:
        """The one treatment that failed, written again alone into its place."""
        if self.project is None or not self.model_ready():
            return
        self.flush()
        self.clear_error()
        project = self.project
        ask = story.treatment_asks(project)[index]

        def done(_result: dict[str, Any]) -> None:
            if self.project is project:
                self.load()
                self.changed.emit()
                self.message.emit(f"Treatment {index + 1} is ready.")

        self.run_answer(
            ask,
            "treatment_slot",
            f"Wrote treatment {index + 1} again",
            done,
            f"Writing treatment {index + 1}…",
            index=index,
        )

    def regenerate(self) -> None:
        ask_guidance(
            self,
            "Regenerate Treatments",
            "Full regeneration replaces the three treatments (the current ones stay in Version "
            "History). What should change?",
            "Regenerate",
            self.generate,
        )

    def choose(self, index: int) -> None:
        if self.project is None:
            return
        self.flush()
        story.choose_treatment(self.project, index)
        self.load()
        self.changed.emit()

    def revise(self) -> None:
        """Retroactive revision from the current beat sheet: same branch, new version."""
        if self.project is None:
            return
        self.flush()
        project = self.project

        def done(_result: dict[str, Any]) -> None:
            if self.project is project:
                self.load()
                self.changed.emit()

        self.run_answer(
            story.treatment_revise_ask(project, ""),
            "treatment",
            "Retroactively revised treatment to the current beat sheet",
            done,
            "Revising the treatment to the beat sheet…",
        )

    def lock_treatment(self) -> None:
        if self.project is None:
            return
        self.flush()
        if not story.is_locked(self.project, 2):
            story.lock(self.project, 2, "Locked treatment")
        self.changed.emit()
        self.goToStage.emit(3)
