"""Stable shot ids (issue "Stages 8–9"): every shot keeps its letter through split, merge,
delete, reorder and re-timing from the script, and a letter is never given twice in a scene
— so anything keyed by a shot (prompt sets, frames, takes, export names) stays with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from tests.screenplays import edit_line, scripted_project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with scripted_project(tmp_path, "Heist", "kitchen_heist") as p:
        yield p


def ids(rows: list[timing.Shot]) -> list[str]:
    return [s.id for s in rows]


def test_letters_are_spreadsheet_columns() -> None:
    assert [timing.letter(n) for n in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip
    assert all(timing.letter_index(timing.letter(n)) == n for n in range(2000))
    assert timing.letter_index("3") == timing.letter_index("a") == timing.letter_index("") == -1


def test_ids_survive_split_merge_delete_and_reorder_and_are_never_given_twice(
    project: Project,
) -> None:
    rows = shot_list.current(project, "s1")
    assert ids(rows) == ["A", "B", "C", "D", "E"] and rows[1].label == "1B"
    # Split B: B keeps its letter, the new half gets F (the scene's next), not C.
    split_at = next(i for i, s in enumerate(rows) if shot_list.can_split(s))
    first = rows[split_at].id
    rows = shot_list.split(rows, split_at, shot_list.issued(project, "s1"))
    assert ids(rows)[split_at : split_at + 2] == [first, "F"]
    shot_list.save(project, "s1", rows)
    # Merge keeps the first shot's letter; delete and reorder keep everyone's.
    merged = shot_list.merge(rows, split_at)
    assert ids(merged)[split_at] == first and "F" not in ids(merged)
    shot_list.save(project, "s1", merged)
    deleted = [s for s in merged if s.id != "E"]
    shot_list.save(project, "s1", deleted)
    reordered = [deleted[-1], *deleted[:-1]]
    shot_list.save(project, "s1", reordered)
    assert ids(shot_list.current(project, "s1")) == ids(reordered)
    # F and E were given once: the next split gets G, although neither is in the list now.
    again = shot_list.split(reordered, 1 + split_at, shot_list.issued(project, "s1"))
    assert "G" in ids(again) and "F" not in ids(again) and "E" not in ids(again)
    assert len(set(ids(again))) == len(again)


def test_retiming_from_the_script_keeps_the_letters_of_shots_whose_content_survives(
    project: Project,
) -> None:
    before = shot_list.current(project, "s1")
    assert ids(before) == ["A", "B", "C", "D", "E"]
    assert "Then you led them here." in [d.text for d in before[-1].dialogue]
    # The filmmaker deletes the first shot, then one line of the scene's last shot changes.
    shot_list.save(project, "s1", before[1:])
    edit_line(project, "kitchen_heist", "Then you led them here.", "So you led them here.")
    after = shot_list.reset(project, "s1")
    assert [s.summary() for s in after[1:4]] == [s.summary() for s in before[1:4]]
    # Untouched shots keep their letters; the edited one keeps its letter (one of its two
    # lines survives); the shot the user deleted comes back from the script under a new
    # letter — its old one was given once and may have artifacts in the history.
    assert ids(after) == ["F", "B", "C", "D", "E"]
    assert "So you led them here." in [d.text for d in after[-1].dialogue]
    # A shot the script rewrote entirely gets a new letter too.
    replaced = shot_list.keep_ids(after, [], shot_list.issued(project, "s1"))
    assert ids(replaced) == ["G", "H", "I", "J", "K"]


def test_lists_saved_with_numbers_read_as_letters(project: Project) -> None:
    rows = shot_list.current(project, "s1")
    shot_list.save(project, "s1", rows)
    doc = project.read(shot_list.path("s1"))
    doc = {**doc, "shots": [{**d, "id": str(i)} for i, d in enumerate(doc["shots"], 1)]}
    doc.pop("issued", None)
    project.write(shot_list.path("s1"), doc)
    assert ids(shot_list.current(project, "s1")) == ["A", "B", "C", "D", "E"]
    assert shot_list.issued(project, "s1") == 5


def test_a_prompt_set_stays_with_its_shot_through_every_edit(project: Project) -> None:
    from aiuteur_desktop.core.production import prompts

    rows = shot_list.current(project, "s1")
    shot_list.save(project, "s1", rows)
    prompts.assemble(project, "s1")
    mine = prompts.edit_video(project, "s1", "C", "MY OWN VIDEO PROMPT FOR C")

    def c_set() -> prompts.PromptSet:
        return prompts.one(project, "s1", "C")

    # Split the shot before it, reorder, delete another: C's set is still C's.
    split_at = next(i for i, s in enumerate(rows) if shot_list.can_split(s) and s.id != "C")
    rows = shot_list.split(rows, split_at, shot_list.issued(project, "s1"))
    shot_list.save(project, "s1", rows)
    assert c_set().video == mine.video and c_set().manual_video
    rows = [rows[-1], *rows[:-1]]
    shot_list.save(project, "s1", rows)
    assert c_set().video == mine.video
    rows = [s for s in rows if s.id != "E"]
    shot_list.save(project, "s1", rows)
    assert c_set().video == mine.video and c_set().label == "1C"
    # The new shot from the split has no saved set of its own; nobody inherited C's.
    new = next(s for s in rows if s.id == "F")
    assert prompts.one(project, "s1", new.id).status == Status.MISSING
    assert all(s.video != mine.video for s in prompts.prompt_sets(project, "s1") if s.shot != "C")
    # A merge keeps the first shot's letter, and its set (outdated: its content grew).
    pair = next(i for i in range(len(rows) - 1) if _merges(rows, i))
    first, second = rows[pair].id, rows[pair + 1].id
    kept = prompts.edit_video(project, "s1", first, f"MY PROMPT FOR {first}").video
    shot_list.save(project, "s1", shot_list.merge(rows, pair))
    after = prompts.one(project, "s1", first)
    assert after.video == kept and after.status == Status.OUTDATED
    assert second not in [x.shot for x in prompts.prompt_sets(project, "s1")]
    # Re-timing from the script keeps C where its content survives.
    back = shot_list.reset(project, "s1")
    assert "C" in [s.id for s in back]


def _merges(rows: list[timing.Shot], i: int) -> bool:
    try:
        shot_list.merge(rows, i)
    except GateClosed:
        return False
    return True
