"""Conform (issue "Pro Export, project archive, and conform"; PRD §10): the editor's timeline
comes back. The file Resolve, Premiere or Final Cut wrote (FCP7 XML, FCPXML, CMX 3600 EDL or
OTIO) is read with OTIO's adapters; its picture clips are matched to shots by Pro Export's
names (`Storm_Sc02_Shot2A_v01`, `…_animatic`), the manifest's names, or the EDL's reel
names, and the result is a report — the new shot order and durations, trims that run past a
take's end, shots the editor dropped and clips Aiuteur does not know — shown before anything
changes. Applying it writes the cut (`core/production/cut.py`) as one commit on a new Story Timeline,
"Conform from <file> <date>"; the branch it came from is not touched.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.export import nle, pro_export
from aiuteur_desktop.core.export.otio_lib import otio
from aiuteur_desktop.core.media import transcode
from aiuteur_desktop.core.production import cut
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.names import BAD_NAME

#: Pro Export's names: …_Sc<scene>_Shot<label>_v<take> or …_Shot<label>_animatic.
NAME = re.compile(r"_Sc(?P<scene>[0-9A-Za-z]+)_Shot(?P<shot>[0-9A-Za-z]+)_(?:v\d+|animatic)")
#: Files larger than this are not an editor's timeline (an EDL of 10,000 events is ~2 MB).
MAX_BYTES = 64 * 1024 * 1024


class ConformError(AiuteurError):
    """The editor's file cannot be conformed."""


@dataclass(frozen=True)
class Placed:
    """One clip of the edited timeline, matched to a shot."""

    scene_id: str
    shot_id: str
    label: str
    name: str
    first: int  # in-point within the clip, frames
    frames: int  # on the timeline, frames
    available: int  # the clip's own length, frames
    beyond: bool  # the editor's trim asked for more than the take has


@dataclass
class Report:
    source: Path
    fps: int
    placed: list[Placed] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # shot labels not in the edit
    unknown: list[str] = field(default_factory=list)  # clip names Aiuteur does not know
    moved: bool = False
    retimed: list[str] = field(default_factory=list)  # labels whose length or in-point changed
    scenes: list[str] = field(default_factory=list)  # the scene ids the edit covers
    #: Shots the active timeline's cut omitted that the edit brings back.
    restored: list[str] = field(default_factory=list)
    #: The editor's file of the cut the edit was compared with ("" — the script's order).
    against: str = ""

    @property
    def beyond(self) -> list[str]:
        return [p.label for p in self.placed if p.beyond]

    def summary(self) -> str:
        parts = [f"{len(self.placed)} clip(s) matched"]
        if self.against:
            parts[0] += f" against the active timeline's cut (from {self.against})"
        if self.moved:
            parts.append("shot order changed")
        if self.retimed:
            parts.append(f"{len(self.retimed)} retimed")
        if self.restored:
            parts.append(f"{len(self.restored)} restored (omitted in the active cut)")
        if self.removed:
            parts.append(f"{len(self.removed)} dropped (kept, marked omitted)")
        if self.unknown:
            parts.append(f"{len(self.unknown)} unknown clip(s) left out")
        if self.beyond:
            parts.append(f"{len(self.beyond)} trimmed past the take's end")
        return "; ".join(parts) + "."

    def as_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "fps": self.fps,
            "order": [
                {
                    "scene": p.scene_id,
                    "shot": p.shot_id,
                    "label": p.label,
                    "name": p.name,
                    "first": p.first,
                    "frames": p.frames,
                    "seconds": round(p.frames / self.fps, 3),
                    "beyond": p.beyond,
                }
                for p in self.placed
            ],
            "moved": self.moved,
            "retimed": self.retimed,
            "restored": self.restored,
            "against": self.against,
            "removed": self.removed,
            "unknown": self.unknown,
            "beyond": self.beyond,
            "summary": self.summary(),
        }


def _names_of(clip: otio.schema.Clip) -> list[str]:
    """What an editor's clip may be known by: its name, its file's name, its EDL reel."""
    out = [clip.name or ""]
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
        out.append(Path(unquote(urlparse(ref.target_url).path)).stem)
    reel = (clip.metadata.get("cmx_3600") or {}).get("reel")
    if isinstance(reel, str):
        out.append(reel)
    return [n for n in out if n]


def _manifest_names(source: Path) -> dict[str, tuple[str, str]]:
    """Clip name → (scene id, shot id) from a Pro Export manifest beside the edited file."""
    path = source.parent / pro_export.MANIFEST
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for c in data.get("clips") or () if isinstance(data, dict) else ():
        if isinstance(c, dict) and c.get("name") and c.get("scene_id") and c.get("shot"):
            out[str(c["name"])] = (str(c["scene_id"]), str(c["shot"]))
    return out


