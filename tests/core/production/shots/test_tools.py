"""Stage 7's agentic tools in core (issue "Stages 8–9"): a model's split or rewording is
checked against the shot's own text — nothing invented, no line lost — and refused in one
line otherwise; tempo notes only name the scene's shots; the requests see one scene."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production.shots import shot_list, timing, tools
from aiuteur_desktop.core.production.shots.tools import RefusedAnswer
from aiuteur_desktop.core.store import Project
from tests.screenplays import scripted_project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with scripted_project(tmp_path, "Heist", "kitchen_heist") as p:
        masters.extract_into(p)
        yield p


def with_both(project: Project) -> tuple[list[timing.Shot], int]:
    """Scene 1 with its shots D and E as one (action, then two lines), as a filmmaker's merge
    makes it: the shot a split has most to get wrong."""
    rows = shot_list.current(project, "s1")
    d, e = rows[3], rows[4]
    merged = shot_list.refit(d, d.action, e.dialogue)
    return [*rows[:3], merged], 3


def part(action: str = "", lines: list[timing.Line] | None = None, size: str = "") -> dict:
    return {
        "action": action,
        "dialogue": [{"character": d.character, "text": d.text} for d in lines or []],
        "shot_size": size,
    }


def test_a_faithful_split_becomes_two_shots_with_the_shots_own_lines(project: Project) -> None:
    rows, i = with_both(project)
    shot = rows[i]
    answer = {"shots": [part(shot.action, [], "WS"), part("", list(shot.dialogue), "cu")]}
    new = tools.apply_split(rows, i, answer, shot_list.issued(project, "s1"))
    assert len(new) == len(rows) + 1
    first, second = new[i], new[i + 1]
    assert (first.id, second.id) == (shot.id, "F")  # A–E were given: F is the next
    assert first.action == shot.action and first.dialogue == () and first.shot_size == "WS"
    assert second.dialogue == shot.dialogue and second.shot_size == "CU"  # parentheticals kept
    assert new[:i] == rows[:i] and new[i + 2 :] == rows[i + 1 :]


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        ("invented action", "adds words that are not in the shot"),
        ("dropped line", "drops the line"),
        ("changed line", "changes or adds a line"),
        ("added line", "adds a line"),
        ("reordered lines", "leaves out or reorders"),
        ("lost action", "leaves out"),
        ("one shot", "two shots"),
        ("empty shot", "leaves a shot empty"),
    ],
)
def test_a_split_that_invents_or_loses_anything_is_refused(
    project: Project, broken: str, words: str
) -> None:
    rows, i = with_both(project)
    before = [dataclasses.replace(r) for r in rows]
    shot = rows[i]
    lines = list(shot.dialogue)
    good = [part(shot.action), part("", lines)]
    answers = {
        "invented action": [part(shot.action + " A cat walks in."), part("", lines)],
        "dropped line": [part(shot.action), part("", lines[:-1])],
        "changed line": [
            part(shot.action),
            part("", [dataclasses.replace(lines[0], text="Hi."), *lines[1:]]),
        ],
        "added line": [part(shot.action), part("", [*lines, timing.Line("JUNE", "One more.")])],
        "reordered lines": [part(shot.action), part("", list(reversed(lines)))],
        "lost action": [part(""), part("", lines)],
        "one shot": good[:1],
        "empty shot": [part(""), part(shot.action, lines)] if broken == "empty shot" else good,
    }
    with pytest.raises(RefusedAnswer, match=words) as err:
        tools.apply_split(rows, i, {"shots": answers[broken]}, 0)
    assert "nothing was changed" in err.value.user_message and "\n" not in err.value.user_message
    assert rows == before


def test_a_reword_keeps_the_shots_people_and_refuses_newcomers(project: Project) -> None:
    rows = shot_list.current(project, "s1")
    shot = next(s for s in rows if s.action and len(s.characters) >= 2)
    cu = dataclasses.replace(shot, shot_size="CU")
    cast = ["JUNE", "TOMMY", "DANA", "JUNE PARKER"]
    kept = tools.apply_reword(
        cu, {"action": "Close on June's hands.", "characters": ["JUNE"]}, cast
    )
    assert (kept.action, kept.characters, kept.dialogue) == (
        "Close on June's hands.",
        ("JUNE",),
        cu.dialogue,
    )
    with pytest.raises(RefusedAnswer, match="brings in DANA"):
        tools.apply_reword(cu, {"action": "Dana watches.", "characters": ["DANA"]}, cast)
    with pytest.raises(RefusedAnswer, match="brings in DANA"):
        tools.apply_reword(cu, {"action": "Dana watches June.", "characters": []}, cast)
    with pytest.raises(RefusedAnswer, match="empty"):
        tools.apply_reword(cu, {"action": " ", "characters": []}, cast)
    with pytest.raises(RefusedAnswer, match="far longer"):
        tools.apply_reword(cu, {"action": "June " * 2000, "characters": []}, cast)


def test_tempo_notes_name_only_the_scenes_shots(project: Project) -> None:
    rows = shot_list.current(project, "s1")
    notes = tools.tempo_notes(
        rows,
        {"notes": [{"shot": "B", "note": "Split it."}, {"shot": "1C", "note": "Lengthen."},
                   {"shot": "Q", "note": "Not a shot."}]},
    )  # fmt: skip
    assert notes == {"B": "Split it.", "C": "Lengthen."}


def test_the_requests_see_this_scene_only(project: Project) -> None:
    rows, i = with_both(project)
    ask = tools.split_ask(project, "s1", rows[i])
    text = "\n".join(ask.values.values())
    assert "Not my harbour." not in text and "Yippee-ki-yay" not in text  # scenes 2 and 3
    assert ask.schema == "SplitOut" and ask.stage == 7
    tempo = tools.tempo_ask(project, "s1", rows)
    assert "Licence." not in "\n".join(tempo.values.values())
