"""A confirmed scene's renders and the takes they leave (PRD §4.7, Stage 12).

Each confirmed shot becomes one `video.render` job through the registry's video provider
(Veo on Vertex AI, or the offline animatic engine, free and with no network), built and
run by the operation (`core/operations/video_render.py`: the handle kept before anything
else, never resubmitted unasked, the caps checked before each submission). Its
result is a **take** kept under `scenes/<scene>/videos/<shot>`: every take stays, the
one in use is `current`, and each records the confirmation version, frames, prompt, model
and price it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.story import master_script


def takes_path(scene: str, shot: str) -> str:
    return f"scenes/{scene}/videos/{shot}"


@dataclass(frozen=True)
class Take:
    media: str
    job: str
    version: int  # the scene's confirmation it was rendered from (0: before versions)
    model: str
    cost: float
    number: int  # 1-based, in the order they were made

    @classmethod
    def from_json(cls, d: dict[str, Any], number: int) -> Take:
        params = d.get("parameters") or {}
        return cls(
            media=str(d.get("media") or ""),
            job=str(d.get("job") or ""),
            version=int(params.get("version") or d.get("version") or 0),
            model=str(d.get("model") or ""),
            cost=float(d.get("cost") or 0.0),
            number=number,
        )


def _doc(project: Project, scene_id: str, shot_id: str) -> dict[str, Any]:
    doc = project.read(takes_path(scene_id, shot_id))
    return artifacts.content_of(doc) if isinstance(doc, dict) else {}


def of(project: Project, scene_id: str, shot_id: str) -> list[Take]:
    """Every take of a shot, oldest first."""
    return [
        Take.from_json(t, i + 1)
        for i, t in enumerate(_doc(project, scene_id, shot_id).get("takes") or ())
    ]


def current(project: Project, scene_id: str, shot_id: str) -> Take | None:
    """The take the scene's cut uses: the one chosen, else the newest."""
    return _in_use(_doc(project, scene_id, shot_id))[0]


def _in_use(doc: dict[str, Any]) -> tuple[Take | None, dict[str, Any]]:
    """The take in use of a shot's takes document, and its stored record."""
    records = [t for t in doc.get("takes") or () if isinstance(t, dict)]
    all_takes = [Take.from_json(t, i + 1) for i, t in enumerate(records)]
    chosen = doc.get("current")
    same = [n for n, t in enumerate(all_takes) if t.media == chosen]
    n = same[-1] if same else len(all_takes) - 1
    return (all_takes[n], records[n]) if all_takes else (None, {})


def in_use(
    project: Project, shots_of: list[tuple[str, str]]
) -> list[tuple[Take | None, dict[str, Any]]]:
    """For each (scene id, shot id), its take in use and the take's record (model,
    parameters: prompt, duration, frames) — a whole film's in one read."""
    docs = project.read_many([takes_path(scene, shot) for scene, shot in shots_of])
    return [
        _in_use(artifacts.content_of(docs[takes_path(scene, shot)])) for scene, shot in shots_of
    ]


def use(project: Project, scene_id: str, shot_id: str, media: str) -> Take:
    """Use this take in the scene's cut (a commit); every other take stays."""
    doc = project.read(takes_path(scene_id, shot_id))
    take = next((t for t in of(project, scene_id, shot_id) if t.media == media), None)
    if take is None or not isinstance(doc, dict):
        raise GateClosed("That take is not among this shot's takes any more.")
    if _doc(project, scene_id, shot_id).get("current") == media:
        return take
    content = {**artifacts.content_of(doc), "current": media}
    project.write(takes_path(scene_id, shot_id), {**doc, **content})
    label = label_of(project, scene_id, shot_id)
    project.commit(f"Shot {label}: using take {take.number}", kind="edit", stage=12)
    return take


def label_of(project: Project, scene_id: str, shot_id: str) -> str:
    """The shot's id as the script shows it ("3B")."""
    shot = next((s for s in shot_list.current(project, scene_id) if s.id == shot_id), None)
    return (
        shot.label if shot is not None else f"{master_script.label_of(project, scene_id)}{shot_id}"
    )


def rendered(project: Project, scene_id: str, version: int) -> set[str]:
    """The shots with a take of confirmation `version`."""
    out = set()
    for shot in shot_list.current(project, scene_id):
        if any(t.version == version for t in of(project, scene_id, shot.id)):
            out.add(shot.id)
    return out
