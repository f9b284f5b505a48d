"""What the provider tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """Retries come at once; the Retry-After each was told is kept, to be checked."""
    from aiuteur_desktop.views.jobs import runner as job_runner

    asked: list[float | None] = []

    def backoff(attempt: int, retry_after: float | None = None) -> float:
        asked.append(retry_after)
        return 0.05

    monkeypatch.setattr(job_runner.jobs, "backoff", backoff)
    return asked


def finished(runner, job_id: str) -> bool:  # type: ignore[no-untyped-def]
    """The job's row says it ended (False while it is still being queued: no row yet)."""
    try:
        return bool(runner.store.get(job_id).state.finished)
    except KeyError:
        return False
