"""OpenTimelineIO, loaded so that its bindings work on every thread, every time.

OTIO's C++ bindings are built with pybind11, which remembers the Python thread state of the
thread that first loads any pybind11 module, in that native thread's local storage, and uses
it whenever OTIO takes the GIL (its keep-alive monitor, on the first attribute set on a new
object). A job runs on a thread Qt made; PySide gives that thread a new Python thread state
for each job and frees it when the job ends, while the thread itself lives on for the next
job. Loaded first in a job, OTIO kept the freed state: the next export on that thread
acquired it — the window froze for good, or the app crashed ("Segmentation fault" in
`_core_utils.__setattr__`), one Pro Export in three on a feature-length script.

So the first load happens on a short-lived Python thread: its state lives exactly as long as
its native thread, and the record goes with it. Every module that uses OTIO imports it from
here (`from aiuteur_desktop.core.export.otio_lib import otio`).
"""

from __future__ import annotations

import importlib
import sys
import threading

__all__ = ["otio"]


def _load_on_a_python_thread() -> None:
    if "opentimelineio._otio" not in sys.modules:
        failed: list[BaseException] = []

        def load() -> None:
            try:
                importlib.import_module("opentimelineio")
            except BaseException as exc:  # handed to the caller below
                failed.append(exc)

        loader = threading.Thread(target=load, name="Load OpenTimelineIO", daemon=True)
        loader.start()
        loader.join()
        if failed:
            raise failed[0]


_load_on_a_python_thread()

import opentimelineio as otio  # noqa: E402  (loaded above, on its own thread)
