"""A database read read-only before anything may write to it (issue "Hostile input"): a
damaged, foreign, empty or newer project.db — or the app's own library.db — is refused
byte for byte as it was (opening it for writing would already switch its journal)."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from aiuteur_desktop.core.errors import ProjectError, SchemaTooNew
from aiuteur_desktop.core.store.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

DB_NAME = "project.db"
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Words:
    """How the messages name the file and what to do about it."""

    name: str  # "“Short Film”" / "The Aiuteur library at …"
    file: str  # "project.db" / "library.db"
    unchanged: str  # what reassures the user, said after each refusal
    remedy: str  # said after "damaged"
    update: str  # said after "newer"
    absent: str  # a database with no Aiuteur schema in it
    kind: str = "project"  # "… names an unknown project format"


#: Above this size the pages of the stored documents (the `objects` table: nine-tenths of a
#: feature's database) are checked after opening, off the UI thread (`deep_problems`), so
#: opening stays quick; every other table, and every smaller database, is checked before.
FULL_CHECK_BYTES = 64 * 1024 * 1024
_CHECKED_AFTER = ("objects",)


def checked_after_opening(db_path: Path) -> bool:
    try:
        return db_path.stat().st_size > FULL_CHECK_BYTES
    except OSError:
        return False


def _problems(conn: sqlite3.Connection, db_path: Path) -> list[str]:
    if not checked_after_opening(db_path):
        return [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if r[0] not in _CHECKED_AFTER
    ]
    for table in tables:
        quoted = table.replace('"', '""')
        found = [r[0] for r in conn.execute(f'PRAGMA quick_check("{quoted}")')]
        if found != ["ok"]:
            return found
    return ["ok"]


def deep_problems(db_path: Path) -> list[str]:
    """The whole database's quick check, read-only (what a big one's opening left for
    later): ["ok"], or what is wrong."""
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()


def inspect(bundle: Path, db_path: Path) -> None:
    """Read a bundle's database read-only: its header, its integrity and its schema version."""
    check(
        db_path,
        SCHEMA_VERSION,
        Words(
            name=f"“{bundle.name}”",
            file=DB_NAME,
            unchanged="The project has not been changed.",
            remedy="restore it from a backup or an exported archive.",
            update="Update Aiuteur to open it.",
            absent=f"{bundle} does not contain an Aiuteur project.",
        ),
    )


def check(db_path: Path, newest: int, words: Words) -> None:
    """Refuse (ProjectError / SchemaTooNew) a database that is empty, not SQLite, damaged,
    without a `meta` schema version, with a version that is not an integer, or newer than
    `newest` — reading it read-only, so nothing about the file changes."""
    try:
        with db_path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ProjectError(f"{words.name} cannot be read ({exc.strerror or exc}).") from exc
    if not header:
        raise ProjectError(f"{words.name} has an empty {words.file}: {words.absent}")
    if header != SQLITE_HEADER:
        raise ProjectError(
            f"{words.name} could not be read: its {words.file} is not a database (damaged, or "
            f"not made by Aiuteur). {words.unchanged} To go on, {words.remedy}"
        )
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProjectError(f"{words.name} could not be read ({exc}).") from exc
    try:
        problems = _problems(conn, db_path)
        if problems != ["ok"]:
            log.warning("integrity check of %s: %s", db_path, problems)
            raise ProjectError(
                f"{words.name} could not be read: its database is damaged. {words.unchanged} "
                f"To go on, {words.remedy}"
            )
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        row = (
            conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if has_meta
            else None
        )
    except sqlite3.Error as exc:
        raise ProjectError(
            f"{words.name} could not be read: its database is damaged or locked ({exc}). "
            f"{words.unchanged}"
        ) from exc
    finally:
        conn.close()
    if row is None:
        raise ProjectError(words.absent)
    try:
        version = int(str(row[0]))
    except ValueError:
        raise ProjectError(
            f"{words.name} names an unknown {words.kind} format ({str(row[0])[:40]!r}). {words.unchanged}"
        ) from None
    if version > newest:
        raise SchemaTooNew(
            f"{words.name} was saved by a newer version of Aiuteur ({words.kind} format {version}; this "
            f"app reads up to {newest}). {words.update} {words.unchanged}"
        )
    if version < 1:
        raise ProjectError(words.absent)
