"""Stage 12 · Review (PRD §4.7, §9.7): the scene cut together from its takes, issues filed
on a shot at a timecode, and the way back upstream.

**Failure attribution** is deterministic: the issue's kind says where such problems are
made, and what is known about the shot refines it — Stage 10's drift flags, and whether
what the take was rendered from has changed since. A text model may refine the reason
later; the route never depends on one. The routes are the PRD's: Complete Scene (back to
the Script Hub), Return to Stage 10 (the shot's frames; its re-render will be charged
again, shown with its price) and Return to Stage 7 (the shot list; what it would outdate is
shown first by `cascade`). Issues live in `scenes/<id>/review`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production import checkout, frames, takes
from aiuteur_desktop.core.production import cut as edit_cut
from aiuteur_desktop.core.production import prompts as prompt_sets
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import StatusDeriver, inputs_of
from aiuteur_desktop.core.story import master_script

VISUAL, TIMING, AUDIO, NARRATIVE = "visual", "timing", "audio", "narrative"
KINDS = {
    VISUAL: "Visual continuity",
    TIMING: "Timing",
    AUDIO: "Dialogue / audio",
    NARRATIVE: "Narrative structure",
}
COMPLETE, FRAMES, SHOT_LIST, PROMPTS, VISUALS = 12, 10, 7, 9, 8
ROUTES = {
    COMPLETE: "Complete Scene",
    FRAMES: "Return to Stage 10 · Frames",
    SHOT_LIST: "Return to Stage 7 · Shot List",
    PROMPTS: "Return to Stage 9 · Prompts",
    VISUALS: "Return to Stage 8 · Visuals",
}
MAX_NOTE = 4000


def path(scene_id: str) -> str:
    return f"scenes/{scene_id}/review"


# --------------------------------------------------------------------- the cut
@dataclass(frozen=True)
class Clip:
    """One shot's place in the scene's cut."""

    shot: str
    label: str
    duration: float  # the shot's planned seconds (the player reads the file's own)
    take: takes.Take | None  # None: not rendered yet
    takes: tuple[takes.Take, ...]
    #: The editor's cut of this Story Timeline: where in the take it begins and how long it
    #: plays, in seconds (0 and None without a cut: the whole take).
    first: float = 0.0
    length: float | None = None

    @property
    def media(self) -> str | None:
        return self.take.media if self.take is not None else None


def _arranged(project: Project, scene_id: str) -> edit_cut.Arranged:
    return edit_cut.arrange(shot_list.current(project, scene_id), edit_cut.read(project))


def omitted(project: Project, scene_id: str) -> list[str]:
    """The scene's shots the editor's cut of this Story Timeline dropped (labels)."""
    return [s.label for s in _arranged(project, scene_id).omitted]


def cut(project: Project, scene_id: str) -> list[Clip]:
    """The scene's shots in order — the editor's cut's order, without the shots it dropped,
    where the Story Timeline has one — each with the take in use."""
    out = []
    film = _arranged(project, scene_id)
    for placed in film.placed:
        shot = placed.shot
        all_takes = tuple(takes.of(project, scene_id, shot.id))
        out.append(
            Clip(
                shot=shot.id,
                label=shot.label,
                duration=float(shot.duration),
                take=takes.current(project, scene_id, shot.id),
                takes=all_takes,
                first=placed.first / film.fps,
                length=placed.frames / film.fps if placed.frames else None,
            )
        )
    return out


# ---------------------------------------------------------------------- issues
@dataclass(frozen=True)
class Route:
    stage: int  # COMPLETE, FRAMES, SHOT_LIST, PROMPTS or VISUALS
    reason: str

    @property
    def label(self) -> str:
        return ROUTES[self.stage]


@dataclass(frozen=True)
class Issue:
    id: str
    shot: str
    kind: str
    at: float  # seconds into the scene's cut
    note: str
    route: Route
    filed_at: float
    resolved: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "shot": self.shot,
            "kind": self.kind,
            "at": self.at,
            "note": self.note,
            "route": {"stage": self.route.stage, "reason": self.route.reason},
            "filed_at": self.filed_at,
            "resolved": self.resolved,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Issue:
        r = d.get("route") or {}
        return cls(
            id=str(d["id"]),
            shot=str(d["shot"]),
            kind=str(d.get("kind") or VISUAL),
            at=float(d.get("at") or 0.0),
            note=str(d.get("note") or ""),
            route=Route(int(r.get("stage") or FRAMES), str(r.get("reason") or "")),
            filed_at=float(d.get("filed_at") or 0.0),
            resolved=bool(d.get("resolved")),
        )


def _content(project: Project, scene_id: str) -> dict[str, Any]:
    doc = project.read(path(scene_id))
    return artifacts.content_of(doc) if isinstance(doc, dict) else {}


def issues(project: Project, scene_id: str) -> list[Issue]:
    return [Issue.from_json(d) for d in _content(project, scene_id).get("issues") or ()]


def is_complete(project: Project, scene_id: str) -> bool:
    return bool(_content(project, scene_id).get("complete"))


def _changed_since_take(project: Project, scene_id: str, shot_id: str) -> list[str]:
    """The inputs of this shot's confirmation that changed since (input keys)."""
    deriver = StatusDeriver(project, project.branch().draft)
    out = []
    for key in deriver.changed_inputs(checkout.path(scene_id)):
        base, _, fragment = key.partition("#")
        parts = base.split("/")
        if fragment == f"shots/{shot_id}" or (len(parts) > 3 and parts[3] == shot_id):
            out.append(key)
    return out


