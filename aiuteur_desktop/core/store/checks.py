"""A bundle's database, read read-only before anything may write to it (issue "Hostile
input"): a damaged, foreign, empty or newer project.db is refused byte for byte as it was."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from aiuteur_desktop.core.errors import ProjectError, SchemaTooNew
from aiuteur_desktop.core.store.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

DB_NAME = "project.db"
SQLITE_HEADER = b"SQLite format 3\x00"


def inspect(bundle: Path, db_path: Path) -> None:
    """Read a bundle's database read-only before anything may write to it: its header, its
    integrity and its schema version. A damaged, foreign or newer file is refused here,
    byte for byte as it was (opening it for writing would already switch its journal)."""
    try:
        with db_path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ProjectError(f"“{bundle.name}” cannot be read ({exc.strerror or exc}).") from exc
    if not header:
        raise ProjectError(f"“{bundle.name}” has an empty {DB_NAME}: there is no project in it.")
    if header != SQLITE_HEADER:
        raise ProjectError(
            f"“{bundle.name}” could not be read: its {DB_NAME} is not a database (damaged, or "
            "not made by Aiuteur). The project has not been changed."
        )
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProjectError(f"“{bundle.name}” could not be read ({exc}).") from exc
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            log.warning("integrity check of %s: %s", db_path, problems)
            raise ProjectError(
                f"“{bundle.name}” could not be read: its database is damaged. The project has "
                "not been changed; restore it from a backup or an exported archive."
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
            f"“{bundle.name}” could not be read: its database is damaged or locked ({exc}). "
            "The project has not been changed."
        ) from exc
    finally:
        conn.close()
    if row is None:
        raise ProjectError(f"{bundle} does not contain an Aiuteur project.")
    try:
        version = int(str(row[0]))
    except ValueError:
        raise ProjectError(
            f"“{bundle.name}” names an unknown project format ({str(row[0])[:40]!r}). "
            "The project has not been changed."
        ) from None
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"“{bundle.name}” was saved by a newer version of Aiuteur "
            f"(project format {version}; this app reads up to {SCHEMA_VERSION}). "
            "Update Aiuteur to open it. The project has not been changed."
        )
    if version < 1:
        raise ProjectError(f"{bundle} does not contain an Aiuteur project.")
