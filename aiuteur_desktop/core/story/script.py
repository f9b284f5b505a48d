"""Stage 4 (PRD §3.4, §8.4): the Master Script from the beats, hand edits, approval."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.elements import Screenplay
from aiuteur_desktop.core.screenplay.headings import parse_heading
from aiuteur_desktop.core.store import Project, artifacts, timelines
from aiuteur_desktop.core.store.status import inputs_of
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.core.story.beats import beats_of
from aiuteur_desktop.core.story.common import SCRIPT, TREATMENT, _unapprove, lock
from aiuteur_desktop.core.story.schemas import ScriptOut


# ----------------------------------------------------------------- Stage 4
def script_from(value: ScriptOut) -> tuple[Screenplay, list[list[int]]]:
    """The generated scenes as one screenplay, and each scene's beat numbers."""
    text = "\n\n".join(f"{s.heading}\n\n{s.body.strip()}" for s in value.scenes)
    play = fountain.read_string(text)
    if value.title:
        play = Screenplay((("Title", value.title),), play.elements)
    return play, [list(s.beats) for s in value.scenes]


def save_generated_script(
    project: Project,
    value: ScriptOut,
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
) -> None:
    """Raises BranchRequired (nothing written) when the beats changed since the last script."""
    play, beat_map = script_from(value)
    content = master_script.to_document(play, project.read(SCRIPT))
    for scene, numbers in zip(content["scenes"], beat_map, strict=False):
        scene["beats"] = numbers
    timelines.save_generated_script(
        project, content, cost=cost, model=model, extra_inputs=[TREATMENT]
    )
    doc = project.read(SCRIPT)
    assert isinstance(doc, dict)
    doc = {**doc, "template": template, "context": context}
    project.write(SCRIPT, doc)
    _unapprove(project, 4)  # nobody has read the new script yet: approval is the user's click
    project.commit(message, kind="generate", stage=4, cost=cost)


def edit_script(project: Project, play: Screenplay) -> None:
    """A hand edit of the Master Script; each scene keeps its id and its beat mapping."""
    previous = project.read(SCRIPT)
    old_scenes = (previous or {}).get("scenes") or [] if isinstance(previous, dict) else []
    beats = {s.get("id"): s["beats"] for s in old_scenes if isinstance(s, dict) and "beats" in s}
    content = master_script.to_document(play, previous)
    for scene in content["scenes"]:
        if scene["id"] in beats:
            scene["beats"] = beats[scene["id"]]
    if artifacts.content_of(previous) == content:
        return
    timelines.save_edit(project, SCRIPT, content)
    if previous is not None and "next_scene" not in artifacts.content_of(previous):
        master_script.carry_legacy_inputs(project, previous, project.read(SCRIPT))


def scene_beats(project: Project) -> list[list[int]]:
    """For each scene of the script, the beat numbers (1-based) it covers. Scenes without a
    recorded mapping (imported or hand-added) are spread evenly over the beats."""
    doc = project.read(SCRIPT)
    scenes = doc.get("scenes") if isinstance(doc, dict) else None
    beats = len(beats_of(project))
    out: list[list[int]] = []
    for i, scene in enumerate(scenes or []):
        mapped = [int(n) for n in scene.get("beats") or [] if 1 <= int(n) <= beats]
        if not mapped and beats:
            mapped = [min(beats, 1 + i * beats // max(1, len(scenes or [])))]
        out.append(mapped)
    return out


def approve_script(project: Project) -> None:
    if master_script.current(project) is None:
        raise GateClosed("There is no Master Script to approve yet.")
    if project.is_dirty():
        project.commit("Manual edits to Master Script", kind="edit", stage=4)
    lock(project, 4, "Approved Master Script")


def script_synced_to_beats(project: Project) -> bool:
    """False when the Beat Sheet changed after the script was written (Stage 4's flag)."""
    return not timelines.beats_changed_since_script(project)


def scenes(project: Project) -> list[dict[str, Any]]:
    """The scene list Phase B starts from (number, heading, INT/EXT, location, time of day)."""
    doc = project.read(SCRIPT)
    out = []
    for s in (doc.get("scenes") if isinstance(doc, dict) else None) or []:
        h = parse_heading(str(s.get("heading", "")))
        out.append(
            {
                "id": s.get("id"),
                "number": s.get("number"),
                "heading": s.get("heading"),
                "int_ext": s.get("int_ext") or h.int_ext,
                "location": s.get("location") or h.location,
                "time_of_day": s.get("time_of_day") or h.time_of_day,
            }
        )
    return out


def recorded(doc: Any, key: str) -> str | None:
    return inputs_of(doc).get(key)
