"""Stage 7 · Shot List through its UI: open a scene from the Script Hub, edit cells, split,
merge, undo/redo, lock, and the Outdated banner after the scene changes in the script."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from aiuteur_desktop.core import story
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.shot_table import ACTION, CAMERA, LENGTH
from aiuteur_desktop.views.production.stage7 import Stage7Page
from tests.screenplays import edit_line, play, scripted_project
from tests.views.conftest import wait_for_hub


def open_scene(qtbot, window: MainWindow, project: Project, row: int) -> Stage7Page:  # type: ignore[no-untyped-def]
    window._show_project(project)
    window.show()
    qtbot.waitExposed(window)
    page = window.project_page
    wait_for_hub(qtbot, page)
    hub = page.scene_list
    qtbot.mouseClick(
        hub.viewport(), Qt.MouseButton.LeftButton, pos=hub.visualItemRect(hub.item(row)).center()
    )
    rail = page.rail
    item = next(
        rail.item(i) for i in range(rail.count()) if rail.item(i).text().endswith("Shot List")
    )
    qtbot.mouseClick(
        rail.viewport(), Qt.MouseButton.LeftButton, pos=rail.visualItemRect(item).center()
    )
    stage7 = page.editors[7]
    assert isinstance(stage7, Stage7Page)
    # (the scene's shots are read on a worker: the table fills once they are)
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is stage7 and not stage7.deriving)
    return stage7


def cell(page: Stage7Page, row: int, col: int):  # type: ignore[no-untyped-def]
    return page.table.visualRect(page.model.index(row, col)).center()


def double_click(qtbot, page: Stage7Page, row: int, col: int) -> None:  # type: ignore[no-untyped-def]
    """A real double-click: press-release, then the double-click (Qt edits only an item it
    saw pressed)."""
    view = page.table.viewport()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=cell(page, row, col))
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=cell(page, row, col))


def heist(tmp_path: Path) -> Project:
    return scripted_project(tmp_path, "Heist", "kitchen_heist", approved=True)


def test_shot_list_is_edited_split_merged_and_undone_through_the_table(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = heist(tmp_path)
    page = open_scene(qtbot, window, project, 1)
    assert page.scene_line.text() == "Scene 2 · EXT. KITCHEN - DAY"
    assert "scene 1 ends on shot 1E" in page.mirror.text() and "Then you led them here" in (
        page.mirror.text()
    )
    assert [page.model.text(r, 0) for r in range(page.model.rowCount())] == ["2A", "2B"]
    assert page.status_label.text() == "Shot timing (not edited yet)"
    heard: list = []
    window.session.subscribe(lambda e: heard.append(e.changes) if e.changes else None)
    # Length: double-click, pick 6 in the combo, Enter.
    double_click(qtbot, page, 0, LENGTH)
    combo = page.table.viewport().findChild(QComboBox)
    assert combo is not None
    combo.setCurrentText("6")
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.text(0, LENGTH) == "6 s")
    # The action needs more than 6 s: the continuity column says so.
    assert page.model.flags_of[0] and "Needs" in page.model.flags_of[0][0]
    assert shot_list.current(project, "s2")[0].duration == 6  # saved as a draft at once
    assert page.status_label.text() == "Draft"
    # The pages hear what a hand edit changed through the session: this scene, Stage 7.
    assert heard and heard[-1].scenes == ("s2",) and heard[-1].stages == (7,)
    # Camera: three combos side by side.
    double_click(qtbot, page, 1, CAMERA)
    qtbot.waitUntil(lambda: len(page.table.viewport().findChildren(QComboBox)) == 3)
    size, _angle, move = page.table.viewport().findChildren(QComboBox)
    size.setCurrentText("CU")
    move.setCurrentText("push-in")
    qtbot.keyClick(size, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.text(1, CAMERA) == "CU · eye · push-in")
    # Split the dialogue shot (three lines) with the keyboard, then undo and redo.
    page.table.setFocus()
    page.table.selectRow(1)
    qtbot.keyClick(
        page.table,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert page.model.rowCount() == 3
    assert [len(s.dialogue) for s in page.model.rows] == [0, 2, 1]
    assert [s.id for s in page.model.rows] == ["A", "B", "C"]
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 2 and len(page.model.rows[1].dialogue) == 3
    qtbot.mouseClick(page.redo_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 3
    # Delete takes a shot out; Undo puts it back.
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell(page, 2, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 2 and [s.id for s in page.model.rows] == [
        "A",
        "B",
    ]  # no renumbering
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.rowCount() == 3
    # Merge the two halves back; merging the long action shot with them is refused.
    page.table.selectRow(1)
    qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 2
    page.table.selectRow(0)
    qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    assert page.error.isVisible() and "a shot is at most 8 s" in page.error.text()
    assert page.model.rowCount() == 2
    # Typing in the action cell edits it.
    page.table.selectRow(1)
    double_click(qtbot, page, 1, ACTION)
    editor = page.table.viewport().focusWidget()
    qtbot.keyClicks(editor, "June turns the radio off.")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rows[1].action == "June turns the radio off.")
    # Lock: a commit, the table is read-only, the buttons say so.
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    assert project.log()[0].message == "Locked shot list for scene 2"
    assert page.lock_button.text() == "Unlock Shot List" and page.status_label.text() == "Locked"
    assert (
        not page.split_button.isEnabled()
        and not page.model.flags(page.model.index(0, ACTION)) & Qt.ItemFlag.ItemIsEditable
    )
    film = shot_list.film(project)
    scene2 = [s for s in film if s.scene == 2]
    assert scene2[0].duration == 6 and scene2[1].action == "June turns the radio off."
    # The Script Hub is re-derived off the UI thread after an edit.
    hub = window.project_page.scene_list
    qtbot.waitUntil(lambda: hub.item(1).text().endswith("2 shots · 0:12 · Shot List Locked"))
    assert window.project_page.current_scene() == "s2"  # the selection survives the refresh


def test_a_script_change_outdates_the_list_and_retime_follows_it(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = heist(tmp_path)
    rows = shot_list.current(project, "s2")
    shot_list.lock(project, "s2", [dataclasses.replace(rows[0], shot_size="EWS"), *rows[1:]])
    edit_line(
        project, "kitchen_heist", "Not my harbour.", "Not my harbour, not my town, not my war."
    )
    assert shot_list.status(project, "s2") == Status.OUTDATED
    page = open_scene(qtbot, window, project, 1)
    assert page.flag.isVisible() and "Outdated" in page.flag.label.text()
    qtbot.mouseClick(page.flag.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.flag.isVisible())
    assert shot_list.status(project, "s2") == Status.UP_TO_DATE
    assert page.model.rows[0].shot_size == "WS"  # the shot timing again
    assert any("not my war" in d.text for s in page.model.rows for d in s.dialogue)
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)  # the re-time is undoable
    assert page.model.rows[0].shot_size == "EWS"


def test_stage7_needs_a_scene_and_an_approved_script(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = heist(tmp_path)
    window._show_project(project)
    page = window.project_page
    wait_for_hub(qtbot, page)
    page.scene_list.setCurrentRow(-1)
    page.show_stage(7)
    assert page.stage_stack.currentWidget() is page.gate_page
    assert "Pick a scene" in page.gate_page.reason.text()
    assert page.gate_page.title.text() == "Stage 7 · Shot List"  # not "not open yet"
    # The button does what it says: it picks the first scene and opens its shot list.
    assert page.gate_page.button.text() == "Open scene 1 · INT. KITCHEN - NIGHT"
    qtbot.mouseClick(page.gate_page.button, Qt.MouseButton.LeftButton)
    stage7 = page.editors[7]
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is stage7 and not stage7.deriving)
    assert page.current_scene() == "s1" and stage7.scene_line.text().startswith("Scene 1 ·")


def test_typed_dialogue_reads_back_into_lines() -> None:
    from aiuteur_desktop.core.production.shots.shot_list import dialogue_text, parse_dialogue
    from aiuteur_desktop.core.production.shots.timing import Line

    before = (Line("JUNE", "Not my harbour."), Line("TOMMY", "Not my problem.", "(quietly)"))
    from aiuteur_desktop.core.production.shots import timing

    shot = dataclasses.replace(timing.breakdown(play("kitchen_heist"))[0], dialogue=before)
    assert parse_dialogue(dialogue_text(shot), before) == before  # what the cell shows reads back
    typed = "june: Not my harbour, Tommy.\nShe turns away: for good.\nTOMMY: (loud) Wait!"
    assert parse_dialogue(typed, before) == (
        Line("JUNE", "Not my harbour, Tommy."),
        Line("JUNE", "She turns away: for good."),  # "She turns away" is nobody's name
        Line("TOMMY", "Wait!", "(loud)"),
    )
    assert parse_dialogue("", before) == ()


def test_inspector_shows_the_beats_a_scene_was_written_from(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = Project.create(tmp_path, "Heist")
    story.edit_beats(
        project,
        [
            {"id": "b1", "text": "June counts the money <alone>.", "source": ""},
            {"id": "b2", "text": "Tommy arrives hurt.", "source": ""},
            {"id": "b3", "text": "They argue.", "source": ""},
        ],
    )
    master_script.import_screenplay(project, play("kitchen_heist"), "kitchen_heist.fountain")
    story.lock(project, 4, "Approved Master Script")
    page = open_scene(qtbot, window, project, 0)
    page.table.selectRow(0)
    text = page.inspector.toPlainText()
    # Scenes without a recorded mapping spread evenly over the beats: scene 1 is beat 1.
    assert "Beat 1 — June counts the money <alone>." in text  # shown as written, not as markup
    assert "Tommy arrives hurt" not in text


def test_alt_6_and_alt_7_open_the_picked_scene(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window._show_project(heist(tmp_path))
    window.show()
    qtbot.waitExposed(window)
    page = window.project_page
    wait_for_hub(qtbot, page)
    page.select_scene("s3")
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.AltModifier)
    assert page.stage_stack.currentWidget() is page.editors[7]
    qtbot.waitUntil(lambda: not page.editors[7].deriving)  # (its rows are read on a worker)
    assert page.editors[7].scene_line.text() == "Scene 3 · FLASHBACK - THE PIER"
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
    assert page.stage_stack.currentWidget() is page.editors[6]


def test_a_conformed_timeline_shows_the_editors_cut_in_the_hub_and_stage_7(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """On a Story Timeline conform made, the Script Hub counts the cut's shots and lengths
    with the dropped ones, and Stage 7 says the scene's cut order and what was omitted."""
    from aiuteur_desktop.core.production import cut

    project = heist(tmp_path)
    first = [s for s in shot_list.film(project) if s.scene_id == "s1"]
    assert len(first) >= 3
    a, b, dropped = first[0], first[1], first[2]
    edit = cut.Cut(
        "edited.otio",
        24,
        (cut.Entry("s1", b.id, 0, 48), cut.Entry("s1", a.id, 12, 60)),
        (("s1", dropped.id),),
    )
    project.create_branch("Conform from edited.otio", switch=True)
    cut.write(project, edit)
    project.commit("Conform from edited.otio", kind="edit")
    page = open_scene(qtbot, window, project, 0)
    hub = window.project_page.scene_list
    rest = len(first) - 3  # the scene's other shots, whole, after the cut's
    row_text = hub.item(0).text()
    assert f"{2 + rest} shots" in row_text and "1 omitted" in row_text
    assert page.cut_note.isVisible()
    said = page.cut_note.label.text()
    assert said.startswith("This Story Timeline follows the editor's cut from edited.otio: ")
    assert said.index(f"{b.label} (2 s)") < said.index(f"{a.label} (2.5 s)")
    assert f"Omitted by the editor: {dropped.label}." in said


def test_a_scene_asked_for_as_the_project_opens_is_opened_once_the_hub_has_it(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A notification's "go to scene" (or a command line) asks for a scene before the Script
    Hub's rows, read on a worker, have arrived: the scene and its stage open when they do."""
    project = heist(tmp_path)
    window._show_project(project)
    page = window.project_page
    assert page.scene_list.count() == 0  # (the rows are still being read)
    page.open_scene("s2", 7)
    stage7 = page.editors[7]
    assert isinstance(stage7, Stage7Page)
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is stage7 and not stage7.deriving)
    assert page.current_scene() == "s2"
    assert stage7.scene_line.text() == "Scene 2 · EXT. KITCHEN - DAY"
