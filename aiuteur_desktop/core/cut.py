"""The editor's cut of a Story Timeline (issue "Pro Export, project archive, and conform"):
the shot order, in-points and durations an editor chose in Resolve or Premiere, brought
back by conform and kept at `edit/cut` on the branch it made.

It is an editorial layer over the script, not a rewrite of it: the shot lists, takes and
frames stay as they were, shots the editor dropped are listed as omitted (never deleted),
and Pro Export follows the cut — so exporting again reproduces the editor's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.store import Project

PATH = "edit/cut"


@dataclass(frozen=True)
class Entry:
    """One clip of the cut: a shot, from frame `first` of its clip, for `frames` frames."""

    scene_id: str
    shot_id: str
    first: int
    frames: int

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.scene_id,
            "shot": self.shot_id,
            "first": self.first,
            "frames": self.frames,
        }


@dataclass(frozen=True)
class Cut:
    source: str  # the editor's file it came from
    fps: int
    entries: tuple[Entry, ...]
    omitted: tuple[tuple[str, str], ...] = field(default=())  # (scene id, shot id)
    made_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "fps": self.fps,
            "made_at": self.made_at,
            "entries": [e.to_json() for e in self.entries],
            "omitted": [{"scene": s, "shot": h} for s, h in self.omitted],
        }


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def read(project: Project, branch: str | None = None) -> Cut | None:
    """The branch's cut, or None before any conform (a damaged document reads as none)."""
    doc = project.read(PATH, branch=branch)
    if not isinstance(doc, dict):
        return None
    entries = []
    for e in doc.get("entries") or ():
        if isinstance(e, dict) and e.get("scene") and e.get("shot"):
            frames = _int(e.get("frames"))
            if frames > 0:
                entries.append(
                    Entry(str(e["scene"]), str(e["shot"]), max(0, _int(e.get("first"))), frames)
                )
    omitted = tuple(
        (str(o["scene"]), str(o["shot"]))
        for o in doc.get("omitted") or ()
        if isinstance(o, dict) and o.get("scene") and o.get("shot")
    )
    return Cut(
        str(doc.get("source") or ""),
        _int(doc.get("fps"), 24) or 24,
        tuple(entries),
        omitted,
        float(doc.get("made_at") or 0.0),
    )


def write(project: Project, cut: Cut) -> None:
    project.write(PATH, cut.to_json())
