"""Main window: the global sidebar (PRD §5.1), pages, menus and keyboard shortcuts."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app import paths, secrets
from aiuteur_desktop.core.assets.library import AssetLibrary
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations.video_render import VideoRender
from aiuteur_desktop.core.session import Session
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.styles.visual import VisualStyles
from aiuteur_desktop.providers import embedders
from aiuteur_desktop.providers.connections import SECRET_NAMES
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.style_jobs import written_styles
from aiuteur_desktop.views.assets.library_page import AssetLibraryPage
from aiuteur_desktop.views.dashboard import DashboardPage
from aiuteur_desktop.views.jobs.agent_spending import AgentSpendWatcher
from aiuteur_desktop.views.jobs.background import finish_writes, run_in_background
from aiuteur_desktop.views.jobs.page import JobsIndicator, JobsPage
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.dialogs import AboutDialog, ShortcutsDialog, show_error
from aiuteur_desktop.views.kit.notify import Notifier
from aiuteur_desktop.views.kit.page_stack import PageStack
from aiuteur_desktop.views.pipeline.studio_news import StudioNews
from aiuteur_desktop.views.settings_dialog import SettingsDialog
from aiuteur_desktop.views.styles.visual_page import VisualStylesPage
from aiuteur_desktop.views.styles.written_page import WrittenStylesPage

if TYPE_CHECKING:
    from aiuteur_desktop.views.project_view import ProjectPage

log = logging.getLogger(__name__)

# Sidebar entries: (key, label, icon, tooltip when not yet available or "")
NAV = [
    ("projects", "Projects", "projects", ""),
    ("written", "Written Styles", "written", ""),
    ("visual", "Visual Styles", "visual", ""),
    ("assets", "Asset Library", "assets", ""),
    ("jobs", "Jobs", "jobs", ""),
]
KeyRole = Qt.ItemDataRole.UserRole + 10
#: The smallest window every page fits without clipping a button or a line of text.
MINIMUM_SIZE = (1280, 720)

#: The project page is built this long after the first paint (ms), in steps this far apart:
#: each step (a module imported, the page's frame, a stage editor) takes the event loop for
#: at most ~30 ms on a slow machine.
PREBUILD_AFTER_MS = 1500
PREBUILD_STEP_MS = 10
#: What the project page imports, one step each (a stage's page with what it alone needs).
PREBUILT = [
    "aiuteur_desktop.views.stage_frame",
    *(f"aiuteur_desktop.views.story.stage{n}" for n in (1, 2, 3, 4)),
    "aiuteur_desktop.views.assets.stage5",
    *(f"aiuteur_desktop.views.production.stage{n}" for n in range(6, 13)),
    "aiuteur_desktop.views.project_dialogs",
    "aiuteur_desktop.views.project_view",
]


class MainWindow(QMainWindow):
    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.project: Project | None = None
        #: The open project, its timeline and scene, observed by every page.
        self.session = Session()
        self.setWindowTitle("Aiuteur")
        self.setWindowIcon(theme.icon("aiuteur"))
        self.resize(1360, 840)
        self.setMinimumSize(*MINIMUM_SIZE)

        # ---- sidebar
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(216)
        brand = QLabel()
        brand.setObjectName("brand")
        brand.setText(
            f'<img src="{theme.icon_file("aiuteur")}" width="26" height="26" '
            'style="vertical-align: middle"> &nbsp;Aiuteur'
        )
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        for key, label, icon_name, unavailable in NAV:
            item = QListWidgetItem(theme.icon(icon_name), label)
            item.setData(KeyRole, key)
            if unavailable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(unavailable)
            self.nav.addItem(item)
        self.project_item: QListWidgetItem | None = None
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.settings_button = QPushButton(theme.icon("settings"), "Settings")
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setToolTip("Providers, API keys, models, budget (Ctrl+,)")
        self.settings_button.clicked.connect(self.open_settings)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(10, 14, 10, 12)
        side.addWidget(brand)
        side.addWidget(self.nav, 1)
        self.job_runner = JobRunner(
            library.jobs, self, budget=lambda: library.load_settings().budget
        )
        self.jobs_indicator = JobsIndicator(self.job_runner)
        self.jobs_indicator.clicked.connect(lambda: self.go_to("jobs"))
        side.addWidget(self.jobs_indicator)
        side.addWidget(self.settings_button)

        # ---- pages
        self.pages = PageStack()
        self.pages.setObjectName("pages")
        self.dashboard = DashboardPage(library)
        self.dashboard.openRequested.connect(self.open_project)
        self.dashboard.projectCreated.connect(self._show_project)
        self.visual_styles = VisualStyles(library.home)
        self.asset_library = AssetLibrary(library.home)
        # The project page (seven stage editors) is built after the first paint or on
        # first use, whichever comes first: the dashboard does not wait for it.
        self._project_page: ProjectPage | None = None
        self._prebuilding = False
        self.jobs_page = JobsPage(self.job_runner)
        self.written_page = WrittenStylesPage(
            written_styles(library.home),
            self.job_runner,
            embedder_choices=lambda: embedders.choices(library.load_settings()),
        )
        self.pages.addWidget(self.dashboard)
        self.pages.addWidget(self.jobs_page)
        self.pages.addWidget(self.written_page)
        self.visual_page = VisualStylesPage(self.visual_styles)
        self.pages.addWidget(self.visual_page)
        self.asset_page = AssetLibraryPage(
            self.asset_library, lambda: [e.path for e in library.projects()]
        )
        self.pages.addWidget(self.asset_page)
        self.session.subscribe(
            lambda e: self.asset_page.refresh() if "assets" in e.changes.library else None
        )

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready", 3000)

        self.notifier = Notifier(self)
        # Other members' commits to a studio project, heard as they land.
        self.studio_news = StudioNews(self.session, self)
        self.studio_news.said.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.notifier.toast.clicked.connect(self._notification_clicked)
        if self.notifier.tray is not None:
            self.notifier.tray.messageClicked.connect(self._notification_clicked)
        self.job_runner.finished.connect(self._job_finished)
        # What AI agents (`aiuteur mcp`) ask to spend waits here for Approve / Decline.
        self.agent_spending = AgentSpendWatcher(library, self)
        self.agent_spending.shown.connect(
            lambda d: self.notifier.toast.show_message(d.approval.summary, 8000)
        )
        self.agent_spending.failed.connect(lambda text: self.notifier.toast.show_message(text))
        self.agent_spending.start()

        self._build_menus()
        self.nav.setCurrentRow(0)
        self.dashboard.refresh()
        self.job_runner.resume()

    @property
    def project_page(self) -> ProjectPage:
        page = self._project_page or self._new_project_page()
        page.finish_building()  # (what the steps after the first paint have not built yet)
        return page

    def _new_project_page(self) -> ProjectPage:
        from aiuteur_desktop.views.project_view import ProjectPage

        page = ProjectPage(
            runner=self.job_runner,
            library=self.library,
            styles=written_styles(self.library.home),
            visual=self.visual_styles,
            asset_library=self.asset_library,
            session=self.session,
            in_steps=True,
        )
        page.openSettings.connect(self.open_settings)
        page.statusMessage.connect(lambda m: self.statusBar().showMessage(m, 6000))
        page.branchChanged.connect(lambda _b: self._update_title())
        self.pages.addWidget(page)
        self._project_page = page
        return page

    def _prebuild(self, modules: list[str]) -> None:
        """The project page built while the dashboard is idle, one short step per turn of the
        event loop (a module imported, the page's frame, one stage editor), so that opening a
        project shows it at once and the dashboard never waits for it."""
        if modules:
            importlib.import_module(modules.pop(0))
        elif self._project_page is None:
            self._new_project_page()
        elif not self._project_page.build_next():
            self._project_page.layout().activate()  # (its sizes worked out before it shows)
            return
        QTimer.singleShot(PREBUILD_STEP_MS, self, lambda: self._prebuild(modules))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._prebuilding:
            # Once the first frame is on screen, warm up what the first actions need.
            self._prebuilding = True
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        # The OS keyring is found off the UI thread, not when a page first asks; the SDKs
        # the settings use load a moment later, before the first generation needs them.
        names = list(SECRET_NAMES.values())  # which connections have a key, asked once here
        run_in_background(lambda: secrets.warm_up(names), parent=self, waits=True)  # D-Bus
        # The project page is built in short steps once the window has settled (all at once,
        # it held the event loop for up to a second while the user may be typing already).
        QTimer.singleShot(PREBUILD_AFTER_MS, self, lambda: self._prebuild(list(PREBUILT)))
        library = self.library
        # (with the window as the timer's context: it never fires after the window is gone;
        # the settings are read on the worker too)
        QTimer.singleShot(
            1000,
            self,
            lambda: run_in_background(
                lambda: Registry(library.load_settings()).warm_up(), parent=self
            ),
        )

    # -------------------------------------------------------------------- menus
    def _action(self, text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action("&New Project…", "Ctrl+N", self.dashboard.new_project)
        self.open_action = self._action("&Open Project…", "Ctrl+O", self._open_dialog)
        self.close_action = self._action("&Close Project", "Ctrl+W", self.close_project)
        self.settings_action = self._action("&Settings…", "Ctrl+,", self.open_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        quit_action = self._action("&Quit", "Ctrl+Q", self.close)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.animatic_action = self._action(
            "Render &Animatic && Timeline…",
            "Ctrl+Shift+E",
            lambda: self.project_page.open_animatic(),
        )
        self.pro_export_action = self._action(
            "E&xport for Editing…", "Ctrl+Shift+X", lambda: self.project_page.open_pro_export()
        )
        self.conform_action = self._action(
            "&Conform from Editor…", None, lambda: self.project_page.open_conform()
        )
        self.archive_action = self._action("Export Project &Archive…", None, self._export_archive)
        self.unarchive_action = self._action("&Import Project Archive…", None, self._import_archive)
        for a in (self.new_action, self.open_action, self.close_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        for a in (self.animatic_action, self.pro_export_action, self.conform_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.archive_action)
        file_menu.addAction(self.unarchive_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        go = bar.addMenu("&Go")
        self.go_actions: list[QAction] = []
        for i, (key, label, _icon, unavailable) in enumerate(NAV, start=1):
            a = self._action(label, f"Ctrl+{i}", lambda _=False, k=key: self.go_to(k))
            a.setEnabled(not unavailable)
            go.addAction(a)
            self.go_actions.append(a)
        go.addSeparator()
        self.project_actions: list[QAction] = []
        self.back_to_project = self._action("Current Project", "Ctrl+0", self._show_current_project)
        go.addAction(self.back_to_project)
        self.project_actions.append(self.back_to_project)
        # Alt+1…5: the story stages; Alt+6…9: Script Hub, Shot List, Visuals and Prompts of
        # the scene picked in the Script Hub.
        for n in range(1, 10):
            a = self._action(f"Stage {n}", f"Alt+{n}", lambda _=False, s=n: self._go_stage(s))
            go.addAction(a)
            self.project_actions.append(a)
        self.branch_action = self._action(
            "Create New Branch…", "Ctrl+Shift+B", lambda: self.project_page.create_branch()
        )
        self.history_action = self._action(
            "Version History…", "Ctrl+Shift+H", lambda: self.project_page.open_history()
        )
        self.vault_action = self._action(
            "Artifact Vault…", "Ctrl+Shift+V", lambda: self.project_page.open_vault()
        )
        go.addSeparator()
        for a in (self.branch_action, self.history_action, self.vault_action):
            go.addAction(a)
            self.project_actions.append(a)
        self.project_actions += [
            self.animatic_action,
            self.pro_export_action,
            self.conform_action,
            self.archive_action,
        ]

        help_menu = bar.addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard Shortcuts", "F1", self.show_shortcuts)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        about = self._action("&About Aiuteur", None, lambda: AboutDialog(self).open())
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(about)
        self._sync_project_actions()

    def _sync_project_actions(self) -> None:
        has = self.project is not None
        self.close_action.setEnabled(has)
        for a in self.project_actions:
            a.setEnabled(has)

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.setObjectName("shortcutsDialog")
        dialog.open()

    # --------------------------------------------------------------- navigation
    def _nav_changed(self, current: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        if current is None:
            return
        key = current.data(KeyRole)
        if key == "projects":
            self.dashboard.refresh()
            self.pages.setCurrentWidget(self.dashboard)
        elif key == "project":
            self.pages.setCurrentWidget(self.project_page)
        elif key == "jobs":
            self.pages.setCurrentWidget(self.jobs_page)
        elif key == "written":
            self.written_page.refresh()
            self.pages.setCurrentWidget(self.written_page)
        elif key == "assets":
            self.asset_page.refresh()
            self.pages.setCurrentWidget(self.asset_page)
        elif key == "visual":
            self.visual_page.refresh()
            self.pages.setCurrentWidget(self.visual_page)

    def _job_finished(self, job_id: str) -> None:
        self.notifier.job_finished(self.job_runner.job(job_id))
        if self._project_page is not None:
            self._project_page.refresh_spend()

    def _notification_clicked(self) -> None:
        """Render re-entry: a finished render opens its scene in Stage 12 · Review; any
        other job, the Jobs page."""
        job = self.notifier.last
        p = job.params if job is not None else {}
        scene = p.get("scene")
        same = self.project is not None and str(p.get("bundle")) == str(self.project.path)
        if job is not None and job.kind == VideoRender.kind and scene and same:
            self._show_current_project()
            self.project_page.open_scene(str(scene), 12)
            return
        self.go_to("jobs")

    def go_to(self, key: str) -> None:
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(KeyRole) == key and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.nav.setCurrentRow(row)
                return

    def _go_stage(self, number: int) -> None:
        if self.project is None:
            return
        self._show_current_project()
        self.project_page.show_stage(number)

    def _show_current_project(self) -> None:
        if self.project_item is not None:
            self.nav.setCurrentItem(self.project_item)

    def _update_title(self) -> None:
        if self.project is None:
            self.setWindowTitle("Aiuteur")
        else:
            self.setWindowTitle(f"{self.project.name} — {self.project.current_branch} — Aiuteur")

    # ----------------------------------------------------------------- projects
    def _open_dialog(self) -> None:
        self.go_to("projects")
        self.dashboard.browse_open()

    def open_project(self, bundle: Path) -> None:
        """Open a bundle off the UI thread (it may need a schema migration)."""
        bundle = Path(bundle)
        if bundle.suffix != paths.BUNDLE_SUFFIX and (bundle.parent / "project.db").exists():
            bundle = bundle.parent
        if self.project is not None and self.project.path.resolve() == bundle.resolve():
            self._show_current_project()
            return
        self.statusBar().showMessage(f"Opening {bundle.name}…")

        def failed(exc: BaseException) -> None:
            self.statusBar().clearMessage()
            show_error(self, "Could not open the project", exc)

        run_in_background(lambda: Project.open(bundle), self._show_project, failed, parent=self)

    def _show_project(self, project: Project) -> None:
        self._close_current()
        self.project = project
        operations.share(project)  # finished generations apply through this instance
        self.session.open(project)
        self.studio_news.follow(project)
        self.library.register_project(project.path, project.name)
        if self.project_item is None:
            self.project_item = QListWidgetItem(theme.icon("film"), project.name)
            self.project_item.setData(KeyRole, "project")
            self.nav.insertItem(1, self.project_item)
        self.project_item.setText(project.name)
        self.project_item.setToolTip(f"{project.name}\n{project.path}")
        self.project_page.set_project(project)
        self._sync_project_actions()
        self._update_title()
        self.nav.setCurrentItem(self.project_item)
        self.statusBar().showMessage(f"Opened {project.name}", 4000)
        if not project.checked_in_full:  # a big project's documents are checked now, aside

            def damaged(exc: BaseException) -> None:
                if self.project is project:
                    show_error(self, "This project is damaged", exc)

            run_in_background(project.verify, None, damaged, parent=self, waits=True)

    def _close_current(self) -> None:
        if self._project_page is not None:
            self._project_page.flush()
        finish_writes()  # an approval asked for a moment ago lands in the project it was for
        if self.project is not None:
            self.studio_news.follow(None)
            operations.unshare(self.project)
            self.project.close()
            self.project = None
            self.session.open(None)

    def close_project(self) -> None:
        if self.project is None:
            return
        name = self.project.name
        self._close_current()
        self.project_page.set_project(None)
        if self.project_item is not None:
            self.nav.takeItem(self.nav.row(self.project_item))
            self.project_item = None
        self._sync_project_actions()
        self._update_title()
        self.go_to("projects")
        self.statusBar().showMessage(f"Closed {name}", 4000)

    def _export_archive(self) -> None:
        if self.project is None:
            return
        from aiuteur_desktop.views.export import editor_dialogs

        self.project_page.flush()
        editor_dialogs.export_archive(
            self,
            self.project,
            lambda path: self.statusBar().showMessage(f"Archived to {path}", 6000),
        )

    def _import_archive(self) -> None:
        from aiuteur_desktop.views.export import editor_dialogs

        def imported(done: Any) -> None:
            note = " (under a new folder name: a project of that name exists)"
            self.statusBar().showMessage(
                f"Imported “{done.name}”{note if done.renamed else ''}.", 8000
            )
            self.dashboard.refresh()
            self.open_project(done.bundle)

        editor_dialogs.import_archive(self, self.library.projects_dir(), imported)

    # ----------------------------------------------------------------- settings
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.library, self)
        dialog.finished.connect(
            lambda r: self.statusBar().showMessage("Settings saved", 3000) if r else None
        )
        dialog.open()
        self.settings_dialog = dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        self.job_runner.shutdown()
        self._close_current()
        super().closeEvent(event)
