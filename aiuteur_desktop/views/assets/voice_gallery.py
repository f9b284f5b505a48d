"""Stage 5's Voice Gallery: a character's voice in the inspector — the description the video
model is given; the offline voice the animatic and the scratch stems speak with (one of the
engine's voices, its pitch and speed), heard at once with Preview; and a cloud voice (a
provider's speech model and voice) for Dialogue with cloud voices, heard with Test (a paid
line, priced and asked first). Changes to the offline and cloud voices undo and redo
(Ctrl+Z / Ctrl+Shift+Z in the box, or its Undo button)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from aiuteur_desktop.core.assets import voices
from aiuteur_desktop.core.assets.voices import CloudVoice, OfflineVoice, Preview
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.jobs.background import run_in_background

#: The pitch box's lowest value stands for "the voice's own".
OWN_PITCH = -1
#: How often the preview's sound is fed to the output (its buffer holds 200 ms).
FEED_MS = 40


Chosen = tuple[OfflineVoice, CloudVoice]


class _Change(QUndoCommand):
    def __init__(self, box: VoiceBox, before: Chosen, after: Chosen) -> None:
        super().__init__("Change the voice")
        self.box, self.before, self.after = box, before, after

    def redo(self) -> None:
        self.box._apply(self.after)

    def undo(self) -> None:
        self.box._apply(self.before)


class VoiceBox(QWidget):
    """The widgets and their undo; the page reads `profile()` when it saves, and is told by
    `edited` (the description's typing, an offline voice chosen, undone or redone)."""

    edited = Signal()
    previewRequested = Signal()
    testRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("voiceGallery")
        self.label = QLabel("Voice")
        self.label.setObjectName("sectionTitle")
        self.description = QLineEdit()
        self.description.setObjectName("voiceProfile")
        self.description.setPlaceholderText("For the video model: low, gravelly, slow; Scottish…")
        self.description.setToolTip(
            "Told to video models that speak (Veo 3.1 and peers) with every line of theirs; "
            "never in a frame prompt"
        )
        self.description.textChanged.connect(lambda: self._loading or self.edited.emit())
        self.engine_voice = QComboBox()
        self.engine_voice.setObjectName("offlineVoice")
        self.engine_voice.addItem("From the name", None)
        for n, label in enumerate(voices.SLOTS):
            self.engine_voice.addItem(label, n)
        self.engine_voice.setToolTip(
            "The offline voice of the animatic and the scratch dialogue stems"
        )
        self.pitch = QSpinBox()
        self.pitch.setObjectName("voicePitch")
        self.pitch.setRange(OWN_PITCH, voices.PITCH_RANGE[1])
        self.pitch.setSpecialValueText("own")
        self.pitch.setToolTip("0 lowest, 99 highest; “own”: the voice's usual pitch")
        self.speed = QSpinBox()
        self.speed.setObjectName("voiceSpeed")
        self.speed.setRange(*voices.SPEED_RANGE)
        self.speed.setSingleStep(10)
        self.speed.setSuffix(" wpm")
        self.speed.setToolTip("Words per minute")
        for box in (self.pitch, self.speed):
            box.setKeyboardTracking(False)  # a typed number is one change, not one per key
            box.installEventFilter(self)  # (their own Ctrl+Z would undo typing only)
        self.cloud_model = QComboBox()
        self.cloud_model.setObjectName("cloudVoiceModel")
        self.cloud_model.addItem("None", "")
        for label, model in voices.CLOUD_MODELS:
            self.cloud_model.addItem(label, model)
        self.cloud_model.setToolTip(
            "A provider's voice for Dialogue with cloud voices (paid, priced before it runs)"
        )
        self.cloud_voice = QComboBox()
        self.cloud_voice.setObjectName("cloudVoiceName")
        self.cloud_voice.setEditable(True)
        self.cloud_voice.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.cloud_voice.setMinimumContentsLength(8)
        for combo in (self.cloud_model, self.cloud_voice):  # (they give way in a narrow column)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self.cloud_model.setMinimumContentsLength(12)
        self.test_button = QPushButton("Test")
        self.test_button.setObjectName("testCloudVoice")
        self.test_button.setToolTip("Hear a line of theirs in the cloud voice (paid: priced first)")
        self.test_button.clicked.connect(self.testRequested)
        self.preview_button = QPushButton("▶ Preview")
        self.preview_button.setObjectName("previewVoice")
        self.preview_button.setToolTip("Hear a line of theirs in this voice")
        self.preview_button.clicked.connect(self.previewRequested)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("undoVoice")
        self.heard = QLabel()
        self.heard.setObjectName("voiceHeard")
        self.heard.setProperty("muted", True)
        self.heard.setWordWrap(True)
        self.heard.hide()

        self.stack = QUndoStack(self)
        self.undo_button.clicked.connect(self.stack.undo)
        self.stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.setEnabled(False)
        for keys, act in (
            (QKeySequence.StandardKey.Undo, self.stack.undo),
            (QKeySequence.StandardKey.Redo, self.stack.redo),
        ):
            for binding in QKeySequence.keyBindings(keys):  # (Redo: Ctrl+Shift+Z and Ctrl+Y)
                shortcut = QShortcut(binding, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(act)
        self._loading = False
        self._testing = ""  # the test line's job, while it is on its way
        self._shown: Chosen = (OfflineVoice(), CloudVoice())
        self.cloud_model.currentIndexChanged.connect(lambda _i: self._cloud_model_changed())
        line = self.cloud_voice.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._changed)
        self.cloud_voice.activated.connect(lambda _i: self._changed())
        self.engine_voice.currentIndexChanged.connect(lambda _i: self._changed())
        self.pitch.valueChanged.connect(lambda _v: self._changed())
        self.speed.valueChanged.connect(lambda _v: self._changed())

        # Rows that fit the inspector's narrow column (the window's minimum size): the
        # description; the offline voice; its pitch and speed with the buttons; what was heard.
        self.engine_voice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.engine_voice.setMinimumContentsLength(12)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 6, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.description, 0, 1)
        grid.addWidget(QLabel("Offline"), 1, 0)
        grid.addWidget(self.engine_voice, 1, 1)
        row = QHBoxLayout()
        for words, box in (("Pitch", self.pitch), ("Speed", self.speed)):
            row.addWidget(QLabel(words))
            row.addWidget(box)
        row.addStretch(1)
        grid.addLayout(row, 2, 1)
        grid.addWidget(QLabel("Cloud"), 3, 0)
        cloud = QHBoxLayout()
        cloud.addWidget(self.cloud_model, 3)
        cloud.addWidget(self.cloud_voice, 2)
        cloud.addWidget(self.test_button)
        grid.addLayout(cloud, 3, 1)
        heard = QHBoxLayout()
        heard.addWidget(self.heard, 1)
        heard.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignTop)
        heard.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(heard, 4, 1)
        grid.setColumnStretch(1, 1)
        self._player = _LinePlayer(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Z and Ctrl+Shift+Z in the pitch and speed boxes are the voice's undo and
        redo (the box's shortcuts), not the number's own text undo."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            )
        ):
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ state
    def show_profile(self, profile: voices.Profile) -> None:
        """A character's voice as saved (a new undo history: the last one was another's)."""
        self._loading = True
        try:
            self.description.setText(profile.description)
            self._apply((profile.offline, profile.cloud), tell=False)
        finally:
            self._loading = False
        self.stack.clear()
        self.heard.hide()
        self._player.stop()

    def offline(self) -> OfflineVoice:
        slot = self.engine_voice.currentData()
        pitch = self.pitch.value()
        return OfflineVoice(
            slot=slot if isinstance(slot, int) else None,
            pitch=None if pitch == OWN_PITCH else pitch,
            speed=self.speed.value(),
        )

    def cloud(self) -> CloudVoice:
        model = str(self.cloud_model.currentData() or "")
        return CloudVoice(model, " ".join(self.cloud_voice.currentText().split()) if model else "")

    def profile(self) -> voices.Profile:
        return voices.Profile(self.description.text().strip(), self.offline(), self.cloud())

    def _cloud_model_changed(self) -> None:
        """The model's voices to choose from (kept when the voice is one of them)."""
        if not self._loading:
            self._suggest(str(self.cloud_model.currentData() or ""))
        self._changed()

    def _suggest(self, model: str) -> None:
        was, self._loading = self._loading, True
        try:
            typed = self.cloud_voice.currentText()
            known = voices.CLOUD_VOICES.get(model.partition(":")[0], ())
            self.cloud_voice.clear()
            self.cloud_voice.addItems(list(known))
            self.cloud_voice.setEnabled(bool(model))
            line = self.cloud_voice.lineEdit()
            if line is not None:
                line.setPlaceholderText("voice id" if model and not known else "")
            self.cloud_voice.setEditText(typed if typed in known else (known[0] if known else ""))
        finally:
            self._loading = was

    def _changed(self) -> None:
        """A gesture on the offline or cloud voice: one undoable step from what was shown."""
        self.test_button.setEnabled(self.cloud().chosen)
        if self._loading:
            return
        now = (self.offline(), self.cloud())
        if now != self._shown:
            self.stack.push(_Change(self, self._shown, now))

    def _apply(self, chosen: Chosen, *, tell: bool = True) -> None:
        voice, cloud = chosen
        was = self._loading
        self._loading = True
        try:
            self.engine_voice.setCurrentIndex(0 if voice.slot is None else voice.slot + 1)
            self.pitch.setValue(OWN_PITCH if voice.pitch is None else voice.pitch)
            self.speed.setValue(voice.speed)
            at = self.cloud_model.findData(cloud.model)
            if at < 0 and cloud.model:  # a model typed into the profile by hand
                self.cloud_model.addItem(cloud.model, cloud.model)
                at = self.cloud_model.count() - 1
            self.cloud_model.setCurrentIndex(max(0, at))
            self._suggest(cloud.model)
            self.cloud_voice.setEditText(cloud.voice)
        finally:
            self._loading = was
        self._shown = chosen
        self.test_button.setEnabled(cloud.chosen)
        if tell and not was:
            self.edited.emit()

    # ---------------------------------------------------------------- preview
    def speak(self, project: Project | None, path: str | None, source: ProviderSource) -> None:
        """Preview: a line of the character's in the voice shown, spoken on a worker (the
        engine takes a moment), then played."""
        if project is None or path is None:
            return
        voice = self.offline()
        self.previewing(True)

        def done(preview: Preview) -> None:
            self.previewing(False)
            self.play(preview)

        def failed(exc: BaseException) -> None:
            self.previewing(False)
            self.heard.setText(f"The line could not be spoken: {exc}")
            self.heard.show()

        run_in_background(
            lambda: voices.preview(project, path, voice, source), done, failed, parent=self
        )

    def test_cloud(self, project: Project | None, path: str | None, jobs: Any) -> None:
        """Test: a line of theirs in the cloud voice shown — priced, asked, a job (paid and
        in the ledger like any line), then played."""
        if project is None or path is None or not self.cloud().chosen:
            return
        from aiuteur_desktop.core.operations.cloud_dialogue import VoiceSample
        from aiuteur_desktop.providers.registry import Registry
        from aiuteur_desktop.views.jobs.spending import confirm_spend

        settings = jobs.library.load_settings()
        try:
            op = VoiceSample.prepare(project, path, self.profile(), Registry(settings))
        except AiuteurError as exc:
            self.heard.setText(exc.user_message)
            self.heard.show()
            return

        def send() -> None:
            self._testing = jobs.runner.run_operation(op)
            self.test_button.setEnabled(False)
            self.test_button.setText("Speaking…")

        what = f"A test line of {op.character} in {op.model} · {op.voice}"
        box = confirm_spend(
            self, what, op.estimate, "pricing.toml", settings, jobs.library.jobs, send
        )
        box.setObjectName("voiceTestEstimate")

    def test_finished(self, job_id: str, project: Project | None, runner: Any) -> None:
        """The test line's job ended: played (or why not, said)."""
        if job_id != self._testing:
            return
        self._testing = ""
        self.test_button.setText("Test")
        self.test_button.setEnabled(self.cloud().chosen)
        job = runner.job(job_id)
        media = (job.result or {}).get("media") if job is not None else None
        if project is None or not media:
            self.heard.setText(f"The test line was not spoken: {job.error if job else ''}")
            self.heard.show()
            return
        text = str(job.params.get("text") or "")
        run_in_background(
            lambda: voices.as_preview(text, project.media.read(media)), self.play, parent=self
        )

    def play(self, preview: Preview) -> None:
        """Say what is heard, and play it where the machine has a sound output."""
        if not preview.pcm:
            self.heard.setText(
                "No speech engine on this machine: install espeak-ng (Linux) to hear the "
                "offline voices."
            )
        elif self._player.play(preview.pcm, preview.seconds):
            self.heard.setText(f"▶ “{preview.text}”")
        else:
            self.heard.setText(f"“{preview.text}” (no sound output on this machine)")
        self.heard.show()

    def previewing(self, busy: bool) -> None:
        self.preview_button.setEnabled(not busy)
        self.preview_button.setText("Speaking…" if busy else "▶ Preview")


class _LinePlayer:
    """A preview's sound fed to the output a little at a time (the review player's)."""

    def __init__(self, owner: QWidget) -> None:
        self._sound: Any = None
        self._pcm = b""
        self._fed = 0
        self._seconds = 0.0
        self._timer = QTimer(owner)
        self._timer.setInterval(FEED_MS)
        self._timer.timeout.connect(self._feed)

    def play(self, pcm: bytes, seconds: float) -> bool:
        from aiuteur_desktop.views.production.player_parts import Sound

        self.stop()
        if self._sound is None:
            self._sound = Sound()
        if not self._sound.available:
            return False
        self._pcm, self._fed, self._seconds = pcm, 0, seconds
        self._sound.start()
        self._feed()
        self._timer.start()
        return True

    def _feed(self) -> None:
        sound = self._sound
        if sound is None:
            return
        if self._fed < len(self._pcm):
            self._fed += sound.feed(self._pcm[self._fed :])
        elif sound.played() >= self._seconds:
            self.stop()

    def stop(self) -> None:
        self._timer.stop()
        if self._sound is not None:
            self._sound.stop()
