"""Stage 12's Cloud Dialogue… by gestures (issue "Voice Gallery"): the scene's lines priced
in one question, spoken (one request each, at a fake OpenAI) once the price is accepted, and
heard over their takes in the review player."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.assets import voices
from aiuteur_desktop.core.assets.voices import CloudVoice, Profile
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage12 import Stage12Page
from tests.fakes.speech_fake import FakeSpeech
from tests.providers import test_cloud_voices
from tests.views.conftest import wait_for_window
from tests.views.production.test_stage11_12 import scene_at

fake = test_cloud_voices.fake  # the fixture: a fake OpenAI, Gemini and ElevenLabs


def test_cloud_dialogue_is_priced_spoken_and_heard_in_review(
    qtbot, window: MainWindow, library: Library, tmp_path: Path, fake: FakeSpeech
) -> None:  # type: ignore[no-untyped-def]
    project, _shown = scene_at(qtbot, window, library, tmp_path, "Video", "s2", rendered=True)
    page = window.project_page.editors[12]
    assert isinstance(page, Stage12Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    voices.save(
        project,
        "assets/mara",
        Profile("low, steady alto", cloud=CloudVoice("openai:gpt-4o-mini-tts", "coral")),
    )
    project.commit("Mara's cloud voice")
    lines = [d for s in shot_list.current(project, "s2") for d in s.dialogue]
    mara = [d for d in lines if d.character == "MARA"]
    assert mara
    qtbot.mouseClick(page.voices_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "cloudDialogueEstimate")
    assert f"Speaking {len(mara)} line(s) of MARA in cloud voices will cost about $" in box.text()
    assert fake.requests == []  # nothing sent before the answer
    spend = next(b for b in box.buttons() if b.text().startswith("Spend"))
    qtbot.mouseClick(spend, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake.lines("openai")) == len(mara), timeout=20_000)

    def heard() -> int:
        cut = page.player.cut
        return sum(len(p.voices) for p in cut.pieces) if cut is not None else 0

    qtbot.waitUntil(lambda: heard() == len(mara), timeout=20_000)
    # Asked again: nothing is left to speak, and nothing is sent.
    qtbot.mouseClick(page.voices_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=10_000)
    assert "No line of this scene is waiting" in page.error.text()
    assert len(fake.requests) == len(mara)
    page.player.close_player()
    operations.unshare(project)
