"""Stage 7's shot table: the model (one row per shot, its cells as text), the delegate that
edits the camera's three parts in place, and the undo step every edit becomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QUndoCommand
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.shots.shot_list import dialogue_text
from aiuteur_desktop.core.production.shots.timing import Shot

if TYPE_CHECKING:
    from aiuteur_desktop.views.production.stage7 import Stage7Page

ID, LENGTH, CAMERA, DIALOGUE, ACTION, CHARACTERS, FLAGS = range(7)
HEADERS = ("Shot", "Length", "Camera", "Dialogue", "Action", "Characters", "⚠")
#: The camera column edits three values: size · angle · move.
CAMERA_PARTS = (list(shot_list.SIZES), list(shot_list.ANGLES), list(shot_list.MOVES))
EDITABLE = {LENGTH, CAMERA, DIALOGUE, ACTION, CHARACTERS}
#: Which part of a shot each editable column retypes (the rules are core's).
_PART = {
    LENGTH: shot_list.LENGTH,
    CAMERA: shot_list.CAMERA,
    DIALOGUE: shot_list.DIALOGUE,
    ACTION: shot_list.ACTION,
    CHARACTERS: shot_list.CHARACTERS,
}
_WARN = QColor("#e0b050")


class ShotModel(QAbstractTableModel):
    """The rows of the table; edits become undo commands on the page's stack."""

    def __init__(self, page: Stage7Page) -> None:
        super().__init__(page)
        self.page = page
        self.rows: list[Shot] = []
        self.flags_of: list[tuple[str, ...]] = []
        self._texts: list[dict[int, str] | None] = []
        self.read_only = False
        #: Tempo suggestions by shot id (the model's, never applied): shown, not stored.
        self.tempo: dict[str, str] = {}

    def set_rows(self, rows: list[Shot], flags: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows, self.flags_of = list(rows), flags
        self._texts = [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def text(self, row: int, col: int) -> str:
        s = self.rows[row]
        if col == FLAGS:
            return ("⚠" if self.flags_of[row] else "") + ("⏱" if s.id in self.tempo else "")
        texts = self._texts[row]
        if texts is None:  # a row's words made once per set_rows, not per cell and role
            texts = self._texts[row] = {
                ID: s.label,
                LENGTH: f"{s.duration} s",
                CAMERA: f"{s.shot_size} · {s.angle} · {s.move}",
                DIALOGUE: dialogue_text(s),
                ACTION: s.action,
                CHARACTERS: ", ".join(s.characters),
            }
        return texts[col]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.EditRole:
            s = self.rows[row]
            if col == LENGTH:
                return str(s.duration)
            if col == CAMERA:
                return shot_list.camera_text(s)
            return self.text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == FLAGS:
                tempo = self.tempo.get(self.rows[row].id)
                notes = [*self.flags_of[row], *([f"Tempo: {tempo}"] if tempo else [])]
                return "\n".join(notes) or None
            if col in (DIALOGUE, ACTION):
                return self.text(row, col) or None
        if role == Qt.ItemDataRole.ForegroundRole and col == FLAGS:
            return _WARN
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (DIALOGUE, ACTION, CHARACTERS):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in EDITABLE and not self.read_only:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 2
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        row, col = index.row(), index.column()
        s = self.rows[row]
        new = shot_list.edited(s, _PART[col], str(value)) if col in _PART else None
        if new is None:
            return False
        if new == s:
            return False
        rows = list(self.rows)
        rows[row] = new
        # After the editor has closed: the edit resets the model, which must not pull the
        # editor out from under the delegate that is committing it.
        label = f"Edit {HEADERS[col].lower()} of shot {s.label}"

        def push() -> None:
            self.page.push(label, rows, row)
            if col == CAMERA:  # field coherence: the wording follows the new framing
                self.page.camera_changed(s, new)

        QTimer.singleShot(0, push)
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """Combo boxes for the columns with fixed values: the length, and the camera's size,
    angle and move side by side."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        if index.column() == LENGTH:
            box = QComboBox(parent)
            box.addItems([str(d) for d in timing.DURATIONS])
            return box
        if index.column() == CAMERA:
            editor = QWidget(parent)
            editor.setAutoFillBackground(True)
            row = QHBoxLayout(editor)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            for values in CAMERA_PARTS:
                box = QComboBox(editor)
                box.addItems(values)
                row.addWidget(box)
            return editor
        return super().createEditor(parent, option, index)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = option.rect  # type: ignore[attr-defined]
        if index.column() == CAMERA:
            rect.setWidth(max(rect.width(), editor.sizeHint().width()))
            rect.setHeight(editor.sizeHint().height())
        editor.setGeometry(rect)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = str(index.data(Qt.ItemDataRole.EditRole))
        if isinstance(editor, QComboBox):
            editor.setCurrentText(value)
        elif index.column() == CAMERA:
            for box, part in zip(editor.findChildren(QComboBox), value.split("|"), strict=False):
                box.setCurrentText(part)
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractTableModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        elif index.column() == CAMERA:
            parts = [b.currentText() for b in editor.findChildren(QComboBox)]
            model.setData(index, "|".join(parts), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class _Step(QUndoCommand):
    """One edit of the list: the rows before and after, and the row to select."""

    def __init__(
        self, page: Stage7Page, text: str, before: list[Shot], after: list[Shot], row: int
    ):
        super().__init__(text)
        self.page, self.before, self.after, self.row = page, before, after, row

    def redo(self) -> None:
        self.page.apply(self.after, self.row)

    def undo(self) -> None:
        self.page.apply(self.before, self.row)
