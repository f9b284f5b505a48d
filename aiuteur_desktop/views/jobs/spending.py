"""Money in the UI: the question before a paid job, the AI-text gate, the project's spend."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.jobs import JobStore
from aiuteur_desktop.core.money import ledger, spend
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.connections import text_ready
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.dialogs import confirm


def confirm_spend(
    parent: QWidget,
    what: str,
    estimate: float,
    source: str,
    settings: AppSettings,
    jobs: JobStore,
    on_yes: Callable[[], None],
) -> QMessageBox:
    """Ask before a paid job, showing the estimate and what is left of the budget."""
    text = spend.spend_question(what, estimate, source, spend.Money.of(jobs, settings.budget, None))
    return confirm(
        parent,
        "spendQuestion",
        QMessageBox.Icon.Question,
        "Confirm cost",
        text,
        f"Spend ${estimate:,.2f}",
        QMessageBox.ButtonRole.AcceptRole,
        on_yes,
    )


class AiTextGate(QFrame):
    """Shown in place of AI text actions when no language model is connected."""

    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setProperty("muted", True)
        self.button = QPushButton("Open Settings")
        self.button.clicked.connect(self.settingsRequested.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)

    def refresh(self, settings: AppSettings) -> bool:
        """Show the explanation when AI text cannot run; returns whether it can."""
        ready, why = text_ready(settings)
        self.label.setText(why)
        self.setVisible(not ready)
        return ready


def spend_summary(project: Project) -> tuple[str, str]:
    """("$3.21 spent", tooltip by stage and provider) for the project header; ("", "") if none."""
    total = ledger.total(project)
    if total <= 0:
        return "", ""
    lines = ["Spent on this project:"]
    for stage, amount in ledger.by(project, "stage").items():
        lines.append(f"  Stage {stage}: ${amount:,.2f}" if stage else f"  Other: ${amount:,.2f}")
    lines.append("By provider:")
    lines += [f"  {p}: ${a:,.2f}" for p, a in ledger.by(project, "provider").items()]
    return f"${total:,.2f} spent", "\n".join(lines)


class SpendLabel(QLabel):
    """The project header's "$x spent", its breakdown on hover: summed on a worker, once for
    a burst of finished jobs (the ledger's query took 20–50 ms of the window while frames
    landed). (A crash in OTIO was once blamed on summing on a worker; its cause was OTIO
    loaded on a pool thread — `core/export/otio_lib.py`.)"""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("spendLabel")
        self.setProperty("muted", True)
        self.project: Project | None = None
        self._due = QTimer(self, singleShot=True, interval=150, timeout=self._sum)
        self._generation = 0  # a sum asked for later wins over one still running

    def refresh(self, project: Project | None) -> None:
        """Show `project`'s spend (soon: once for a burst of calls)."""
        if project is not self.project:
            self.project = project
            self.clear()
            self.hide()
        if project is not None:
            self._due.start()

    def _sum(self) -> None:
        project = self.project
        if project is None:
            return
        self._generation += 1
        generation = self._generation

        def show(summary: tuple[str, str]) -> None:
            if generation == self._generation and project is self.project:
                self.setText(summary[0])
                self.setToolTip(summary[1])
                self.setVisible(bool(summary[0]))

        run_in_background(lambda: spend_summary(project), show, parent=self)
