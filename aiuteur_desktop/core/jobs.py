"""Jobs: every model call or render is a persisted row (DESIGN.md "Jobs").

The table lives in the app library, so the Jobs page shows work from every
project and a restart finds what was running. The Qt runner (`views/job_runner.py`)
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
    insert,
    select,
    update,
)

from aiuteur_desktop.core.errors import ProviderError


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


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
    "Interrupted when Aiuteur closed before the provider confirmed it. Nothing was resubmitted; "
    "press Retry to run it again."
)


class JobStore:
    """The persisted job table. Thread-safe: workers report progress from their own threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        with engine.begin() as conn:
            _md.create_all(conn)

    def add(
        self,
        kind: str,
        title: str,
        provider: str,
        params: dict[str, Any],
        *,
        project: str | None = None,
        estimate: float = 0.0,
        job_id: str | None = None,
    ) -> Job:
        now = time.time()
        job_id = job_id or new_id()
        with self._lock, self._engine.begin() as conn:
            seq = (
                conn.execute(select(jobs_table.c.seq).order_by(jobs_table.c.seq.desc())).first()
                or (0,)
            )[0] + 1
            values = {
                "id": job_id,
                "seq": seq,
                "kind": kind,
                "title": title,
                "provider": provider,
                "project": project,
                "params": json.dumps(params, sort_keys=True),
                "state": JobState.QUEUED.value,
                "progress": 0.0,
                "estimate": float(estimate),
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
        """Money spent (finished jobs' actual cost) plus committed (estimates of unfinished ones)."""
        c = jobs_table.c
        q = select(c.state, c.cost, c.estimate).where(c.created_at >= since)
        if project is not None:
            q = q.where(c.project == project)
        total = 0.0
        with self._engine.connect() as conn:
            for state, cost, estimate in conn.execute(q):
                running = state in (JobState.QUEUED.value, JobState.RUNNING.value)
                total += estimate if running else cost
        return round(total, 6)

    def _set(self, job_id: str, **values: Any) -> Job:
        for key in ("handle", "result"):
            if key in values and values[key] is not None:
                values[key] = json.dumps(values[key], sort_keys=True)
        if "state" in values:
            values["state"] = JobState(values["state"]).value
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values))
        return self.get(job_id)

    def start(self, job_id: str) -> Job:
        job = self.get(job_id)
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
        return self._set(
            job_id,
            state=JobState.SUCCEEDED,
            progress=1.0,
            result=result,
            cost=cost,
            error=None,
            finished_at=time.time(),
        )

    def fail(self, job_id: str, error: str) -> Job:
        return self._set(job_id, state=JobState.FAILED, error=error, finished_at=time.time())

    def cancel(self, job_id: str) -> Job:
        return self._set(job_id, state=JobState.CANCELLED, finished_at=time.time())

    def retry(self, job_id: str) -> Job:
        """A failed or cancelled job, queued again as it was (the same parameters)."""
        return self._set(
            job_id, state=JobState.QUEUED, progress=0.0, error=None, finished_at=None, handle=None
        )

    def reconcile(self) -> list[Job]:
        """On start-up: running jobs with a provider handle are resumed (polled, never
        resubmitted); running jobs without one are marked interrupted. Returns what to run."""
        resume = []
        for job in self.recent(states={JobState.RUNNING}):
            if job.handle is not None:
                resume.append(self._set(job.id, state=JobState.QUEUED))
            else:
                self.fail(job.id, INTERRUPTED)
        return resume + [
            j for j in self.recent(states={JobState.QUEUED}) if j.id not in {r.id for r in resume}
        ]


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
    def cancelled(self) -> bool: ...
    def set_handle(self, handle: dict[str, Any]) -> None: ...


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


__all__ = ["Cancelled", "Job", "JobContext", "JobState", "JobStore", "backoff", "register"]
