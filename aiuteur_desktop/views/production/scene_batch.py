"""The Script Hub's "Take Scenes to Frames": the selected scenes (or all) taken through the
steps that need no judgement as one background batch with a progress line and Cancel
(`core.pipeline.batch`), then one priced confirmation for every frame left to make. A mixin
of `Stage6Page`, which holds the widgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.operations.frame_image import FrameImage
from aiuteur_desktop.core.pipeline import batch
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.keys import PendingKeys
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.dialogs import confirm


class _Progress(QObject):
    """The batch's progress, from its worker to the page (a queued signal)."""

    moved = Signal(float, str)


class SceneBatch(PendingKeys):
    """(`self` is the Stage 6 page: `busy`, `fail`, `message`, `project`, `jobs`.)"""

    NOUN = "frame"
    project: Any
    jobs: Any
    busy: Any
    message: Any
    #: The scenes selected in the Script Hub (set by the project page); one or none: all.
    selected_scenes: list[str]
    last_estimate: str = ""

    def _batch_setup(self) -> None:
        self.selected_scenes = []
        self._pending: dict[str, str] = {}
        self._batching = False
        self._stop_asked = False
        self._moved = _Progress()
        self._moved.moved.connect(self._batch_moved)
        self.busy.cancelled.connect(self.stop_batch)

    def busy_with_own_work(self) -> bool:
        return self._batching or super().busy_with_own_work()

    def batch_scope(self) -> str:
        n = len(self.selected_scenes)
        return f"the {n} selected scenes" if n > 1 else "every scene"

    def take_to_frames(self) -> None:
        """Lock, accept, assemble and choose Quick mode scene after scene, on a worker."""
        project = self.project
        if project is None or self._batching:
            return
        self.flush()  # type: ignore[attr-defined]
        chosen = list(self.selected_scenes) if len(self.selected_scenes) > 1 else None
        self._batching, self._stop_asked = True, False
        self.busy.start(f"Taking {self.batch_scope()} to frames…")
        moved = self._moved.moved

        def work() -> tuple[batch.Advanced, str, str]:
            play = master_script.current(project)
            scenes = chosen or ([s.id for s in play.scenes()] if play is not None else [])
            done = batch.advance(
                project, scenes, progress=moved.emit, cancelled=lambda: self._stop_asked
            )
            label = lambda s: master_script.label_of(project, s)  # noqa: E731
            return done, done.summary(), done.stop_text(label)

        def failed(exc: BaseException) -> None:
            self._batching = False
            self.fail_with(exc)  # type: ignore[attr-defined]
            self.jobs.session.changed(Changes(stages=(7, 8, 9, 10)))

        run_in_background(work, self._batch_done, failed, parent=self)  # type: ignore[arg-type]

    def stop_batch(self) -> None:
        if self._batching:
            self._stop_asked = True
            self.busy.label.setText("Stopping after this scene…")
        else:
            self.cancel_keys()

    def _batch_moved(self, fraction: float, what: str) -> None:
        if self._batching and not self._stop_asked:
            self.busy.label.setText(f"Taking {self.batch_scope()} to frames: {what}…")
            self.busy.set_progress(fraction)

    def _batch_done(self, result: tuple[batch.Advanced, str, str]) -> None:
        self._batching = False
        self.busy.hide()
        done, summary, stopped = result
        touched = tuple(done.ready + ([done.stopped_at] if done.stopped_at else []))
        self.jobs.session.changed(Changes(stages=(7, 8, 9, 10), scenes=touched))
        said = " ".join(x for x in (summary, stopped) if x)
        if not done.to_make:
            tail = "" if done.stopped_at or done.cancelled else " Every frame is made."
            self.message.emit(said + tail)
            if done.stopped_at:
                self.fail(stopped)  # type: ignore[attr-defined]
            return
        priced = self.key_price()
        if priced is None:
            return
        source, model, each = priced
        n = len(done.to_make)
        text = (
            f"{said}\n\nMake {n} frame{'s' * (n != 1)} with {source.describe(model)}. "
            f"{self.cost_text(n, each)}"
        )
        self.last_estimate = text
        project = self.project

        def one(f: batch.Frame) -> Callable[[], FrameImage]:
            return lambda: FrameImage.prepare(
                project, f.scene, f.shot, f.which, model=model, source=source, guidance=""
            )

        def go() -> None:
            self.submit_all([(f"{f.scene}/{f.shot}/{f.which}", one(f)) for f in done.to_make])

        confirm(
            self, "batchFramesEstimate", QMessageBox.Icon.Question, "Take Scenes to Frames",
            text, "Make", QMessageBox.ButtonRole.AcceptRole, go, harmless=each == 0,
        )  # fmt: skip

    def _settled(self, key: str | None = None) -> None:
        self.keys_settled(key)
