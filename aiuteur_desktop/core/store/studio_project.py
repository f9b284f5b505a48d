"""A studio project: the same `Project` on a PostgreSQL server, shared by a team (issue
"Studio: one project shared by a team on a PostgreSQL server").

What differs from a bundle, and only that, lives here:

- **Each member's draft is their own** (table `drafts`, per member and Story Timeline): what
  one member types never shows in another's window until it is committed. A draft remembers
  the head it started from (`base`); a draft with no change of its own follows the head, so
  a member who only reads always sees the newest version.
- **Each member's current timeline is their own** (table `member_meta`).
- **Commits never overwrite, never merge**: a commit whose draft started from the head lands
  there (the head moves by compare-and-swap, in the commit's transaction); one whose head
  moved meanwhile (another member committed first) lands on a new Story Timeline named for
  its author — "Main · ana, 14:02" — forked from where the draft started, and the author is
  switched to it. Nothing is lost; the two versions stand side by side.
- Writes take one transaction-scoped advisory lock per project, so a commit's number and its
  reads (the head, the last number) hold until it commits, whoever else writes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, delete, func, select, update

from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import schema
from aiuteur_desktop.core.store.media import MediaStore
from aiuteur_desktop.core.store.names import root_name, validate_name
from aiuteur_desktop.core.store.project import MAIN, Project
from aiuteur_desktop.core.store.records import Branch, Commit, _row_to_branch

_d = schema.drafts
_b = schema.branches
_head = schema.commits.alias("head_commit")
_based = schema.commits.alias("base_commit")


def pg_insert(table: Any) -> Any:
    """PostgreSQL's INSERT (ON CONFLICT …), its dialect loaded only once a studio is used."""
    from sqlalchemy.dialects.postgresql import insert

    return insert(table)


def fork_name(origin: str, author: str, at: float) -> str:
    """The Story Timeline a commit lands on when another member moved `origin` first."""
    return f"{root_name(origin)} · {author}, {time.strftime('%H:%M', time.localtime(at))}"


