"""What was spent, and what the caps leave: the one place spend is weighed against the monthly
and project caps. The scheduler refuses a submission with `Money.check` (before every paid
submission, retries included), Stage 11 and `aiuteur checkout` show `Money.room`, the
question before a paid job says what is left, and the headless `aiuteur spend` and the Jobs
page read the same figures the caps are checked with (`JobStore.committed`, `charges`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.jobs import JobStore, Sent
from aiuteur_desktop.core.money import prices


@dataclass(frozen=True)
class Money:
    """What has been spent — or committed: accepted by a provider and maybe charged — this
    month and on one project, and the caps (None: no cap). `spent_project` None: no project
    is in question, so its cap is not weighed."""

    spent_month: float = 0.0
    spent_project: float | None = 0.0
    monthly_cap: float | None = None
    project_cap: float | None = None

    @classmethod
    def of(cls, store: JobStore, budget: Budget, project: str | None) -> Money:
        return cls(
            spent_month=store.committed(prices.month_start()),
            spent_project=store.committed(0.0, project) if project else None,
            monthly_cap=budget.monthly_cap_usd,
            project_cap=budget.project_cap_usd,
        )

    def _rooms(self) -> list[float]:
        return [
            cap - spent
            for cap, spent in (
                (self.monthly_cap, self.spent_month),
                (self.project_cap, self.spent_project),
            )
            if cap is not None and spent is not None
        ]

    @property
    def room(self) -> float | None:
        """The smaller of the caps' room, or None without a cap."""
        rooms = self._rooms()
        return max(0.0, min(rooms)) if rooms else None

    @property
    def month_left(self) -> float | None:
        """What the monthly cap leaves (None: no monthly cap)."""
        cap = self.monthly_cap
        return None if cap is None else max(0.0, cap - self.spent_month)

    def over(self, total: float | None, what: str, or_else: str = "") -> str:
        """Why `what`, costing `total` in all, would pass a cap ("" when it fits)."""
        room = self.room
        if room is None or total is None or total <= room + 1e-9:
            return ""
        return (
            f"{what} would cost about ${total:,.2f}, and your budget has ${room:,.2f} left. "
            f"Raise the cap in Settings → Budget{', or ' + or_else if or_else else ''}."
        )

    def check(self, estimate: float) -> None:
        """Refuse (BudgetExceeded) a job whose estimate would pass the monthly or project cap."""
        if estimate <= 0:
            return
        cap = self.monthly_cap
        if cap is not None and self.spent_month + estimate > cap + 1e-9:
            raise prices.BudgetExceeded(
                f"This job would cost about ${estimate:,.2f}, and ${self.spent_month:,.2f} of "
                f"your ${cap:,.2f} monthly budget is already spent or committed. Raise the cap "
                "in Settings → Budget, or wait until next month."
            )
        cap, spent = self.project_cap, self.spent_project
        if cap is not None and spent is not None and spent + estimate > cap + 1e-9:
            raise prices.BudgetExceeded(
                f"This job would cost about ${estimate:,.2f}, and ${spent:,.2f} of this "
                f"project's ${cap:,.2f} budget is already spent or committed. Raise the cap in "
                "Settings → Budget to go on."
            )


def spend_question(what: str, estimate: float, source: str, money: Money) -> str:
    """The sentence shown before a paid job: what, how much, from which price, what is left."""
    text = f"{what} will cost about ${estimate:,.2f}"
    text += f" (price: {source})." if source else "."
    left = money.month_left
    if left is not None:
        text += f" ${left:,.2f} of your ${money.monthly_cap:,.2f} monthly budget is left."
    return text


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
