"""PySide6 6.12.0 dropped a reference to None on every Python override of a Qt event
handler; on Python 3.11 the app then aborted ("none_dealloc") after a few thousand
repaints — about a minute of Stage 12's player. pyproject.toml keeps that release out;
this fails if a release with the same fault comes in."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget


class Painted(QWidget):
    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#202020"))
        p.end()


def test_repainting_a_python_widget_keeps_nones_reference_count(qtbot) -> None:  # type: ignore[no-untyped-def]
    w = Painted()
    qtbot.addWidget(w)
    w.resize(120, 80)
    w.show()
    qtbot.waitExposed(w)
    w.repaint()
    before = sys.getrefcount(None)
    for _ in range(500):
        w.repaint()
    assert sys.getrefcount(None) - before > -50  # 6.12.0: -500
