"""A shot's lines in cloud voices as one track per character (issue "Voice Gallery"): each
line where the shot's dialogue has it — after a short lead-in, one after another with a
breath between, as the animatic times them — in its speaker's track, silence elsewhere;
16-bit mono WAV at 48 kHz, the clip's length. Pro Export puts each character's on a track
of its own under the pictures."""

from __future__ import annotations

import re
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiuteur_desktop.core.app.lazy import LazyModule
from aiuteur_desktop.core.media import wav
from aiuteur_desktop.core.store import Project

if TYPE_CHECKING:
    import numpy as np
else:  # loaded with the first track, not with the export's listing
    np = LazyModule("numpy")

RATE = 48_000
LEAD_IN = 0.3  # seconds before the first line (the animatic's)
GAP = 0.25  # a breath between lines


def voices_path(scene: str, shot: str, n: int | None = None) -> str:
    """The shot's lines spoken in cloud voices (core.operations.cloud_dialogue makes them):
    a document per line, `n` its place among the shot's lines (two lines landing at once
    never write over each other)."""
    folder = f"scenes/{scene}/voices/{shot}"
    return folder if n is None else f"{folder}/{n}"


def spoken(project: Project, scene: str, shot: str) -> list[dict[str, Any]]:
    """The shot's lines spoken in cloud voices so far, in order (each with `n`, its place
    among the shot's lines, and its `media`)."""
    folder = voices_path(scene, shot)
    tree = project.folder_of(project.branch().draft, folder)
    if tree is None:
        return []
    docs = project.read_many([f"{folder}/{name}" for name in project.list_paths(tree)])
    lines = [d for d in docs.values() if isinstance(d, dict) and isinstance(d.get("n"), int)]
    return sorted(lines, key=lambda x: x["n"])


def placed(project: Project, scene: str, shot: str) -> list[tuple[Path, float, str]]:
    """The shot's cloud-voiced lines where they are heard: (WAV file, seconds into the clip,
    character) — after a lead-in, one after another with a breath between (as `tracks`
    mixes them; from the lengths the lines were stored with: nothing is decoded)."""
    return _placed(project, spoken(project, scene, shot))


def placed_in_scene(project: Project, scene: str) -> dict[str, list[tuple[Path, float, str]]]:
    """`placed` for every shot of the scene with a cloud-voiced line, in one read (the
    review player's cut)."""
    folder = f"scenes/{scene}/voices"
    tree = project.folder_of(project.branch().draft, folder)
    if tree is None:
        return {}
    docs = project.read_many([f"{folder}/{name}" for name in project.list_paths(tree)])
    by_shot: dict[str, list[dict[str, Any]]] = {}
    for path, doc in docs.items():
        if isinstance(doc, dict) and isinstance(doc.get("n"), int):
            by_shot.setdefault(path.split("/")[3], []).append(doc)
    return {
        shot: _placed(project, sorted(lines, key=lambda x: x["n"]))
        for shot, lines in by_shot.items()
    }


def _placed(project: Project, lines: list[dict[str, Any]]) -> list[tuple[Path, float, str]]:
    out, at = [], LEAD_IN
    for line in lines:
        path = project.media.path(str(line.get("media") or ""))
        if not path.is_file():
            continue
        out.append((path, at, str(line["character"])))
        at += float(line.get("seconds") or 0.0) + GAP
    return out


def tracks(project: Project, scene: str, shot: str, seconds: float) -> dict[str, bytes]:
    """Each speaker's track of the shot's cloud-voiced lines (WAV bytes by character), the
    clip's `seconds` long; empty when none of its lines was spoken in a cloud voice."""
    total = max(1, round(seconds * RATE))
    out: dict[str, np.ndarray] = {}
    for path, at, who in placed(project, scene, shot):
        try:
            voice = wav.read_mono(path.read_bytes(), RATE)
        except (OSError, ValueError, EOFError, wave.Error):
            continue  # a sound that cannot be read is left out, never the whole track
        start = round(at * RATE)
        if start >= total:
            break
        piece = voice[: total - start]
        track = out.setdefault(who, np.zeros(total, dtype=np.float32))
        track[start : start + len(piece)] += piece
    return {who: wav.write_mono(track, RATE) for who, track in out.items()}


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").upper() or "VOICE"


def export_stems(
    project: Project, items: list[Any], entries: list[dict[str, Any]], stage: Path
) -> int:
    """Pro Export: each shot's cloud-voice tracks under `stems/voices/`, its entry gaining
    `voice_stems` ({character: file}). Returns how many were written."""
    written = 0
    for item, entry in zip(items, entries, strict=True):
        # The clip's whole length, so the editor's in-point applies to the stem too.
        seconds = entry["source_frames"] * entry["duration"] / entry["frames"]
        made = tracks(project, item.scene_id, item.shot.id, seconds)
        if not made:
            continue
        entry["voice_stems"] = {}
        for who, data in sorted(made.items()):
            name = f"stems/voices/{item.name}_{_slug(who)}.wav"
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            entry["voice_stems"][who] = name
            written += 1
    return written
