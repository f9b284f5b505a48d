"""Runs persisted jobs on a QThreadPool and reports through Qt signals (DESIGN.md "Jobs").

A thin adapter: what may start, retries, limits and the budget are `core.scheduler`'s;
this module owns the threads, the wake-up timer and the signals.
"""

from __future__ import annotations

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
from aiuteur_desktop.core.scheduler import Outcome, Scheduler
from aiuteur_desktop.core.settings import Budget
from aiuteur_desktop.providers.registry import register_all

log = logging.getLogger(__name__)

#: Progress is written to the database at most this often (the UI hears every update).
PERSIST_EVERY = 0.5


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


class _Work(QRunnable):
    def __init__(self, ctx: _Context, scheduler: Scheduler, bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ctx, self._scheduler, self._bridge = ctx, scheduler, bridge

    def run(self) -> None:
        job = self._ctx.job
        try:
            result, amount = jobs.work_for(job.kind)(self._ctx)
            self._scheduler.succeeded(job, result, amount)
        except BaseException as exc:  # settled here, reported to the UI; never lost
            outcome = self._scheduler.settle(job, exc, stopped=self._ctx.cancelled())
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        register_all()  # every job kind and operation, with the provider registry behind them
        self.store = store
        self.scheduler = Scheduler(store, budget=budget or Budget, clock=clock)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(8)
        self.progress: dict[str, float] = {}
        self._stops: dict[str, threading.Event] = {}
        self._pump_pending = False
        self._wake = QTimer(self)
        self._wake.setSingleShot(True)
        self._wake.timeout.connect(self._pump)
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
        if job_id in self._stops:
            self._stops[job_id].set()
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
        return len(self._stops)

    def active(self) -> list[Job]:
        return self.store.recent(states={JobState.QUEUED, JobState.RUNNING})

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """On quit: ask running work to stop and wait briefly. The table still says "running",
        so the next start reports them as interrupted (or resumes those with a handle)."""
        self._wake.stop()
        for stop in self._stops.values():
            stop.set()
        self.pool.waitForDone(timeout_ms)

    # -------------------------------------------------------------- scheduling
    @Slot()
    def _pump(self) -> None:
        self._pump_pending = False
        work: list[_Work] = []
        for job in self.scheduler.take():
            stop = threading.Event()
            self._stops[job.id] = stop
            self.progress[job.id] = job.progress
            self.changed.emit(job.id)
            work.append(
                _Work(_Context(job, self.store, self._bridge, stop), self.scheduler, self._bridge)
            )
        # Threads start only after the bookkeeping: a worker that grabs the GIL would
        # otherwise make each of these database writes wait for it (a UI stall).
        for w in work:
            self.pool.start(w)
        self._arm()

    def _arm(self) -> None:
        """Wake for the next waiting retry. Timers may fire a little early: the pump then
        finds it not yet due and arms again for the rest."""
        wait = self.scheduler.wake_in()
        if wait is None:
            self._wake.stop()
        else:
            self._wake.start(max(1, math.ceil(wait * 1000)))

    # ----------------------------------------------------------------- results
    @Slot(str, float)
    def _on_progress(self, job_id: str, fraction: float) -> None:
        if job_id in self._stops:
            self.progress[job_id] = fraction
            self.progressed.emit(job_id, fraction)

    @Slot(str, object, float)
    def _on_done(self, job_id: str, _result: object, _amount: float) -> None:
        self._stops.pop(job_id, None)
        self.progress[job_id] = 1.0
        self._finish(job_id)

    @Slot(str, object)
    def _on_failed(self, job_id: str, outcome: Outcome) -> None:
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
