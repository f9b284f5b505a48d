"""A confirmed scene's renders and the takes they leave (PRD §4.7, Stage 12).

Each confirmed shot becomes one `video.render` job through the registry's video provider
(Veo on Vertex AI, or the offline animatic engine, free and with no network); the job's
rules — the handle kept before anything else, never resubmitted unasked, the caps checked
before each submission — are the operation's (`core/operations/video_render.py`). Its
result is a **take** kept under `scenes/<scene>/videos/<shot>`: every take stays, the
one in use is `current`, and each records the confirmation version, frames, prompt, model
and price it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import artifacts, master_script, shot_list, shots
from aiuteur_desktop.core.checkout import Confirmed, Line
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.jobs import JobState, JobStore
from aiuteur_desktop.core.operations import ProviderSource
from aiuteur_desktop.core.operations.video_render import VideoRender, takes_path
from aiuteur_desktop.core.store import Project

ACTIVE = {JobState.QUEUED, JobState.RUNNING, JobState.DECIDE}
STOPPED = {JobState.FAILED, JobState.CANCELLED}


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


def in_flight(
    store: JobStore, bundle: str, scene_id: str, version: int | None = None
) -> dict[str, str]:
    """Shot id → job id of this scene's renders that must not be sent again as new jobs:
    queued, running, waiting for the user's decision, or stopped after the provider
    accepted them (Retry collects those without a new charge)."""
    out: dict[str, str] = {}
    for job in store.recent(limit=2000, states=set(JobState)):
        p = job.params
        if job.kind != VideoRender.kind or p.get("bundle") != bundle:
            continue
        if p.get("scene") != scene_id or (version is not None and p.get("version") != version):
            continue
        if job.state in ACTIVE or (job.state in STOPPED and job.handle is not None):
            out.setdefault(str(p.get("shot")), job.id)
    return out


def _params(
    project: Project, scene_id: str, line: Line, shot: Any, version: int, vertex: dict[str, Any]
) -> dict[str, Any]:
    end = str(project.media.path(line.end)) if line.end else None
    assert line.start is not None
    return {
        "title": f"Render shot {line.label}",
        "prompt": line.video_prompt,
        "model_id": line.model,
        "start_frame": str(project.media.path(line.start)),
        "end_frame": end,
        "start_media": line.start,
        "end_media": line.end,
        "duration": line.duration,
        "audio": line.audio,
        "seed": None,
        "spec": shots.to_spec(shot).model_dump(mode="json"),
        "bundle": str(project.path),
        "branch": project.current_branch,
        "scene": scene_id,
        "shot": line.shot,
        "label": line.label,  # "1E", as the app names the shot (the id "E" is the scene's)
        "version": version,
        "stage": 12,
        "vertex": vertex,
        # One render of this shot for this confirmation, across every process of the machine.
        "claim": f"render|{Path(project.path).resolve()}|{project.current_branch}|{scene_id}"
        f"|{line.shot}|v{version}",
    }


def render_ops(
    project: Project,
    scene_id: str,
    confirmed: Confirmed,
    source: ProviderSource,
    *,
    vertex: dict[str, Any] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
    only: set[str] | None = None,
    poll_seconds: float = 10.0,
) -> list[VideoRender]:
    """One priced render per confirmed shot still to render for this version — not those
    with a take of it already, nor those in `skip` (being rendered) — in shot order.
    `only`: just these shots (a re-render the user asked for, priced again)."""
    rows = {s.id: s for s in shot_list.current(project, scene_id)}
    done = rendered(project, scene_id, confirmed.version) if only is None else set()
    ops = []
    for line in confirmed.lines:
        if line.shot in skip or line.shot in done or (only is not None and line.shot not in only):
            continue
        shot = rows.get(line.shot)
        if shot is None or line.start is None:
            raise GateClosed(
                f"Shot {line.label} is no longer in the shot list: confirm the scene again."
            )
        params = _params(project, scene_id, line, shot, confirmed.version, vertex or {})
        params["poll_seconds"] = poll_seconds
        if only is not None:  # rendered again: the next take, with a seed of its own
            params["seed"] = len(of(project, scene_id, line.shot)) + 1
            params["claim"] += f"|take{params['seed']}"
        ops.append(VideoRender.prepare(params, source))
    return ops
