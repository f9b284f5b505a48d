"""Every widget the app paints itself ends its QPainter inside paintEvent, whatever else holds
the call's frame. A frame outlives its call when anything keeps it — a traceback, a profiler,
a thread sampling stacks — and a painter left to the frame's end stays active on the window:
Qt warned "QBackingStore::endPaint() called with active painter" at every repaint after, and
the app crashed when another thread let go of the frame (seen while sampling the UI thread's
stacks on a feature film)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from aiuteur_desktop.core.store import stages
from aiuteur_desktop.views.kit.elided import ElidedLabel
from aiuteur_desktop.views.pipeline.history import HistoryCanvas
from aiuteur_desktop.views.pipeline.stage_timeline import StageNode
from aiuteur_desktop.views.production.player_parts import Screen, Strip


def _strip() -> QWidget:
    strip = Strip()
    strip.set_pieces([(0.0, 4.0, "1A", True), (4.0, 8.0, "1B", False)], 8.0)
    return strip


WIDGETS: dict[str, Callable[[], QWidget]] = {
    "elided label": lambda: ElidedLabel("A long label that is elided at the end of its row"),
    "stage node": lambda: StageNode(stages.PHASE_A[0]),
    "version history": HistoryCanvas,
    "player screen": Screen,
    "player strip": _strip,
}


@pytest.mark.parametrize("kind", list(WIDGETS))
def test_a_widgets_painter_ends_with_its_paint_event_even_when_its_frame_is_kept(
    qtbot: Any, kind: str
) -> None:
    widget = WIDGETS[kind]()
    qtbot.addWidget(widget)
    widget.resize(320, 60)
    widget.show()
    qtbot.waitExposed(widget)
    kept: list[FrameType] = []

    def keep(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code.co_name == "paintEvent":
            kept.append(frame)  # as a stack sampler's reference would

    sys.setprofile(keep)
    try:
        widget.grab()  # (a paint through paintEvent, as the window's own would be)
    finally:
        sys.setprofile(None)
    assert kept, "the widget painted itself in Python"
    assert not widget.paintingActive()
    assert not widget.window().paintingActive()
