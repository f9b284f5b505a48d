"""What the project page's stage timeline shows (PRD §7): each stage locked or not, skipped,
lapsed, and the consistency flags raised on it — one derivation of the whole board, so the
window can make it on a worker and only paint it."""

from __future__ import annotations

from dataclasses import dataclass

from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.store import Project, stages
from aiuteur_desktop.core.store.status import StatusDeriver


@dataclass(frozen=True)
class StageState:
    number: int
    locked: bool
    flags: str  # the consistency flags raised on it, a line each ("" for none)
    skipped: bool
    lapsed: bool


def board(project: Project) -> list[StageState]:
    """Every stage's state on the current branch's draft."""
    flags: dict[int, list[str]] = {}
    for flag in StatusDeriver(project, project.branch().draft).flags():
        stage = stages.stage_of(flag.path)
        if stage is not None:
            flags.setdefault(stage.number, []).append(flag.text)
    return [
        StageState(
            number=stage.number,
            locked=stages.is_locked(project, stage),
            flags="\n".join(dict.fromkeys(flags.get(stage.number, []))),
            skipped=gates.skipped(project, stage.number),
            lapsed=stages.lapsed(project, stage),
        )
        for stage in stages.ALL
    ]
