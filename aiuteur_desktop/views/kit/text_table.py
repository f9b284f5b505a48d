"""A read-only table of text rows for lists a feature film makes long (every shot of the
film: thousands of rows; a scene's checkout refilled as each render lands). One model holds
the rows; the view asks for the cells it paints, so showing 2,000 rows costs what showing
20 does — where a QTableWidget makes an item per cell and relays itself out for each one
set (half a millisecond a cell, all on the UI thread)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from aiuteur_desktop.views.kit.throttle import next_turn

Index = QModelIndex | QPersistentModelIndex
#: A column is as wide as the widest of its this many longest texts, measured once per
#: `set_rows` (Qt's ResizeToContents asks the model's Python `data()` for a thousand rows'
#: every role at every relayout: tens of milliseconds a time on a feature's shot list).
MEASURED_ROWS = 24
#: Rows a `RowFitter` fits per turn of the event loop.
ROWS_PER_STEP = 8


@dataclass
class Cell:
    """A cell with more than its text: a tooltip, a picture (drawn only when on screen)."""

    text: str
    tip: str = ""
    icon: QIcon | QImage | None = None


Row = Sequence[str | Cell]


def _text(cell: str | Cell) -> str:
    return cell.text if isinstance(cell, Cell) else cell


class TextRows(QAbstractTableModel):
    """Rows of text (or `Cell`s) under `headers`; `alignment`, every cell's."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[list[str | Cell]] = []
        self.alignment: Qt.AlignmentFlag | None = None

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = [list(r) for r in rows]
        self.endResetModel()

    def set_text(self, row: int, column: int, text: str) -> None:
        """One cell's text changed (its tooltip and picture kept)."""
        cell = self.rows[row][column]
        if isinstance(cell, Cell):
            cell.text = text
        else:
            self.rows[row][column] = text
        where = self.index(row, column)
        self.dataChanged.emit(where, where, [Qt.ItemDataRole.DisplayRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        cell = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(cell)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(cell, Cell):
            return cell.tip or None
        if role == Qt.ItemDataRole.DecorationRole and isinstance(cell, Cell):
            return cell.icon
        if role == Qt.ItemDataRole.TextAlignmentRole and self.alignment is not None:
            return self.alignment
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def text(self, row: int, column: int) -> str:
        return _text(self.rows[row][column])

    def icon(self, row: int, column: int) -> QIcon | QImage | None:
        cell = self.rows[row][column]
        return cell.icon if isinstance(cell, Cell) else None


class TextTable(QTableView):
    """A QTableView over `TextRows`: whole rows selected, nothing edited, column `stretch`
    taking the width left, the others as wide as their longest text (the user may drag them
    wider or narrower; `fixed` sets one's width instead)."""

    def __init__(self, headers: Sequence[str], stretch: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = TextRows(headers, self)
        self.setModel(self.rows)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        self._fitted = [col for col in range(len(headers)) if col != stretch]
        for col in range(len(headers)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if col == stretch
                else QHeaderView.ResizeMode.Interactive
            )
            header.setSectionResizeMode(col, mode)
        self._fit()

    def fixed(self, column: int, width: int) -> None:
        """Column `column` is `width` wide, whatever its texts (they wrap or elide)."""
        if column in self._fitted:
            self._fitted.remove(column)
        self.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(column, width)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.rows.set_rows(rows)
        self._fit()

    def set_text(self, row: int, column: int, text: str) -> None:
        """One cell's text changed: its column widens if the text no longer fits."""
        self.rows.set_text(row, column, text)
        if column in self._fitted:
            width = self._width(column, [row])
            if width > self.columnWidth(column):
                self.setColumnWidth(column, width)

    def _fit(self) -> None:
        count = self.rows.rowCount()
        for col in self._fitted:
            longest = heapq.nlargest(
                MEASURED_ROWS, range(count), key=lambda r, c=col: len(self.rows.text(r, c))
            )
            width = max(self._width(col, longest), self.horizontalHeader().sectionSizeHint(col))
            self.setColumnWidth(col, width)

    def _width(self, column: int, rows: list[int]) -> int:
        """The widest of these rows' cells in `column`, as the view draws them."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegate()
        return max(
            (delegate.sizeHint(option, self.rows.index(r, column)).width() for r in rows),
            default=0,
        )

    def row_count(self) -> int:
        return self.rows.rowCount()

    def text(self, row: int, column: int) -> str:
        return self.rows.text(row, column)

    def icon(self, row: int, column: int) -> QIcon | QImage | None:
        return self.rows.icon(row, column)


class RowFitter(QObject):
    """A word-wrapped table's rows fitted to their text a few per turn of the event loop, the
    rows from the top of the view down first (a 53-shot scene's rows fitted at once, text laid
    out and the model asked for every cell, held the window ~50 ms). `request` as often as
    the columns change: a burst starts one pass; a request during a pass starts it over."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self._asked = False
        self._left: list[int] = []  # rows still to fit in this pass
        self._fitting = False

    def request(self) -> None:
        if not self._asked:
            self._asked = True
            next_turn(self, self._start)

    @property
    def busy(self) -> bool:
        return self._asked or self._fitting

    def _start(self) -> None:
        self._asked = False
        count = self.view.model().rowCount()
        top = max(0, self.view.rowAt(0))
        self._left = [*range(top, count), *range(top)]
        if not self._fitting:
            self._fitting = True
            self._step()

    def _step(self) -> None:
        count = self.view.model().rowCount()
        step, self._left = self._left[:ROWS_PER_STEP], self._left[ROWS_PER_STEP:]
        for row in step:
            if row < count:
                self.view.resizeRowToContents(row)
        if self._left:
            next_turn(self, self._step)
        else:
            self._fitting = False
