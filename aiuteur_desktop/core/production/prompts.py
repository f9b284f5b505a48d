"""Stage 9 · Prompts: one Prompt Set per shot, assembled deterministically — no model
(PRD §4.4, §9.4, §11 "Canonical Prompt Type Separation").

A set holds three kinds of prompt that are never merged:

- **frame prompts** (start, and end unless the shot is start-frame-only) for image
  models: visually verbose — camera, blocking, each on-screen character's starting look
  from Stage 8, the location and its light, the props in shot, the style card; never a
  line of dialogue;
- the **video prompt**, in the layout Veo takes (`[Camera] Character Action. Style: …
  Audio: [SFX]. Character NAME speaks: "…"`): action, every line verbatim with its speaker
  and voice, sound cues, timing — and no looks (the anchor frames carry them);
- the **system scaffold** (each template's system part): hidden, never editable, recorded
  in provenance, shown nowhere and printed only with `--with-scaffold`.

Everything a set is made from comes through `prompt_inputs.prompt_inputs` (this
scene's shots and looks only). A stored set (`scenes/<scene>/prompts/<shot id>`) records
template ids and its inputs — the shot (by its permanent id), the instances or masters whose
looks it used, the scene's style — so a change upstream marks it Outdated. A hand edit of a
frame or video prompt is kept, flagged, until the user resets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aiuteur_desktop.core.app import prompt_templates
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production import scene_style, visuals
from aiuteur_desktop.core.production.prompt_fit import (
    START_END,
    START_ONLY,
    VideoModel,
    compatible,
    sanity,
)
from aiuteur_desktop.core.production.prompt_inputs import PromptInputs, prompt_inputs
from aiuteur_desktop.core.production.prompt_text import clean as _clean
from aiuteur_desktop.core.production.prompt_text import sentence as _sentence
from aiuteur_desktop.core.production.prompt_text import sound_cues
from aiuteur_desktop.core.production.prompt_text import without_looks as _without_looks
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.production.visuals import Element
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver

FRAME_TEMPLATE, VIDEO_TEMPLATE = "frame.prompt", "video.prompt"
FRAMES_LABEL = {START_ONLY: "Start frame only", START_END: "Start + end frames"}
MAX_PROMPT = 8000

_SIZES = {
    "ECU": "Extreme close-up (ECU)",
    "CU": "Close-up (CU)",
    "MCU": "Medium close-up (MCU)",
    "MS": "Medium shot (MS)",
    "WS": "Wide shot (WS)",
    "EWS": "Extreme wide shot (EWS)",
}
_ANGLES = {"eye": "eye level", "low": "low angle", "high": "high angle", "overhead": "overhead"}
_MOVES = {
    "static": "static camera",
    "push-in": "slow push-in",
    "pull-out": "slow pull-out",
    "pan-left": "pan left",
    "pan-right": "pan right",
    "tilt-up": "tilt up",
    "tilt-down": "tilt down",
    "track-left": "tracking left",
    "track-right": "tracking right",
}
_END_OF_MOVE = {
    "push-in": "closer, at the end of a slow push-in",
    "pull-out": "wider, at the end of a slow pull-out",
    "pan-left": "after panning left",
    "pan-right": "after panning right",
    "tilt-up": "after tilting up",
    "tilt-down": "after tilting down",
    "track-left": "after tracking left",
    "track-right": "after tracking right",
}
_LIGHT = {
    "DAY": "daylight",
    "NIGHT": "night: practical and moonlight sources, deep shadows",
    "DAWN": "dawn: low, cool early light",
    "DUSK": "dusk: warm, fading light",
    "MORNING": "morning light",
    "EVENING": "evening light",
    "AFTERNOON": "afternoon light",
}
_KIND = {timing.INSERT: "Insert. ", timing.POV: "Point of view. ", timing.TITLE: "Title card. "}


#: Looks words a video prompt should leave to the anchor frames.
@dataclass(frozen=True)
class PromptSet:
    shot: str  # the shot's permanent id ("B")
    label: str  # "3B"
    frames: str  # START_ONLY or START_END
    start_frame: str
    end_frame: str | None  # None for a start-frame-only shot
    video: str
    manual_frame: bool  # the frame prompt(s) were edited by hand (kept until reset)
    manual_video: bool
    status: Status  # of the stored set; MISSING when it was never saved
    templates: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    compatible: tuple[str, ...] = ()  # ids of the configured video models that take it
    scaffold: dict[str, str] | None = None  # hidden: only for provenance and --with-scaffold
    path: str = ""

    @property
    def frames_label(self) -> str:
        return FRAMES_LABEL[self.frames]


def path(scene_id: str, shot_id: str) -> str:
    return f"scenes/{scene_id}/prompts/{shot_id}"


def frames_needed(shot: Shot) -> str:
    """Start frame only for what does not move — a title card, or a static shot that holds
    only dialogue; otherwise the shot is anchored at both ends."""
    if shot.kind == timing.TITLE or (shot.move == "static" and not shot.action.strip()):
        return START_ONLY
    return START_END


# ---------------------------------------------------------------- assembly
def _camera(shot: Shot, *, end: bool = False) -> str:
    size = _SIZES.get(shot.shot_size, shot.shot_size)
    angle = _ANGLES.get(shot.angle, shot.angle)
    where = _END_OF_MOVE.get(shot.move, "") if end else ""
    return f"{_KIND.get(shot.kind, '')}{size}, {angle}" + (f", {where}" if where else "")


def _blocking(shot: Shot) -> str:
    spec = timing.to_spec(shot)
    if not spec.characters:
        return "Composition: no people in frame."
    places = []
    for c in spec.characters:
        facing = "facing camera" if c.facing == "camera" else f"facing {c.facing}"
        places.append(f"{c.name} {c.depth} {c.position}, {facing}")
    return "Composition: " + "; ".join(places) + "."


def _by_kind(items: Iterable[Element], kind: str) -> list[Element]:
    return [e for e in items if e.kind == kind]


def _in_shot(
    shot: Shot, looks: list[Element]
) -> tuple[list[Element], list[Element], Element | None]:
    people = {c.upper() for c in shot.characters}
    chars = [
        e for e in _by_kind(looks, "character") if e.name.upper() in people or shot.id in e.shots
    ]
    chars = [e for e in chars if shot.id in e.shots or e.name.upper() in people]
    props = [e for e in _by_kind(looks, "prop") if shot.id in e.shots]
    place = next((e for e in _by_kind(looks, "location") if shot.id in e.shots), None)
    return chars, props, place


def frame_prompt(shot: Shot, looks: list[Element], style_card: str, *, end: bool = False) -> str:
    """A frame prompt: everything an image model needs to draw the shot's first (or last)
    instant, and nothing spoken."""
    chars, props, place = _in_shot(shot, looks)
    sentences = sentences_of(shot.action) if shot.action else []
    if shot.kind == timing.TITLE:
        moment = f"The card reads: {_clean(shot.action)}" if shot.action else ""
    elif sentences:
        moment = "Moment: " + _sentence(sentences[-1] if end else sentences[0])
    else:
        moment = ""
    people = [f"{e.name}: {_sentence(e.visual())}" for e in chars if e.visual()]
    people += [f"{e.name}." for e in chars if not e.visual()]
    setting = ""
    if place is not None or shot.location:
        name = place.name if place is not None else shot.location
        where = ", ".join(p for p in (shot.int_ext, shot.time_of_day) if p)
        look = _sentence(place.visual()) if place is not None and place.visual() else ""
        light = _LIGHT.get(shot.light.upper(), shot.light.lower()) if shot.light else ""
        setting = f"Setting: {name}" + (f" ({where})" if where else "") + "."
        setting += f" {look}" if look else ""
        setting += f" Lighting: {light}." if light else ""
    _, user = prompt_templates.load(FRAME_TEMPLATE).render(
        which="End" if end else "Start",
        label=shot.label,
        camera=_camera(shot, end=end),
        blocking=_blocking(shot),
        people="\n".join(people),
        props="Props: " + " ".join(f"{e.name}: {_sentence(e.visual())}" for e in props)
        if props
        else "",
        setting=setting,
        moment=moment,
        style=f"Style: {_clean(style_card)}" if style_card.strip() else "",
    )
    return "\n".join(line for line in user.splitlines() if line.strip())


def _line(d: timing.Line, voices: dict[str, str]) -> str:
    how = [p for p in (d.parenthetical.strip("() "), "off screen" if d.off_screen else "") if p]
    voice = voices.get(d.character.upper(), "")
    if voice:
        how.append(f"voice: {voice}")
    detail = f" ({'; '.join(how)})" if how else ""
    return f' Character {d.character} speaks{detail}: "{d.text}"'


def video_prompt(
    shot: Shot, style_tag: str, voices: dict[str, str], names: Iterable[str] = ()
) -> str:
    """The video prompt in the layout the PRD mandates for Veo: camera, who, action, style
    tag, audio (sound cues, then every line verbatim with speaker and voice), timing."""
    camera = ", ".join(
        p
        for p in (
            shot.shot_size,
            _ANGLES.get(shot.angle, shot.angle),
            _MOVES.get(shot.move, shot.move),
        )
        if p
    )
    if shot.kind == timing.TITLE:
        camera = f"Title card, {camera}"
    action = _sentence(_without_looks(shot.action)) if shot.action.strip() else ""
    unnamed = [
        c for c in shot.characters if not re.search(rf"(?<!\w){re.escape(c)}(?!\w)", action, re.I)
    ]
    who = " and ".join(unnamed[:3]) + (" and others" if len(unnamed) > 3 else "")
    suffix = ": " if action else ", on camera."
    who = f"{who}{suffix}" if who else ""
    cues = sound_cues(shot, names)
    _, user = prompt_templates.load(VIDEO_TEMPLATE).render(
        camera=camera,
        who=who,
        action=action,
        style=_clean(style_tag) or "as the anchor frames show",
        sfx="; ".join(cues) if cues else "natural ambience of the place",
        lines="".join(_line(d, voices) for d in shot.dialogue),
        duration=shot.duration,
    )
    return " ".join(user.split(" ")).replace("]  ", "] ")


def scaffold() -> dict[str, str]:
    """The hidden system prompts (the templates' system parts)."""
    frame, _ = prompt_templates.load(FRAME_TEMPLATE).render(
        which="",
        label="",
        camera="",
        blocking="",
        people="",
        props="",
        setting="",
        moment="",
        style="",
    )
    video, _ = prompt_templates.load(VIDEO_TEMPLATE).render(
        camera="", who="", action="", style="", sfx="", lines="", duration=""
    )
    return {"frame": frame, "video": video}


def templates() -> tuple[str, ...]:
    return (prompt_templates.load(FRAME_TEMPLATE).ref, prompt_templates.load(VIDEO_TEMPLATE).ref)


# ------------------------------------------------------------------ the sets
def _inputs_of(
    scene_id: str, shot: Shot, looks: list[Element], style: str, order: list[str]
) -> tuple[list[str], list[str]]:
    """(keys, keys expected absent) a shot's set records: the shot by its permanent id, the
    scene's style, and for each element in it the look it used — its instance here, or what it
    inherits (a prior instance or the master) with the instances not made in between."""
    keys = [f"{shot_list.path(scene_id)}#shots/{shot.id}", style]
    absent: list[str] = []
    for e in looks:
        if e.review != visuals.UNREVIEWED:
            keys.append(e.path)
            continue
        absent += [e.path, *visuals.lineage(order, scene_id, e.inherited_from, e.slug)]
        if e.inherited_from:
            keys.append(visuals.instance_path(e.inherited_from, e.slug))
        elif e.master:
            keys.append(e.master)
    return keys, absent


def _fresh(inputs: PromptInputs, shot: Shot, frames: str | None = None) -> dict[str, Any]:
    frames = frames or frames_needed(shot)
    card = str(inputs.style.get("card") or "")
    tag = str(inputs.style.get("library") or "")
    names = list(inputs.cast) or [e.name for e in inputs.elements if e.kind == "character"]
    return {
        "frames": frames,
        "start_frame": frame_prompt(shot, inputs.elements, card),
        "end_frame": frame_prompt(shot, inputs.elements, card, end=True)
        if frames == START_END
        else None,
        "video": video_prompt(shot, tag, inputs.voices, names),
    }


def prompt_sets(
    project: Project,
    scene_id: str,
    models: list[VideoModel] | None = None,
    chosen: str | None = None,
    *,
    with_scaffold: bool = False,
) -> list[PromptSet]:
    """Every shot's Prompt Set: the stored one (with hand edits and its derived status), else
    assembled now (status Missing until it is saved). Without models or the scaffold, worked
    out once per content of the project's draft."""
    if not models and chosen is None and not with_scaffold:
        return list(
            project.at_draft(
                f"prompt sets {scene_id}", lambda: tuple(_prompt_sets(project, scene_id))
            )
        )
    return _prompt_sets(project, scene_id, models or [], chosen, with_scaffold)


def _prompt_sets(
    project: Project, scene_id: str, models: Sequence[VideoModel] = (), chosen: str | None = None,
    scaffolded: bool = False,
) -> list[PromptSet]:  # fmt: skip
    inputs = prompt_inputs(project, scene_id)
    model = next((m for m in models if m.id == chosen), None)
    deriver = StatusDeriver(project, project.branch().draft)
    cast = inputs.cast or {
        e.name.upper(): e.name.upper() for e in inputs.elements if e.kind == "character"
    }
    hidden = scaffold() if scaffolded else None
    out = []
    for shot in inputs.shots:
        p = path(scene_id, shot.id)
        doc = deriver.view.doc(p)  # (the draft the statuses are of, read by its tree)
        stored = artifacts.content_of(doc) if isinstance(doc, dict) else None
        content = _shown(inputs, shot, stored)
        s = PromptSet(
            shot=shot.id,
            label=shot.label,
            frames=content["frames"],
            start_frame=content["start_frame"],
            end_frame=content["end_frame"] if content["frames"] == START_END else None,
            video=content["video"],
            manual_frame=bool(stored and stored.get("manual_frame")),
            manual_video=bool(stored and stored.get("manual_video")),
            status=deriver.status(p),
            templates=tuple(stored.get("templates") or ()) if stored else templates(),
            scaffold=hidden,
            path=p,
        )
        out.append(
            replace(
                s,
                warnings=sanity(s, shot, cast, model, _looks_in(inputs, shot)),
                compatible=compatible(shot, s.frames, models),
            )
        )
    return out


def _looks_in(inputs: PromptInputs, shot: Shot) -> tuple[str, ...]:
    """The descriptions Aiuteur writes into this shot's frame prompts (its elements' looks)."""
    return tuple(e.description for e in inputs.elements if e.description and shot.id in e.shots)


def _shown(inputs: PromptInputs, shot: Shot, stored: dict[str, Any] | None) -> dict[str, Any]:
    """What a set shows: a stored set as it was saved (so an Outdated set reads as what was
    or would be sent, until it is re-assembled), else the assembly of now."""
    if stored and all(k in stored for k in ("frames", "start_frame", "video")):
        return {
            "frames": stored["frames"],
            "start_frame": stored["start_frame"],
            "end_frame": stored.get("end_frame"),
            "video": stored["video"],
        }
    return _fresh(inputs, shot)


def one(project: Project, scene_id: str, shot_id: str, **kw: Any) -> PromptSet:
    for s in prompt_sets(project, scene_id, **kw):
        if s.shot == shot_id:
            return s
    raise GateClosed(f"Scene {scene_id} has no shot {shot_id}.")


def _recorded(project: Project, scene_id: str, shot: Shot, inputs: PromptInputs) -> dict[str, str]:
    chars, props, place = _in_shot(shot, inputs.elements)
    looks = [*chars, *props, *([place] if place else [])]
    keys, absent = _inputs_of(scene_id, shot, looks, inputs.style_key, inputs.order)
    return artifacts.record_inputs(
        project, project.branch().draft, path(scene_id, shot.id), keys, absent=absent
    )


def _write(
    project: Project, scene_id: str, shot: Shot, inputs: PromptInputs, content: dict[str, Any]
) -> None:
    scene_style.ensure(project, scene_id)
    recorded = _recorded(project, scene_id, shot, inputs)
    manual = content.get("manual_frame") or content.get("manual_video")
    doc = artifacts.make(
        {**content, "templates": list(templates())},
        inputs=recorded,
        origin=artifacts.MANUAL if manual else artifacts.GENERATED,
        template=",".join(templates()),
        context=sorted(recorded),
    )
    project.write(path(scene_id, shot.id), doc)


def _content(
    inputs: PromptInputs, shot: Shot, stored: dict[str, Any] | None, change: dict[str, Any]
) -> dict[str, Any]:
    """A set as assembled now, with the stored hand edits and frame choice kept (unless
    `change` resets them) and `change` applied."""
    stored = stored or {}
    frames = change.get("frames") or stored.get("frames") or None
    fresh = _fresh(inputs, shot, frames)
    content = {**fresh, "manual_frame": False, "manual_video": False}
    if stored.get("manual_frame") and change.get("manual_frame", True):
        content.update(
            start_frame=stored.get("start_frame") or "",
            end_frame=stored.get("end_frame"),
            manual_frame=True,
        )
    if stored.get("manual_video") and change.get("manual_video", True):
        content.update(video=stored.get("video") or "", manual_video=True)
    content.update(change)
    if content["frames"] != START_END:
        content["end_frame"] = None
    elif content.get("end_frame") is None:
        content["end_frame"] = fresh["end_frame"]
    for key in ("start_frame", "end_frame", "video"):
        if isinstance(content.get(key), str) and len(content[key]) > MAX_PROMPT:
            raise GateClosed(f"A prompt is at most {MAX_PROMPT:,} characters.")
    return content


def _stored(project: Project, scene_id: str, shot_id: str) -> dict[str, Any] | None:
    doc = project.read(path(scene_id, shot_id))
    return artifacts.content_of(doc) if isinstance(doc, dict) else None


def assemble(project: Project, scene_id: str) -> int:
    """Save every shot's Prompt Set as assembled now, keeping hand edits and frame choices
    (their inputs re-recorded, so the set is up to date again); a commit when anything
    changed. Returns how many sets were written."""
    inputs = prompt_inputs(project, scene_id)
    written = 0
    for shot in inputs.shots:
        before = project.read(path(scene_id, shot.id))
        stored = artifacts.content_of(before) if isinstance(before, dict) else None
        content = _content(inputs, shot, stored, {})
        if (
            isinstance(before, dict)
            and stored is not None
            and _same(stored, content)
            and before.get("inputs") == _recorded(project, scene_id, shot, inputs)
        ):
            continue  # already saved as it would be now
        _write(project, scene_id, shot, inputs, content)
        written += 1
    if project.is_dirty():
        project.commit(f"Assembled prompts for scene {inputs.label}", kind="generate", stage=9)
    return written


def _same(stored: dict[str, Any], content: dict[str, Any]) -> bool:
    return all(stored.get(k) == v for k, v in content.items())


def _edit(project: Project, scene_id: str, shot_id: str, change: dict[str, Any]) -> PromptSet:
    inputs = prompt_inputs(project, scene_id)
    shot = next((s for s in inputs.shots if s.id == shot_id), None)
    if shot is None:
        raise GateClosed(f"Scene {scene_id} has no shot {shot_id}.")
    content = _content(inputs, shot, _stored(project, scene_id, shot_id), change)
    _write(project, scene_id, shot, inputs, content)
    return one(project, scene_id, shot_id)


def edit_frame(
    project: Project, scene_id: str, shot_id: str, start: str, end: str | None = None
) -> PromptSet:
    """Edit the frame prompt(s) by hand: kept, and flagged, until `reset_frame`."""
    change: dict[str, Any] = {"start_frame": start.strip(), "manual_frame": True}
    if end is not None:
        change["end_frame"] = end.strip()
    return _edit(project, scene_id, shot_id, change)


def reset_frame(project: Project, scene_id: str, shot_id: str) -> PromptSet:
    """Back to the assembled frame prompt(s)."""
    return _edit(project, scene_id, shot_id, {"manual_frame": False})


def edit_video(project: Project, scene_id: str, shot_id: str, text: str) -> PromptSet:
    """The video prompt is always editable: a hand edit is kept until `reset_video`."""
    return _edit(project, scene_id, shot_id, {"video": text.strip(), "manual_video": True})


def reset_video(project: Project, scene_id: str, shot_id: str) -> PromptSet:
    """Back to the assembled video prompt."""
    return _edit(project, scene_id, shot_id, {"manual_video": False})


def set_frames(project: Project, scene_id: str, shot_id: str, frames: str) -> PromptSet:
    """Anchor the shot with a start frame only, or with start and end frames."""
    if frames not in FRAMES_LABEL:
        raise GateClosed("A shot takes a start frame only, or start and end frames.")
    return _edit(project, scene_id, shot_id, {"frames": frames})


def gate(project: Project, scene_id: str) -> str | None:
    """Why the scene's frames cannot be made yet (None when they can): every shot's Prompt
    Set saved and up to date."""
    deriver = StatusDeriver(project, project.branch().draft)
    rows = shot_list.current(project, scene_id)
    waiting = [
        s.label for s in rows if deriver.status(path(scene_id, s.id)) is not Status.UP_TO_DATE
    ]
    if not waiting:
        return None
    names = ", ".join(waiting[:5]) + (" …" if len(waiting) > 5 else "")
    return f"Assemble the prompts first (Stage 9 → Assemble Prompts): shots {names} have none up to date."


def as_json(s: PromptSet, *, with_scaffold: bool = False) -> dict[str, Any]:
    """A set as `aiuteur prompts --json` prints it (the scaffold only when asked for)."""
    out: dict[str, Any] = {
        "shot": s.shot,
        "label": s.label,
        "frames": s.frames,
        "frame_prompts": {"start": s.start_frame, **({"end": s.end_frame} if s.end_frame else {})},
        "video_prompt": s.video,
        "manual": {"frame": s.manual_frame, "video": s.manual_video},
        "status": s.status.value,
        "templates": list(s.templates),
        "compatible_models": list(s.compatible),
        "warnings": list(s.warnings),
    }
    if with_scaffold:
        out["scaffold"] = dict(s.scaffold or scaffold())
    return out
