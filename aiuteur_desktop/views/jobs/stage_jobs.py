"""A stage page's generations as jobs (StoryJobs): Phase A's story answers submitted for the
open project through the job runner, the text route and budget checked first, and a
callback when each ends — on the UI thread, whichever page asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from aiuteur_desktop.core import operations, story
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations.story_answer import StoryAnswer
from aiuteur_desktop.core.operations.story_answer import estimate as story_estimate
from aiuteur_desktop.core.session import Session
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.connections import NO_TEXT_MODEL
from aiuteur_desktop.providers.story_jobs import STORY_GENERATE, TextRoute, text_route
from aiuteur_desktop.views.jobs.runner import JobRunner

Done = Callable[[dict[str, Any]], None]
Failed = Callable[[str], None]


class StoryJobs(QObject):
    """Submits Phase A generations for the open project and calls back when each ends."""

    busyChanged = Signal()

    def __init__(
        self,
        runner: JobRunner,
        library: Library,
        parent: QObject | None = None,
        *,
        session: Session | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.library = runner, library
        #: The app's one session: pages report what they changed here, and hear it here.
        self.session = session or Session()
        self.project: Project | None = None
        self._waiting: dict[str, tuple[Done, Failed, str]] = {}
        runner.finished.connect(self._finished)
        runner.refused.connect(self._refused)
        # (reaches every page: ten times a second; a job starting or ending at once)
        runner.progressTicked.connect(self.busyChanged.emit)

    def route(self) -> TextRoute | None:
        return text_route(self.library.load_settings())

    def submit(
        self,
        kind: str,
        title: str,
        params: dict[str, Any],
        on_done: Done,
        on_failed: Failed,
        *,
        tag: str = "",
    ) -> str | None:
        """Queue a job; returns its id (None, after calling on_failed, without a text model)."""

        def start(project: Project, route: dict[str, Any], provider: str) -> str:
            full = {
                **route,
                **params,
                "bundle": str(project.path),
                "branch": project.current_branch,
            }
            price = story_estimate(provider, full)  # PriceUnknown: refused, nothing sent
            return self.runner.submit(
                Submission(
                    kind,
                    title,
                    provider,
                    full,
                    project=str(project.path),
                    estimate=price,
                    paid=price > 0,
                )
            )

        return self._start(start, on_done, on_failed, tag)

    def _start(
        self,
        start: Callable[[Project, dict[str, Any], str], str],
        on_done: Done,
        on_failed: Failed,
        tag: str,
    ) -> str | None:
        """The one way a story job starts: with the text route, or `on_failed` without one."""
        route = self.route()
        if route is None or self.project is None:
            on_failed(NO_TEXT_MODEL)
            return None
        params = {**route.params(), "home": str(self.library.home), "budget": route.budget}
        try:
            job_id = start(self.project, params, route.provider)
        except AiuteurError as exc:  # a paid model with no price: nothing is sent
            on_failed(exc.user_message)
            return None
        self._waiting[job_id] = (on_done, on_failed, tag)
        self.busyChanged.emit()
        return job_id

    def ask(self, ask: story.Ask, on_done: Done, on_failed: Failed, *, tag: str = "") -> str | None:
        return self.submit(STORY_GENERATE, ask.title, ask.params(), on_done, on_failed, tag=tag)

    def answer(
        self,
        ask: story.Ask,
        apply_as: str,
        message: str,
        on_done: Done,
        on_failed: Failed,
        *,
        tag: str = "",
        **options: Any,
    ) -> str | None:
        """A story generation that changes the project: the operation applies its answer
        (on the timeline it started on) even if this page is gone; `on_done` then hears the
        job's result with its `changes`."""
        return self.operate(
            lambda p, route, provider: StoryAnswer.prepare(
                p, ask, apply_as, message, route=route, provider=provider, **options
            ),
            on_done,
            on_failed,
            tag=tag,
        )

    def operate(
        self,
        make: Callable[[Project, dict[str, Any], str], StoryAnswer],
        on_done: Done,
        on_failed: Failed,
        *,
        tag: str = "",
    ) -> str | None:
        """Run the story operation `make(project, route, provider)` builds for the open project."""
        return self._start(
            lambda p, route, provider: self.runner.run_operation(make(p, route, provider)),
            on_done,
            on_failed,
            tag,
        )

    def running(self, tag: str = "") -> list[str]:
        return [j for j, (_d, _f, t) in self._waiting.items() if not tag or t == tag]

    def progress(self, tag: str) -> float:
        ids = self.running(tag)
        if not ids:
            return 0.0
        return sum(self.runner.progress.get(j, 0.0) for j in ids) / len(ids)

    def cancel(self, tag: str) -> None:
        for job_id in self.running(tag):
            self.runner.cancel(job_id)

    def forget(self) -> None:
        """The project closed: results of jobs still running are not applied to another one."""
        self._waiting.clear()

    def _finished(self, job_id: str) -> None:
        waiting = self._waiting.pop(job_id, None)
        if waiting is None:
            return
        on_done, on_failed, _tag = waiting
        job = self.runner.job(job_id)
        self.busyChanged.emit()
        if job.state is JobState.SUCCEEDED and job.result is not None:
            refused = operations.not_applied(job)
            if refused:
                on_failed(refused)
                return
            self.session.changed(operations.changes_of(job))
            on_done(job.result)
        elif job.state is JobState.CANCELLED:
            on_failed("Cancelled. Nothing was changed.")
        else:
            on_failed(job.error or "The generation failed. Nothing was changed.")

    def _refused(self, job_id: str, reason: str) -> None:
        waiting = self._waiting.pop(job_id, None)
        if waiting is not None:
            self.busyChanged.emit()
            waiting[1](reason)
