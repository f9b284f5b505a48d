"""The per-project cost ledger: what every model call was estimated to cost and did cost.

Answers "where did the money go" by stage, scene, provider or branch. Rows are
only ever added, like commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from aiuteur_desktop.core.store import Project, schema


@dataclass(frozen=True)
class Spend:
    at: float
    job: str | None
    provider: str
    model: str
    kind: str
    stage: int | None
    scene: str | None
    branch: str | None
    estimate: float
    actual: float


def record(project: Project, spend: Spend) -> None:
    with project.engine.begin() as conn:
        conn.execute(
            insert(schema.ledger).values(
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
            )
        )


def entries(project: Project) -> list[Spend]:
    t = schema.ledger
    with project.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id))
        return [
            Spend(
                r.at,
                r.job,
                r.provider,
                r.model,
                r.kind,
                r.stage,
                r.scene,
                r.branch,
                r.estimate,
                r.actual,
            )
            for r in rows
        ]


def total(project: Project) -> float:
    with project.engine.connect() as conn:
        value = conn.execute(select(func.sum(schema.ledger.c.actual))).scalar()
    return round(float(value or 0.0), 6)


def by(project: Project, field: str) -> dict[str | int | None, float]:
    """Actual spend grouped by "stage", "scene", "provider", "model", "kind" or "branch"."""
    if field not in ("stage", "scene", "provider", "model", "kind", "branch"):
        raise ValueError(f"cannot group the ledger by {field!r}")
    column = schema.ledger.c[field]
    with project.engine.connect() as conn:
        rows = conn.execute(
            select(column, func.sum(schema.ledger.c.actual)).group_by(column).order_by(column)
        )
        return {key: round(float(amount or 0.0), 6) for key, amount in rows}
