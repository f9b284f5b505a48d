"""Project bundles: create, reopen, versioning basics, and refusing newer formats."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import ProjectError, SchemaTooNew
from aiuteur_desktop.core.pipeline.summary import read_summary
from aiuteur_desktop.core.store import Project, stages
from aiuteur_desktop.core.store.schema import SCHEMA_VERSION


def test_create_makes_a_bundle_with_main_and_a_first_commit(tmp_path: Path) -> None:
    with Project.create(tmp_path, "The Lighthouse") as p:
        assert p.path == tmp_path / "The Lighthouse.aiuteur"
        assert (p.path / "project.db").is_file() and (p.path / "media").is_dir()
        assert p.current_branch == "Main"
        assert [c.message for c in p.log()] == ["Project created"]
    journal = (
        sqlite3.connect(tmp_path / "The Lighthouse.aiuteur" / "project.db")
        .execute("PRAGMA journal_mode")
        .fetchone()[0]
    )
    assert journal == "wal"


def test_documents_survive_reopen_and_commits_keep_old_states(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        p.write("stage2/treatment", {"text": "First draft"})
        first = p.commit("Draft one")
        p.write("stage2/treatment", {"text": "Second draft"})
        second = p.commit("Draft two")
    with Project.open(tmp_path / "Film.aiuteur") as p:
        assert p.read("stage2/treatment") == {"text": "Second draft"}
        assert p.read_tree(first.tree, "stage2/treatment") == {"text": "First draft"}
        assert [c.id for c in p.log()][:2] == [second.id, first.id]
        assert p.diff(first.id, second.id).keys() == {"stage2/treatment"}


def test_returned_documents_cannot_corrupt_the_store(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        doc = {"beats": ["a"]}
        p.write("stage3/beats", doc)
        doc["beats"].append("mutated after write")
        read = p.read("stage3/beats")
        read["beats"].append("mutated after read")
        assert p.read("stage3/beats") == {"beats": ["a"]}


def test_branch_created_from_current_state_leaves_main_untouched(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        p.write("stage1/config", {"tone": "bleak"})
        p.commit("Set tone")
        p.create_branch("Lighter")
        assert p.current_branch == "Lighter"
        p.write("stage1/config", {"tone": "hopeful"})
        p.commit("Lighter tone")
        assert p.read("stage1/config", branch="Main") == {"tone": "bleak"}
        with pytest.raises(ProjectError, match="already exists"):
            p.create_branch("lighter")


def test_switching_to_an_old_version_forks_with_a_readable_name(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        p.write("stage3/beats", {"beats": 1})
        old = p.commit("Beats 1/2: storm? rescue")
        p.write("stage3/beats", {"beats": 2})
        p.commit("Beats 2")
        fork = p.fork_from(old.id)
        assert fork.name == "Main from “Beats 1 2 storm”"
        assert p.read("stage3/beats") == {"beats": 1}
        assert p.read("stage3/beats", branch="Main") == {"beats": 2}
        assert p.fork_from(old.id).name == "Main from “Beats 1 2 storm” 2"


@pytest.mark.parametrize("bad", ["", "   ", "a/b", "what?", "x" * 121])
def test_bad_names_are_refused_with_a_reason(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ProjectError) as info:
        Project.create(tmp_path, bad)
    assert info.value.user_message
    assert not any(tmp_path.iterdir())


def test_creating_over_an_existing_project_is_refused(tmp_path: Path) -> None:
    Project.create(tmp_path, "Film").close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path, "Film")


def test_newer_schema_is_refused_and_the_bundle_is_left_unchanged(tmp_path: Path) -> None:
    Project.create(tmp_path, "Film").close()
    db = tmp_path / "Film.aiuteur" / "project.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(SchemaTooNew, match="newer version of Aiuteur"):
        Project.open(tmp_path / "Film.aiuteur")
    assert db.read_bytes() == before
    summary = read_summary(tmp_path / "Film.aiuteur")
    assert "newer version" in summary.error


def test_a_folder_without_a_project_is_not_opened(tmp_path: Path) -> None:
    (tmp_path / "Nope.aiuteur").mkdir()
    with pytest.raises(ProjectError, match="not an Aiuteur project"):
        Project.open(tmp_path / "Nope.aiuteur")


def test_garbage_database_gives_a_clear_error(tmp_path: Path) -> None:
    bundle = tmp_path / "Broken.aiuteur"
    bundle.mkdir()
    (bundle / "project.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ProjectError, match="damaged"):
        Project.open(bundle)


def test_summary_counts_locked_story_stages_on_the_current_branch(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        for stage in stages.PHASE_A[:2]:
            p.write(stage.lock_path, {"locked": True})
        p.commit("Locked two stages")
        p.create_branch("Alt")
    s = read_summary(tmp_path / "Film.aiuteur")
    assert (s.name, s.branch, s.stages_locked, s.stages_total) == ("Film", "Alt", 2, 5)
    assert s.modified > 0 and not s.error
