"""Stage 7's shot list: edits stored per scene, split and merge without inventing anything,
lock, the scene's own script edit outdating it (and no other scene's), and the film order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from tests.screenplays import edit_line, scripted_project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with scripted_project(tmp_path, "Heist", "kitchen_heist") as p:
        yield p


def test_edits_are_kept_per_scene_and_the_film_uses_them(project: Project) -> None:
    timed = shot_list.current(project, "s1")
    assert shot_list.status(project, "s1") == Status.MISSING
    assert [s.id for s in timed] == ["A", "B", "C", "D", "E"]
    edited = [dataclasses.replace(timed[0], duration=6, shot_size="EWS", move="pan-right")]
    edited += timed[1:]
    shot_list.save(project, "s1", edited)
    back = shot_list.current(project, "s1")
    assert (back[0].duration, back[0].shot_size, back[0].move) == (6, "EWS", "pan-right")
    assert back[1:] == timed[1:]
    assert shot_list.status(project, "s1") == Status.UP_TO_DATE
    film = shot_list.film(project)
    assert film[0].shot_size == "EWS" and len(film) == 11
    assert [s.scene for s in film] == [1, 1, 1, 1, 1, 2, 2, 3, 4, 4, 5]


def test_split_and_merge_move_the_script_between_shots(project: Project) -> None:
    rows = shot_list.current(project, "s3")  # fog, a ferry, a gull — then McClane's line
    assert len(rows) == 1 and rows[0].action and rows[0].dialogue
    parts = shot_list.split(rows, 0)
    assert [s.id for s in parts] == ["A", "B"]
    assert parts[0].action == rows[0].action and parts[0].dialogue == ()
    assert parts[1].action == "" and parts[1].dialogue == rows[0].dialogue
    assert all(p.duration in (4, 6, 8) for p in parts)
    whole = shot_list.merge(parts, 0)
    assert len(whole) == 1 and whole[0].action == rows[0].action
    assert whole[0].dialogue == rows[0].dialogue
    # Action only: halves of its sentences; one sentence cannot be split.
    halves = shot_list.split(parts, 0)
    assert " ".join(s.action for s in halves[:2]) == rows[0].action and len(halves) == 3
    single = shot_list.split(halves, 0)
    assert [s.action for s in single[:2]] == ["Fog.", "Young June watches a ferry leave."]
    with pytest.raises(GateClosed, match="nothing to split"):
        shot_list.split(single, 0)
    # Two shots that together run past eight seconds stay two.
    scene1 = shot_list.current(project, "s1")
    with pytest.raises(GateClosed, match=r"Together they run .* s: a shot is at most 8 s"):
        shot_list.merge(scene1, 0)
    with pytest.raises(GateClosed, match="another shot after it"):
        shot_list.merge(scene1, len(scene1) - 1)


def test_a_script_edit_outdates_only_that_scenes_shot_list(project: Project) -> None:
    for sid in ("s1", "s2"):
        shot_list.lock(project, sid, shot_list.current(project, sid))
    assert project.log()[0].message == "Locked shot list for scene 2"
    assert shot_list.is_locked(project, "s1")
    edit_line(project, "kitchen_heist", "Not my harbour.", "Not my harbour, not my town.")
    assert shot_list.status(project, "s1") == Status.UP_TO_DATE
    assert shot_list.status(project, "s2") == Status.OUTDATED
    # The film takes scene 2 from the script as it is now, until the list is re-timed.
    film = shot_list.film(project)
    assert any("not my town" in d.text for s in film for d in s.dialogue)
    rows = shot_list.reset(project, "s2")
    assert shot_list.status(project, "s2") == Status.UP_TO_DATE
    assert any("not my town" in d.text for s in rows for d in s.dialogue)
    assert project.log()[0].message == "Shot list for scene 2 re-timed from the script"


def test_empty_lists_and_unknown_scenes_are_refused(project: Project) -> None:
    with pytest.raises(GateClosed, match="at least one shot"):
        shot_list.save(project, "s1", [])
    with pytest.raises(GateClosed, match="no scene s9"):
        shot_list.current(project, "s9")


def test_a_shot_retyped_as_the_table_shows_it(project: Project) -> None:
    shot = shot_list.current(project, "s1")[0]
    assert shot_list.edited(shot, shot_list.LENGTH, "5 s").duration == 5
    assert shot_list.edited(shot, shot_list.LENGTH, "five") is None
    camera = shot_list.edited(shot, shot_list.CAMERA, "CU|low|push-in")
    assert (camera.shot_size, camera.angle, camera.move) == ("CU", "low", "push-in")
    assert shot_list.camera_text(camera) == "CU|low|push-in"
    assert shot_list.edited(shot, shot_list.CAMERA, "HUGE|low|push-in") is None
    cast = shot_list.edited(shot, shot_list.CHARACTERS, "june, Tommy, JUNE,")
    assert cast.characters == ("JUNE", "TOMMY")
    assert shot_list.edited(shot, shot_list.ACTION, "  She   turns. ").action == "She turns."
    spoken = shot_list.edited(shot, shot_list.DIALOGUE, "JUNE: (low) Not tonight.")
    assert [(d.character, d.parenthetical, d.text) for d in spoken.dialogue] == [
        ("JUNE", "(low)", "Not tonight.")
    ]
