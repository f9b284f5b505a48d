"""A read-only table of text rows for lists a feature film makes long (every shot of the
film: thousands of rows). One model holds the rows as tuples of strings; the view asks
for the rows it paints, so showing 2,000 rows costs what showing 20 does — where a
QTableWidget builds an item per cell, all on the UI thread."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
#: rows measured for a column's width (Qt's default looks at 1,000 for every resize)
MEASURED_ROWS = 200


class TextRows(QAbstractTableModel):
    """Rows of text under `headers`; `tips` (optional) is each row's tooltip."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple[str, ...]] = []
        self.tips: list[str] = []

    def set_rows(self, rows: Sequence[tuple[str, ...]], tips: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.tips = list(tips)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.row() < len(self.tips):
            return self.tips[index.row()] or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def text(self, row: int, column: int) -> str:
        return self.rows[row][column]


class TextTable(QTableView):
    """A QTableView over `TextRows`: whole rows selected, nothing edited, column `stretch`
    taking the width left, the others as wide as their text."""

    def __init__(self, headers: Sequence[str], stretch: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = TextRows(headers, self)
        self.setModel(self.rows)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setResizeContentsPrecision(MEASURED_ROWS)
        for col in range(len(headers)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if col == stretch
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(col, mode)

    def set_rows(self, rows: Sequence[tuple[str, ...]], tips: Sequence[str] = ()) -> None:
        self.rows.set_rows(rows, tips)

    def row_count(self) -> int:
        return self.rows.rowCount()

    def text(self, row: int, column: int) -> str:
        return self.rows.text(row, column)
