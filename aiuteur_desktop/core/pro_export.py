"""Pro Export (PRD §10, issue "Pro Export, project archive, and conform"): the active
branch's approved takes, for an editor.

Every shot in Script Hub order with its take in use, copied at source quality (the file as
rendered — never re-encoded) under the PRD's name `[Project]_Sc##_Shot<label>_v##.mp4`
(v = the take's number), and one timeline of them written by OTIO's adapters (FCP7 XML for
Resolve and Premiere, CMX 3600 EDL, `.otio`) at the takes' rate, with scene markers and shot
names; a `manifest.json` (per clip: shot, take, the file's SHA-256, duration, the prompt and
frames it was made from) and a `CONTENTS.txt` for a person. A shot with no take yet is
left out and listed as such (the animatic fallback, audio stems, FCPXML and the zip come
next).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import master_script, shot_list, takes
from aiuteur_desktop.core.errors import AiuteurError, GateClosed
from aiuteur_desktop.core.formats import nle, write_atomically
from aiuteur_desktop.core.operations.video_render import takes_path
from aiuteur_desktop.core.playback import probe
from aiuteur_desktop.core.shots import Shot, camel
from aiuteur_desktop.core.store import Project

TIMELINES = (".xml", ".edl", ".otio")


def clip_name(project: str, shot: Shot, version: int) -> str:
    """`Aiuteur_Sc01_Shot1A_v02`: the project, the scene's number (two digits when it is a
    number), the shot's id as the script shows it (scene + letter), the take."""
    label = shot.scene_label
    scene = f"{int(label):02d}" if label.isdigit() else re.sub(r"[^0-9A-Za-z]+", "", label)
    shot_id = re.sub(r"[^0-9A-Za-z]+", "", shot.label)
    return f"{(camel(project) or 'Aiuteur')}_Sc{scene}_Shot{shot_id}_v{version:02d}"


@dataclass(frozen=True)
class Item:
    """One shot of the export."""

    scene_id: str
    heading: str
    shot: Shot
    take: takes.Take | None  # None: not rendered yet (left out)
    name: str


def plan(project: Project, *, scene: str | None = None) -> list[Item]:
    """The shots in Script Hub order (or one scene's), each with its take in use."""
    play = master_script.current(project)
    if play is None:
        raise GateClosed("There is no Master Script yet: nothing to export.")
    scenes = [s for s in play.scenes() if scene is None or s.id == scene]
    if scene is not None and not scenes:
        raise GateClosed(f"There is no scene {scene} in the script.")
    out = []
    for s in scenes:
        for shot in shot_list.current(project, s.id):
            take = takes.current(project, s.id, shot.id)
            version = take.number if take is not None else 1
            out.append(Item(s.id, s.title, shot, take, clip_name(project.name, shot, version)))
    return out


@dataclass
class Exported:
    folder: Path
    clips: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # shot labels with no take
    timelines: list[Path] = field(default_factory=list)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _copy(source: Path, target: Path) -> None:
    """The file as rendered (source quality), through a hidden name renamed at the end."""
    write_atomically(target, lambda tmp: shutil.copyfile(source, tmp))


def export(
    project: Project,
    folder: Path,
    *,
    scene: str | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Exported:
    """Write the clips, the timelines, the manifest and CONTENTS.txt into `folder`."""
    items = plan(project, scene=scene)
    folder = Path(folder)
    out = Exported(folder)
    rows: list[nle.TimelineClip] = []
    fps, size = 24.0, (1280, 720)
    ready = [i for i in items if i.take is not None]
    out.missing = [i.shot.label for i in items if i.take is None]
    if not ready:
        raise GateClosed(
            "No shot has a take yet: render the scenes first (Stage 11 → Confirm & Render)."
        )
    for n, item in enumerate(ready):
        if cancelled is not None and cancelled():
            raise AiuteurError("The export was cancelled; the files written so far are kept.")
        assert item.take is not None
        source = project.media.path(item.take.media)
        target = folder / "clips" / f"{item.name}.mp4"
        _copy(source, target)
        duration, clip_fps, w, h, _audio = probe(target)
        if n == 0:
            fps, size = clip_fps, (w, h)
        frames = max(1, round(duration * fps))
        doc = project.read(takes_path(item.scene_id, item.shot.id)) or {}
        made: dict[str, Any] = next(
            (t for t in doc.get("takes") or () if t.get("media") == item.take.media), {}
        )
        params = made.get("parameters") or {}
        out.clips.append(
            {
                "name": item.name,
                "file": f"clips/{item.name}.mp4",
                "scene": item.shot.scene_label,
                "shot": item.shot.id,
                "label": item.shot.label,
                "take": item.take.number,
                "version": item.take.version,
                "sha256": _sha256(target),
                "duration": round(frames / fps, 6),
                "frames": frames,
                "model": made.get("model", ""),
                "provider": made.get("provider", ""),
                "prompt": params.get("prompt", ""),
                "start_frame": params.get("start_media"),
                "end_frame": params.get("end_media"),
            }
        )
        rows.append(
            nle.TimelineClip(
                name=item.name,
                path=target,
                frames=frames,
                scene=item.shot.scene_label,
                shot=item.shot.label,
                heading=item.heading,
                transition=item.shot.transition,
            )
        )
        if progress is not None:
            progress((n + 1) / (len(ready) + 1))
    rate = round(fps)
    timeline = nle.build(f"{project.name} — {project.current_branch}", rows, rate, size=size)
    stem = camel(project.name) or "Aiuteur"
    for suffix in TIMELINES:
        out.timelines.append(nle.write(timeline, folder / f"{stem}{suffix}"))
    manifest = {
        "project": project.name,
        "branch": project.current_branch,
        "exported_at": time.time(),
        "fps": rate,
        "size": list(size),
        "clips": out.clips,
        "missing": out.missing,
        "timelines": [p.name for p in out.timelines],
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False)
    write_atomically(folder / "manifest.json", lambda tmp: tmp.write_text(text, "utf-8"))
    contents = _contents(project, out, rate)
    write_atomically(folder / "CONTENTS.txt", lambda tmp: tmp.write_text(contents, "utf-8"))
    if progress is not None:
        progress(1.0)
    return out


def _contents(project: Project, out: Exported, fps: int) -> str:
    lines = [
        f"{project.name} — Story Timeline “{project.current_branch}”, exported for editing",
        "",
        f"clips/          {len(out.clips)} takes as rendered (source quality), {fps} fps",
        *(f"timeline        {p.name}" for p in out.timelines),
        "manifest.json   per clip: shot, take, SHA-256, duration, prompt and frames",
        "",
        "DaVinci Resolve: File → Import → Timeline… → the .xml (or .edl); keep the clips",
        "folder beside it. Premiere Pro: File → Import… → the .xml.",
        "",
    ]
    for c in out.clips:
        lines.append(f"{c['label']:>6}  take {c['take']}  {c['duration']:6.2f} s  {c['file']}")
    if out.missing:
        lines += ["", f"Not rendered yet (left out): {', '.join(out.missing)}"]
    return "\n".join(lines) + "\n"
