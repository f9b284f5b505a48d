"""Version History modal (PRD §7.4 B): the drawn tree of Story Timelines, and switching.

The canvas paints only the rows in view, so a project with thousands of saved
versions scrolls as smoothly as one with ten. The graph is laid out off the UI
thread (`core.store.history.load_graph`).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.store import Project, history
from aiuteur_desktop.core.store.history import HistoryGraph, HistoryNode
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import theme, timefmt
from aiuteur_desktop.views.kit.dialogs import show_error

ROW_H = 46
LANE_W = 22
MARGIN = 18
LANE_COLOURS = [
    QColor("#5b8def"),
    QColor("#3fb950"),
    QColor("#e3b341"),
    QColor("#c678dd"),
    QColor("#56b6c2"),
    QColor("#f0736a"),
    QColor("#d19a66"),
]


def lane_colour(lane: int) -> QColor:
    return LANE_COLOURS[lane % len(LANE_COLOURS)]


def describe(node: HistoryNode) -> str:
    c = node.commit
    parts = [timefmt.stamp(c.created_at), f"on {c.branch}"]
    if c.author:  # a studio project's member
        parts.insert(1, f"by {c.author}")
    if c.stage:
        parts.append(f"stage {c.stage}")
    if c.cost:
        parts.append(f"${c.cost:,.2f}")
    return " · ".join(parts)


class HistoryCanvas(QAbstractScrollArea):
    """Rows of saved versions with their lanes, forks and timeline labels, newest at the top."""

    currentChanged = Signal(int)
    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Version history graph")
        self.setMouseTracking(True)
        self.graph: HistoryGraph | None = None
        self.current = -1
        self._bold = QFont(self.font())
        self._bold.setWeight(QFont.Weight.DemiBold)
        self._small = QFont(self.font())
        self._small.setPointSizeF(self.font().pointSizeF() * 0.88)

    # ------------------------------------------------------------------ model
    def set_graph(self, graph: HistoryGraph) -> None:
        self.graph = graph
        self.current = -1
        self._update_scrollbar()
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(640, 460)

    def _update_scrollbar(self) -> None:
        rows = len(self.graph.nodes) if self.graph else 0
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, rows * ROW_H - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(ROW_H // 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()

    def text_left(self) -> float:
        lanes = self.graph.lanes if self.graph else 1
        return MARGIN + lanes * LANE_W + 8

    def row_rect(self, row: int) -> QRectF:
        """Where a row sits in viewport coordinates (tests click inside it)."""
        top = row * ROW_H - self.verticalScrollBar().value()
        return QRectF(0, top, self.viewport().width(), ROW_H)

    def lane_x(self, lane: int) -> float:
        return MARGIN + lane * LANE_W + LANE_W / 2

    def row_y(self, row: int) -> float:
        return row * ROW_H + ROW_H / 2 - self.verticalScrollBar().value()

    # -------------------------------------------------------------- selection
    def set_current(self, row: int) -> None:
        if not self.graph or not self.graph.nodes:
            return
        row = max(0, min(row, len(self.graph.nodes) - 1))
        if row == self.current:
            return
        self.current = row
        self.ensure_visible(row)
        self.viewport().update()
        self.currentChanged.emit(row)

    def ensure_visible(self, row: int) -> None:
        bar = self.verticalScrollBar()
        top, bottom = row * ROW_H, (row + 1) * ROW_H
        if top < bar.value():
            bar.setValue(top)
        elif bottom > bar.value() + self.viewport().height():
            bar.setValue(bottom - self.viewport().height())

    def _row_at(self, y: float) -> int:
        if not self.graph:
            return -1
        row = int((y + self.verticalScrollBar().value()) // ROW_H)
        return row if 0 <= row < len(self.graph.nodes) else -1

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row >= 0:
            self.set_current(row)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row >= 0:
            self.set_current(row)
            self.activated.emit(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.graph or not self.graph.nodes:
            return super().keyPressEvent(event)
        page = max(1, self.viewport().height() // ROW_H - 1)
        moves = {
            Qt.Key.Key_Up: self.current - 1,
            Qt.Key.Key_Down: self.current + 1,
            Qt.Key.Key_PageUp: self.current - page,
            Qt.Key.Key_PageDown: self.current + page,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: len(self.graph.nodes) - 1,
        }
        key = Qt.Key(event.key())
        if key in moves:
            self.set_current(max(0, moves[key]) if self.current >= 0 else 0)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current >= 0:
            self.activated.emit(self.current)
        else:
            super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.graph and isinstance(event, QHelpEvent):
            help_event = event
            row = self._row_at(help_event.pos().y())
            if row >= 0:
                node = self.graph.nodes[row]
                QToolTip.showText(
                    help_event.globalPos(),
                    f"<b>{html.escape(node.commit.message)}</b><br>{html.escape(describe(node))}",
                    self.viewport(),
                )
                return True
        return super().viewportEvent(event)

    # ---------------------------------------------------------------- painting
    def paintEvent(self, _event: QPaintEvent) -> None:
        with QPainter(self.viewport()) as p:  # (ended here, whatever else holds the frame)
            self._paint(p)

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.viewport().width(), self.viewport().height()
        p.fillRect(0, 0, width, height, QColor("#1f2024"))
        if not self.graph or not self.graph.nodes:
            return
        offset = self.verticalScrollBar().value()
        first = max(0, offset // ROW_H)
        last = min(len(self.graph.nodes) - 1, (offset + height) // ROW_H)

        if self.current >= 0 and first <= self.current <= last:
            p.fillRect(self.row_rect(self.current), QColor("#2c3a5c"))

        for e in self.graph.edges:
            if e.parent_row < first or e.child_row > last:
                continue
            colour = lane_colour(e.child_lane)
            p.setPen(QPen(colour, 2))
            x1, y1 = self.lane_x(e.child_lane), self.row_y(e.child_row)
            x2, y2 = self.lane_x(e.parent_lane), self.row_y(e.parent_row)
            path = QPainterPath(QPointF(x1, y1))
            if x1 == x2:
                path.lineTo(x2, y2)
            else:
                bend = y2 - ROW_H * 0.6
                path.lineTo(x1, bend)
                path.cubicTo(x1, y2 - ROW_H * 0.2, x2, bend, x2, y2)
            p.drawPath(path)

        text_x = self.text_left()
        fm_bold, fm_small = QFontMetrics(self._bold), QFontMetrics(self._small)
        for row in range(first, last + 1):
            node = self.graph.nodes[row]
            x, y = self.lane_x(node.lane), self.row_y(row)
            colour = lane_colour(node.lane)
            is_here = self.graph.current_branch in node.heads
            p.setPen(QPen(QColor("#1f2024"), 2))
            p.setBrush(colour)
            p.drawEllipse(QPointF(x, y), 6.5 if node.heads else 5, 6.5 if node.heads else 5)
            if is_here:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(QColor("#ffffff"), 2))
                p.drawEllipse(QPointF(x, y), 9.5, 9.5)

            tx = text_x
            top = row * ROW_H - offset
            for name in node.heads:
                label = name + (" ●" if name in self.graph.dirty else "")
                w = fm_small.horizontalAdvance(label) + 14
                chip = QRectF(tx, top + 6, w, 18)
                current = name == self.graph.current_branch
                p.setPen(QPen(lane_colour(node.lane) if not current else QColor("#cfdcff"), 1))
                p.setBrush(QColor("#2c3a5c") if current else QColor("#24262b"))
                p.drawRoundedRect(chip, 9, 9)
                p.setFont(self._small)
                p.setPen(QColor("#e4e6eb"))
                p.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
                tx += w + 6
            p.setFont(self._bold)
            p.setPen(theme.TEXT)
            msg = fm_bold.elidedText(
                " ".join(node.commit.message.split()), Qt.TextElideMode.ElideRight, width - tx - 12
            )
            p.drawText(QRectF(tx, top + 5, width - tx - 12, 20), Qt.AlignmentFlag.AlignVCenter, msg)
            p.setFont(self._small)
            p.setPen(theme.MUTED)
            p.drawText(
                QRectF(text_x, top + 25, width - text_x - 12, 16),
                Qt.AlignmentFlag.AlignVCenter,
                fm_small.elidedText(describe(node), Qt.TextElideMode.ElideRight, width - text_x),
            )


class VersionHistoryDialog(QDialog):
    """Pick any saved version and switch to it: a branch head opens that timeline, any earlier
    version starts a new one (a fork); nothing is ever overwritten."""

    switched = Signal(str, bool)  # timeline name, whether it was newly forked

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionHistoryDialog")
        self.setWindowTitle(f"Version History — {project.name}")
        self.resize(980, 620)
        self.project = project
        self.graph: HistoryGraph | None = None

        self.summary = QLabel("Loading the history of this project…")
        self.summary.setProperty("muted", True)
        self.summary.setWordWrap(True)
        self.canvas = HistoryCanvas()
        self.loading = QLabel("Loading the history of this project…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setProperty("muted", True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.canvas)

        details = QFrame()
        details.setObjectName("panel")
        details.setFixedWidth(300)
        self.detail_title = QLabel("Select a version")
        self.detail_title.setObjectName("sectionTitle")
        self.detail_title.setWordWrap(True)
        self.detail_meta = QLabel("Click a dot in the graph, or use the arrow keys.")
        self.detail_meta.setWordWrap(True)
        self.detail_meta.setProperty("muted", True)
        self.detail_action = QLabel("")
        self.detail_action.setWordWrap(True)
        self.switch_button = QPushButton("Switch to this version")
        self.switch_button.setObjectName("primary")
        self.switch_button.setEnabled(False)
        self.switch_button.clicked.connect(self.switch_to_selected)
        dl = QVBoxLayout(details)
        dl.setContentsMargins(14, 14, 14, 14)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail_meta)
        dl.addSpacing(8)
        dl.addWidget(self.detail_action)
        dl.addStretch(1)
        dl.addWidget(self.switch_button)

        body = QHBoxLayout()
        body.addWidget(self.stack, 1)
        body.addWidget(details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)

        self.canvas.currentChanged.connect(self._show_details)
        self.canvas.activated.connect(lambda _row: self.switch_to_selected())
        # The newest versions are drawn first; a long history's older rows follow.
        run_in_background(
            lambda: history.load_graph(project, history.FIRST_PAGE),
            self._loaded,
            lambda exc: self._failed(exc),
            parent=self,
        )

    def _loaded(self, graph: HistoryGraph) -> None:
        first = self.graph is None
        kept = self.canvas.current  # rows are newest first: a page's rows keep their places
        self.graph = graph
        timelines = len(graph.branch_heads)
        versions = graph.total
        self.summary.setText(
            f"{versions:,} saved version{'s' * (versions != 1)} on {timelines} Story "
            f"Timeline{'s' * (timelines != 1)}"
            + (
                f" (the newest {len(graph.nodes):,} shown; loading the rest…)"
                if graph.partial
                else ""
            )
            + f". You are on “{graph.current_branch}”. "
            "Switching to an earlier version starts a new timeline there; nothing is overwritten."
        )
        scroll = self.canvas.verticalScrollBar().value()
        self.canvas.set_graph(graph)
        self.stack.setCurrentWidget(self.canvas)
        head = graph.branch_heads.get(graph.current_branch)
        if not first:
            self.canvas.verticalScrollBar().setValue(scroll)
        if kept >= 0:
            self.canvas.set_current(kept)
        elif head and graph.has(head):
            self.canvas.set_current(graph.row_of(head))
        if first:
            self.canvas.setFocus()
        if graph.partial:
            project = self.project
            run_in_background(
                lambda: history.load_graph(project),
                self._loaded,
                lambda exc: self._failed(exc),
                parent=self,
            )

    def _failed(self, exc: BaseException) -> None:
        self.loading.setText("The history could not be read.")
        show_error(self, "Version History", exc)

    def selected(self) -> HistoryNode | None:
        if not self.graph or self.canvas.current < 0:
            return None
        return self.graph.nodes[self.canvas.current]

    def _show_details(self, _row: int) -> None:
        node = self.selected()
        if node is None or self.graph is None:
            return
        self.detail_title.setText(node.commit.message)
        meta = describe(node)
        if node.heads:
            meta += "\nLatest version of: " + ", ".join(node.heads)
        self.detail_meta.setText(meta)
        target = self.graph.head_branch(node.commit.id)
        if target == self.graph.current_branch:
            self.detail_action.setText("You are here: this is the latest version of your timeline.")
            self.switch_button.setText("Switch to this version")
            self.switch_button.setEnabled(False)
        elif target is not None:
            self.detail_action.setText(f"Opens the Story Timeline “{target}” where it left off.")
            self.switch_button.setText("Switch to this version")
            self.switch_button.setEnabled(True)
        else:
            self.detail_action.setText(
                "This is an earlier version. Switching starts a new Story Timeline from it; "
                f"“{node.commit.branch}” and every other timeline stay exactly as they are."
            )
            self.switch_button.setText("Switch to this version (new timeline)")
            self.switch_button.setEnabled(True)

    def switch_to_selected(self) -> None:
        node = self.selected()
        if node is None or self.graph is None or not self.switch_button.isEnabled():
            return
        target = self.graph.head_branch(node.commit.id)
        try:
            if target is not None:
                branch, forked = self.project.switch_branch(target), False
            else:
                branch, forked = self.project.fork_from(node.commit.id), True
        except AiuteurError as exc:
            show_error(self, "Switch to this version", exc)
            return
        self.switched.emit(branch.name, forked)
        self.accept()
