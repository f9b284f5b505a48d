"""The persistent bar of Stages 1–5 across the top of a project: one status light per stage
(grey unstarted, green locked, hollow skipped), its name and a slot for the yellow
"not up-to-date" flag."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QSizePolicy,
    QWidget,
)

from aiuteur_desktop.core.store import stages
from aiuteur_desktop.core.store.stages import Stage
from aiuteur_desktop.views.kit import theme


class StageNode(QAbstractButton):
    """One Phase A stage: a status light (grey unstarted, green locked), a label and a flag slot."""

    def __init__(self, stage: Stage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.locked = False
        self.skipped = False  # Mode D: the stage has no place in this project
        self.lapsed = False  # was locked; what it locked has been edited since
        self.flag_text = ""  # e.g. "Not up-to-date with current Script"
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName(f"stageNode{stage.number}")
        self.setText(f"{stage.number}  {stage.name}")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._refresh_tooltip()

    def set_state(
        self, locked: bool, flag_text: str = "", *, skipped: bool = False, lapsed: bool = False
    ) -> None:
        state = (locked, flag_text, skipped, lapsed and not locked)
        if state == (self.locked, self.flag_text, self.skipped, self.lapsed):
            return  # (the board is shown again after every job: no repaint for nothing)
        self.locked, self.flag_text, self.skipped, self.lapsed = state
        self._refresh_tooltip()
        self.update()

    def _refresh_tooltip(self) -> None:
        state = (
            "Skipped"
            if self.skipped
            else "Locked"
            if self.locked
            else "Edited since it was confirmed: confirm it again"
            if self.lapsed
            else "Unstarted"
        )
        tip = f"Stage {self.stage.number} · {self.stage.name} — {state}\n{self.stage.purpose}"
        if self.skipped:
            tip += "\nThe project started from a finished screenplay: nothing to do here."
        if self.flag_text:
            tip += f"\n⚑ {self.flag_text}"
        self.setToolTip(tip)
        self.setAccessibleName(f"Stage {self.stage.number} {self.stage.name}, {state}")

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text()) + 72, 44)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 64, 44)

    def paintEvent(self, _event: QPaintEvent) -> None:
        with QPainter(self) as p:  # (ended here, whatever else holds the frame)
            self._paint(p)

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(2, 4, -2, -4)
        if self.isChecked() or self.underMouse() or self.hasFocus():
            p.setPen(QPen(theme.ACCENT if self.isChecked() else theme.BORDER, 1.5))
            p.setBrush(QColor("#232838") if self.isChecked() else theme.PANEL)
            p.drawRoundedRect(r, 8, 8)
        light = QRectF(r.left() + 12, r.center().y() - 7, 14, 14)
        p.setPen(QPen(QColor("#1c1d21"), 2))
        if self.skipped:  # a hollow light: neither done nor waiting
            p.setPen(QPen(theme.MUTED, 1.5, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
        elif self.lapsed:  # a green ring: it was confirmed, and is waiting to be again
            p.setPen(QPen(theme.LOCKED, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            p.setBrush(theme.LOCKED if self.locked else theme.UNSTARTED)
        p.drawEllipse(light)
        font = QFont(self.font())
        font.setBold(self.isChecked())
        p.setFont(font)
        p.setPen(
            theme.TEXT if self.isChecked() or (self.locked and not self.skipped) else theme.MUTED
        )
        text_rect = r.adjusted(light.right() - r.left() + 10, 0, -26, 0)
        p.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            p.fontMetrics().elidedText(
                self.text(), Qt.TextElideMode.ElideRight, int(text_rect.width())
            ),
        )
        if self.flag_text:  # the yellow "not up-to-date" flag; the slot is always reserved
            theme.icon("flag").paint(p, int(r.right() - 22), int(r.center().y() - 8), 16, 16)


class PhaseATimeline(QFrame):
    """The persistent bar of Stages 1–5 across the top of the project."""

    stageSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.nodes: dict[int, StageNode] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(0)
        for i, stage in enumerate(stages.PHASE_A):
            if i:
                connector = QFrame()
                connector.setFixedSize(18, 2)
                connector.setStyleSheet("background: #3a3d44;")
                layout.addWidget(connector, 0, Qt.AlignmentFlag.AlignVCenter)
            node = StageNode(stage)
            self.group.addButton(node, stage.number)
            self.nodes[stage.number] = node
            layout.addWidget(node, 1)
        self.group.idClicked.connect(self.stageSelected)

    def select(self, number: int) -> None:
        node = self.nodes.get(number)
        if node is not None:
            node.setChecked(True)
        else:
            self.group.setExclusive(False)
            for n in self.nodes.values():
                n.setChecked(False)
            self.group.setExclusive(True)
