"""Stage 1 (PRD §8.1): global parameters, optional written style, input mode and the file
staging area (one Primary Input, tagged context files)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.operations.story_answer import StoryAnswer
from aiuteur_desktop.core.production.shots import timing
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.story import Setup, master_script, mode_d
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.stage_frame import StageFrame
from aiuteur_desktop.views.story.staging import StagingArea


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
        self._title, self._help = title, help_label

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A button does not measure the wrapped text laid inside it: grow to hold it.
        super().resizeEvent(event)
        margins = self.layout().contentsMargins()
        inner = self.width() - margins.left() - margins.right()
        need = (
            margins.top()
            + margins.bottom()
            + self.layout().spacing()
            + self._title.sizeHint().height()
            + self._help.heightForWidth(inner)
        )
        if need > self.minimumHeight():
            self.setMinimumHeight(need)
        self.layout().setGeometry(self.rect())  # lay the text out for the size it has now


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
            genres.addWidget(b, i // 4, i % 4)  # four a row: fits the narrowest window
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
        self._form, self._genres = form, genres
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
        self.problem.setStyleSheet("color: #e3b341;")

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
        col.addStretch(1)
        # What stops the lock, right under the button it disables.
        self.body.addWidget(self.problem)
        self.body.addWidget(theme.scroll_area(content))
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
        self.staging.auto_primary = s.mode != "A"
        self.twist.setVisible(s.mode == "C")
        # A finished screenplay has its tone, genre and rating: those steer the AI modes only.
        for row in (self.rating, self._genres, self.tone):
            self._form.setRowVisible(row, s.mode != "D")
        problems = s.problems()
        running = bool(self.jobs.running(self.tag()))
        if locked:
            self.problem.setText("Locked for this Story Timeline. “Edit Setup” unlocks it.")
        else:
            self.problem.setText(problems[0] if problems else "")
        self.problem.setVisible(bool(self.problem.text()))
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
                count, matching = mode_d.import_script(self.project, s, play, primary.name)
                replaced = matching.matched or matching.gone
                self.message.emit(
                    f"Imported {primary.name}: {len(play.scenes())} scenes"
                    + (f", {count} master assets from the definition sheet" if count else "")
                    + ". "
                    + (master_script.matching_summary(matching) + " " if replaced else "")
                    + mode_d.runtime_note(s, sum(x.duration for x in timing.breakdown(play)))
                    + "Next: File → Render Animatic & Timeline (Ctrl+Shift+E) for a first cut,"
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
            # The operation saved the setup with the condensed text and locked it.
            if self.project is not project:
                return
            self.message.emit(f"Condensed {primary.name} from {result.get('parts', 0)} parts.")
            self.changed.emit()
            self.goToStage.emit(2)

        self.jobs.operate(
            lambda p, route, provider: StoryAnswer.prepare_condense(
                p, s, route=route, provider=provider
            ),
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
