"""Stage 10's Visual Rearview: the frame a new one follows beside it, and their comparison —
a ghost (onion skin at an opacity) or a flicker (the two swapped at 2 Hz, or while a key is
held)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

FLICKER_MS = 250  # 2 Hz: each frame shown a quarter of a second


class Rearview(QWidget):
    """The frame a new one follows, the new one, and their comparison: a ghost (the earlier
    frame over the new at the slider's opacity) or a flicker (the two swapped at 2 Hz)."""

    def __init__(self) -> None:
        super().__init__()
        self.previous: QImage = QImage()
        self.current: QImage = QImage()
        self.view = QLabel("No frame yet")
        self.view.setObjectName("frameView")
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(320, 180)
        self.view.setStyleSheet(
            "QLabel#frameView { background:#101114; border:1px solid #2e3035; }"
        )
        self.before = QLabel()
        self.before.setObjectName("rearviewFrame")
        self.before.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.before.setFixedSize(192, 108)
        self.before.setStyleSheet("QLabel#rearviewFrame { border:1px solid #2e3035; }")
        self.before_caption = QLabel("Rearview: the frame it follows")
        self.before_caption.setProperty("muted", True)
        self.before_caption.setWordWrap(True)
        self.ghost = QSlider(Qt.Orientation.Horizontal)
        self.ghost.setObjectName("ghostOpacity")
        self.ghost.setRange(0, 100)
        self.ghost.setValue(0)
        self.ghost.setToolTip("Ghost: the earlier frame over this one (onion skin)")
        self.ghost.valueChanged.connect(lambda _v: self.paint())
        self.flicker = QCheckBox("Flicker")
        self.flicker.setObjectName("flicker")
        self.flicker.setToolTip("Swap between the two frames twice a second (or hold F)")
        self.flicker.toggled.connect(self._flicker)
        self._timer = QTimer(self)
        self._timer.setInterval(FLICKER_MS)
        self._timer.timeout.connect(self._swap)
        self.showing_previous = False
        side = QVBoxLayout()
        side.addWidget(self.before_caption)
        side.addWidget(self.before)
        ghost_row = QHBoxLayout()
        ghost_row.addWidget(QLabel("Ghost"))
        ghost_row.addWidget(self.ghost, 1)
        side.addLayout(ghost_row)
        side.addWidget(self.flicker)
        side.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.view, 1)
        row.addLayout(side)

    def show_pair(self, previous: QImage | None, current: QImage | None, caption: str) -> None:
        """The frame (`current`) and the one it follows, decoded (`kit.pictures.stored_image`)."""
        self.previous = previous if previous is not None else QImage()
        self.current = current if current is not None else QImage()
        self.before_caption.setText(caption)
        self.before.setPixmap(
            QPixmap.fromImage(self.previous).scaled(
                self.before.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            if not self.previous.isNull()
            else QPixmap()
        )  # fmt: skip
        if self.previous.isNull():
            self.before.setText("—")
        for w in (self.ghost, self.flicker):
            w.setEnabled(not self.previous.isNull() and not self.current.isNull())
        self.paint()

    def composed(self) -> QImage:
        """What the big view shows: the frame, the earlier one over it at the ghost's
        opacity, or — flickering — whichever is up."""
        if self.showing_previous and not self.previous.isNull():
            return self.previous
        if self.current.isNull():
            return QImage()
        alpha = self.ghost.value() / 100
        if alpha <= 0 or self.previous.isNull():
            return self.current  # no ghost: nothing to compose (no copy of the frame)
        out = self.current.convertToFormat(QImage.Format.Format_ARGB32)
        if alpha > 0 and not self.previous.isNull():
            p = QPainter(out)
            p.setOpacity(alpha)
            p.drawImage(out.rect(), self.previous)
            p.end()
        return out

    def paint(self) -> None:
        image = self.composed()
        if image.isNull():
            self.view.setPixmap(QPixmap())
            self.view.setText("No frame yet")
            return
        size = self.view.size()
        self.view.setPixmap(
            QPixmap.fromImage(image).scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def _flicker(self, on: bool) -> None:
        if on:
            self._timer.start()
        else:
            self._timer.stop()
            self.showing_previous = False
            self.paint()

    def _swap(self) -> None:
        self.showing_previous = not self.showing_previous
        self.paint()

    def hold(self, down: bool) -> None:
        """Held-key flicker: the earlier frame while the key is down."""
        self.showing_previous = down and not self.previous.isNull()
        self.paint()
