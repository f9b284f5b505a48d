"""Spending an AI agent asked for, waiting on the person who pays (issue "Every stage from the
command line, and an MCP server").

An agent's paid call never spends on its own: it leaves here a priced plan (what, the lines,
the total) with a one-time id, and the app shows it with Approve / Decline. The agent's next
call with that id runs the plan once — only if it was approved, is for the same thing, and
costs no more than what was approved. The table lives in the library (`library.db`), which
the app and the MCP server share, so a decision in the window reaches the server at once.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection

from aiuteur_desktop.core.errors import AiuteurError

PENDING, APPROVED, DECLINED, USED = "pending", "approved", "declined", "used"
#: An approval not used within a day lapses: a plan's prices and caps are of their moment.
LIFETIME_S = 24 * 3600

_md = MetaData()
_approvals = Table(
    "agent_approvals",
    _md,
    Column("id", String(32), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("agent", Text, nullable=False),
    Column("what", Text, nullable=False),  # "render" | "frames"
    Column("project", Text, nullable=False),  # the bundle's path
    Column("scene", Text, nullable=False),
    Column("request", Text, nullable=False),  # JSON: what exactly is to run (model, audio…)
    Column("plan", Text, nullable=False),  # JSON: the priced plan as the agent was shown it
    Column("total", Float, nullable=True),  # None: a price is unknown
    Column("state", String(16), nullable=False),
    Column("decided_at", Float, nullable=True),
)


class NotApproved(AiuteurError):
    """An approval id that cannot run (unknown, pending, declined, used, lapsed, changed)."""


@dataclass(frozen=True)
class Approval:
    id: str
    created_at: float
    agent: str
    what: str
    project: str
    scene: str
    request: dict[str, Any]
    plan: dict[str, Any]
    total: float | None
    state: str
    decided_at: float | None

    @property
    def summary(self) -> str:
        """One line for the notice: who asks what, for how much."""
        price = "an unknown price" if self.total is None else f"${self.total:,.2f}"
        return f"{self.agent} asks to spend {price}: {self.plan.get('title') or self.what}"


def create(conn: Connection) -> None:
    _md.create_all(conn)


def _row(r: Any) -> Approval:
    return Approval(
        id=r.id,
        created_at=r.created_at,
        agent=r.agent,
        what=r.what,
        project=r.project,
        scene=r.scene,
        request=json.loads(r.request),
        plan=json.loads(r.plan),
        total=r.total,
        state=r.state,
        decided_at=r.decided_at,
    )


class Approvals:
    """The agent approvals of one library (any number of processes share it)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        with engine.begin() as conn:
            create(conn)

    def ask(
        self,
        *,
        agent: str,
        what: str,
        project: str,
        scene: str,
        request: dict[str, Any],
        plan: dict[str, Any],
        total: float | None,
    ) -> Approval:
        """A plan waiting on the user's decision; its id is what the agent runs it with."""
        approval_id = secrets.token_hex(8)
        row = {
            "id": approval_id,
            "created_at": time.time(),
            "agent": agent,
            "what": what,
            "project": project,
            "scene": scene,
            "request": json.dumps(request, sort_keys=True),
            "plan": json.dumps(plan),
            "total": total,
            "state": PENDING,
            "decided_at": None,
        }
        with self._lock, self._engine.begin() as conn:
            conn.execute(insert(_approvals).values(**row))
        return self.get(approval_id)

    def get(self, approval_id: str) -> Approval:
        with self._engine.connect() as conn:
            r = conn.execute(select(_approvals).where(_approvals.c.id == approval_id)).first()
        if r is None:
            raise NotApproved(f"There is no spending request {approval_id!r}.")
        return _row(r)

    def pending(self) -> list[Approval]:
        """What waits on the user, oldest first (lapsed ones left out)."""
        since = time.time() - LIFETIME_S
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(_approvals)
                .where(_approvals.c.state == PENDING, _approvals.c.created_at >= since)
                .order_by(_approvals.c.created_at)
            ).all()
        return [_row(r) for r in rows]

    def decide(self, approval_id: str, approve: bool) -> Approval:
        """The user's Approve or Decline (only while it waits)."""
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(
                update(_approvals)
                .where(_approvals.c.id == approval_id, _approvals.c.state == PENDING)
                .values(state=APPROVED if approve else DECLINED, decided_at=time.time())
            ).rowcount
        a = self.get(approval_id)
        if not done:
            raise NotApproved(f"That spending request was already {a.state}.")
        return a

    def use(
        self,
        approval_id: str,
        *,
        what: str,
        project: str,
        scene: str,
        request: dict[str, Any],
        total: float | None,
    ) -> Approval:
        """Run an approved plan once: the same request, costing no more than approved (`total`:
        its price now), not lapsed; after this it is used."""
        a = self.get(approval_id)
        if (a.what, a.project, a.scene, a.request) != (what, project, scene, _plain(request)):
            raise NotApproved(
                "That approval is for another request: ask again, and the user approves the "
                "new plan."
            )
        if a.state == PENDING:
            raise NotApproved("The user has not approved it yet (it waits in the app).")
        if a.state == DECLINED:
            raise NotApproved("The user declined it: nothing was sent.")
        if a.state == USED:
            raise NotApproved("That approval was used already: each runs once.")
        if time.time() - a.created_at > LIFETIME_S:
            raise NotApproved("That approval lapsed (a day old): ask again.")
        if a.total is not None and (total is None or total > a.total + 0.005):
            now = "an unknown price" if total is None else f"${total:,.2f}"
            raise NotApproved(
                f"It costs {now} now, more than the ${a.total:,.2f} approved: ask again."
            )
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(
                update(_approvals)
                .where(_approvals.c.id == approval_id, _approvals.c.state == APPROVED)
                .values(state=USED)
            ).rowcount
        if not done:  # another process used it first
            raise NotApproved("That approval was used already: each runs once.")
        return a


def _plain(request: dict[str, Any]) -> dict[str, Any]:
    """The request as stored (JSON round trip), to compare with a stored one."""
    parsed: dict[str, Any] = json.loads(json.dumps(request, sort_keys=True))
    return parsed
