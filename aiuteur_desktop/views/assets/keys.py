"""Stage 5's image keys: generate (an operation, with the Why box when iterating), bulk
generation with its estimate first, cancel, the candidate strip, your own image as the key,
and Lock Master Asset. A mixin of `Stage5Page`, which holds the widgets."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QListWidgetItem,
    QMessageBox,
)

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError, GateClosed
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.media.imaging import WORKING_SIDE
from aiuteur_desktop.core.operations.asset_key import AssetKey, price_per_key
from aiuteur_desktop.providers.registry import Registry, image_model
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import png_bytes, read_image
from aiuteur_desktop.views.kit.throttle import next_turn
from aiuteur_desktop.views.stage_frame import ask_guidance

#: Operations queued per turn of the event loop by `submit_all`: at most this many, and
#: no more once a turn has taken TURN_SECONDS.
QUEUED_PER_TURN = 8
TURN_SECONDS = 0.012
PathRole = Qt.ItemDataRole.UserRole + 1
MediaRole = Qt.ItemDataRole.UserRole + 2
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


class PendingKeys:
    """Image-key jobs a page started (`_pending`: job id → what the key is for): the busy
    bar, a finished or refused job reported, cancel. Stage 5's master keys and Stage 8's
    starting keys; the page refreshes in `_settled`."""

    jobs: Any
    project: Any
    busy: Any
    _pending: dict[str, str]
    NOUN = "image key"
    _queue_stopped = False  # Cancel pressed while a batch was being queued
    # (the page brings `fail`, `_sync_buttons` and `_settled(key)`: this mixin sits before it
    # in the MRO, so it must not define them)

    def _source(self) -> Registry:
        return Registry(self.jobs.library.load_settings())

    def key_price(self) -> tuple[Registry, str, float] | None:
        """(registry, image model, price of one key) — None, said in the page's error line,
        when a paid model has no price: nothing is sent as if it were free."""
        source = self._source()
        model = image_model(source.settings)
        try:
            return source, model, price_per_key(model, source)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return None

    @staticmethod
    def cost_text(n: int, each: float) -> str:
        return f"Estimated cost: ${each * n:,.2f}" + (f" (${each:,.3f} each)." if each else ".")

    #: Batches being prepared on a worker (`submit_all`), not queued yet.
    preparing = 0

    def submit_all(self, keyed: list[tuple[str, Callable[[], Any]]]) -> None:
        """Each (key, prepare) — prepare builds an operation from the project — run on a
        worker, then every operation queued here at once: a feature's hundred frames or
        looks never hold the window. A prepare that is refused says why; the others go."""
        project = self.project

        def prepare() -> list[tuple[str, Any]]:
            out: list[tuple[str, Any]] = []
            for key, make in keyed:
                try:
                    out.append((key, make()))
                except AiuteurError as exc:
                    out.append((key, exc.user_message))
            return out

        def queue(prepared: list[tuple[str, Any]]) -> None:
            # A few per turn of the event loop: three hundred frames queued at once held the
            # window for most of a second.
            if self.project is not project or self._queue_stopped:
                self.preparing = max(0, self.preparing - 1)
                if not self._pending:
                    self.busy.hide()
                return
            started, done = time.perf_counter(), 0
            for key, op in prepared[:QUEUED_PER_TURN]:
                if done and time.perf_counter() - started > TURN_SECONDS:
                    break  # (a busy machine: fewer this turn)
                done += 1
                try:
                    if isinstance(op, str):
                        raise GateClosed(op)
                    self.keys_started(self.jobs.runner.run_operation(op), key)
                except AiuteurError as exc:
                    self.fail(exc.user_message)
            if len(prepared) > done:
                next_turn(self, lambda: queue(prepared[done:]))
                return
            self.preparing = max(0, self.preparing - 1)
            if not self._pending:
                self.busy.hide()
            self._sync_buttons()

        def failed(exc: BaseException) -> None:
            self.preparing = max(0, self.preparing - 1)
            self.fail(getattr(exc, "user_message", None) or str(exc))

        self.preparing += 1
        self._queue_stopped = False
        n = len(keyed)
        self.busy.start(f"Preparing {n} {self.NOUN}{'s' * (n != 1)}…")
        run_in_background(prepare, queue, failed, parent=self)  # type: ignore[arg-type]

    def busy_with_own_work(self) -> bool:
        return bool(self._pending) or self.preparing > 0

    def keys_started(self, job_id: str, key: str) -> None:
        self._pending[job_id] = key
        n = len(self._pending)
        self.busy.start(f"Generating {n} {self.NOUN}{'s' * (n != 1)}…")

    def job_finished(self, job_id: str) -> None:
        """The operation has applied its result already; the page only shows it."""
        key = self._pending.pop(job_id, None)
        if key is None or self.project is None:
            return
        job = self.jobs.runner.job(job_id)
        if job.state is not JobState.SUCCEEDED:
            self.fail(f"{job.params.get('name')}: {job.error or 'cancelled'}")
        self._settled(key)
        self.jobs.session.changed(operations.changes_of(job))

    def job_refused(self, job_id: str, reason: str) -> None:
        """Nothing was queued (a budget cap, say): the page says why."""
        if self._pending.pop(job_id, None) is not None:
            self.fail(reason)
            self._settled(None)

    def keys_settled(self, key: str | None) -> None:
        """The busy bar after a key job ended."""
        if not self._pending:
            self.busy.hide()
        else:
            n = len(self._pending)
            self.busy.label.setText(f"Generating {n} more {self.NOUN}{'s' * (n != 1)}…")

    def cancel_keys(self) -> None:
        """Stop the image keys still queued or running (finished ones are kept), and the
        ones a batch has not queued yet."""
        self._queue_stopped = True
        for job_id in list(self._pending):
            self.jobs.runner.cancel(job_id)


class KeyActions(PendingKeys):
    """Image-key actions of the Stage 5 page (`self` is the page)."""

    _locking = False  # Lock / Unlock of the chosen assets is being written on a worker
    project: Any
    jobs: Any
    visual: Any
    _pending: dict[str, str]

    # -------------------------------------------------------------- image keys
    def _submit_key(self, a: dict[str, Any], guidance: str) -> None:
        assert self.project is not None
        source = self._source()
        style = masters.style_lock(self.project)
        refs = []
        if style.get("library") and self.visual is not None:
            try:
                refs = [r.path for r in self.visual.references(style["library"])]
            except AiuteurError:
                refs = []
        try:
            op = AssetKey.prepare(
                self.project,
                a["path"],
                guidance,
                model=image_model(source.settings),
                source=source,
                references=refs,
            )
            job_id = self.jobs.runner.run_operation(op)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.keys_started(job_id, a["path"])
        self.sync()

    def _settled(self, key: str | None = None) -> None:
        self.keys_settled(key)
        self._fill_list()
        self.mark_loaded()

    def generate_key(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        self.flush()
        a = {**masters.read(self.project, path), "path": path}
        if not a.get("candidates"):
            self._submit_key(a, "")
            return
        ask_guidance(
            self,
            "Regenerate Image Key",
            f"What should change in {a['name']}'s image? Every earlier version stays in the strip.",
            "Regenerate",
            lambda g: self._submit_key({**masters.read(self.project, path), "path": path}, g),  # type: ignore[arg-type]
            placeholder="e.g. “Make the character's hair redder.”",
        )

    def generate_all(self) -> None:
        if self.project is None:
            return
        self.flush()
        todo = [a for a in masters.all_assets(self.project) if not a.get("locked")]
        if not todo:
            return
        priced = self.key_price()
        if priced is None:
            return
        source, model, each = priced
        where = source.describe(model)
        text = (
            f"Generate image keys for {len(todo)} unlocked asset{'s' * (len(todo) > 1)} with "
            f"{where}. {self.cost_text(len(todo), each)}"
        )
        self.last_estimate = text
        confirm(
            self,
            "bulkEstimate",
            QMessageBox.Icon.Question,
            "Generate All Unlocked",
            text,
            "Generate",
            QMessageBox.ButtonRole.AcceptRole,
            lambda: [self._submit_key(a, "") for a in todo],
        )

    def choose_candidate(self, item: QListWidgetItem) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        media = item.data(MediaRole)
        masters.choose_candidate(self.project, path, media)
        self._fill_list(path)
        self.changed.emit()

    def use_own_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Use your own image as the key", "", IMAGE_FILTER
        )
        if name:
            self.use_image_file(Path(name))

    def use_image_file(self, file: Path) -> None:
        """An actor headshot, location photo or concept art as the key: works offline."""
        path = self.current_path()
        if self.project is None or path is None:
            return
        project = self.project

        def read() -> bytes:
            # A bomb is refused from its header; a big photo is kept at the working size.
            image = read_image(file, WORKING_SIDE)
            if image.isNull():
                raise AiuteurError(
                    f"{file.name} is not an image Aiuteur can read (PNG, JPEG or WebP)."
                )
            return png_bytes(image)

        def done(png: bytes) -> None:
            if self.project is not project:
                return
            masters.use_own_image(project, path, png, file.name)
            self._fill_list(path)
            self.changed.emit()

        run_in_background(read, done, self.fail_with, parent=self)

    def selected_paths(self) -> list[str]:
        """The assets chosen in the list (Ctrl+A, Shift- and Ctrl-click), else the current."""
        chosen = [str(i.data(PathRole)) for i in self.list.selectedItems() if i.data(PathRole)]
        current = self.current_path()
        return chosen or ([current] if current else [])

    def lock_asset(self) -> None:
        """Lock the chosen assets that have keys (one commit), or unlock them when every one
        chosen is locked already."""
        paths = self.selected_paths()
        if self.project is None or not paths:
            return
        self.flush()
        project, keep = self.project, self.current_path()

        def work() -> tuple[int, list[str]]:  # on a worker: a feature's 170 assets
            docs = project.read_many(paths)
            if all(isinstance(d, dict) and d.get("locked") for d in docs.values()):
                masters.unlock_many(project, paths)
                done: tuple[int, list[str]] = (0, [])
            else:
                done = masters.lock_many(project, paths)
            masters.all_assets(project)  # the list the page shows next, worked out here
            return done

        def done(result: tuple[int, list[str]]) -> None:
            self._locking = False
            if self.project is not project:
                return
            count, keyless = result
            if keyless and count:
                self.message.emit(
                    f"Locked {count}; still without an image key: {masters.listed(keyless)}."
                )
            self._fill_list(keep)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self._locking = False
            self.fail_with(exc)

        self._locking = True
        self.sync()
        run_in_background(work, done, failed, parent=self)  # type: ignore[arg-type]
