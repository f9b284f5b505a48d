"""Stage 6 · Script Hub: the selected scene's overview — status, the opening of the scene,
what it depends on, and the Continuity Risk Analyzer's advice (PRD §9.1)."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.production import hub
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.production.scene_batch import SceneBatch
from aiuteur_desktop.views.stage_frame import StageFrame

RISK_COLOURS = {hub.SAFE: "#5cb87a", hub.RISKY: "#e0b050", "Broken": "#e06c6c"}


class Stage6Page(SceneBatch, StageFrame):
    """The Scene Overview panel for the scene picked in the Script Hub, and the batch that
    takes scenes to their frames."""

    upstreamRequested = Signal(str)  # the scene before, to select in the hub
    branchRequested = Signal()

    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(6, jobs, parent)
        # The scene picked in the Script Hub reaches this page through the session.
        jobs.session.subscribe(lambda e: self.set_scene(jobs.session.scene) if e.scene else None)
        self.scene_id: str | None = None
        self.overview: hub.Overview | None = None
        self._warned: set[tuple[str, str]] = set()
        self._batch_setup()
        self.batch_button = self.add_action(
            "Take Scenes to Frames…", "batchToFrames", self.take_to_frames
        )
        self.batch_button.setToolTip(
            "Lock shot lists, accept inherited looks, assemble prompts and choose Quick mode for "
            "the scenes selected in the Script Hub (Ctrl/Shift-click; none: every scene), "
            "stopping at the first scene that needs you — then one estimate for their frames"
        )
        self.upstream_button = self.add_action(
            "Jump to Upstream Scene", "upstreamScene", self.upstream
        )
        self.branch_button = self.add_action(
            "Create New Branch", "hubBranch", self.branchRequested.emit
        )
        self.enter_button = self.add_action(
            "Enter Scene Pipeline", "enterScene", lambda: self.goToStage.emit(7), primary=True
        )
        self.scene_line = QLabel()
        self.scene_line.setObjectName("sectionTitle")
        self.status_label = QLabel()
        self.status_label.setObjectName("sceneStatus")
        self.status_label.setToolTip("A rendered scene opens in Stage 12 · Review")
        self.status_label.linkActivated.connect(lambda _href: self.goToStage.emit(12))
        self.excerpt = QTextBrowser()
        self.excerpt.setObjectName("sceneExcerpt")
        mono = QFont("Courier Prime")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(11)
        self.excerpt.setFont(mono)
        self.excerpt.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)

        self.dependencies = QLabel()
        self.dependencies.setObjectName("sceneDependencies")
        self.dependencies.setWordWrap(True)
        self.risk = QLabel()
        self.risk.setObjectName("continuityRisk")
        self.risk.setWordWrap(True)
        side = QFrame()
        side.setObjectName("panel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(14, 12, 14, 12)
        deps_title = QLabel("Scene Dependencies")
        deps_title.setObjectName("sectionTitle")
        risk_title = QLabel("Continuity Risk")
        risk_title.setObjectName("sectionTitle")
        side_layout.addWidget(deps_title)
        side_layout.addWidget(self.dependencies)
        side_layout.addSpacing(10)
        side_layout.addWidget(risk_title)
        side_layout.addWidget(self.risk)
        side_layout.addStretch(1)
        side.setMinimumWidth(300)

        line = QHBoxLayout()
        line.addWidget(self.scene_line)
        line.addStretch(1)
        line.addWidget(self.status_label)
        columns = QHBoxLayout()
        columns.addWidget(self.excerpt, 3)
        columns.addWidget(side, 2)
        self.body.addLayout(line)
        self.body.addLayout(columns, 1)

    def set_scene(self, scene_id: str | None) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.load_when_shown()

    def load(self) -> None:
        self.clear_error()
        self.overview = None
        if self.project is None or self.scene_id is None:
            self.scene_line.setText("Select a scene in the Script Hub")
            self.excerpt.clear()
            self.dependencies.clear()
            self.risk.clear()
            self.mark_loaded()
            self.sync()
            return
        project, scene = self.project, self.scene_id
        self.sync()  # (nothing to act on until the overview lands)
        self.derive_then(lambda: hub.overview(project, scene), self._show)

    def _show(self, o: hub.Overview) -> None:
        """The overview, worked out on a worker (a scene's script, shots and what it needs)."""
        self.overview = o
        minutes = f"{o.seconds // 60}:{o.seconds % 60:02d}"
        self.scene_line.setText(f"Scene {o.label} · {o.heading}")
        shots = f"{o.shots} shot{'s' * (o.shots != 1)}"
        status = html.escape(o.status)
        if o.status in hub.REVIEWABLE:  # render re-entry: straight to the player
            status = f'<a href="review" style="color:#8ab4f8">{status}</a>'
        self.status_label.setText(f"{status} · {shots} · {minutes}")
        self.excerpt.setPlainText(o.excerpt)
        who = ", ".join(o.characters) or "nobody"
        place = f"{o.location} ({o.variant})" if o.variant else (o.location or "—")
        before = html.escape(o.previous) if o.previous else "This is the first scene."
        self.dependencies.setText(
            f"<p><b>At the start:</b> {html.escape(who)}</p>"
            f"<p><b>Location:</b> {html.escape(place)}</p>"
            f"<p><b>The scene before ends:</b> {before}</p>"
        )
        colour = RISK_COLOURS.get(o.risk, "#c8ccd2")
        reasons = "".join(f"<p>{html.escape(r)}</p>" for r in o.reasons) or (
            "<p>Nothing to watch for.</p>"
        )
        self.risk.setText(f"<p style='color:{colour}; font-weight:600'>{o.risk}</p>{reasons}")
        self.sync()
        self._warn_if_outdated()

    def _warn_if_outdated(self) -> None:
        """Outdated scenes are not blocked: a non-blocking note says why, once per change."""
        if self.project is None or self.scene_id is None or self.overview is None:
            return
        if self.overview.status != hub.OUTDATED or not self.isVisible():
            return
        key = (self.scene_id, self.project.branch().draft)
        if key in self._warned:
            return
        self._warned.add(key)
        text = hub.why_outdated(self.project, self.scene_id)
        if not text:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Scene outdated", text, parent=self)
        box.setObjectName("outdatedScene")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self._warn_if_outdated()

    def _sync_buttons(self) -> None:
        self.sync()

    def set_selected_scenes(self, scenes: list[str]) -> None:
        self.selected_scenes = scenes
        self.sync()

    def sync(self) -> None:
        self.batch_button.setEnabled(self.project is not None and not self._batching)
        self.batch_button.setText(
            f"Take {len(self.selected_scenes)} Scenes to Frames…"
            if len(self.selected_scenes) > 1
            else "Take Scenes to Frames…"
        )
        has = self.scene_id is not None and self.overview is not None
        self.enter_button.setEnabled(has)
        self.upstream_button.setEnabled(has and self.upstream_id is not None)

    @property
    def upstream_id(self) -> str | None:
        return self.overview.upstream if self.overview is not None else None

    def upstream(self) -> None:
        if self.upstream_id is not None:
            self.upstreamRequested.emit(self.upstream_id)

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        self.scene_id = None
        super().set_project(project, load=load)
