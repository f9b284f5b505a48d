"""The inpainting canvas (Stage 10): paint the area of a frame to change.

A `QGraphicsView` over the frame with a mask layer: the brush paints, the eraser clears,
both with a size and a feather (soft edge); every stroke is one undo step; Ctrl+wheel zooms,
a middle-button (or Alt+) drag pans; B brush, E eraser, [ and ] the size. `mask_png()` is the mask at the frame's own size —
white where painted — as the image providers take it.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QRadialGradient,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.views.kit.shortcuts import local_shortcut

BRUSH, ERASER = "brush", "eraser"
#: How the painted area is shown over the frame (the mask itself is white on black).
TINT = QColor(255, 60, 90, 120)


class MaskCanvas(QGraphicsView):
    """A frame with a paintable mask over it."""

    maskChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("maskCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # its keys (B, E, [ ], Ctrl+Z) need it
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._frame = QGraphicsPixmapItem()
        self._overlay = QGraphicsPixmapItem()
        self._scene.addItem(self._frame)
        self._scene.addItem(self._overlay)
        self.mask = QImage(1, 1, QImage.Format.Format_Grayscale8)
        self.mask.fill(0)
        self.tool = BRUSH
        self.size = 40  # brush diameter, in frame pixels
        self.feather = 0.3  # 0 = a hard edge, 1 = soft all the way in
        self._last: QPointF | None = None
        self._panning: QPointF | None = None
        local_shortcut(QKeySequence.StandardKey.Undo, self, self.undo_stroke)
        local_shortcut(QKeySequence.StandardKey.Redo, self, self.redo_stroke)
        local_shortcut(QKeySequence("B"), self, lambda: self.set_tool(BRUSH))
        local_shortcut(QKeySequence("E"), self, lambda: self.set_tool(ERASER))
        local_shortcut(QKeySequence("]"), self, lambda: self.set_size(self.size + 10))
        local_shortcut(QKeySequence("["), self, lambda: self.set_size(self.size - 10))
        self._history: list[QImage] = []
        self._future: list[QImage] = []

    # ---------------------------------------------------------------- state
    def set_frame(self, data: bytes | None) -> None:
        """Show a frame (PNG bytes) with an empty mask of its size."""
        pix = QPixmap()
        if data:
            pix.loadFromData(data)
        self._frame.setPixmap(pix)
        size = pix.size() if not pix.isNull() else None
        w, h = (size.width(), size.height()) if size else (1, 1)
        self.mask = QImage(w, h, QImage.Format.Format_Grayscale8)
        self.mask.fill(0)
        self._history.clear()
        self._future.clear()
        self._scene.setSceneRect(QRectF(0, 0, w, h))
        self._refresh()
        self.fit()

    def fit(self) -> None:
        self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def set_tool(self, tool: str) -> None:
        self.tool = tool

    def set_size(self, size: int) -> None:
        self.size = max(2, min(400, int(size)))

    def set_feather(self, feather: float) -> None:
        self.feather = max(0.0, min(1.0, feather))

    def painted(self) -> bool:
        """Anything painted at all."""
        return not self.mask.isNull() and self._any(self.mask)

    @staticmethod
    def _any(image: QImage) -> bool:
        ptr = image.constBits()
        return any(bytes(ptr))

    def mask_png(self) -> bytes:
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        self.mask.save(buf, "PNG")
        return bytes(buf.data().data())

    def clear(self) -> None:
        self._remember()
        self.mask.fill(0)
        self._refresh()

    # -------------------------------------------------------------- strokes
    def _remember(self) -> None:
        self._history.append(self.mask.copy())
        self._future.clear()

    def undo_stroke(self) -> None:
        if self._history:
            self._future.append(self.mask.copy())
            self.mask = self._history.pop()
            self._refresh()

    def redo_stroke(self) -> None:
        if self._future:
            self._history.append(self.mask.copy())
            self.mask = self._future.pop()
            self._refresh()

    def can_undo(self) -> bool:
        return bool(self._history)

    def dab(self, at: QPointF) -> None:
        """One brush (or eraser) mark at a point of the frame."""
        self.segment(at, at)

    def segment(self, a: QPointF, b: QPointF) -> None:
        """Paint (or erase) from a to b with the brush: round, feathered at its edge."""
        painter = QPainter(self.mask)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.size / 2
        grad = QRadialGradient(QPointF(0, 0), r)
        value = 255 if self.tool == BRUSH else 0
        solid = QColor(value, value, value, 255)
        edge = QColor(value, value, value, 0)
        grad.setColorAt(0.0, solid)
        grad.setColorAt(max(0.0, 1.0 - self.feather), solid)
        grad.setColorAt(1.0, edge)
        if self.feather <= 0.01:
            pen = QPen(solid, self.size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(a, b)
        else:
            steps = max(1, int(_length(a, b) / max(1.0, r / 2)))
            painter.setPen(Qt.PenStyle.NoPen)
            for i in range(steps + 1):
                t = i / steps
                p = QPointF(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t)
                painter.save()
                painter.translate(p)
                painter.setBrush(grad)
                painter.drawEllipse(QPointF(0, 0), r, r)
                painter.restore()
        painter.end()

    def _refresh(self) -> None:
        """The tinted overlay of what is painted."""
        overlay = QImage(self.mask.size(), QImage.Format.Format_ARGB32_Premultiplied)
        overlay.fill(TINT)
        # The mask's grey values as an alpha channel (a plain conversion would make every
        # pixel of a grey image opaque).
        m = self.mask
        alpha = QImage(
            m.constBits(), m.width(), m.height(), m.bytesPerLine(), QImage.Format.Format_Alpha8
        ).copy()
        p = QPainter(overlay)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        p.drawImage(0, 0, alpha)
        p.end()
        self._overlay.setPixmap(QPixmap.fromImage(overlay))
        self.maskChanged.emit()

    # --------------------------------------------------------------- events
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self._panning = event.position()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._remember()
            self._last = self.mapToScene(event.position().toPoint())
            self.dab(self._last)
            self._refresh()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            here = self.mapToScene(event.position().toPoint())
            self.segment(self._last, here)
            self._last = here
            self._refresh()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._panning = None
        self._last = None
        super().mouseReleaseEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            return
        super().wheelEvent(event)


def _length(a: QPointF, b: QPointF) -> float:
    return float(((b.x() - a.x()) ** 2 + (b.y() - a.y()) ** 2) ** 0.5)


class RegionEditor(QWidget):
    """The mask canvas with its tools (brush or eraser, size, feather) and the instruction
    for the painted area; `applied` when the user asks for it (Apply to Region, or Enter)."""

    applied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = MaskCanvas()
        self.brush = QRadioButton("Brush (B)")
        self.brush.setChecked(True)
        self.eraser = QRadioButton("Eraser (E)")
        self.brush.toggled.connect(lambda on: self.canvas.set_tool(BRUSH if on else ERASER))
        self.size = QSlider(Qt.Orientation.Horizontal)
        self.size.setObjectName("brushSize")
        self.size.setRange(4, 300)
        self.size.setValue(self.canvas.size)
        self.size.valueChanged.connect(self.canvas.set_size)
        self.feather = QSlider(Qt.Orientation.Horizontal)
        self.feather.setObjectName("brushFeather")
        self.feather.setRange(0, 100)
        self.feather.setValue(int(self.canvas.feather * 100))
        self.feather.valueChanged.connect(lambda v: self.canvas.set_feather(v / 100))
        self.instruction = QLineEdit()
        self.instruction.setObjectName("regionInstruction")
        self.instruction.setPlaceholderText(
            "What changes in the painted area — “make her expression neutral”"
        )
        self.instruction.returnPressed.connect(self.applied)
        self.apply_button = QPushButton("Apply to Region")
        self.apply_button.setObjectName("applyRegion")
        self.apply_button.clicked.connect(self.applied)
        tools = QHBoxLayout()
        for w in (self.brush, self.eraser, QLabel("Size"), self.size, QLabel("Feather")):
            tools.addWidget(w)
        tools.addWidget(self.feather)
        ask = QHBoxLayout()
        ask.addWidget(self.instruction, 1)
        ask.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(tools)
        layout.addLayout(ask)
