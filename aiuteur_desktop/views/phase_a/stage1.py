"""Stage 1 (PRD §8.1): global parameters, optional written style, input mode and the file
staging area (one Primary Input, tagged context files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.formats import fountain
from aiuteur_desktop.core.formats.documents import ACCEPTED, MAX_BYTES, SCREENPLAYS, read_document
from aiuteur_desktop.core.story import CONTEXT, PRIMARY, Setup, StagedFile
from aiuteur_desktop.providers.story_jobs import STORY_CONDENSE
from aiuteur_desktop.views import theme
from aiuteur_desktop.views.jobs import run_in_background
from aiuteur_desktop.views.phase_a.common import StageFrame, StoryJobs

SHEET_TAG = "Definition Sheet"
STAGING_FILTER = (
    "Stories, scripts and definition sheets (*.txt *.md *.fountain *.fdx *.pdf *.docx *.json)"
)


def read_staged(path: Path) -> StagedFile:
    """Extract one dropped file (off the UI thread): text, and whether it is a screenplay or
    a definition sheet."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        if path.stat().st_size > MAX_BYTES:
            raise AiuteurError(f"{path.name} is larger than 50 MB.")
        text = path.read_text(encoding="utf-8-sig")
        story.read_sheet(text, path.name)
        return StagedFile(name=path.name, role=CONTEXT, tag=SHEET_TAG, text=text, kind="sheet")
    if suffix not in ACCEPTED:
        raise AiuteurError(
            f"{path.name}: Aiuteur reads {', '.join(ACCEPTED)} files (and .json definition "
            "sheets). Save it in one of those formats first."
        )
    doc = read_document(path)
    kind = "text"
    if suffix in SCREENPLAYS and fountain.read_string(doc.text).scenes():
        kind = "screenplay"
    return StagedFile(name=path.name, role=CONTEXT, text=doc.text, kind=kind)


