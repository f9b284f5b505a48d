"""Permanent scene ids: an edited shot list (and later frames and paid takes) stays with its
scene when scenes are added, removed or moved around it, when the opening becomes a scene,
through a re-import, and in a project stored before ids were permanent."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aiuteur_desktop.core import story
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script
from tests.screenplays import play, scripted_project


def _edited(project: Project, scene_id: str) -> list[shot_list.Shot]:
    """Split the scene's first shot and save the list: the filmmaker's own work."""
    rows = shot_list.split(shot_list.current(project, scene_id), 0)
    shot_list.save(project, scene_id, rows)
    project.commit("edited shots")
    return rows


def _heading_of(project: Project, scene_id: str) -> str:
    current = master_script.current(project)
    assert current is not None
    return master_script.scene(current, scene_id).heading


def _edit(project: Project, change) -> None:  # type: ignore[no-untyped-def]
    """Edit the script as the Stage 4 editor does: from the stored script, ids and all."""
    current = master_script.current(project)
    assert current is not None
    elements = list(current.elements)
    change(elements)
    story.edit_script(project, sp.Screenplay(current.title_page, tuple(elements)))
    project.commit("script edit")


def _scene_block(elements: list[sp.Element], heading: str) -> tuple[int, int]:
    start = next(i for i, e in enumerate(elements) if e.text == heading)
    end = next(
        (i for i in range(start + 1, len(elements)) if elements[i].type == sp.SCENE_HEADING),
        len(elements),
    )
    return start, end


def _film_rows(project: Project, scene_id: str) -> list[shot_list.Shot]:
    return [s for s in shot_list.film(project) if s.scene_id == scene_id]


def test_a_list_stays_with_its_scene_when_scenes_are_added_removed_or_moved(
    tmp_path: Path,
) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist")
    sid = "s3"
    heading = _heading_of(project, sid)
    rows = _edited(project, sid)
    before = [(r.action, r.dialogue) for r in rows]

    def check(label: str) -> None:
        assert _heading_of(project, sid) == heading
        assert shot_list.status(project, sid) == Status.UP_TO_DATE, label
        got = _film_rows(project, sid)
        assert [(r.action, r.dialogue) for r in got] == before, label
        assert {r.heading for r in got} == {heading}

    # A new scene before it: its number moves on, its id and list do not.
    _edit(
        project,
        lambda els: els.insert(
            _scene_block(els, heading)[0],
            sp.Element(sp.SCENE_HEADING, "EXT. ALLEY - NIGHT"),
        ),
    )
    check("inserted before")
    new = master_script.current(project)
    assert new is not None
    labels = {s.id: s.label for s in new.scenes()}
    assert labels[sid] == "4" and len(labels) == 6
    assert sorted(set(labels) - {"s1", "s2", "s3", "s4", "s5"}) == ["s6"]  # a fresh id

    # The scene before it deleted.
    def delete_first(els: list[sp.Element]) -> None:
        a, b = _scene_block(els, "INT. KITCHEN - NIGHT")
        del els[a:b]

    _edit(project, delete_first)
    check("deleted before")

    # It moves to the end of the script.
    def move_to_end(els: list[sp.Element]) -> None:
        a, b = _scene_block(els, heading)
        block = els[a:b]
        del els[a:b]
        els.extend(block)

    _edit(project, move_to_end)
    check("moved")
    moved = master_script.current(project)
    assert moved is not None and moved.scenes()[-1].id == sid

    # An opening typed before the first heading becomes a scene of its own, with a new id.
    _edit(project, lambda els: els.insert(0, sp.Element(sp.ACTION, "Black. A siren, far off.")))
    check("opening added")
    opened = master_script.current(project)
    assert opened is not None
    first = opened.scenes()[0]
    assert first.heading == "" and first.id == "s7"  # ids are never handed out twice

    # A deleted scene's id is not reused by the next new scene.
    def add_at_end(els: list[sp.Element]) -> None:
        els.append(sp.Element(sp.SCENE_HEADING, "EXT. ROOFTOP - DAWN"))

    _edit(project, add_at_end)
    last = master_script.current(project)
    assert last is not None
    assert last.scenes()[-1].id == "s8" and "s1" not in {s.id for s in last.scenes()}


def test_reimport_matches_scenes_by_text_then_heading_and_says_what_it_could_not(
    tmp_path: Path,
) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist")
    original = play("kitchen_heist")
    elements = list(original.elements)
    a, b = _scene_block(elements, "INT./EXT. TOMMY'S VAN - MOVING - NIGHT")
    van = elements[a:b]
    del elements[a:b]
    elements[0:0] = [sp.Element(sp.SCENE_HEADING, "EXT. GAS STATION - NIGHT"), *van]
    _commit, matching = master_script.import_screenplay(
        project, sp.Screenplay(original.title_page, tuple(elements)), "heist-v2.fountain"
    )
    current = master_script.current(project)
    assert current is not None
    by_heading = {s.heading: s.id for s in current.scenes()}
    assert by_heading["INT./EXT. TOMMY'S VAN - MOVING - NIGHT"] == "s4"  # moved, same text
    assert by_heading["EXT. GAS STATION - NIGHT"] == "s6"  # new
    assert (matching.matched, matching.new, matching.gone) == (5, ["1"], [])
    assert "5 scenes matched" in master_script.matching_summary(matching)


def test_a_project_stored_before_permanent_ids_keeps_its_lists(tmp_path: Path) -> None:
    """The old format: ids by position, no id counter, the opening kept apart in the
    preamble, shot lists fingerprinting the whole scene (`#scenes/s2`)."""
    project = Project.create(tmp_path, "Old")
    heist = play("kitchen_heist")
    doc = master_script.to_document(heist)
    del doc["next_scene"]
    doc["preamble"] = [{"type": "action", "text": "Black. Rain on the window."}]
    project.write(artifacts.SCRIPT, artifacts.make(doc, new_derivation=True))
    tree = project.branch().draft
    rows = shot_list.split(shot_list.timed(project, "s2"), 0)
    legacy_key = f"{artifacts.SCRIPT}#scenes/s2"
    inputs = artifacts.record_inputs(project, tree, shot_list.path("s2"), [legacy_key])
    numbered = [dataclasses.replace(r, id=str(i)) for i, r in enumerate(rows, 1)]  # as then
    content = {"shots": [shot_list.to_dict(r) for r in numbered], "locked": True}
    project.write(shot_list.path("s2"), artifacts.make(content, inputs=inputs))
    project.commit("made by an older version")
    project.close()

    project = Project.open(tmp_path / "Old.aiuteur")
    current = master_script.current(project)
    assert current is not None
    scenes = current.scenes()
    # The opening is a scene now, with the next free id; s1… stay on their headings.
    assert (scenes[0].heading, scenes[0].id) == ("", "s6")
    assert [s.id for s in scenes[1:]] == ["s1", "s2", "s3", "s4", "s5"]
    assert scenes[2].heading == "EXT. KITCHEN - DAY"
    assert shot_list.status(project, "s2") == Status.UP_TO_DATE
    assert len(_film_rows(project, "s2")) == len(rows)

    # The first hand edit after the upgrade (in another scene) outdates nothing of s2's.
    def edit_last(els: list[sp.Element]) -> None:
        i = max(k for k, e in enumerate(els) if e.type == sp.ACTION)
        els[i] = dataclasses.replace(els[i], text=els[i].text + " The end.")

    _edit(project, edit_last)
    assert shot_list.status(project, "s2") == Status.UP_TO_DATE
    stored = project.read(shot_list.path("s2"))
    assert isinstance(stored, dict)
    assert master_script.scene_key("s2") in stored["inputs"]
    assert shot_list.is_locked(project, "s2")
    project.close()
