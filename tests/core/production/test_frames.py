"""Stage 10's Frame Dependency Manager in core (issue "Stage 10 · Frames"): a mode first,
the chain (a start frame is made from the previous shot's frame, an end frame from its own
start), Control mode's refusals, what replacing a frame outdates, start-frame-only shots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless
from aiuteur_desktop.core.operations.frame_image import FrameImage
from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status, StatusDeriver
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from tests.core.operations.test_operations import png
from tests.core.production.test_visuals import storm
from tests.screenplays import scripted_project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    register_all()
    with storm(tmp_path) as p:
        for scene in ("s1", "s2"):
            shot_list.lock(p, scene, shot_list.current(p, scene))
            for e in visuals.elements(p, scene):
                visuals.lock(p, scene, e.slug)
            prompts.assemble(p, scene)
        operations.share(p)
        yield p
        operations.unshare(p)


def make(project: Project, library: Library, scene: str, shot: str, which: str) -> str:
    """One frame through the real operation and job path, offline (free)."""
    op = FrameImage.prepare(
        project, scene, shot, which, model="offline:storyboard", source=Registry()
    )
    job = headless.run_one(library.jobs, op, Budget())
    assert job.state is JobState.SUCCEEDED, job.error
    made = frames.slot(project, scene, shot, which).chosen
    assert made is not None
    return made


def test_nothing_is_made_before_a_mode_is_chosen(project: Project) -> None:
    with pytest.raises(GateClosed, match="Choose Quick or Control mode first"):
        FrameImage.prepare(
            project, "s1", "A", "start", model="offline:storyboard", source=Registry()
        )
    frames.set_mode(project, "s1", frames.CONTROL)
    assert frames.mode_of(project, "s1") == {"mode": "control", "start_only": False}
    assert project.log()[0].message == "Frames of scene 1: Control mode"


def test_the_chain_and_control_modes_refusals(project: Project, library: Library) -> None:
    frames.set_mode(project, "s1", frames.CONTROL)
    # Shot A's end frame waits for its approved start; shot B's start for A's approved end.
    with pytest.raises(GateClosed, match="approve the start frame of shot 1A first"):
        FrameImage.prepare(project, "s1", "A", "end", model="offline:storyboard", source=Registry())
    a_start = make(project, library, "s1", "A", "start")
    with pytest.raises(GateClosed, match="approve the start frame of shot 1A first"):
        FrameImage.prepare(project, "s1", "A", "end", model="offline:storyboard", source=Registry())
    frames.approve(project, "s1", "A", "start")
    end_op = FrameImage.prepare(
        project, "s1", "A", "end", model="offline:storyboard", source=Registry()
    )
    assert end_op.reference_media == a_start  # the end frame is made from its own start
    assert end_op.references[0] == str(project.media.path(a_start))
    a_end = make(project, library, "s1", "A", "end")
    with pytest.raises(GateClosed, match="approve the end frame of shot 1A first"):
        FrameImage.prepare(
            project, "s1", "B", "start", model="offline:storyboard", source=Registry()
        )
    frames.approve(project, "s1", "A", "end")
    b_op = FrameImage.prepare(
        project, "s1", "B", "start", model="offline:storyboard", source=Registry()
    )
    assert b_op.reference_media == a_end and b_op.references[0] == str(project.media.path(a_end))
    assert "Start frame of shot 1B" in b_op.prompt
    # Quick mode does not wait for approvals.
    frames.set_mode(project, "s1", frames.QUICK)
    assert frames.blocked(project, "s1", "C", "start") is None


def test_replacing_an_end_frame_outdates_exactly_the_next_start(
    project: Project, library: Library
) -> None:
    frames.set_mode(project, "s1", frames.QUICK)
    for shot in ("A", "B", "C"):
        make(project, library, "s1", shot, "start")
        make(project, library, "s1", shot, "end")
    status = {(s.shot, s.which): s.status for s in frames.slots(project, "s1")}
    assert set(status[k] for k in status if k[0] in "ABC") == {Status.UP_TO_DATE}
    # Another end frame for shot A (a regeneration; the offline engine draws the same shot
    # the same way, so here the new image comes from elsewhere): B's start was made from
    # the first one.
    first = frames.slot(project, "s1", "A", "end").chosen
    other = project.media.put(png("blue"), "image/png")
    frames.record(project, "s1", "A", "end", other, source="uploaded")
    status = {(s.shot, s.which): s.status for s in frames.slots(project, "s1")}
    assert status[("B", "start")] == Status.OUTDATED
    assert status[("A", "start")] == status[("A", "end")] == Status.UP_TO_DATE
    # B's start is the one frame whose own input changed; the frames made from it follow
    # (derived transitively, as everywhere in the store).
    deriver = StatusDeriver(project, project.branch().draft)
    changed = {
        (s.shot, s.which): set(deriver.changed_inputs(s.path)) for s in frames.slots(project, "s1")
    }
    assert changed[("B", "start")] == {"scenes/s1/frames/A/end#chosen"}
    assert all(
        not keys or k == ("B", "start") or all(not key.endswith("A/end#chosen") for key in keys)
        for k, keys in changed.items()
    )
    assert status[("B", "end")] == status[("C", "start")] == Status.OUTDATED
    # Rolling back to the first candidate makes B's start current again.
    frames.choose(project, "s1", "A", "end", first)
    assert frames.slot(project, "s1", "B", "start").status == Status.UP_TO_DATE


def test_start_frame_only_shots_make_no_end_frame_and_cost_none(project: Project) -> None:
    wanted = dict((s.id, f) for s, f in frames.wanted(project, "s1"))
    assert wanted["D"] == prompts.START_ONLY  # a static line
    ids = [(s.shot, s.which) for s in frames.slots(project, "s1")]
    assert ("D", "end") not in ids and ("D", "start") in ids
    frames.set_mode(project, "s1", frames.QUICK)
    with pytest.raises(GateClosed, match="start-frame-only"):
        FrameImage.prepare(project, "s1", "D", "end", model="offline:storyboard", source=Registry())
    frames.set_mode(project, "s1", frames.QUICK, start_only=True)  # the whole scene
    assert all(s.which == "start" for s in frames.slots(project, "s1"))


def test_a_continuous_scene_starts_from_the_scene_befores_last_frame(
    project: Project, library: Library, tmp_path: Path
) -> None:
    # Storm Keeper's scene 2 is not CONTINUOUS: its first frame chains to nothing.
    assert frames.link(project, "s2", "A", "start") is None
    # Night Ferry's quayside runs on CONTINUOUS from the scene before.
    with scripted_project(tmp_path / "ferry", "Ferry", "night_ferry") as p:
        play = master_script.current(p)
        assert play is not None
        scenes = play.scenes()
        at = next(i for i, sc in enumerate(scenes) if sc.continuity == "CONTINUOUS")
        before, here = scenes[at - 1], scenes[at]
        last = shot_list.current(p, before.id)[-1]
        frames.set_mode(p, before.id, frames.QUICK)
        media = p.media.put(png("green"), "image/png")
        kinds = dict((s.id, f) for s, f in frames.wanted(p, before.id))
        which = "end" if kinds[last.id] == prompts.START_END else "start"
        frames.record(p, before.id, last.id, which, media)
        to = frames.link(p, here.id, shot_list.current(p, here.id)[0].id, "start")
        assert to is not None and to.media == media and "the scene before" in to.label


def test_a_child_s_description_reaches_the_offline_frame_as_a_child_s_height(
    tmp_path: Path,
) -> None:
    """Issue 42: a three-year-old was drawn as tall as his father. Stage 5's description
    gives the age; the frame's shot spec carries the height it means."""
    from aiuteur_desktop.core.assets import masters, stature
    from aiuteur_desktop.core.operations.frame_image import references

    register_all()
    with storm(tmp_path / "child") as p:
        masters.update(p, "assets/eli", description="ELI, AGE 6, in a yellow raincoat")
        p.commit("Eli is six")
        shot = next(s for s in shot_list.current(p, "s1") if "ELI" in s.characters)
        *_, statures = references(p, "s1", shot, "start")
        assert statures["ELI"] == pytest.approx(stature.of_age(6))
        shot_list.lock(p, "s1", shot_list.current(p, "s1"))
        for e in visuals.elements(p, "s1"):
            visuals.lock(p, "s1", e.slug)
        prompts.assemble(p, "s1")
        frames.set_mode(p, "s1", frames.QUICK)
        op = FrameImage.prepare(
            p, "s1", shot.id, "start", model="offline:storyboard", source=Registry()
        )
        assert op.spec is not None
        drawn = {c["name"].upper(): c["stature"] for c in op.spec["characters"]}
        assert drawn["ELI"] == pytest.approx(stature.of_age(6)) and drawn["ELI"] < 0.7