class StagingRow(QFrame):
    changed = Signal()
    removed = Signal()
    madePrimary = Signal()

    def __init__(
        self, file: StagedFile, group: QButtonGroup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stagingRow")
        self.file = file
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        words = len(file.text.split())
        kind = {"screenplay": "screenplay", "sheet": "definition sheet"}.get(file.kind, "text")
        name = QLabel(
            f"<b>{file.name}</b><br><span style='color:#9aa0a8'>{kind} · {words:,} words</span>"
        )
        row.addWidget(name, 1)
        self.primary = QRadioButton("Primary Input")
        self.primary.setObjectName("primaryRadio")
        group.addButton(self.primary)
        self.primary.setChecked(file.role == PRIMARY)
        self.primary.toggled.connect(self._primary_toggled)
        row.addWidget(self.primary)
        self.tag = QComboBox()
        self.tag.setObjectName("tagCombo")
        self.tag.setEditable(True)
        self.tag.setToolTip("What this context file is for (type your own tag if none fits)")
        self.tag.addItems([*story.CONTEXT_TAGS, SHEET_TAG])
        self.tag.setCurrentText(file.tag)
        self.tag.setMinimumWidth(170)
        self.tag.currentTextChanged.connect(self._tag_changed)
        row.addWidget(self.tag)
        remove = QToolButton()
        remove.setIcon(theme.icon("trash"))
        remove.setToolTip(f"Remove {file.name} from the staging area")
        remove.setAccessibleName(f"Remove {file.name}")
        remove.clicked.connect(self.removed)
        row.addWidget(remove)
        self._sync()

    def _primary_toggled(self, on: bool) -> None:
        self.file = self.file.model_copy(update={"role": PRIMARY if on else CONTEXT})
        self._sync()
        if on:
            self.madePrimary.emit()
        self.changed.emit()

    def _tag_changed(self, text: str) -> None:
        self.file = self.file.model_copy(update={"tag": text.strip() or story.CONTEXT_TAGS[0]})
        self.changed.emit()

    def _sync(self) -> None:
        self.tag.setEnabled(self.file.role != PRIMARY)


class StagingArea(QFrame):
    """Drop several files; exactly one is the Primary Input, the others tagged context."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stagingArea")
        self.setAcceptDrops(True)
        self.setStyleSheet(
            "QFrame#stagingArea { border: 1px dashed #4a4e57; border-radius: 8px; background: #1f2024; }"
            "QFrame#stagingRow { background: #24262b; border-radius: 6px; }"
        )
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.rows: list[StagingRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        self.hint = QLabel(
            "Drop files here — your story, novel or screenplay, plus any notes. "
            "Accepts .txt .md .fountain .fdx .pdf .docx (and a .json definition sheet in Mode D)."
        )
        self.hint.setWordWrap(True)
        self.hint.setProperty("muted", True)
        self.add_button = QPushButton(theme.icon("plus"), "Add Files…")
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(self.browse)
        self.status = QLabel()
        self.status.setObjectName("statusError")
        self.status.setWordWrap(True)
        self.status.hide()
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(self.rows_box)
        layout.addLayout(foot)
        layout.addWidget(self.status)
        self.pending = 0

    def files(self) -> list[StagedFile]:
        return [r.file for r in self.rows]

    def set_files(self, files: list[StagedFile]) -> None:
        for r in self.rows:
            self.group.removeButton(r.primary)
            r.deleteLater()
        self.rows = []
        for f in files:
            self._add_row(f)

    def _add_row(self, file: StagedFile) -> None:
        row = StagingRow(file, self.group)
        row.changed.connect(self.changed)
        row.removed.connect(lambda r=row: self.remove(r))
        self.rows.append(row)
        self.rows_box.addWidget(row)

    def remove(self, row: StagingRow) -> None:
        self.rows.remove(row)
        self.group.removeButton(row.primary)
        row.deleteLater()
        self.changed.emit()

    def set_enabled(self, on: bool) -> None:
        self.setAcceptDrops(on)
        self.add_button.setEnabled(on)
        for r in self.rows:
            r.setEnabled(on)

    def browse(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add files to the staging area", "", STAGING_FILTER
        )
        self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path]) -> None:
        errors: list[str] = []
        self.status.hide()
        for path in paths:
            if any(r.file.name == path.name for r in self.rows):
                errors.append(f"{path.name} is already in the staging area.")
                continue
            self.pending += 1

            def done(file: StagedFile) -> None:
                self.pending -= 1
                if not any(r.primary.isChecked() for r in self.rows) and file.kind != "sheet":
                    file = file.model_copy(update={"role": PRIMARY})
                self._add_row(file)
                self.changed.emit()

            def failed(exc: BaseException, name: str = path.name) -> None:
                self.pending -= 1
                errors.append(
                    exc.user_message if isinstance(exc, AiuteurError) else f"{name}: {exc}"
                )
                self.status.setText("\n".join(errors))
                self.status.show()
                self.problem.emit(errors[-1])

            run_in_background(lambda p=path: read_staged(p), done, failed, parent=self)
        if errors:
            self.status.setText("\n".join(errors))
            self.status.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self.acceptDrops():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)


class ModeCard(QPushButton):
    """One input mode: a checkable card with its name and what it does."""

    def __init__(self, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.setObjectName(f"mode{mode}")
        self.setCheckable(True)
        self.setMinimumHeight(96)
        self.setAccessibleName(f"Mode {mode}: {story.MODES[mode]}")
        self.setToolTip(story.MODE_HELP[mode])
        self.setStyleSheet(
            "QPushButton { text-align: left; padding: 0; }"
            "QPushButton:checked { background: #2c3a5c; border-color: #5b8def; }"
        )
        title = QLabel(f"{mode} · {story.MODES[mode]}")
        title.setStyleSheet("font-weight: 600; background: transparent;")
        help_label = QLabel(story.MODE_HELP[mode])
        help_label.setWordWrap(True)
        help_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        help_label.setStyleSheet("color: #9aa0a8; background: transparent;")
        for label in (title, help_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 10, 8)
        lay.setSpacing(3)
        lay.addWidget(title)
        lay.addWidget(help_label, 1)


class Stage1Page(StageFrame):
    """The setup form. It autosaves to the draft; locking commits it and starts the story."""

    def __init__(self, jobs: StoryJobs, styles: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(1, jobs, parent)
        self.styles = styles  # WrittenStyles, or None (then only "none" is offered)
        self._loading = False
        self.lock_button = self.add_action(
            "Lock Setup && Generate Treatments", "lockSetup", self.lock_setup, primary=True
        )
        self.edit_button = self.add_action("Edit Setup", "editSetup", self.unlock)

        # ---- parameters
        self.min_len = QDoubleSpinBox()
        self.max_len = QDoubleSpinBox()
        for box, value in ((self.min_len, 3.0), (self.max_len, 5.0)):
            box.setRange(0.25, 180.0)
            box.setSingleStep(0.5)
            box.setDecimals(2)
            box.setSuffix(" min")
            box.setValue(value)
            box.valueChanged.connect(self._changed)
        self.min_len.setObjectName("minLength")
        self.max_len.setObjectName("maxLength")
        length = QHBoxLayout()
        length.addWidget(self.min_len)
        length.addWidget(QLabel("to"))
        length.addWidget(self.max_len)
        length.addStretch(1)
        self.type_group = QButtonGroup(self)
        types = QHBoxLayout()
        for i, name in enumerate(story.PROJECT_TYPES):
            b = QRadioButton(name)
            b.setObjectName(f"type{i}")
            self.type_group.addButton(b, i)
            types.addWidget(b)
        types.addStretch(1)
        self.type_group.button(0).setChecked(True)
        self.type_group.idToggled.connect(lambda _i, on: self._changed() if on else None)
        self.audio_note = QLabel(story.AUDIO_ADVICE)
        self.audio_note.setWordWrap(True)
        self.audio_note.setStyleSheet("color: #e3b341;")
        self.audio_note.hide()
        self.rating = QComboBox()
        self.rating.setObjectName("rating")
        self.rating.addItems(list(story.RATINGS))
        self.rating.setCurrentText("PG-13")
        self.rating.currentTextChanged.connect(self._changed)
        self.genre_buttons: dict[str, QPushButton] = {}
        genres = QGridLayout()
        genres.setSpacing(4)
        for i, g in enumerate(story.GENRES):
            b = QPushButton(g)
            b.setCheckable(True)
            b.setStyleSheet(
                "QPushButton { padding: 3px 10px; border-radius: 11px; }"
                "QPushButton:checked { background: #2c3a5c; border-color: #5b8def; }"
            )
            b.toggled.connect(self._changed)
            self.genre_buttons[g] = b
            genres.addWidget(b, i // 6, i % 6)
        self.tone = QLineEdit()
        self.tone.setObjectName("tonalPrecision")
        self.tone.setPlaceholderText(
            "Required — e.g. “Wry and melancholy, with a warm, hopeful last image.”"
        )
        self.tone.textChanged.connect(self._changed)
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("writtenStyle")
        self.style_combo.currentIndexChanged.connect(self._changed)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.addRow("Target length", length)
        form.addRow("Project type", types)
        form.addRow("", self.audio_note)
        form.addRow("Content rating", self.rating)
        form.addRow("Genre", genres)
        form.addRow("Tonal precision", self.tone)
        form.addRow("Written style (optional)", self.style_combo)

        # ---- input mode and staging
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        modes = QHBoxLayout()
        self.mode_cards: dict[str, ModeCard] = {}
        for m in story.MODES:
            card = ModeCard(m)
            self.mode_group.addButton(card)
            self.mode_cards[m] = card
            modes.addWidget(card)
            card.toggled.connect(lambda on, _m=m: self._changed() if on else None)
        self.mode_cards["A"].setChecked(True)
        self.idea = QPlainTextEdit()
        self.idea.setObjectName("idea")
        self.idea.setPlaceholderText(
            "Your idea in one to three paragraphs — or drop a file below and make it the Primary Input."
        )
        self.idea.setFixedHeight(110)
        self.idea.textChanged.connect(self._changed)
        self.twist = QLineEdit()
        self.twist.setObjectName("twist")
        self.twist.setPlaceholderText("The twist, e.g. “Hamlet in space, told by the ship’s AI”")
        self.twist.textChanged.connect(self._changed)
        self.staging = StagingArea()
        self.staging.changed.connect(self._changed)
        self.problem = QLabel()
        self.problem.setObjectName("setupProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #9aa0a8;")

        content = QWidget()
        col = QVBoxLayout(content)
        col.setContentsMargins(0, 0, 12, 0)
        col.addWidget(
            _section(
                "Project parameters",
                "They shape every stage; they stay as they are for this Story Timeline.",
            )
        )
        col.addLayout(form)
        col.addSpacing(12)
        col.addWidget(_section("Input mode", "How your story comes in."))
        col.addLayout(modes)
        col.addWidget(self.idea)
        col.addWidget(self.twist)
        col.addWidget(
            _section("File staging area", "Designate one Primary Input; tag the others as context.")
        )
        col.addWidget(self.staging)
        col.addWidget(self.problem)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        scroll.setStyleSheet("QScrollArea { background: transparent; }")
        self.body.addWidget(scroll)
        self.busy.cancelled.connect(lambda: self.jobs.cancel(self.tag()))

    # ------------------------------------------------------------------ state
    def setup(self) -> Setup:
        mode = next((m for m, c in self.mode_cards.items() if c.isChecked()), "A")
        style = self.style_combo.currentData() or ""
        return Setup(
            min_minutes=self.min_len.value(),
            max_minutes=self.max_len.value(),
            project_type=story.PROJECT_TYPES[max(0, self.type_group.checkedId())],
            rating=self.rating.currentText(),
            genres=[g for g, b in self.genre_buttons.items() if b.isChecked()],
            tonal_precision=self.tone.text(),
            written_style=str(style),
            mode=mode,
            idea=self.idea.toPlainText(),
            twist=self.twist.text(),
            files=self.staging.files(),
        )

    def load(self) -> None:
        if self.project is None:
            return
        self._loading = True
        try:
            s = story.read_setup(self.project)
            self.min_len.setValue(s.min_minutes)
            self.max_len.setValue(s.max_minutes)
            self.type_group.button(max(0, _index(story.PROJECT_TYPES, s.project_type))).setChecked(
                True
            )
            self.rating.setCurrentText(s.rating)
            for g, b in self.genre_buttons.items():
                b.setChecked(g in s.genres)
            self.tone.setText(s.tonal_precision)
            self._fill_styles(s.written_style)
            self.mode_cards.get(s.mode, self.mode_cards["A"]).setChecked(True)
            self.idea.setPlainText(s.idea)
            self.twist.setText(s.twist)
            self.staging.set_files(s.files)
        finally:
            self._loading = False
        self.sync()
        self.mark_loaded()

    def _fill_styles(self, current: str) -> None:
        self.style_combo.blockSignals(True)
        self.style_combo.clear()
        self.style_combo.addItem("None — neutral, descriptive prose", "")
        names: list[str] = []
        if self.styles is not None:
            try:
                names = [info.name for info in self.styles.libraries()]
            except Exception:  # an unreadable style store must not block the setup
                names = []
        for n in names:
            self.style_combo.addItem(n, n)
        if current and current not in names:
            self.style_combo.addItem(f"{current} (missing)", current)
        self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(current)))
        self.style_combo.blockSignals(False)

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        self.sync()
        self.schedule_save()

    def save_now(self) -> None:
        if self.project is None or story.is_locked(self.project, 1):
            return
        story.save_setup(self.project, self.setup())
        self.mark_loaded()

    def sync(self) -> None:
        if self.project is None:
            return
        s = self.setup()
        locked = story.is_locked(self.project, 1)
        self.audio_note.setVisible(s.project_type == story.PROJECT_TYPES[2])
        self.idea.setVisible(s.mode == "A")
        self.twist.setVisible(s.mode == "C")
        problems = s.problems()
        running = bool(self.jobs.running(self.tag()))
        if locked:
            self.problem.setText("Locked for this Story Timeline. “Edit Setup” unlocks it.")
        else:
            self.problem.setText(problems[0] if problems else "Ready.")
        needs_model = s.mode != "D"
        ready = self.model_ready() if needs_model else True
        if not needs_model:
            self.no_model.hide()
        self.lock_button.setText(
            "Import Screenplay && Continue"
            if s.mode == "D"
            else "Lock Setup && Generate Treatments"
        )
        self.lock_button.setEnabled(
            not locked and not problems and not running and (ready or not needs_model)
        )
        self.edit_button.setVisible(locked)
        for w in (
            self.min_len,
            self.max_len,
            self.rating,
            self.tone,
            self.style_combo,
            self.idea,
            self.twist,
        ):
            w.setEnabled(not locked and not running)
        for b in [
            *self.genre_buttons.values(),
            *self.mode_cards.values(),
            *self.type_group.buttons(),
        ]:
            b.setEnabled(not locked and not running)
        self.staging.set_enabled(not locked and not running)

    # ---------------------------------------------------------------- actions
    def unlock(self) -> None:
        if self.project is None:
            return
        self.project.delete(story.STAGE[1].lock_path)
        self.message.emit("Setup unlocked. Lock it again to continue; the story so far is kept.")
        self.changed.emit()
        self.sync()

    def lock_setup(self) -> None:
        if self.project is None:
            return
        self.flush()
        s = self.setup()
        try:
            if s.mode == "D":
                primary = s.primary()
                assert primary is not None
                play = fountain.read_string(primary.text)
                count = story.import_script(self.project, s, play, primary.name)
                self.message.emit(
                    f"Imported {primary.name}: {len(play.scenes())} scenes"
                    + (f", {count} master assets from the definition sheet" if count else "")
                    + ". Next: File → Render Animatic & Timeline (Ctrl+Shift+E) for a first cut,"
                    " or approve the script to break scenes into shots."
                )
                self.changed.emit()
                self.goToStage.emit(4)
                return
            if (
                s.mode == "B"
                and self.jobs.route() is not None
                and story.needs_condensing(s, self.jobs.route().budget)
            ):  # type: ignore[union-attr]
                self._condense(s)
                return
            story.lock_setup(self.project, s)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.changed.emit()
        self.goToStage.emit(2)

    def _condense(self, s: Setup) -> None:
        """Mode B: condense the long source in parts (progress, cancel), then lock."""
        assert self.project is not None
        primary = s.primary()
        assert primary is not None
        self.clear_error()
        self.busy.start(f"Condensing {primary.name} part by part…")
        project = self.project

        def done(result: dict[str, Any]) -> None:
            if self.project is not project:
                return
            story.save_setup(project, s)
            story.set_condensed(project, str(result["summary"]))
            try:
                story.lock_setup(project, s)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                return
            self.message.emit(f"Condensed {primary.name} from {result.get('parts', 0)} parts.")
            self.changed.emit()
            self.goToStage.emit(2)

        self.jobs.submit(
            STORY_CONDENSE,
            f"Condense {primary.name}",
            {"text": primary.text, "title": primary.name, "context": s.constraints(), "stage": 1},
            done,
            self.fail,
            tag=self.tag(),
        )
        self.sync()


def _index(items: tuple[str, ...], value: str) -> int:
    return items.index(value) if value in items else 0


def _section(title: str, note: str) -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 6, 0, 2)
    lay.setSpacing(0)
    t = QLabel(title)
    t.setObjectName("sectionTitle")
    n = QLabel(note)
    n.setProperty("muted", True)
    lay.addWidget(t)
    lay.addWidget(n)
    return w
