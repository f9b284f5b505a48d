"""The persisted job table and the retry policy."""

from __future__ import annotations

import random

import pytest

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.jobs import INTERRUPTED, JobState, Submission
from aiuteur_desktop.core.library import Library


def test_a_job_lives_through_its_states_and_survives_a_reopen(library: Library) -> None:
    store = library.jobs
    job = store.add(
        Submission("previz.shot", "Shot 1 animatic", "offline:animatic", {"spec": {"x": 1}})
    )
    assert (job.state, job.progress, job.attempts) == (JobState.QUEUED, 0.0, 0)
    store.start(job.id)
    store.progress(job.id, 0.4)
    store.set_handle(job.id, {"operation": "ops/123"})
    done = store.succeed(job.id, {"clip": "c.mp4"}, cost=0.0)
    assert done.state is JobState.SUCCEEDED and done.progress == 1.0 and done.attempts == 1
    assert done.finished_at is not None and done.handle == {"operation": "ops/123"}
    library.close()
    again = Library()
    try:
        [stored] = again.jobs.recent()
        assert stored.result == {"clip": "c.mp4"} and stored.params == {"spec": {"x": 1}}
    finally:
        again.close()


def test_newest_first_and_filter_by_state(library: Library) -> None:
    store = library.jobs
    a = store.add(Submission("k", "A", "p", {}))
    b = store.add(Submission("k", "B", "p", {}))
    store.fail(a.id, "no")
    assert [j.title for j in store.recent()] == ["B", "A"]
    assert [j.title for j in store.recent(states={JobState.FAILED})] == ["A"]
    retried = store.retry(a.id)
    assert retried.state is JobState.QUEUED and retried.error is None
    assert b.seq > a.seq


def test_reconcile_resumes_handles_and_reports_the_rest_interrupted(library: Library) -> None:
    store = library.jobs
    paid = store.add(Submission("video", "Render shot 3", "google:veo", {}))
    store.start(paid.id)
    store.set_handle(paid.id, {"operation": "projects/p/operations/42"})
    local = store.add(Submission("previz.shot", "Shot 4", "offline:animatic", {}))
    store.start(local.id)
    waiting = store.add(Submission("previz.shot", "Shot 5", "offline:animatic", {}))
    to_run = store.reconcile()
    assert [j.id for j in to_run] == [paid.id, waiting.id]
    assert store.get(paid.id).state is JobState.QUEUED
    assert store.get(paid.id).handle == {"operation": "projects/p/operations/42"}
    interrupted = store.get(local.id)
    assert interrupted.state is JobState.FAILED and interrupted.error == INTERRUPTED


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    rng = random.Random(3)
    waits = [jobs.backoff(n, rng=rng) for n in range(1, 9)]
    for n, w in enumerate(waits, start=1):
        base = min(60.0, 2.0 ** (n - 1))
        assert base / 2 <= w <= base
    assert jobs.backoff(1, retry_after=30.0, rng=rng) == 30.0
    assert jobs.backoff(8, rng=rng) <= 60.0


def test_unknown_job_kind_is_a_clear_error() -> None:
    with pytest.raises(jobs.ProviderError, match="cannot run"):
        jobs.work_for("nonexistent.kind")
