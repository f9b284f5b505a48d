"""The beat list: a QAbstractListModel whose every change is a QUndoCommand, so reordering,
adding, removing, retyping, brainstorm picks and expansions all undo and redo."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoCommand, QUndoStack

from aiuteur_desktop.core import story

MIME = "application/x-aiuteur-beat-rows"
Index = QModelIndex | QPersistentModelIndex


class BeatModel(QAbstractListModel):
    """Beats as dicts {id, text, source}; row n is beat n+1."""

    edited = Signal()  # any change the user made (the page saves the draft)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.beats: list[dict[str, Any]] = []
        self.stack = QUndoStack(self)

    # ------------------------------------------------------------- reading
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.beats)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.beats):
            return None
        beat = self.beats[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}. {beat['text']}"
        if role == Qt.ItemDataRole.EditRole:
            return beat["text"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Double-click to edit · drag to reorder"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Beat {index.row() + 1}: {beat['text']}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled

    # ------------------------------------------------------------- editing
    def load(self, beats: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.beats = copy.deepcopy(beats)
        self.endResetModel()
        self.stack.clear()

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        text = " ".join(str(value).split())
        if not text or text == self.beats[index.row()]["text"]:
            return False
        self.stack.push(_Retype(self, index.row(), text, "Edit beat"))
        return True

    def retype(self, row: int, text: str, label: str) -> None:
        self.stack.push(_Retype(self, row, text, label))

    def move(self, source: int, dest: int) -> None:
        """Move the beat at `source` so it becomes row `dest` (after removal)."""
        if (
            source == dest
            or not (0 <= source < len(self.beats))
            or not (0 <= dest < len(self.beats))
        ):
            return
        self.stack.push(_Move(self, source, dest))

    def insert(self, row: int, beats: list[dict[str, Any]], label: str) -> None:
        self.stack.push(_Splice(self, row, 0, beats, label))

    def remove(self, row: int) -> None:
        self.stack.push(_Splice(self, row, 1, [], f"Remove beat {row + 1}"))

    def replace(self, row: int, beats: list[dict[str, Any]], label: str) -> None:
        self.stack.push(_Splice(self, row, 1, beats, label))

    # ------------------------------------------------------- drag and drop
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        rows = [int(r) for r in bytes(data.data(MIME).data()).decode().split(",") if r]
        if len(rows) != 1:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.beats)
        source = rows[0]
        dest = row - 1 if row > source else row
        self.move(source, max(0, min(dest, len(self.beats) - 1)))
        # The move is done here; telling the view "copy" stops it removing the source row.
        return False

    # ----------------------------------------------------------- internals
    def _do_move(self, source: int, dest: int) -> None:
        target = dest + 1 if dest > source else dest
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), target)
        beat = self.beats.pop(source)
        self.beats.insert(dest, beat)
        self.endMoveRows()
        self._renumbered()

    def _do_splice(self, row: int, count: int, beats: list[dict[str, Any]]) -> list[dict[str, Any]]:
        removed = self.beats[row : row + count]
        if count:
            self.beginRemoveRows(QModelIndex(), row, row + count - 1)
            del self.beats[row : row + count]
            self.endRemoveRows()
        if beats:
            self.beginInsertRows(QModelIndex(), row, row + len(beats) - 1)
            self.beats[row:row] = copy.deepcopy(beats)
            self.endInsertRows()
        self._renumbered()
        return removed

    def _do_retype(self, row: int, text: str) -> str:
        old = self.beats[row]["text"]
        self.beats[row]["text"] = text
        index = self.index(row)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return old

    def _renumbered(self) -> None:
        """Every number shown may have changed: repaint all rows, then save."""
        if self.beats:
            self.dataChanged.emit(self.index(0), self.index(len(self.beats) - 1))
        self.edited.emit()


class _Move(QUndoCommand):
    def __init__(self, model: BeatModel, source: int, dest: int) -> None:
        super().__init__(f"Move beat {source + 1} to {dest + 1}")
        self.model, self.source, self.dest = model, source, dest

    def redo(self) -> None:
        self.model._do_move(self.source, self.dest)

    def undo(self) -> None:
        self.model._do_move(self.dest, self.source)


class _Splice(QUndoCommand):
    def __init__(
        self, model: BeatModel, row: int, count: int, beats: list[dict[str, Any]], label: str
    ) -> None:
        super().__init__(label)
        self.model, self.row, self.count = model, row, count
        self.beats = copy.deepcopy(beats)
        self.removed: list[dict[str, Any]] = []

    def redo(self) -> None:
        self.removed = self.model._do_splice(self.row, self.count, self.beats)

    def undo(self) -> None:
        self.model._do_splice(self.row, len(self.beats), self.removed)


class _Retype(QUndoCommand):
    def __init__(self, model: BeatModel, row: int, text: str, label: str) -> None:
        super().__init__(label)
        self.model, self.row, self.text = model, row, text
        self.old = ""

    def redo(self) -> None:
        self.old = self.model._do_retype(self.row, self.text)

    def undo(self) -> None:
        self.model._do_retype(self.row, self.old)


def fresh(texts: list[str]) -> list[dict[str, Any]]:
    return [story.new_beat(t) for t in texts]
