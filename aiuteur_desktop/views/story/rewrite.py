"""Highlight → right-click → instruction (PRD §3.2): the targeted rewrite shared by the
treatment editor and the screenplay editor. Only the selection is replaced, as one undoable
step; if the text changed meanwhile, nothing is replaced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QContextMenuEvent, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit

from aiuteur_desktop.core import story
from aiuteur_desktop.views.stage_frame import StageFrame, ask_guidance

Editor = QTextEdit | QPlainTextEdit


def add_rewrite_action(
    editor: Editor, event: QContextMenuEvent, trigger: Callable[[], None], enabled: bool
) -> None:
    """The editor's usual context menu with "Rewrite Selection…" on top."""
    menu: QMenu = editor.createStandardContextMenu(event.pos())
    action = menu.addAction("Rewrite Selection with AI…")
    action.setObjectName("rewriteAction")
    action.setEnabled(enabled and editor.textCursor().hasSelection())
    action.triggered.connect(trigger)
    first = menu.actions()[0]
    menu.insertAction(first, action)
    menu.insertSeparator(first)
    menu.exec(event.globalPos())
    menu.deleteLater()


def start_rewrite(
    page: StageFrame, editor: Editor, document: str, applied: Callable[[], None]
) -> None:
    """Ask for the instruction, run the rewrite, splice the answer into the selection."""
    cursor = editor.textCursor()
    if page.project is None or not cursor.hasSelection():
        return
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    text = editor.toPlainText()
    selection = text[start:end]

    def go(instruction: str) -> None:
        assert page.project is not None
        ask = story.rewrite_ask(page.project, document, text, start, end, instruction, page.number)

        def done(result: dict[str, Any]) -> None:
            replacement = str(result["value"]["replacement"])
            if not replace_range(editor, start, end, selection, replacement):
                page.fail(
                    "The text changed while the rewrite ran, so it was not applied. "
                    "Select the passage again and retry."
                )
                return
            applied()
            page.message.emit(f"Rewrote the selection: {instruction}")

        page.run(ask, done, "Rewriting the selection…")

    ask_guidance(
        page,
        "Rewrite Selection",
        "How should the highlighted passage change? Only this passage is rewritten; the text "
        "around it is the context.",
        "Rewrite",
        go,
        minimum=3,
        quote=selection,
        placeholder="e.g. “Inject more conflict” or “Make this sentence less formal”",
    )


def replace_range(editor: Editor, start: int, end: int, expected: str, replacement: str) -> bool:
    """Replace text[start:end] (only if it is still `expected`) as one undo step."""
    if editor.toPlainText()[start:end] != expected:
        return False
    cursor = QTextCursor(editor.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    cursor.beginEditBlock()
    cursor.insertText(replacement)
    cursor.endEditBlock()
    cursor.setPosition(start)
    cursor.setPosition(start + len(replacement), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    return True


def undo_buttons(page: StageFrame, editor: Editor | None = None, stack: Any = None) -> None:
    """Undo / Redo buttons in the page's action row for a text editor or a QUndoStack."""
    from PySide6.QtWidgets import QToolButton

    undo, redo = QToolButton(), QToolButton()
    undo.setText("↶")
    redo.setText("↷")
    undo.setAccessibleName("Undo")
    redo.setAccessibleName("Redo")
    for b in (undo, redo):
        b.setStyleSheet("QToolButton { font-size: 13pt; padding: 2px 10px; }")
    undo.setObjectName("undoButton")
    redo.setObjectName("redoButton")
    undo.setToolTip("Undo (Ctrl+Z)")
    redo.setToolTip("Redo (Ctrl+Shift+Z)")
    if editor is not None:
        undo.clicked.connect(editor.undo)
        redo.clicked.connect(editor.redo)
        undo.setEnabled(False)
        redo.setEnabled(False)
        editor.undoAvailable.connect(undo.setEnabled)
        editor.redoAvailable.connect(redo.setEnabled)
    if stack is not None:
        undo.clicked.connect(stack.undo)
        redo.clicked.connect(stack.redo)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
    page.actions.insertWidget(0, redo)
    page.actions.insertWidget(0, undo)


class DescriptionEdit(QPlainTextEdit):
    """A plain-text field whose selection can be rewritten (right-click → instruction)."""

    rewriteRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.can_rewrite = True

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        add_rewrite_action(self, event, self.rewriteRequested.emit, self.can_rewrite)
