"""The twelve pipeline stages (PRD §3–4) and where their lock markers live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from aiuteur_desktop.core.store.status import fragment_hash, split_key


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    purpose: str

    @property
    def lock_path(self) -> str:
        return f"stage{self.number}/lock"


PHASE_A = (
    Stage(1, "Input", "Project parameters, style and the story you bring in."),
    Stage(2, "Treatment", "Three prose treatments to choose from and refine."),
    Stage(3, "Beat Sheet", "The structural anchor: 15–30 editable beats."),
    Stage(4, "Master Script", "The descriptive screenplay, scene by scene."),
    Stage(5, "Assets & Style", "Characters, props and locations with locked image keys."),
)

PHASE_B = (
    Stage(6, "Script Hub", "Pick a scene and see its status."),
    Stage(7, "Shot List", "Break the scene into timed shots."),
    Stage(8, "Visuals", "Scene instances of every asset."),
    Stage(9, "Prompts", "Frame and video prompts per shot."),
    Stage(10, "Frames", "Start and end anchor frames."),
    Stage(11, "Confirm", "Check cost and freeze the scene."),
    Stage(12, "Video", "Render, review and iterate."),
)

ALL = PHASE_A + PHASE_B


class _Reader(Protocol):
    def read(self, path: str, *, branch: str | None = None) -> object | None: ...


def _lock(project: _Reader, stage: Stage, branch: str | None) -> dict[str, Any] | None:
    doc = project.read(stage.lock_path, branch=branch)
    return doc if isinstance(doc, dict) and doc.get("locked") else None


def _holds(project: _Reader, lock: dict[str, Any], branch: str | None) -> bool:
    """A lock that names what it approved (`of`: {path#fragment: hash}) holds only while that
    is unchanged: an edit lets it lapse, undoing the edit brings it back."""
    for key, digest in (lock.get("of") or {}).items():
        path, fragment = split_key(key)
        doc = project.read(path, branch=branch)
        if doc is None or fragment is None or fragment_hash(doc, fragment) != digest:
            return False
    return True


def is_locked(project: _Reader, stage: Stage, *, branch: str | None = None) -> bool:
    lock = _lock(project, stage, branch)
    return lock is not None and _holds(project, lock, branch)


def lapsed(project: _Reader, stage: Stage, *, branch: str | None = None) -> bool:
    """The stage was locked, and what it locked has been edited since."""
    lock = _lock(project, stage, branch)
    return lock is not None and not _holds(project, lock, branch)


def is_skipped(project: _Reader, stage: Stage, *, branch: str | None = None) -> bool:
    """The project does without this stage (Mode D skips the treatment and beat sheet)."""
    doc = project.read(stage.lock_path, branch=branch)
    return isinstance(doc, dict) and bool(doc.get("skipped"))


def count_locked(project: _Reader, *, branch: str | None = None) -> int:
    """How many Phase A stages are locked on a branch (the dashboard progress meter); a
    skipped stage is not counted as done."""
    return sum(
        1
        for s in PHASE_A
        if is_locked(project, s, branch=branch) and not is_skipped(project, s, branch=branch)
    )


def count_skipped(project: _Reader, *, branch: str | None = None) -> int:
    return sum(1 for s in PHASE_A if is_skipped(project, s, branch=branch))


#: Which stage produces the artifacts under each part of a scene (`scenes/<id>/<part>/…`).
_SCENE_PARTS = {
    "scene": 6,
    "shots": 7,
    "assets": 8,
    "prompts": 9,
    "frames": 10,
    "confirm": 11,
    "videos": 12,
    "voices": 12,  # the dialogue spoken in cloud voices
}


def stage_of(path: str) -> Stage | None:
    """The stage an artifact path belongs to (for the Artifact Vault's grouping)."""
    parts = path.split("/")
    head = parts[0]
    if head.startswith("stage") and head[5:].isdigit():
        number = int(head[5:])
    elif head == "assets":
        number = 5
    elif head == "scenes" and len(parts) >= 3:
        number = _SCENE_PARTS.get(parts[2], 6)
    else:
        return None
    return next((s for s in ALL if s.number == number), None)
