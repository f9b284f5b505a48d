"""Runs persisted jobs on a QThreadPool and reports through Qt signals (DESIGN.md "Jobs").

A thin adapter: what may start, retries, limits and the budget are `core.operations.scheduler`'s;
this module owns the threads, the wake-up timer and the signals. The job table is read and
written only on workers — queueing (with its budget check), queue scans, cancel, retry,
the start-up reconcile — and the UI thread sees jobs through `job()` / `recent()`, a mirror
the workers' reports keep current.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app import ui_turns
from aiuteur_desktop.core.app.progress import Step, describe
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import Job, JobState, JobStore
from aiuteur_desktop.core.money.paid import StoreContext
from aiuteur_desktop.core.operations import Operation
from aiuteur_desktop.core.operations.scheduler import MAX_RUNNING, Outcome, Scheduler
from aiuteur_desktop.providers.startup import register_all
from aiuteur_desktop.views.jobs.background import run_in_background, use_pool
from aiuteur_desktop.views.kit.ui_gc import collect_on_ui_thread, hold_full_pass_while

log = logging.getLogger(__name__)

#: Progress is written to the database at most this often (the UI hears every update).
PERSIST_EVERY = 0.5


class _Bridge(QObject):
    taken = Signal(object, object)  # [started Job], seconds to the next retry or None
    progressed = Signal(str, float)
    stepped = Signal(str, object)  # job id, its core.app.progress.Step
    done = Signal(object)  # the finished Job
    queued = Signal(object)  # a submission's Job, as written
    refused = Signal(str, object)  # a submission's id, the exception that refused it
    failed = Signal(str, object, object)  # job id, its Job as recorded (or None), Outcome


class _Context(StoreContext):
    """The `JobContext` a work function sees, on its worker thread: progress is also told to
    the UI (and written at most every PERSIST_EVERY seconds)."""

    def __init__(self, job: Job, store: JobStore, bridge: _Bridge, stop: threading.Event) -> None:
        super().__init__(job, store, stop)
        self._bridge = bridge
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

    def step(self, step: Step) -> None:
        self._bridge.stepped.emit(self.job.id, step)


class _Work(QRunnable):
    def __init__(
        self,
        ctx: _Context,
        scheduler: Scheduler,
        bridge: _Bridge,
        quitting: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ctx, self._scheduler, self._bridge = ctx, scheduler, bridge
        self._quitting = quitting

    def run(self) -> None:
        ui_turns.worker_started()
        with contextlib.suppress(RuntimeError):  # the runner was deleted (at quit)
            self._run()

    def _run(self) -> None:
        job = self._ctx.job
        try:
            if self._ctx.cancelled():  # cancelled while it was being started
                raise jobs.Cancelled()
            result, amount = jobs.work_for(job.kind)(self._ctx)
            done = self._scheduler.succeeded(job, result, amount)
        except BaseException as exc:  # settled here, reported to the UI; never lost
            if isinstance(exc, jobs.Cancelled) and self._quitting():
                # Stopped because the app quits, not by the user: the row stays "running",
                # so the next start resumes a render the provider has (by its handle) and
                # asks about a request that was in flight — never sends it again.
                self._scheduler.settle_later(job.id)
                return
            outcome = self._scheduler.settle(job, exc, stopped=self._ctx.cancelled())
            self._bridge.failed.emit(job.id, _reread(self._ctx._store, job.id), outcome)
        else:
            self._bridge.done.emit(done)


def _reread(store: JobStore, job_id: str) -> Job | None:
    try:
        return store.get(job_id)
    except Exception:  # a locked or damaged table: the UI keeps what it had
        log.exception("could not read job %s back", job_id)
        return None


class _Take(QRunnable):
    """One queue scan on a worker: start what is due, then tell the UI thread."""

    def __init__(self, runner: JobRunner) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._runner = runner

    def run(self) -> None:
        ui_turns.worker_started()
        started: list[Job] = []
        wake: float | None = None
        try:
            started, wake = self._scan()
        except BaseException:  # never let an exception reach Qt's thread pool
            log.exception("the job queue scan failed")
        # Always answered, so the runner never waits for a scan that is gone.
        with contextlib.suppress(RuntimeError):  # the runner was deleted (at quit)
            self._runner._bridge.taken.emit(started, wake)

    def _scan(self) -> tuple[list[Job], float | None]:
        r = self._runner
        try:
            taken = r.scheduler.take()
            wake = r.scheduler.wake_in()
        except Exception:  # a locked or damaged table: try again on the next pump
            log.exception("could not read the job queue")
            taken, wake = [], None
        for job in taken:
            stop = threading.Event()
            with r._lock:
                r._stops[job.id] = stop
                if job.id in r._cancel_early:
                    r._cancel_early.discard(job.id)
                    stop.set()
        # Threads start only after the bookkeeping: a worker that grabs the GIL would
        # otherwise make each of these database writes wait for it.
        for job in taken:
            ctx = _Context(job, r.store, r._bridge, r._stops[job.id])
            r.pool.start(_Work(ctx, r.scheduler, r._bridge, lambda: r._stopping))
        return taken, wake


class _Queue(QRunnable):
    """Writes submissions in the order they were made (one at a time: a burst keeps its
    order in the queue), each after its budget check."""

    def __init__(self, runner: JobRunner) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._runner = runner

    def run(self) -> None:
        ui_turns.worker_started()
        r = self._runner
        while True:
            with r._lock:
                if not r._pending:
                    r._queue_running = False
                    return
                job_id, add = r._pending.popleft()
            ui_turns.give_way()  # (a scene's burst of submissions: the window first)
            try:
                job = add()
            except BaseException as exc:  # refused (a cap) or the table failed: say so
                with contextlib.suppress(RuntimeError):
                    r._bridge.refused.emit(job_id, exc)
            else:
                with contextlib.suppress(RuntimeError):
                    r._bridge.queued.emit(job)


class JobRunner(QObject):
    """The one place jobs start, stop, retry and finish."""

    changed = Signal(str)  # a job was added, or its state or error changed
    progressed = Signal(str, float)  # a running job reported progress
    #: Some job progressed, at most ten times a second: for views that show overall
    #: progress (bars repaint at once on each new value; progress comes many times a second
    #: per job, and a batch runs several).
    progressTicked = Signal()
    finished = Signal(str)  # a job reached succeeded, failed or cancelled
    refused = Signal(str, str)  # a submission was refused (a budget cap): id, the reason
    reloaded = Signal()  # the mirror was read afresh (at start-up): lists rebuild
    declined = Signal(str, str)  # Retry / Check Again / Render Again refused: id, the reason

    def __init__(
        self,
        store: JobStore,
        parent: QObject | None = None,
        *,
        budget: Callable[[], Budget] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        collect_on_ui_thread()  # no worker ever collects a Qt object's cycle
        register_all()  # every job kind and operation, with the provider registry behind them
        self.store = store
        self.scheduler = Scheduler(store, budget=budget or Budget, clock=clock)
        self.pool = QThreadPool(self)
        # The scheduler runs at most MAX_RUNNING jobs; the rest of the threads are for
        # queries and queue scans, which therefore never wait behind long renders.
        self.pool.setMaxThreadCount(MAX_RUNNING + 3)
        use_pool(self.pool)  # background queries share the pool and its shutdown
        pool = self.pool
        hold_full_pass_while(lambda: pool.activeThreadCount() > 0)
        self.progress: dict[str, float] = {}
        self._tick_due = QTimer(self, singleShot=True, interval=100)
        self._tick_due.timeout.connect(self.progressTicked.emit)
        self.steps: dict[str, Step] = {}  # a countable running job's place ("37 of 1,537")
        self._jobs: dict[str, Job] = {}  # the UI thread's view of the job table
        self._seq = 0  # the newest seq among them (0: not worked out yet)
        self._queueing: set[str] = set()  # submitted; their rows are being written
        self._cancel_queued: set[str] = set()  # … and cancelled meanwhile
        self._pending: deque[tuple[str, Callable[[], Job]]] = deque()  # for `_Queue`
        self._queue_running = False
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
        self._bridge.stepped.connect(self._on_step)
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.queued.connect(self._on_queued)
        self._bridge.refused.connect(self._on_refused)

    # --------------------------------------------------------------- commands
    def submit(self, job: jobs.Submission) -> str:
        """Queue a job; returns its id at once. Its row is written (after the budget check) on
        a worker: `changed` then says it is queued, or `refused` says why nothing was."""
        job_id = jobs.new_id()
        self._queueing.add(job_id)
        # Shown as queued at once; the worker's row (or a refusal) replaces it.
        # (the newest seq is kept as jobs are seen: a max over every job per submission made a
        # batch of three hundred frames quadratic on the UI thread)
        if not self._seq:
            self._seq = max((j.seq for j in self._jobs.values()), default=0)
        self._seq += 1
        seq = self._seq
        self._update(
            Job(job_id, seq, job.kind, job.title, job.provider, job.project, job.params,
                JobState.QUEUED, 0.0, float(job.estimate), 0.0, None, None, None, 0, time.time(),
                None, None)
        )  # fmt: skip

        def add() -> Job:
            return self.scheduler.submit(job, job_id=job_id)

        with self._lock:
            self._pending.append((job_id, add))
            start = not self._queue_running
            self._queue_running = True
        if start:
            self.pool.start(_Queue(self))
        return job_id

    def run_operation(self, op: Operation) -> str:
        """Queue an operation as a job; it applies its own result when it finishes."""
        return self.submit(op.submission())

    def cancel(self, job_id: str) -> None:
        """Queued jobs stop at once; running ones at their next checkpoint."""
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()
            return
        if job_id in self._queueing:
            self._cancel_queued.add(job_id)  # cancelled as soon as its row exists
            return

        def cancel() -> Job | None:
            job = self.scheduler.cancel_queued(job_id)
            if job is None:  # a scan started it meanwhile: stop it at its checkpoint
                with self._lock:
                    running = self._stops.get(job_id)
                    if running is None:
                        self._cancel_early.add(job_id)
                if running is not None:
                    running.set()
            return job

        run_in_background(cancel, self._on_cancelled, self._on_error, parent=self, pool=self.pool)

    def retry(self, job_id: str) -> None:
        """A failed or cancelled job, queued again as it was; one the provider has (a
        handle) is resumed, never sent again. A refusal comes back as `declined`."""
        self._requeue(job_id, self.scheduler.retry)

    def check_again(self, job_id: str) -> None:
        """A job that needs a decision: ask the provider again (poll its handle)."""
        self._requeue(job_id, self.scheduler.check_again)

    def render_again(self, job_id: str) -> None:
        """The user's explicit, priced decision to send a paid job anew (a new charge)."""
        self._requeue(job_id, self.scheduler.render_again)

    def _requeue(self, job_id: str, how: Callable[[str], Job | None]) -> None:
        def queued(job: Job | None) -> None:
            if job is not None:
                self.progress.pop(job.id, None)
                self._update(job)
                self._pump()

        def declined(exc: BaseException) -> None:
            if isinstance(exc, AiuteurError):
                self.declined.emit(job_id, exc.user_message)
            else:
                self._on_error(exc)

        run_in_background(lambda: how(job_id), queued, declined, parent=self, pool=self.pool)

    def resume(self) -> None:
        """At start-up: reconcile what the last session left running (on a worker), read the
        recent jobs for the lists, then run the queue."""

        def reconcile() -> list[Job]:
            self.store.reconcile()
            return self.store.recent(limit=500)

        def loaded(recent: list[Job]) -> None:
            for job in recent:
                self._jobs.setdefault(job.id, job)
                self._seq = max(self._seq, job.seq) if self._seq else 0
            self.reloaded.emit()
            self._pump()

        run_in_background(reconcile, loaded, self._on_error, parent=self, pool=self.pool)

    # ------------------------------------------------------------------ reads
    def job(self, job_id: str) -> Job:
        """The job as last reported (no database read for a job of this session)."""
        job = self._jobs.get(job_id)
        return job if job is not None else self.store.get(job_id)

    def recent(self, limit: int = 500) -> list[Job]:
        """The jobs this runner knows, newest first."""
        return sorted(self._jobs.values(), key=lambda j: -j.seq)[:limit]

    def running_count(self) -> int:
        with self._lock:
            return len(self._stops)

    def active(self) -> list[Job]:
        return [j for j in self.recent() if j.state in (JobState.QUEUED, JobState.RUNNING)]

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
    def _on_taken(self, started: list[Job], wake: float | None) -> None:
        self._taking = False
        for job in started:
            with self._lock:
                running = job.id in self._stops
            if running:  # (a quick job may have finished before this arrived)
                self.progress[job.id] = max(job.progress, self.progress.get(job.id, 0.0))
                self._update(job)
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
            if not self._tick_due.isActive():
                self._tick_due.start()

    @Slot(str, object)
    def _on_step(self, job_id: str, step: Step) -> None:
        with self._lock:
            running = job_id in self._stops
        if running:
            self.steps[job_id] = step
            self.progressed.emit(job_id, self.progress.get(job_id, 0.0))

    def describe(self, job: Job) -> str:
        """A running job's place in words: "Shot 12B · 37 of 1,537 · 2:10 so far · about
        4:12 left" (the step where the job counts them, the share of the way otherwise)."""
        fraction = self.progress.get(job.id, job.progress)
        began = job.started_at or time.time()
        return describe(self.steps.get(job.id), fraction, max(0.0, time.time() - began))

    @Slot(object)
    def _on_done(self, job: Job) -> None:
        with self._lock:
            self._stops.pop(job.id, None)
        self.steps.pop(job.id, None)
        self.progress[job.id] = 1.0
        self._jobs[job.id] = job
        self._finish(job.id)

    @Slot(str, object, object)
    def _on_failed(self, job_id: str, job: Job | None, outcome: Outcome) -> None:
        with self._lock:
            self._stops.pop(job_id, None)
        if job is not None:
            self._jobs[job_id] = job
        if outcome.kind == "retry":
            self.changed.emit(job_id)
            self._schedule_pump()
            return
        self._finish(job_id)

    def _on_queued(self, job: Job) -> None:
        self._queueing.discard(job.id)
        shown = self._jobs.get(job.id)
        if shown is not None and (shown.state, shown.error) == (job.state, job.error):
            # Shown as queued since it was submitted: its row changes nothing a page shows,
            # so nobody is told again (a scene's burst of fifty renders told every page fifty
            # times more, on the UI thread, while the user went on working).
            self._jobs[job.id] = job
            self._seq = max(self._seq, job.seq)
        else:
            self._update(job)
        if job.id in self._cancel_queued:
            self._cancel_queued.discard(job.id)
            self.cancel(job.id)
        self._schedule_pump()  # a burst of submissions starts together, after one queue scan

    def _on_refused(self, job_id: str, exc: BaseException) -> None:
        self._queueing.discard(job_id)
        self._cancel_queued.discard(job_id)
        self._jobs.pop(job_id, None)
        if isinstance(exc, AiuteurError):
            reason = exc.user_message
        else:
            log.error("could not queue a job", exc_info=exc)
            reason = f"The job could not be queued: {redact(str(exc)) or type(exc).__name__}."
        self.refused.emit(job_id, reason)

    def _on_cancelled(self, job: Job | None) -> None:
        if job is not None:
            self._update(job)
            self.finished.emit(job.id)

    def _on_error(self, exc: BaseException) -> None:
        log.error("a job table update failed", exc_info=exc)

    def _update(self, job: Job) -> None:
        self._jobs[job.id] = job
        self._seq = max(self._seq, job.seq)
        self.changed.emit(job.id)

    def _finish(self, job_id: str) -> None:
        self.changed.emit(job_id)
        self.finished.emit(job_id)
        self._schedule_pump()

    def _schedule_pump(self) -> None:
        """One queue scan for a burst of finishing jobs, not one per job."""
        if not self._pump_pending:
            self._pump_pending = True
            QTimer.singleShot(0, self._pump)
