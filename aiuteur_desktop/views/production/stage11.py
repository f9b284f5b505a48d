"""Stage 11 · Confirm (PRD §4.6, §9.6): the checkout before video is paid for.

A row per shot — its approved start and end frames, the video prompt as it will be sent,
the model and duration, Stage 10's drift flags and its price by part — then the scene's
total beside the project's spend and what the caps leave. The Cost & Dependency warning
says what changed since the scene was confirmed. **Confirm & Render** freezes the scene
and queues one render job per shot; they run in the background (progress in the sidebar's
Jobs, a toast and a tray notification at the end) while the user works elsewhere."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QWidget,
)

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.media.imaging import ImageTooLarge
from aiuteur_desktop.core.money import spend
from aiuteur_desktop.core.operations import video_render
from aiuteur_desktop.core.production import checkout, takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.background import run_in_background, write_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import read_image
from aiuteur_desktop.views.kit.text_table import Cell, TextTable
from aiuteur_desktop.views.stage_frame import StageFrame

THUMB = 96
COLUMNS = ("Shot", "Start", "End", "Video prompt", "Drift", "Price", "Status")
ROW = THUMB * 9 // 16 + 14


def money(x: float | None) -> str:
    return "price unknown" if x is None else f"${x:,.2f}"


class Stage11Page(StageFrame):
    """Stage 11 · Confirm (per scene)."""

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(11, jobs, parent)
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.current: checkout.Checkout | None = None
        self.pending: dict[str, str] = {}  # job id → shot id
        self._confirming = False  # a confirmation is being saved and its renders prepared
        self.render_state: dict[str, str] = {}  # shot id → what its render is doing
        self.with_takes: set[str] = set()  # shots with a take (of any confirmation)
        self.thumbs: dict[str, QImage] = {}  # media id → thumbnail, decoded off the UI thread
        self._serial = 0  # the load whose result is shown
        self.review_button = self.add_action("Open Review", "openReview", self.open_review)
        self.review_button.setToolTip("Stage 12: play the scene cut from its takes")
        self.confirm_button = self.add_action(
            "Confirm && Render", "confirmRender", self.confirm_render, primary=True
        )
        self.flag.button.clicked.connect(self.confirm_render)
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.model = QComboBox()
        self.model.setObjectName("videoModel")
        self.model.activated.connect(lambda _i: self.load())
        self.sound = QCheckBox("Sound")
        self.sound.setObjectName("withSound")
        self.sound.setChecked(True)
        self.sound.setToolTip("Render with generated audio (dialogue, effects) where the model can")
        self.sound.toggled.connect(lambda _on: self.load())
        top = QHBoxLayout()
        top.addWidget(self.scene_line, 1)
        top.addWidget(QLabel("Video model"))
        top.addWidget(self.model)
        top.addWidget(self.sound)
        self.table = TextTable(COLUMNS, 3)
        self.table.setObjectName("checkoutLines")
        self.table.rows.alignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        self.table.setIconSize(QSize(THUMB, THUMB * 9 // 16))
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, width in ((4, 150), (6, 110)):  # drift flags and status wrap
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setDefaultSectionSize(ROW)
        self.total = QLabel()
        self.total.setObjectName("checkoutTotal")
        self.total.setWordWrap(True)
        self.source = QLabel()
        self.source.setProperty("muted", True)
        self.source.setWordWrap(True)
        self.body.addLayout(top)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.total)
        self.body.addWidget(self.source)
        jobs.runner.finished.connect(self._job_finished)
        jobs.runner.refused.connect(self._job_refused)
        jobs.runner.progressed.connect(self._job_progress)

    # ---------------------------------------------------------------- state
    _shown_scene: str | None = None  # the scene whose lines the table holds

    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.render_state = {}
            self.load_when_shown()

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        self.current = None
        super().set_project(project, load=load)

    def _registry(self) -> tuple[Registry, Any]:
        settings = self.jobs.library.load_settings()
        return Registry(settings), settings

    def _fill_models(self, reg: Registry, chosen: str) -> None:
        keep = self.model.currentData() or chosen
        self.model.blockSignals(True)
        self.model.clear()
        for m in reg.video_models():
            self.model.addItem(m.label, m.id)
        i = self.model.findData(keep)
        self.model.setCurrentIndex(max(0, i))
        self.model.blockSignals(False)

    def load(self) -> None:
        """The checkout is priced, its drift flags scored and its thumbnails decoded off
        the UI thread (a long scene takes a second or more); the table fills when done."""
        self.clear_error()
        if self.project is None or self.scene_id is None:
            self.scene_line.setText("Select a scene in the Script Hub")
            self.table.set_rows([])
            self.current = None
            self.mark_loaded()
            self.sync()
            return
        try:
            reg, settings = self._registry()
            confirmed = checkout.confirmed(self.project, self.scene_id)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            self.mark_loaded()
            return
        self._fill_models(reg, confirmed.model if confirmed else settings.models.video)
        self.current = None  # nothing to confirm until this load's prices are in
        # What an earlier load showed is not left standing while this one is priced: opened
        # (or another scene), the lines go until the new ones are in; a refresh of the scene
        # on screen keeps them, said to be updating.
        if not self.isVisible() or self._shown_scene != self.scene_id:
            self.table.set_rows([])
            self.flag.hide()
            label = master_script.label_of(self.project, self.scene_id)
            self.scene_line.setText(f"Scene {label} · checkout")
        self._shown_scene = self.scene_id
        self.total.setText("Pricing the scene…")
        self.sync()  # Confirm waits for this load's prices
        self.confirm_button.setToolTip("Pricing the scene…")
        project, scene, store = self.project, self.scene_id, self.jobs.library.jobs
        model, audio = str(self.model.currentData()), self.sound.isChecked()
        self._serial += 1
        serial = self._serial

        def work() -> tuple[checkout.Checkout, dict[str, str], set[str], dict[str, QImage]]:
            bundle = str(project.path)
            cash = spend.Money.of(store, settings.budget, bundle)
            c = checkout.for_model(project, scene, reg, model, audio=audio, money=cash)
            busy = video_render.in_flight(store, bundle, scene)
            with_takes = {x.shot for x in c.lines if takes.current(project, scene, x.shot)}
            thumbs = {}
            for x in c.lines:
                for media in (x.start, x.end):
                    if media:
                        try:
                            thumbs[media] = read_image(project.media.path(media), THUMB)
                        except (ImageTooLarge, OSError):
                            thumbs[media] = QImage()  # shown as "missing"
            return c, busy, with_takes, thumbs

        def shown(result: Any) -> None:
            if serial != self._serial or self.project is not project:
                return  # a newer load, or another project
            c, busy, with_takes, thumbs = result
            self.current, self.with_takes, self.thumbs = c, with_takes, thumbs
            for shot, job_id in busy.items():
                self.pending.setdefault(job_id, shot)
                self.render_state.setdefault(shot, "Rendering…")
            self._show(c)
            self.clear_error()  # what an earlier load said waited no longer stands
            self.sync()

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self.fail(exc.user_message if isinstance(exc, AiuteurError) else str(exc))

        run_in_background(work, shown, failed, parent=self)
        self.mark_loaded()

    def _thumb(self, media: str | None) -> Cell:
        if not media:
            return Cell("—")
        image = self.thumbs.get(media)
        if image is None or image.isNull():
            return Cell("missing")
        return Cell("", icon=image)  # (made into a pixmap when its row is drawn)

    def _show(self, c: checkout.Checkout) -> None:
        self.scene_line.setText(f"Scene {c.label} · checkout")
        done = self.with_takes
        model = self.model.currentText()
        rows = []
        for x in c.lines:
            parts = " + ".join(f"{k} {money(v)}" for k, v in x.parts.items())
            sound = " · sound" if x.audio else ""
            prompt = x.video_prompt
            rows.append(
                [
                    Cell(
                        f"{x.label}\n{x.duration:g} s{sound}" + ("\n⚠ see tip" if x.notice else ""),
                        f"Shot {x.label}: {x.duration:g} s with {model}{sound}"
                        + (f"\n{x.notice}" if x.notice else ""),
                    ),
                    self._thumb(x.start),
                    self._thumb(x.end) if x.end else "start only",
                    Cell(prompt[:300] + ("…" if len(prompt) > 300 else ""), prompt),
                    Cell("\n".join(f"⚠ {f}" for f in x.drift) or "—", "\n".join(x.drift)),
                    money(x.price) + (f"\n{parts}" if parts and x.price else ""),
                    x.waiting
                    or self.render_state.get(x.shot)
                    or ("Rendered" if x.shot in done and c.frozen else ""),
                ]
            )
        self.table.set_rows(rows)
        m = c.money
        room = "" if m.room is None else f" · your caps leave {money(m.room)}"
        self.total.setText(
            f"<b>Scene total {money(c.total)}</b> · spent on this project so far "
            f"{money(m.spent_project)} · this month {money(m.spent_month)}{room}"
        )
        self.source.setText(f"Prices: {html.escape(c.price_source or 'none known')}")

    def sync(self) -> None:
        c = self.current
        if c is None:
            self.confirm_button.setEnabled(False)
            self.review_button.setEnabled(False)
            self.flag.hide()
            return
        rendering = bool(self.pending)
        self.confirm_button.setEnabled(
            not c.waiting and not c.over_cap and not rendering and not self._confirming
        )
        self.confirm_button.setToolTip(c.waiting or c.over_cap or "Freeze the scene and render")
        self.review_button.setEnabled(bool(self.with_takes))
        if c.confirmed is not None and c.changed:
            what = ", ".join(c.changed[:4]) + (" …" if len(c.changed) > 4 else "")
            self.flag.show_message(
                f"Cost & Dependency warning: {what} changed since this scene was confirmed "
                f"(version {c.confirmed.version}). Rendering it again will be charged again: "
                f"{money(c.total)}.",
                "Confirm again && Render",
            )
        elif c.confirmed is not None and not c.frozen:
            self.flag.show_message(
                f"Confirmed with {c.confirmed.model}; rendering with this model is a new "
                f"version, {money(c.total)}.",
                "Confirm again && Render",
            )
        else:
            self.flag.hide()
        if c.waiting:
            self.fail(c.waiting)
        elif c.over_cap:
            self.fail(c.over_cap)

    # -------------------------------------------------------------- actions
    def confirm_render(self) -> None:
        c = self.current
        if self.project is None or c is None or c.waiting or c.over_cap or self._confirming:
            return
        total = c.total or 0.0
        if total <= 0:
            self._go(c)
            return
        n = len(c.lines)
        again = " This is a new version: it is charged again." if c.confirmed else ""
        confirm(
            self, "renderEstimate", QMessageBox.Icon.Question, "Confirm & Render",
            f"Render {n} shot{'s' * (n != 1)} of scene {c.label} with {self.model.currentText()} "
            f"for about {money(total)} ({c.price_source}).{again}",
            f"Render for {money(total)}", QMessageBox.ButtonRole.AcceptRole,
            lambda: self._go(c),
        )  # fmt: skip

    def _go(self, c: checkout.Checkout) -> None:
        """The confirmation saved and each shot's render prepared on the writer thread (a
        feature's scene has fifty shots), then every render queued here."""
        assert self.project is not None and self.scene_id is not None
        reg, _settings = self._registry()
        if self._confirming:
            return  # (one confirmation at a time: never two renders of a shot)
        project, jobs = self.project, self.jobs.library.jobs
        self._confirming = True
        self.confirm_button.setEnabled(False)

        def prepare() -> list[Any]:
            done = checkout.confirm(project, c)
            busy = video_render.in_flight(jobs, str(project.path), c.scene, done.version)
            return video_render.render_ops(
                project, c.scene, done, reg, vertex=reg.vertex(), skip=set(busy)
            )

        def failed(exc: BaseException) -> None:
            self._confirming = False
            self.fail_with(exc)
            self.load()

        # On the writer thread: the confirmation is a commit, made after the approvals asked
        # for a moment ago are stored (never read before them) and never beside another write.
        write_in_background(prepare, lambda ops: self._queue(c, ops, project), failed, parent=self)

    def _queue(self, c: checkout.Checkout, ops: list[Any], project: Project) -> None:
        self._confirming = False
        if project is not self.project:
            return
        self.changed.emit()
        for op in ops:
            try:
                job_id = self.jobs.runner.run_operation(op)
            except AiuteurError as exc:
                self.fail(exc.user_message)
                break
            self.pending[job_id] = str(op.params["shot"])
            self.render_state[str(op.params["shot"])] = "Queued"
        n = len(ops)
        self.message.emit(
            f"Rendering {n} shot{'s' * (n != 1)} of scene {c.label} in the background — you "
            "can work on other scenes meanwhile."
            if n
            else "Every shot of this confirmation is rendered or on its way."
        )
        self.load()

    def open_review(self) -> None:
        self.goToStage.emit(12)

    # ----------------------------------------------------------------- jobs
    def _job_progress(self, job_id: str, fraction: float) -> None:
        shot = self.pending.get(job_id)
        if shot is not None:
            self.render_state[shot] = f"Rendering {round(fraction * 100)} %"
            self._status_cell(shot)

    def _status_cell(self, shot: str) -> None:
        if self.current is None:
            return
        if self.table.row_count() != len(self.current.lines):
            return  # (the lines are being priced again)
        for row, x in enumerate(self.current.lines):
            if x.shot == shot:
                self.table.rows.set_text(row, 6, self.render_state.get(shot, ""))

    def _job_finished(self, job_id: str) -> None:
        shot = self.pending.pop(job_id, None)
        if shot is None:
            return
        job = self.jobs.runner.job(job_id)
        self.jobs.session.changed(operations.changes_of(job))  # the Script Hub's status
        self.render_state[shot] = (
            "Rendered" if job.state is JobState.SUCCEEDED else f"{job.state.value}: {job.error}"
        )
        if self.isVisible():
            self.load()  # (hidden, it reads the new head when shown again)

    def _job_refused(self, job_id: str, reason: str) -> None:
        shot = self.pending.pop(job_id, None)
        if shot is not None:
            self.render_state[shot] = "Not sent"
            self.fail(reason)
            self.load()
