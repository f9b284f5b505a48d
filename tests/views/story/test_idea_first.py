"""Mode A: the typed idea is the Primary Input; a file staged beside it is context unless
the filmmaker designates it (PRD §8.1)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from aiuteur_desktop.core import story
from aiuteur_desktop.views.main_window import MainWindow
from tests.fakes.story_fake import FakeStoryModel
from tests.views.story.test_phase_a import fill_setup, open_project, pages, treatment_prompt


def test_the_idea_reaches_the_prompt_with_a_staged_context_file(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.md"
    notes.write_text("The ferry's engine is older than the harbour itself.", encoding="utf-8")
    project = open_project(qtbot, window, tmp_path)
    s1, _s2, _s3, _s4 = pages(window)
    fill_setup(s1, "A")
    s1.staging.add_paths([notes])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 1)
    row = s1.staging.rows[0]
    assert not row.primary.isChecked() and row.tag.isEnabled()  # context, not the source
    # Designating it and clicking again gives the lead back to the idea (a click on the
    # radio's circle, once the row is laid out).
    qtbot.waitUntil(lambda: row.primary.isVisible() and row.primary.width() > 20)
    on_circle = QPoint(8, row.primary.height() // 2)
    qtbot.mouseClick(row.primary, Qt.MouseButton.LeftButton, pos=on_circle)
    assert row.file.role == story.PRIMARY
    qtbot.mouseClick(row.primary, Qt.MouseButton.LeftButton, pos=on_circle)
    assert row.file.role == story.CONTEXT
    user = treatment_prompt(qtbot, window, model)
    assert "A ferry mechanic keeps a dying night ferry afloat" in user  # the idea leads
    assert "Context file “notes.md”" in user and "older than the harbour" in user
    assert story.read_setup(project).primary() is None
