"""Worker threads give the UI thread its turn at the GIL.

CPython hands the GIL to a waiting thread only when the holder has kept it a whole switch
interval without letting go. A worker reading the store lets go for every SQLite call and
takes it straight back — microseconds later, before the waiting UI thread has even woken —
so the waiter's interval never runs out unbroken and it never asks for its turn: a page
derived on a worker held the window 60–120 ms on a feature film (measured with `perf`: the
UI thread asleep on the GIL's futex for all but a few milliseconds of the stall).

So the UI thread beats (a timer, every few milliseconds, while the app's workers run), and a worker
about to let go anyway (before each SQL statement: `before_query`, listened to on the
project's and the library's engines) first checks the beat: when the UI thread
has not beaten for a while it is either busy or waiting for the GIL, and the worker steps
aside for a fraction of a millisecond — long enough for the UI thread to wake and take the
GIL. Nothing happens without a UI (the command line, the MCP server) or on the UI thread.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

#: The UI thread beats this often (ms; the views' timer).
BEAT_MS = 4
#: A beat older than this means the UI thread may be waiting: workers step aside. (12 ms
#: let a gesture's first 12 ms of work share the GIL with every busy worker: opening Pro
#: Export while a scene's renders were being queued stalled 42–59 ms; at 6 ms, 32–36 ms.)
STALE_S = 0.006
#: How long a worker steps aside at a time: longer than the UI thread's wake-up, short for
#: the worker.
STEP_ASIDE_S = 0.0008
#: A worker steps aside until the UI thread beats again, for at most this long. (One step
#: alone: several workers handed the GIL among themselves and the UI thread, waiting for it,
#: went 47–79 ms without a turn while Pro Export listed a feature's shots beside a scene's
#: renders being queued.)
WAIT_FOR_BEAT_S = 0.02

#: A window's worker threads run this much nicer than its UI thread (Linux, where each
#: thread has a niceness of its own): on two cores, three workers running Python kept the
#: UI thread waiting for a core, not only for the GIL.
WORKER_NICENESS = 5

_waited = threading.local()  # a worker's beat it has waited out (see give_way)
_last = [0.0]  # monotonic time of the UI thread's last beat; 0: no UI, or it rests
_ui: list[int | None] = [None]


def start(ui_thread_ident: int) -> None:
    """The UI thread is this one (it beats once workers run)."""
    _ui[0] = ui_thread_ident


def ui_thread() -> int | None:
    return _ui[0]


def on_ui_thread() -> bool:
    """Whether this is a window's UI thread (never, without a window)."""
    return _ui[0] is not None and threading.get_ident() == _ui[0]


def stop() -> None:
    _ui[0] = None
    _last[0] = 0.0


def beat() -> None:
    _last[0] = time.monotonic()


def rest() -> None:
    """No worker runs: the UI thread stops beating, and nobody gives way until it beats
    again."""
    _last[0] = 0.0


def give_way() -> None:
    """On a worker, at a point of little consequence: let the UI thread have the GIL if it
    may be waiting for it — step aside until it beats again (a sleep releases the GIL and
    keeps this thread from taking it), for at most `WAIT_FOR_BEAT_S`. A beat this worker
    has already waited out is not waited for again: a UI thread busy in C++, or waiting for
    this very worker, never holds it up more than once."""
    last = _last[0]
    if not last or time.monotonic() - last <= STALE_S or threading.get_ident() == _ui[0]:
        return
    if getattr(_waited, "beat", None) == last:
        return
    deadline = time.monotonic() + WAIT_FOR_BEAT_S
    time.sleep(STEP_ASIDE_S)
    while _last[0] == last and time.monotonic() < deadline:
        time.sleep(STEP_ASIDE_S)
    if _last[0] == last:
        _waited.beat = last


def before_query(*_: object) -> None:
    """SQLAlchemy's before_cursor_execute: every statement is a point to give way at."""
    give_way()


_lowered = threading.local()


def worker_started() -> None:
    """On a worker thread of a window, as each task starts: the thread runs at a lower CPU
    priority than the UI thread from now on (once per thread; nothing without a UI — the
    command line and the MCP server run their work at full priority)."""
    if getattr(_lowered, "done", False) or _ui[0] is None or threading.get_ident() == _ui[0]:
        return
    _lowered.done = True
    if sys.platform.startswith("linux"):  # (elsewhere nice() would slow the whole app)
        with contextlib.suppress(OSError):  # (a sandbox may refuse: full priority then)
            os.nice(WORKER_NICENESS)  # Linux: this thread only
