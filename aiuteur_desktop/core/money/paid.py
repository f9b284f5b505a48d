"""One paid request and its three outcomes (issue "Money is spent once"; PROVIDER-NOTES.md
"Paid calls and retries").

    with ctx.paid(job.estimate) as call:
        handle = provider.submit(request)
        call.accepted(handle)          # (a synchronous call: leaving the block accepts it)

Before the request leaves, a submission row says it is being sent. Then:

- **refused** — the provider proved it did not take it (connection refused, 429, an error
  body): the row says so and the error goes on, to be retried automatically like any other;
- **accepted** — a handle or a result came back: it is charged, never sent again; the handle
  is written with the row in one transaction;
- **uncertain** — sent, and the answer was lost (a timeout, a cut-off body, anything
  unexpected): `MaybeCharged` is raised and the job waits for the user's decision.

A free job (estimate 0) passes straight through: nothing to protect.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Literal

from aiuteur_desktop.core.app.progress import Step
from aiuteur_desktop.core.errors import AiuteurError, ProviderError
from aiuteur_desktop.core.jobs import Cancelled, Job, JobStore, PaidRequest, Sent
from aiuteur_desktop.core.money import shared


class MaybeCharged(AiuteurError):
    """A paid request was sent and its answer lost: the job needs the user's decision."""


def maybe_charged_message(exc: BaseException) -> str:
    what = exc.user_message if isinstance(exc, AiuteurError) else "The answer was lost."
    return (
        f"Needs your decision: {what.rstrip('.')}. The provider may have accepted this request "
        "and may charge for it, so it was not sent again. Check again where the provider can "
        "be asked, or render again (a new charge)."
    )


def refused(exc: BaseException) -> bool:
    """Whether `exc` proves the provider did not take the request."""
    return isinstance(exc, ProviderError) and not exc.maybe_accepted


class PaidCall:
    def __init__(self, store: JobStore, job_id: str, estimate: float) -> None:
        self._store, self._job, self.estimate = store, job_id, estimate
        self.submission: PaidRequest | None = None
        self._done = False
        self._shared: shared.Reservation | None = None

    def __enter__(self) -> PaidCall:
        if self.estimate > 0:
            # A project whose members share a cap: written there first, or refused.
            self._shared = shared.reserve(
                self._store.get(self._job).project, self._job, self.estimate
            )
            try:
                self.submission = self._store.sending(self._job, self.estimate)
            except BaseException:
                self._settle_shared("refused")  # (nothing was sent)
                raise
        return self

    def _settle_shared(self, state: str) -> None:
        if self._shared is not None:
            self._shared.settle(state)
            self._shared = None

    def accepted(self, handle: dict[str, Any] | None = None) -> None:
        """The provider took it (its handle, when there is one, is kept with the job)."""
        if self.submission is not None and not self._done:
            self._store.mark(self.submission.id, Sent.ACCEPTED, handle=handle)
        elif handle is not None:
            self._store.set_handle(self._job, handle)
        self._settle_shared("accepted")
        self._done = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if self.submission is None or self._done:
            return False
        if exc is None:
            self.accepted()
            return False
        if refused(exc):
            self._store.mark(self.submission.id, Sent.REFUSED)
            self._settle_shared("refused")
            return False
        if isinstance(exc, Cancelled):  # stopped by the user while it answered: it is charged
            self._store.mark(self.submission.id, Sent.ACCEPTED)
            self._settle_shared("accepted")
            return False
        self._store.mark(self.submission.id, Sent.UNCERTAIN)
        self._settle_shared("uncertain")
        raise MaybeCharged(maybe_charged_message(exc)) from exc


class StoreContext:
    """A `JobContext` over the job store, with no Qt: the runner's adds its signals; tests
    and headless commands use it as it is."""

    def __init__(self, job: Job, store: JobStore, stop: threading.Event | None = None) -> None:
        self.job = job
        self._store = store
        self._stop = stop or threading.Event()

    def progress(self, fraction: float) -> None:
        self._store.progress(self.job.id, fraction)

    def step(self, step: Step) -> None:
        self.last_step = step  # only the windows show it; nothing to keep

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def set_handle(self, handle: dict[str, Any]) -> None:
        self._store.set_handle(self.job.id, handle)

    def paid(self, estimate: float) -> PaidCall:
        return PaidCall(self._store, self.job.id, estimate)

    def spend_key(self) -> str:
        return self._store.spend_key(self.job.id)
