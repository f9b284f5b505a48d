"""Media store (content-addressed, metadata per file) and automatic schema migrations."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, insert

from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import Project, schema
from aiuteur_desktop.core.store.schema import SCHEMA_VERSION


def png(w: int, h: int, colour: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), colour).save(buf, "PNG")
    return buf.getvalue()


def test_media_is_content_addressed_deduplicated_and_described(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        data = png(64, 36)
        a = p.media.put(data, "image/png")
        b = p.media.put(data, "image/png")
        assert a == b
        path = p.media.path(a)
        assert path.parent.name == a[:2] and path.read_bytes() == data
        assert [f for f in path.parent.iterdir() if f.name.startswith(".tmp")] == []
        info = p.media.info(a)
        assert info is not None
        assert (info.mime, info.size, info.width, info.height) == ("image/png", len(data), 64, 36)
        assert p.media.verify(a)
        path.write_bytes(b"tampered")
        assert not p.media.verify(a)


def test_unknown_or_malformed_media_ids_are_refused(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        with pytest.raises(ProjectError):
            p.media.path("../../etc/passwd")
        with pytest.raises(ProjectError, match="missing"):
            p.media.read("0" * 64)


def test_an_older_bundle_is_migrated_on_open_and_keeps_its_history(tmp_path: Path) -> None:
    # Build a genuine schema-1 bundle: only the first migration, as an old app wrote it.
    with Project.create(tmp_path, "Old") as p:
        p.write("stage1/config", {"genre": "noir"})
        commit = p.commit("Before the upgrade")
    db = tmp_path / "Old.aiuteur" / "project.db"
    con = sqlite3.connect(db)
    con.execute("DROP TABLE media")
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()

    with Project.open(tmp_path / "Old.aiuteur") as p:
        assert p.meta_value("schema_version") == str(SCHEMA_VERSION)
        assert p.read("stage1/config") == {"genre": "noir"}
        assert p.head().id == commit.id
        assert p.media.info(p.media.put(png(8, 8), "image/png")) is not None


def test_every_migration_step_builds_the_current_schema_from_empty(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        for step in schema.MIGRATIONS:
            step(conn)
        conn.execute(insert(schema.meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        tables = set(engine.dialect.get_table_names(conn))
    assert {"meta", "objects", "commits", "branches", "media"} <= tables
