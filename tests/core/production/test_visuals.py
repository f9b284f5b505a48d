"""Stage 8 · Visuals in core (issue "Stages 8–9"): a scene's elements found from its shots
and the master assets, inheritance of scene instances with condition tags, derived status
across scenes, the Asset Drawer's additions, scene style and the gate to Stage 9."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production import prompts, scene_style, visuals
from aiuteur_desktop.core.production.visuals import Condition
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from tests.screenplays import scripted_project


def storm(folder: Path) -> Project:
    """Storm Keeper with its master assets extracted and one master prop."""
    p = scripted_project(folder, "Storm", "storm_keeper")
    masters.extract_into(p)
    masters.add(p, "prop", "brass key", "A heavy brass key, green with age, on a leather loop")
    masters.update(p, "assets/mara", voice="low, steady alto")
    p.commit("Props and voices")
    return p


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        yield p


def table(project: Project, scene: str) -> list[tuple[str, str, tuple[str, ...], str, str]]:
    return [
        (e.kind, e.name, e.shots, e.first_shot, e.variant) for e in visuals.elements(project, scene)
    ]


def test_each_scenes_element_list_is_exact(project: Project) -> None:
    assert table(project, "s1") == [
        ("character", "MARA", ("A", "B", "D"), "1A", ""),
        ("character", "ELI", ("C",), "1C", ""),
        ("location", "LIGHTHOUSE LAMP ROOM", ("A", "B", "C", "D"), "1A", "INT · NIGHT"),
        ("prop", "brass key", ("A",), "1A", ""),
    ]
    assert table(project, "s2") == [
        ("character", "MARA", ("A", "B"), "2A", ""),
        ("location", "LIGHTHOUSE GALLERY", ("A", "B"), "2A", "EXT · NIGHT"),
    ]
    assert table(project, "s3") == [
        ("character", "MARA", ("A", "B"), "3A", ""),
        ("character", "ELI", ("A", "B"), "3A", ""),
        ("location", "LIGHTHOUSE LAMP ROOM", ("A", "B"), "3A", "INT · DAWN"),
        ("prop", "brass key", ("A",), "3A", ""),
    ]
    first = visuals.elements(project, "s1")
    assert {(e.source, e.review, e.status) for e in first} == {
        (visuals.MASTER, visuals.UNREVIEWED, Status.MISSING)
    }
    assert first[0].description.startswith("MARA QUILL (30s, oilskin coat")


def test_an_instance_edited_in_scene_2_is_what_scene_3_inherits(project: Project) -> None:
    master_before = masters.read(project, "assets/mara")
    visuals.save(
        project,
        "s2",
        "mara",
        description="Oilskin coat soaked through, grey hair plastered to her face.",
        conditions=[Condition("Wet", carries=True), Condition("Wind-blown", carries=False)],
    )
    visuals.commit_edits(project, "s2")
    s2 = visuals.element(project, "s2", "mara")
    assert (s2.review, s2.source) == (visuals.EDITED, visuals.MASTER)
    s3 = visuals.element(project, "s3", "mara")
    assert s3.description == "Oilskin coat soaked through, grey hair plastered to her face."
    assert s3.source == visuals.PRIOR and s3.source_label == "Scene 2 – Wet, Wind-blown"
    # A tag without "carries" stops at the end of its scene.
    assert s3.conditions == (Condition("Wet", True),)
    assert s3.visual().endswith("Condition: Wet.")
    # The master asset is never written from Stage 8; scene 1 still sees it.
    assert masters.read(project, "assets/mara") == master_before
    assert visuals.element(project, "s1", "mara").description.startswith("MARA QUILL")


def test_editing_scene_2_marks_scene_3s_instances_and_prompt_sets(project: Project) -> None:
    visuals.save(project, "s2", "mara", description="Soaked oilskin coat.")
    for e in visuals.elements(project, "s3"):
        visuals.lock(project, "s3", e.slug)
    assert visuals.gate(project, "s3") is None
    prompts.assemble(project, "s1")
    prompts.assemble(project, "s3")
    assert {s.status for s in prompts.prompt_sets(project, "s3")} == {Status.UP_TO_DATE}

    visuals.save(project, "s2", "mara", description="Soaked oilskin coat, a torn sleeve.")
    mara3 = visuals.element(project, "s3", "mara")
    assert mara3.status == Status.CONTINUITY_BROKEN  # changed upstream, in another scene
    assert visuals.element(project, "s3", "eli").status == Status.UP_TO_DATE
    sets = {s.shot: s.status for s in prompts.prompt_sets(project, "s3")}
    assert sets == {"A": Status.CONTINUITY_BROKEN, "B": Status.CONTINUITY_BROKEN}
    assert {s.status for s in prompts.prompt_sets(project, "s1")} == {Status.UP_TO_DATE}
    assert "MARA" in (visuals.gate(project, "s3") or "")


def test_a_look_made_in_an_earlier_scene_later_reaches_the_scenes_that_inherit(
    project: Project,
) -> None:
    # Scene 3 is prepared from Mara's master look (no instance anywhere yet) …
    visuals.lock(project, "s3", "mara")
    prompts.assemble(project, "s3")
    unlocked_sets = {s.status for s in prompts.prompt_sets(project, "s3")}
    assert unlocked_sets == {Status.UP_TO_DATE}
    # … then scene 2 gets its own look: what scene 3 inherits changed.
    visuals.save(project, "s2", "mara", description="Soaked oilskin coat.")
    assert visuals.element(project, "s3", "mara").status == Status.CONTINUITY_BROKEN
    assert {s.status for s in prompts.prompt_sets(project, "s3")} == {Status.CONTINUITY_BROKEN}
    # The same for a scene whose look was never reviewed (its sets recorded the master).
    prompts.assemble(project, "s2")
    visuals.save(project, "s1", "mara", description="Dry oilskin coat, hood down.")
    assert Status.CONTINUITY_BROKEN in {s.status for s in prompts.prompt_sets(project, "s2")}
    # Locking again and re-assembling brings the new look into the prompts.
    back = visuals.reset_to_inherited(project, "s3", "mara")
    assert (back.review, back.source_label) == (visuals.UNREVIEWED, "Scene 2")
    visuals.lock(project, "s3", "mara")
    prompts.assemble(project, "s3")
    assert "Soaked oilskin coat." in prompts.one(project, "s3", "A").start_frame


def test_the_asset_drawer_adds_masters_and_scene_only_assets(project: Project) -> None:
    e = visuals.add_from_master(project, "s2", "assets/brass-key")
    assert (e.added, e.first_shot, e.source) == (True, "", visuals.MASTER)
    assert [x.name for x in visuals.elements(project, "s2")][-1] == "brass key"
    lantern = visuals.create_scene_asset(
        project, "s2", "prop", "Storm lantern", "Tin, cracked glass"
    )
    assert (lantern.source, lantern.master) == (visuals.NEW, None)
    with pytest.raises(GateClosed, match="already an asset"):
        visuals.create_scene_asset(project, "s2", "prop", "storm  lantern")
    with pytest.raises(GateClosed, match="cannot be taken out"):
        visuals.remove_added(project, "s2", "mara")
    visuals.remove_added(project, "s2", "brass-key")
    assert "brass key" not in [x.name for x in visuals.elements(project, "s2")]
    master = visuals.promote(project, "s2", "storm-lantern")
    assert masters.read(project, master)["description"] == "Tin, cracked glass"
    assert visuals.element(project, "s2", "storm-lantern").master == master
    assert visuals.element(project, "s1", "mara").master == "assets/mara"


def test_the_gate_waits_for_every_element_to_be_locked(project: Project) -> None:
    reason = visuals.gate(project, "s2")
    assert reason is not None and "MARA" in reason and "LIGHTHOUSE GALLERY" in reason
    visuals.lock(project, "s2", "mara")  # accepting the inherited look as it is
    assert project.log()[0].message == "Locked MARA for scene 2"
    assert "MARA" not in (visuals.gate(project, "s2") or "")
    visuals.lock(project, "s2", "lighthouse-gallery")
    assert visuals.gate(project, "s2") is None
    assert visuals.element(project, "s2", "mara").review == visuals.LOCKED


def test_a_scene_style_outdates_that_scenes_prompts_only(project: Project) -> None:
    masters.set_style_lock(project, "Storm Noir", "Black and white, hard rim light")
    prompts.assemble(project, "s1")
    prompts.assemble(project, "s2")
    assert "Style: Black and white" in prompts.one(project, "s2", "A").start_frame
    scene_style.choose(project, "s2", "Dawn Pastel", "Soft pastel watercolour")
    assert scene_style.of(project, "s2")["own"] is True
    assert {s.status for s in prompts.prompt_sets(project, "s2")} == {Status.OUTDATED}
    assert {s.status for s in prompts.prompt_sets(project, "s1")} == {Status.UP_TO_DATE}
    prompts.assemble(project, "s2")
    again = prompts.one(project, "s2", "A")
    assert "Soft pastel watercolour" in again.start_frame and "Dawn Pastel" in again.video
    scene_style.choose(project, "s2", "", "")
    assert scene_style.of(project, "s2")["library"] == "Storm Noir"
