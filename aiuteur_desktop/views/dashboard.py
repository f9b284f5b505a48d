"""Projects dashboard: the landing page with a card per project (PRD §5.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QFont, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.pipeline.summary import ProjectSummary, read_summary
from aiuteur_desktop.core.store.project import LINK_NAME
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import theme, timefmt
from aiuteur_desktop.views.kit.dialogs import NewProjectDialog, confirm, show_error

SummaryRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
ModelIndex = QModelIndex | QPersistentModelIndex


class ProjectCardsModel(QAbstractListModel):
    """One row per registered project; summaries arrive from a background read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ProjectSummary] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole:
            shared = f"\nA studio project on {row.shared_on}" if row.shared_on else ""
            return str(row.path) + shared + (f"\n{row.error}" if row.error else "")
        if role == SummaryRole:
            return row
        if role == PathRole:
            return row.path
        return None

    def set_rows(self, rows: list[ProjectSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_for(self, path: Path) -> int:
        for i, r in enumerate(self._rows):
            if r.path == path:
                return i
        return -1


#: What a studio project's card says of it (its tooltip names the server).
STUDIO_MARK = "Studio"


class ProjectCardDelegate(QStyledItemDelegate):
    """Paints a project card: name, branch, stage progress meter, last modified."""

    CARD = QSize(272, 150)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return self.CARD + QSize(16, 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        summary: ProjectSummary = index.data(SummaryRole)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect.topLeft() + QRect(8, 8, 0, 0).topLeft(), self.CARD)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        border = theme.ACCENT if selected else (QColor("#4a4e57") if hover else theme.BORDER)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(theme.RAISED if hover or selected else theme.PANEL)
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 10, 10)

        inner = rect.adjusted(16, 14, -16, -14)
        title_font = QFont(option.font)
        title_font.setPointSizeF(option.font.pointSizeF() * 1.3)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(theme.TEXT)
        fm = painter.fontMetrics()
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(summary.name, Qt.TextElideMode.ElideRight, inner.width()),
        )
        y = inner.top() + fm.height() + 8
        painter.setFont(option.font)
        fm = painter.fontMetrics()

        if summary.error:
            painter.setPen(theme.DANGER)
            painter.drawText(
                QRect(inner.left(), y, inner.width(), inner.bottom() - y),
                Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop,
                summary.error,
            )
            painter.restore()
            return

        # A studio project's mark, at the right of the branch chip's row
        room = inner.width()
        if summary.shared_on:
            mark_w = fm.horizontalAdvance(STUDIO_MARK) + 18
            mark = QRect(inner.right() - mark_w + 1, y, mark_w, fm.height() + 6)
            painter.setPen(QPen(theme.ACCENT, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(mark, mark.height() / 2, mark.height() / 2)
            painter.setPen(theme.TEXT)
            painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, STUDIO_MARK)
            room -= mark_w + 8
        # Branch chip
        chip_text = summary.branch or "—"
        icon_w = fm.height()
        chip_w = min(fm.horizontalAdvance(chip_text) + icon_w + 26, room)
        chip = QRect(inner.left(), y, chip_w, fm.height() + 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2c3a5c"))
        painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
        theme.icon("branch").paint(
            painter, QRect(chip.left() + 6, chip.top() + 3, fm.height(), fm.height())
        )
        painter.setPen(QColor("#cfdcff"))
        text_rect = chip.adjusted(icon_w + 12, 0, -10, 0)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(chip_text, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        y = chip.bottom() + 14

        if not summary.stages_total:  # still being read in the background
            painter.setPen(theme.MUTED)
            painter.drawText(
                QRect(inner.left(), y, inner.width(), fm.height()),
                Qt.AlignmentFlag.AlignLeft,
                "Reading the project…",
            )
            painter.restore()
            return

        # Progress meter: one segment per story stage
        total = max(1, summary.stages_total - summary.stages_skipped)
        gap = 4
        painter.setPen(Qt.PenStyle.NoPen)
        seg_w = (inner.width() - gap * (total - 1)) / total
        for i in range(total):
            seg = QRect(int(inner.left() + i * (seg_w + gap)), y, int(seg_w), 6)
            painter.setBrush(theme.LOCKED if i < summary.stages_locked else QColor("#3a3d44"))
            painter.drawRoundedRect(seg, 3, 3)
        y += 14
        painter.setPen(theme.MUTED)
        painter.drawText(
            QRect(inner.left(), y, inner.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft,
            f"{summary.stages_locked} of {total} story stages locked"
            + (" · screenplay imported" if summary.stages_skipped else ""),
        )
        painter.drawText(
            QRect(inner.left(), inner.bottom() - fm.height(), inner.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft,
            fm.elidedText(
                f"Modified {timefmt.relative(summary.modified)}",
                Qt.TextElideMode.ElideRight,
                inner.width(),
            ),
        )
        painter.restore()


class DashboardPage(QWidget):
    """The landing page. Emits `openRequested(path)` when the user opens a project."""

    openRequested = Signal(Path)
    projectCreated = Signal(object)  # an open core Project

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._library = library
        self._showing_removed = False
        self._generation = 0

        self.title = QLabel("Projects")
        self.title.setObjectName("pageTitle")
        self.new_button = QPushButton(theme.icon("plus"), "New Project")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("Create a project (Ctrl+N)")
        self.new_button.clicked.connect(self.new_project)
        self.open_button = QPushButton(theme.icon("open"), "Open…")
        self.open_button.setToolTip("Open a project folder (.aiuteur) from disk (Ctrl+O)")
        self.open_button.clicked.connect(self.browse_open)
        self.removed_button = QPushButton(theme.icon("trash"), "Removed")
        self.removed_button.setCheckable(True)
        self.removed_button.setToolTip(
            "Projects removed from the dashboard: restore or delete them"
        )
        self.removed_button.toggled.connect(self._toggle_removed)

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.removed_button)
        header.addWidget(self.open_button)
        header.addWidget(self.new_button)

        self.subtitle = QLabel()
        self.subtitle.setProperty("muted", True)

        self.model = ProjectCardsModel(self)
        self.view = QListView()
        self.view.setObjectName("projectCards")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ProjectCardDelegate(self.view))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(0)
        self.view.setMouseTracking(True)
        self.view.setStyleSheet("QListView { background: transparent; border: none; }")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._activated)

        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_title = QLabel("No projects yet")
        self.empty_title.setObjectName("emptyTitle")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_body = QLabel(
            "Start a project to turn a story into a film: bring a treatment, a novel or a "
            "screenplay, or write from scratch."
        )
        self.empty_body.setWordWrap(True)
        self.empty_body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_body.setProperty("muted", True)
        self.empty_button = QPushButton(theme.icon("plus"), "Create your first project")
        self.empty_button.setObjectName("primary")
        self.empty_button.clicked.connect(self.new_project)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_button)
        row.addStretch(1)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.empty_body)
        empty_layout.addSpacing(8)
        empty_layout.addLayout(row)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 16)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addWidget(self.stack, 1)

        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete.activated.connect(self._remove_selected)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Reload the registry now; card details are read in the background."""
        self._library.discover()
        entries = self._library.projects(removed=self._showing_removed)
        placeholder = [
            # stages_total 0: not read yet — the card says so rather than a made-up "0 of 5"
            ProjectSummary(e.path, e.name, "…", 0, 0, e.last_opened or e.added_at)
            for e in entries
        ]
        self.model.set_rows(placeholder)
        self._update_chrome(len(entries))
        # "Removed" only once something has been removed (or while showing them).
        removed = [e.path for e in self._library.projects(removed=True)]
        self.removed_button.setVisible(self._showing_removed or bool(removed))
        self._generation += 1
        generation = self._generation
        bundles = [e.path for e in entries]
        studio = self._library.load_settings().studio
        server = studio.server if not self._showing_removed else ""

        def load() -> list[ProjectSummary]:
            out = self._read(bundles)
            if server:  # the studio's projects beside this machine's, marked
                known = {b.resolve() for b in [*bundles, *removed]}
                out += [read_summary(link) for link in _studio_links(studio)
                        if link.resolve() not in known]  # fmt: skip
            return out

        def loaded(rows: list[ProjectSummary]) -> None:
            if generation == self._generation:
                for row in rows:
                    if row.shared_on and row.path not in bundles and not row.error:
                        self._library.register_project(row.path, row.name, opened=False)
                self.model.set_rows(rows)
                self._update_chrome(len(rows))

        run_in_background(load, loaded, parent=self, waits=bool(server))

    @staticmethod
    def _read(bundles: list[Path]) -> list[ProjectSummary]:
        """Each listed project's card, read from its folder (or why it cannot be)."""
        gone = "Folder not found: it was moved, renamed or is on a drive that is not connected."
        return [
            read_summary(b) if b.exists() else ProjectSummary(b, b.stem, "", 0, 5, 0.0, gone)
            for b in bundles
        ]

    def _update_chrome(self, count: int) -> None:
        if self._showing_removed:
            self.title.setText("Removed Projects")
            self.subtitle.setText(
                "Removed projects are still on disk. Restore one to bring it back, or delete "
                "it permanently."
                if count
                else ""
            )
            self.empty_title.setText("Nothing removed")
            self.empty_body.setText("Projects you remove from the dashboard wait here.")
            self.empty_button.hide()
        else:
            self.title.setText("Projects")
            self.subtitle.setText(
                f"{count} project{'s' if count != 1 else ''} · double-click to open"
                if count
                else ""
            )
            self.empty_title.setText("No projects yet")
            self.empty_body.setText(
                "Start a project to turn a story into a film: bring a treatment, a novel or a "
                "screenplay, or write from scratch."
            )
            self.empty_button.show()
        self.new_button.setVisible(not self._showing_removed)
        self.open_button.setVisible(not self._showing_removed)
        self.stack.setCurrentWidget(self.view if count else self.empty)

    def _toggle_removed(self, on: bool) -> None:
        self._showing_removed = on
        self.refresh()

    # ------------------------------------------------------------------ actions
    def new_project(self) -> None:
        dialog = NewProjectDialog(self._library.projects_dir(), self)
        dialog.setObjectName("newProjectDialog")

        def done(result: int) -> None:
            if result and dialog.project is not None:
                project = dialog.project
                self._library.register_project(project.path, project.name)
                self.refresh()
                self.projectCreated.emit(project)

        dialog.finished.connect(done)
        dialog.open()

    def browse_open(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self,
            "Open an Aiuteur project (a folder ending in .aiuteur)",
            str(self._library.projects_dir()),
        )
        if chosen:
            self.openRequested.emit(Path(chosen))

    def _activated(self, index: QModelIndex) -> None:
        path = index.data(PathRole)
        if self._showing_removed:
            self._restore(path)
        else:
            self.openRequested.emit(path)

    def _selected_path(self) -> Path | None:
        index = self.view.currentIndex()
        return index.data(PathRole) if index.isValid() else None

    def _context_menu(self, pos: Any) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        path: Path = index.data(PathRole)
        menu = QMenu(self)
        if self._showing_removed:
            menu.addAction("Restore to Dashboard", lambda: self._restore(path))
            menu.addAction("Delete Permanently…", lambda: self._delete_permanently(path))
        else:
            menu.addAction("Open", lambda: self.openRequested.emit(path))
            menu.addAction(
                "Show in File Manager",
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))),
            )
            menu.addSeparator()
            menu.addAction("Remove from Dashboard…", lambda: self.remove_project(path))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _remove_selected(self) -> None:
        path = self._selected_path()
        if path is None:
            return
        if self._showing_removed:
            self._delete_permanently(path)
        else:
            self.remove_project(path)

    def remove_project(self, path: Path) -> None:
        """Ask, then move the project to the Removed area (its files stay on disk)."""

        def remove() -> None:
            self._library.remove_project(path)
            self.refresh()

        confirm(
            self,
            "confirmRemove",
            QMessageBox.Icon.Question,
            "Remove Project",
            f"Remove “{path.stem}” from the dashboard?\n\nIts folder stays on disk at\n{path}\n"
            "and you can restore it any time from Removed.",
            "Remove",
            QMessageBox.ButtonRole.AcceptRole,
            remove,
        )

    def _restore(self, path: Path) -> None:
        self._library.restore_project(path)
        self.refresh()

    def _delete_permanently(self, path: Path) -> None:
        def delete() -> None:
            run_in_background(
                lambda: self._library.delete_project_files(path),
                lambda _r: self.refresh(),
                lambda exc: (show_error(self, "Could not delete the project", exc), self.refresh()),
                parent=self,
            )

        confirm(
            self,
            "confirmDelete",
            QMessageBox.Icon.Warning,
            "Delete Project Permanently",
            f"Delete “{path.stem}” and every file in\n{path}?\n\n"
            "All its Story Timelines, versions and media are erased. This cannot be undone.",
            "Delete Permanently",
            QMessageBox.ButtonRole.DestructiveRole,
            delete,
        )

    def select(self, path: Path) -> None:
        row = self.model.row_for(path)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))


def _studio_links(settings: Any) -> list[Path]:
    """This machine's folders of the studio server's projects (none when it does not
    answer: the dashboard shows this machine's projects all the same)."""
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.store import studio

    try:
        return studio.join_all(
            settings.server, author=settings.user or None, endpoint=settings.s3_endpoint
        )
    except AiuteurError:
        return []


def is_bundle(path: Path) -> bool:
    """A project's folder: a bundle, or this machine's folder of a studio project."""
    return path.suffix == paths.BUNDLE_SUFFIX and (
        (path / "project.db").is_file() or (path / LINK_NAME).is_file()
    )
