"""Stage 10 · Frames: the start and end anchor frame of every shot, and the Frame Dependency
Manager that chains them (PRD §4.5, §9.5, §11).

A scene's frames are made in a **mode** the filmmaker chooses first — Quick (every frame
at once, in parallel) or Control (one at a time, each approved before the next) — recorded
with the scene and with every frame. A shot takes a start frame, and an end frame unless it
is start-frame-only (Stage 9's choice per shot, or the whole scene here).

**The chain.** A shot's start frame is made from its start-frame prompt and the previous
shot's frame — its approved end frame (its start frame when it has none); for a scene's
first shot, the previous scene's last frame when the scene runs on CONTINUOUS. An end frame
is made from the end-frame prompt and the shot's own start frame. Each frame slot
(`scenes/<scene>/frames/<shot>/start|end`) records what it was made from: the prompt (a
fragment of the shot's Prompt Set) and the frame it chained to (that slot's chosen image) —
so choosing another end frame for shot 3 marks shot 4's start frame Outdated, derived as
everywhere in the store. Control mode refuses a frame whose chain is not approved yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production import prompts
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.core.store import Project, artifacts, canonical
from aiuteur_desktop.core.store.status import Status, StatusDeriver
from aiuteur_desktop.core.story import master_script

QUICK, CONTROL = "quick", "control"
MODES = {
    QUICK: "Quick — every frame at once, in parallel (faster; may spend on frames you redo)",
    CONTROL: "Control — one frame at a time, approve before the next (recommended)",
}
START, END = "start", "end"


def mode_path(scene_id: str) -> str:
    return f"scenes/{scene_id}/frames/mode"


def slot_path(scene_id: str, shot_id: str, which: str) -> str:
    return f"scenes/{scene_id}/frames/{shot_id}/{which}"


# --------------------------------------------------------------------- mode
def mode_of(project: Project, scene_id: str) -> dict[str, Any] | None:
    """{mode, start_only} once chosen, else None: nothing is made before."""
    doc = project.read(mode_path(scene_id))
    return artifacts.content_of(doc) if isinstance(doc, dict) else None


def set_mode(project: Project, scene_id: str, mode: str, *, start_only: bool = False) -> None:
    """Choose Quick or Control mode (and start-frame-only for the whole scene); a commit."""
    if mode not in MODES:
        raise GateClosed("Choose Quick or Control mode.")
    project.write(
        mode_path(scene_id),
        artifacts.make({"mode": mode, "start_only": bool(start_only)}, origin=artifacts.MANUAL),
    )
    label = master_script.label_of(project, scene_id)
    words = "Quick" if mode == QUICK else "Control"
    project.commit(
        f"Frames of scene {label}: {words} mode" + (", start frames only" if start_only else ""),
        kind="edit",
        stage=10,
    )


def _needs_mode(project: Project, scene_id: str) -> dict[str, Any]:
    chosen = mode_of(project, scene_id)
    if chosen is None:
        raise GateClosed(
            "Choose Quick or Control mode first: Quick makes every frame at once, Control one "
            "at a time with your approval before the next."
        )
    return chosen


# -------------------------------------------------------------------- slots
@dataclass(frozen=True)
class Slot:
    """One anchor frame of one shot."""

    shot: str  # the shot's permanent id
    label: str  # "3B"
    which: str  # START or END
    chosen: str | None  # media id of the current candidate
    approved: bool
    candidates: tuple[dict[str, Any], ...]
    status: Status  # derived; MISSING before a frame is made
    path: str

    @property
    def made(self) -> bool:
        return self.chosen is not None


def _slot(project: Project, scene_id: str, shot: Shot, which: str, deriver: StatusDeriver) -> Slot:
    p = slot_path(scene_id, shot.id, which)
    doc = deriver.view.doc(p)  # (the draft the statuses are of, read by its tree: no query)
    c = artifacts.content_of(doc) if isinstance(doc, dict) else {}
    return Slot(
        shot=shot.id,
        label=shot.label,
        which=which,
        chosen=c.get("chosen"),
        approved=bool(c.get("approved")),
        candidates=tuple(c.get("candidates") or ()),
        status=deriver.status(p),
        path=p,
    )


def wanted(project: Project, scene_id: str) -> list[tuple[Shot, str]]:
    """(shot, START_ONLY or START_END) for every shot: Stage 9's choice, or start frames only
    for the whole scene when the mode says so."""
    chosen = mode_of(project, scene_id) or {}
    sets = {s.shot: s.frames for s in prompts.prompt_sets(project, scene_id)}
    out = []
    for shot in shot_list.current(project, scene_id):
        frames = sets.get(shot.id, prompts.frames_needed(shot))
        out.append((shot, prompts.START_ONLY if chosen.get("start_only") else frames))
    return out


def slots(project: Project, scene_id: str) -> list[Slot]:
    """Every frame the scene takes, in shot order (start, then end where there is one):
    worked out once per content of the project's draft (`Project.at_draft`)."""
    return list(project.at_draft(f"frame slots {scene_id}", lambda: _slots(project, scene_id)))


