"""A burst of changes shown without redrawing for each: the first at once, the rest together."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    """Calling it runs `show` at once after a quiet spell; calls within `ms` of a run are
    folded into one more run when `ms` has passed — so the last state is always shown, and a
    burst of a hundred changes costs a run or two a period (a scene's frames landing)."""

    def __init__(self, ms: int, show: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._show = show
        self._due = False  # called since the last run
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(ms)
        self._quiet.timeout.connect(self._settle)

    def __call__(self) -> None:
        if self._quiet.isActive():
            self._due = True
        else:
            self._run()

    def _run(self) -> None:
        self._show()
        self._quiet.start()

    def _settle(self) -> None:
        if self._due:
            self._due = False
            self._run()


def next_turn(context: QObject, step: Callable[[], None]) -> None:
    """Run `step` on a later turn of the event loop, after what is waiting (input, painting,
    other timers). For work cut into steps: a zero timer is a posted event, which Qt runs
    before the input and timers that are due, so steps chained that way hold the window as
    long as one step would have taken them all."""
    QTimer.singleShot(1, context, step)
