"""Stage 3's dialogs: pick one of several AI options (Brainstorm, Expand), rewrite a beat."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ChoiceDialog(QDialog):
    """Brainstorm alternatives / expansion preview: each option with its own button."""

    chosen = Signal(int)

    def __init__(
        self,
        title: str,
        prompt: str,
        options: list[str],
        parent: QWidget | None = None,
        *,
        action: str = "Use This",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(560, 160 + 90 * len(options))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(prompt))
        self.buttons: list[QPushButton] = []
        for i, text in enumerate(options):
            label = QLabel(text)
            label.setWordWrap(True)
            label.setStyleSheet(
                "background:#202226;border:1px solid #2e3035;border-radius:6px;padding:8px;"
            )
            b = QPushButton(action)
            b.setObjectName(f"option{i}")
            b.clicked.connect(lambda _=False, i=i: (self.chosen.emit(i), self.accept()))
            self.buttons.append(b)
            lay.addWidget(label)
            lay.addWidget(b, 0, Qt.AlignmentFlag.AlignRight)
        keep = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        keep.button(QDialogButtonBox.StandardButton.Cancel).setText("Keep Mine")
        keep.rejected.connect(self.reject)
        lay.addWidget(keep)


class BeatRewriteDialog(QDialog):
    """Select the part of the beat to rewrite (all of it by default) and give the instruction."""

    def __init__(self, row: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("beatRewrite")
        self.setWindowTitle(f"Rewrite · Beat {row + 1}")
        self.resize(520, 300)
        self.text = text
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel("Highlight the words to rewrite (nothing highlighted = the whole beat):")
        )
        self.beat = QPlainTextEdit(text)
        self.beat.setObjectName("beatText")
        self.beat.setReadOnly(True)
        self.beat.setFixedHeight(90)
        lay.addWidget(self.beat)
        lay.addWidget(QLabel("Instruction"))
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("instruction")
        self.edit.setPlaceholderText("e.g. “Make this beat more dramatic”")
        lay.addWidget(self.edit, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Rewrite", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.edit.textChanged.connect(lambda: self.ok.setEnabled(len(self.instruction) >= 3))
        self.ok.setEnabled(False)

    @property
    def instruction(self) -> str:
        return self.edit.toPlainText().strip()

    @property
    def start(self) -> int:
        c = self.beat.textCursor()
        return c.selectionStart() if c.hasSelection() else 0

    @property
    def end(self) -> int:
        c = self.beat.textCursor()
        return c.selectionEnd() if c.hasSelection() else len(self.text)