def _slots(project: Project, scene_id: str) -> tuple[Slot, ...]:
    deriver = StatusDeriver(project, project.branch().draft)
    out: list[Slot] = []
    for shot, frames in wanted(project, scene_id):
        out.append(_slot(project, scene_id, shot, START, deriver))
        if frames == prompts.START_END:
            out.append(_slot(project, scene_id, shot, END, deriver))
    return tuple(out)


def slot(project: Project, scene_id: str, shot_id: str, which: str) -> Slot:
    for s in slots(project, scene_id):
        if s.shot == shot_id and s.which == which:
            return s
    if which == END:
        raise GateClosed(f"Shot {shot_id} is start-frame-only: it has no end frame.")
    raise GateClosed(f"Scene {scene_id} has no shot {shot_id}.")


# --------------------------------------------------------------------- chain
@dataclass(frozen=True)
class Link:
    """What a frame is chained to: the slot whose chosen image it is made from."""

    path: str  # the slot document ("scenes/s1/frames/B/end")
    media: str | None  # its chosen image now (None: not made yet)
    approved: bool
    label: str  # "the end frame of shot 1B" — for messages


def _last_of_previous_scene(project: Project, scene_id: str) -> Link | None:
    play = master_script.current(project)
    if play is None:
        return None
    here = next((s for s in play.scenes() if s.id == scene_id), None)
    before = master_script.previous_scene(play, scene_id)
    if here is None or before is None or not headings.continuous(here.continuity):
        return None
    rows = shot_list.current(project, before.id)
    if not rows:
        return None
    last = rows[-1]
    for which in (END, START):
        doc = project.read(slot_path(before.id, last.id, which))
        if isinstance(doc, dict):
            c = artifacts.content_of(doc)
            word = "end" if which == END else "start"
            return Link(
                slot_path(before.id, last.id, which),
                c.get("chosen"),
                bool(c.get("approved")),
                f"the {word} frame of shot {last.label} (the scene before)",
            )
    return None


def link(project: Project, scene_id: str, shot_id: str, which: str) -> Link | None:
    """The frame a slot is made from (None for a scene's first start frame with nothing to
    run on from)."""
    items = slots(project, scene_id)
    by_key = {(s.shot, s.which): s for s in items}
    if which == END:
        own = by_key.get((shot_id, START))
        if own is None:
            return None
        return Link(own.path, own.chosen, own.approved, f"the start frame of shot {own.label}")
    order = list(dict.fromkeys(s.shot for s in items))
    if shot_id not in order:
        raise GateClosed(f"Scene {scene_id} has no shot {shot_id}.")
    at = order.index(shot_id)
    if at == 0:
        return _last_of_previous_scene(project, scene_id)
    previous = order[at - 1]
    prev = by_key.get((previous, END)) or by_key[(previous, START)]
    word = "end" if prev.which == END else "start"
    return Link(prev.path, prev.chosen, prev.approved, f"the {word} frame of shot {prev.label}")


