"""Python's cyclic garbage collector run on the UI thread only, in small steps.

Left automatic, a collection runs on whichever thread allocates when a threshold is passed —
often a worker building a request or importing an SDK. If the garbage then holds a Qt
object (a closed dialog in a reference cycle, a lambda-connected widget), its C++ side is
destroyed on that worker while the UI thread is using Qt: a crash seen as a segmentation
fault in the event loop with a worker deep in pure Python at the time. So automatic
collection is off once the app runs, and a timer on the UI thread collects instead
(reference counting still frees everything that is not in a cycle at once, on any thread).

A collection's pause grows with the objects it scans. Left to CPython's generations, the
middle and oldest passes rescan everything a feature film's scenes and pages keep alive:
39–47 ms for a middle pass, 100–200 ms for a full one, measured here while Stage 10 made
frames. So every 50 ms the youngest objects — what was made since the last look — are
collected and the survivors frozen (`gc.freeze`): no pass while work goes on scans an
object twice. What those survivors later leave in cycles is collected by one full pass
when the process has been quiet (next to nothing allocated, and no worker of the app
running: an export drawing in its own process allocates little here, yet a full pass —
80–160 ms with a feature open — would stall its progress) for a few seconds — or, if
it never is, once Python's memory in use has doubled (and grown by eight million blocks)
since the last full pass, so memory stays bounded. (Counting what was made instead forced a
full pass, 80–300 ms with a feature open, every 20 million objects: several times in a long
batch of frames, whose objects nearly all die young.) A look that finds a burst of new
survivors (a worker filling a cache) freezes them unscanned.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer

from aiuteur_desktop.core.app import ui_turns

#: How often the UI thread collects what was made since (a young pass: a few ms at most).
EVERY_MS = 50
#: Fewer new objects than this since the last look counts as a quiet moment.
QUIET_NEW = 400
#: A full pass waits for this many quiet looks in a row (3 s).
QUIET_LOOKS = 60
#: …and is worth it only once this many objects were made since the last one.
FULL_AFTER = 100_000
#: Without a quiet moment, the full pass runs anyway once Python's memory in use (its
#: blocks) has grown this many times over since the last one, and by FULL_GROWN blocks.
FULL_GROWTH = 2.0
FULL_GROWN = 8_000_000  # (a block is 16–512 bytes: some hundreds of MB)
#: More new objects than this at a look are frozen without a young pass.
BIG_YOUNG = 50_000

_installed: list[_Collector] = []
#: Whether the app's workers are busy (thread pools' active counts): no quiet full pass then.
_busy_checks: list[Callable[[], bool]] = []


def hold_full_pass_while(busy: Callable[[], bool]) -> None:
    """`busy()` true means work is going on: the quiet full pass waits for it to end. A check
    whose Qt object is gone (RuntimeError) is dropped."""
    _busy_checks.append(busy)


def _busy() -> bool:
    for check in list(_busy_checks):
        try:
            if check():
                return True
        except RuntimeError:  # its pool was deleted (tests make many runners)
            _busy_checks.remove(check)
    return False


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.made = 0  # objects made since the last full pass (young counts summed)
        self.quiet = 0  # quiet looks in a row
        self.full_passes = 0
        # Python's memory blocks in use after the last full pass (`sys.getallocatedblocks`
        # sums its arenas: microseconds; `gc.get_freeze_count` walks every frozen object,
        # tens of milliseconds with a feature open).
        self.blocks_after = sys.getallocatedblocks()
        self.beat: QTimer | None = None  # the UI thread's beat, while workers run
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(EVERY_MS)

    def collect(self) -> None:
        new = gc.get_count()[0]
        self.made += max(0, new)
        busy = _busy()
        self.beat_while(busy)
        # Quiet: next to nothing allocated and no worker running, look after look.
        self.quiet = self.quiet + 1 if new < QUIET_NEW and not busy else 0
        after, blocks = self.blocks_after, sys.getallocatedblocks()
        grown = blocks > max(after * FULL_GROWTH, after + FULL_GROWN)
        if grown or (self.made > FULL_AFTER and self.quiet >= QUIET_LOOKS):
            self.collect_all()
        elif new > BIG_YOUNG:
            # A burst of survivors (a worker filling a cache): frozen unscanned — a young
            # pass over them costs 50–100 ms and finds little; their garbage waits for a
            # full pass, which the memory bound above brings if it grows.
            gc.freeze()
        elif new > gc.get_threshold()[0]:
            gc.collect(0)
            gc.freeze()

    def beat_while(self, busy: bool) -> None:
        """The UI thread beats (ui_turns) only while workers run: an idle app is not woken
        250 times a second."""
        beat = self.beat
        if beat is None:
            return
        if busy and not beat.isActive():
            ui_turns.beat()
            beat.start()
        elif not busy and beat.isActive():
            beat.stop()
            ui_turns.rest()

    def collect_all(self) -> None:
        """One full pass over everything, the frozen included; what lives is frozen again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.made = 0
        self.blocks_after = sys.getallocatedblocks()
        self.full_passes += 1


def beat_now() -> None:
    """Work was just handed to a worker (from the UI thread): beat from now on, not from the
    collector's next look (up to 50 ms later)."""
    c = collector()
    if c is not None and threading.get_ident() == ui_turns.ui_thread():
        c.beat_while(True)


def collector() -> _Collector | None:
    return _installed[0] if _installed else None


def collect_on_ui_thread() -> None:
    """Install the UI-thread collector (once; from the UI thread, with the app made)."""
    app = QCoreApplication.instance()
    if _installed or app is None or QThread.currentThread() is not app.thread():
        return
    collector = _Collector()
    collector.moveToThread(app.thread())
    _installed.append(collector)
    gc.disable()
    # The UI thread's beat, which workers read to give it its turn at the GIL (ui_turns):
    # started by the next look that finds a worker running.
    ui_turns.start(threading.get_ident())
    collector.beat = QTimer(collector)
    collector.beat.setTimerType(Qt.TimerType.PreciseTimer)
    collector.beat.setInterval(ui_turns.BEAT_MS)
    collector.beat.timeout.connect(ui_turns.beat)
