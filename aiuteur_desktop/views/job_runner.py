"""Runs persisted jobs on a QThreadPool and reports through Qt signals (DESIGN.md "Jobs").

Per-provider concurrency limits, retries with exponential backoff and jitter
that honour Retry-After, plain-words errors, cancel, and resuming after a
restart (jobs with a provider handle are polled again, never resubmitted).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from aiuteur_desktop.core import cost, jobs
from aiuteur_desktop.core.errors import AiuteurError, ProviderError
from aiuteur_desktop.core.jobs import Job, JobState, JobStore
from aiuteur_desktop.core.redaction import redact
from aiuteur_desktop.core.settings import Budget

# Importing these registers their job kinds with core.jobs.
from aiuteur_desktop.providers import (  # noqa: F401
    asset_jobs,
    image_jobs,
    story_jobs,
    style_jobs,
    text_jobs,
    video_jobs,
)
from aiuteur_desktop.providers.offline import jobs as offline_jobs  # noqa: F401

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: How many jobs of one provider run at once (cloud rate limits, local CPU).
LIMITS = {"offline": 2, "local": 1}
DEFAULT_LIMIT = 4
#: Progress is written to the database at most this often (the UI hears every update).
PERSIST_EVERY = 0.5


def provider_key(provider: str) -> str:
    return provider.split(":", 1)[0]


class _Bridge(QObject):
    progressed = Signal(str, float)
    done = Signal(str, object, float)
    failed = Signal(str, object)


class _Context:
    """The `JobContext` a work function sees, on its worker thread."""

    def __init__(self, job: Job, store: JobStore, bridge: _Bridge, stop: threading.Event) -> None:
        self.job = job
        self._store, self._bridge, self._stop = store, bridge, stop
        self._last_saved = 0.0
        self._last_emit = 0.0

    def progress(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_emit >= 0.05:
            self._last_emit = now
            self._bridge.progressed.emit(self.job.id, float(fraction))
        if fraction >= 1.0 or now - self._last_saved >= PERSIST_EVERY:
            self._last_saved = now
            self._store.progress(self.job.id, fraction)

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def set_handle(self, handle: dict[str, Any]) -> None:
        self._store.set_handle(self.job.id, handle)


def _settle(
    store: JobStore, job: Job, exc: BaseException, stop: threading.Event
) -> tuple[str, float]:
    """Record how a failed attempt ends: ("cancelled" | "retry" | "failed", delay before retry).

    Runs on the worker thread, so the UI thread never waits on this write.
    """
    if isinstance(exc, jobs.Cancelled) or stop.is_set():
        store.cancel(job.id)
        return "cancelled", 0.0
    if isinstance(exc, ProviderError) and exc.retryable and job.attempts < MAX_ATTEMPTS:
        delay = jobs.backoff(job.attempts, exc.retry_after)
        store.requeue(job.id, f"{exc.user_message} Trying again in {delay:.0f} s…")
        return "retry", delay
    if isinstance(exc, AiuteurError):
        store.fail(job.id, exc.user_message)
    else:
        log.error("job %s (%s) failed", job.id, job.kind, exc_info=exc)
        store.fail(
            job.id, f"Something unexpected went wrong: {redact(str(exc)) or type(exc).__name__}."
        )
    return "failed", 0.0


class _Work(QRunnable):
    def __init__(self, ctx: _Context, store: JobStore, bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ctx, self._store, self._bridge = ctx, store, bridge

    def run(self) -> None:
        job = self._ctx.job
        try:
            result, amount = jobs.work_for(job.kind)(self._ctx)
            self._store.succeed(job.id, result, amount)
        except BaseException as exc:  # settled here, reported to the UI; never lost
            try:
                outcome = _settle(self._store, job, exc, self._ctx._stop)
            except BaseException:
                log.exception("could not record the end of job %s", job.id)
                outcome = ("failed", 0.0)
            self._bridge.failed.emit(job.id, outcome)
        else:
            self._bridge.done.emit(job.id, None, amount)


class JobRunner(QObject):
    """The one place jobs start, stop, retry and finish."""

    changed = Signal(str)  # a job was added, or its state or error changed
    progressed = Signal(str, float)  # a running job reported progress
    finished = Signal(str)  # a job reached succeeded, failed or cancelled

    def __init__(
        self,
        store: JobStore,
        parent: QObject | None = None,
        *,
        budget: Callable[[], Budget] | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._budget = budget or Budget
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(8)
        self.progress: dict[str, float] = {}
        self._running: dict[str, tuple[str, threading.Event]] = {}
        self._not_before: dict[str, float] = {}
        self._pump_pending = False
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_progress)
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)

    # --------------------------------------------------------------- commands
    def submit(
        self,
        kind: str,
        title: str,
        provider: str,
        params: dict[str, Any],
        *,
        project: str | None = None,
        estimate: float = 0.0,
    ) -> Job:
        """Queue a job. Raises BudgetExceeded (nothing queued) when it would pass a cap."""
        if estimate > 0:
            cost.check_budget(
                estimate,
                self._budget(),
                spent_this_month=self.store.committed(cost.month_start()),
                spent_on_project=self.store.committed(0.0, project) if project else None,
            )
        job = self.store.add(kind, title, provider, params, project=project, estimate=estimate)
        self.changed.emit(job.id)
        self._schedule_pump()  # a burst of submissions starts together, after one queue scan
        return job

    def cancel(self, job_id: str) -> None:
        """Queued jobs stop at once; running ones at their next checkpoint."""
        if job_id in self._running:
            self._running[job_id][1].set()
            return
        job = self.store.get(job_id)
        if not job.state.finished:
            self.store.cancel(job_id)
            self._not_before.pop(job_id, None)
            self.changed.emit(job_id)
            self.finished.emit(job_id)

    def retry(self, job_id: str) -> None:
        if self.store.get(job_id).state in (JobState.FAILED, JobState.CANCELLED):
            self.store.retry(job_id)
            self.progress.pop(job_id, None)
            self.changed.emit(job_id)
            self._pump()

    def resume(self) -> list[Job]:
        """At start-up: reconcile what the last session left running, then run the queue."""
        queued = self.store.reconcile()
        self._pump()
        return queued

    def running_count(self) -> int:
        return len(self._running)

    def active(self) -> list[Job]:
        return self.store.recent(states={JobState.QUEUED, JobState.RUNNING})

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """On quit: ask running work to stop and wait briefly. The table still says "running",
        so the next start reports them as interrupted (or resumes those with a handle)."""
        for _provider, stop in self._running.values():
            stop.set()
        self.pool.waitForDone(timeout_ms)

    # -------------------------------------------------------------- scheduling
    @Slot()
    def _pump(self) -> None:
        self._pump_pending = False
        now = time.monotonic()
        busy: dict[str, int] = {}
        for provider, _stop in self._running.values():
            busy[provider] = busy.get(provider, 0) + 1
        work: list[_Work] = []
        for job in reversed(self.store.recent(states={JobState.QUEUED})):  # oldest first
            if job.id in self._running or self._not_before.get(job.id, 0) > now:
                continue
            key = provider_key(job.provider)
            if busy.get(key, 0) >= LIMITS.get(key, DEFAULT_LIMIT):
                continue
            busy[key] = busy.get(key, 0) + 1
            work.append(self._prepare(job))
        # Threads start only after the bookkeeping: a worker that grabs the GIL would
        # otherwise make each of these database writes wait for it (a UI stall).
        for w in work:
            self.pool.start(w)

    def _prepare(self, job: Job) -> _Work:
        job = self.store.start(job.id)
        stop = threading.Event()
        self._running[job.id] = (provider_key(job.provider), stop)
        self.progress[job.id] = job.progress
        self.changed.emit(job.id)
        return _Work(_Context(job, self.store, self._bridge, stop), self.store, self._bridge)

    # ----------------------------------------------------------------- results
    @Slot(str, float)
    def _on_progress(self, job_id: str, fraction: float) -> None:
        if job_id in self._running:
            self.progress[job_id] = fraction
            self.progressed.emit(job_id, fraction)

    @Slot(str, object, float)
    def _on_done(self, job_id: str, _result: object, _amount: float) -> None:
        self._running.pop(job_id, None)
        self.progress[job_id] = 1.0
        self._finish(job_id)

    @Slot(str, object)
    def _on_failed(self, job_id: str, outcome: tuple[str, float]) -> None:
        self._running.pop(job_id, None)
        kind, delay = outcome
        if kind == "retry":
            self._not_before[job_id] = time.monotonic() + delay
            self.changed.emit(job_id)
            QTimer.singleShot(int(delay * 1000) + 10, self._pump)
            self._schedule_pump()
            return
        self._finish(job_id)

    def _finish(self, job_id: str) -> None:
        self._not_before.pop(job_id, None)
        self.changed.emit(job_id)
        self.finished.emit(job_id)
        self._schedule_pump()

    def _schedule_pump(self) -> None:
        """One queue scan for a burst of finishing jobs, not one per job."""
        if not self._pump_pending:
            self._pump_pending = True
            QTimer.singleShot(0, self._pump)
