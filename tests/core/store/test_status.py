"""Derived status: edits flow downstream as Outdated, across scenes as Continuity Broken."""

from __future__ import annotations

from pathlib import Path

from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status, StatusDeriver, fingerprint


def derive(p: Project) -> StatusDeriver:
    return StatusDeriver(p, p.branch().draft)


def write_derived(p: Project, path: str, data: dict, inputs: list[str]) -> None:
    p.write(path, {**data, "inputs": fingerprint(p, p.branch().draft, inputs)})


def build(tmp_path: Path) -> Project:
    p = Project.create(tmp_path, "Film")
    p.write("stage3/beats", {"beats": ["storm", "rescue"]})
    write_derived(p, "stage4/script", {"text": "INT. LAMP ROOM"}, ["stage3/beats"])
    for n in (1, 2, 3):
        prev = [f"scenes/{n - 1}/end_state"] if n > 1 else []
        write_derived(p, f"scenes/{n}/shots", {"shots": n}, ["stage4/script", *prev])
        write_derived(p, f"scenes/{n}/end_state", {"frame": f"f{n}"}, [f"scenes/{n}/shots"])
    p.commit("Everything derived")
    return p


def test_fresh_derivations_are_up_to_date(tmp_path: Path) -> None:
    with build(tmp_path) as p:
        d = derive(p)
        assert {d.scene_status(s) for s in ("1", "2", "3")} == {Status.UP_TO_DATE}
        assert d.status("stage4/script") is Status.UP_TO_DATE


def test_edit_in_scene_n_outdates_it_and_breaks_continuity_after_it(tmp_path: Path) -> None:
    with build(tmp_path) as p:
        p.write("scenes/2/shots", {"shots": 99, "inputs": p.read("scenes/2/shots")["inputs"]})
        d = derive(p)
        assert d.scene_status("1") is Status.UP_TO_DATE
        assert d.status("scenes/2/end_state") is Status.OUTDATED
        assert d.scene_status("2") is Status.OUTDATED
        assert d.status("scenes/3/shots") is Status.CONTINUITY_BROKEN
        assert d.scene_status("3") is Status.CONTINUITY_BROKEN
        assert d.changed_inputs("scenes/3/shots") == {"scenes/2/end_state": Status.OUTDATED}


def test_script_edit_outdates_everything_derived_from_it(tmp_path: Path) -> None:
    with build(tmp_path) as p:
        p.write("stage4/script", {**p.read("stage4/script"), "text": "EXT. CLIFF"})
        d = derive(p)
        assert {d.scene_status(s) for s in ("1", "2", "3")} == {Status.OUTDATED}


def test_beat_edit_flags_the_beat_sheet_and_outdates_nothing(tmp_path: Path) -> None:
    # PRD §7.2: the story stays stable; the edited upstream document carries the flag.
    with build(tmp_path) as p:
        p.write("stage3/beats", {"beats": ["storm", "no rescue"]})
        d = derive(p)
        assert d.status("stage4/script") is Status.UP_TO_DATE
        assert {d.scene_status(s) for s in ("1", "2", "3")} == {Status.UP_TO_DATE}
        assert [(f.path, f.text) for f in d.flags()] == [
            ("stage3/beats", "Not up-to-date with current Script")
        ]


def test_fragment_inputs_depend_on_their_part_only(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        p.write("stage4/script", {"scenes": [{"id": "a", "t": "one"}, {"id": "b", "t": "two"}]})
        write_derived(p, "scenes/a/shots", {"n": 1}, ["stage4/script#scenes/a"])
        write_derived(p, "scenes/b/shots", {"n": 1}, ["stage4/script#scenes/b"])
        assert set(p.read("scenes/b/shots")["inputs"]) == {"stage4/script#scenes/b"}
        p.write("stage4/script", {"scenes": [{"id": "a", "t": "ONE"}, {"id": "b", "t": "two"}]})
        d = derive(p)
        assert d.scene_status("a") is Status.OUTDATED
        assert d.scene_status("b") is Status.UP_TO_DATE
        p.write("stage4/script", {"scenes": [{"id": "a", "t": "ONE"}]})
        assert derive(p).changed_inputs("scenes/b/shots") == {
            "stage4/script#scenes/b": Status.MISSING
        }


def test_status_is_per_branch_and_old_commits_keep_theirs(tmp_path: Path) -> None:
    with build(tmp_path) as p:
        clean = p.head()
        p.create_branch("Rewrite")
        p.write("scenes/1/shots", {"shots": 7, "inputs": p.read("scenes/1/shots")["inputs"]})
        assert derive(p).scene_status("2") is Status.CONTINUITY_BROKEN
        assert StatusDeriver(p, p.branch("Main").draft).scene_status("2") is Status.UP_TO_DATE
        assert StatusDeriver(p, clean.tree).scene_status("3") is Status.UP_TO_DATE


def test_deleted_input_is_reported_missing(tmp_path: Path) -> None:
    with build(tmp_path) as p:
        p.delete("scenes/1/shots")
        d = derive(p)
        assert d.changed_inputs("scenes/1/end_state") == {"scenes/1/shots": Status.MISSING}
        assert d.status("scenes/1/end_state") is Status.OUTDATED
