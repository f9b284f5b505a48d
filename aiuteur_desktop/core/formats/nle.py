"""Editor's timelines (PRD §10): the shots in Script Hub order as an OpenTimelineIO timeline,
written as FCP7 XML (what DaVinci Resolve and Premiere Pro import), CMX 3600 EDL or OTIO.

The XML and EDL are written by OTIO's own adapters (`otio-fcp-adapter`,
`otio-cmx3600-adapter`), never by hand. Each clip carries its scene and shot in its
metadata and each scene starts with a marker naming its heading, so an editor sees
the script's structure on the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.formats import write_atomically

#: Editorial convention: sequences start at 01:00:00:00.
START_HOUR = 1
FORMATS = {".xml": "fcp_xml", ".edl": "cmx_3600", ".otio": "otio_json"}


class NleError(AiuteurError):
    """A timeline cannot be written or read as asked."""


@dataclass(frozen=True)
class TimelineClip:
    """One shot's media on the editor's timeline."""

    name: str  # e.g. NightFerry_Sc01_Shot3_v01
    path: Path
    frames: int
    scene: str  # the scene label ("1", "12A")
    shot: str
    heading: str = ""
    dialogue: str = ""  # verbatim lines, for the editor's notes


def _range(frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(frames, fps)
    )


def build(title: str, clips: Sequence[TimelineClip], fps: int = 24) -> otio.schema.Timeline:
    """A timeline with the shots on V1 and their sound on A1, a marker at each scene."""
    timeline = otio.schema.Timeline(name=title)
    timeline.global_start_time = otio.opentime.RationalTime(START_HOUR * 3600 * fps, fps)
    video = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Scratch dialogue", kind=otio.schema.TrackKind.Audio)
    previous_scene = None
    for clip in clips:
        if clip.frames < 1:
            raise NleError(f"{clip.name} has no frames")
        url = clip.path.resolve().as_uri()
        meta = {"scene": clip.scene, "shot": clip.shot, "heading": clip.heading}
        if clip.dialogue:
            meta["dialogue"] = clip.dialogue
        for track in (video, audio):
            item = otio.schema.Clip(
                name=clip.name,
                media_reference=otio.schema.ExternalReference(
                    target_url=url, available_range=_range(clip.frames, fps)
                ),
                source_range=_range(clip.frames, fps),
                metadata={"aiuteur": dict(meta)},
            )
            if track is video and clip.scene != previous_scene:
                item.markers.append(
                    otio.schema.Marker(
                        name=f"Scene {clip.scene}: {clip.heading}".strip(": "),
                        marked_range=_range(1, fps),
                        color=otio.schema.MarkerColor.BLUE,
                    )
                )
            track.append(item)
        previous_scene = clip.scene
    timeline.tracks.append(video)
    timeline.tracks.append(audio)
    return timeline


def adapter_for(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        kinds = ", ".join(FORMATS)
        raise NleError(f"{path.name}: timelines are written as {kinds}") from None


def write(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write by the file's extension: .xml (Resolve/Premiere), .edl or .otio; atomically."""
    path = Path(path)
    adapter = adapter_for(path)
    if adapter == "cmx_3600":
        # An EDL holds one picture track; the clips' own sound comes with them.
        timeline = timeline.deepcopy()
        for track in [t for t in timeline.tracks if t.kind != otio.schema.TrackKind.Video]:
            timeline.tracks.remove(track)
    text = otio.adapters.write_to_string(timeline, adapter_name=adapter)
    try:
        return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except AiuteurError as exc:
        raise NleError(exc.user_message) from None


def read(path: Path, fps: int = 24) -> otio.schema.Timeline:
    """A timeline back from a file this module (or an editor) wrote."""
    path = Path(path)
    adapter = adapter_for(path)
    try:
        if adapter == "cmx_3600":
            return otio.adapters.read_from_file(str(path), adapter_name=adapter, rate=fps)
        return otio.adapters.read_from_file(str(path), adapter_name=adapter)
    except OSError as exc:
        raise NleError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # the adapters raise their own exception types
        raise NleError(f"{path.name} is not a readable {adapter} timeline: {exc}") from None
