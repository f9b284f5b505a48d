"""The in-project view (PRD §5.2): header control panel, Phase A timeline, Phase B rail."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.assets.library import AssetLibrary
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.pipeline import board, gates
from aiuteur_desktop.core.production import hub as script_hub
from aiuteur_desktop.core.session import Event, Session
from aiuteur_desktop.core.store import Project, stages
from aiuteur_desktop.views.assets.stage5 import Stage5Page
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.jobs.spending import SpendLabel
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.elided import ElidedLabel
from aiuteur_desktop.views.kit.page_stack import PageStack
from aiuteur_desktop.views.kit.throttle import next_turn
from aiuteur_desktop.views.pipeline.stage_pages import GatePage, StagePage
from aiuteur_desktop.views.pipeline.stage_timeline import PhaseATimeline
from aiuteur_desktop.views.production.hub_rows import Row, fill_hub, hub_item
from aiuteur_desktop.views.production.stage6 import Stage6Page
from aiuteur_desktop.views.production.stage7 import Stage7Page
from aiuteur_desktop.views.production.stage8 import Stage8Page
from aiuteur_desktop.views.production.stage9 import Stage9Page
from aiuteur_desktop.views.production.stage10 import Stage10Page
from aiuteur_desktop.views.production.stage11 import Stage11Page
from aiuteur_desktop.views.production.stage12 import Stage12Page
from aiuteur_desktop.views.project_dialogs import ProjectDialogs
from aiuteur_desktop.views.stage_frame import StageFrame
from aiuteur_desktop.views.story.stage1 import Stage1Page
from aiuteur_desktop.views.story.stage2 import Stage2Page
from aiuteur_desktop.views.story.stage3 import Stage3Page
from aiuteur_desktop.views.story.stage4 import Stage4Page

#: The widest a Story Timeline's name is shown in the header's chip (pixels).
BRANCH_CHIP_TEXT = 260


class ProjectPage(ProjectDialogs, QWidget):
    """Everything shown while a project is open."""

    branchChanged = Signal(str)
    statusMessage = Signal(str)
    openSettings = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        runner: JobRunner | None = None,
        library: Library | None = None,
        styles: object = None,
        visual: object = None,
        asset_library: AssetLibrary | None = None,
        session: Session | None = None,
        in_steps: bool = False,
    ) -> None:
        """`in_steps`: the stage editors are built by `build_next`, one a call (the window
        builds them while the dashboard is idle), else all of them now."""
        super().__init__(parent)
        self.setObjectName("page")
        self.project: Project | None = None

        # ---- header with the mandatory control panel (top right)
        # A long title gives way (elided, whole in its tooltip) before the control panel does.
        self.name_label = ElidedLabel()
        self.name_label.setObjectName("pageTitle")
        self.name_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.branch_label = QLabel()
        self.branch_label.setObjectName("branchChip")
        self.branch_label.setToolTip("Current Story Timeline")
        self.spend_label = SpendLabel()
        self.vault_button = self._header_button(
            "vault",
            "Artifact Vault",
            "Artifact Vault — every artifact by branch, stage and scene (Ctrl+Shift+V)",
        )
        self.vault_button.clicked.connect(self.open_vault)
        self.history_button = self._header_button(
            "history",
            "Version History",
            "Version History — every saved version on every Story Timeline (Ctrl+Shift+H)",
        )
        self.history_button.clicked.connect(self.open_history)
        self.branch_button = self._header_button(
            "branch",
            "Create New Branch",
            "Start a new Story Timeline from the current state (Ctrl+Shift+B)",
        )
        self.branch_button.clicked.connect(self.create_branch)

        header = QFrame()
        header.setObjectName("header")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(20, 10, 16, 10)
        hl.addWidget(self.name_label)
        hl.addSpacing(10)
        hl.addWidget(self.branch_label, 0, Qt.AlignmentFlag.AlignVCenter)
        hl.addSpacing(12)
        hl.addWidget(self.spend_label, 0, Qt.AlignmentFlag.AlignVCenter)
        hl.addStretch(1)
        for b in (self.vault_button, self.history_button, self.branch_button):
            hl.addWidget(b)

        # ---- Phase A timeline
        self.timeline = PhaseATimeline()
        self.timeline.stageSelected.connect(self.show_stage)

        # ---- Script Hub (scene list) and the scene workflow rail
        self.hub_panel = hub = QFrame()
        hub.setObjectName("panel")
        hub.setFixedWidth(250)
        hub_layout = QVBoxLayout(hub)
        hub_layout.setContentsMargins(12, 12, 12, 12)
        self.hub_title = hub_title = QLabel("Script Hub")
        hub_title.setObjectName("sectionTitle")
        self.scene_list = QListWidget()
        self.scene_list.setObjectName("sceneList")
        self._hub_generation = self._board_generation = 0
        self._refresh_hub = self._refresh_waiting = False
        self._hub_shown: list[Row] = []  # what the Script Hub's rows show
        self._refresh_due = QTimer(self, singleShot=True, interval=150, timeout=self._refresh_now)
        self._opening: object | None = None  # (`opening`: a token, dropped once shown)
        self._wanted_scene: str | None = None  # (`select_scene` before the hub's rows came)
        self.scene_list.setWordWrap(True)
        # Re-measure wrapped items when the panel's width settles (else lines get elided).
        self.scene_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.scene_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scene_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.scene_list.setStyleSheet(
            "QListWidget#sceneList::item { padding-top: 4px; padding-bottom: 4px; }"
        )
        self.scene_empty = QLabel(
            "Scenes appear here once the Master Script (Stage 4) is approved."
        )
        self.scene_empty.setWordWrap(True)
        self.scene_empty.setProperty("muted", True)
        rail_title = QLabel("Scene workflow")
        rail_title.setObjectName("sectionTitle")
        self.rail = QListWidget()
        self.rail.setObjectName("sceneRail")
        self.rail.setIconSize(QSize(14, 14))
        for stage in stages.PHASE_B:
            built = stage.number in gates.BUILT
            item = QListWidgetItem(f"{stage.number}  {stage.name}")
            item.setIcon(theme.icon("lock") if not built else theme.blank_icon())
            item.setToolTip(
                f"{stage.purpose}\nSelect a scene in the Script Hub first."
                if built
                else f"{stage.purpose}\nComing in a later version of Aiuteur: not built yet."
            )
            if not built:  # greyed: it looks like what it is, a stage still to come
                item.setForeground(theme.MUTED)
            item.setData(Qt.ItemDataRole.UserRole, stage.number)
            self.rail.addItem(item)
        self.rail.setEnabled(False)
        self.rail.setStyleSheet("QListWidget::item { padding: 5px 8px; }")
        self.rail.setFixedHeight(len(stages.PHASE_B) * 31 + 10)
        self.rail.itemClicked.connect(lambda it: self.show_stage(it.data(Qt.ItemDataRole.UserRole)))
        self.scene_list.currentRowChanged.connect(self._scene_changed)
        # Ctrl/Shift-click selects scenes for "Take Scenes to Frames" (Stage 6).
        self.scene_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        hub_layout.addWidget(hub_title)
        hub_layout.addWidget(self.scene_empty, 1)
        hub_layout.addWidget(self.scene_list, 1)
        hub_layout.addSpacing(8)
        hub_layout.addWidget(rail_title)
        hub_layout.addWidget(self.rail)

        # ---- stage work area
        self.stage_stack = PageStack()
        self.stage_pages: dict[int, StagePage] = {}
        self.asset_library: AssetLibrary | None = asset_library
        self.editors: dict[int, StageFrame] = {}
        self.story_jobs: StoryJobs | None = None
        #: Stage editors still to build (`build_next`), in stage order: a page built in steps
        #: after the first paint keeps each step of the event loop short.
        self._unbuilt: list[tuple[int, Callable[[], StageFrame]]] = []
        self._runner = runner
        if runner is not None and library is not None:
            self.asset_library = asset_library or AssetLibrary(library.home)
            self.story_jobs = StoryJobs(runner, library, self, session=session)
            # Documents an operation changed: the timeline's flags and the hub follow.
            self.story_jobs.session.subscribe(self._session_event)
            jobs, assets = self.story_jobs, self.asset_library
            self._unbuilt = [
                (1, lambda: Stage1Page(jobs, styles)),
                (2, lambda: Stage2Page(jobs)),
                (3, lambda: Stage3Page(jobs)),
                (4, lambda: Stage4Page(jobs)),
                (5, lambda: Stage5Page(jobs, visual, assets)),
                (6, lambda: Stage6Page(jobs)),
                (7, lambda: Stage7Page(jobs)),
                (8, lambda: Stage8Page(jobs, visual, assets)),
                (9, lambda: Stage9Page(jobs)),
                (10, lambda: Stage10Page(jobs)),
                (11, lambda: Stage11Page(jobs)),
                (12, lambda: Stage12Page(jobs)),
            ]
        for stage in stages.ALL:
            page = StagePage(stage)
            self.stage_pages[stage.number] = page
            self.stage_stack.addWidget(page)
        self.gate_page = GatePage()
        self.gate_page.goTo.connect(self.show_stage)
        self.gate_page.sceneWanted.connect(self.open_scene)
        self.stage_stack.addWidget(self.gate_page)

        body = QHBoxLayout()
        body.setContentsMargins(12, 12, 0, 12)
        body.addWidget(hub)
        body.addWidget(self.stage_stack, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.timeline)
        layout.addLayout(body, 1)
        if not in_steps:
            self.finish_building()

    # ------------------------------------------------------------------ building
    def build_next(self) -> bool:
        """Build the next stage editor; False once every one is built."""
        if not self._unbuilt:
            return False
        number, make = self._unbuilt.pop(0)
        editor = make()
        self.editors[number] = editor
        self._wire(editor)
        editor.ensurePolished()  # (its style sheet applied now, not at its first showing)
        return bool(self._unbuilt)

    def finish_building(self) -> None:
        while self.build_next():
            pass

    def _wire(self, editor: StageFrame) -> None:
        # (a hand edit reaches this page through the session, as `Changes`)
        editor.goToStage.connect(self.show_stage)
        editor.goToScene.connect(self._go_to_scene)
        editor.message.connect(self.statusMessage)
        editor.openSettings.connect(self.openSettings)
        self.stage_stack.addWidget(editor)
        if isinstance(editor, Stage5Page | Stage6Page | Stage8Page | Stage10Page):
            assert self._runner is not None
            self._runner.finished.connect(editor.job_finished)
            self._runner.refused.connect(editor.job_refused)
        if isinstance(editor, Stage4Page):
            editor.branched.connect(self._branched)
            editor.animaticRequested.connect(self.open_animatic)
        elif isinstance(editor, Stage5Page):
            stage4 = self.editors[4]  # (built before it)
            assert isinstance(stage4, Stage4Page)
            editor.sceneRequested.connect(stage4.editor.go_to_scene_id)
        elif isinstance(editor, Stage6Page):
            editor.upstreamRequested.connect(self.select_scene)
            self.scene_list.itemSelectionChanged.connect(
                lambda: editor.set_selected_scenes(self.selected_scenes())
            )
            editor.branchRequested.connect(self.create_branch)

    def _header_button(self, icon_name: str, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName("headerButton")
        b.setIcon(theme.icon(icon_name))
        b.setText(text)
        b.setToolTip(tip)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setIconSize(QSize(18, 18))
        return b

    # ------------------------------------------------------------------ state
    def set_project(self, project: Project | None) -> None:
        self.flush()
        self._opening = self._wanted_scene = None
        self.project = project
        if self.story_jobs is not None:
            self.story_jobs.forget()
            self.story_jobs.project = project
        # Only the page shown is read now; the others when first shown (they are stale
        # until then), so opening a feature does not read and lay out seven stages.
        for editor in self.editors.values():
            editor.set_project(project, load=project is None)
        if project is None:
            return
        self.name_label.setText(project.name)
        # The branch and whether the Script Hub has scenes to show are read now (two small
        # reads: nothing jumps); the timeline's lights and flags and the hub's rows on a
        # worker (a feature's board took 20+ ms of the window while it opened).
        self._show_branch(project.current_branch)
        self.hub_panel.setVisible(stages.is_locked(project, stages.PHASE_A[3]))
        # The stage's own frame now, its documents a turn of the event loop later: reading
        # them and showing a feature's page in one turn held the window past its 50 ms budget.
        # The timeline's lights and the hub's rows are read on a worker after that (a feature's
        # first reading of every scene, in Python, slowed the window's own turns).
        first = self._first_open_stage()
        self.timeline.select(first)
        self.stage_stack.setCurrentWidget(self.stage_pages[first])
        self._opening = opening = object()
        next_turn(self, lambda: self._opened(project, opening, first))

    def flush(self) -> None:
        """Write every editor's pending hand edits (before closing or switching)."""
        for editor in self.editors.values():
            editor.flush()

    def _reload(self) -> None:
        shown = self.stage_stack.currentWidget()
        for editor in self.editors.values():
            editor.set_project(self.project, load=editor is shown)

    def _branched(self, name: str) -> None:
        if self.story_jobs is not None:
            self.story_jobs.session.branch_switched()
        self.refresh()
        self.branchChanged.emit(name)
        self.statusMessage.emit(f"Now working on the Story Timeline “{name}”.")

    def _first_open_stage(self) -> int:
        assert self.project is not None
        for stage in stages.PHASE_A:
            if not stages.is_locked(self.project, stage):
                return stage.number
        return stages.PHASE_A[-1].number

    def refresh(self, *, hub: bool = True, later: bool = False) -> None:
        """The header, the timeline's lights and flags, and (with `hub`) the Script Hub;
        `later`: the branch and the board read on a worker (a scene's burst of changes)."""
        if self.project is None:
            return
        project = self.project
        self._board_generation += 1  # what an earlier read on a worker brings is stale now
        if not later:
            self._show_branch(project.current_branch)
            self._show_board(board.board(project), hub)
            return
        generation = self._board_generation

        def show(found: tuple[str, list[board.StageState]]) -> None:
            if generation == self._board_generation and project is self.project:
                self._show_branch(found[0])
                self._show_board(found[1], hub)

        run_in_background(lambda: (project.current_branch, board.board(project)), show, parent=self)

    def _show_branch(self, branch: str) -> None:
        # A long Story Timeline name is shortened in the chip, whole in its tooltip.
        shown = self.branch_label.fontMetrics().elidedText(
            branch, Qt.TextElideMode.ElideMiddle, BRANCH_CHIP_TEXT
        )
        self.branch_label.setText(
            f'<img src="{theme.icon_file("branch")}" width="14" height="14" '
            f'style="vertical-align: middle"> {html.escape(shown)}'
        )
        self.branch_label.setToolTip(f"Current Story Timeline: {branch}")

    def _show_board(self, states: list[board.StageState], hub: bool) -> None:
        assert self.project is not None
        for state in states:
            self.stage_pages[state.number].set_locked(state.locked)
            if state.number in self.timeline.nodes:
                self.timeline.nodes[state.number].set_state(
                    state.locked, state.flags, skipped=state.skipped, lapsed=state.lapsed
                )
        self.refresh_spend()
        approved = next(s.locked for s in states if s.number == stages.PHASE_A[3].number)
        # Before the script is approved there are no scenes to work on: the story stages
        # get the whole width instead of an empty Script Hub.
        self.hub_panel.setVisible(approved)
        if not approved:
            self._show_hub([], [])
        elif hub:
            # The hub is derived off the UI thread (a feature's takes tens of ms), on opening
            # as after an edit; the newest result wins.
            if self.scene_list.count() == 0:
                self.scene_empty.setText("Reading the scenes…")
            self._hub_generation += 1
            generation, project = self._hub_generation, self.project

            def show(found: tuple[list[script_hub.HubRow], list[Row]]) -> None:
                if generation == self._hub_generation and project is self.project:
                    self._show_hub(*found)

            def rows() -> tuple[list[script_hub.HubRow], list[Row]]:  # with their text
                found = script_hub.hub(project)
                return found, [hub_item(r) for r in found]

            run_in_background(rows, show, parent=self)

    def _show_hub(self, rows: list[script_hub.HubRow], shown: list[Row]) -> None:
        before = self.current_scene()
        keep, self._wanted_scene = self._wanted_scene or before, None
        total = sum(r.seconds for r in rows)
        self.hub_title.setText(
            f"Script Hub · {total // 60}:{total % 60:02d}" if total else "Script Hub"
        )
        self.scene_list.blockSignals(True)
        self._hub_shown = fill_hub(self.scene_list, shown, self._hub_shown)
        for row in range(self.scene_list.count()):
            here = self.scene_list.item(row).data(Qt.ItemDataRole.UserRole) == keep
            if here and self.scene_list.currentRow() != row:  # (a selection of several stays)
                self.scene_list.setCurrentRow(row)
        self.scene_list.blockSignals(False)
        if self.current_scene() != before:
            self._scene_changed(self.scene_list.currentRow())
        empty = self.scene_list.count() == 0
        self.scene_empty.setText(
            "Scenes appear here once the Master Script (Stage 4) is approved." if not rows else ""
        )
        self.scene_empty.setVisible(empty)
        self.scene_list.setVisible(not empty)

    def selected_scenes(self) -> list[str]:
        """The scenes selected in the Script Hub, in script order."""
        return [
            self.scene_list.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.scene_list.count())
            if self.scene_list.item(r).isSelected()
        ]

    def current_scene(self) -> str | None:
        """The scene picked in the Script Hub (its id, "s3"), or None."""
        item = self.scene_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _go_to_scene(self, scene_id: str, stage: int) -> None:
        self.select_scene(scene_id)
        self.show_stage(stage)

    def select_scene(self, scene_id: str) -> None:
        """Pick a scene in the Script Hub; one not listed yet (the hub's rows are read on a
        worker as a project opens) is picked when the rows arrive."""
        self._wanted_scene = scene_id
        for row in range(self.scene_list.count()):
            if self.scene_list.item(row).data(Qt.ItemDataRole.UserRole) == scene_id:
                self._wanted_scene = None
                self.scene_list.setCurrentRow(row)

    def _scene_changed(self, row: int) -> None:
        self.rail.setEnabled(row >= 0)
        waiting = self.gate_page.gate
        if (
            row >= 0
            and self.stage_stack.currentWidget() is self.gate_page
            and waiting is not None
            and waiting.scene
        ):  # the stage was waiting for a scene: open it on the one just picked
            self.show_stage(self.gate_page.wanted)
        if self.story_jobs is not None:
            self.story_jobs.session.select_scene(self.current_scene())  # Stages 6–7 hear it
        for number in (6, 7, 8, 9, 10, 11, 12):
            editor = self.editors.get(number)
            if self.stage_stack.currentWidget() is editor and self.current_scene() is None:
                self.show_stage(number)  # no scene any more: the gate says to pick one

    def _session_event(self, event: Event) -> None:
        """Refresh what the change touches: the story timeline for Stages 1–5, the Script
        Hub only when the script or a scene changed (a key for an asset leaves it alone)."""
        c = event.changes
        if self.project is None or not (c.stages or c.scenes):
            return
        hub = bool(c.scenes) or 4 in c.stages
        if c.scenes and self._refresh_due.isActive():  # a scene's burst: once when it pauses
            self._refresh_hub |= hub
            self._refresh_waiting = True
            return
        self.refresh(hub=hub, later=bool(c.scenes))
        self._refresh_due.start()

    def _refresh_now(self) -> None:
        if self._refresh_waiting:
            hub, self._refresh_hub, self._refresh_waiting = self._refresh_hub, False, False
            self.refresh(hub=hub, later=True)
            self._refresh_due.start()

    def refresh_spend(self) -> None:
        """The header's "$x spent" with a per-stage, per-provider breakdown on hover."""
        self.spend_label.refresh(self.project)

    @property
    def opening(self) -> bool:
        """A project just set, its first stage not shown yet (a moment)."""
        return self._opening is not None

    def _opened(self, project: Project, opening: object, first: int, read: bool = False) -> None:
        if self.project is not project:
            return
        editor = self.editors.get(first)
        if opening is self._opening and not read and editor is not None and editor.stale():
            # Its documents read this turn, the page shown and painted the next: the two in
            # one turn held the window for as long as both (a feature's Stage 5).
            editor.load()
            next_turn(self, lambda: self._opened(project, opening, first, read=True))
            return
        if opening is self._opening:  # (no stage asked for meanwhile)
            self.show_stage(first)
        self.refresh(later=True)

    def show_stage(self, number: int) -> None:
        self._opening = None  # (a stage asked for by name: not the first one after all)
        self.timeline.select(number)
        self.rail.blockSignals(True)
        if number >= 6:
            self.rail.setCurrentRow(number - stages.PHASE_B[0].number)
        else:
            self.rail.clearSelection()
        self.rail.blockSignals(False)
        if (
            self.project is not None
            and self.editors
            and (2 <= number <= 5 or (number >= 6 and number in self.editors))
        ):
            closed = gates.gate(self.project, number, self.current_scene())
            if closed is not None:
                stage = next(s for s in stages.ALL if s.number == number)
                self.gate_page.show_gate(stage, closed, number)
                self.stage_stack.setCurrentWidget(self.gate_page)
                return
        editor = self.editors.get(number)
        if editor is not None:
            if editor.stale():
                editor.flush()
                editor.load()
            editor.sync()
            self.stage_stack.setCurrentWidget(editor)
        else:
            self.stage_stack.setCurrentWidget(self.stage_pages[number])

    def open_scene(self, scene_id: str, number: int) -> None:
        """Pick a scene in the Script Hub list, then open stage `number` on it."""
        self.select_scene(scene_id)
        self.show_stage(number)
