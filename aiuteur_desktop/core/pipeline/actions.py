"""The stages' decisions, as the headless commands and the MCP server make them (issue "Every
stage from the command line"): approve the Master Script (Stage 4), lock a shot list (7),
lock and tag starting looks (8), assemble and edit prompts (9), approve or roll back a frame
(10), use a take and file an issue (12).

Each takes the project and the words a person types ("3", "12A", "3B", "MARA"), checks the
gate its page checks, makes the commit its page makes and returns what changed as plain
data (JSON-ready). Anything it refuses — an unknown scene or shot, a closed gate, something
already done — is a `GateClosed` whose message is the one line to show.
"""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.production import frames, prompts, review, takes, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.screenplay.elements import Screenplay
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.core.story import script as stage4

#: Stage 12's issue kinds as typed ("dialogue" is the page's "Dialogue / audio").
ISSUE_KINDS = {
    "visual": review.VISUAL,
    "timing": review.TIMING,
    "dialogue": review.AUDIO,
    "audio": review.AUDIO,
    "narrative": review.NARRATIVE,
}

_KIND_WORD = {review.AUDIO: "dialogue"}


# ------------------------------------------------------------------ finding things
def scene_of(project: Project, text: str) -> str:
    """The id of the scene `text` names: its number as the script prints it ("3", "12A") or
    its id ("s3")."""
    play = master_script.current(project)
    if play is None:
        raise GateClosed(f"{project.name} has no Master Script yet.")
    return scene_in(play, text)


def scene_in(play: Screenplay, text: str) -> str:
    """`scene_of` for a screenplay already read."""
    found = play.scenes()
    wanted = text.strip()
    for s in found:
        if s.label.upper() == wanted.upper() or s.id == wanted:
            return s.id
    numbers = ", ".join(s.label for s in found[:12]) + (" …" if len(found) > 12 else "")
    raise GateClosed(f"there is no scene {wanted} (the script's scenes: {numbers})")


def shot_of(project: Project, scene_id: str, text: str) -> Shot:
    """The scene's shot `text` names: "3B", "B" or its id."""
    rows = shot_list.current(project, scene_id)
    wanted = text.strip().upper()
    label = master_script.label_of(project, scene_id).upper()
    for s in rows:
        if wanted in (s.label.upper(), s.id.upper()) or label + wanted == s.label.upper():
            return s
    shown = ", ".join(s.label for s in rows[:12]) + (" …" if len(rows) > 12 else "")
    raise GateClosed(f"Scene {label} has no shot {text.strip()} (its shots: {shown}).")


def _open(project: Project, number: int, scene_id: str) -> None:
    """Refuse as stage `number`'s page would: its gate, in its words."""
    closed = gates.gate(project, number, scene_id)
    if closed is not None and not closed.skipped:
        raise GateClosed(closed.reason)


def _label(project: Project, scene_id: str) -> str:
    return master_script.label_of(project, scene_id)


# ------------------------------------------------------------------------ Stage 4
def approve_script(project: Project) -> dict[str, Any]:
    """Stage 4 → Approve Master Script: what every later stage is made from."""
    closed = gates.gate(project, 4)
    if closed is not None and not closed.skipped:
        raise GateClosed(closed.reason)
    if story.is_locked(project, 4) and not project.is_dirty():
        raise GateClosed("The Master Script is already approved.")
    stage4.approve_script(project)
    play = master_script.current(project)
    n = len(play.scenes()) if play is not None else 0
    return {"approved": True, "scenes": n, "version": project.branch().head}


# ------------------------------------------------------------------------ Stage 7
def shot_rows(project: Project, scene_id: str) -> dict[str, Any]:
    """The scene's shot list as Stage 7 shows it, and whether it is locked."""
    rows = shot_list.current(project, scene_id)
    return {
        "scene": scene_id,
        "label": _label(project, scene_id),
        "locked": shot_list.is_locked(project, scene_id),
        "shots": [
            {
                "shot": s.id,
                "label": s.label,
                "duration": s.duration,
                "size": s.shot_size,
                "summary": s.summary(),
            }
            for s in rows
        ],
    }


def lock_shots(project: Project, scene_id: str, locked: bool = True) -> dict[str, Any]:
    """Stage 7 → Lock Shot List (or unlock it to edit again); a commit."""
    _open(project, 7, scene_id)
    label = _label(project, scene_id)
    if shot_list.is_locked(project, scene_id) == locked:
        state = "already locked" if locked else "not locked"
        raise GateClosed(f"The shot list of scene {label} is {state}.")
    if locked:
        rows = shot_list.current(project, scene_id)
        if not rows:
            raise GateClosed(f"Scene {label} has no shots to lock.")
        shot_list.lock(project, scene_id, rows)
    else:
        shot_list.unlock(project, scene_id)
    return shot_rows(project, scene_id)


