"""A damaged or foreign project.db is refused in plain words and never written to: the
file is byte for byte as it was (opening it for writing would switch its journal)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import ProjectError, SchemaTooNew
from aiuteur_desktop.core.store import Project


def made(tmp_path: Path) -> Path:
    with Project.create(tmp_path, "Film") as p:
        for i in range(200):
            p.write(f"notes/n{i}", {"text": f"note {i} " * 40})
        p.commit("Notes")
    return tmp_path / "Film.aiuteur" / "project.db"


def damage_documents(db: Path) -> None:
    """Random bytes over the page that stores one note (n150), and nowhere else."""
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = c.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    at = data.find(b"note 150 note 150")
    assert at > 0
    page = at // size
    data[page * size : (page + 1) * size] = random.Random(3).randbytes(size)
    db.write_bytes(bytes(data))


def refused(db: Path, expected: type[Exception], words: str) -> None:
    before = db.read_bytes()
    with pytest.raises(expected) as err:
        Project.open(db.parent)
    assert words in err.value.user_message and "\n" not in err.value.user_message
    assert db.read_bytes() == before, "a refused project.db was written to"


def test_random_bytes_over_half_the_pages(tmp_path: Path) -> None:
    db = made(tmp_path)
    data = bytearray(db.read_bytes())
    page = 4096
    rng = random.Random(7)
    for n in range(1, len(data) // page, 2):  # every other page after the first
        data[n * page : (n + 1) * page] = rng.randbytes(page)
    db.write_bytes(bytes(data))
    refused(db, ProjectError, "damaged")


def test_a_non_integer_schema_version(tmp_path: Path) -> None:
    db = made(tmp_path)
    with sqlite3.connect(db) as c:
        c.execute("UPDATE meta SET value = 'four' WHERE key = 'schema_version'")
    refused(db, ProjectError, "unknown project format ('four')")


def test_a_newer_rollback_journal_bundle_keeps_its_header(tmp_path: Path) -> None:
    db = made(tmp_path)
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA journal_mode=DELETE")  # as another tool may leave it
        c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    assert db.read_bytes()[18:20] == b"\x01\x01"  # a rollback-journal file
    refused(db, SchemaTooNew, "has not been changed")


def test_a_zero_byte_project_db_stays_empty(tmp_path: Path) -> None:
    bundle = tmp_path / "Empty.aiuteur"
    bundle.mkdir()
    (bundle / "project.db").write_bytes(b"")
    refused(bundle / "project.db", ProjectError, "empty project.db")


def test_a_foreign_sqlite_database_is_not_an_aiuteur_project(tmp_path: Path) -> None:
    bundle = tmp_path / "Other.aiuteur"
    bundle.mkdir()
    with sqlite3.connect(bundle / "project.db") as c:
        c.execute("PRAGMA journal_mode=DELETE")
        c.execute("CREATE TABLE contacts (name TEXT)")
    refused(bundle / "project.db", ProjectError, "does not contain an Aiuteur project")


def test_a_sound_project_still_opens_and_migrates(tmp_path: Path) -> None:
    db = made(tmp_path)
    with Project.open(db.parent) as p:
        assert p.read("notes/n3") == {"text": "note 3 " * 40}


def test_a_big_project_damaged_in_its_documents_opens_then_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feature's database is checked table by table before opening, its stored documents
    after (a full check of gigabytes would hold the opening for seconds)."""
    from aiuteur_desktop.core.store import checks

    db = made(tmp_path)
    damage_documents(db)
    refused(db, ProjectError, "damaged")  # a small project is checked in full before
    monkeypatch.setattr(checks, "FULL_CHECK_BYTES", 0)  # as if it were a feature's
    with Project.open(db.parent) as p:
        assert not p.checked_in_full
        assert p.branch().name == "Main"  # what the damage did not reach still reads
        assert p.read("notes/n3") == {"text": "note 3 " * 40}
        with pytest.raises(ProjectError) as unreadable:
            p.read("notes/n150")
        assert "damaged" in unreadable.value.user_message
        with pytest.raises(ProjectError) as err:
            p.verify()
        assert "damaged in places" in err.value.user_message
