"""Derived views kept by content (issue "A feature film's screenplay, at the speed of a short"):
whatever the filmmaker does — edit the script, split or merge shots, lock a look, edit a
prompt, make and approve a frame, switch timelines, put an older version back — what the
pages and operations read from the kept views is exactly what a fresh derivation gives, and
the kept views stay within their memory bound."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.derived import DerivedCache
from aiuteur_desktop.core.store.status import StatusDeriver
from aiuteur_desktop.core.story import master_script
from tests.core.production.test_visuals import storm
from tests.screenplays import edit_line

SCENES = ("s1", "s2")
RAIN = "Thunder CRACKS. Rain lashes the glass."
EDITS = ("script", "split", "merge", "look", "prompt", "frame", "branch", "undo")
_counter = itertools.count()


class _Unkept:
    """The store's reads with nothing remembered: statuses worked out document by document."""

    def __init__(self, project: Project) -> None:
        self.list_paths = project.list_paths
        self.get_object = project.get_object


def statuses(store: Any, project: Project, scene: str) -> dict[str, Any]:
    deriver = StatusDeriver(store, project.branch().draft)
    paths = sorted(p for p in project.list_paths(project.branch().draft) if "/" in p)
    return {
        "scene": deriver.scene_status(scene),
        **{p: deriver.status(p) for p in paths},
        **{p: deriver.changed_inputs(p) for p in paths if p.startswith(f"scenes/{scene}/")},
    }


def fresh(project: Project, scene: str) -> tuple[Any, ...]:
    """The derivations made anew from the stored documents, bypassing every kept view."""
    doc = project.read(artifacts.SCRIPT)
    return (
        master_script.from_document(doc) if doc is not None else None,
        list(frames._slots(project, scene)),
        prompts._prompt_sets(project, scene),
        visuals._elements(project, scene),
        statuses(_Unkept(project), project, scene),
    )


def kept(project: Project, scene: str) -> tuple[Any, ...]:
    return (
        master_script.current(project),
        frames.slots(project, scene),
        prompts.prompt_sets(project, scene),
        visuals.elements(project, scene),
        statuses(project, project, scene),
    )


def edit(project: Project, what: str, scene: str, n: int, undo: list[tuple[str, Any]]) -> None:
    """One edit as the pages make it; what it overwrote is kept for a later "undo"."""
    rows = shot_list.current(project, scene)
    if what == "script":
        before = project.read(artifacts.SCRIPT)
        edit_line(project, "storm_keeper", RAIN, f"Thunder CRACKS. Rain lashes the glass {n}.")
        undo.append((artifacts.SCRIPT, before))
    elif what == "split" and rows and shot_list.can_split(rows[0]):
        undo.append((shot_list.path(scene), project.read(shot_list.path(scene))))
        given = shot_list.issued(project, scene)
        shot_list.save(project, scene, shot_list.split(rows, 0, given))
    elif what == "merge" and len(rows) >= 2:
        undo.append((shot_list.path(scene), project.read(shot_list.path(scene))))
        shot_list.save(project, scene, shot_list.merge(rows, 0))
    elif what == "look":
        looks = visuals.elements(project, scene)
        if looks:
            e = looks[n % len(looks)]
            undo.append((e.path, project.read(e.path)))
            if e.review == visuals.LOCKED:
                visuals.unlock(project, scene, e.slug)
            else:
                visuals.lock(project, scene, e.slug)
    elif what == "prompt" and rows:
        path = prompts.path(scene, rows[0].id)
        undo.append((path, project.read(path)))
        if project.read(path) is None:
            prompts.assemble(project, scene)
        else:
            prompts.edit_video(project, scene, rows[0].id, f"Mara waits, take {n}.")
    elif what == "frame" and rows:
        slot = frames.slots(project, scene)[0]
        undo.append((slot.path, project.read(slot.path)))
        media = project.media.put(f"frame {n}".encode(), "image/png")
        frames.record(project, scene, slot.shot, slot.which, media, prompt="a frame")
        if n % 2:
            frames.approve(project, scene, slot.shot, slot.which)
    elif what == "branch":
        project.commit(f"before timeline {n}")
        names = [b.name for b in project.branches()]
        if len(names) > 1 and n % 2:
            project.switch_branch(names[n % len(names)])
        else:
            project.switch_branch(project.create_branch(f"Take {next(_counter)}").name)
    elif what == "undo" and undo:
        path, doc = undo.pop()
        if doc is None:
            project.delete(path)
        else:
            project.write(path, doc)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.sampled_from(SCENES)), max_size=10))
def test_kept_views_match_a_fresh_derivation_after_every_edit(
    tmp_path_factory: Any, steps: list[tuple[str, str]]
) -> None:
    with storm(tmp_path_factory.mktemp("derived")) as project:
        for scene in SCENES:
            shot_list.lock(project, scene, shot_list.current(project, scene))
            prompts.assemble(project, scene)
        frames.set_mode(project, "s1", frames.QUICK)
        undo: list[tuple[str, Any]] = []
        for scene in SCENES:
            assert kept(project, scene) == fresh(project, scene)
        for n, (what, scene) in enumerate(steps):
            # A refusal (a merge longer than a shot) changes nothing, as the page says.
            with contextlib.suppress(GateClosed):
                edit(project, what, scene, n, undo)
            for other in SCENES:
                assert kept(project, other) == fresh(project, other), (what, scene, n)


def test_the_same_content_is_derived_once(tmp_path: Path) -> None:
    with storm(tmp_path) as project:
        first = master_script.current(project)
        slots = frames.slots(project, "s1")  # its prompt sets and the script's sentences too
        made = project._derived.made
        for _ in range(5):
            assert master_script.current(project) is first  # one parse, shared
            assert frames.slots(project, "s1") == slots
        assert project._derived.made == made  # nothing worked out again
        before = project.read(artifacts.SCRIPT)
        edit_line(project, "storm_keeper", RAIN, "Thunder CRACKS. Rain lashes the roof.")
        assert master_script.current(project) is not first
        project.write(artifacts.SCRIPT, before)  # put back: the same content, the same value
        assert master_script.current(project) is first


def test_the_kept_views_stay_within_their_bound_when_every_scene_is_visited() -> None:
    cache = DerivedCache(budget=1_000_000)
    for scene in range(200):
        cache.get_or_make(("elements", f"tree{scene}"), lambda: (object(), 64 * 1024))
        assert cache.weight <= cache.budget
    assert len(cache) == 1_000_000 // (64 * 1024)  # the 15 most recent
    hit = cache.get_or_make(("elements", "tree199"), lambda: (None, 1))
    assert hit is not None  # the last visited is still kept


def test_a_view_worked_out_while_the_draft_changed_is_not_kept(tmp_path: Path) -> None:
    """A worker's commit landing while a view is worked out: the view read newer documents
    than its key names, so it is not kept — an undo back to that state gets a fresh one."""
    with storm(tmp_path) as project:

        def racing() -> str:
            project.write("notes/race", {"written": "meanwhile"})
            return "read after the write"

        assert project.at_draft("race", racing) == "read after the write"
        project.delete("notes/race")  # the draft is back to what the key named
        assert project.at_draft("race", lambda: "fresh") == "fresh"
