"""The job scheduling policy, with no Qt (DESIGN.md "Jobs"): per-provider limits, attempts,
retry due times read from a clock, and the budget check before every submission.

The Qt adapter (`views/jobs/runner.py`) only starts what `take()` hands it and wakes when
`wake_in()` says; a wake-up that comes early finds nothing due and is simply re-armed, so a
job waiting for its retry can never be left queued forever.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.claims import PaidWorkStopped
from aiuteur_desktop.core.errors import AiuteurError, ProviderError
from aiuteur_desktop.core.jobs import Job, JobState, JobStore
from aiuteur_desktop.core.money import prices, spend
from aiuteur_desktop.core.money.paid import MaybeCharged

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: How many jobs of one provider run at once (cloud rate limits, local CPU). The offline
#: engines draw in this process, sharing the GIL with the window: two at once made a feature
#: scene's frames no faster (18–29 s against 13 s for one) and held the window longer.
LIMITS = {"offline": 1, "local": 1}
DEFAULT_LIMIT = 4
#: Jobs running at once in all: the Qt pool keeps threads beyond these for quick queries.
MAX_RUNNING = 8
#: A retry due within this many seconds counts as due (timers are coarser than this).
SLACK = 0.001


def provider_key(provider: str) -> str:
    return provider.split(":", 1)[0]


@dataclass(frozen=True)
class Outcome:
    """How an attempt that raised ended: cancelled, to be retried after `delay`, or failed."""

    kind: Literal["cancelled", "retry", "failed", "decide"]
    delay: float = 0.0


class Scheduler:
    """Which queued jobs may start now, and what happens after one fails. Thread-safe: the
    workers settle their own failures."""

    def __init__(
        self,
        store: JobStore,
        *,
        budget: Callable[[], Budget] = Budget,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._budget = budget
        self._clock = clock
        self._lock = threading.RLock()
        self._due: dict[str, float] = {}  # job id → the clock time it may start again
        self._running: dict[str, str] = {}  # job id → provider key

    # --------------------------------------------------------------- commands
    def check_budget(self, estimate: float, project: str | None) -> None:
        """Raises BudgetExceeded when `estimate` more would pass a cap."""
        spend.Money.of(self.store, self._budget(), project).check(estimate)

    def submit(self, job: jobs.Submission, *, job_id: str | None = None) -> Job:
        """Queue a job. Raises BudgetExceeded (nothing queued) when it would pass a cap, and
        PriceUnknown when a paid job comes without an estimate (never treated as free)."""
        if job.paid and job.estimate <= 0:
            raise prices.PriceUnknown(prices.unknown_price_message(job.provider))
        if job.estimate > 0:
            stopped = self.store.paid_work_stopped()
            if stopped:
                raise PaidWorkStopped(stopped)
            self.check_budget(job.estimate, job.project)
        return self.store.add(job, job_id=job_id)

    def cancel_queued(self, job_id: str) -> Job | None:
        """Cancel a job that has not started: the cancelled job, or None when it is running
        (stop it at its next checkpoint instead) or has finished already."""
        with self._lock:
            if job_id in self._running:
                return None
            job = self.store.get(job_id)
            if job.state is not JobState.QUEUED:
                return None
            self._due.pop(job_id, None)
            return self.store.cancel(job_id)

    def retry(self, job_id: str) -> Job | None:
        """A failed or cancelled job queued again (None when it is neither). One the provider
        has (a handle) is resumed: polled and downloaded, no new charge. A paid one it may
        already be charging for without a handle is refused: that is `render_again`."""
        with self._lock:
            job = self.store.get(job_id)
            if job.state not in (JobState.FAILED, JobState.CANCELLED):
                return None
            if job.handle is None and job.estimate > 0:
                maybe = self.store.possibly_charged(job_id)
                if maybe > 0:
                    raise AiuteurError(
                        f"The provider may already be charging about ${maybe:,.2f} for this "
                        "request, so Retry does not send it again. Use Render Again to pay "
                        "for a new one."
                    )
                self.check_budget(job.estimate, job.project)
            self._due.pop(job_id, None)
            return self.store.retry(job_id)

    def check_again(self, job_id: str) -> Job:
        """A job that needs a decision, asked about again where the provider can be asked:
        its handle is polled (no new charge)."""
        with self._lock:
            job = self.store.get(job_id)
            if job.state is not JobState.DECIDE:
                raise AiuteurError("This job is not waiting for a decision.")
            if job.handle is None:
                raise AiuteurError(
                    "The provider never named this request, so it cannot be asked about it. "
                    "Look in the provider's console for a charge, or use Render Again."
                )
            self._due.pop(job_id, None)
            return self.store.retry(job_id)

    def render_again(self, job_id: str) -> Job:
        """Send a paid job anew — a new charge, by the user's explicit, priced decision —
        after the caps are checked with what it may already have cost counted."""
        with self._lock:
            job = self.store.get(job_id)
            if not job.state.finished or job.state is JobState.SUCCEEDED:
                raise AiuteurError("Only a failed, cancelled or undecided job can be sent again.")
            self.check_budget(job.estimate, job.project)
            self._due.pop(job_id, None)
            return self.store.render_again(job_id)

    def running(self) -> dict[str, str]:
        with self._lock:
            return dict(self._running)

    def is_running(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._running

    def take(self) -> list[Job]:
        """The queued jobs that are due and fit their provider's limit, oldest first, each
        marked running. A paid retry is checked against the budget again first."""
        now = self._clock()
        started: list[Job] = []
        with self._lock:
            busy: dict[str, int] = {}
            for key in self._running.values():
                busy[key] = busy.get(key, 0) + 1
            for job in reversed(self.store.recent(states={JobState.QUEUED})):
                if len(self._running) >= MAX_RUNNING:
                    break
                if job.id in self._running or self._due.get(job.id, now) > now + SLACK:
                    continue
                key = provider_key(job.provider)
                if busy.get(key, 0) >= LIMITS.get(key, DEFAULT_LIMIT):
                    continue
                # A paid retry that will submit anew (no handle to resume) must fit the caps.
                anew = job.attempts and job.estimate > 0 and job.handle is None
                if anew and not self._retry_fits(job):
                    continue
                busy[key] = busy.get(key, 0) + 1
                self._due.pop(job.id, None)
                self._running[job.id] = key
                started.append(self.store.start(job.id))
        return started

    def _retry_fits(self, job: Job) -> bool:
        """Its own estimate is already among the committed money: the caps must still hold."""
        try:
            self.check_budget(1e-9, job.project)
        except AiuteurError as exc:
            self.store.fail(job.id, exc.user_message)
            return False
        return True

    def wake_in(self) -> float | None:
        """Seconds until the earliest waiting retry is due (0 when one is due now), or None."""
        with self._lock:
            queued = {j.id for j in self.store.recent(states={JobState.QUEUED})}
            for job_id in [j for j in self._due if j not in queued]:
                del self._due[job_id]  # cancelled or retried by hand meanwhile
            if not self._due:
                return None
            return max(0.0, min(self._due.values()) - self._clock())

    def succeeded(self, job: Job, result: dict[str, Any], amount: float) -> Job:
        try:
            return self.store.succeed(job.id, result, amount)
        finally:
            self._release(job.id)

    def settle(self, job: Job, exc: BaseException, *, stopped: bool) -> Outcome:
        """Record how a failed attempt ends; runs on the worker thread."""
        try:
            return self._settle(job, exc, stopped)
        except BaseException:
            log.exception("could not record the end of job %s", job.id)
            return Outcome("failed")
        finally:
            self._release(job.id)

    def _settle(self, job: Job, exc: BaseException, stopped: bool) -> Outcome:
        if isinstance(exc, MaybeCharged):  # never sent again without the user's decision
            self.store.decide(job.id, exc.user_message)
            return Outcome("decide")
        if isinstance(exc, jobs.Cancelled) or stopped:
            self.store.cancel(job.id)  # (a render the provider has keeps its handle: Resume)
            return Outcome("cancelled")
        if isinstance(exc, ProviderError) and exc.retryable and job.attempts < MAX_ATTEMPTS:
            delay = jobs.backoff(job.attempts, exc.retry_after)
            with self._lock:
                self._due[job.id] = self._clock() + delay
            self.store.requeue(job.id, f"{exc.user_message} Trying again in {delay:.0f} s…")
            return Outcome("retry", delay)
        if isinstance(exc, AiuteurError):
            self.store.fail(job.id, exc.user_message)
        else:
            log.error("job %s (%s) failed", job.id, job.kind, exc_info=exc)
            self.store.fail(
                job.id,
                f"Something unexpected went wrong: {redact(str(exc)) or type(exc).__name__}.",
            )
        return Outcome("failed")

    def _release(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)

    def settle_later(self, job_id: str) -> None:
        """The app quits while the job runs: its row is left as it is, for the next start's
        `JobStore.reconcile` (resume by handle, or ask about a request in flight)."""
        self._release(job_id)

    def forget(self, job_id: str) -> None:
        """A queued job was cancelled or retried by hand: no retry is pending for it."""
        with self._lock:
            self._due.pop(job_id, None)
