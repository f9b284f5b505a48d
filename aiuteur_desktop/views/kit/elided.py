"""A one-line label that gives way when its row is narrow: the text is elided at the end
and the whole of it shown as a tooltip, instead of holding the row wider than the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(
            min(hint.width(), self.fontMetrics().horizontalAdvance("Stage 00 · …")), hint.height()
        )

    def paintEvent(self, _event: QPaintEvent) -> None:
        rect = self.contentsRect()
        full = self.text()
        shown = self.fontMetrics().elidedText(full, Qt.TextElideMode.ElideRight, rect.width())
        self.setToolTip(full if shown != full else "")
        with QPainter(self) as painter:  # (ended here, whatever else holds the frame)
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                rect, int(self.alignment()) | int(Qt.AlignmentFlag.AlignVCenter), shown
            )

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()
