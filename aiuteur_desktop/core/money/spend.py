"""What was spent, per job and against the caps: the headless `aiuteur spend` and the Jobs
page read the same figures the caps are checked with (`JobStore.charges`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.jobs import JobStore, Sent
from aiuteur_desktop.core.money import prices


@dataclass(frozen=True)
class JobSpend:
    job: str
    title: str
    model: str
    state: str
    estimate: float
    charged: float  # settled at the provider's price
    possibly: float  # accepted or uncertain, not settled: may be charged
    counted: float  # what the caps count for it


def report(store: JobStore, budget: Budget, project: str | Path | None = None) -> dict[str, Any]:
    where = str(Path(project).resolve()) if project is not None else None
    counted = store.charges(0.0, where)
    rows = []
    for job in store.recent(limit=100_000):
        if job.id not in counted or (where is not None and job.project != where):
            continue
        subs = store.submissions(job.id)
        charged = sum(s.actual or 0.0 for s in subs if s.state is Sent.SETTLED)
        if not subs:
            charged = job.cost
        rows.append(
            JobSpend(
                job=job.id,
                title=job.title,
                model=job.provider,
                state=job.state.value,
                estimate=round(job.estimate, 6),
                charged=round(charged, 6),
                possibly=round(sum(s.estimate for s in subs if s.state.counts), 6),
                counted=round(counted[job.id], 6),
            )
        )
    month = store.committed(prices.month_start())
    return {
        "jobs": [asdict(r) for r in rows],
        "totals": {
            "charged": round(sum(r.charged for r in rows), 6),
            "possibly_charged": round(sum(r.possibly for r in rows), 6),
            "counted_this_month": month,
            "monthly_cap": budget.monthly_cap_usd,
            "counted_on_project": store.committed(0.0, where) if where else None,
            "project_cap": budget.project_cap_usd,
        },
    }


def lines(data: dict[str, Any]) -> list[str]:
    """The report as text, one job a line, then the totals against the caps."""
    out = []
    for r in data["jobs"]:
        maybe = f", possibly ${r['possibly']:,.2f}" if r["possibly"] else ""
        out.append(
            f"{r['title']} · {r['model']} · {r['state']} · est. ${r['estimate']:,.2f}, "
            f"charged ${r['charged']:,.2f}{maybe}"
        )
    t = data["totals"]
    cap = f" of ${t['monthly_cap']:,.2f}" if t["monthly_cap"] is not None else " (no cap)"
    out.append(
        f"Charged ${t['charged']:,.2f}, possibly charged ${t['possibly_charged']:,.2f}; "
        f"this month ${t['counted_this_month']:,.2f}{cap}."
    )
    if t["counted_on_project"] is not None:
        pcap = f" of ${t['project_cap']:,.2f}" if t["project_cap"] is not None else " (no cap)"
        out.append(f"This project: ${t['counted_on_project']:,.2f}{pcap}.")
    return out
