"""Stage 7's agentic tools through the page, against the fake text server speaking the real
openai SDK's wire format (issue "Stages 8–9"): Split asks the model and applies a faithful
answer as one undo step, refuses one that drops a line; a camera change rewords the shot
and Undo restores the wording; tempo suggestions are shown, never applied."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.shot_table import CAMERA, FLAGS
from tests.fakes.story_fake import FakeStoryModel, split_in_two
from tests.screenplays import scripted_project
from tests.views.production.test_stage7 import double_click, open_scene


def test_split_with_the_model_and_a_refused_split(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, model: FakeStoryModel
) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist", approved=True)
    page = open_scene(qtbot, window, project, 1)  # scene 2: action, then three lines
    rows = list(page.model.rows)
    assert [len(s.dialogue) for s in rows] == [0, 3]

    # A split that drops a line: refused in one line, nothing changes, nothing to undo.
    def dropping(user: str) -> dict:
        answer = split_in_two(user)
        answer["shots"][1]["dialogue"] = answer["shots"][1]["dialogue"][:-1]
        return answer

    model.answers["shot.split"] = dropping
    page.table.selectRow(1)
    qtbot.mouseClick(page.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=10_000)
    assert "drops the line “Not my problem.”; nothing was changed" in page.error.text()
    assert page.model.rows == rows and shot_list.current(project, "s2") == rows
    assert not page.undo_button.isEnabled()
    assert model.asked_kinds() == ["shot.split"]
    # A faithful split: two shots holding the lines verbatim, one undo step.
    del model.answers["shot.split"]
    qtbot.mouseClick(page.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.model.rows) == 3, timeout=10_000)
    assert [s.id for s in page.model.rows] == ["A", "B", "C"]
    assert [d.text for s in page.model.rows[1:] for d in s.dialogue] == [
        d.text for d in rows[1].dialogue
    ]
    assert not page.error.isVisible()
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.rows == rows


def test_a_camera_change_rewords_the_shot_and_undo_restores_it(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, model: FakeStoryModel
) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist", approved=True)
    masters.extract_into(project)
    page = open_scene(qtbot, window, project, 0)
    before = page.model.rows[1]  # June counting cash, an action shot
    assert before.action.startswith("JUNE PARKER")
    double_click(qtbot, page, 1, CAMERA)
    qtbot.waitUntil(lambda: len(page.table.viewport().findChildren(QComboBox)) == 3)
    size, _angle, _move = page.table.viewport().findChildren(QComboBox)
    size.setCurrentText("CU")
    qtbot.keyClick(size, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rows[1].action.startswith("In CU: "), timeout=10_000)
    reworded = page.model.rows[1]
    assert reworded.shot_size == "CU" and reworded.dialogue == before.dialogue
    assert shot_list.current(project, "s1")[1].action == reworded.action  # saved as a draft
    kinds = model.asked_kinds()
    assert kinds == ["shot.reword"] and "Camera now: CU" in model.asked[-1][2]
    # Undo restores the wording (the camera change is its own step before it).
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.rows[1].action == before.action and page.model.rows[1].shot_size == "CU"
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.rows[1] == before


def test_tempo_suggestions_are_shown_and_never_applied(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, model: FakeStoryModel
) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist", approved=True)
    page = open_scene(qtbot, window, project, 1)
    # Scene 2's first shot cannot play in 4 s.
    rows = list(page.model.rows)
    short = [shot_list.edited(rows[0], shot_list.LENGTH, "4 s"), *rows[1:]]
    page.push("Shorten", short, 0)
    assert page.tempo_button.isVisible()
    qtbot.mouseClick(page.tempo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.model.tempo), timeout=10_000)
    assert page.model.tempo == {"A": "Too much for its length: split it."}
    assert "⏱" in page.model.text(0, FLAGS) and page.model.rows == short
    page.table.selectRow(0)
    assert "Tempo: Too much for its length" in page.inspector.toPlainText()
    # An edit of that shot retires its note (it spoke of the shot as it was).
    page.push("Lengthen", rows, 0)
    assert page.model.tempo == {}
