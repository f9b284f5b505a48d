"""Qt objects left in reference cycles are freed on the UI thread, never on a worker whose
allocations happen to pass the collector's threshold (a segmentation fault in the event
loop, seen in CI)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt

from aiuteur_desktop.views.app import ensure_app
from aiuteur_desktop.views.kit.ui_gc import collect_on_ui_thread


class Holder:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it
        self.qt = QObject()


def test_a_cycle_holding_a_qt_object_is_freed_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    ensure_app()
    collect_on_ui_thread()
    assert not gc.isenabled()  # no collection may start on a worker
    freed_on: list[int] = []
    holder = Holder()
    holder.qt.destroyed.connect(
        lambda *_: freed_on.append(threading.get_ident()), Qt.ConnectionType.DirectConnection
    )
    del holder

    def allocate() -> None:  # far past every threshold, with cycles of its own
        for _ in range(200_000):
            a: list = []
            a.append(a)

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert freed_on == []  # the worker collected nothing
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
    assert freed_on == [threading.main_thread().ident]