def blocked(project: Project, scene_id: str, shot_id: str, which: str) -> str | None:
    """Why this frame cannot be made now (None: it can). Control mode makes a frame only
    once what it chains to is approved; Quick mode only needs a mode."""
    chosen = _needs_mode(project, scene_id)
    s = slot(project, scene_id, shot_id, which)  # (refuses an end frame a shot does not take)
    # The stored set's status, from the scene's prompt sets (kept per content of the draft).
    state = next(
        (x.status for x in prompts.prompt_sets(project, scene_id) if x.shot == shot_id),
        Status.MISSING,
    )
    if state is Status.MISSING:
        return f"Assemble the scene's prompts first (Stage 9): shot {s.label} has none saved."
    if state is not Status.UP_TO_DATE:
        return (
            f"Shot {s.label}'s prompts are {state.value.lower()}: assemble them again (Stage 9) "
            "before making its frames."
        )
    if chosen.get("mode") != CONTROL:
        return None
    to = link(project, scene_id, shot_id, which)
    if to is None or to.path.split("/")[1] != scene_id:
        return None  # the scene's first frame (the scene before is its own business)
    if not to.approved:
        return f"Control mode: approve {to.label} first — this frame is made from it."
    return None


# --------------------------------------------------------------- recording
def prompt_key(scene_id: str, shot_id: str, which: str) -> str:
    field = "start_frame" if which == START else "end_frame"
    return f"{prompts.path(scene_id, shot_id)}#{field}"


def prompt_of(project: Project, scene_id: str, shot_id: str, which: str) -> str:
    """The frame prompt this slot is made from (the Prompt Set as Stage 9 shows it)."""
    s = prompts.one(project, scene_id, shot_id)
    text = s.start_frame if which == START else s.end_frame
    if not text:
        raise GateClosed(f"Shot {s.label} is start-frame-only: it has no end frame.")
    return text


def record(
    project: Project,
    scene_id: str,
    shot_id: str,
    which: str,
    media: str,
    *,
    prompt: str = "",
    model: str = "",
    cost: float = 0.0,
    guidance: str = "",
    source: str = "generated",
    reference: str | None = None,
    mode: str = "",
) -> Slot:
    """A new candidate for the slot (it becomes the chosen one, not approved), with what it
    was made from: the slot's prompt and the frame it chains to."""
    p = slot_path(scene_id, shot_id, which)
    doc = project.read(p)
    c = artifacts.content_of(doc) if isinstance(doc, dict) else {}
    candidates = [
        *(c.get("candidates") or []),
        {
            "media": media,
            "prompt": prompt,
            "model": model,
            "cost": round(float(cost), 6),
            "guidance": guidance,
            "source": source,
            "reference": reference,
            "mode": mode,
            "created_at": time.time(),
        },
    ]
    _write(
        project,
        scene_id,
        shot_id,
        which,
        {
            **c,
            "candidates": candidates,
            "chosen": media,
            "approved": False,
            "mode": mode or c.get("mode"),
        },
    )
    return slot(project, scene_id, shot_id, which)


def _write(
    project: Project, scene_id: str, shot_id: str, which: str, content: dict[str, Any]
) -> None:
    p = slot_path(scene_id, shot_id, which)
    to = link(project, scene_id, shot_id, which)
    keys = [prompt_key(scene_id, shot_id, which)]
    if to is not None:
        keys.append(f"{to.path}#chosen")
    inputs = artifacts.record_inputs(project, project.branch().draft, p, keys)
    content = {k: v for k, v in content.items() if k not in artifacts.RESERVED}
    project.write(p, artifacts.make({"shot": shot_id, "which": which, **content}, inputs=inputs))


def choose(project: Project, scene_id: str, shot_id: str, which: str, media: str) -> Slot:
    """Roll back (or forward) to an earlier candidate; it is not approved yet."""
    s = slot(project, scene_id, shot_id, which)
    if media not in [c.get("media") for c in s.candidates]:
        raise GateClosed("That image is not one of this frame's candidates.")
    p = slot_path(scene_id, shot_id, which)
    c = artifacts.content_of(project.read(p))
    _write(project, scene_id, shot_id, which, {**c, "chosen": media, "approved": False})
    return slot(project, scene_id, shot_id, which)


