"""Runs persisted jobs on a QThreadPool and reports through Qt signals (DESIGN.md "Jobs").

A thin adapter: what may start, retries, limits and the budget are `core.scheduler`'s;
this module owns the threads, the wake-up timer and the signals. Which jobs start is
decided on a worker (it reads and writes the job table), never on the UI thread.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.jobs import Job, JobState, JobStore
from aiuteur_desktop.core.operations import Operation
from aiuteur_desktop.core.scheduler import MAX_RUNNING, Outcome, Scheduler
from aiuteur_desktop.core.settings import Budget
from aiuteur_desktop.providers.registry import register_all
from aiuteur_desktop.views.jobs import use_pool

log = logging.getLogger(__name__)

#: Progress is written to the database at most this often (the UI hears every update).
PERSIST_EVERY = 0.5


class _Bridge(QObject):
    taken = Signal(object, object)  # [(job id, progress)], seconds to the next retry or None
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


class _Work(QRunnable):
    def __init__(self, ctx: _Context, scheduler: Scheduler, bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ctx, self._scheduler, self._bridge = ctx, scheduler, bridge

    def run(self) -> None:
        with contextlib.suppress(RuntimeError):  # the runner was deleted (at quit)
            self._run()

    def _run(self) -> None:
        job = self._ctx.job
        try:
            if self._ctx.cancelled():  # cancelled while it was being started
                raise jobs.Cancelled()
            result, amount = jobs.work_for(job.kind)(self._ctx)
            self._scheduler.succeeded(job, result, amount)
        except BaseException as exc:  # settled here, reported to the UI; never lost
            outcome = self._scheduler.settle(job, exc, stopped=self._ctx.cancelled())
            self._bridge.failed.emit(job.id, outcome)
        else:
            self._bridge.done.emit(job.id, None, amount)


class _Take(QRunnable):
    """One queue scan on a worker: start what is due, then tell the UI thread."""

    def __init__(self, runner: JobRunner) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._runner = runner

    def run(self) -> None:
        started: list[tuple[str, float]] = []
        wake: float | None = None
        try:
            started, wake = self._scan()
        except BaseException:  # never let an exception reach Qt's thread pool
            log.exception("the job queue scan failed")
        # Always answered, so the runner never waits for a scan that is gone.
        with contextlib.suppress(RuntimeError):  # the runner was deleted (at quit)
            self._runner._bridge.taken.emit(started, wake)

    def _scan(self) -> tuple[list[tuple[str, float]], float | None]:
        r = self._runner
        try:
            taken = r.scheduler.take()
            wake = r.scheduler.wake_in()
        except Exception:  # a locked or damaged table: try again on the next pump
            log.exception("could not read the job queue")
            taken, wake = [], None
        started = []
        for job in taken:
            stop = threading.Event()
            with r._lock:
                r._stops[job.id] = stop
                if job.id in r._cancel_early:
                    r._cancel_early.discard(job.id)
                    stop.set()
            started.append((job.id, job.progress))
        # Threads start only after the bookkeeping: a worker that grabs the GIL would
        # otherwise make each of these database writes wait for it.
        for job in taken:
            ctx = _Context(job, r.store, r._bridge, r._stops[job.id])
            r.pool.start(_Work(ctx, r.scheduler, r._bridge))
        return started, wake


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        register_all()  # every job kind and operation, with the provider registry behind them
        self.store = store
        self.scheduler = Scheduler(store, budget=budget or Budget, clock=clock)
        self.pool = QThreadPool(self)
        # The scheduler runs at most MAX_RUNNING jobs; the rest of the threads are for
        # queries and queue scans, which therefore never wait behind long renders.
        self.pool.setMaxThreadCount(MAX_RUNNING + 3)
        use_pool(self.pool)  # background queries share the pool and its shutdown
        self.progress: dict[str, float] = {}
        self._stops: dict[str, threading.Event] = {}
        self._cancel_early: set[str] = set()  # cancelled while a scan was starting them
        self._lock = threading.Lock()
        self._pump_pending = False
        self._taking = False  # a queue scan is on a worker
        self._again = False  # … and another was asked for meanwhile
        self._stopping = False
        self._wake = QTimer(self)
        self._wake.setSingleShot(True)
        self._wake.timeout.connect(self._pump)
        self._bridge = _Bridge(self)
        self._bridge.taken.connect(self._on_taken)
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
        job = self.scheduler.submit(
            kind, title, provider, params, project=project, estimate=estimate
        )
        self.changed.emit(job.id)
        self._schedule_pump()  # a burst of submissions starts together, after one queue scan
        return job

    def run_operation(self, op: Operation) -> Job:
        """Queue an operation as a job; it applies its own result when it finishes."""
        s = op.submission()
        return self.submit(
            op.kind, s.title, s.provider, s.params, project=s.project, estimate=s.estimate
        )

    def cancel(self, job_id: str) -> None:
        """Queued jobs stop at once; running ones at their next checkpoint."""
        with self._lock:
            stop = self._stops.get(job_id)
            if stop is None and self._taking:
                self._cancel_early.add(job_id)  # a scan may be starting it right now
        if stop is not None:
            stop.set()
            return
        job = self.store.get(job_id)
        if not job.state.finished:
            self.store.cancel(job_id)
            self.scheduler.forget(job_id)
            self.changed.emit(job_id)
            self.finished.emit(job_id)

    def retry(self, job_id: str) -> None:
        if self.store.get(job_id).state in (JobState.FAILED, JobState.CANCELLED):
            self.store.retry(job_id)
            self.scheduler.forget(job_id)
            self.progress.pop(job_id, None)
            self.changed.emit(job_id)
            self._pump()

    def resume(self) -> list[Job]:
        """At start-up: reconcile what the last session left running, then run the queue."""
        queued = self.store.reconcile()
        self._pump()
        return queued

    def running_count(self) -> int:
        with self._lock:
            return len(self._stops)

    def active(self) -> list[Job]:
        return self.store.recent(states={JobState.QUEUED, JobState.RUNNING})

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """On quit: ask running work to stop and wait briefly. The table still says "running",
        so the next start reports them as interrupted (or resumes those with a handle)."""
        self._wake.stop()
        self._stopping = True
        with self._lock:
            for stop in self._stops.values():
                stop.set()
        self.pool.waitForDone(timeout_ms)

    # -------------------------------------------------------------- scheduling
    @Slot()
    def _pump(self) -> None:
        self._pump_pending = False
        if self._stopping:
            return
        if self._taking:
            self._again = True
            return
        self._taking = True
        self.pool.start(_Take(self))

    @Slot(object, object)
    def _on_taken(self, started: list[tuple[str, float]], wake: float | None) -> None:
        self._taking = False
        for job_id, progress in started:
            with self._lock:
                running = job_id in self._stops
            if running:  # (a quick job may have finished before this arrived)
                self.progress[job_id] = max(progress, self.progress.get(job_id, 0.0))
            self.changed.emit(job_id)
        self._arm(wake)
        if self._again:
            self._again = False
            self._schedule_pump()

    def _arm(self, wait: float | None) -> None:
        """Wake for the next waiting retry. Timers may fire a little early: the scan then
        finds it not yet due and arms again for the rest."""
        if wait is None:
            self._wake.stop()
        else:
            self._wake.start(max(1, math.ceil(wait * 1000)))

    # ----------------------------------------------------------------- results
    @Slot(str, float)
    def _on_progress(self, job_id: str, fraction: float) -> None:
        with self._lock:
            running = job_id in self._stops
        if running:
            self.progress[job_id] = fraction
            self.progressed.emit(job_id, fraction)

    @Slot(str, object, float)
    def _on_done(self, job_id: str, _result: object, _amount: float) -> None:
        with self._lock:
            self._stops.pop(job_id, None)
        self.progress[job_id] = 1.0
        self._finish(job_id)

    @Slot(str, object)
    def _on_failed(self, job_id: str, outcome: Outcome) -> None:
        with self._lock:
            self._stops.pop(job_id, None)
        if outcome.kind == "retry":
            self.changed.emit(job_id)
            self._schedule_pump()
            return
        self._finish(job_id)

    def _finish(self, job_id: str) -> None:
        self.changed.emit(job_id)
        self.finished.emit(job_id)
        self._schedule_pump()

    def _schedule_pump(self) -> None:
        """One queue scan for a burst of finishing jobs, not one per job."""
        if not self._pump_pending:
            self._pump_pending = True
            QTimer.singleShot(0, self._pump)