def attribute(project: Project, scene_id: str, shot_id: str, kind: str) -> Route:
    """The stage an issue of `kind` on this shot most likely comes from, and why."""
    if kind not in KINDS:
        raise GateClosed(f"An issue is one of: {', '.join(KINDS.values())}.")
    label = takes.label_of(project, scene_id, shot_id)
    changed = _changed_since_take(project, scene_id, shot_id)
    if any("#shots/" in k for k in changed):
        return Route(
            SHOT_LIST,
            f"Shot {label} changed in the shot list after this take was rendered: the take is "
            "from the old breakdown.",
        )
    if kind == VISUAL:
        start = next(
            (
                s
                for s in frames.slots(project, scene_id)
                if s.shot == shot_id and s.which == "start"
            ),
            None,
        )
        flags: list[str] = []
        if start is not None and start.made:
            flags = list((frames.drift_of(project, scene_id, start) or {}).get("flags") or ())
        if flags:
            return Route(
                FRAMES,
                f"The start frame of shot {label} was flagged in Stage 10 ({'; '.join(flags)}): "
                "regenerate the anchor frames, then render again.",
            )
        return Route(
            FRAMES,
            f"What a shot looks like comes from its anchor frames: regenerate the frames of "
            f"shot {label} in Stage 10, then render again.",
        )
    if kind == AUDIO:
        pset = prompt_sets.one(project, scene_id, shot_id)
        if pset.manual_video:
            return Route(
                PROMPTS,
                f"The video prompt of shot {label} was edited by hand, and it carries the "
                "dialogue and sound the render speaks: check it in Stage 9.",
            )
        return Route(
            SHOT_LIST,
            f"Dialogue and sound are written in the shot list: fix the lines of shot {label} "
            "in Stage 7 (its prompts and frames follow).",
        )
    if kind == TIMING:
        return Route(
            SHOT_LIST,
            f"A shot's length and pacing are set in the shot list: re-time shot {label} in "
            "Stage 7.",
        )
    return Route(
        SHOT_LIST,
        f"The scene's structure is its shot list: split, merge or reorder around shot {label} "
        "in Stage 7.",
    )


def file_issue(
    project: Project, scene_id: str, shot_id: str, kind: str, at: float, note: str
) -> Issue:
    """Record an issue on a shot at a timecode, with its attributed route (a commit)."""
    if shot_id not in {s.id for s in shot_list.current(project, scene_id)}:
        raise GateClosed("That shot is not in this scene's shot list.")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise GateClosed(f"A note is at most {MAX_NOTE:,} characters.")
    issue = Issue(
        id=uuid.uuid4().hex[:10],
        shot=shot_id,
        kind=kind,
        at=max(0.0, float(at)),
        note=note,
        route=attribute(project, scene_id, shot_id, kind),
        filed_at=time.time(),
    )
    content = _content(project, scene_id)
    content["issues"] = [*(content.get("issues") or ()), issue.to_json()]
    content["complete"] = False
    project.write(path(scene_id), artifacts.make(content, origin=artifacts.MANUAL))
    label = takes.label_of(project, scene_id, shot_id)
    project.commit(f"Review: {KINDS[kind].lower()} issue on shot {label}", kind="edit", stage=12)
    return issue


