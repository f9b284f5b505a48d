"""The app library (`library.db` in the app home): settings and the project registry.

Projects are folders anywhere on disk; the registry remembers them for the
dashboard. "Removing" a project only hides it in the Removed area, from which it
can be restored or, after a second confirmation, deleted from disk.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)

from aiuteur_desktop.core.app import paths, ui_turns
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.jobs import JobStore
from aiuteur_desktop.core.money.approvals import Approvals
from aiuteur_desktop.core.store import checks
from aiuteur_desktop.core.store.project import LINK_NAME

LIBRARY_DB = "library.db"
#: Written beside library.db when it is made: a library that was there and is gone (or
#: emptied) is told from a first start.
MARKER = "library.id"


def _bundles(folder: Path) -> list[Path]:
    try:
        return sorted(
            e
            for e in folder.iterdir()
            if e.suffix == paths.BUNDLE_SUFFIX and (e / "project.db").is_file()
        )
    except OSError:
        return []


LIBRARY_SCHEMA = 1

_md = MetaData()
_meta = Table("meta", _md, Column("key", String(64), primary_key=True), Column("value", Text))
_settings = Table(
    "settings", _md, Column("key", String(64), primary_key=True), Column("value", Text)
)
_projects = Table(
    "projects",
    _md,
    Column("path", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("added_at", Float, nullable=False),
    Column("last_opened", Float, nullable=True),
    Column("removed_at", Float, nullable=True),
)


@dataclass(frozen=True)
class ProjectEntry:
    path: Path
    name: str
    added_at: float
    last_opened: float | None
    removed_at: float | None


def _pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL never corrupts; a power cut may lose the last instants of job progress,
    # which reconcile() already handles. FULL would fsync on the UI thread at every job change.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _words(home: Path) -> checks.Words:
    return checks.Words(
        name=f"The Aiuteur library at {home}",
        file=LIBRARY_DB,
        unchanged="Aiuteur has not changed it.",
        remedy=(
            f"move {LIBRARY_DB} out of that folder (Aiuteur starts a new library: settings "
            "and the project list start empty; projects and keys are not lost), or set "
            "AIUTEUR_HOME to another folder."
        ),
        update="Update the app, or set AIUTEUR_HOME to another folder.",
        absent=f"The file {home / LIBRARY_DB} is not an Aiuteur library. Aiuteur has not "
        "changed it; move it away or set AIUTEUR_HOME to another folder.",
        kind="library",
    )


class Library:
    """Global, per-user state shared by every project."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = paths.ensure_dir(home or paths.app_home())
        db = self.home / LIBRARY_DB
        if db.exists() and db.stat().st_size:  # read-only first: a damaged one stays as it was
            checks.check(db, LIBRARY_SCHEMA, _words(self.home))
        lost = self._lost(db)
        self._engine: Engine = create_engine(
            f"sqlite:///{db}", connect_args={"check_same_thread": False}
        )
        event.listen(self._engine, "connect", _pragmas)
        event.listen(self._engine, "before_cursor_execute", ui_turns.before_query)
        self._lock = threading.RLock()
        with self._engine.begin() as conn:
            _md.create_all(conn)
            row = conn.execute(select(_meta.c.value).where(_meta.c.key == "schema_version")).first()
            if row is None:
                conn.execute(insert(_meta).values(key="schema_version", value=str(LIBRARY_SCHEMA)))
        self._jobs: JobStore | None = None
        self._approvals: Approvals | None = None
        marker = self.home / MARKER
        if not marker.exists():
            with contextlib.suppress(OSError):
                marker.write_text("An Aiuteur library lives here.\n", encoding="utf-8")
        if lost:
            self._rebuild(lost)

    def _lost(self, db: Path) -> str:
        """Why this library's record of spend was lost ("" when it was not): library.db is
        missing or emptied (0 bytes) where a library was, or where projects are. An emptied
        file is kept aside, never silently replaced."""
        empty = db.exists() and db.stat().st_size == 0
        if db.exists() and not empty:
            return ""
        had = (self.home / MARKER).exists() or any(_bundles(paths.default_projects_dir()))
        if not had:
            return ""  # a first start
        if empty:
            aside = db.with_name(f"{LIBRARY_DB}.emptied-{time.strftime('%Y%m%d-%H%M%S')}")
            with contextlib.suppress(OSError):
                db.replace(aside)
        what = "was emptied (0 bytes)" if empty else "is missing"
        return (
            f"Aiuteur's library ({db}) {what}: its record of this month's spend and of the "
            "requests on their way was lost. What each project spent was read back from its "
            "own ledger; paid work waits until you confirm that (Settings → Budget, or "
            "`aiuteur spend --confirm`)."
        )

    def _rebuild(self, reason: str) -> None:
        """Each project's ledger back into the caps, and paid work stopped until confirmed."""
        from aiuteur_desktop.core.money import ledger
        from aiuteur_desktop.core.store import Project

        self.jobs.stop_paid_work(reason)
        for bundle in _bundles(paths.default_projects_dir()):
            try:
                with Project.open(bundle) as project:
                    spent = ledger.entries(project)
            except Exception:  # an unreadable project adds nothing; the others still count
                continue
            for s in spent:
                amount = s.actual if s.actual is not None else s.estimate
                if amount:
                    self.jobs.carry(str(bundle), amount, s.at, f"Spent before: {bundle.stem}")
            self.remember(bundle)

    @property
    def approvals(self) -> Approvals:
        """What AI agents asked to spend, waiting on the user (created on first use)."""
        if self._approvals is None:
            self._approvals = Approvals(self._engine)
        return self._approvals

    @property
    def jobs(self) -> JobStore:
        """The persisted job table (created on first use)."""
        if self._jobs is None:
            self._jobs = JobStore(self._engine)
        return self._jobs

    def close(self) -> None:
        self._engine.dispose()

    # ------------------------------------------------------------------ settings
    def load_settings(self) -> AppSettings:
        with self._engine.connect() as conn:
            row = conn.execute(select(_settings.c.value).where(_settings.c.key == "app")).first()
        if row is None:
            return AppSettings()
        try:
            return AppSettings.model_validate(json.loads(row[0]))
        except (ValueError, TypeError):
            return AppSettings()  # unreadable settings fall back to defaults, never crash

    def save_settings(self, settings: AppSettings) -> None:
        value = settings.model_dump_json()
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(
                update(_settings).where(_settings.c.key == "app").values(value=value)
            ).rowcount
            if not done:
                conn.execute(insert(_settings).values(key="app", value=value))

    def projects_dir(self) -> Path:
        configured = self.load_settings().projects_dir
        return Path(configured).expanduser() if configured else paths.default_projects_dir()

    # ------------------------------------------------------------- project registry
    def register_project(self, bundle: Path, name: str, *, opened: bool = True) -> None:
        key = str(Path(bundle).resolve())
        now = time.time()
        with self._lock, self._engine.begin() as conn:
            exists = conn.execute(select(_projects.c.path).where(_projects.c.path == key)).first()
            values: dict[str, object] = {"name": name, "removed_at": None}
            if opened:
                values["last_opened"] = now
            if exists:
                conn.execute(update(_projects).where(_projects.c.path == key).values(**values))
            else:
                conn.execute(insert(_projects).values(path=key, added_at=now, **values))

    def remember(self, bundle: Path) -> None:
        """Lists a bundle the CLI made, imported or used on the dashboard (a folder that is
        not a project is ignored); a removed one stays removed."""
        bundle = Path(bundle)
        if not (bundle / checks.DB_NAME).is_file() and not (bundle / LINK_NAME).is_file():
            return
        key = str(bundle.resolve())
        with self._lock, self._engine.begin() as conn:
            row = conn.execute(select(_projects.c.removed_at).where(_projects.c.path == key))
            known = row.first()
            if known is None:
                conn.execute(
                    insert(_projects).values(
                        path=key, name=bundle.stem, added_at=time.time(), last_opened=time.time()
                    )
                )
            elif known.removed_at is None:
                conn.execute(
                    update(_projects).where(_projects.c.path == key).values(last_opened=time.time())
                )

    def discover(self) -> None:
        """Brings the registry in line with the projects folder: every bundle in it is listed,
        and a listed bundle that was in it and is gone (deleted, or moved within it) is
        dropped. Bundles elsewhere that are gone stay, shown as missing — a drive that is not
        connected comes back. A listdir: cheap enough for the dashboard to call."""
        folder = self.projects_dir()
        try:
            found = {
                str(entry.resolve())
                for entry in folder.iterdir()
                if entry.suffix == paths.BUNDLE_SUFFIX and (entry / checks.DB_NAME).is_file()
            }
        except OSError:  # no projects folder (yet, or its drive is away): nothing to learn
            return
        folder_key = str(folder.resolve())
        now = time.time()
        with self._lock, self._engine.begin() as conn:
            known = {r.path for r in conn.execute(select(_projects.c.path))}
            for key in sorted(found - known):
                conn.execute(
                    insert(_projects).values(
                        path=key, name=Path(key).stem, added_at=now, last_opened=None
                    )
                )
            gone = [
                key
                for key in known - found
                if str(Path(key).parent) == folder_key and not Path(key).exists()
            ]
            for key in gone:
                conn.execute(delete(_projects).where(_projects.c.path == key))

    def projects(self, *, removed: bool = False) -> list[ProjectEntry]:
        """Registered projects, most recently opened first."""
        with self._engine.connect() as conn:
            query = select(_projects).where(
                _projects.c.removed_at.is_not(None) if removed else _projects.c.removed_at.is_(None)
            )
            rows = list(conn.execute(query))
        entries = [
            ProjectEntry(Path(r.path), r.name, r.added_at, r.last_opened, r.removed_at)
            for r in rows
        ]
        entries.sort(key=lambda e: e.last_opened or e.added_at, reverse=True)
        return entries

    def remove_project(self, bundle: Path) -> None:
        """Move a project to the Removed area (nothing on disk changes)."""
        self._set_removed(bundle, time.time())

    def restore_project(self, bundle: Path) -> None:
        self._set_removed(bundle, None)

    def _set_removed(self, bundle: Path, when: float | None) -> None:
        key = str(Path(bundle).resolve())
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(_projects).where(_projects.c.path == key).values(removed_at=when))

    def forget_project(self, bundle: Path) -> None:
        key = str(Path(bundle).resolve())
        with self._lock, self._engine.begin() as conn:
            conn.execute(delete(_projects).where(_projects.c.path == key))

    def delete_project_files(self, bundle: Path) -> None:
        """Permanently delete a removed project's folder. Slow: run it off the UI thread."""
        bundle = Path(bundle)
        if bundle.suffix != paths.BUNDLE_SUFFIX:
            raise ProjectError(f"Refusing to delete {bundle}: it is not an Aiuteur project folder.")
        for attempt in range(5):
            if not bundle.exists():
                break
            try:
                shutil.rmtree(bundle)
            except OSError as exc:
                # A dashboard card reading the project meanwhile re-creates its database's
                # side files (-wal, -shm) under rmtree: give the reader a moment, go again.
                if exc.errno != errno.ENOTEMPTY or attempt == 4:
                    raise ProjectError(
                        f"Could not delete {bundle}: {exc.strerror or exc}."
                    ) from exc
                time.sleep(0.1 * (attempt + 1))
        self.forget_project(bundle)
