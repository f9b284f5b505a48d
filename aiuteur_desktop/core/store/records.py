"""The store's records: a saved version (Commit) and a Story Timeline (Branch)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Commit:
    """One saved state of the project."""

    id: str
    seq: int
    tree: str
    parents: tuple[str, ...]
    message: str
    kind: str
    stage: int | None
    created_at: float
    cost: float
    branch: str
    #: Who made it (a studio project's member); None in a bundle.
    author: str | None = None


@dataclass(frozen=True)
class Branch:
    """A Story Timeline: a named, movable pointer to a commit."""

    name: str
    head: str
    draft: str
    base: str | None
    created_at: float
    updated_at: float


def _row_to_commit(row: Any) -> Commit:
    return Commit(
        id=row.id,
        seq=row.seq,
        tree=row.tree,
        parents=tuple(json.loads(row.parents)),
        message=row.message,
        kind=row.kind,
        stage=row.stage,
        created_at=row.created_at,
        cost=row.cost,
        branch=row.branch,
        author=getattr(row, "author", None),
    )


def _row_to_branch(row: Any) -> Branch:
    return Branch(
        name=row.name,
        head=row.head,
        draft=row.draft,
        base=row.base,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
