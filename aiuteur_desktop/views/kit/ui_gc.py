"""Python's cyclic garbage collector run on the UI thread only.

Left automatic, a collection runs on whichever thread allocates when a threshold is passed —
often a worker building a request or importing an SDK. If the garbage then holds a Qt
object (a closed dialog in a reference cycle, a lambda-connected widget), its C++ side is
destroyed on that worker while the UI thread is using Qt: a crash seen as a segmentation
fault in the event loop with a worker deep in pure Python at the time. So automatic
collection is off once the app runs, and a timer on the UI thread collects by the same
thresholds instead (reference counting still frees everything that is not in a cycle at
once, on any thread). When the oldest generation grows large, it is frozen instead of
scanned (`gc.freeze`): a cycle among those objects that becomes garbage later is kept until
the app quits — the price of never scanning a feature film's live objects while the user
works.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

#: How often the UI thread looks at the collector's counts. (50 ms was tried: a pause grows
#: with what workers allocated since the last, but on the feature benchmark the longest
#: stalls were no shorter — 136–167 ms against 107–155 ms in Quick mode — so it stays.)
EVERY_MS = 250
#: Past this many objects in the oldest generation, a full collection is replaced by
#: freezing them (`gc.freeze`): a full pass over ~100,000 objects costs ~20 ms here.
LONG_LIVED = 100_000

_installed: list[_Collector] = []


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(EVERY_MS)

    def collect(self) -> None:
        """What an automatic collection would do now: the youngest generation past its
        threshold, and the older ones as their own thresholds say."""
        counts, limits = gc.get_count(), gc.get_threshold()
        if counts[0] <= limits[0]:
            return
        generation = 0
        if counts[1] > limits[1]:
            generation = 2 if counts[2] > limits[2] else 1
        if generation == 2 and len(gc.get_objects(2)) > LONG_LIVED:
            # A feature film's scenes and pages are long-lived: a full pass over them took
            # 100–200 ms, every few seconds of work. The young generations are collected
            # and what is old is frozen — the next full passes scan only what came since.
            gc.collect(1)
            gc.freeze()
            return
        gc.collect(generation)


def collect_on_ui_thread() -> None:
    """Install the UI-thread collector (once; from the UI thread, with the app made)."""
    app = QCoreApplication.instance()
    if _installed or app is None or QThread.currentThread() is not app.thread():
        return
    collector = _Collector()
    collector.moveToThread(app.thread())
    _installed.append(collector)
    gc.disable()