# ---------------------------------------------------------------------- routes
@dataclass(frozen=True)
class Cascade:
    """What going back to Stage 7 would leave outdated in this scene (a dry run)."""

    prompts: int
    frames: int
    confirmed: bool
    takes: int

    @property
    def text(self) -> str:
        parts = []
        if self.prompts:
            parts.append(f"{self.prompts} prompt set{'s' * (self.prompts != 1)}")
        if self.frames:
            parts.append(f"{self.frames} anchor frame{'s' * (self.frames != 1)}")
        if self.confirmed:
            parts.append("the confirmation for render")
        if not parts:
            return "Nothing made from the shot list would need redoing."
        kept = (
            f" The {self.takes} rendered take{'s' * (self.takes != 1)} stay{'s' * (self.takes == 1)} "
            "in the Vault."
            if self.takes
            else ""
        )
        return (
            "Editing the shot list outdates what was made from the shots you change: up to "
            f"{', '.join(parts)}; rendering them again is charged again.{kept}"
        )


def cascade(project: Project, scene_id: str) -> Cascade:
    """Dry run of Return to Stage 7: the scene's artifacts that record the shot list among
    their inputs, directly or through another (nothing is changed)."""
    deriver = StatusDeriver(project, project.branch().draft)
    prefix = f"scenes/{scene_id}/"
    shots_path = shot_list.path(scene_id)
    memo: dict[str, bool] = {}

    def depends(p: str, seen: frozenset[str] = frozenset()) -> bool:
        if p in memo:
            return memo[p]
        if p in seen:
            return False
        keys = [k.partition("#")[0] for k in inputs_of(deriver.view.doc(p))]
        memo[p] = any(
            k == shots_path or depends(k, seen | {p}) for k in keys if k.startswith(prefix)
        )
        return memo[p]

    paths = [p for p in deriver.view.paths if p.startswith(prefix)]
    hit = [p for p in paths if depends(p)]
    n_takes = sum(
        len(takes.of(project, scene_id, s.id)) for s in shot_list.current(project, scene_id)
    )
    return Cascade(
        prompts=sum(1 for p in hit if p.startswith(f"{prefix}prompts/")),
        frames=sum(1 for p in hit if p.startswith(f"{prefix}frames/") and not p.endswith("/mode")),
        confirmed=checkout.path(scene_id) in hit,
        takes=n_takes,
    )


def rerender_price(project: Project, scene_id: str, shot_id: str) -> float | None:
    """What rendering the shot again costs, as it was confirmed (None: unknown)."""
    confirmed = checkout.confirmed(project, scene_id)
    line = confirmed.line(shot_id) if confirmed is not None else None
    return line.price if line is not None else None


def _resolve(project: Project, scene_id: str, issue_id: str | None, **extra: Any) -> None:
    content = _content(project, scene_id)
    listed = content.get("issues") or []
    for d in listed:
        if issue_id is None or d.get("id") == issue_id:
            d["resolved"] = True
    content.update(issues=listed, **extra)
    project.write(path(scene_id), artifacts.make(content, origin=artifacts.MANUAL))


def complete(project: Project, scene_id: str) -> None:
    """Complete Scene: the scene's takes are final; back to the Script Hub (a commit)."""
    clips = cut(project, scene_id)
    missing = [c.label for c in clips if c.take is None]
    if missing:
        raise GateClosed(
            f"Shots {', '.join(missing[:5])} have no take yet: render them before completing "
            "the scene."
        )
    _resolve(project, scene_id, None, complete=True, completed_at=time.time())
    label = master_script.label_of(project, scene_id)
    project.commit(f"Scene {label} complete", kind="approve", stage=12)


def return_to_frames(project: Project, scene_id: str, shot_id: str, issue_id: str | None) -> None:
    """Return to Stage 10 for this shot: its frames are opened again for regeneration (not
    approved), so the shot must be confirmed and rendered again — charged again."""
    for s in frames.slots(project, scene_id):
        if s.shot == shot_id and s.approved:
            doc = project.read(s.path)
            if isinstance(doc, dict):
                project.write(s.path, {**doc, **artifacts.content_of(doc), "approved": False})
    _resolve(project, scene_id, issue_id, complete=False)
    label = takes.label_of(project, scene_id, shot_id)
    project.commit(f"Review: back to the frames of shot {label}", kind="edit", stage=10)


def return_to_shot_list(project: Project, scene_id: str, issue_id: str | None) -> None:
    """Return to Stage 7: the shot list is unlocked for editing (a commit)."""
    _resolve(project, scene_id, issue_id, complete=False)
    if shot_list.is_locked(project, scene_id):
        shot_list.unlock(project, scene_id)
    else:
        label = master_script.label_of(project, scene_id)
        project.commit(f"Review: back to the shot list of scene {label}", kind="edit", stage=7)