def approve(
    project: Project, scene_id: str, shot_id: str, which: str, *, shown: Slot | None = None
) -> Slot:
    """Approve the chosen frame (what the next frame chains to in Control mode); a commit.
    `shown`: the slot as the page shows it (its path and label), so approving derives
    nothing; the image approved is the one stored now."""
    s = shown if shown is not None and (shown.shot, shown.which) == (shot_id, which) else None
    s = s or slot(project, scene_id, shot_id, which)
    doc = project.read(s.path)
    chosen = artifacts.content_of(doc).get("chosen") if isinstance(doc, dict) else None
    s = replace(s, chosen=chosen) if chosen != s.chosen else s
    if s.chosen is None or not isinstance(doc, dict):
        raise GateClosed(f"Make the {which} frame of shot {s.label} before approving it.")
    # (its inputs stay as recorded: approving an Outdated frame does not make it current)
    project.write(s.path, {**doc, "approved": True})
    project.commit(f"Approved the {which} frame of shot {s.label}", kind="approve", stage=10)
    return replace(s, approved=True)  # (its inputs, hence its status, are as they were)


def next_to_make(project: Project, scene_id: str) -> Slot | None:
    """Control mode's next step: the first frame not made, or made and not approved."""
    return next_of(slots(project, scene_id))


def next_of(items: list[Slot]) -> Slot | None:
    """`next_to_make` among slots already derived (a page's)."""
    for s in items:
        if not s.made or not s.approved or s.status not in (Status.UP_TO_DATE, Status.MISSING):
            return s
    return None


def as_json(s: Slot, drift: dict[str, Any] | None = None) -> dict[str, Any]:
    chosen = next((c for c in s.candidates if c.get("media") == s.chosen), {})
    out: dict[str, Any] = {
        "shot": s.shot,
        "label": s.label,
        "frame": s.which,
        "media": s.chosen,
        "approved": s.approved,
        "status": s.status.value,
        "made_from": {
            "prompt": chosen.get("prompt", ""),
            "reference": chosen.get("reference"),
            "model": chosen.get("model", ""),
            "mode": chosen.get("mode", ""),
        },
        "candidates": len(s.candidates),
    }
    if drift is not None:
        out["drift"] = drift
    return out


# -------------------------------------------------------------------- drift
def drift_of(project: Project, scene_id: str, s: Slot) -> dict[str, Any] | None:
    """The Continuity Drift Detector's report on a made start frame: against the frame it
    chains to, and each on-screen character's region against their scene key (advice)."""
    from aiuteur_desktop.core.production import drift, visuals
    from aiuteur_desktop.core.production.shots import timing

    if s.which != START or s.chosen is None:
        return None
    chosen = s.chosen
    to = link(project, scene_id, s.shot, s.which)
    shot = next((x for x in shot_list.current(project, scene_id) if x.id == s.shot), None)
    where = (
        {c.name.upper(): c.position for c in timing.to_spec(shot).characters}
        if shot is not None
        else {}
    )
    keys = [
        (e.name, e.image, where[e.name.upper()])
        for e in visuals.elements(project, scene_id)
        if e.kind == "character" and e.image and e.name.upper() in where
    ]

    def score() -> dict[str, Any]:
        frame = project.media.read(chosen)
        report: dict[str, Any] = {"structure": None, "colour": None, "features": None, "flags": []}
        if to is not None and to.media:
            report = drift.compare(project.media.read(to.media), frame).to_json()
        for name, image, position in keys:
            flag = drift.character(frame, project.media.read(str(image)), name, position)
            if flag:
                report["flags"].append(flag)
        return report

    # The images compared are content-addressed: a frame is scored once, not at every refresh.
    seen = canonical.digest(canonical.dumps([chosen, to.media if to else None, keys]))
    return dict(project.remember(("drift", seen), score, 1024))
