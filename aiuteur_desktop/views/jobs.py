"""Run work off the UI thread and hand the result back through Qt signals (Anki's QueryOp):
reads and file work that change nothing in the store. It runs on the job runner's thread
pool — one pool for jobs and queries, so the runner's limits and shutdown cover both."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._bridge = bridge

    def run(self) -> None:
        try:
            try:
                result = self._fn()
            except BaseException as exc:  # handed to the UI; never lost in a worker
                log.debug("background task failed:\n%s", traceback.format_exc())
                self._bridge.failed.emit(exc)
            else:
                self._bridge.done.emit(result)
        except RuntimeError:  # the app shut down while this ran: nobody is left to tell
            log.debug("background task finished after its receiver was deleted")


_live: set[_Bridge] = set()
_pool: list[QThreadPool] = []


def use_pool(pool: QThreadPool) -> None:
    """The app's job runner lends its pool (installed when it starts)."""
    _pool[:] = [pool]


def _the_pool() -> QThreadPool:
    if _pool:
        try:
            _pool[0].maxThreadCount()  # still alive?
            return _pool[0]
        except RuntimeError:  # its runner was deleted (tests make many)
            _pool.clear()
    return QThreadPool.globalInstance()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    parent: QObject | None = None,
    pool: QThreadPool | None = None,
) -> None:
    """Run `fn` on the app's thread pool (or `pool`); callbacks run on the UI thread.

    If `parent` is given and destroyed before the work ends, callbacks are dropped.
    """
    bridge = _Bridge()
    _live.add(bridge)
    alive = [True]
    if parent is not None:
        parent.destroyed.connect(lambda *_: alive.__setitem__(0, False))

    @Slot(object)
    def finished(result: Any) -> None:
        _live.discard(bridge)
        if alive[0] and on_done is not None:
            on_done(result)

    @Slot(object)
    def errored(exc: BaseException) -> None:
        _live.discard(bridge)
        if not alive[0]:
            return
        if on_error is not None:
            on_error(exc)
        else:
            log.error("background task failed: %r", exc)

    bridge.done.connect(finished)
    bridge.failed.connect(errored)
    (pool or _the_pool()).start(_Task(fn, bridge))
