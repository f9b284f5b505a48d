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

from aiuteur_desktop.core.production.shots.timing import Shot
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


@dataclass(frozen=True)
class Placed:
    """A shot as the cut shows it: from frame `first` of its clip for `frames` frames
    (`frames` 0: the whole shot, as the script times it)."""

    shot: Shot
    first: int = 0
    frames: int = 0


@dataclass(frozen=True)
class Arranged:
    """The film as a Story Timeline shows it: the editor's cut where there is one."""

    placed: tuple[Placed, ...]
    omitted: tuple[Shot, ...] = ()
    source: str = ""  # the editor's file ("": no cut, the script's order)
    fps: int = 24

    @property
    def shots(self) -> list[Shot]:
        return [p.shot for p in self.placed]

    def seconds(self, p: Placed) -> float:
        return p.frames / self.fps if p.frames else float(p.shot.duration)


def arrange(rows: list[Shot], edit: Cut | None) -> Arranged:
    """`rows` (the script's order) in the cut's order, in-points and lengths, without the
    shots it omits; shots made since the cut come after, in script order."""
    if edit is None:
        return Arranged(tuple(Placed(s) for s in rows))
    by_key = {(s.scene_id, s.id): s for s in rows}
    placed = [
        Placed(by_key[(e.scene_id, e.shot_id)], e.first, e.frames)
        for e in edit.entries
        if (e.scene_id, e.shot_id) in by_key
    ]
    seen = {(e.scene_id, e.shot_id) for e in edit.entries}
    gone = set(edit.omitted) - seen
    placed += [Placed(s) for s in rows if (s.scene_id, s.id) not in seen | gone]
    omitted = tuple(s for s in rows if (s.scene_id, s.id) in gone)
    return Arranged(tuple(placed), omitted, edit.source, edit.fps)


def film(project: Project, branch: str | None = None) -> Arranged:
    """The branch's film as its timeline shows it (what `shots`, `animatic`, Stage 7, the
    Script Hub and Stage 12 follow)."""
    from aiuteur_desktop.core.production.shots import shot_list

    return arrange(shot_list.film(project, branch), read(project, branch))
