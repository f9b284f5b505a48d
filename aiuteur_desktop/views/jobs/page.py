"""The Jobs page (global sidebar) and the sidebar's progress indicator."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.jobs import Job, JobState
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit import theme, timefmt
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.throttle import Throttle

JobRole = Qt.ItemDataRole.UserRole + 1
ProgressRole = Qt.ItemDataRole.UserRole + 2
DetailRole = Qt.ItemDataRole.UserRole + 3  # a running job's place: "37 of 1,537 · 4:12 left"
#: The sidebar's jobs line is redrawn at most this often through a burst of changes.
REFRESH_MS = 100
STATE_WORDS = {
    JobState.QUEUED: "Queued",
    JobState.RUNNING: "Running",
    JobState.SUCCEEDED: "Done",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
    JobState.DECIDE: "Needs your decision",
}
_Index = QModelIndex | QPersistentModelIndex


def may_be_charged(job: Job) -> bool:
    """A paid job that ended without its result while the provider may have (and bill) it:
    undecided, or failed/cancelled after the provider named it (a handle)."""
    if job.estimate <= 0:
        return False
    if job.state is JobState.DECIDE:
        return True
    return job.state in (JobState.FAILED, JobState.CANCELLED) and job.handle is not None


def cost_text(job: Job) -> str:
    if job.state is JobState.SUCCEEDED:
        return "free" if job.cost == 0 else f"charged ${job.cost:,.2f}"
    if may_be_charged(job):
        return f"possibly charged ${job.estimate:,.2f}"
    return "free" if job.estimate == 0 else f"est. ${job.estimate:,.2f}"


class JobListModel(QAbstractListModel):
    """Every job, newest first; rows update in place as the runner reports."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.jobs: list[Job] = []
        runner.changed.connect(self.refresh_job)
        runner.progressed.connect(self._progressed)
        runner.reloaded.connect(self.reload)
        runner.refused.connect(lambda job_id, _why: self._drop(job_id))
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.jobs = self.runner.recent(limit=500)
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        """Each job's serial, newest highest: its row is `_top - serial` (a batch of three
        hundred jobs looked its rows up by a scan, per update)."""
        self._top = len(self.jobs) - 1
        self._serial = {j.id: self._top - i for i, j in enumerate(self.jobs)}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.jobs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        if role == JobRole:
            return job
        if role == ProgressRole:
            return self.runner.progress.get(job.id, job.progress)
        if role == DetailRole:
            return self.runner.describe(job) if job.state is JobState.RUNNING else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return job.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return job.error or f"{job.title} — {STATE_WORDS[job.state]}"
        return None

    def row_of(self, job_id: str) -> int:
        serial = self._serial.get(job_id)
        return -1 if serial is None else self._top - serial

    def refresh_job(self, job_id: str) -> None:
        job = self.runner.job(job_id)
        row = self.row_of(job_id)
        if row < 0:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self.jobs.insert(0, job)
            self._top += 1
            self._serial[job_id] = self._top
            self.endInsertRows()
        else:
            self.jobs[row] = job
            self.dataChanged.emit(self.index(row), self.index(row))

    def _drop(self, job_id: str) -> None:
        """A submission that was refused: it never was a job."""
        row = self.row_of(job_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.jobs[row]
            self._reindex()
            self.endRemoveRows()

    def _progressed(self, job_id: str, _fraction: float) -> None:
        row = self.row_of(job_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row), [ProgressRole])


