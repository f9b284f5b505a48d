"""Typing a new scene in the Stage 4 editor leaves every other scene's id — and the shot
list, frames and takes keyed by it — where it was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.main_window import MainWindow
from tests.views.story.test_phase_a import DATA, current, fill_setup, open_project, pages


def test_a_scene_typed_in_the_editor_gets_a_new_id_and_the_others_keep_theirs(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = open_project(qtbot, window, tmp_path)
    s1, _s2, _s3, s4 = pages(window)
    fill_setup(s1, "D")
    s1.staging.add_paths([DATA / "night_ferry.fountain"])
    qtbot.waitUntil(s1.lock_button.isEnabled)
    s1.lock_button.click()
    qtbot.waitUntil(lambda: current(window) is s4)
    before = master_script.current(project)
    assert before is not None
    ids = {s.heading: s.id for s in before.scenes()}
    quayside = ids["EXT. QUAYSIDE - CONTINUOUS"]
    edited = shot_list.split(shot_list.current(project, quayside), 0)
    shot_list.save(project, quayside, edited)
    project.commit("edited the quayside's shots")

    # The writer clicks at the end of the harbour office scene (its CUT TO:), presses Enter
    # and types a new scene before the quayside.
    ed = s4.editor
    block = ed.document().begin()
    while block.isValid() and block.text() != "CUT TO:":
        block = block.next()
    assert block.isValid()
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    ed.setTextCursor(cursor)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    qtbot.keyClicks(ed, "INT. CORRIDOR - NIGHT")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    qtbot.keyClicks(ed, "Nessa runs.")
    s4.flush()

    after = master_script.current(project)
    assert after is not None
    now = {s.heading: s.id for s in after.scenes()}
    assert "INT. CORRIDOR - NIGHT" in now
    for heading, sid in ids.items():
        assert now[heading] == sid  # nobody else's id moved
    assert now["INT. CORRIDOR - NIGHT"] not in ids.values()  # a new one, never reused
    labels = {s.id: s.label for s in after.scenes()}
    assert labels[quayside] == "2"  # the script's own #2# number stays
    assert shot_list.status(project, quayside) == Status.UP_TO_DATE
    rows = [s for s in shot_list.film(project) if s.scene_id == quayside]
    assert [(r.action, r.dialogue) for r in rows] == [(r.action, r.dialogue) for r in edited]

    # Retyping a heading changes the scene's text and heading both: only the editor knows
    # it is the same scene, and it keeps the id.
    office = ids["INT. HARBOUR OFFICE - NIGHT"]
    block = ed.document().begin()
    while block.isValid() and not block.text().startswith("INT. HARBOUR OFFICE"):
        block = block.next()
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    ed.setTextCursor(cursor)
    for _ in "NIGHT":
        qtbot.keyClick(ed, Qt.Key.Key_Backspace)
    qtbot.keyClicks(ed, "DUSK")
    s4.flush()
    retyped = master_script.current(project)
    assert retyped is not None
    assert {s.heading: s.id for s in retyped.scenes()}["INT. HARBOUR OFFICE - DUSK"] == office
