"""Statuses kept by what decides them (a scene's folder, and the fingerprints and statuses of
its inputs from outside) are the statuses worked out afresh, document by document, after any
sequence of edits: a script edit reaching one scene, a re-derived shot, a frame that feeds
the next scene, a deletion, an edit put back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver

SCENES = 4
EDITS = ("script", "rederive", "frame", "delete", "put back")


class _Unkept:
    def __init__(self, project: Project) -> None:
        self.list_paths = project.list_paths
        self.get_object = project.get_object


def shot(s: int) -> str:
    return f"scenes/s{s}/shots/a"


def frame(s: int) -> str:
    return f"scenes/s{s}/frames/end"


def derive_shot(p: Project, s: int, n: int) -> None:
    """A shot made from its scene of the script and the end frame of the scene before."""
    keys = [f"{artifacts.SCRIPT}#scenes/s{s}"] + ([frame(s - 1)] if s else [])
    inputs = artifacts.record_inputs(p, p.branch().draft, shot(s), keys)
    p.write(shot(s), {"take": n, "inputs": inputs})


def derive_frame(p: Project, s: int, n: int) -> None:
    inputs = artifacts.record_inputs(p, p.branch().draft, frame(s), [shot(s)])
    p.write(frame(s), {"frame": n, "inputs": inputs})


def script(n: int, s: int) -> dict[str, Any]:
    return {
        "scenes": [
            {"id": f"s{k}", "text": f"scene {k} v{n if k == s else 0}"} for k in range(SCENES)
        ]
    }


def everything(store: Any, p: Project) -> dict[str, Any]:
    d = StatusDeriver(store, p.branch().draft)
    paths = [f"scenes/s{s}/{part}" for s in range(SCENES) for part in ("shots/a", "frames/end")]
    return {
        **{f"s{s}": d.scene_status(f"s{s}") for s in range(SCENES)},
        **{path: (d.status(path), d.changed_inputs(path)) for path in paths},
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(EDITS), st.integers(0, SCENES - 1)), min_size=1, max_size=12
    )
)
def test_kept_statuses_are_fresh_statuses_after_any_edits(
    tmp_path_factory: Any, steps: list[tuple[str, int]]
) -> None:
    root: Path = tmp_path_factory.mktemp("status")
    with Project.create(root, "Kept") as p:
        p.write(artifacts.SCRIPT, script(0, 0))
        for s in range(SCENES):
            derive_shot(p, s, 0)
            derive_frame(p, s, 0)
        start = everything(p, p)
        assert {v for v in start.values() if isinstance(v, Status)} == {Status.UP_TO_DATE}
        before: dict[str, Any] = {}
        for n, (what, s) in enumerate(steps, start=1):
            if what == "script":
                before[artifacts.SCRIPT] = p.read(artifacts.SCRIPT)
                p.write(artifacts.SCRIPT, script(n, s))
            elif what == "rederive":
                before[shot(s)] = p.read(shot(s))
                derive_shot(p, s, n)
            elif what == "frame":
                before[frame(s)] = p.read(frame(s))
                derive_frame(p, s, n)
            elif what == "delete":
                before[frame(s)] = p.read(frame(s))
                p.delete(frame(s))
            elif before:
                path, doc = before.popitem()
                p.write(path, doc) if doc is not None else p.delete(path)
            kept, fresh = everything(p, p), everything(_Unkept(p), p)
            assert kept == fresh, (what, s, n)


def test_after_an_edit_only_the_edited_scene_s_folder_is_listed_again(
    tmp_path: Path, monkeypatch: Any
) -> None:
    with Project.create(tmp_path, "Listed") as p:
        p.write(artifacts.SCRIPT, script(0, 0))
        for s in range(SCENES):
            derive_shot(p, s, 0)
            derive_frame(p, s, 0)
        everything(p, p)
        listed: list[str] = []
        walk = Project.list_paths

        def counted(project: Project, tree: str, prefix: str = "") -> dict[str, str]:
            listed.append(prefix)
            return walk(project, tree, prefix)

        monkeypatch.setattr(Project, "list_paths", counted)
        derive_frame(p, 2, 1)  # a frame of scene 2 made again (scene 3's shot reads it)
        after = everything(p, p)
        assert listed == ["scenes/s2"]
        assert after["s3"] is Status.CONTINUITY_BROKEN and after["s0"] is Status.UP_TO_DATE
