"""Jobs: every model call or render is a persisted row (DESIGN.md "Jobs").

The table lives in the app library, so the Jobs page shows work from every
project and a restart finds what was running. The Qt runner (`views/jobs/runner.py`)
executes them; this module holds the states, the store and the retry policy.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from aiuteur_desktop.core import claims
from aiuteur_desktop.core.app.progress import Step
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.errors import ProviderError


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: A paid request was sent and its answer lost: the provider may have accepted (and will
    #: charge for) it. Never run again automatically; the user checks again or pays again.
    DECIDE = "decide"

    @property
    def finished(self) -> bool:
        """Nothing more happens to it unless the user acts."""
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.DECIDE)


class Sent(StrEnum):
    """Where one paid submission stands (the `submissions` table)."""

    SENDING = "sending"  # written before the request leaves
    ACCEPTED = "accepted"  # a handle or a result came back: it is charged
    UNCERTAIN = "uncertain"  # sent, and the answer was lost: it may be charged
    REFUSED = "refused"  # the provider proved it did not take it: free
    SETTLED = "settled"  # finished and in the ledger at its actual price

    @property
    def counts(self) -> bool:
        """Its estimate counts against the caps until it is settled."""
        return self in (Sent.SENDING, Sent.ACCEPTED, Sent.UNCERTAIN)


_md = MetaData()
jobs_table = Table(
    "jobs",
    _md,
    Column("id", String(32), primary_key=True),
    Column("seq", Integer, nullable=False, index=True),
    Column("kind", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("provider", String(64), nullable=False),
    Column("project", Text, nullable=True),
    Column("params", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("progress", Float, nullable=False),
    Column("estimate", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("handle", Text, nullable=True),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
)

#: Every paid request a job sent, written before it leaves (DESIGN.md "Jobs"; issue "Money is
#: spent once"): what a crash, a timeout or a cut-off answer left is classified from it.
submissions_table = Table(
    "submissions",
    _md,
    Column("id", String(48), primary_key=True),  # "<job>#<n>": the ledger's key too
    Column("job", String(32), nullable=False, index=True),
    Column("n", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("estimate", Float, nullable=False),
    Column("actual", Float, nullable=True),
    Column("created_at", Float, nullable=False),
)


#: A job row that carries spend from a project's ledger into a rebuilt library.
CARRIED = "ledger.carried"


@dataclass(frozen=True)
class Job:
    id: str
    seq: int
    kind: str
    title: str
    provider: str
    project: str | None
    params: dict[str, Any]
    state: JobState
    progress: float
    estimate: float
    cost: float
    handle: dict[str, Any] | None
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None


def new_id() -> str:
    """A job's id, made before its row is written (the UI names a job it is still queueing)."""
    return uuid.uuid4().hex


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _row(r: Any) -> Job:
    return Job(
        id=r.id,
        seq=r.seq,
        kind=r.kind,
        title=r.title,
        provider=r.provider,
        project=r.project,
        params=json.loads(r.params),
        state=JobState(r.state),
        progress=r.progress,
        estimate=r.estimate,
        cost=r.cost,
        handle=_loads(r.handle),
        result=_loads(r.result),
        error=r.error,
        attempts=r.attempts,
        created_at=r.created_at,
        started_at=r.started_at,
        finished_at=r.finished_at,
    )


INTERRUPTED = (
    "Interrupted when Aiuteur closed. Nothing had been sent to a paid service; press Retry to "
    "run it again."
)
MAYBE_CHARGED = (
    "Needs your decision: Aiuteur stopped while this request was with the provider, which may "
    "have accepted it and may charge for it. Nothing was sent again."
)


@dataclass(frozen=True)
class Submission:
    """A job asked for: what the store writes as a queued row, the scheduler checks against
    the caps first, and an operation's `submission()` returns."""

    kind: str
    title: str
    provider: str  # the model id or engine, e.g. "offline:storyboard"
    params: dict[str, Any]  # JSON; an operation's `from_params` rebuilds it from them
    project: str | None = None
    estimate: float = 0.0
    paid: bool = False  # a paid model: refused without an estimate, never run as free


@dataclass(frozen=True)
class PaidRequest:
    """One paid request of a job as it was sent: its state, what it was estimated to cost and
    what it did (`core/money/paid.py`)."""

    id: str
    job: str
    n: int
    state: Sent
    estimate: float
    actual: float | None
    created_at: float


