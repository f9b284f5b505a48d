"""A screenplay editor: one block per element, formatted like the page (Courier 12, element
indents, ALL CAPS headings, cues and transitions), with Tab/Enter element switching as in
screenwriting tools. Undo/redo is the document's own stack (every key and every rewrite)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QResizeEvent,
    QTextBlock,
    QTextBlockFormat,
    QTextBlockUserData,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay.elements import Element, Screenplay
from aiuteur_desktop.core.screenplay.headings import starts_heading
from aiuteur_desktop.views.story.rewrite import add_rewrite_action

TYPES = tuple(sp.ELEMENT_NAMES)
#: Left indent and right margin in characters of a 60-character page line (Courier 12).
LAYOUT = {
    sp.SCENE_HEADING: (0, 0),
    sp.ACTION: (0, 0),
    sp.CHARACTER: (22, 0),
    sp.PARENTHETICAL: (16, 16),
    sp.DIALOGUE: (10, 15),
    sp.TRANSITION: (0, 0),
    sp.CENTERED: (0, 0),
    sp.SECTION: (0, 0),
    sp.SYNOPSIS: (0, 0),
    sp.LYRICS: (10, 10),
    sp.PAGE_BREAK: (0, 0),
}
UPPER = {sp.SCENE_HEADING, sp.CHARACTER, sp.TRANSITION}
#: Enter at the end of an element starts this one.
AFTER_ENTER = {
    sp.SCENE_HEADING: sp.ACTION,
    sp.ACTION: sp.ACTION,
    sp.CHARACTER: sp.DIALOGUE,
    sp.PARENTHETICAL: sp.DIALOGUE,
    sp.DIALOGUE: sp.ACTION,
    sp.TRANSITION: sp.SCENE_HEADING,
}
#: Tab changes the current element to this one (Shift+Tab goes back).
AFTER_TAB = {
    sp.ACTION: sp.CHARACTER,
    sp.CHARACTER: sp.TRANSITION,
    sp.TRANSITION: sp.SCENE_HEADING,
    sp.SCENE_HEADING: sp.ACTION,
    sp.DIALOGUE: sp.PARENTHETICAL,
    sp.PARENTHETICAL: sp.DIALOGUE,
}
BEFORE_TAB = {v: k for k, v in AFTER_TAB.items() if k not in (sp.PARENTHETICAL,)}
BEFORE_TAB[sp.DIALOGUE] = sp.PARENTHETICAL
LINE = 60  # characters in a page line


class _Extra(QTextBlockUserData):
    """What an element carries besides its type and text (scene number, dual cue, depth)."""

    def __init__(self, values: dict[str, object]) -> None:
        super().__init__()
        self.values = values


#: The element type lives in the block format, so undo and redo restore it with the text.
ELEMENT = int(QTextFormat.Property.UserProperty) + 1


def type_of(block: QTextBlock) -> str:
    fmt = block.blockFormat()
    state = fmt.intProperty(ELEMENT) - 1 if fmt.hasProperty(ELEMENT) else -1
    return TYPES[state] if 0 <= state < len(TYPES) else sp.ACTION


class ScreenplayEditor(QTextEdit):
    elementChanged = Signal(str)
    rewriteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenplayEditor")
        self.setAcceptRichText(False)
        self.setTabChangesFocus(False)
        self.can_rewrite = True
        font = QFont("Courier Prime")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setFamilies(
            ["Courier Prime", "Courier New", "Courier", "Liberation Mono", "monospace"]
        )
        font.setPointSize(12)
        self.setFont(font)
        self.document().setDefaultFont(font)
        self.char_w = QFontMetricsF(font).horizontalAdvance("M")
        self._format_cache: dict[str, tuple[QTextBlockFormat, QTextCharFormat]] = {}
        self.setLineWrapMode(QTextEdit.LineWrapMode.FixedPixelWidth)
        self.setLineWrapColumnOrWidth(int(self.char_w * LINE) + 2)
        self.title_page: tuple[tuple[str, str], ...] = ()
        self.cursorPositionChanged.connect(lambda: self.elementChanged.emit(self.element()))
        self.setStyleSheet(
            "QTextEdit#screenplayEditor { background: #f4f1ea; color: #1b1b1b; border-radius: 6px; }"
        )

    # ---------------------------------------------------------------- content
    def set_screenplay(self, play: Screenplay) -> None:
        self.title_page = play.title_page
        doc = self.document()
        doc.blockSignals(True)
        self.clear()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        for i, el in enumerate(play.elements):
            block_fmt, char_fmt = self._formats(el.type)
            if i:
                cursor.insertBlock(block_fmt, char_fmt)
            else:
                cursor.setBlockFormat(block_fmt)
                cursor.setBlockCharFormat(char_fmt)
            block = cursor.block()
            cursor.insertText(el.text.replace("\n", "\u2028"), char_fmt)
            extra = {
                k: v
                for k, v in (
                    ("number", el.number),
                    ("dual", el.dual),
                    ("depth", el.depth),
                    ("forced", el.forced),
                    ("scene_id", el.scene_id),
                )
                if v
            }
            if extra:
                block.setUserData(_Extra(extra))
        cursor.endEditBlock()
        doc.blockSignals(False)
        doc.clearUndoRedoStacks()
        doc.setModified(False)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.textChanged.emit()

    def screenplay(self) -> Screenplay:
        out: list[Element] = []
        block = self.document().begin()
        while block.isValid():
            kind = type_of(block)
            text = block.text().replace("\u2028", "\n").strip()
            data = block.userData()
            extra = data.values if isinstance(data, _Extra) else {}
            if kind in UPPER and not extra.get("forced"):  # "@McCLANE" keeps its spelling
                text = text.upper()
            if kind == sp.PARENTHETICAL and text and not text.startswith("("):
                text = f"({text})"
            if text or kind == sp.PAGE_BREAK:
                out.append(
                    Element(
                        kind,
                        text,
                        number=str(extra.get("number", "")) if kind == sp.SCENE_HEADING else "",
                        dual=bool(extra.get("dual")) if kind == sp.CHARACTER else False,
                        depth=int(extra.get("depth", 0) or 0),  # type: ignore[call-overload]
                        forced=bool(extra.get("forced")),
                        scene_id=str(extra.get("scene_id", "")),
                    )
                )
            block = block.next()
        return Screenplay(self.title_page, tuple(out))

    # ------------------------------------------------------------- formatting
    def _format(self, cursor: QTextCursor, kind: str) -> None:
        block_fmt, char_fmt = self._formats(kind)
        cursor.setBlockFormat(block_fmt)
        cursor.setBlockCharFormat(char_fmt)
        # Text already in the block takes the element's look too.
        c = QTextCursor(cursor.block())
        c.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        c.mergeCharFormat(char_fmt)

    def _formats(self, kind: str) -> tuple[QTextBlockFormat, QTextCharFormat]:
        """Each element's block and character format, made once (a feature has thousands)."""
        cache = self._format_cache
        if kind in cache:
            return cache[kind]
        left, right = LAYOUT.get(kind, (0, 0))
        fmt = QTextBlockFormat()
        fmt.setProperty(ELEMENT, TYPES.index(kind) + 1)
        fmt.setLeftMargin(left * self.char_w)
        fmt.setRightMargin(right * self.char_w)
        tight = kind in (sp.DIALOGUE, sp.PARENTHETICAL)
        fmt.setTopMargin(0 if tight else 14)
        if kind == sp.TRANSITION:
            fmt.setAlignment(Qt.AlignmentFlag.AlignRight)
        elif kind == sp.CENTERED:
            fmt.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        else:
            fmt.setAlignment(Qt.AlignmentFlag.AlignLeft)
        if kind == sp.SCENE_HEADING:
            fmt.setTopMargin(24)
        char = QTextCharFormat()
        char.setFontCapitalization(
            QFont.Capitalization.AllUppercase if kind in UPPER else QFont.Capitalization.MixedCase
        )
        char.setFontWeight(QFont.Weight.Bold if kind == sp.SCENE_HEADING else QFont.Weight.Normal)
        char.setFontItalic(kind in (sp.SYNOPSIS, sp.LYRICS))
        char.setForeground(
            Qt.GlobalColor.darkGray if kind in (sp.SECTION, sp.SYNOPSIS) else Qt.GlobalColor.black
        )
        cache[kind] = (fmt, char)
        return fmt, char

    def element(self) -> str:
        return type_of(self.textCursor().block())

    def set_element(self, kind: str) -> None:
        """Change the current element (one undo step)."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        self._format(cursor, kind)
        cursor.endEditBlock()
        self.elementChanged.emit(kind)
        self.textChanged.emit()

    # ------------------------------------------------------------------- keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        if (
            key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not mods & Qt.KeyboardModifier.ShiftModifier
        ):
            cursor = self.textCursor()
            current = self.element()
            if not cursor.block().text().strip() and current == sp.CHARACTER:
                self.set_element(sp.ACTION)  # Enter on an empty cue: back to action
                return
            if current == sp.ACTION and starts_heading(cursor.block().text()):
                self.set_element(sp.SCENE_HEADING)  # typed "INT. …" / "EXT. …": a heading
                current = sp.SCENE_HEADING
            nxt = AFTER_ENTER.get(current, sp.ACTION) if cursor.atBlockEnd() else current
            cursor.beginEditBlock()
            cursor.insertBlock()
            self._format(cursor, nxt)
            cursor.endEditBlock()
            self.setTextCursor(cursor)
            self.elementChanged.emit(nxt)
            return
        if key == Qt.Key.Key_Tab and not mods & Qt.KeyboardModifier.ControlModifier:
            self.set_element(AFTER_TAB.get(self.element(), sp.ACTION))
            return
        if key == Qt.Key.Key_Backtab:
            self.set_element(BEFORE_TAB.get(self.element(), sp.ACTION))
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        add_rewrite_action(self, event, self.rewriteRequested.emit, self.can_rewrite)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        page = int(self.char_w * LINE) + 2
        side = max(
            12, (self.viewport().width() + self.viewportMargins().left() * 2 - page) // 2 - 8
        )
        self.document().setDocumentMargin(28)
        self.setViewportMargins(max(0, side - 28), 0, 0, 0)

    # ------------------------------------------------------------- navigation
    def scene_in_view(self) -> int:
        """Index (0-based) of the scene being worked on: the cursor's when it is in view, else
        the one at the top of the view; -1 before the first heading."""
        cursor_rect = self.cursorRect()
        if self.viewport().rect().contains(cursor_rect.center()):
            block = self.textCursor().block()  # where the writer is working
        else:
            block = self.cursorForPosition(QPoint(8, 8)).block()
        index = -1
        b = self.document().begin()
        while b.isValid():
            if type_of(b) == sp.SCENE_HEADING:
                index += 1
            if b == block:
                break
            b = b.next()
        return index

    def go_to_scene_id(self, scene_id: str) -> bool:
        """Show the scene with this permanent id (its heading carries it); False if absent."""
        b = self.document().begin()
        while b.isValid():
            data = b.userData()
            if isinstance(data, _Extra) and data.values.get("scene_id") == scene_id:
                self.setTextCursor(QTextCursor(b))
                sb = self.verticalScrollBar()
                sb.setValue(int(self.document().documentLayout().blockBoundingRect(b).top()))
                return True
            b = b.next()
        return False

    def go_to_scene(self, index: int) -> None:
        b = self.document().begin()
        n = -1
        while b.isValid():
            if type_of(b) == sp.SCENE_HEADING:
                n += 1
                if n == index:
                    cursor = QTextCursor(b)
                    self.setTextCursor(cursor)
                    sb = self.verticalScrollBar()
                    sb.setValue(int(self.document().documentLayout().blockBoundingRect(b).top()))
                    return
            b = b.next()
