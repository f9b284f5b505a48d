"""The Version History graph: every commit placed on a row and a lane, ready to draw.

Rows run newest first (row 0 is the latest save). Each Story Timeline's commits
sit in that timeline's lane; `Main` always owns lane 0, and other timelines
share lanes when their spans do not overlap, so fifty experiments do not need
fifty columns. Pure data: built off the UI thread, drawn by `views/pipeline/history.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiuteur_desktop.core.store import Branch, Commit, Project
from aiuteur_desktop.core.store.project import MAIN

#: How many of the newest versions the Version History lays out and draws before the rest.
FIRST_PAGE = 1000


@dataclass(frozen=True)
class HistoryNode:
    commit: Commit
    row: int
    lane: int
    #: Story Timelines whose head is this commit (drawn as labels beside the node).
    heads: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEdge:
    """A line from a commit (child, above) down to its parent."""

    child_row: int
    child_lane: int
    parent_row: int
    parent_lane: int


@dataclass(frozen=True)
class HistoryGraph:
    nodes: tuple[HistoryNode, ...]
    edges: tuple[HistoryEdge, ...]
    lanes: int
    current_branch: str
    branch_heads: dict[str, str] = field(default_factory=dict)
    dirty: frozenset[str] = frozenset()
    #: Every saved version of the project: more than `nodes` when only the newest are laid out.
    total: int = 0

    @property
    def partial(self) -> bool:
        return self.total > len(self.nodes)

    def row_of(self, commit_id: str) -> int:
        for node in self.nodes:
            if node.commit.id == commit_id:
                return node.row
        raise KeyError(commit_id)

    def has(self, commit_id: str) -> bool:
        return any(node.commit.id == commit_id for node in self.nodes)

    def head_branch(self, commit_id: str) -> str | None:
        """The timeline to switch to for a head commit (the current one first), else None."""
        names = [b for b, head in self.branch_heads.items() if head == commit_id]
        if not names:
            return None
        return self.current_branch if self.current_branch in names else names[0]


def build_graph(
    commits: list[Commit],
    branches: list[Branch],
    current_branch: str,
    dirty: frozenset[str] = frozenset(),
    total: int | None = None,
) -> HistoryGraph:
    """Lay out `commits` (any order) and `branches` as rows and lanes."""
    ordered = sorted(commits, key=lambda c: c.seq, reverse=True)
    row = {c.id: i for i, c in enumerate(ordered)}

    # Each timeline's span: from its newest commit down to the commit it grew from.
    span: dict[str, list[int]] = {}
    for c in ordered:
        lo_hi = span.setdefault(c.branch, [row[c.id], row[c.id]])
        lo_hi[0] = min(lo_hi[0], row[c.id])
        lo_hi[1] = max(lo_hi[1], row[c.id])
        for parent in c.parents:
            if parent in row:
                lo_hi[1] = max(lo_hi[1], row[parent])
    lane: dict[str, int] = {MAIN: 0}
    lane_end: list[int] = [len(ordered)]  # Main's lane is never shared
    created = {b.name: b.created_at for b in branches}
    others = sorted(
        (name for name in span if name != MAIN), key=lambda n: (span[n][0], created.get(n, 0))
    )
    for name in others:
        lo, hi = span[name]
        for i, end in enumerate(lane_end):
            if i > 0 and end < lo:
                lane[name], lane_end[i] = i, hi
                break
        else:
            lane[name] = len(lane_end)
            lane_end.append(hi)

    heads: dict[str, list[str]] = {}
    for b in branches:
        heads.setdefault(b.head, []).append(b.name)
    nodes = tuple(
        HistoryNode(c, row[c.id], lane.get(c.branch, 0), tuple(heads.get(c.id, ())))
        for c in ordered
    )
    by_id = {c.id: c for c in ordered}
    edges = tuple(
        HistoryEdge(row[c.id], lane.get(c.branch, 0), row[p], lane.get(by_id[p].branch, 0))
        for c in ordered
        for p in c.parents
        if p in row
    )
    return HistoryGraph(
        nodes,
        edges,
        max(len(lane_end), 1),
        current_branch,
        {b.name: b.head for b in branches},
        dirty,
        len(ordered) if total is None else total,
    )


def load_graph(project: Project, newest: int | None = None) -> HistoryGraph:
    """Read and lay out a project's history — only its `newest` commits when given (what
    the dialog shows first on a long history) — off the UI thread."""
    return build_graph(
        project.all_commits() if newest is None else project.newest_commits(newest),
        project.branches(),
        project.current_branch,
        project.dirty_branches(),
        None if newest is None else project.commit_count(),
    )