class JobStore:
    """The persisted job table. Thread-safe: workers report progress from their own threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        with engine.begin() as conn:
            _md.create_all(conn)
            claims.create(conn)

    def add(self, job: Submission, *, job_id: str | None = None) -> Job:
        now = time.time()
        job_id = job_id or new_id()
        claim = job.params.get("claim")
        with self._lock, self._engine.begin() as conn:
            if isinstance(claim, str) and claim:
                claims.take(
                    conn, claim, job_id, job.title, now, lambda held: self._free(conn, held)
                )
            seq = (
                conn.execute(select(jobs_table.c.seq).order_by(jobs_table.c.seq.desc())).first()
                or (0,)
            )[0] + 1
            values = {
                "id": job_id,
                "seq": seq,
                "kind": job.kind,
                "title": job.title,
                "provider": job.provider,
                "project": job.project,
                "params": json.dumps(job.params, sort_keys=True),
                "state": JobState.QUEUED.value,
                "progress": 0.0,
                "estimate": float(job.estimate),
                "cost": 0.0,
                "handle": None,
                "result": None,
                "error": None,
                "attempts": 0,
                "created_at": now,
                "started_at": None,
                "finished_at": None,
            }
            conn.execute(insert(jobs_table).values(**values))
        return self.get(job_id)

    # ------------------------------------------ the guard on paid work (core/claims.py)
    def stop_paid_work(self, reason: str) -> None:
        with self._lock:
            claims.stop_paid_work(self._engine, reason)

    def paid_work_stopped(self) -> str:
        return claims.paid_work_stopped(self._engine)

    def resume_paid_work(self) -> None:
        with self._lock:
            claims.resume_paid_work(self._engine)

    def owned_elsewhere(self, job_id: str) -> bool:
        return claims.owned_elsewhere(self._engine, job_id)

    def carry(self, project: str, amount: float, at: float, title: str) -> None:
        """A project's recorded spend, back in a rebuilt library's caps (a settled job row)."""
        with self._lock, self._engine.begin() as conn:
            seq = (
                conn.execute(select(jobs_table.c.seq).order_by(jobs_table.c.seq.desc())).first()
                or (0,)
            )[0] + 1
            conn.execute(
                insert(jobs_table).values(
                    id=new_id(), seq=seq, kind=CARRIED, title=title, provider="ledger",
                    project=project, params="{}", state=JobState.SUCCEEDED.value,
                    progress=1.0, estimate=0.0, cost=float(amount), handle=None, result=None,
                    error=None, attempts=0, created_at=at, started_at=at, finished_at=at,
                )
            )  # fmt: skip

    def _free(self, conn: Any, job_id: str) -> bool:
        """A claim's job ended with nothing the provider may bill: refused, or failed or
        cancelled before it sent anything."""
        other = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).first()
        if other is None:
            return True
        if other.state not in (JobState.FAILED.value, JobState.CANCELLED.value) or other.handle:
            return False
        billed = [Sent.SENDING.value, Sent.ACCEPTED.value, Sent.UNCERTAIN.value, Sent.SETTLED.value]
        s = submissions_table.c
        return not conn.execute(select(s.id).where(s.job == job_id, s.state.in_(billed))).first()

    def get(self, job_id: str) -> Job:
        with self._engine.connect() as conn:
            r = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).first()
        if r is None:
            raise KeyError(job_id)
        return _row(r)

    def recent(self, *, limit: int = 500, states: set[JobState] | None = None) -> list[Job]:
        """Newest first."""
        q = select(jobs_table).order_by(jobs_table.c.seq.desc()).limit(limit)
        if states:
            q = q.where(jobs_table.c.state.in_([s.value for s in states]))
        with self._engine.connect() as conn:
            return [_row(r) for r in conn.execute(q)]

    def committed(self, since: float = 0.0, project: str | None = None) -> float:
        """Money spent or possibly spent, for the caps: each paid submission at its actual
        price once settled, at its estimate while accepted or uncertain (failed and cancelled
        jobs included), nothing when refused; plus the estimate of each queued or running job
        whose next submission has not been sent yet. Jobs that never submitted count what
        they cost (free and earlier jobs)."""
        return round(sum(self.charges(since, project).values()), 6)

    def charges(self, since: float = 0.0, project: str | None = None) -> dict[str, float]:
        """Per job (id → dollars), what `committed` adds up."""
        c, s = jobs_table.c, submissions_table.c
        q = select(c.id, c.state, c.cost, c.estimate).where(c.created_at >= since)
        if project is not None:
            q = q.where(c.project == project)
        with self._engine.connect() as conn:
            rows = list(conn.execute(q))
            sent: dict[str, list[tuple[str, float, float | None]]] = {}
            ids = [r.id for r in rows]
            for i in range(0, len(ids), 500):
                for r in conn.execute(
                    select(s.job, s.state, s.estimate, s.actual).where(s.job.in_(ids[i : i + 500]))
                ):
                    sent.setdefault(r.job, []).append((r.state, r.estimate, r.actual))
        out: dict[str, float] = {}
        for r in rows:
            subs = sent.get(r.id)
            active = r.state in (JobState.QUEUED.value, JobState.RUNNING.value)
            if not subs:
                out[r.id] = r.estimate if active else r.cost
                continue
            total = 0.0
            open_ = False
            for state, estimate, actual in subs:
                if state == Sent.SETTLED.value:
                    total += actual or 0.0
                elif Sent(state).counts:
                    total += estimate
                    open_ = open_ or state != Sent.UNCERTAIN.value  # the current attempt
            if active and not open_:
                total += r.estimate  # the next submission's reservation
            out[r.id] = total
        return out

    # ------------------------------------------------------------ submissions
    def submissions(self, job_id: str) -> list[PaidRequest]:
        s = submissions_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(select(submissions_table).where(s.job == job_id).order_by(s.n))
            return [
                PaidRequest(r.id, r.job, r.n, Sent(r.state), r.estimate, r.actual, r.created_at)
                for r in rows
            ]

    def sending(self, job_id: str, estimate: float) -> PaidRequest:
        """Write the intent to send a paid request, durably, before it leaves."""
        s = submissions_table.c
        with self._lock, self._engine.begin() as conn:
            n = (conn.execute(select(func.count()).where(s.job == job_id)).scalar() or 0) + 1
            row = PaidRequest(f"{job_id}#{n}", job_id, n, Sent.SENDING, estimate, None, time.time())
            conn.execute(
                insert(submissions_table).values(
                    id=row.id, job=job_id, n=n, state=row.state.value, estimate=estimate,
                    actual=None, created_at=row.created_at,
                )
            )  # fmt: skip
        return row

    def mark(self, submission: str, state: Sent, *, handle: dict[str, Any] | None = None) -> None:
        """Move a submission on; with `handle`, the job's handle is written in the same
        transaction (a crash can never leave one without the other)."""
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                update(submissions_table)
                .where(submissions_table.c.id == submission)
                .values(state=state.value)
            )
            if handle is not None:
                job_id = submission.split("#", 1)[0]
                conn.execute(
                    update(jobs_table)
                    .where(jobs_table.c.id == job_id)
                    .values(handle=json.dumps(handle, sort_keys=True))
                )

    def spend_key(self, job_id: str) -> str:
        """The ledger key of what this job is being paid for: its newest accepted
        submission (the same one after a restart resumes it), or the job itself."""
        for sub in reversed(self.submissions(job_id)):
            if sub.state in (Sent.ACCEPTED, Sent.SETTLED):
                return sub.id
        return job_id

    def decide(self, job_id: str, why: str) -> Job:
        return self._set(job_id, state=JobState.DECIDE, error=why, finished_at=time.time())

    def _set(self, job_id: str, **values: Any) -> Job:
        for key in ("handle", "result"):
            if key in values and values[key] is not None:
                values[key] = redact(json.dumps(values[key], sort_keys=True))
        if values.get("error"):
            values["error"] = redact(str(values["error"]))
        if "state" in values:
            values["state"] = JobState(values["state"]).value
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values))
        return self.get(job_id)

    def start(self, job_id: str) -> Job:
        job = self.get(job_id)
        with self._lock, self._engine.begin() as conn:  # this process works on it now
            claims.work_on(conn, job_id)
        return self._set(
            job_id,
            state=JobState.RUNNING,
            attempts=job.attempts + 1,
            started_at=job.started_at or time.time(),
            error=None,
        )

    def progress(self, job_id: str, fraction: float) -> None:
        self._set(job_id, progress=max(0.0, min(1.0, fraction)))

    def set_handle(self, job_id: str, handle: dict[str, Any]) -> Job:
        """Record the provider's operation handle the moment it exists (a restart resumes it)."""
        return self._set(job_id, handle=handle)

    def requeue(self, job_id: str, error: str) -> Job:
        return self._set(job_id, state=JobState.QUEUED, error=error)

    def succeed(self, job_id: str, result: dict[str, Any], cost: float = 0.0) -> Job:
        """The job's success and the settling of what it was charged, in one transaction."""
        values = {
            "state": JobState.SUCCEEDED.value,
            "progress": 1.0,
            # Whatever a model answered is stored without a key in it (redaction keeps JSON
            # intact: it never adds a quote).
            "result": redact(json.dumps(result, sort_keys=True)),
            "cost": cost,
            "error": None,
            "finished_at": time.time(),
        }
        s = submissions_table.c
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values))
            accepted = [
                r.id
                for r in conn.execute(
                    select(s.id).where(s.job == job_id, s.state == Sent.ACCEPTED.value)
                )
            ]
            for i, sub_id in enumerate(accepted):  # (one, normally) at the job's actual cost
                conn.execute(
                    update(submissions_table)
                    .where(s.id == sub_id)
                    .values(state=Sent.SETTLED.value, actual=cost if i == len(accepted) - 1 else 0)
                )
        return self.get(job_id)

    def fail(self, job_id: str, error: str) -> Job:
        return self._set(job_id, state=JobState.FAILED, error=error, finished_at=time.time())

    def cancel(self, job_id: str) -> Job:
        return self._set(job_id, state=JobState.CANCELLED, finished_at=time.time())

    def retry(self, job_id: str) -> Job:
        """A job queued again as it was: the same parameters and the same provider handle,
        so a render the provider has is resumed (polled), never submitted again; one
        without a handle starts over from no progress."""
        fresh = {} if self.get(job_id).handle is not None else {"progress": 0.0}
        return self._set(job_id, state=JobState.QUEUED, error=None, finished_at=None, **fresh)

    def render_again(self, job_id: str) -> Job:
        """Queued to be sent anew (a new charge, the user's priced decision): the handle is
        dropped; what the earlier submissions may have cost still counts (as uncertain)."""
        for sent in self.submissions(job_id):
            if sent.state in (Sent.SENDING, Sent.ACCEPTED):
                self.mark(sent.id, Sent.UNCERTAIN)
        return self._set(
            job_id, state=JobState.QUEUED, progress=0.0, error=None, finished_at=None, handle=None
        )

    def possibly_charged(self, job_id: str) -> float:
        """What this job's unsettled submissions may cost (accepted, uncertain or in flight)."""
        return round(sum(s.estimate for s in self.submissions(job_id) if s.state.counts), 6)

    def open_submission(self, job_id: str) -> PaidRequest | None:
        """The submission sent and not yet settled, refused or given up, if any."""
        subs = [s for s in self.submissions(job_id) if s.state in (Sent.SENDING, Sent.ACCEPTED)]
        return subs[-1] if subs else None

    def reconcile(self) -> list[Job]:
        """On start-up: running jobs with a provider handle are resumed (polled, never
        resubmitted); a job that was sending a paid request or had its answer (and had not
        yet recorded it) needs the user's decision; the others are marked interrupted.
        Returns what to run."""
        resume = []
        for job in self.recent(states={JobState.RUNNING}):
            if self.owned_elsewhere(job.id):
                continue  # `aiuteur render` in a terminal is working on it: not ours
            found = self.recover(job)
            if found is not None:
                resume.append(found)
        return resume + [
            j
            for j in self.recent(states={JobState.QUEUED})
            if j.id not in {r.id for r in resume} and not self.owned_elsewhere(j.id)
        ]

    def recover(self, job: Job) -> Job | None:
        """One interrupted running job: queued again to resume from its provider handle
        (polled, never resubmitted) — returned; or waiting for the user's decision when a paid
        request was on its way; or failed as interrupted. Never sent anew."""
        if job.handle is not None:
            return self._set(job.id, state=JobState.QUEUED)
        if (sent := self.open_submission(job.id)) is not None:
            self.mark(sent.id, Sent.UNCERTAIN)
            self.decide(job.id, MAYBE_CHARGED)
        else:
            self.fail(job.id, INTERRUPTED)
        return None


