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


def test_a_cycle_that_outlived_a_young_pass_is_freed_once_the_app_is_quiet(
    qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Survivors of the frequent young passes are frozen (no pass rescans them while work
    goes on); what they leave in cycles later is freed by one full pass when the process
    has been quiet — on the UI thread."""
    from aiuteur_desktop.views.kit import ui_gc

    ensure_app()
    collect_on_ui_thread()
    collector = ui_gc.collector()
    assert collector is not None
    monkeypatch.setattr(ui_gc, "QUIET_LOOKS", 4)  # 200 ms of quiet instead of 3 s
    holder = Holder()
    freed_on: list[int] = []
    holder.qt.destroyed.connect(
        lambda *_: freed_on.append(threading.get_ident()), Qt.ConnectionType.DirectConnection
    )
    passes = collector.full_passes
    frozen_before = gc.get_freeze_count()
    junk = [[i] for i in range(ui_gc.FULL_AFTER + 10)]  # much made, kept past a young pass
    qtbot.wait(2 * ui_gc.EVERY_MS + 20)
    assert gc.get_freeze_count() > frozen_before  # the survivors (the holder among them) were
    # frozen: no later young pass rescans them
    del holder, junk  # the holder's cycle is garbage now, among the frozen

    def allocate() -> None:  # a worker making cycles: still nothing collected on it
        for _ in range(50_000):
            a: list = []
            a.append(a)

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert freed_on == []
    qtbot.waitUntil(lambda: collector.full_passes > passes, timeout=5_000)
    assert freed_on == [threading.main_thread().ident]


def test_survivors_piling_up_without_a_quiet_moment_force_a_full_pass(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Memory stays bounded while work never pauses: once the frozen survivors have grown
    past the bound since the last full pass, a full pass runs (and frees their garbage);
    objects that die young, however many, never force one."""
    from aiuteur_desktop.views.kit import ui_gc

    ensure_app()
    collect_on_ui_thread()
    collector = ui_gc.collector()
    assert collector is not None
    collector.collect_all()
    monkeypatch.setattr(ui_gc, "FULL_GROWTH", 1.0)
    monkeypatch.setattr(ui_gc, "FULL_GROWN", 50_000)
    passes = collector.full_passes
    for _ in range(10):  # a million objects made and dropped, no quiet moment: no full pass
        churn = [[i] for i in range(100_000)]
        del churn
        qtbot.wait(ui_gc.EVERY_MS + 10)
    assert collector.full_passes == passes
    holder = Holder()
    freed: list[bool] = []
    holder.qt.destroyed.connect(lambda *_: freed.append(True), Qt.ConnectionType.DirectConnection)
    kept = [[i] for i in range(60_000)]  # survivors: frozen by the next young pass
    del holder  # garbage among them, in a cycle
    busy: list[list[int]] = []
    for _ in range(20):  # still busy: never quiet for long
        busy.append(list(range(1000)))
        qtbot.wait(ui_gc.EVERY_MS)
        if collector.full_passes > passes:
            break
    assert collector.full_passes > passes and freed == [True]
    assert len(kept) == 60_000


def test_the_quiet_full_pass_waits_while_the_apps_workers_run(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A long export allocates little here (it draws in its own process), so the app looks
    quiet; a full pass then (80–160 ms with a feature open) would stall its progress. It
    waits for the workers to finish."""
    from aiuteur_desktop.views.kit import ui_gc

    ensure_app()
    collect_on_ui_thread()
    collector = ui_gc.collector()
    assert collector is not None
    monkeypatch.setattr(ui_gc, "QUIET_LOOKS", 3)
    monkeypatch.setattr(ui_gc, "_busy_checks", [])
    working = [True]
    ui_gc.hold_full_pass_while(lambda: working[0])
    passes = collector.full_passes
    junk = [[i] for i in range(ui_gc.FULL_AFTER + 10)]
    qtbot.wait(2 * ui_gc.EVERY_MS + 20)
    del junk
    qtbot.wait(12 * ui_gc.EVERY_MS)  # quiet for four times the looks needed
    assert collector.full_passes == passes
    working[0] = False  # the export ends
    qtbot.waitUntil(lambda: collector.full_passes > passes, timeout=5_000)


def test_the_ui_thread_beats_only_while_workers_run(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The beat that workers read to give the UI thread its turn at the GIL runs while the
    app's workers do, and stops when they are done (an idle app is not woken 250 times a
    second; workers then have no one to give way to)."""
    import time

    from aiuteur_desktop.core.app import ui_turns
    from aiuteur_desktop.views.kit import ui_gc

    ensure_app()
    collect_on_ui_thread()
    collector = ui_gc.collector()
    assert collector is not None and collector.beat is not None
    monkeypatch.setattr(ui_gc, "_busy_checks", [])
    working = [True]
    ui_gc.hold_full_pass_while(lambda: working[0])
    qtbot.waitUntil(lambda: collector.beat.isActive(), timeout=2_000)
    first = ui_turns._last[0]
    assert 0 < first <= time.monotonic()
    qtbot.waitUntil(lambda: ui_turns._last[0] > first, timeout=2_000)  # beating
    working[0] = False
    qtbot.waitUntil(lambda: not collector.beat.isActive(), timeout=2_000)
    assert ui_turns._last[0] == 0.0  # resting: a worker started elsewhere does not wait