def _video_track(timeline: Any) -> otio.schema.Track:
    if not isinstance(timeline, otio.schema.Timeline):
        found = list(timeline.find_children(descended_from_type=otio.schema.Timeline))
        if not found:
            raise ConformError("The file holds no timeline.")
        timeline = found[0]
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    if not video:
        raise ConformError("The timeline has no picture track to conform.")
    # V1: the first picture track with clips (editors may add empty tracks above).
    return next((t for t in video if any(True for _ in t.find_clips())), video[0])


def _frames(t: otio.opentime.RationalTime, fps: int) -> int:
    """A time in frames at `fps`; a time without a usable rate (0, NaN, infinite) is refused
    in a sentence — an editor never writes one."""
    if not (math.isfinite(t.rate) and t.rate > 0 and math.isfinite(t.value)):
        raise ConformError(
            f"A clip's time has a frame rate of {t.rate:g} ({t.value:g} frames): not a timeline "
            "an editor wrote; it was not read."
        )
    value = t.rescaled_to(fps).value
    if not math.isfinite(value):
        raise ConformError("A clip's time cannot be read as frames; the timeline was not read.")
    return max(0, round(value))


def read_edit(project: Project, source: Path, *, fps: int | None = None) -> Report:
    """The dry run: what the editor's file would change, nothing written."""
    source = Path(source)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise ConformError(f"cannot read {source}: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise ConformError(f"{source.name} is {size // 2**20} MB: not an editor's timeline.")
    items = pro_export.plan(project, follow_cut=False)
    rate = fps or _rate_of(project, items)
    try:
        timeline = nle.read(source, fps=rate, picture_only=True)
    except nle.NleError as exc:
        raise ConformError(exc.user_message) from None
    track = _video_track(timeline)
    by_key = {(i.scene_id, i.shot.id): i for i in items}
    by_label = {(i.shot.scene_label.upper(), i.shot.label.upper()): i for i in items}
    by_name = {i.name: i for i in items}
    reels = _reels(items)
    manifest = _manifest_names(source)
    report = Report(source, rate)
    for clip in track.find_clips():
        item = _match(_names_of(clip), by_key, by_label, by_name, reels, manifest)
        if item is None:
            report.unknown.append(clip.name or "(unnamed clip)")
            continue
        available = _length(item, rate)
        first = _frames(clip.source_range.start_time, rate) if clip.source_range else 0
        first = max(0, first - _file_start(clip, first, rate))
        frames = _frames(clip.source_range.duration, rate) if clip.source_range else available
        beyond = first + frames > available
        if beyond:
            first = min(first, available - 1)
            frames = available - first
        report.placed.append(
            Placed(
                item.scene_id,
                item.shot.id,
                item.shot.label,
                item.name,
                first,
                max(1, frames),
                available,
                beyond,
            )
        )
    if not report.placed:
        raise ConformError(
            f"No clip in {source.name} is one of this project's shots: was it exported from "
            "another project, or were the clips renamed?"
        )
    present = {(p.scene_id, p.shot_id) for p in report.placed}
    # The edit covers the scenes it was exported with (the manifest's, else those it
    # holds): a scene-only export conformed leaves the other scenes as they are.
    exported = {scene for scene, _shot in manifest.values()} or {p.scene_id for p in report.placed}
    report.scenes = [s for s in dict.fromkeys(i.scene_id for i in items) if s in exported]
    # Compared with what the active timeline shows: its cut where it has one (a conform of
    # a conform, or the original timeline brought back), else the script's order.
    before = cut.read(project)
    report.against = before.source if before is not None else ""
    shown = pro_export.follow(items, before)
    omitted_before = set(before.omitted) if before is not None else set()
    was = {(i.scene_id, i.shot.id): (i.first, i.frames or _length(i, rate)) for i in shown}
    report.removed = [
        i.shot.label
        for i in shown
        if i.scene_id in exported and (i.scene_id, i.shot.id) not in present
    ]
    kept = [k for k in ((i.scene_id, i.shot.id) for i in shown) if k in present]
    order = [k for k in dict.fromkeys((p.scene_id, p.shot_id) for p in report.placed) if k in was]
    report.moved = order != kept
    report.restored = list(
        dict.fromkeys(p.label for p in report.placed if (p.scene_id, p.shot_id) in omitted_before)
    )
    report.retimed = list(
        dict.fromkeys(
            p.label
            for p in report.placed
            if (p.scene_id, p.shot_id) in was
            and (p.first, p.frames) != was[(p.scene_id, p.shot_id)]
        )
    )
    return report


def _file_start(clip: otio.schema.Clip, first: int, fps: int) -> int:
    """Where the clip's file's timecode begins, in frames: the editor's in-points count from
    there. Its media's range says it (XML, FCPXML, OTIO); an EDL does not — there an in-point
    past 01:00:00:00 is one into a transcode for editors, whose timecode starts there."""
    ref = clip.media_reference
    known = isinstance(ref, otio.schema.ExternalReference) and ref.available_range is not None
    if known:
        return _frames(ref.available_range.start_time, fps)
    hour = transcode.START_HOUR * 3600 * fps
    return hour if first >= hour else 0


def _rate_of(project: Project, items: list[pro_export.Item]) -> int:
    """The takes' rate (the export's); 24 before there is any take."""
    from aiuteur_desktop.core.media.playback import probe

    for item in items:
        if item.take is not None:
            path = project.media.path(item.take.media)
            if path.is_file():
                try:
                    return round(probe(path)[1]) or 24
                except Exception:  # an unreadable take: fall back to the default rate
                    return 24
    return 24


def _reels(items: list[pro_export.Item]) -> dict[str, pro_export.Item]:
    """The EDL's reel names as Pro Export wrote them."""
    out: dict[str, pro_export.Item] = {}
    for item in items:
        out.setdefault(nle.reel_of(item.shot.scene_label, item.shot.label), item)
    return out


def _match(
    names: list[str],
    by_key: dict[tuple[str, str], pro_export.Item],
    by_label: dict[tuple[str, str], pro_export.Item],
    by_name: dict[str, pro_export.Item],
    reels: dict[str, pro_export.Item],
    manifest: dict[str, tuple[str, str]],
) -> pro_export.Item | None:
    for name in names:
        if name in by_name:
            return by_name[name]
        if name in manifest and manifest[name] in by_key:
            return by_key[manifest[name]]
        found = NAME.search(name)
        if found:
            scene = found["scene"].lstrip("0") or "0"
            item = by_label.get((scene.upper(), found["shot"].upper()))
            if item is not None:
                return item
    for name in names:
        if name.upper() in reels:
            return reels[name.upper()]
    return None


def _length(item: pro_export.Item, fps: int) -> int:
    """The clip's own length in frames: the take's rendered duration, or the shot's."""
    return max(1, round(item.seconds * fps))


def _full_cut(project: Project, report: Report) -> cut.Cut:
    """The whole film's cut: the edited clips where the scenes they cover begin, the other
    scenes as the branch had them (its earlier cut, or the script's order)."""
    scope = set(report.scenes)
    edited = [cut.Entry(p.scene_id, p.shot_id, p.first, p.frames) for p in report.placed]
    entries: list[cut.Entry] = []
    items = pro_export.plan(project, follow_cut=False)
    before = cut.read(project)
    for item in pro_export.follow(items, before):
        if item.scene_id in scope:
            entries.extend(edited)
            edited = []
            continue
        frames = item.frames or _length(item, report.fps)
        entries.append(cut.Entry(item.scene_id, item.shot.id, item.first, frames))
    entries.extend(edited)
    present = {(p.scene_id, p.shot_id) for p in report.placed}
    omitted = [o for o in (before.omitted if before else ()) if o[0] not in scope]
    omitted += [
        (i.scene_id, i.shot.id)
        for i in items
        if i.scene_id in scope and (i.scene_id, i.shot.id) not in present
    ]
    return cut.Cut(report.source.name, report.fps, tuple(entries), tuple(omitted), time.time())


def branch_name(project: Project, source: Path, when: float | None = None) -> str:
    day = time.strftime("%Y-%m-%d", time.localtime(when or time.time()))
    stem = BAD_NAME.sub(" ", source.name)
    stem = " ".join(stem.split())[:60] or "editor"
    return project.unique_branch_name(f"Conform from {stem} {day}")


def apply(project: Project, report: Report) -> str:
    """The cut as one commit on a new Story Timeline (switched to); returns its name. The
    branch it came from keeps its head and its draft."""
    origin = project.current_branch
    name = branch_name(project, report.source)
    head = project.branch(origin).head
    project.create_branch(name, from_commit=head, switch=True)
    edit = _full_cut(project, report)
    cut.write(project, edit)
    project.commit(f"Conform from {report.source.name}: {report.summary()}", kind="edit")
    return name
