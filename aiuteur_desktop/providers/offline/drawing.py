"""The offline engines' drawing in a process of its own (issue "A feature film's screenplay, at
the speed of a short"): an anchor frame or an animatic clip is drawn there, so the Python
that composes its pictures never holds this process's GIL while the window needs it — on
two cores a Quick-mode batch drawn in-process held the window 80–200 ms at a time.

One drawing process, started on first use ("spawn": the same on every system) and kept;
calls take turns (the scheduler runs one offline job at a time anyway). Progress and Cancel
cross over through a shared number and a shared event; what the drawing raises comes back as
the same kind of error. `AIUTEUR_DRAW_IN_PROCESS=1` draws here instead (debugging), as does
the drawing process itself.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from aiuteur_desktop.core.errors import AiuteurError

#: How often a waiting call looks at Cancel and reports progress.
POLL_S = 0.02
#: The drawing process runs at this niceness (below normal on Windows): a batch of frames or
#: an export drawn in the background leaves the CPU to the window first — on two cores it
#: otherwise kept the window's thread waiting to run for tens of milliseconds at a time.
NICENESS = 10

_lock = threading.Lock()  # one drawing at a time: the event and the number are shared
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_cancel: Any = None
_progress: Any = None
_child = False  # set in the drawing process
#: Whether a drawing process has ever answered; one that cannot start (a Python started from
#: standard input has no main module to give it) means drawing here from then on.
_answered = False
_unusable = False


class Cancelled(Exception):
    """The drawing was stopped; nothing was written (`animatic.Cancelled` is this)."""


def _start(cancel: Any, progress: Any) -> None:
    """In the drawing process, once: the shared Cancel and progress; and an end with the
    app — however the app ends (a crash, a kill), the drawing process does not outlive it."""
    global _cancel, _progress, _child
    _cancel, _progress, _child = cancel, progress, True
    _in_background()
    parent = multiprocessing.parent_process()
    if parent is not None:

        def orphaned() -> None:
            parent.join()
            os._exit(0)

        threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()


def _in_background() -> None:
    """This process's CPU priority lowered (nothing to undo: it ends with the app)."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000  # BELOW_NORMAL_PRIORITY_CLASS
            kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel.SetPriorityClass(kernel.GetCurrentProcess(), below_normal)
        else:
            os.nice(NICENESS)
    except OSError:  # (a sandbox that forbids it: drawn at normal priority)
        pass


def _in_child(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run `fn` with progress and Cancel wired to the shared ones; an error comes back as
    (kind, message) — exceptions of every module are not all picklable."""
    kwargs["progress"] = lambda f: setattr(_progress, "value", float(f))
    kwargs["cancelled"] = _cancel.is_set
    try:
        return ("ok", fn(*args, **kwargs))
    except Cancelled:
        return ("cancelled", "")
    except AiuteurError as exc:
        return ("refused", exc.user_message)
    except Exception as exc:  # said in the parent as a failure of the drawing
        return ("failed", f"{type(exc).__name__}: {exc}")


def _pool_now() -> concurrent.futures.ProcessPoolExecutor:
    global _pool, _cancel, _progress
    if _pool is None:
        context = multiprocessing.get_context("spawn")
        _cancel = context.Event()
        _progress = context.Value("d", 0.0, lock=False)
        _pool = concurrent.futures.ProcessPoolExecutor(
            1, mp_context=context, initializer=_start, initargs=(_cancel, _progress)
        )
    return _pool


def _stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


atexit.register(_stop)


def here() -> bool:
    """Whether drawing happens in this process (the drawing process, or asked for)."""
    return _child or _unusable or bool(os.environ.get("AIUTEUR_DRAW_IN_PROCESS"))


def call(
    fn: Callable[..., Any],
    *args: Any,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    **kwargs: Any,
) -> Any:
    """`fn(*args, **kwargs)` drawn in the drawing process (a module-level function, its
    arguments picklable); `progress` and `cancelled` work as if it ran here. Raises
    Cancelled, AiuteurError for what the drawing refused or failed at."""
    global _answered, _unusable
    if here():
        return fn(*args, progress=progress, cancelled=cancelled, **kwargs)
    while not _lock.acquire(timeout=POLL_S):  # another drawing first
        if cancelled is not None and cancelled():
            raise Cancelled()
    try:
        kind, value = _drawn(fn, args, kwargs, progress, cancelled)
        if kind == "broken":
            if _answered:
                raise AiuteurError("The offline drawing process stopped unexpectedly; try again.")
            _unusable = True  # it never started: drawn here from now on
        else:
            _answered = True
    finally:
        _lock.release()
    if kind == "broken":
        return fn(*args, progress=progress, cancelled=cancelled, **kwargs)
    if kind == "cancelled":
        raise Cancelled()
    if kind in ("refused", "failed"):
        raise AiuteurError(value if kind == "refused" else f"The offline engine failed: {value}")
    return value


def _drawn(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    progress: Callable[[float], None] | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[str, Any]:
    """(kind, value) of one drawing in the drawing process; ("broken", None) when the
    process died or could not start."""
    pool = _pool_now()
    _cancel.clear()
    _progress.value = 0.0
    wired = dict(kwargs)  # (progress and Cancel are wired there, to the shared ones)
    try:
        future = pool.submit(_in_child, fn, args, wired)
    except RuntimeError:  # the process died (or was shut down): a new one
        _stop()
        future = _pool_now().submit(_in_child, fn, args, wired)
    while True:
        try:
            kind, value = future.result(timeout=POLL_S)
            break
        except concurrent.futures.TimeoutError:
            if cancelled is not None and cancelled():
                _cancel.set()
            if progress is not None:
                progress(_progress.value)
        except BrokenProcessPool:
            _stop()
            return "broken", None
    if progress is not None and kind == "ok":
        progress(_progress.value)  # where the drawing ended (1.0 when it says so)
    return kind, value
