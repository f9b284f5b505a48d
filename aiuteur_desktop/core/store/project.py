"""A project bundle: SQLite store of immutable objects, trees, commits and branches.

Nothing here ever deletes or rewrites a commit. A branch's *draft* tree takes
autosaved edits; `commit()` turns the draft into a commit on that branch.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Table,
    create_engine,
    event,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DatabaseError, OperationalError

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app import paths, ui_turns
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import canonical, checks, schema
from aiuteur_desktop.core.store.checks import DB_NAME, inspect
from aiuteur_desktop.core.store.derived import DerivedCache, DerivedViews
from aiuteur_desktop.core.store.media import MediaStore
from aiuteur_desktop.core.store.names import TimelineNaming, validate_name
from aiuteur_desktop.core.store.records import Branch, Commit, _row_to_branch, _row_to_commit
from aiuteur_desktop.core.store.schema import SCHEMA_VERSION
from aiuteur_desktop.core.store.versions import TREE, VersionReads

log = logging.getLogger(__name__)

MAIN = "Main"
BLOB = "blob"
_EMPTY_TREE_DOC: dict[str, Any] = {"entries": {}}
_TAKE_WRITE_LOCK = update(schema.meta).where(false()).values(value=schema.meta.c.value)


def _set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _make_engine(db_path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "before_cursor_execute", ui_turns.before_query)
    return engine


#: Opens a studio project's folder on this machine (one holding `studio.json`): installed by
#: core/store/studio.py, which builds on this module.
linked_opener: list[Callable[[Path], Project]] = []
LINK_NAME = "studio.json"


class Project(DerivedViews, VersionReads, TimelineNaming):
    """An open project bundle. Safe to share between the UI thread and workers."""

    #: Who makes this session's commits, where a project has members (a studio's); None in
    #: a bundle, one person's disk.
    author: str | None = None
    #: The studio server a shared project lives on, as shown ("" for a bundle).
    shared_on: str = ""

    def __init__(self, bundle: Path, engine: Engine, media: Path | None = None) -> None:
        self.path = bundle
        self._engine = engine
        #: Who makes this session's versions when it is not the person at the keyboard: an AI
        #: agent's versions say "(via agent NAME)" in the Version History.
        self.via = ""
        self._lock = threading.RLock()
        self._cache: dict[str, Any] = {}
        self._derived = DerivedCache()
        self._known: set[str] = set()
        self.media = MediaStore(media or bundle / "media", engine, shared=media is not None)
        with self._engine.connect() as conn:
            self.name: str = self._meta(conn, "name") or bundle.stem

    @property
    def engine(self) -> Engine:
        """For schema migrations and benchmarks; core modules use `append`/`query`."""
        return self._engine

    def watch(self, heard: Callable[[dict[str, str]], None]) -> Any:
        """Hear other processes' commits (a studio project's members: its `Watch`, which
        `stop()`s); None for a bundle, whose other writers are this machine's own."""
        return None

    def spend_gate(self) -> Any:
        """Where a paid request is weighed against a cap the project's members share (a
        studio project's `SharedSpend`); None for a bundle, whose caps are the machine's."""
        return None

    def append(self, table: Table, *, ignore_duplicate: bool = False, **values: Any) -> None:
        """Add one row to a table of project.db outside the object store (the cost ledger),
        in its own transaction, serialised with the store's writes; with `ignore_duplicate`,
        a row a unique key already holds is left as it is."""
        statement = insert(table).values(**values)
        if ignore_duplicate and self._engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(table).values(**values).on_conflict_do_nothing()
        elif ignore_duplicate:
            statement = statement.prefix_with("OR IGNORE")
        with self._tx() as conn:
            conn.execute(statement)

    def query(self, statement: Executable) -> list[Any]:
        with self._engine.connect() as conn:
            return list(conn.execute(statement))

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def create(cls, parent: Path, name: str) -> Project:
        """Make `<parent>/<name>.aiuteur/` with an initial commit on Main."""
        name = validate_name(name)
        bundle = Path(parent) / f"{name}{paths.BUNDLE_SUFFIX}"
        if bundle.exists():
            raise ProjectError(f"A project called “{name}” already exists in {parent}.")
        try:
            (bundle / "media").mkdir(parents=True)
        except OSError as exc:
            raise ProjectError(
                f"Could not create the project folder in {parent}: {exc.strerror or exc}."
            ) from exc
        engine = _make_engine(bundle / DB_NAME)
        now = time.time()
        with engine.begin() as conn:
            for migrate in schema.MIGRATIONS:
                migrate(conn)
            conn.execute(
                insert(schema.meta),
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "name", "value": name},
                    {"key": "created_at", "value": repr(now)},
                    {"key": "current_branch", "value": MAIN},
                    {"key": "app_version", "value": __version__},
                ],
            )
        project = cls(bundle, engine)
        with project._tx() as conn:
            empty = project._put(conn, _EMPTY_TREE_DOC, TREE)
            first = project._insert_commit(
                conn, empty, (), "Project created", "system", None, 0.0, MAIN, now
            )
            conn.execute(
                insert(schema.branches).values(
                    name=MAIN, head=first, draft=empty, base=None, created_at=now, updated_at=now
                )
            )
        return project

    @classmethod
    def open(cls, bundle: Path) -> Project:
        """Open an existing bundle, migrating an older schema automatically."""
        bundle = Path(bundle)
        if (bundle / LINK_NAME).is_file() and linked_opener:
            return linked_opener[0](bundle)
        db_path = bundle / DB_NAME
        if not db_path.is_file():
            raise ProjectError(f"{bundle} is not an Aiuteur project (no {DB_NAME} inside).")
        inspect(bundle, db_path)  # read-only: nothing is written to a file it refuses
        engine = _make_engine(db_path)
        try:
            with engine.begin() as conn:
                version = schema.current_version(conn)  # (checked by `_inspect`)
                for step in range(version, SCHEMA_VERSION):
                    schema.MIGRATIONS[step](conn)
                if version != SCHEMA_VERSION:
                    conn.execute(
                        update(schema.meta)
                        .where(schema.meta.c.key == "schema_version")
                        .values(value=str(SCHEMA_VERSION))
                    )
        except (DatabaseError, OperationalError) as exc:
            engine.dispose()
            raise ProjectError(
                f"“{bundle.name}” could not be read: its database is damaged or locked "
                f"({exc.orig if hasattr(exc, 'orig') else exc})."
            ) from exc
        except Exception:
            engine.dispose()
            raise
        return cls(bundle, engine)

    def close(self) -> None:
        self._engine.dispose()

    @property
    def checked_in_full(self) -> bool:
        """False for a big project whose stored documents' pages are checked after opening
        (`verify`, off the UI thread)."""
        return not checks.checked_after_opening(self.path / DB_NAME)

    def verify(self) -> None:
        """The check opening a big project left for later: ProjectError if it is damaged."""
        problems = checks.deep_problems(self.path / DB_NAME)
        if problems != ["ok"]:
            log.warning("integrity check of %s: %s", self.path, problems)
            raise ProjectError(
                f"“{self.path.name}” is damaged in places: some saved documents cannot be read. "
                "What you open and save keeps working where it can; restore the project from "
                "a backup or an exported archive to get the rest back."
            )

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """A write transaction holding the database's write lock from its first statement:
        what it reads (a branch's head, the last commit's number) stays true until it
        commits, whoever else has the bundle open — another job's instance, another process.
        (The driver begins a transaction only at the first write, so reads before it saw a
        head another instance was moving: two commits took the same number, or one was
        lost from its timeline.) A no-op write takes the lock; others wait for it."""
        with self._lock, self._engine.begin() as conn:
            self._lock_for_writing(conn)
            yield conn

    def _lock_for_writing(self, conn: Connection) -> None:
        conn.execute(_TAKE_WRITE_LOCK)

    @staticmethod
    def _meta(conn: Connection, key: str) -> str | None:
        row = conn.execute(schema.META_VALUE, {"key": key}).first()
        return row[0] if row else None

    def _put(self, conn: Connection, doc: Any, kind: str) -> str:
        data = canonical.dumps(doc)
        oid = canonical.digest(data)
        if oid in self._known:
            return oid
        self._insert_object(conn, oid, kind, data)
        self._known.add(oid)
        # Blobs are cached as bytes so no caller can mutate a shared document.
        self._cache[oid] = data if kind == BLOB else canonical.loads(data)
        return oid

    def _insert_object(self, conn: Connection, oid: str, kind: str, data: bytes) -> None:
        """Store an object unless it is stored (content-addressed: the same bytes)."""
        exists = conn.execute(schema.OBJECT_STORED, {"id": oid}).first()
        if not exists:
            conn.execute(insert(schema.objects).values(id=oid, kind=kind, data=data))

    def _get(self, conn: Connection | None, oid: str) -> Any:
        cached = self._cache.get(oid)
        if cached is None:
            if conn is None:
                with self._engine.connect() as c:
                    return self._get(c, oid)
            try:
                row = conn.execute(schema.OBJECT, {"id": oid}).first()
            except DatabaseError as exc:
                log.warning("reading object %s of %s: %s", oid[:12], self.path, exc)
                raise ProjectError(
                    f"“{self.path.name}” is damaged: a saved document ({oid[:12]}) cannot be "
                    "read. Restore the project from a backup or an exported archive."
                ) from exc
            if row is None:
                raise ProjectError(f"The project is missing stored object {oid[:12]}.")
            cached = bytes(row.data) if row.kind == BLOB else canonical.loads(row.data)
            self._cache[oid] = cached
            self._known.add(oid)
        return canonical.loads(cached) if isinstance(cached, bytes) else cached

    def _insert_commit(
        self,
        conn: Connection,
        tree: str,
        parents: tuple[str, ...],
        message: str,
        kind: str,
        stage: int | None,
        cost: float,
        branch: str,
        now: float,
    ) -> str:
        seq = (conn.execute(select(func.max(schema.commits.c.seq))).scalar() or 0) + 1
        body: dict[str, Any] = {
            "tree": tree,
            "parents": list(parents),
            "message": message,
            "kind": kind,
            "stage": stage,
            "created_at": now,
            "cost": cost,
            "branch": branch,
            "seq": seq,
        }
        if self.author:  # (a bundle's commits keep the ids they always had)
            body["author"] = self.author
        cid = canonical.digest(canonical.dumps(body))
        conn.execute(
            insert(schema.commits).values(
                id=cid,
                seq=seq,
                tree=tree,
                parents=json.dumps(list(parents)),
                message=message,
                kind=kind,
                stage=stage,
                created_at=now,
                cost=cost,
                branch=branch,
                author=self.author,
            )
        )
        return cid

    def _branch_row(self, conn: Connection, name: str) -> Branch:
        row = conn.execute(schema.BRANCH_NAMED, {"name": name}).first()
        if row is None:
            raise ProjectError(f"There is no Story Timeline called “{name}”.")
        return _row_to_branch(row)

    def _set_path(self, conn: Connection, tree_id: str, parts: list[str], blob: str | None) -> str:
        """Return the id of `tree_id` with `parts` set to `blob` (or removed when None)."""
        entries: dict[str, list[str]] = dict(self._get(conn, tree_id)["entries"])
        head, rest = parts[0], parts[1:]
        if not rest:
            if blob is None:
                entries.pop(head, None)
            else:
                entries[head] = [BLOB, blob]
        else:
            child = entries.get(head)
            child_tree = (
                child[1] if child and child[0] == TREE else self._put(conn, _EMPTY_TREE_DOC, TREE)
            )
            new_child = self._set_path(conn, child_tree, rest, blob)
            if not self._get(conn, new_child)["entries"]:
                entries.pop(head, None)
            else:
                entries[head] = [TREE, new_child]
        return self._put(conn, {"entries": entries}, TREE)

    @staticmethod
    def _split(path: str) -> list[str]:
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts:
            raise ValueError("empty path")
        return parts

    # ----------------------------------------------------------------- branches
    @property
    def current_branch(self) -> str:
        with self._engine.connect() as conn:
            return self._meta(conn, "current_branch") or MAIN

    def branch(self, name: str | None = None) -> Branch:
        with self._engine.connect() as conn:
            return self._named_or_current(conn, name)

    def _named_or_current(self, conn: Connection, name: str | None) -> Branch:
        """The branch `name`, or the current one, in one query (reads ask this constantly)."""
        if name:
            return self._branch_row(conn, name)
        row = conn.execute(schema.BRANCH_CURRENT, {"main": MAIN}).first()
        if row is None:
            raise ProjectError("The project's current Story Timeline is missing.")
        return _row_to_branch(row)

    def branches(self) -> list[Branch]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.branches).order_by(schema.branches.c.created_at))
            return [_row_to_branch(r) for r in rows]

    def head(self, branch: str | None = None) -> Commit:
        return self.commit_by_id(self.branch(branch).head)

    # ------------------------------------------------------------------ objects
    def tree_of(self, commit_id: str) -> str:
        return self.commit_by_id(commit_id).tree

    def read_tree(self, tree_id: str, path: str) -> Any | None:
        """The document at `path` inside tree `tree_id`, or None."""
        with self._engine.connect() as conn:
            return self._read_tree(conn, tree_id, path)

    def _entry(self, conn: Connection, tree_id: str, path: str) -> tuple[str, str] | None:
        """(kind, object id) at `path` in a tree, or None."""
        node = tree_id
        parts = self._split(path)
        for i, part in enumerate(parts):
            entry = self._get(conn, node)["entries"].get(part)
            if entry is None:
                return None
            kind, oid = entry
            if i == len(parts) - 1:
                return kind, oid
            if kind != TREE:
                return None
            node = oid
        return None

    def _draft_entry(self, path: str, branch: str | None) -> tuple[str, str] | None:
        with self._engine.connect() as conn:
            return self._entry(conn, self._named_or_current(conn, branch).draft, path)

    def _draft_root(self, branch: str | None) -> str:
        with self._engine.connect() as conn:
            return self._named_or_current(conn, branch).draft

    def _read_tree(self, conn: Connection, tree_id: str, path: str) -> Any | None:
        entry = self._entry(conn, tree_id, path)
        return self._get(conn, entry[1]) if entry is not None and entry[0] == BLOB else None

    def read(self, path: str, *, branch: str | None = None) -> Any | None:
        """The current (draft) document at `path` on a branch."""
        with self._engine.connect() as conn:
            return self._read_tree(conn, self._named_or_current(conn, branch).draft, path)

    def read_many(self, paths: list[str], *, branch: str | None = None) -> dict[str, Any]:
        """The documents at `paths` on a branch's draft in one connection (None where
        absent): for reading a document per shot of a whole film."""
        with self._engine.connect() as conn:
            draft = self._named_or_current(conn, branch).draft
            return {path: self._read_tree(conn, draft, path) for path in paths}

    def meta_value(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return self._meta(conn, key)

    def commit_by_id(self, commit_id: str) -> Commit:
        with self._engine.connect() as conn:
            row = conn.execute(schema.COMMIT, {"id": commit_id}).first()
        if row is None:
            raise ProjectError(f"There is no saved version {commit_id[:12]} in this project.")
        return _row_to_commit(row)

    # ------------------------------------------------------------------- writes
    def write(self, path: str, doc: Any, *, branch: str | None = None) -> str:
        """Autosave: put `doc` at `path` in the branch's draft. Returns the new draft tree."""
        return self._edit_draft(path, doc, branch)

    def delete(self, path: str, *, branch: str | None = None) -> str:
        return self._edit_draft(path, None, branch)

    def _edit_draft(self, path: str, doc: Any | None, branch: str | None) -> str:
        parts = self._split(path)
        with self._tx() as conn:
            name = branch or self._meta(conn, "current_branch") or MAIN
            row = self._branch_row(conn, name)
            blob = None if doc is None else self._put(conn, doc, BLOB)
            new_tree = self._set_path(conn, row.draft, parts, blob)
            if new_tree != row.draft:
                conn.execute(
                    update(schema.branches)
                    .where(schema.branches.c.name == name)
                    .values(draft=new_tree, updated_at=time.time())
                )
            return new_tree

    def dirty_branches(self) -> frozenset[str]:
        """Every branch whose draft holds unsaved changes, in one query."""
        b, c = schema.branches, schema.commits
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(b.c.name).join(c, c.c.id == b.c.head).where(b.c.draft != c.c.tree)
            )
            return frozenset(r[0] for r in rows)

    def is_dirty(self, branch: str | None = None) -> bool:
        b = self.branch(branch)
        return b.draft != self.tree_of(b.head)

    def commit(
        self,
        message: str,
        *,
        kind: str = "edit",
        stage: int | None = None,
        cost: float = 0.0,
        branch: str | None = None,
        allow_empty: bool = False,
    ) -> Commit:
        """Turn the branch's draft into a commit; returns the new (or unchanged) head."""
        message = self._commit_message(message)
        with self._tx() as conn:
            name = branch or self._meta(conn, "current_branch") or MAIN
            row = self._branch_row(conn, name)
            head_tree = conn.execute(
                select(schema.commits.c.tree).where(schema.commits.c.id == row.head)
            ).scalar_one()
            if row.draft == head_tree and not allow_empty:
                cid = row.head
            else:
                now = time.time()
                cid = self._insert_commit(
                    conn, row.draft, (row.head,), message, kind, stage, cost, name, now
                )
                conn.execute(
                    update(schema.branches)
                    .where(schema.branches.c.name == name)
                    .values(head=cid, updated_at=now)
                )
        return self.commit_by_id(cid)

    def _commit_message(self, message: str) -> str:
        """A commit's message as kept: never empty, and naming the agent that made it."""
        message = message.strip() or "Saved version"
        return f"{message} (via {self.via})" if self.via else message

    def create_branch(
        self, name: str, *, from_commit: str | None = None, switch: bool = True
    ) -> Branch:
        """A new Story Timeline starting at `from_commit` (default: current head). O(1)."""
        name = validate_name(name)
        with self._tx() as conn:
            exists = conn.execute(
                select(schema.branches.c.name).where(
                    func.lower(schema.branches.c.name) == name.lower()
                )
            ).first()
            if exists:
                raise ProjectError(f"A Story Timeline called “{exists[0]}” already exists.")
            current = self._branch_row(conn, self._meta(conn, "current_branch") or MAIN)
            if from_commit is None:
                base, tree = current.head, current.draft
            else:
                tree_row = conn.execute(
                    select(schema.commits.c.tree).where(schema.commits.c.id == from_commit)
                ).first()
                if tree_row is None:
                    raise ProjectError(f"There is no saved version {from_commit[:12]}.")
                base, tree = from_commit, tree_row[0]
            now = time.time()
            conn.execute(
                insert(schema.branches).values(
                    name=name, head=base, draft=tree, base=base, created_at=now, updated_at=now
                )
            )
            if switch:
                self._set_current(conn, name)
            return self._branch_row(conn, name)

    def _set_current(self, conn: Connection, name: str) -> None:
        conn.execute(
            update(schema.meta).where(schema.meta.c.key == "current_branch").values(value=name)
        )

    def switch_branch(self, name: str) -> Branch:
        with self._tx() as conn:
            row = self._branch_row(conn, name)
            self._set_current(conn, name)
            return row

    def get_object(self, oid: str) -> Any:
        return self._get(None, oid)

    def last_modified(self) -> float:
        with self._engine.connect() as conn:
            return float(
                conn.execute(select(func.max(schema.branches.c.updated_at))).scalar() or 0.0
            )