def backoff(
    attempt: int, retry_after: float | None = None, *, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry `attempt` (1, 2, …): exponential with full jitter, capped
    at a minute, and never sooner than the provider's Retry-After."""
    base = min(60.0, 2.0 ** max(0, attempt - 1))
    wait = (rng or random).uniform(base / 2, base)
    return max(wait, retry_after or 0.0)


class JobContext(Protocol):
    """What a job's work function can do while it runs (given to it by the runner)."""

    job: Job

    def progress(self, fraction: float) -> None: ...
    def step(self, step: Step) -> None:
        """Which of a countable job's steps it is on (the windows say "37 of 1,537")."""
        ...

    def cancelled(self) -> bool: ...
    def set_handle(self, handle: dict[str, Any]) -> None: ...
    def paid(self, estimate: float) -> Any:
        """A context manager around one paid request (`core.money.paid.PaidCall`)."""
        ...

    def spend_key(self) -> str:
        """The ledger key for what this job is paid for (one row however often it ends)."""
        ...


#: Work function per job kind: `fn(context) -> (result, actual cost)`.
WorkFn = Callable[[JobContext], tuple[dict[str, Any], float]]
_KINDS: dict[str, WorkFn] = {}


def register(kind: str) -> Callable[[WorkFn], WorkFn]:
    def wrap(fn: WorkFn) -> WorkFn:
        _KINDS[kind] = fn
        return fn

    return wrap


def work_for(kind: str) -> WorkFn:
    if kind not in _KINDS:
        raise ProviderError("bad_request", f"This version of Aiuteur cannot run “{kind}” jobs.")
    return _KINDS[kind]


class Cancelled(Exception):
    """Raised by work functions that notice `context.cancelled()`."""


__all__ = [
    "Cancelled",
    "Job",
    "JobContext",
    "JobState",
    "JobStore",
    "PaidRequest",
    "Sent",
    "backoff",
    "register",
]
