"""Stage 5's Voice Gallery by gestures (issue "Voice Gallery"): a character's offline voice
chosen, pitched and paced from the keyboard, saved with the asset, undone with Ctrl+Z, heard
with Preview (a line of theirs from the script); a location has no voice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.assets.voices import OfflineVoice
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.providers.offline import tts
from aiuteur_desktop.views.main_window import MainWindow
from tests.providers import test_cloud_voices
from tests.views.assets.test_stage5 import approved_project, extract, open_stage5, select
from tests.views.conftest import wait_for_window


@pytest.fixture
def page(qtbot, window: MainWindow, tmp_path: Path):  # type: ignore[no-untyped-def]
    window.resize(1440, 900)
    window.show()
    project = approved_project(tmp_path)
    page = open_stage5(qtbot, window, project)
    extract(qtbot, page)
    select(page, "JUNE")
    return page


def saved(page) -> OfflineVoice:  # type: ignore[no-untyped-def]
    page.flush()
    return voices.of(masters.read(page.project, "assets/june")).offline


def type_into(qtbot, box, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_a_voice_is_chosen_pitched_and_paced_saved_and_undone(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    box = page.voice_box
    assert box.isVisible() and box.engine_voice.currentText() == "From the name"
    box.engine_voice.setFocus()
    qtbot.keyClick(box.engine_voice, Qt.Key.Key_Down)
    qtbot.keyClick(box.engine_voice, Qt.Key.Key_Down)  # the second of the engine's voices
    type_into(qtbot, box.pitch, "22")
    box.speed.setFocus()
    for _ in range(3):
        qtbot.keyClick(box.speed, Qt.Key.Key_Down)  # 10 words a minute each
    assert saved(page) == OfflineVoice(slot=1, pitch=22, speed=135)
    assert voices.offline_voices(page.project)["JUNE"] == {"slot": 1, "pitch": 22, "speed": 135}

    # Ctrl+Z in the box takes back the last change, then the one before; Ctrl+Shift+Z redoes.
    qtbot.keyClick(box.speed, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved(page).speed == 145
    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    assert saved(page) == OfflineVoice(slot=1, pitch=None, speed=165)
    box.speed.setFocus()
    qtbot.keyClick(
        box.speed,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert saved(page) == OfflineVoice(slot=1, pitch=22, speed=165)

    # Another asset and back: the voice as saved, with a history of its own.
    select(page, "KITCHEN")
    assert not page.voice_box.isVisible()  # a location has no voice
    select(page, "JUNE")
    assert box.offline() == OfflineVoice(slot=1, pitch=22, speed=165)
    assert not box.undo_button.isEnabled()


@pytest.mark.skipif(tts.available() is None, reason="needs espeak-ng (installed by .ci/run)")
def test_preview_speaks_a_line_of_theirs_in_the_voice_shown(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    box = page.voice_box
    type_into(qtbot, box.pitch, "80")
    spoken: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    real = tts.speak

    def heard(text, voice, engine=None, **how):  # type: ignore[no-untyped-def]
        spoken.append((text, how))
        return real(text, voice, engine, **how)

    tts.speak, restore = heard, tts.speak
    try:
        qtbot.mouseClick(box.preview_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.heard.isVisible() and box.preview_button.isEnabled())
    finally:
        tts.speak = restore
    line = voices.line_of(page.project, "assets/june")
    assert line != voices.NO_LINE and f"“{line}”" in box.heard.text()
    assert spoken == [(line, {"pitch": 80, "speed": 165})]


def test_a_cloud_voice_is_chosen_from_the_models_voices_or_typed(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    box = page.voice_box
    assert box.cloud_model.currentText() == "None" and not box.cloud_voice.isEnabled()
    box.cloud_model.setFocus()
    qtbot.keyClick(box.cloud_model, Qt.Key.Key_Down)  # OpenAI · gpt-4o-mini-tts
    assert box.cloud_voice.isEnabled() and box.cloud_voice.findText("coral") >= 0
    box.cloud_voice.setFocus()
    box.cloud_voice.lineEdit().selectAll()
    qtbot.keyClicks(box.cloud_voice.lineEdit(), "coral")
    qtbot.keyClick(box.cloud_voice.lineEdit(), Qt.Key.Key_Return)
    page.flush()
    cloud = voices.of(masters.read(page.project, "assets/june")).cloud
    assert cloud == voices.CloudVoice("openai:gpt-4o-mini-tts", "coral")
    # ElevenLabs: no list, the user's own voice id.
    box.cloud_model.setCurrentIndex(box.cloud_model.findData("elevenlabs:eleven_v3"))
    assert box.cloud_voice.count() == 0 and box.cloud_voice.lineEdit().placeholderText()
    box.cloud_voice.setFocus()
    qtbot.keyClicks(box.cloud_voice.lineEdit(), "21m00Tcm4TlvDq8ikWAM")
    qtbot.keyClick(box.cloud_voice.lineEdit(), Qt.Key.Key_Return)
    page.flush()
    cloud = voices.of(masters.read(page.project, "assets/june")).cloud
    assert cloud == voices.CloudVoice("elevenlabs:eleven_v3", "21m00Tcm4TlvDq8ikWAM")
    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    page.flush()
    cloud = voices.of(masters.read(page.project, "assets/june")).cloud
    assert cloud == voices.CloudVoice("openai:gpt-4o-mini-tts", "coral")
    assert box.cloud_model.currentData() == "openai:gpt-4o-mini-tts"


fake = test_cloud_voices.fake  # the fixture: a fake OpenAI, Gemini and ElevenLabs


def test_test_speaks_a_priced_line_in_the_cloud_voice(qtbot, page, fake) -> None:  # type: ignore[no-untyped-def]
    box = page.voice_box
    assert not box.test_button.isEnabled()  # no cloud voice yet
    box.cloud_model.setCurrentIndex(box.cloud_model.findData("openai:gpt-4o-mini-tts"))
    assert box.test_button.isEnabled()
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    question = wait_for_window(qtbot, QMessageBox, "voiceTestEstimate")
    assert "A test line of JUNE in openai:gpt-4o-mini-tts · alloy will cost about $" in (
        question.text()
    )
    assert fake.requests == []  # nothing sent before the answer
    spend = next(b for b in question.buttons() if b.text().startswith("Spend"))
    qtbot.mouseClick(spend, Qt.MouseButton.LeftButton)
    line = voices.line_of(page.project, "assets/june")
    qtbot.waitUntil(lambda: f"“{line}”" in box.heard.text(), timeout=15_000)
    [sent] = fake.lines("openai")
    assert sent.json()["input"] == line and sent.json()["voice"] == "alloy"
    [row] = ledger.entries(page.project)
    assert row.kind == "speech" and row.actual > 0