class JobDelegate(QStyledItemDelegate):
    """Title, state line, progress bar and any error, drawn in one row."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        job = index.data(JobRole)
        return QSize(400, 78 if job is not None and job.error else 58)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        job: Job = index.data(JobRole)
        progress: float = index.data(ProgressRole) or 0.0
        r = QRectF(option.rect).adjusted(8, 4, -8, -4)  # type: ignore[attr-defined]
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = option.state & QStyle.StateFlag.State_Selected  # type: ignore[attr-defined]
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2c3a5c") if selected else theme.PANEL)
        p.drawRoundedRect(r, 6, 6)
        bold = QFont(option.font)  # type: ignore[attr-defined]
        bold.setWeight(QFont.Weight.DemiBold)
        bar_w = 180.0
        text_w = r.width() - bar_w - 36
        p.setFont(bold)
        p.setPen(theme.TEXT)
        title = QFontMetrics(bold).elidedText(job.title, Qt.TextElideMode.ElideRight, int(text_w))
        p.drawText(
            QRectF(r.left() + 12, r.top() + 6, text_w, 20), Qt.AlignmentFlag.AlignVCenter, title
        )
        p.setFont(option.font)  # type: ignore[attr-defined]
        p.setPen(theme.MUTED)
        when = timefmt.relative(job.finished_at or job.started_at or job.created_at)
        detail = index.data(DetailRole)
        line = (
            f"{job.provider} · {detail} · {cost_text(job)}"
            if detail
            else f"{job.provider} · {STATE_WORDS[job.state]} · {when} · {cost_text(job)}"
        )
        line = QFontMetrics(option.font).elidedText(  # type: ignore[attr-defined]
            line, Qt.TextElideMode.ElideRight, int(text_w)
        )
        p.drawText(
            QRectF(r.left() + 12, r.top() + 27, text_w, 18), Qt.AlignmentFlag.AlignVCenter, line
        )
        if job.error:
            p.setPen(theme.DANGER if job.state is JobState.FAILED else theme.FLAG)  # (decide: flag)
            err = QFontMetrics(option.font).elidedText(  # type: ignore[attr-defined]
                job.error, Qt.TextElideMode.ElideRight, int(r.width() - 24)
            )
            p.drawText(
                QRectF(r.left() + 12, r.top() + 47, r.width() - 24, 18),
                Qt.AlignmentFlag.AlignVCenter,
                err,
            )
        bar = QRectF(r.right() - bar_w - 12, r.top() + 14, bar_w, 10)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(theme.RAISED)
        p.drawRoundedRect(bar, 5, 5)
        colour = {
            JobState.SUCCEEDED: theme.LOCKED,
            JobState.FAILED: theme.DANGER,
            JobState.CANCELLED: theme.UNSTARTED,
        }.get(job.state, theme.ACCENT)
        fraction = 1.0 if job.state in (JobState.SUCCEEDED, JobState.FAILED) else progress
        if fraction > 0:
            p.setBrush(colour)
            p.drawRoundedRect(
                QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height()), 5, 5
            )
        p.setPen(theme.MUTED)
        pct = (
            f"{round(progress * 100)} %"
            if job.state is JobState.RUNNING
            else STATE_WORDS[job.state]
        )
        p.drawText(
            QRectF(bar.left(), bar.bottom() + 4, bar.width(), 16), Qt.AlignmentFlag.AlignRight, pct
        )
        p.restore()


class JobsPage(QWidget):
    """Every render and generation: progress, cost, errors, cancel and retry."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        title = QLabel("Jobs")
        title.setObjectName("pageTitle")
        self.summary = QLabel()
        self.summary.setProperty("muted", True)
        self.model = JobListModel(runner, self)
        self.view = QListView()
        self.view.setObjectName("jobList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(JobDelegate(self.view))
        self.view.setSpacing(2)
        self.view.setUniformItemSizes(False)
        self.empty = QLabel(
            "No jobs yet. Renders and generations appear here with their progress and cost, "
            "and keep running while you work elsewhere."
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("muted", True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the selected job (Delete)")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Run the selected job again with the same settings")
        self.check_button = QPushButton("Check Again")
        self.check_button.setToolTip(
            "Ask the provider about the request it may have accepted (no new charge)"
        )
        self.again_button = QPushButton("Render Again…")
        self.again_button.setToolTip("Send the request anew: a new charge, after you confirm it")
        self.notice = QLabel()
        self.notice.setObjectName("statusError")
        self.notice.setWordWrap(True)
        self.notice.hide()
        # The selected job's whole message (its row elides a long one).
        self.detail = QLabel()
        self.detail.setObjectName("jobDetail")
        self.detail.setWordWrap(True)
        self.detail.setProperty("muted", True)
        self.detail.hide()
        self.cancel_button.clicked.connect(self._cancel)
        self.retry_button.clicked.connect(self._retry)
        self.check_button.clicked.connect(self._check)
        self.again_button.clicked.connect(self._again)
        runner.declined.connect(lambda _id, why: self._say(why))
        runner.refused.connect(lambda _id, why: self._say(why))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        layout.addWidget(self.detail)
        layout.addWidget(self.stack, 1)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._sync())
        self.view.selectionModel().currentChanged.connect(lambda *_: self.notice.hide())
        self._stale = False
        runner.changed.connect(lambda _id: self._sync_shown())
        self.model.modelReset.connect(self._sync)
        self.model.rowsInserted.connect(lambda *_: self._sync_shown())
        self._sync()

    def _sync_shown(self) -> None:
        """The summary and buttons follow every job while the page is on screen; hidden,
        they are brought up to date when it shows (a batch of three hundred frames summed
        every job's state per change, on the UI thread, with nobody looking)."""
        if self.isVisible():
            self._sync()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._stale = False
            self._sync()
        super().showEvent(event)

    def selected(self) -> Job | None:
        index = self.view.currentIndex()
        job = index.data(JobRole) if index.isValid() else None
        return self.model.jobs[index.row()] if job is not None else None

    def _sync(self) -> None:
        jobs = self.model.jobs
        self.stack.setCurrentWidget(self.view if jobs else self.empty)
        running = sum(1 for j in jobs if j.state is JobState.RUNNING)
        queued = sum(1 for j in jobs if j.state is JobState.QUEUED)
        failed = sum(1 for j in jobs if j.state is JobState.FAILED)
        spent = sum(j.cost for j in jobs)
        maybe = sum(j.estimate for j in jobs if may_be_charged(j))
        text = f"{running} running · {queued} queued · {failed} failed · ${spent:,.2f} spent"
        if maybe:
            text += f" · ${maybe:,.2f} possibly charged"
        self.summary.setText(text)
        job = self.selected()
        state = job.state if job is not None else None
        has_handle = job is not None and job.handle is not None
        self.cancel_button.setEnabled(state is not None and not state.finished)
        ended = state in (JobState.FAILED, JobState.CANCELLED)
        resumable = ended and has_handle
        self.retry_button.setText("Resume" if resumable else "Retry")
        self.retry_button.setToolTip(
            "Collect the render the provider already has (no new charge)"
            if resumable
            else "Run the selected job again with the same settings"
        )
        # A request that may be charged and cannot be resumed is paid for again only by
        # Render Again's priced question, never by Retry.
        charged = job is not None and may_be_charged(job)
        self.retry_button.setEnabled(ended and (has_handle or not charged))
        self.detail.setText(job.error or "" if job is not None else "")
        self.detail.setVisible(bool(self.detail.text()))
        deciding = state is JobState.DECIDE
        self.check_button.setVisible(deciding)
        self.check_button.setEnabled(deciding and has_handle)
        paid_again = job is not None and job.estimate > 0 and (deciding or ended)
        self.again_button.setVisible(paid_again)
        if job is not None and paid_again:
            self.again_button.setText(f"Render Again (new charge ≈ ${job.estimate:,.2f})…")

    def _cancel(self) -> None:
        job = self.selected()
        if job is not None:
            self.runner.cancel(job.id)

    def _retry(self) -> None:
        job = self.selected()
        if job is not None:
            self.notice.hide()
            self.runner.retry(job.id)

    def _check(self) -> None:
        job = self.selected()
        if job is not None:
            self.notice.hide()
            self.runner.check_again(job.id)

    def _again(self) -> None:
        """Paying again is an explicit, priced decision: asked, with the price, first."""
        job = self.selected()
        if job is None:
            return
        maybe = (
            f" The provider may already be charging ${job.estimate:,.2f} for the earlier "
            "request; that stays counted against your budget."
            if may_be_charged(job)
            else ""
        )
        confirm(
            self,
            "renderAgain",
            QMessageBox.Icon.Warning,
            "Render Again",
            f"Send “{job.title}” to {job.provider} again? This is a new charge of about "
            f"${job.estimate:,.2f}.{maybe}",
            f"Render Again (${job.estimate:,.2f})",
            QMessageBox.ButtonRole.AcceptRole,
            lambda: self.runner.render_again(job.id),
        )

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()


class JobsIndicator(QFrame):
    """The sidebar's persistent "N jobs running" line with overall progress; click to see them."""

    clicked = Signal()

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobsIndicator")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.runner = runner
        self.label = QLabel()
        self.label.setProperty("muted", True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        # A change is shown at once; the rest of a burst (a scene's 56 frames queued or
        # landing) once per REFRESH_MS, not once per job.
        changed = Throttle(REFRESH_MS, lambda: self.refresh(), self)
        runner.changed.connect(lambda _id: changed())
        runner.refused.connect(lambda *_: changed())
        runner.progressTicked.connect(self._update_bar)
        self.refresh()

    def refresh(self) -> None:
        active = self.runner.active()
        self._active = [j.id for j in active]
        running = sum(1 for j in active if j.state is JobState.RUNNING)
        queued = len(active) - running
        self.setVisible(bool(active))
        text = f"{running} job{'s' * (running != 1)} running"
        if queued:
            text += f", {queued} queued"
        self.label.setText(text)
        self.setToolTip("Open the Jobs page")
        self._update_bar()

    def _update_bar(self) -> None:
        ids = getattr(self, "_active", [])
        if ids:
            mean = sum(self.runner.progress.get(i, 0.0) for i in ids) / len(ids)
            self.bar.setValue(round(mean * 1000))

    def mousePressEvent(self, _event: Any) -> None:
        self.clicked.emit()
