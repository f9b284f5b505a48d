"""What an export's clips are written as, offered the same way by the Export for Editing and
Render Animatic windows (`transcode.CODECS`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from aiuteur_desktop.core.media.transcode import CODECS

MUTED = "color:#9aa0a8;"


def codec_choice() -> tuple[QComboBox, QLabel, QWidget]:
    """The codec choice, with a line under it saying who the chosen one is for, and the
    two as one form row's field."""
    choice = QComboBox()
    choice.setObjectName("codecChoice")
    note = QLabel()
    note.setWordWrap(True)
    note.setStyleSheet(MUTED)
    for key, codec in CODECS.items():
        choice.addItem(codec.label, key)
        choice.setItemData(choice.count() - 1, codec.note, Qt.ItemDataRole.ToolTipRole)

    def said() -> None:
        note.setText(CODECS[choice.currentData()].note)

    choice.currentIndexChanged.connect(said)
    said()
    field = QWidget()
    stack = QVBoxLayout(field)
    stack.setContentsMargins(0, 0, 0, 0)
    stack.setSpacing(2)
    stack.addWidget(choice)
    stack.addWidget(note)
    return choice, note, field
