"""The session (DESIGN.md "Operations, jobs and the session"): the open project, its Story
Timeline and the scene picked in the Script Hub, as one observable model. Pages subscribe to
it and refresh only what an event names; no page reaches into another to tell it.

Qt-free: listeners are plain callables, called on the thread that reports the change (the
UI thread, in the app).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiuteur_desktop.core.operations import Changes
from aiuteur_desktop.core.store import Project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """What changed: documents (`changes`), or which project, timeline or scene is current."""

    changes: Changes = field(default_factory=Changes)
    project: bool = False
    branch: bool = False
    scene: bool = False


Listener = Callable[[Event], None]


class Session:
    def __init__(self) -> None:
        self.project: Project | None = None
        self.scene: str | None = None
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every event from now on; returns the way to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken page must not stop the others hearing it
                log.exception("a session listener failed on %s", event)

    # --------------------------------------------------------------- changes
    def open(self, project: Project | None) -> None:
        self.project, self.scene = project, None
        self._emit(Event(project=True, scene=True))

    def select_scene(self, scene: str | None) -> None:
        if scene != self.scene:
            self.scene = scene
            self._emit(Event(scene=True))

    def branch_switched(self) -> None:
        self._emit(Event(branch=True))

    def changed(self, changes: Changes) -> None:
        """Documents changed (an operation's result, a hand edit saved)."""
        if changes:
            self._emit(Event(changes=changes))
