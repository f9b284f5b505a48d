"""The job runner and the Jobs page: real offline renders, retries, limits, cancel, restart."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.providers.offline.jobs import PREVIZ_SHOT
from aiuteur_desktop.views.jobs import runner as job_runner
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.main_window import MainWindow

SPEC = {
    "heading": "INT. LAMP ROOM - NIGHT",
    "width": 640,
    "duration": 3.0,
    "move": "push-in",
    "characters": [{"name": "Mara"}],
    "dialogue": [{"character": "MARA", "text": "Keep the lamp burning."}],
}
CALLS: dict[str, int] = {}
GATE = threading.Event()


@jobs.register("test.flaky")
def _flaky(ctx: jobs.JobContext) -> tuple[dict, float]:
    CALLS[ctx.job.id] = CALLS.get(ctx.job.id, 0) + 1
    if CALLS[ctx.job.id] < 3:
        raise ProviderError("rate_limited", "The provider is busy.", retry_after=0.05)
    return {"ok": True}, 0.25


@jobs.register("test.refused")
def _refused(ctx: jobs.JobContext) -> tuple[dict, float]:
    raise ProviderError("auth", "The API key was refused. Check it in Settings → Providers.")


@jobs.register("test.wait")
def _wait(ctx: jobs.JobContext) -> tuple[dict, float]:
    while not GATE.is_set():
        if ctx.cancelled():
            raise jobs.Cancelled()
        time.sleep(0.01)
    return {}, 0.0


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_runner.jobs, "backoff", lambda attempt, retry_after=None: 0.05)
    GATE.clear()


def test_previz_job_renders_with_progress_and_shows_on_the_jobs_page(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    runner = window.job_runner
    # The project page is built once, just after the window's first paint: build it now, so
    # the heartbeat below measures the render, not the start-up.
    assert window.project_page is not None
    seen: list[float] = []
    runner.progressed.connect(lambda _id, f: seen.append(f))
    ticks = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(10)
    job_id = runner.submit(
        Submission(
            PREVIZ_SHOT,
            "Shot 2 — animatic",
            "offline:animatic",
            {"spec": SPEC, "out_dir": str(tmp_path / "shot2")},
        )
    )
    qtbot.waitUntil(lambda: window.jobs_indicator.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=30_000)
    # The worker records the result before the UI thread has handled its last signals.
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 1.0, timeout=5000)
    heartbeat.stop()
    done = runner.store.get(job_id)
    assert done.state is JobState.SUCCEEDED, done.error
    assert (tmp_path / "shot2" / "clip.mp4").stat().st_size > 1000
    assert {p.name for p in (tmp_path / "shot2").iterdir()} == {
        "clip.mp4",
        "start.png",
        "end.png",
        "panel.png",
    }
    assert done.result["provenance"]["cost"] == 0.0 and done.cost == 0.0
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 1.0
    # The UI kept running during the render: the 10 ms heartbeat ticked all along (however
    # quick the render was on this machine) and never stalled for half a second.
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert done.started_at is not None and done.finished_at is not None
    expected = (done.finished_at - done.started_at) / 0.010
    assert len(ticks) > 3 and len(ticks) >= 0.3 * expected and max(gaps) < 0.5
    qtbot.waitUntil(lambda: not window.jobs_indicator.isVisible())

    window.go_to("jobs")
    assert window.pages.currentWidget() is window.jobs_page
    page = window.jobs_page
    qtbot.waitUntil(lambda: page.model.jobs[0].state is JobState.SUCCEEDED, timeout=5000)
    assert page.model.jobs[0].id == job_id
    assert "0 running" in page.summary.text()
    page.grab().save(str(tmp_path / "jobs.png"))


def test_retryable_errors_are_retried_then_succeed(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner(library.jobs)
    job_id = runner.submit(Submission("test.flaky", "Flaky", "openai:gpt", {}))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    done = runner.store.get(job_id)
    assert done.state is JobState.SUCCEEDED and done.attempts == 3 and done.cost == 0.25
    assert CALLS[job_id] == 3


def test_a_retry_whose_timer_fires_early_still_runs(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    # The scheduler's clock runs at 80 % of the timers' pace: every wake-up comes "early".
    start = time.time()
    runner = JobRunner(library.jobs, clock=lambda: start + (time.time() - start) * 0.8)
    job_id = runner.submit(Submission("test.flaky", "Script", "openai:gpt", {}))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    assert runner.store.get(job_id).state is JobState.SUCCEEDED and CALLS[job_id] == 3


def test_non_retryable_errors_fail_in_plain_words_and_can_be_retried(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    runner = window.job_runner
    job_id = runner.submit(Submission("test.refused", "Treatment 2", "openai:gpt", {}))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=5000)
    failed = runner.store.get(job_id)
    assert failed.state is JobState.FAILED and failed.attempts == 1
    assert failed.error == "The API key was refused. Check it in Settings → Providers."
    window.go_to("jobs")
    page = window.jobs_page
    # The worker records the outcome first; the page hears of it on the UI thread just after.
    qtbot.waitUntil(lambda: page.model.jobs[0].state is JobState.FAILED, timeout=5000)
    page.view.setCurrentIndex(page.model.index(0))
    assert page.retry_button.isEnabled() and not page.cancel_button.isEnabled()
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: runner.store.get(job_id).attempts == 2, timeout=5000)


def test_cancel_stops_a_running_render_and_writes_no_clip(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    runner = window.job_runner
    spec = {**SPEC, "duration": 30.0, "width": 1280}
    job_id = runner.submit(
        Submission(
            PREVIZ_SHOT, "Long shot", "offline:animatic", {"spec": spec, "out_dir": str(tmp_path)}
        )
    )
    qtbot.waitUntil(lambda: runner.progress.get(job_id, 0) > 0.1, timeout=20_000)
    assert "1 job running" in window.jobs_indicator.label.text()
    qtbot.mouseClick(window.jobs_indicator, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.jobs_page
    page = window.jobs_page
    page.view.setCurrentIndex(page.model.index(page.model.row_of(job_id)))
    assert page.cancel_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: runner.job(job_id).state is JobState.CANCELLED, timeout=10_000)
    assert not (tmp_path / "clip.mp4").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_per_provider_limit_and_queued_cancel(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    """The offline engines work in this process (sharing the GIL with the window): one at a
    time, while a cloud job runs beside them; a queued job can be cancelled."""
    from aiuteur_desktop.core.operations.scheduler import LIMITS

    limit = LIMITS["offline"]
    assert limit == 1
    runner = JobRunner(library.jobs)
    ids = [
        runner.submit(Submission("test.wait", f"Wait {i}", "offline:test", {}))
        for i in range(limit + 1)
    ]
    other = runner.submit(Submission("test.wait", "Cloud", "google:x", {}))
    qtbot.waitUntil(lambda: runner.running_count() == limit + 1, timeout=5000)
    states = [runner.store.get(i).state for i in ids]
    assert states == [JobState.RUNNING] * limit + [JobState.QUEUED]
    assert runner.store.get(other).state is JobState.RUNNING
    runner.cancel(ids[-1])
    qtbot.waitUntil(lambda: runner.job(ids[-1]).state is JobState.CANCELLED, timeout=5000)
    assert runner.store.get(ids[-1]).state is JobState.CANCELLED
    GATE.set()
    qtbot.waitUntil(lambda: runner.running_count() == 0, timeout=5000)
    assert {runner.store.get(i).state for i in (*ids[:-1], other)} == {JobState.SUCCEEDED}


def test_restart_reports_interrupted_work(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    store = library.jobs
    left = store.add(Submission("test.wait", "Was running", "offline:test", {}))
    store.start(left.id)
    w = MainWindow(library)
    qtbot.addWidget(w)
    try:
        # Reconciled on a worker; the Jobs page lists it as soon as that is done.
        qtbot.waitUntil(lambda: bool(w.jobs_page.model.jobs), timeout=5000)
        job = store.get(left.id)
        assert job.state is JobState.FAILED and "Interrupted" in (job.error or "")
        assert w.jobs_page.model.jobs[0].id == left.id
        assert w.jobs_page.model.jobs[0].state is JobState.FAILED
    finally:
        w.close()


def test_budget_cap_refuses_a_job_and_queues_nothing(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.app.settings import Budget

    runner = JobRunner(library.jobs, budget=lambda: Budget(monthly_cap_usd=5.0))
    refused: list[tuple[str, str]] = []
    runner.refused.connect(lambda job_id, why: refused.append((job_id, why)))
    first = runner.submit(Submission("test.wait", "Render 1", "google:veo", {}, estimate=3.2))
    qtbot.waitUntil(lambda: runner.store.recent() != [], timeout=5000)
    second = runner.submit(Submission("test.wait", "Render 2", "google:veo", {}, estimate=3.2))
    qtbot.waitUntil(lambda: bool(refused), timeout=5000)
    assert refused[0][0] == second and "monthly budget" in refused[0][1]
    assert [j.id for j in runner.store.recent()] == [first]
    assert second not in {j.id for j in runner.recent()}  # the lists drop it too
    GATE.set()
    qtbot.waitUntil(lambda: runner.running_count() == 0, timeout=5000)


def test_the_queue_is_scanned_and_jobs_started_off_the_ui_thread(
    qtbot, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    store = library.jobs
    seen: list[tuple[str, bool]] = []
    for name in ("add", "recent", "start", "succeed", "cancel", "retry", "reconcile"):
        original = getattr(store, name)

        def spy(*a, _name=name, _original=original, **k):  # type: ignore[no-untyped-def]
            seen.append((_name, threading.current_thread() is threading.main_thread()))
            return _original(*a, **k)

        monkeypatch.setattr(store, name, spy)
    runner = JobRunner(store)
    runner.resume()
    job_id = runner.submit(Submission("test.flaky", "Flaky", "openai:gpt", {}))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    # Retry and cancel, from the Jobs page's buttons, write on workers too.
    failing = runner.submit(Submission("test.refused", "Refused", "openai:gpt", {}))
    qtbot.waitUntil(lambda: runner.job(failing).state is JobState.FAILED, timeout=10_000)
    runner.retry(failing)
    qtbot.waitUntil(lambda: store.get(failing).attempts == 2, timeout=10_000)
    waiting = [
        runner.submit(Submission("test.wait", f"Wait {i}", "offline:test", {})) for i in range(3)
    ]
    runner.cancel(waiting[2])  # still being queued: cancelled once its row exists
    qtbot.waitUntil(lambda: runner.job(waiting[2]).state is JobState.CANCELLED, timeout=5000)
    GATE.set()
    qtbot.waitUntil(lambda: runner.running_count() == 0, timeout=5000)
    assert {n for n, _ in seen} >= {"add", "recent", "start", "succeed", "retry", "reconcile"}
    assert {n for n, _ in seen} >= {"cancel"}
    runner.shutdown()
    assert not [n for n, on_ui in seen if on_ui]  # none of them on the UI thread


def test_an_operation_queued_before_a_restart_is_applied_after_it(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.assets import masters
    from aiuteur_desktop.core.operations.asset_key import AssetKey
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry

    with Project.create(tmp_path, "Keys") as p:
        masters.add(p, "character", "Mara", "A ferry mechanic")
        p.commit("Mara")
        op = AssetKey.prepare(p, "assets/mara", "", model="offline:storyboard", source=Registry())
        bundle = p.path
    s = op.submission()
    # The last session queued it and quit before it ran: only the job row is left.
    job = library.jobs.add(Submission(op.kind, s.title, s.provider, s.params, project=s.project))
    runner = JobRunner(library.jobs)  # the next start
    runner.resume()
    qtbot.waitUntil(lambda: library.jobs.get(job.id).state.finished, timeout=10_000)
    done = library.jobs.get(job.id)
    assert done.state is JobState.SUCCEEDED, done.error
    assert operations.changes_of(done).paths == ("assets/mara",)
    with Project.open(bundle) as p:  # applied by its operation: no page was there to do it
        assert masters.read(p, "assets/mara")["image_key"] == done.result["media"]
        assert p.head().message == "Image key for Mara"


@jobs.register("test.maybe")
def _maybe(ctx: jobs.JobContext) -> tuple[dict, float]:
    with ctx.paid(ctx.job.estimate):  # sent, then the answer is lost
        raise ProviderError("timeout", "The provider did not answer in time.")
    return {}, 0.0


def test_a_job_that_may_be_charged_waits_for_a_priced_decision_on_the_jobs_page(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from tests.views.conftest import find_window

    runner = window.job_runner
    job_id = runner.submit(Submission("test.maybe", "Shot 3 — Veo", "google:veo", {}, estimate=3.2))
    qtbot.waitUntil(lambda: runner.job(job_id).state is JobState.DECIDE, timeout=5000)
    assert len(runner.store.submissions(job_id)) == 1  # not retried automatically
    window.go_to("jobs")
    page = window.jobs_page
    qtbot.waitUntil(lambda: page.model.jobs[0].state is JobState.DECIDE, timeout=5000)
    page.view.setCurrentIndex(page.model.index(0))
    assert "$3.20 possibly charged" in page.summary.text()
    assert not page.retry_button.isEnabled()  # Retry is not how one pays again
    assert page.check_button.isVisible() and not page.check_button.isEnabled()  # no handle
    assert page.again_button.text() == "Render Again (new charge ≈ $3.20)…"
    assert page.detail.isVisible() and page.detail.text().endswith("render again (a new charge).")
    page.resize(1440, 900)
    page.grab().save(str(tmp_path / "jobs_decide.png"))
    # Asked first, with the price; Cancel sends nothing.
    qtbot.mouseClick(page.again_button, Qt.MouseButton.LeftButton)
    box = find_window(QMessageBox, "renderAgain")
    assert box is not None and "new charge of about $3.20" in box.text()
    assert "may already be charging $3.20" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(200)
    assert len(runner.store.submissions(job_id)) == 1
    qtbot.mouseClick(page.again_button, Qt.MouseButton.LeftButton)
    box = find_window(QMessageBox, "renderAgain")
    assert box is not None
    yes = next(b for b in box.buttons() if b.text().startswith("Render Again"))
    yes.click()
    qtbot.waitUntil(lambda: len(runner.store.submissions(job_id)) == 2, timeout=5000)
    qtbot.waitUntil(lambda: runner.job(job_id).state is JobState.DECIDE, timeout=5000)
    assert runner.store.committed() == pytest.approx(6.4)  # both may be charged


def test_the_jobs_line_follows_a_burst_of_jobs_without_redrawing_for_each(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A scene's frames queued at once: the sidebar's jobs line says so at once and ends on
    the right count, redrawn a few times, not once per job."""
    runner, indicator = window.job_runner, window.jobs_indicator
    drawn: list[str] = []
    real = indicator.refresh
    monkeypatch.setattr(
        indicator, "refresh", lambda: (real(), drawn.append(indicator.label.text()))
    )
    GATE.clear()
    ids = [
        runner.submit(Submission("test.wait", f"Frame {n}", "offline:test", {})) for n in range(24)
    ]
    qtbot.waitUntil(lambda: all(runner.job(i) is not None for i in ids), timeout=10_000)

    def counted() -> int:  # "2 jobs running, 22 queued"
        return sum(int(w) for w in indicator.label.text().replace(",", " ").split() if w.isdigit())

    qtbot.waitUntil(lambda: indicator.isVisible() and counted() == 24, timeout=10_000)
    assert 1 <= len(drawn) < 12
    GATE.set()
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=20_000)
