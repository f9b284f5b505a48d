"""Run work off the UI thread and hand the result back through Qt signals (Anki's QueryOp):
reads and file work that change nothing in the store. It runs on the job runner's thread
pool — one pool for jobs and queries, so the runner's limits and shutdown cover both."""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from aiuteur_desktop.core.app import ui_turns
from aiuteur_desktop.views.kit.ui_gc import beat_now, collect_on_ui_thread, hold_full_pass_while

log = logging.getLogger(__name__)


class _Dispatcher(QObject):
    """The one object workers report through: created on the UI thread and kept for the
    app's life, so no worker ever drops the last reference to a Qt object. (A per-task
    bridge released on the worker destroyed its connections there, taking Qt's connection
    lock and then waiting for the GIL while the UI thread held the GIL and waited for that
    lock: a deadlock seen when a progress window closed as its task ended.)"""

    settled = Signal(int, bool, object)  # token, succeeded, result or exception

    def __init__(self) -> None:
        super().__init__()
        # Emitted on a worker, delivered here on the UI thread (this object's thread).
        self.settled.connect(self._settle)

    @Slot(int, bool, object)
    def _settle(self, token: int, ok: bool, value: Any) -> None:
        _settle(token, ok, value)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], dispatcher: _Dispatcher, token: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn: Callable[[], Any] | None = fn
        self._dispatcher = dispatcher
        self._token = token

    def run(self) -> None:
        ui_turns.worker_started()
        fn, self._fn = self._fn, None
        assert fn is not None
        try:
            try:
                result = fn()
            except BaseException as exc:  # handed to the UI; never lost in a worker
                log.debug("background task failed:\n%s", traceback.format_exc())
                del fn
                self._dispatcher.settled.emit(self._token, False, exc)
            else:
                del fn
                self._dispatcher.settled.emit(self._token, True, result)
        except RuntimeError:  # the app shut down while this ran: nobody is left to tell
            log.debug("background task finished after its receiver was deleted")


_dispatcher: list[_Dispatcher] = []
#: token → (on_done, on_error, alive): read and written on the UI thread only.
_waiting: dict[int, tuple[Any, Any, list[bool]]] = {}
_tokens = itertools.count(1)


def _settle(token: int, ok: bool, value: Any) -> None:
    on_done, on_error, alive = _waiting.pop(token, (None, None, [False]))
    if not alive[0]:
        return
    if ok:
        if on_done is not None:
            on_done(value)
    elif on_error is not None:
        on_error(value)
    else:
        log.error("background task failed: %r", value)


def _the_dispatcher() -> _Dispatcher:
    if _dispatcher:
        try:
            _dispatcher[0].objectName()  # still alive?
            return _dispatcher[0]
        except RuntimeError:
            _dispatcher.clear()
    collect_on_ui_thread()  # no worker ever collects a Qt object's cycle
    made = _Dispatcher()
    app = QCoreApplication.instance()
    if app is not None and made.thread() is not app.thread():
        made.moveToThread(app.thread())  # callbacks always run on the UI thread
    _dispatcher.append(made)
    return made


_pool: list[QThreadPool] = []


def use_pool(pool: QThreadPool) -> None:
    """The app's job runner lends its pool (installed when it starts)."""
    _pool[:] = [pool]


def _alive(held: list[QThreadPool]) -> QThreadPool | None:
    """The pool `held` keeps, if its Qt object still exists (tests make many runners and
    applications); a deleted one is forgotten."""
    if held:
        try:
            held[0].maxThreadCount()
            return held[0]
        except RuntimeError:
            held.clear()
    return None


def _own_pool(held: list[QThreadPool], threads: int) -> QThreadPool:
    """A pool of `threads` of the app's own (made once, kept in `held`); while it works, the
    collector's quiet full pass waits."""
    pool = _alive(held)
    if pool is None:
        pool = QThreadPool(QCoreApplication.instance())
        pool.setMaxThreadCount(threads)
        pool.setExpiryTimeout(-1)  # its threads for the app's life
        hold_full_pass_while(lambda: pool.activeThreadCount() > 0)
        held.append(pool)
    return pool


def _the_pool() -> QThreadPool:
    return _alive(_pool) or QThreadPool.globalInstance()


#: What pages work out (a scene's slots, a list's rows) is Python under one GIL: more such
#: derivations at once than cores only make the UI thread wait longer for its turn (an
#: approval set off five at once on a feature film). They run this many at a time; work that
#: waits on the network or the OS (a connection test, the keyring) asks for `waits=True` and
#: runs on the runner's larger pool, so it never holds up a page.
DERIVE_THREADS = 2
_derive: list[QThreadPool] = []


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    parent: QObject | None = None,
    pool: QThreadPool | None = None,
    waits: bool = False,
) -> None:
    """Run `fn` on a worker — a derivation on the derivation pool, `waits=True` work on the
    runner's pool, or `pool` — and its callbacks on the UI thread.

    If `parent` is given and destroyed before the work ends, callbacks are dropped.
    """
    token = next(_tokens)
    alive = [True]
    if parent is not None:
        parent.destroyed.connect(lambda *_: alive.__setitem__(0, False))
    _waiting[token] = (on_done, on_error, alive)
    if pool is None:
        derive = not waits and QCoreApplication.instance() is not None
        pool = _own_pool(_derive, DERIVE_THREADS) if derive else _the_pool()
    pool.start(_Task(fn, _the_dispatcher(), token))
    beat_now()  # the UI thread's turn at the GIL, kept while this runs


_writer: list[QThreadPool] = []


def write_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    parent: QObject | None = None,
) -> None:
    """A store write a gesture asked for (approve, say), off the UI thread: one writer
    thread, so writes land one at a time in the order they were asked for — the page shows
    the result at once and hears when it is stored."""
    run_in_background(fn, on_done, on_error, parent=parent, pool=_own_pool(_writer, 1))


def finish_writes(timeout_ms: int = 10_000) -> bool:
    """On quit: wait for the writes asked for (nothing a user did is lost)."""
    if not _writer:
        return True
    try:
        return _writer[0].waitForDone(timeout_ms)
    except RuntimeError:  # its application is gone (tests make several): nothing queued
        _writer.clear()
        return True
