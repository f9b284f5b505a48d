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
from typing import Any

from aiuteur_desktop.core.store import Project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Changes:
    """What an operation changed: the pages showing any of it refresh, nothing else."""

    paths: tuple[str, ...] = ()
    stages: tuple[int, ...] = ()
    scenes: tuple[str, ...] = ()
    commit: str | None = None  # the new head, when the operation committed
    library: tuple[str, ...] = ()  # app-library parts: "assets", "written", "visual"

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            tuple(dict.fromkeys(self.paths + other.paths)),
            tuple(dict.fromkeys(self.stages + other.stages)),
            tuple(dict.fromkeys(self.scenes + other.scenes)),
            other.commit or self.commit,
            tuple(dict.fromkeys(self.library + other.library)),
        )

    def __bool__(self) -> bool:
        return bool(self.paths or self.stages or self.scenes or self.commit or self.library)

    def to_json(self) -> dict[str, Any]:
        return {
            "paths": list(self.paths),
            "stages": list(self.stages),
            "scenes": list(self.scenes),
            "commit": self.commit,
            "library": list(self.library),
        }

    @classmethod
    def from_json(cls, data: Any) -> Changes:
        if not isinstance(data, dict):
            return cls()
        return cls(
            tuple(str(p) for p in data.get("paths") or ()),
            tuple(int(s) for s in data.get("stages") or ()),
            tuple(str(s) for s in data.get("scenes") or ()),
            data.get("commit"),
            tuple(str(x) for x in data.get("library") or ()),
        )


def changes_of_commit(project: Project, commit_id: str) -> Changes:
    """What a commit changed from its first parent (another member's, heard from the
    studio's server): its documents, their stages and scenes. Reads two trees: off the UI
    thread."""
    from aiuteur_desktop.core.store import stages

    commit = project.commit_by_id(commit_id)
    if not commit.parents:
        return Changes(commit=commit_id)
    paths = tuple(project.diff(commit.parents[0], commit_id))
    numbers = {s.number for p in paths if (s := stages.stage_of(p)) is not None}
    scenes = {p.split("/")[1] for p in paths if p.startswith("scenes/") and p.count("/") >= 2}
    return Changes(paths, tuple(sorted(numbers)), tuple(sorted(scenes)), commit_id)


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
