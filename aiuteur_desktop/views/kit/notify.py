"""Telling the user a job ended: an in-app toast, and a desktop notification for long jobs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QWidget

from aiuteur_desktop.core.jobs import Job, JobState
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.throttle import Throttle

#: Jobs that ran longer than this also raise a desktop notification.
LONG_JOB_SECONDS = 30.0
#: Jobs ending within this of the toast's last word are said together when it has passed.
BURST_MS = 1000


class Toast(QFrame):
    """A small message in the window's bottom-right corner that goes away by itself."""

    clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setStyleSheet(
            "QFrame#toast { background: #2d3036; border: 1px solid #4a4e57; border-radius: 8px; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(360)
        self.action = QPushButton("Show")
        self.action.clicked.connect(self._clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.addWidget(self.label, 1)
        row.addWidget(self.action)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, ms: int = 5000, *, danger: bool = False) -> None:
        colour = theme.DANGER.name() if danger else theme.TEXT.name()
        self.label.setText(f'<span style="color:{colour}">{text}</span>')
        # Short messages on one line; long ones wrap at 360 px.
        self.label.setMinimumWidth(min(360, self.label.fontMetrics().horizontalAdvance(text) + 8))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(ms)

    def _clicked(self) -> None:
        self.hide()
        self.clicked.emit()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(parent.rect().bottomRight() - QPoint(self.width() + 16, self.height() + 36))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


def job_message(job: Job) -> tuple[str, bool]:
    """What to say when a job ends, and whether it is bad news."""
    if job.state is JobState.SUCCEEDED:
        cost = "" if job.cost == 0 else f" (${job.cost:,.2f})"
        return f"Done: {job.title}{cost}", False
    if job.state is JobState.CANCELLED:
        return f"Cancelled: {job.title}", False
    return f"Failed: {job.title} — {job.error or 'see the Jobs page'}", True


class Notifier(QObject):
    """A toast when jobs finish (one for a burst of them); a tray notification too when one
    took long or the window is not in front."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.toast = Toast(window)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(theme.icon("aiuteur"), self)
            self.tray.setToolTip("Aiuteur")
            self.tray.show()
        self.desktop_messages: list[str] = []  # what was sent to the desktop (tests read it)
        self.last: Job | None = None  # the job the toast and the tray message speak of
        self._burst: list[Job] = []  # finished since the toast last spoke
        self._say_soon = Throttle(BURST_MS, self._say, self)

    def job_finished(self, job: Job) -> None:
        """The toast says so at once; jobs ending close behind it (a scene's frames landing)
        are said together a moment later, in one toast, not one each."""
        self.last = job
        self._burst.append(job)
        self._say_soon()
        took = (job.finished_at or 0) - (job.started_at or job.finished_at or 0)
        if took >= LONG_JOB_SECONDS or not self.window.isActiveWindow():
            text, bad = job_message(job)
            self.desktop_messages.append(text)
            if self.tray is not None:
                icon = (
                    QSystemTrayIcon.MessageIcon.Warning
                    if bad
                    else QSystemTrayIcon.MessageIcon.Information
                )
                self.tray.showMessage("Aiuteur", text, icon, 6000)

    def _say(self) -> None:
        jobs, self._burst = self._burst, []
        if len(jobs) == 1:
            text, bad = job_message(jobs[0])
        else:
            failed = [j for j in jobs if j.state is JobState.FAILED]
            bad = bool(failed)
            text = (
                f"{len(failed)} of {len(jobs)} jobs failed — see the Jobs page"
                if failed
                else f"Done: {len(jobs)} jobs, the last {jobs[-1].title}"
            )
        self.toast.show_message(text, 8000 if bad else 5000, danger=bad)
