"""The per-project cost ledger: what every model call was estimated to cost and did cost.

Answers "where did the money go" by stage, scene, provider or branch. Rows are
only ever added, like commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from aiuteur_desktop.core.store import Project, schema


@dataclass(frozen=True, kw_only=True)
class Spend:
    job: str | None
    provider: str
    model: str
    kind: str  # "text" | "image" | "video"
    stage: int | None
    scene: str | None
    branch: str | None
    estimate: float
    actual: float
    at: float = 0.0  # when; 0 = now
    key: str | None = None  # what was paid for: recorded once (None: every call a row)


def record(project: Project, spend: Spend) -> None:
    """Add the row; a second row with the same key (a job ending again after a crash) is
    ignored — the ledger never counts one payment twice."""
    project.append(
        schema.ledger,
        ignore_duplicate=spend.key is not None,
        key=spend.key,
        at=spend.at or time.time(),
        job=spend.job,
        provider=spend.provider,
        model=spend.model,
        kind=spend.kind,
        stage=spend.stage,
        scene=spend.scene,
        branch=spend.branch,
        estimate=round(spend.estimate, 6),
        actual=round(spend.actual, 6),
        author=project.author,
    )


def entries(project: Project) -> list[Spend]:
    t = schema.ledger
    return [
        Spend(
            at=r.at,
            job=r.job,
            provider=r.provider,
            model=r.model,
            kind=r.kind,
            stage=r.stage,
            scene=r.scene,
            branch=r.branch,
            estimate=r.estimate,
            actual=r.actual,
            key=r.key,
        )
        for r in project.query(select(t).order_by(t.c.id))
    ]


def total(project: Project) -> float:
    rows = project.query(select(func.sum(schema.ledger.c.actual)))
    return round(float(rows[0][0] or 0.0), 6)


def by(project: Project, field: str) -> dict[str | int | None, float]:
    """Actual spend grouped by "stage", "scene", "provider", "model", "kind" or "branch"."""
    if field not in ("stage", "scene", "provider", "model", "kind", "branch"):
        raise ValueError(f"cannot group the ledger by {field!r}")
    column = schema.ledger.c[field]
    rows = project.query(
        select(column, func.sum(schema.ledger.c.actual)).group_by(column).order_by(column)
    )
    return {key: round(float(amount or 0.0), 6) for key, amount in rows}
