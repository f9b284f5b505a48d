"""Python's cyclic garbage collector held off through a burst of allocation.

Building a long timeline makes tens of thousands of container objects (XML elements, OTIO
wrappers) that are all still alive when the collector's thresholds pass, so each automatic
collection walks every object the process has — a tenth of a 600-shot export's time, for
nothing found. Reference counting still frees everything at once; cycles made meanwhile are
collected by the next collection after. (Mercurial holds its collector off the same way
while it reads a large index.) In the app automatic collection is already off
(`views/kit/ui_gc.py`): this then changes nothing.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Automatic collection off inside, as it was after the last one leaves (nestable, and
    from several threads at once)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
