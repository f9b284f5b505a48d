"""The scheduling policy without Qt: limits, retry due times on a fake clock (an early
wake-up finds nothing due and says how long is left), the budget before every paid retry."""

from __future__ import annotations

import pytest

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations.scheduler import Scheduler


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def busy() -> ProviderError:
    return ProviderError("rate_limited", "The provider is busy.", retry_after=7.2)


def test_limits_per_provider_and_oldest_first(library: Library, clock: Clock) -> None:
    s = Scheduler(library.jobs, clock=clock)
    ids = [s.submit(Submission("k", f"{i}", "offline:x", {})).id for i in range(3)]
    cloud = [s.submit(Submission("k", f"cloud {i}", "google:y", {})).id for i in range(5)]
    started = [j.id for j in s.take()]
    # the offline engine one at a time (it shares the GIL with the window); a cloud
    # service four at a time
    assert started == [ids[0], *cloud[:4]]
    assert s.take() == []
    s.succeeded(library.jobs.get(ids[0]), {}, 0.0)
    assert [j.id for j in s.take()] == [ids[1]]
    s.succeeded(library.jobs.get(cloud[0]), {}, 0.0)
    assert [j.id for j in s.take()] == [cloud[4]]


def test_a_retry_waits_for_its_due_time_and_an_early_wake_finds_it_not_due(
    library: Library, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "backoff", lambda attempt, retry_after=None: retry_after or 1.0)
    s = Scheduler(library.jobs, clock=clock)
    job = s.submit(Submission("k", "Script", "openai:m", {}))
    (running,) = s.take()
    outcome = s.settle(running, busy(), stopped=False)
    assert (outcome.kind, outcome.delay) == ("retry", 7.2)
    assert library.jobs.get(job.id).state is JobState.QUEUED
    assert s.wake_in() == pytest.approx(7.2)
    clock.now += 7.2 - 0.27  # the timer fired 270 ms early
    assert s.take() == []  # not due yet …
    assert s.wake_in() == pytest.approx(0.27)  # … and the adapter is told to wake again
    clock.now += 0.27
    assert [j.id for j in s.take()] == [job.id]
    assert library.jobs.get(job.id).attempts == 2 and s.wake_in() is None


def test_cancelled_and_failed_attempts_are_recorded(library: Library, clock: Clock) -> None:
    s = Scheduler(library.jobs, clock=clock)
    a, b = (
        s.submit(Submission("k", "a", "openai:m", {})),
        s.submit(Submission("k", "b", "openai:m", {})),
    )
    s.take()
    assert s.settle(library.jobs.get(a.id), jobs.Cancelled(), stopped=True).kind == "cancelled"
    refused = ProviderError("auth", "The API key was refused.")
    assert s.settle(library.jobs.get(b.id), refused, stopped=False).kind == "failed"
    assert library.jobs.get(a.id).state is JobState.CANCELLED
    assert library.jobs.get(b.id).error == "The API key was refused."
    assert s.running() == {}


def test_a_paid_retry_is_checked_against_the_budget_again(
    library: Library, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "backoff", lambda attempt, retry_after=None: 0.0)
    cap = {"usd": 10.0}
    s = Scheduler(library.jobs, clock=clock, budget=lambda: Budget(monthly_cap_usd=cap["usd"]))
    job = s.submit(Submission("k", "Render", "google:veo", {}, estimate=6.0))
    (running,) = s.take()
    s.settle(running, busy(), stopped=False)
    cap["usd"] = 5.0  # the user lowered the cap while it waited
    assert s.take() == []
    failed = library.jobs.get(job.id)
    assert failed.state is JobState.FAILED and "budget" in (failed.error or "")


def test_no_more_than_eight_jobs_run_at_once(library: Library, clock: Clock) -> None:
    s = Scheduler(library.jobs, clock=clock)
    for provider in ("google:a", "openai:b", "vertex:c"):
        for i in range(4):
            s.submit(Submission("k", f"{provider} {i}", provider, {}))
    assert len(s.take()) == 8  # threads stay free for the app's quick background reads
    assert s.take() == []
