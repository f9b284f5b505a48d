"""The collector pause a long export takes: off inside, as it was after — whoever nests it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from aiuteur_desktop.core.app import collector


@pytest.fixture
def automatic() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_pause_holds_automatic_collection_off_and_gives_it_back(automatic: None) -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one still holds it
    assert gc.isenabled()


def test_pause_leaves_collection_off_where_the_app_turned_it_off(automatic: None) -> None:
    gc.disable()  # as views/kit/ui_gc.py does once the app runs
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_pauses_on_two_threads_overlapping_give_it_back_once_both_end(automatic: None) -> None:
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector.paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with collector.paused():
        pass
    assert not gc.isenabled()  # the other thread's export is still running
    leave.set()
    thread.join(5)
    assert gc.isenabled()
