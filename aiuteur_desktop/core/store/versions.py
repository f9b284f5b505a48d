"""`Project`'s reads of its saved versions and trees (mixed in): a branch's log, the newest
commits, a tree's paths and folders, the difference of two versions. Split out of
`project.py` by responsibility (CONVENTIONS 9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Text, cast, func, literal, select

from aiuteur_desktop.core.store import schema
from aiuteur_desktop.core.store.records import Branch, Commit, _row_to_commit

TREE = "tree"


class VersionReads:
    """History and tree reads of `Project`, one connection (or one query) each."""

    _engine: Engine

    if TYPE_CHECKING:  # Project's own

        def _get(self, conn: Any, oid: str) -> Any: ...
        def branch(self, name: str | None = None) -> Branch: ...
        def tree_of(self, commit_id: str) -> str: ...
        @staticmethod
        def _split(path: str) -> list[str]: ...

    def log(self, branch: str | None = None, limit: int | None = None) -> list[Commit]:
        """Commits reachable from a branch head, newest first (first-parent chain)."""
        head = self.branch(branch).head
        if not head or limit == 0:
            return []
        # One recursive query, not a query per commit (a feature's history has tens of
        # thousands). A commit's first parent is the first id of its JSON list.
        c = schema.commits
        # (Both terms as plain text: PostgreSQL wants a recursive query's types to agree.)
        chain = select(cast(c.c.id, Text).label("id"), literal(1).label("n")).where(c.c.id == head)
        chain_cte = chain.cte("chain", recursive=True)
        step = (
            select(cast(func.substr(c.c.parents, 3, 64), Text), chain_cte.c.n + 1)
            .join(chain_cte, c.c.id == chain_cte.c.id)
            .where(c.c.parents != "[]")
        )
        if limit is not None:
            step = step.where(chain_cte.c.n < limit)
        walk = chain_cte.union_all(step)
        query = select(c).join(walk, c.c.id == walk.c.id).order_by(walk.c.n)
        with self._engine.connect() as conn:
            return [_row_to_commit(row) for row in conn.execute(query)]

    def all_commits(self) -> list[Commit]:
        """Every commit ever made, oldest first (the Version History graph)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.commits).order_by(schema.commits.c.seq))
            return [_row_to_commit(r) for r in rows]

    def newest_commits(self, limit: int) -> list[Commit]:
        """The `limit` most recent commits, newest first."""
        c = schema.commits
        with self._engine.connect() as conn:
            rows = conn.execute(select(c).order_by(c.c.seq.desc()).limit(limit))
            return [_row_to_commit(r) for r in rows]

    def commit_count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.commits)).scalar() or 0)

    def list_paths(self, tree_id: str, prefix: str = "") -> dict[str, str]:
        """Every document path in a tree mapped to its object id."""
        out: dict[str, str] = {}
        with self._engine.connect() as conn:
            stack = [(tree_id, prefix.strip("/"))]
            while stack:
                node, base = stack.pop()
                for name, (kind, oid) in self._get(conn, node)["entries"].items():
                    path = f"{base}/{name}" if base else name
                    if kind == TREE:
                        stack.append((oid, path))
                    else:
                        out[path] = oid
        return out

    def folder_of(self, tree_id: str, folder: str) -> str | None:
        """The object id of the subtree at `folder` ("stage2"), or None when there is none:
        two commits whose folder ids agree hold the same documents there."""
        return self.folders_of([tree_id], (folder,))[0][0]

    def folders_of(
        self, tree_ids: list[str], folders: tuple[str, ...]
    ) -> list[tuple[str | None, ...]]:
        """`folder_of` for many trees and folders in one connection (a branch's history)."""
        out: list[tuple[str | None, ...]] = []
        with self._engine.connect() as conn:
            for tree_id in tree_ids:
                found: list[str | None] = []
                for folder in folders:
                    node: str | None = tree_id
                    for part in self._split(folder):
                        entry = self._get(conn, node)["entries"].get(part) if node else None
                        node = entry[1] if entry is not None and entry[0] == TREE else None
                    found.append(node)
                out.append(tuple(found))
        return out

    def diff(self, a: str, b: str) -> dict[str, tuple[str | None, str | None]]:
        """Paths whose document differs between commits `a` and `b`: (old id, new id)."""
        pa = self.list_paths(self.tree_of(a))
        pb = self.list_paths(self.tree_of(b))
        return {
            p: (pa.get(p), pb.get(p)) for p in sorted(set(pa) | set(pb)) if pa.get(p) != pb.get(p)
        }
