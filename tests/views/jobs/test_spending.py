"""Money in the UI: the question before a paid job, the AI-text gate, toasts, the header spend."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import AppSettings, Budget
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.jobs.spending import AiTextGate, confirm_spend
from aiuteur_desktop.views.kit.notify import LONG_JOB_SECONDS
from aiuteur_desktop.views.main_window import MainWindow
from tests.views.conftest import wait_for_window


def test_paid_job_question_shows_estimate_source_and_budget_left(
    qtbot, window: MainWindow, library: Library
) -> None:  # type: ignore[no-untyped-def]
    done = library.jobs.add(
        Submission("video.render", "Earlier render", "google:veo", {}, estimate=3.2)
    )
    library.jobs.start(done.id)
    library.jobs.succeed(done.id, {}, cost=3.2)
    settings = AppSettings(budget=Budget(monthly_cap_usd=20.0))
    answers: list[bool] = []
    confirm_spend(
        window,
        "Rendering shot 3 with Veo",
        3.2,
        "Veo 3.1 with audio, $0.40/s",
        settings,
        library.jobs,
        lambda: answers.append(True),
    )
    box = wait_for_window(qtbot, QMessageBox, "spendQuestion")
    assert "about $3.20" in box.text() and "$0.40/s" in box.text()
    assert "$16.80 of your $20.00 monthly budget is left" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    spend = next(b for b in box.buttons() if b.text() == "Spend $3.20")
    qtbot.mouseClick(spend, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answers == [True])


def test_ai_text_gate_explains_and_leads_to_settings(qtbot, app) -> None:  # type: ignore[no-untyped-def]
    gate = AiTextGate()
    qtbot.addWidget(gate)
    gate.show()
    assert not gate.refresh(AppSettings())
    assert gate.isVisible() and "Settings → Providers" in gate.label.text()
    with qtbot.waitSignal(gate.settingsRequested):
        qtbot.mouseClick(gate.button, Qt.MouseButton.LeftButton)
    secrets.set_secret("google.api_key", "AIza-x")
    assert gate.refresh(AppSettings()) and not gate.isVisible()


def test_finished_jobs_raise_a_toast_and_long_ones_a_desktop_notice(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    from tests.views.jobs.test_jobs import GATE  # registers the test job kinds

    GATE.set()
    job_id = window.job_runner.submit(
        Submission("test.wait", "Shot 4 animatic", "offline:test", {})
    )
    qtbot.waitUntil(lambda: window.notifier.toast.isVisible(), timeout=5000)
    assert "Done: Shot 4 animatic" in window.notifier.toast.label.text()
    qtbot.mouseClick(window.notifier.toast.action, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.jobs_page
    store = window.job_runner.store
    long_job = store.add(Submission("k", "Veo render", "google:veo", {}))
    store.start(long_job.id)
    store.fail(long_job.id, "The provider filtered this render.")
    # pretend it ran for a while
    store._set(long_job.id, started_at=time.time() - LONG_JOB_SECONDS - 5)
    window.notifier.job_finished(store.get(long_job.id))
    assert window.notifier.desktop_messages[-1].startswith("Failed: Veo render")
    assert store.get(job_id).state is JobState.SUCCEEDED


def test_project_header_shows_what_was_spent(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.create(tmp_path, "Spendy") as p:
        ledger.record(
            p,
            ledger.Spend(
                at=1.0,
                job=None,
                provider="google:veo",
                model="veo-3.1",
                kind="video",
                stage=12,
                scene="s1",
                branch="Main",
                estimate=3.2,
                actual=3.2,
            ),
        )
        ledger.record(
            p,
            ledger.Spend(
                at=1.0,
                job=None,
                provider="openai",
                model="gpt-5.1",
                kind="text",
                stage=4,
                scene=None,
                branch="Main",
                estimate=0.02,
                actual=0.01,
            ),
        )
    window.open_project(tmp_path / "Spendy.aiuteur")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.project_page)
    label = window.project_page.spend_label
    qtbot.waitUntil(lambda: label.isVisible() and label.text() == "$3.21 spent")
    assert "Stage 12: $3.20" in label.toolTip() and "openai: $0.01" in label.toolTip()


def test_a_burst_of_finished_jobs_is_one_toast(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """A scene's frames landing together: the first is said at once, the rest in one toast
    a moment later — not a toast redrawn for each."""
    store = window.job_runner.store
    shown: list[str] = []
    toast = window.notifier.toast
    real = toast.show_message
    toast.show_message = lambda text, *a, **k: (shown.append(text), real(text, *a, **k))  # type: ignore[method-assign]
    titles = [f"Frame {n}A start" for n in range(1, 7)]
    for title in titles:
        job = store.add(Submission("k", title, "offline:storyboard", {}))
        store.start(job.id)
        store.succeed(job.id, {})
        window.notifier.job_finished(store.get(job.id))
    assert shown == ["Done: Frame 1A start"]
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=3000)
    assert shown[1] == "Done: 5 jobs, the last Frame 6A start"
    failed = store.add(Submission("k", "Veo render", "google:veo", {}))
    store.start(failed.id)
    store.fail(failed.id, "The provider filtered this render.")
    window.notifier.job_finished(store.get(failed.id))
    qtbot.waitUntil(lambda: len(shown) == 3, timeout=3000)
    assert shown[2].startswith("Failed: Veo render")  # alone in its burst: said in full