# ------------------------------------------------------------------------ Stage 8
def _element(items: list[visuals.Element], name: str, label: str) -> visuals.Element:
    wanted = name.strip().lower()
    for e in items:
        if wanted in (e.name.lower(), e.slug.lower()):
            return e
    names = ", ".join(e.name for e in items) or "none"
    raise GateClosed(f"Scene {label} has no {name.strip()} (its looks: {names}).")


def lock_looks(project: Project, scene_id: str, names: list[str] | None = None) -> dict[str, Any]:
    """Stage 8: lock the named starting looks as they stand (every one not locked when no
    names are given), accepting what each inherits; one commit."""
    _open(project, 8, scene_id)
    label = _label(project, scene_id)
    items = visuals.elements(project, scene_id)
    if names:
        chosen = [_element(items, n, label) for n in names]
        done = [e.name for e in chosen if e.review == visuals.LOCKED]
        if done:
            raise GateClosed(f"Already locked in scene {label}: {', '.join(done)}.")
    else:
        chosen = [e for e in items if e.review != visuals.LOCKED]
        if not chosen:
            raise GateClosed(f"Every starting look of scene {label} is already locked.")
    slugs = list(dict.fromkeys(e.slug for e in chosen))
    locked = visuals.set_locked(project, scene_id, slugs, True)
    return {
        "scene": scene_id,
        "locked": [e.name for e in locked],
        "ready": visuals.gate(project, scene_id) is None,
        "gate": visuals.gate(project, scene_id),
    }


def tag_look(
    project: Project, scene_id: str, name: str, tag: str, *, carries: bool = False
) -> dict[str, Any]:
    """Stage 8: a condition on a look in this scene ("Wet"); `carries` keeps it in the
    scenes after. A commit."""
    _open(project, 8, scene_id)
    label = _label(project, scene_id)
    e = _element(visuals.elements(project, scene_id), name, label)
    words = " ".join(tag.split())
    if not words:
        raise GateClosed("A condition needs a word or two, e.g. “Wet”.")
    if words.lower() in (c.tag.lower() for c in e.conditions):
        raise GateClosed(f"{e.name} is already tagged “{words}” in scene {label}.")
    after = visuals.save(
        project, scene_id, e.slug, conditions=[*e.conditions, visuals.Condition(words, carries)]
    )
    visuals.commit_edits(project, scene_id, f"Tagged {e.name} “{words}” in scene {label}")
    return {"scene": scene_id, "look": visuals.as_json(after)}


# ------------------------------------------------------------------------ Stage 9
def assemble_prompts(project: Project, scene_id: str) -> dict[str, Any]:
    """Stage 9 → Assemble Prompts: every shot's Prompt Set, hand edits kept; a commit."""
    _open(project, 9, scene_id)
    written = prompts.assemble(project, scene_id)
    return {"scene": scene_id, "assembled": written, "gate": prompts.gate(project, scene_id)}


def edit_prompt(
    project: Project,
    scene_id: str,
    shot: str,
    *,
    video: str | None = None,
    start_frame: str | None = None,
    end_frame: str | None = None,
) -> dict[str, Any]:
    """Stage 9: a shot's video or frame prompt by hand (kept through later assemblies until
    reset); a commit."""
    _open(project, 9, scene_id)
    s = shot_of(project, scene_id, shot)
    if prompts.gate(project, scene_id) is not None and not project.read(
        prompts.path(scene_id, s.id)
    ):
        raise GateClosed(f"Assemble the prompts of scene {_label(project, scene_id)} first.")
    done = []
    if video is not None:
        if not video.strip():
            raise GateClosed("A video prompt cannot be empty.")
        prompts.edit_video(project, scene_id, s.id, video)
        done.append("video")
    if start_frame is not None or end_frame is not None:
        now = prompts.one(project, scene_id, s.id)
        start = start_frame if start_frame is not None else now.start_frame
        if not start.strip():
            raise GateClosed("A frame prompt cannot be empty.")
        prompts.edit_frame(project, scene_id, s.id, start, end_frame)
        done.append("frame")
    if not done:
        raise GateClosed("Say what to change: a video prompt or a frame prompt.")
    project.commit(f"Edited the {' and '.join(done)} prompt of shot {s.label}", stage=9)
    return {"scene": scene_id, "shot": prompts.as_json(prompts.one(project, scene_id, s.id))}


