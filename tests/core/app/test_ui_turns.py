"""Workers give the UI thread its turn at the GIL (core/app/ui_turns.py): a worker about to run
a SQL statement steps aside when the UI thread's beat is stale — never on the UI thread, never
without a UI (the command line), never while the UI thread beats."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import ui_turns
from aiuteur_desktop.core.store import Project


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The pauses workers take, recorded instead of slept; the UI's state restored after."""
    taken: list[float] = []
    saved = (ui_turns._last[0], ui_turns._ui[0])
    monkeypatch.setattr(ui_turns.time, "sleep", taken.append)
    yield taken
    ui_turns._last[0], ui_turns._ui[0] = saved


def on_worker(fn) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # surfaced in the test
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert not errors, errors


def test_a_worker_steps_aside_only_while_the_ui_threads_beat_is_stale(
    steps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a beat counts as fresh for half a second here: a busy machine may take some
    # milliseconds to start the worker thread after the beat)
    monkeypatch.setattr(ui_turns, "STALE_S", 0.5)
    ui_turns.stop()  # no UI in this process: the command line, the MCP server
    on_worker(ui_turns.give_way)
    assert steps == []
    ui_turns.start(threading.get_ident())  # this thread is the UI thread, beating now
    on_worker(ui_turns.give_way)
    assert steps == []
    ui_turns._last[0] = time.monotonic() - 5  # it has not beaten for five seconds
    on_worker(ui_turns.give_way)
    assert steps and set(steps) == {ui_turns.STEP_ASIDE_S}
    ui_turns.give_way()  # the UI thread itself never waits for itself
    before = len(steps)
    ui_turns.beat()
    on_worker(ui_turns.give_way)
    assert len(steps) == before


def test_a_worker_waits_for_the_ui_thread_s_next_beat_but_never_twice_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stepping aside lasts until the UI thread beats again (several workers handing the GIL
    among themselves left it none), at most WAIT_FOR_BEAT_S; a beat already waited out is
    not waited for again (a UI thread busy in C++, or waiting for that very worker)."""
    saved = (ui_turns._last[0], ui_turns._ui[0])
    try:
        ui_turns.start(threading.get_ident())
        ui_turns._last[0] = time.monotonic() - 1
        took: list[float] = []

        def timed() -> None:
            t = time.monotonic()
            ui_turns.give_way()
            took.append(time.monotonic() - t)

        # The UI thread beats 5 ms after the worker began to wait: the worker goes on then
        # (long before its limit, set high here: a busy machine may start a timer late).
        monkeypatch.setattr(ui_turns, "WAIT_FOR_BEAT_S", 5.0)
        beaten: list[float] = []

        def beat() -> None:
            beaten.append(time.monotonic())
            ui_turns.beat()

        ui_turns._last[0] = time.monotonic() - 1
        threading.Timer(0.005, beat).start()
        on_worker(timed)
        ended = time.monotonic()
        assert beaten and took[-1] < 2.5  # until the beat, not until the limit
        assert ended >= beaten[0]
        # Nobody beats: the worker waits WAIT_FOR_BEAT_S once, then not again for that beat.
        monkeypatch.setattr(ui_turns, "WAIT_FOR_BEAT_S", 0.05)
        ui_turns._last[0] = time.monotonic() - 1

        def twice() -> None:
            timed()
            timed()

        on_worker(twice)
        assert took[-2] >= 0.045
        assert took[-1] < 0.02
    finally:
        ui_turns._last[0], ui_turns._ui[0] = saved


def test_every_store_statement_of_a_worker_is_a_point_to_give_way(
    steps: list[float], tmp_path: Path
) -> None:
    project = Project.create(tmp_path, "Film")
    try:
        project.write("notes/one.json", {"text": "rain"})
        ui_turns.start(threading.get_ident())
        ui_turns._last[0] = time.monotonic() - 1
        read: list[object] = []
        on_worker(lambda: read.append(project.read("notes/one.json")))
        assert read == [{"text": "rain"}]
        assert steps, "a worker's store read did not give way to a waiting UI thread"
        steps.clear()
        ui_turns.stop()
        on_worker(lambda: project.read("notes/one.json"))
        assert steps == []
    finally:
        project.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness: Linux")
def test_a_window_s_workers_run_at_a_lower_cpu_priority_than_its_ui_thread(
    steps: list[float],
) -> None:
    def niceness_of_a_worker() -> int:
        seen: list[int] = []

        def work() -> None:
            ui_turns.worker_started()
            ui_turns.worker_started()  # (once per thread, however many tasks it runs)
            seen.append(os.nice(0))

        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        return seen[0]

    mine = os.nice(0)
    ui_turns.stop()  # no window (the command line): workers at full priority
    assert niceness_of_a_worker() == mine
    ui_turns.start(threading.get_ident())
    assert niceness_of_a_worker() == min(19, mine + ui_turns.WORKER_NICENESS)
    ui_turns.worker_started()  # on the UI thread: nothing
    assert os.nice(0) == mine
