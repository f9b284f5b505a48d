"""Windows that run one long job while the app stays usable (the animatic render, Pro
Export): a folder to write into, a slim progress bar, a status line and Cancel; Close hides
the window while its job runs — the job carries on in the Jobs page and the menu command
brings the window back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from aiuteur_desktop.core.jobs import Job
from aiuteur_desktop.core.operations import Operation
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit.dialogs import thin_progress


def movies_folder(name: str) -> Path:
    """`name` in the user's Movies folder (their home when the OS has none)."""
    movies = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
    return Path(movies or Path.home()) / name


class JobDialog(QDialog):
    """The part every such window shares; a subclass lays out `progress`, `status` and
    `cancel_button` and says what a finished job means in `job_done`."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.job_id: str | None = None
        self.setModal(False)  # it runs for minutes: the app stays usable meanwhile
        self.progress = thin_progress()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        runner.progressed.connect(self._progressed)
        runner.finished.connect(self._job_finished)

    def folder_row(self, start: Path, title: str) -> tuple[QLineEdit, QHBoxLayout]:
        """A folder field with Choose…, starting at `start`."""
        field = QLineEdit(str(start))
        choose = QPushButton("Choose…")

        def pick() -> None:
            name = QFileDialog.getExistingDirectory(self, title, field.text())
            if name:
                field.setText(name)

        choose.clicked.connect(pick)
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(choose)
        return field, row

    @property
    def busy(self) -> bool:
        return self.job_id is not None

    def start_job(self, op: Operation, message: str) -> None:
        self.job_id = self.runner.run_operation(op)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText(message)

    def cancel_job(self) -> None:
        if self.job_id is not None:
            self.runner.cancel(self.job_id)
            self.status.setText("Cancelling…")

    def _progressed(self, job_id: str, fraction: float) -> None:
        if job_id == self.job_id:
            self.progress.setValue(round(fraction * 1000))
            self.status.setText(self.runner.describe(self.runner.job(job_id)))

    def _job_finished(self, job_id: str) -> None:
        if job_id != self.job_id:
            return
        self.job_id = None
        self.progress.hide()
        self.cancel_button.hide()
        self.job_done(self.runner.job(job_id))

    def job_done(self, job: Job) -> None:
        """The job ended (succeeded, failed or cancelled): say so."""

    def reject(self) -> None:
        """Close, Esc and the close box hide the window while its job runs, never cancel."""
        if self.busy:
            self.hide()
            return
        super().reject()
