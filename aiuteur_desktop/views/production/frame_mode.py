"""Stage 10's first question: how the frames are made — Control (one at a time, each
approved before the next) or Quick (all at once), start frames only or not. Nothing is
generated before it is answered."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.production import frames


class ModeChooser(QWidget):
    """The two modes and the start-only choice; `chosen` on Use This Mode."""

    chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modeChooser")
        self.quick = QRadioButton(frames.MODES[frames.QUICK])
        self.quick.setObjectName("quickMode")
        self.control = QRadioButton(frames.MODES[frames.CONTROL])
        self.control.setObjectName("controlMode")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.quick)
        self.modes.addButton(self.control)
        self.start_only = QCheckBox("Start frames only (for video models that take no end frame)")
        self.start_only.setObjectName("startOnly")
        self.use_mode = QPushButton("Use This Mode")
        self.use_mode.setObjectName("useMode")
        self.use_mode.clicked.connect(self.chosen)
        self.use_mode.setEnabled(False)
        for button in (self.quick, self.control):
            button.toggled.connect(lambda _on: self.use_mode.setEnabled(True))
        intro = QLabel(
            "<b>Choose how the frames are made</b> — nothing is generated before. The mode is "
            "recorded with the frames and drives the Stage 11 estimate."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        for w in (intro, self.control, self.quick, self.start_only):
            layout.addWidget(w)
        layout.addWidget(self.use_mode, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
