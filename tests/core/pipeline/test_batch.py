"""Scenes taken to their frames in one go: the steps that need no judgement are done scene
after scene, each as its page makes it; the batch stops at the first scene that needs a
decision and says why; nothing is spent (what is left is the list of frames to make)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core import story
from aiuteur_desktop.core.pipeline import batch
from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from tests.core.production.test_visuals import storm


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        story.lock(p, 4, "Approved Master Script")
        yield p


def scene_ids(project: Project) -> list[str]:
    play = master_script.current(project)
    assert play is not None
    return [s.id for s in play.scenes()]


def test_every_scene_is_taken_to_its_frames(project: Project) -> None:
    scenes = scene_ids(project)
    commits = len(project.log())
    seen: list[tuple[float, str]] = []
    done = batch.advance(project, scenes, progress=lambda f, what: seen.append((f, what)))
    assert done.stopped_at is None and done.ready == scenes
    for scene in scenes:
        assert shot_list.is_locked(project, scene)
        assert visuals.gate(project, scene) is None  # every inherited look accepted
        assert prompts.gate(project, scene) is None
        assert (frames.mode_of(project, scene) or {}).get("mode") == frames.QUICK
    # What is left to make: every frame of every scene, none made yet.
    wanted = [(scene, s.shot, s.which) for scene in scenes for s in frames.slots(project, scene)]
    assert [(f.scene, f.shot, f.which) for f in done.to_make] == wanted
    assert done.locked_shot_lists == len(scenes) and done.locked_looks > 0
    assert done.assembled == sum(len(shot_list.current(project, s)) for s in scenes)
    assert len(project.log()) > commits and not project.is_dirty()  # each step one commit
    assert seen[0][0] == 0.0 and seen[-1] == (1.0, "Done")
    assert "ready for frames" in done.summary()
    # Again: nothing left to do, and the same frames to make.
    again = batch.advance(project, scenes)
    assert again.locked_shot_lists == again.locked_looks == again.assembled == 0
    assert again.to_make == done.to_make


def test_it_stops_at_the_first_scene_that_needs_a_decision(project: Project) -> None:
    first, second = scene_ids(project)[:2]
    visuals.create_scene_asset(project, second, "prop", "Cracked lantern")
    project.commit("A new prop")
    done = batch.advance(project, scene_ids(project))
    assert done.ready == [first] and done.stopped_at == second and done.stage == 8
    assert "Cracked lantern" in done.why and "Stage 8" in done.why
    label = master_script.label_of(project, second)
    assert done.stop_text(lambda s: master_script.label_of(project, s)).startswith(
        f"Stopped at scene {label}: decide the starting look of Cracked lantern"
    )
    # The scene before it went all the way; the one it stopped at kept its looks undecided.
    assert prompts.gate(project, first) is None
    assert shot_list.is_locked(project, second)  # (locking its shots needed no judgement)
    assert visuals.gate(project, second) is not None
    assert all(f.scene == first for f in done.to_make)


def test_a_scene_in_control_mode_is_left_to_its_filmmaker(project: Project) -> None:
    first = scene_ids(project)[0]
    batch.advance(project, [first])
    frames.set_mode(project, first, frames.CONTROL)
    done = batch.advance(project, [first])
    assert done.stopped_at == first and done.stage == 10 and "Control mode" in done.why
    assert done.to_make == []


def test_it_can_be_stopped_between_scenes(project: Project) -> None:
    scenes = scene_ids(project)
    asked = iter([False, True])
    done = batch.advance(project, scenes, cancelled=lambda: next(asked, True))
    assert done.cancelled and done.ready == scenes[:1]
    assert done.stop_text(str) == "Stopped as you asked; what was done is kept."
    assert not shot_list.is_locked(project, scenes[1])