class StudioProject(Project):
    """A project on a studio's server, opened by one member (`author`)."""

    def __init__(
        self,
        folder: Path,
        engine: Engine,
        *,
        author: str,
        schema_name: str,
        media: Path,
        remote: Any = None,
    ) -> None:
        self.author = author
        self.schema_name = schema_name
        # One lock per project on the server: a bigint from the project's schema name.
        digest = hashlib.sha256(schema_name.encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big", signed=True)
        super().__init__(folder, engine, media=media)
        if remote is not None:  # a bucket: `media` is this machine's copy of what it read
            self.media = MediaStore(media, engine, remote=remote)

    @property
    def checked_in_full(self) -> bool:
        return True  # (the server keeps its own pages whole)

    def verify(self) -> None:
        return None

    def _lock_for_writing(self, conn: Connection) -> None:
        conn.execute(select(func.pg_advisory_xact_lock(self._lock_key)))

    # ----------------------------------------------------------- this member's view
    def _branch_query(self):  # type: ignore[no-untyped-def]
        """Every Story Timeline as this member sees it: their own draft where it holds
        changes of theirs, else the head's tree."""
        own = and_(_d.c.tree.is_not(None), _d.c.tree != _based.c.tree)
        return select(
            _b.c.name,
            _b.c.head,
            case((own, _d.c.tree), else_=_head.c.tree).label("draft"),
            _b.c.base,
            _b.c.created_at,
            func.coalesce(_d.c.updated_at, _b.c.updated_at).label("updated_at"),
        ).select_from(self._timelines())

    def _timelines(self):  # type: ignore[no-untyped-def]
        """Each timeline beside its head, this member's draft of it and where it began."""
        return (
            _b.join(_head, _head.c.id == _b.c.head)
            .outerjoin(_d, and_(_d.c.branch == _b.c.name, _d.c.author == self.author))
            .outerjoin(_based, _based.c.id == _d.c.base)
        )

    def _current(self, conn: Connection) -> str:
        m, meta = schema.member_meta, schema.meta
        mine = (
            select(m.c.value)
            .where(m.c.author == self.author, m.c.key == "current_branch")
            .scalar_subquery()
        )
        everyone = select(meta.c.value).where(meta.c.key == "current_branch").scalar_subquery()
        return conn.execute(select(func.coalesce(mine, everyone))).scalar() or MAIN

    def _insert_object(self, conn: Connection, oid: str, kind: str, data: bytes) -> None:
        conn.execute(
            pg_insert(schema.objects)
            .values(id=oid, kind=kind, data=data)
            .on_conflict_do_nothing(index_elements=[schema.objects.c.id])
        )

    def _where(self, conn: Connection, name: str) -> tuple[str, str, str, bool]:
        """(head, tree this member works from, the head their draft began from, whether that
        tree holds changes of theirs) of a timeline, in one query: their own draft where it
        holds changes, else the head's tree."""
        row = conn.execute(
            select(_b.c.head, _head.c.tree.label("head_tree"), _d.c.tree, _d.c.base,
                   _based.c.tree.label("base_tree"))
            .select_from(self._timelines())
            .where(_b.c.name == name)
        ).first()  # fmt: skip
        if row is None:
            raise ProjectError(f"There is no Story Timeline called “{name}”.")
        if row.tree is not None and row.tree != row.base_tree:
            return row.head, row.tree, row.base, True
        return row.head, row.head_tree, row.head, False

    def _named_or_current(self, conn: Connection, name: str | None) -> Branch:
        name = name or self._current(conn)
        row = conn.execute(self._branch_query().where(_b.c.name == name)).first()
        if row is None:
            raise ProjectError(f"There is no Story Timeline called “{name}”.")
        return _row_to_branch(row)

    @property
    def current_branch(self) -> str:
        with self._engine.connect() as conn:
            return self._current(conn)

    def branches(self) -> list[Branch]:
        with self._engine.connect() as conn:
            rows = conn.execute(self._branch_query().order_by(_b.c.created_at))
            return [_row_to_branch(r) for r in rows]

    def dirty_branches(self) -> frozenset[str]:
        return frozenset(b.name for b in self.branches() if b.draft != self.tree_of(b.head))

    def last_modified(self) -> float:
        return max((b.updated_at for b in self.branches()), default=0.0)

    def _keep_draft(self, conn: Connection, name: str, tree: str, base: str) -> None:
        now = time.time()
        conn.execute(
            pg_insert(_d)
            .values(author=self.author, branch=name, tree=tree, base=base, updated_at=now)
            .on_conflict_do_update(
                index_elements=[_d.c.author, _d.c.branch],
                set_={"tree": tree, "base": base, "updated_at": now},
            )
        )

    def _drop_draft(self, conn: Connection, name: str) -> None:
        conn.execute(delete(_d).where(_d.c.author == self.author, _d.c.branch == name))

    # ------------------------------------------------------------------- writes
    def _edit_draft(self, path: str, doc: object | None, branch: str | None) -> str:
        parts = self._split(path)
        with self._tx() as conn:
            name = branch or self._current(conn)
            _head_id, tree, base, _own = self._where(conn, name)
            blob = None if doc is None else self._put(conn, doc, "blob")
            new_tree = self._set_path(conn, tree, parts, blob)
            if new_tree != tree:
                self._keep_draft(conn, name, new_tree, base)
            return new_tree

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
        """This member's draft as a commit: on its timeline when nobody moved it since the
        draft began, else on a new timeline named for them (they are switched to it)."""
        message = self._commit_message(message)
        with self._tx() as conn:
            name = branch or self._current(conn)
            head, tree, base, own = self._where(conn, name)
            if not own and not allow_empty:
                return self.commit_by_id(head)
            now = time.time()
            if base == head:
                cid = self._insert_commit(
                    conn, tree, (base,), message, kind, stage, cost, name, now
                )
                moved = conn.execute(
                    update(_b)
                    .where(_b.c.name == name, _b.c.head == head)  # compare-and-swap
                    .values(head=cid, updated_at=now)
                )
                if moved.rowcount != 1:  # (the lock makes this impossible; never overwrite)
                    raise ProjectError(f"“{name}” moved while saving; nothing was changed.")
            else:
                # (under the project's lock: no other writer names a timeline meanwhile)
                fork = self.unique_branch_name(fork_name(name, self.author or "", now))
                cid = self._insert_commit(
                    conn, tree, (base,), message, kind, stage, cost, fork, now
                )
                conn.execute(
                    pg_insert(_b).values(
                        name=fork, head=cid, draft=tree, base=base, created_at=now, updated_at=now
                    )
                )
                self._set_current(conn, fork)
            self._drop_draft(conn, name)
            timeline = name if base == head else fork
            self._announce(conn, cid, timeline, "" if base == head else name)
        return self.commit_by_id(cid)

    @property
    def channel(self) -> str:
        """The PostgreSQL channel this project's commits are announced on."""
        return f"aiuteur_{self.schema_name}"

    def _announce(self, conn: Connection, cid: str, timeline: str, moved: str) -> None:
        """Tell every open window of the project (delivered when the commit is): which
        commit, on which timeline, by whom; `moved`, the timeline another member moved
        first when this commit had to land on a timeline of its own."""
        payload = json.dumps(
            {"commit": cid, "timeline": timeline, "author": self.author, "moved": moved}
        )
        conn.execute(select(func.pg_notify(self.channel, payload)))

    def watch(self, heard: Callable[[dict[str, str]], None]) -> Any:
        """Hear every commit of the project — any member's, any process's — within a moment:
        `heard(announcement)` on a thread of its own. Returns the `Watch` (`stop()` it)."""
        from aiuteur_desktop.core.store.studio_watch import Watch

        return Watch(self._engine.url, self.channel, heard).start()

    def create_branch(
        self, name: str, *, from_commit: str | None = None, switch: bool = True
    ) -> Branch:
        name = validate_name(name)
        with self._tx() as conn:
            exists = conn.execute(
                select(_b.c.name).where(func.lower(_b.c.name) == name.lower())
            ).first()
            if exists:
                raise ProjectError(f"A Story Timeline called “{exists[0]}” already exists.")
            if from_commit is None:
                _head_id, tree, base, own = self._where(conn, self._current(conn))
            else:
                found = conn.execute(
                    select(schema.commits.c.tree).where(schema.commits.c.id == from_commit)
                ).first()
                if found is None:
                    raise ProjectError(f"There is no saved version {from_commit[:12]}.")
                tree, base, own = found[0], from_commit, False
            now = time.time()
            conn.execute(
                pg_insert(_b).values(
                    name=name, head=base, draft=tree, base=base, created_at=now, updated_at=now
                )
            )
            if own:  # this member's unsaved changes come along, theirs alone as before
                self._keep_draft(conn, name, tree, base)
            if switch:
                self._set_current(conn, name)
        return Branch(name, base, tree, base, now, now)

    def _set_current(self, conn: Connection, name: str) -> None:
        m = schema.member_meta
        conn.execute(
            pg_insert(m)
            .values(author=self.author, key="current_branch", value=name)
            .on_conflict_do_update(index_elements=[m.c.author, m.c.key], set_={"value": name})
        )

    # ------------------------------------------------------------ shared money
    def spend_gate(self) -> SharedSpend:
        return SharedSpend(self)


CAP_KEY = "project_cap_usd"
#: States of a shared spend row that count against the cap.
COUNTED = ("sending", "accepted", "uncertain")
_COMMITTED = select(func.coalesce(func.sum(schema.shared_spend.c.estimate), 0.0)).where(
    schema.shared_spend.c.state.in_(COUNTED)
)


class SharedSpend:
    """A studio project's shared cap and what its members' paid requests have committed,
    kept in the project's database (core/money/shared.py weighs and words it)."""

    def __init__(self, project: StudioProject) -> None:
        self.project = project

    def cap(self) -> float | None:
        value = self.project.meta_value(CAP_KEY)
        return float(value) if value else None

    def set_cap(self, usd: float | None) -> None:
        m = schema.meta
        with self.project._tx() as conn:
            conn.execute(delete(m).where(m.c.key == CAP_KEY))
            if usd is not None:
                conn.execute(pg_insert(m).values(key=CAP_KEY, value=repr(float(usd))))

    def spent(self) -> float:
        return round(float(self.project.query(_COMMITTED)[0][0]), 6)

    def reserve(self, key: str, estimate: float, job: str | None) -> tuple[bool, float, float]:
        """Write `estimate` as being sent unless it would pass the cap: (written, spent
        before it, cap). Under the project's lock: whoever asks second sees the first."""
        t, m = schema.shared_spend, schema.meta
        with self.project._tx() as conn:
            cap_text = conn.execute(select(m.c.value).where(m.c.key == CAP_KEY)).scalar()
            spent = float(conn.execute(_COMMITTED).scalar_one())
            cap = float(cap_text) if cap_text else float("inf")
            if spent + estimate > cap + 1e-9:
                return False, spent, cap
            conn.execute(
                pg_insert(t).values(
                    key=key, author=self.project.author or "", job=job, estimate=estimate,
                    state="sending", at=time.time(),
                )
            )  # fmt: skip
            return True, spent, cap

    def settle(self, key: str, state: str) -> None:
        t = schema.shared_spend
        with self.project._tx() as conn:
            conn.execute(update(t).where(t.c.key == key).values(state=state))
