"""What an AI agent asks to spend, put before the person who pays (issue "Every stage from the
command line, and an MCP server"): `aiuteur mcp` leaves a priced plan in the library and
sends nothing; here it appears as a notice with the plan, and Approve / Decline decide it.
The agent's next call runs an approved plan once (`core/money/approvals.py`)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money.approvals import Approval
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.text_table import TextTable

#: How often the library is asked for new requests (off the UI thread).
POLL_MS = 1500


def _price(value: float | None) -> str:
    return "price unknown" if value is None else f"${value:,.2f}"


class AgentSpendDialog(QDialog):
    """One request: who asks, for what, line by line, and the caps' room; Approve spends."""

    decided = Signal(str, bool)  # approval id, approved

    def __init__(self, approval: Approval, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.approval = approval
        self.setObjectName("agentSpendDialog")
        self.setWindowTitle("An AI agent asks to spend")
        self.setMinimumSize(460, 300)
        plan = approval.plan
        head = QLabel(f"<b>{approval.summary}</b>")
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.RichText)
        when = time.strftime("%H:%M", time.localtime(approval.created_at))
        where = QLabel(f"Project {_stem(approval.project)} · asked at {when}")
        where.setWordWrap(True)
        where.setProperty("muted", True)
        self.lines = TextTable(["What", "Price"], stretch=0)
        self.lines.set_rows(
            [
                [str(x.get("shot") or x.get("what") or ""), _price(x.get("price"))]
                for x in plan.get("lines") or ()
            ]
        )
        room = plan.get("caps_room")
        total = f"Total {_price(approval.total)}" + (
            "" if room is None else f" · the caps leave ${room:,.2f}"
        )
        self.total = QLabel(total)
        note = QLabel(
            "Nothing has been sent. If you approve, the agent may run exactly this plan, once; "
            "the budget caps still hold."
        )
        note.setWordWrap(True)
        note.setProperty("muted", True)
        buttons = QDialogButtonBox()
        self.approve_button = QPushButton(f"Approve {_price(approval.total)}")
        self.decline_button = QPushButton("Decline")
        buttons.addButton(self.decline_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.AcceptRole)
        # Enter never spends by accident: Decline is the default, and Approve never becomes it.
        self.approve_button.setAutoDefault(False)
        self.decline_button.setDefault(True)
        if approval.total is None:  # an unknown price is never approved as if it were $0
            self.approve_button.setEnabled(False)
            self.approve_button.setToolTip("Set a price for the model in Settings first.")
        self.approve_button.clicked.connect(lambda: self._decide(True))
        self.decline_button.clicked.connect(lambda: self._decide(False))
        box = QVBoxLayout(self)
        for w in (head, where, self.lines, self.total, note, buttons):
            box.addWidget(w, 1 if w is self.lines else 0)
        self.decline_button.setFocus()

    def _decide(self, approve: bool) -> None:
        self.decided.emit(self.approval.id, approve)
        self.done(QDialog.DialogCode.Accepted if approve else QDialog.DialogCode.Rejected)


def _stem(path: str) -> str:
    from pathlib import PurePath

    return PurePath(path).stem


class AgentSpendWatcher(QObject):
    """Looks in the library for agents' requests and shows each new one once."""

    shown = Signal(object)  # the AgentSpendDialog
    failed = Signal(str)

    def __init__(self, library: Library, window: QWidget) -> None:
        super().__init__(window)
        self.library = library
        self.window = window
        self.seen: set[str] = set()
        self.dialogs: dict[str, AgentSpendDialog] = {}
        self._asking = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.look)

    def start(self) -> None:
        self.timer.start()

    def look(self) -> None:
        if self._asking:
            return
        self._asking = True
        run_in_background(self.library.approvals.pending, self._found, self._not_read, parent=self)

    def _not_read(self, _exc: BaseException) -> None:
        self._asking = False

    def _found(self, pending: list[Approval]) -> None:
        self._asking = False
        for a in pending:
            if a.id in self.seen:
                continue
            self.seen.add(a.id)
            dialog = AgentSpendDialog(a, self.window)
            dialog.decided.connect(self.decide)
            dialog.finished.connect(lambda _r, i=a.id: self.dialogs.pop(i, None))
            self.dialogs[a.id] = dialog
            dialog.show()
            dialog.raise_()
            self.shown.emit(dialog)

    def decide(self, approval_id: str, approve: bool) -> None:
        try:
            self.library.approvals.decide(approval_id, approve)
        except AiuteurError as exc:  # the agent gave up, or another window decided
            self.failed.emit(exc.user_message)