# ----------------------------------------------------------------------- Stage 10
def _slot(project: Project, scene_id: str, which_shot: str) -> frames.Slot:
    """`3B/start` or `3B/end`."""
    shot, _, which = which_shot.partition("/")
    which = which.strip().lower() or frames.START
    if which not in (frames.START, frames.END):
        raise GateClosed(f"A frame is SHOT/start or SHOT/end (not {which_shot.strip()}).")
    s = shot_of(project, scene_id, shot)
    try:
        return frames.slot(project, scene_id, s.id, which)
    except (LookupError, GateClosed):
        raise GateClosed(f"Shot {s.label} has no {which} frame (start frame only).") from None


def approve_frame(project: Project, scene_id: str, which_shot: str) -> dict[str, Any]:
    """Stage 10 → Approve: the frame chosen now (what the next frame chains to); a commit."""
    _open(project, 10, scene_id)
    s = _slot(project, scene_id, which_shot)
    if s.approved:
        raise GateClosed(f"The {s.which} frame of shot {s.label} is already approved.")
    after = frames.approve(project, scene_id, s.shot, s.which)
    return {"scene": scene_id, "frame": frames.as_json(after)}


def choose_frame(project: Project, scene_id: str, which_shot: str, n: int) -> dict[str, Any]:
    """Stage 10: roll back (or forward) to candidate `n` (1 = the first made); not approved
    until approved. A commit."""
    _open(project, 10, scene_id)
    s = _slot(project, scene_id, which_shot)
    if not s.candidates:
        raise GateClosed(f"The {s.which} frame of shot {s.label} has no candidates yet.")
    if not 1 <= n <= len(s.candidates):
        raise GateClosed(
            f"The {s.which} frame of shot {s.label} has candidates 1 to {len(s.candidates)}."
        )
    media = str(s.candidates[n - 1].get("media"))
    after = frames.choose(project, scene_id, s.shot, s.which, media)
    project.commit(f"Chose candidate {n} of the {s.which} frame of shot {s.label}", stage=10)
    return {"scene": scene_id, "frame": frames.as_json(after)}


# ----------------------------------------------------------------------- Stage 12
def takes_of(project: Project, scene_id: str) -> dict[str, Any]:
    """Stage 12: each shot's takes (the one in use marked) and the scene's issues with the
    way back each one points to."""
    rows = []
    for s in shot_list.current(project, scene_id):
        now = takes.current(project, scene_id, s.id)
        rows.append(
            {
                "shot": s.id,
                "label": s.label,
                "in_use": now.number if now is not None else None,
                "takes": [
                    {
                        "take": t.number,
                        "media": t.media,
                        "model": t.model,
                        "version": t.version,
                        "cost": t.cost,
                    }
                    for t in takes.of(project, scene_id, s.id)
                ],
            }
        )
    labels = {s.id: s.label for s in shot_list.current(project, scene_id)}
    return {
        "scene": scene_id,
        "label": _label(project, scene_id),
        "shots": rows,
        "issues": [
            {
                "id": i.id,
                "shot": labels.get(i.shot, i.shot),
                "kind": _KIND_WORD.get(i.kind, i.kind),
                "at": i.at,
                "note": i.note,
                "route": {"stage": i.route.stage, "to": review.ROUTES[i.route.stage]},
                "why": i.route.reason,
            }
            for i in review.issues(project, scene_id)
        ],
    }


def use_take(project: Project, scene_id: str, shot: str, n: int) -> dict[str, Any]:
    """Stage 12: use take `n` of the shot in the scene's cut (every take stays); a commit."""
    _open(project, 12, scene_id)
    s = shot_of(project, scene_id, shot)
    all_takes = takes.of(project, scene_id, s.id)
    if not all_takes:
        raise GateClosed(f"Shot {s.label} has no takes yet.")
    if not 1 <= n <= len(all_takes):
        raise GateClosed(f"Shot {s.label} has takes 1 to {len(all_takes)}.")
    now = takes.current(project, scene_id, s.id)
    if now is not None and now.number == n:
        raise GateClosed(f"Shot {s.label} already uses take {n}.")
    takes.use(project, scene_id, s.id, all_takes[n - 1].media)
    return takes_of(project, scene_id)


def file_issue(
    project: Project, scene_id: str, shot: str, note: str, kind: str, at: float = 0.0
) -> dict[str, Any]:
    """Stage 12: an issue on a shot, with the stage it points back to and why; a commit."""
    _open(project, 12, scene_id)
    s = shot_of(project, scene_id, shot)
    if kind not in ISSUE_KINDS:
        raise GateClosed(f"An issue's kind is one of: {', '.join(ISSUE_KINDS)}.")
    if not note.strip():
        raise GateClosed("Say what is wrong in the note.")
    issue = review.file_issue(project, scene_id, s.id, ISSUE_KINDS[kind], at, note)
    return {
        "scene": scene_id,
        "issue": issue.id,
        "shot": s.label,
        "route": {"stage": issue.route.stage, "to": review.ROUTES[issue.route.stage]},
        "why": issue.route.reason,
    }
