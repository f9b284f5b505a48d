"""What the project page shows in place of a stage: a stage not built yet (StagePage) or a
stage whose gate is closed, with the reason and the way there (GatePage)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.store.stages import Stage

NOT_YET = "not part of this build yet"


class StagePage(QWidget):
    """The work area of one stage. Stage editors replace these as they are built."""

    def __init__(self, stage: Stage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        title = QLabel(f"Stage {stage.number} · {stage.name}")
        title.setObjectName("pageTitle")
        purpose = QLabel(stage.purpose)
        purpose.setProperty("muted", True)
        purpose.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("stageStatus")
        note = QLabel(
            f"The {stage.name} editor is {NOT_YET}. Your project is saved and versioned; "
            "this stage will open here as soon as it is available."
        )
        note.setWordWrap(True)
        note.setProperty("muted", True)
        box = QFrame()
        box.setObjectName("panel")
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(18, 16, 18, 16)
        box_layout.addWidget(note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.addWidget(title)
        layout.addWidget(purpose)
        layout.addSpacing(6)
        layout.addWidget(self.status)
        layout.addSpacing(10)
        layout.addWidget(box)
        layout.addStretch(1)

    def set_locked(self, locked: bool) -> None:
        self.status.setText("Status: Locked" if locked else "Status: Unstarted")


class GatePage(QWidget):
    """Shown instead of a stage whose gate is closed: why, and the way there."""

    goTo = Signal(int)
    #: The button picks this scene, then opens the stage (Phase B before a scene is chosen).
    sceneWanted = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gatePage")
        self.gate: gates.Gate | None = None
        self.wanted = 1
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.reason = QLabel()
        self.reason.setObjectName("gateReason")
        self.reason.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("gateButton")
        self.button.clicked.connect(self._go)
        self.target = 1
        box = QFrame()
        box.setObjectName("panel")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(18, 16, 18, 16)
        lay.addWidget(self.reason)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 22)
        outer.addWidget(self.title)
        outer.addSpacing(8)
        outer.addWidget(box)
        outer.addStretch(1)

    def show_gate(self, stage: Stage, gate: gates.Gate, wanted: int) -> None:
        """`gate` closes `stage`; `wanted` is the stage the user asked for."""
        self.gate, self.wanted = gate, wanted
        state = "skipped" if gate.skipped else "not open yet"
        self.title.setText(
            f"Stage {stage.number} · {stage.name}"
            if gate.scene
            else f"Stage {stage.number} · {stage.name} — {state}"
        )
        self.reason.setText(gate.reason)
        self.target = gate.target
        self.button.setText(gate.button_text)

    def _go(self) -> None:
        if self.gate is not None and self.gate.scene:
            self.sceneWanted.emit(self.gate.scene, self.wanted)
        else:
            self.goTo.emit(self.target)
