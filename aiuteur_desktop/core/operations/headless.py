"""Operations run by a headless command (`aiuteur frames`, later `render`): the same jobs,
budget check, paid-call rules and retries as the app's runner, one after another on this
thread and without Qt. Only the jobs it queued are started — a running app's queue is left
to the app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.claims import AlreadyClaimed
from aiuteur_desktop.core.jobs import Job, JobState, JobStore
from aiuteur_desktop.core.money.paid import StoreContext
from aiuteur_desktop.core.operations import Operation
from aiuteur_desktop.core.operations.scheduler import Scheduler


def run_one(
    store: JobStore,
    op: Operation,
    budget: Budget,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Job:
    """Queue `op` (BudgetExceeded / PriceUnknown: nothing queued) and run it to its end:
    succeeded, failed, cancelled or waiting for the user's decision. Retries wait their
    backoff here; a paid call that may have been accepted is never sent again."""
    scheduler = Scheduler(store, budget=lambda: budget)
    job = scheduler.submit(op.submission())
    return _drive(store, scheduler, job.id, sleep)


def resume(
    store: JobStore, job_id: str, budget: Budget, *, sleep: Callable[[float], None] = time.sleep
) -> Job:
    """An interrupted job (queued again by `JobStore.recover`, its provider handle kept) run
    to its end here: polled and collected, never sent anew."""
    return _drive(store, Scheduler(store, budget=lambda: budget), job_id, sleep)


def _drive(
    store: JobStore, scheduler: Scheduler, job_id: str, sleep: Callable[[float], None]
) -> Job:
    job = store.get(job_id)
    while True:
        running = store.start(job.id)
        ctx = StoreContext(running, store)
        try:
            result, amount = jobs.work_for(running.kind)(ctx)
        except BaseException as exc:  # recorded as the app records it
            outcome = scheduler.settle(running, exc, stopped=False)
            if outcome.kind != "retry":
                return store.get(job.id)
            sleep(outcome.delay)
            continue
        return scheduler.succeeded(running, result, amount)


def run_all(
    store: JobStore,
    ops: Iterable[Operation],
    budget: Budget,
    *,
    stop_on_failure: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    claimed: list[str] | None = None,
) -> list[Job]:
    """Each operation in turn (`run_one`); with `stop_on_failure`, the first that does not
    succeed ends the run (Control mode: nothing is made past an unmade frame). One already
    on its way from another process (AlreadyClaimed) is not sent: its message goes into
    `claimed` (or the error is raised when there is no such list)."""
    done: list[Job] = []
    for op in ops:
        try:
            job = run_one(store, op, budget, sleep=sleep)
        except AlreadyClaimed as exc:
            if claimed is None:
                raise
            claimed.append(exc.user_message)
            continue
        done.append(job)
        if stop_on_failure and job.state is not JobState.SUCCEEDED:
            break
    return done
