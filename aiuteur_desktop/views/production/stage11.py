"""Stage 11 · Confirm (PRD §4.6, §9.6): the checkout before video is paid for.

A row per shot — its approved start and end frames, the video prompt as it will be sent,
the model and duration, Stage 10's drift flags and its price by part — then the scene's
total beside the project's spend and what the caps leave. The scene has a model; a shot can
have its own (select rows, pick from what each set-up model would cost for them, or "Use
Cheapest Fit": the cheapest paid model that takes each shot's frames, length and sound). The Cost & Dependency warning
says what changed since the scene was confirmed. **Confirm & Render** freezes the scene
and queues one render job per shot; they run in the background (progress in the sidebar's
Jobs, a toast and a tray notification at the end) while the user works elsewhere."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.media.imaging import ImageTooLarge
from aiuteur_desktop.core.money import spend
from aiuteur_desktop.core.operations import video_render
from aiuteur_desktop.core.production import alternatives, checkout, takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.background import run_in_background, write_in_background
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.pictures import read_image
from aiuteur_desktop.views.kit.text_table import Cell, TextTable
from aiuteur_desktop.views.kit.throttle import Throttle
from aiuteur_desktop.views.stage_frame import StageFrame

THUMB = 96
COLUMNS = ("Shot", "Start", "End", "Video prompt", "Model", "Drift", "Price", "Status")
MODEL, STATUS = COLUMNS.index("Model"), COLUMNS.index("Status")
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
        #: scene → shot → the model it renders with instead of the scene's (seeded from the
        #: scene's confirmation, kept while the app runs)
        self.per_shot: dict[str, dict[str, str]] = {}
        self.options: dict[str, alternatives.ShotOptions] = {}  # shot → each model's price
        self.labels: dict[str, str] = {}  # model id → its name
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
        self.model.activated.connect(lambda _i: self._scene_model_chosen())
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
        # (these wrap; the prompt takes the width left)
        for column, width in ((MODEL, 150), (MODEL + 1, 90), (MODEL + 2, 130), (STATUS, 100)):
            self.table.fixed(column, width)
        self.table.verticalHeader().setDefaultSectionSize(ROW)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fill_shot_models())
        # A model for the selected shots (Ctrl+A: every shot), from what each would cost.
        self.shot_model = QComboBox()
        self.shot_model.setObjectName("shotModel")
        self.shot_model.setMinimumContentsLength(28)
        self.shot_model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.shot_model.activated.connect(self._shot_model_chosen)
        self.cheapest_button = QPushButton("Use Cheapest Fit")
        self.cheapest_button.setObjectName("cheapestFit")
        self.cheapest_button.setToolTip(
            "Each shot with the cheapest paid model that takes its frames, length and sound"
        )
        self.cheapest_button.clicked.connect(self.use_cheapest)
        choose = QHBoxLayout()
        self.shot_model_label = QLabel("Model for the selected shots")
        choose.addWidget(self.shot_model_label)
        choose.addWidget(self.shot_model, 1)
        choose.addWidget(self.cheapest_button)
        self.total = QLabel()
        self.total.setObjectName("checkoutTotal")
        self.total.setWordWrap(True)
        self.source = QLabel()
        self.source.setProperty("muted", True)
        self.source.setWordWrap(True)
        self.body.addLayout(top)
        self.body.addWidget(self.table, 1)
        self.body.addLayout(choose)
        self.body.addWidget(self.total)
        self.body.addWidget(self.source)
        # A scene's renders land in a burst: one checkout priced again for the burst, not
        # one per render (each prices every shot with every model on a worker).
        self._reprice = Throttle(400, self._reload_if_shown, self)
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
        self.labels.clear()
        for m in reg.video_models():
            self.model.addItem(m.label, m.id)
            self.labels[m.id] = m.label
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
        if self.scene_id not in self.per_shot:  # the shots confirmed with models of their own
            self.per_shot[self.scene_id] = confirmed.per_shot if confirmed else {}
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
        own = dict(self.per_shot.get(scene, {}))
        self._serial += 1
        serial = self._serial

        def work() -> tuple[Any, ...]:
            bundle = str(project.path)
            cash = spend.Money.of(store, settings.budget, bundle)
            c = checkout.for_model(
                project, scene, reg, model, audio=audio, money=cash, per_shot=own
            )
            models = reg.video_models()
            found = alternatives.for_scene(project, scene, reg, models, audio=audio)
            options = {o.shot: o for o in found}
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
            return c, busy, with_takes, thumbs, options

        def shown(result: Any) -> None:
            if serial != self._serial or self.project is not project:
                return  # a newer load, or another project
            c, busy, with_takes, thumbs, options = result
            self.current, self.with_takes, self.thumbs = c, with_takes, thumbs
            self.options = options
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

    def _name(self, model: str) -> str:
        return self.labels.get(model, model)

    def _model_cell(self, x: checkout.RenderLine) -> Cell:
        """The shot's model, whether it is the cheapest that takes the shot, and every
        set-up model's price for it side by side (the tooltip)."""
        o = self.options.get(x.shot)
        best = o.recommended if o is not None else None
        text = self._name(x.model)
        if best is not None:
            text += (
                "\n★ cheapest fit"
                if best.model == x.model
                else f"\ncheapest fit: {best.label} {money(best.price)}"
            )
        tip = [f"Shot {x.label} renders with {self._name(x.model)}."]
        for alt in o.options if o is not None else ():
            said = money(alt.price) if alt.takes else f"does not take it: {alt.why}"
            tip.append(f"{'★ ' if best is alt else '   '}{alt.label}: {said}")
        return Cell(text, "\n".join(tip))

    def _show(self, c: checkout.Checkout) -> None:
        self.scene_line.setText(f"Scene {c.label} · checkout")
        done = self.with_takes
        chosen = self._chosen_shots()
        rows = []
        for x in c.lines:
            parts = " + ".join(f"{k} {money(v)}" for k, v in x.parts.items())
            sound = " · sound" if x.audio else ""
            prompt = x.video_prompt
            rows.append(
                [
                    Cell(
                        f"{x.label}\n{x.duration:g} s{sound}" + ("\n⚠ see tip" if x.notice else ""),
                        f"Shot {x.label}: {x.duration:g} s with {self._name(x.model)}{sound}"
                        + (f"\n{x.notice}" if x.notice else ""),
                    ),
                    self._thumb(x.start),
                    self._thumb(x.end) if x.end else "start only",
                    Cell(prompt[:300] + ("…" if len(prompt) > 300 else ""), prompt),
                    self._model_cell(x),
                    Cell("\n".join(f"⚠ {f}" for f in x.drift) or "—", "\n".join(x.drift)),
                    money(x.price) + (f"\n{parts}" if parts and x.price else ""),
                    x.waiting
                    or self.render_state.get(x.shot)
                    or ("Rendered" if x.shot in done and c.frozen else ""),
                ]
            )
        self.table.set_rows(rows)
        self._select_shots(chosen)
        self._fill_shot_models()
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
                f"Confirmed with {self._name(c.confirmed.model)}"
                + (" and other models for some shots" if c.confirmed.per_shot else "")
                + f"; rendering with these models is a new version, {money(c.total)}.",
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
            f"Render {n} shot{'s' * (n != 1)} of scene {c.label} with {self._models_said(c)} "
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

    # ------------------------------------------------------ per-shot models
    def _models_said(self, c: checkout.Checkout) -> str:
        """ "Veo 3.1 Fast" — or "Veo 3.1 Fast (50 shots) and Kling 4.0 (fal.ai) (3 shots)"."""
        used = c.models
        if len(used) == 1:
            return self._name(next(iter(used)))
        said = [f"{self._name(m)} ({n} shot{'s' * (n != 1)})" for m, n in used.items()]
        return ", ".join(said[:-1]) + " and " + said[-1]

    def _chosen_shots(self) -> list[str]:
        """The shots of the selected rows, in order."""
        if self.current is None or self.table.row_count() != len(self.current.lines):
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.current.lines[r].shot for r in rows if r < len(self.current.lines)]

    def _select_shots(self, shots: list[str]) -> None:
        if self.current is None or not shots:
            return
        selection = self.table.selectionModel()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row, x in enumerate(self.current.lines):
            if x.shot in shots:
                selection.select(self.table.rows.index(row, 0), flags)

    def _fill_shot_models(self) -> None:
        """The selected shots' choices: each set-up model with what it would cost for them,
        those that do not take one of them greyed, saying why."""
        shots = self._chosen_shots()
        self.shot_model.clear()
        self.shot_model.setEnabled(bool(shots))
        self.cheapest_button.setEnabled(bool(self.options) and not self._confirming)
        if not shots:
            self.shot_model.addItem("Select shots in the table (Ctrl+A: all)")
            return
        n = len(shots)
        what = f"{n} shots" if n > 1 else f"shot {self._label_of(shots[0])}"
        self.shot_model.addItem(f"The scene's model ({self.model.currentText()}) for {what}", "")
        items = self.shot_model.model()
        assert isinstance(items, QStandardItemModel)
        for model, label in self.labels.items():
            each = [self._option(s, model) for s in shots]
            refused = [(s, o) for s, o in zip(shots, each, strict=True) if o is None or not o.takes]
            prices = [o.price for o in each if o is not None]
            total = None if None in prices or len(prices) < n else sum(p or 0.0 for p in prices)
            if refused:
                shot, o = refused[0]
                why = o.why if o is not None else "not priced"
                text = f"{label} · shot {self._label_of(shot)}: {why}"
            else:
                text = f"{label} · {money(total)}" + (f" for {n} shots" if n > 1 else "")
            self.shot_model.addItem(text, model)
            if refused:
                items.item(self.shot_model.count() - 1).setEnabled(False)
        self.shot_model.setCurrentIndex(0)

    def _option(self, shot: str, model: str) -> alternatives.Option | None:
        o = self.options.get(shot)
        return next((a for a in o.options if a.model == model), None) if o else None

    def _label_of(self, shot: str) -> str:
        o = self.options.get(shot)
        return o.label if o is not None else shot

    def _shot_model_chosen(self, index: int) -> None:
        if self.scene_id is None:
            return
        model = str(self.shot_model.itemData(index) or "")
        own = self.per_shot.setdefault(self.scene_id, {})
        for shot in self._chosen_shots():
            if model and model != self.model.currentData():
                own[shot] = model
            else:
                own.pop(shot, None)
        self.load()

    def use_cheapest(self) -> None:
        """Every shot with the cheapest paid model that takes it (where one does)."""
        if self.scene_id is None or not self.options:
            return
        scene_model = self.model.currentData()
        own = self.per_shot.setdefault(self.scene_id, {})
        for shot, o in self.options.items():
            best = o.recommended
            if best is None:
                continue
            if best.model == scene_model:
                own.pop(shot, None)
            else:
                own[shot] = best.model
        self.load()

    def _scene_model_chosen(self) -> None:
        """The scene's model changed: a shot that had chosen it follows the scene again."""
        if self.scene_id is not None:
            own = self.per_shot.get(self.scene_id, {})
            for shot in [s for s, m in own.items() if m == self.model.currentData()]:
                own.pop(shot)
        self.load()

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
                self.table.rows.set_text(row, STATUS, self.render_state.get(shot, ""))

    def _job_finished(self, job_id: str) -> None:
        shot = self.pending.pop(job_id, None)
        if shot is None:
            return
        job = self.jobs.runner.job(job_id)
        self.jobs.session.changed(operations.changes_of(job))  # the Script Hub's status
        self.render_state[shot] = (
            "Rendered" if job.state is JobState.SUCCEEDED else f"{job.state.value}: {job.error}"
        )
        self._status_cell(shot)
        if not self.pending:
            # Priced again once the scene's burst is over, not as each render lands: each
            # pricing reads every shot with every model on a worker, and a burst's dozens
            # of them kept the window waiting for its turn at the GIL.
            self._reprice()

    def _reload_if_shown(self) -> None:
        if self.isVisible():
            self.load()  # (hidden, it reads the new head when shown again)

    def _job_refused(self, job_id: str, reason: str) -> None:
        shot = self.pending.pop(job_id, None)
        if shot is not None:
            self.render_state[shot] = "Not sent"
            self.fail(reason)
            self.load()
