"""Editor's timelines (PRD §10): the shots in Script Hub order as an OpenTimelineIO timeline,
written as FCP7 XML (what DaVinci Resolve and Premiere Pro import), CMX 3600 EDL or OTIO.

The XML and EDL are written by OTIO's own adapters (`otio-fcp-adapter`,
`otio-cmx3600-adapter`), never by hand. Each clip carries its scene and shot in its
metadata and each scene starts with a marker naming its heading, so an editor sees
the script's structure on the timeline.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname
from xml.etree import ElementTree

from aiuteur_desktop.core.app.files import write_atomically
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.export import fcpx
from aiuteur_desktop.core.export.nle_limits import (
    MAX_CLIPS,
    MAX_EDL_BYTES,
    MAX_TIMELINE_BYTES,
    NleError,
    check_json_depth,
    safe_xml,
)
from aiuteur_desktop.core.export.otio_lib import otio

#: Editorial convention: sequences start at 01:00:00:00.
START_HOUR = 1
FORMATS = {
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".edl": "cmx_3600",
    ".otio": "otio_json",
}


@dataclass(frozen=True)
class TimelineClip:
    """One shot's media on the editor's timeline."""

    name: str  # e.g. NightFerry_Sc01_Shot1C_v01
    path: Path
    frames: int
    scene: str  # the scene label ("1", "12A")
    shot: str
    heading: str = ""
    dialogue: str = ""  # verbatim lines, for the editor's notes
    transition: str = ""  # the script's transition after this shot ("DISSOLVE TO:"), or ""
    dialogue_stem: Path | None = None  # the shot's scratch dialogue (WAV), on its own track
    #: Its lines in cloud voices, a WAV per character: (character, file), each character's
    #: on a track of their own.
    voices: tuple[tuple[str, Path], ...] = ()
    first: int = 0  # the in-point within the clip (an editor's trim), in frames
    available: int = 0  # the clip file's length in frames (0: first + frames)
    #: The clip file's own timecode at its first frame, in frames (0: none; a transcode for
    #: an editor starts at 01:00:00:00): its in-point and length are counted from there.
    timecode: int = 0


def _range(frames: int, fps: int, first: int = 0) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(first, fps), otio.opentime.RationalTime(frames, fps)
    )


def _file_metadata(
    size: tuple[int, int], fps: int, sample_rate: int, depth: int = 16
) -> dict[str, object]:
    """What Premiere and Resolve read from a <file>'s <media>: picture size and sound."""
    return {
        "media": {
            "video": {
                "samplecharacteristics": {
                    "rate": {"timebase": fps, "ntsc": "FALSE"},
                    "width": size[0],
                    "height": size[1],
                    "pixelaspectratio": "square",
                }
            },
            "audio": {
                "samplecharacteristics": {"depth": depth, "samplerate": sample_rate},
                "channelcount": 1,
            },
        }
    }


def _sequence_metadata(
    size: tuple[int, int], fps: int, sample_rate: int, depth: int = 16
) -> dict[str, object]:
    """The sequence's <format>: without it Premiere and Resolve guess the frame size."""
    return {
        "media": {
            "video": {
                "format": {
                    "samplecharacteristics": {
                        "rate": {"timebase": fps, "ntsc": "FALSE"},
                        "width": size[0],
                        "height": size[1],
                        "pixelaspectratio": "square",
                        "fielddominance": "none",
                    }
                }
            },
            "audio": {
                "format": {"samplecharacteristics": {"depth": depth, "samplerate": sample_rate}}
            },
        }
    }


def build(
    title: str,
    clips: Sequence[TimelineClip],
    fps: int = 24,
    *,
    size: tuple[int, int] = (1280, 720),
    sample_rate: int = 48000,
    sample_depth: int = 16,
) -> otio.schema.Timeline:
    """A timeline with the shots on V1 and their sound on A1, a marker at each scene."""
    timeline = otio.schema.Timeline(
        name=title,
        metadata={"fcp_xml": _sequence_metadata(size, fps, sample_rate, sample_depth)},
    )
    timeline.global_start_time = otio.opentime.RationalTime(START_HOUR * 3600 * fps, fps)
    video = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Scratch dialogue", kind=otio.schema.TrackKind.Audio)
    previous_scene = None
    # Each file's <media> description is the same; the XML writer adds it (`_fcp_xml`):
    # carried as metadata on every clip it was most of a long timeline's time. The empty
    # "fcp_xml" namespace is there for the XML adapter, which asks every clip and file for
    # it: an absent key costs OTIO a C++ exception, a tenth of the XML's time. Each clip is
    # a copy of one made whole, its values set (OTIO converts a nested dict slowly).
    template = otio.schema.Clip(
        media_reference=otio.schema.ExternalReference(metadata={"fcp_xml": {}}),
        metadata={
            "aiuteur": {"scene": "", "shot": "", "heading": "", "track": video.kind},
            "cmx_3600": {"reel": ""},
            "fcp_xml": {},
        },
    )
    for clip, reel in zip(clips, _reel_names(clips), strict=True):
        if clip.frames < 1:
            raise NleError(f"{clip.name} has no frames")
        picture = template.clone()
        picture.name = clip.name
        picture.source_range = _range(clip.frames, fps, clip.timecode + clip.first)
        ref = picture.media_reference
        ref.target_url = clip.path.resolve().as_uri()
        ref.available_range = _range(clip.available or clip.first + clip.frames, fps, clip.timecode)
        meta = picture.metadata["aiuteur"]
        meta["scene"], meta["shot"], meta["heading"] = clip.scene, clip.shot, clip.heading
        if clip.dialogue:
            meta["dialogue"] = clip.dialogue
        if clip.transition:
            meta["transition"] = clip.transition
        picture.metadata["cmx_3600"]["reel"] = reel
        # The track in the metadata keeps the picture and sound items distinct (the XML
        # adapter would otherwise write the sound one as a reference to the other).
        sound = picture.clone()
        sound.metadata["aiuteur"]["track"] = audio.kind
        if clip.scene != previous_scene:
            picture.markers.append(
                otio.schema.Marker(
                    name=f"Scene {clip.scene}: {clip.heading}".strip(": "),
                    marked_range=_range(1, fps),
                    color=otio.schema.MarkerColor.BLUE,
                )
            )
        video.append(picture)
        audio.append(sound)
        previous_scene = clip.scene
    timeline.tracks.append(video)
    timeline.tracks.append(audio)
    if any(c.dialogue_stem for c in clips):
        timeline.tracks.append(
            _stems("Dialogue stems", "dialogue", clips, fps, lambda c: c.dialogue_stem)
        )
    # A track per character spoken in a cloud voice, in the order they are first heard.
    for who in dict.fromkeys(who for c in clips for who, _path in c.voices):
        timeline.tracks.append(_stems(f"Voice: {who}", who, clips, fps, _voice_of(who)))
    return timeline


def _voice_of(who: str) -> Callable[[TimelineClip], Path | None]:
    return lambda clip: dict(clip.voices).get(who)


def _stems(
    name: str,
    stem: str,
    clips: Sequence[TimelineClip],
    fps: int,
    path_of: Callable[[TimelineClip], Path | None],
) -> otio.schema.Track:
    """An audio track of stems: each shot's (`path_of`) under its picture, gaps elsewhere —
    A2 the scratch dialogue, then a track per character's cloud voice."""
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    suffix = "dialogue" if stem == "dialogue" else re.sub(r"[^A-Za-z0-9]+", "-", stem).upper()
    for clip in clips:
        path = path_of(clip)
        if path is None:
            track.append(otio.schema.Gap(source_range=_range(clip.frames, fps)))
            continue
        track.append(
            otio.schema.Clip(
                name=f"{clip.name}_{suffix}",
                media_reference=otio.schema.ExternalReference(
                    target_url=path.resolve().as_uri(),
                    available_range=_range(clip.available or clip.first + clip.frames, fps),
                ),
                source_range=_range(clip.frames, fps, clip.first),
                metadata={"aiuteur": {"scene": clip.scene, "shot": clip.shot, "stem": stem}},
            )
        )
    return track


def reel_of(scene: str, shot: str) -> str:
    """A shot's CMX 3600 reel name (8 letters and digits): S012A03 is scene 12A, shot 3."""
    scene = re.sub(r"[^0-9A-Z]", "", scene.upper())
    shot = re.sub(r"[^0-9A-Z]", "", shot.upper())
    return f"S{scene:0>3}{shot:0>2}"


def _reel_names(clips: Sequence[TimelineClip]) -> list[str]:
    """Reel names unique per clip, so an editor can tell the shots apart and relink by
    them (`reel_of`; a numbered one where that is too long or taken)."""
    out: list[str] = []
    seen: set[str] = set()
    for n, clip in enumerate(clips, start=1):
        reel = reel_of(clip.scene, clip.shot)
        if len(reel) > 8 or reel in seen:
            reel = f"AI{n:06d}"
        seen.add(reel)
        out.append(reel)
    return out


def _ascii(text: str) -> str:
    """EDL text is ASCII: dashes and accents folded, anything else dropped."""
    text = text.replace("—", "-").replace("–", "-").replace("’", "'")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.split())


def _picture(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy of the timeline with its picture tracks alone."""
    picture = otio.schema.Timeline(
        name=timeline.name,
        global_start_time=timeline.global_start_time,
        metadata=timeline.metadata,
    )
    for track in timeline.tracks:
        if track.kind == otio.schema.TrackKind.Video:
            picture.tracks.append(track.deepcopy())
    return picture


def _has_sound(timeline: otio.schema.Timeline) -> bool:
    return any(t.kind == otio.schema.TrackKind.Audio and len(t) for t in timeline.tracks)


def _edl(timeline: otio.schema.Timeline, fps: int) -> str:
    """CMX 3600 by OTIO's adapter, made to agree with the XML and OTIO: records from
    01:00:00:00 (a leading gap, which an EDL writes as nothing), an ASCII title, reel names
    per shot, and — the adapter writes picture events only — each event marked B (picture
    and audio channel 1) when the shots carry their sound."""
    edl = _picture(timeline)
    edl.name = _ascii(edl.name)
    sound = _has_sound(timeline)
    start = edl.global_start_time or otio.opentime.RationalTime(0, fps)
    if start.value:
        edl.tracks[0].insert(0, otio.schema.Gap(source_range=_range(round(start.value), fps)))
    for clip in edl.tracks[0].find_clips():
        for marker in clip.markers:
            marker.name = _ascii(marker.name)
    text = otio.adapters.write_to_string(edl, adapter_name="cmx_3600", rate=fps)
    if sound:
        text = re.sub(r"(?m)^(\d{3}  \S+\s+)V    ", r"\1B    ", text)
    return text


def _otio_json(timeline: otio.schema.Timeline, folder: Path) -> str:
    """The timeline as OTIO JSON with media paths relative to `folder`, so the folder can
    move. The paths are changed for the writing and put back (a copy of a long timeline
    took longer than the writing)."""
    base = os.fspath(folder.resolve())
    changed: list[tuple[otio.schema.ExternalReference, str]] = []
    try:
        for clip in timeline.find_clips():
            ref = clip.media_reference
            if not isinstance(ref, otio.schema.ExternalReference):
                continue
            url = ref.target_url
            if url.startswith("file:"):
                target = url2pathname(urlparse(url).path)
                with contextlib.suppress(ValueError):  # another drive (Windows): keep the URL
                    relative = Path(os.path.relpath(target, base)).as_posix()
                    changed.append((ref, url))
                    ref.target_url = relative
        return otio.adapters.write_to_string(timeline, adapter_name="otio_json")
    finally:
        for ref, url in changed:
            ref.target_url = url


#: Child order of <sequence> and <file> in Apple's XML interchange format (others follow).
_ORDER = {
    "sequence": ["name", "duration", "rate", "timecode", "in", "out", "media", "marker"],
    "file": ["name", "pathurl", "rate", "duration", "timecode", "media"],
}


def _element(tag: str, value: object) -> ElementTree.Element:
    """A nested dict as XML elements (what the adapter makes of metadata)."""
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    else:
        element.text = str(value)
    return element


def _fps(timeline: otio.schema.Timeline) -> int:
    start = timeline.global_start_time
    return round(start.rate) if start is not None else 24


def _audio_format(timeline: otio.schema.Timeline) -> Any:
    audio = timeline.metadata.get("fcp_xml", {}).get("media", {}).get("audio", {})
    return audio.get("format", {}).get("samplecharacteristics", {})


def _sample_rate(timeline: otio.schema.Timeline) -> int:
    return int(_audio_format(timeline).get("samplerate") or 48000)


def _sample_depth(timeline: otio.schema.Timeline) -> int:
    return int(_audio_format(timeline).get("depth") or 16)


class _Ids:
    """The FCP7 XML adapter's element ids (`clipitem-1`, `file-1` …) as it mints them — an
    item seen before gets its id back, a new one its preferred id (the `@id` it was read
    with) if free, else the lowest free number — kept in order instead of worked out again
    from every id so far for each item (quadratic: a third of a long timeline's time)."""

    def __init__(self, adapter: Any) -> None:
        self._pattern, self._space = adapter.ID_RE, adapter.META_NAMESPACE
        self._ids: dict[str, dict[int, int]] = {}
        self._used: dict[str, set[int]] = {}
        self._lowest: dict[str, int] = {}

    def __call__(self, item: Any, tag: str, _br_map: object) -> tuple[str, bool]:
        text = ""
        if isinstance(item, otio.schema.ExternalReference):
            key = hash(str(item.target_url))
        else:
            text = otio.core.serialize_json_to_string(item)
            key = hash(text)
        ids = self._ids.setdefault(tag, {})
        if key in ids:
            return f"{tag}-{ids[key]}", False
        used = self._used.setdefault(tag, set())
        number = self._preferred(item, tag, text)
        if number is None or number in used:
            number = self._lowest.get(tag, 1)
            while number in used:
                number += 1
            self._lowest[tag] = number
        ids[key] = number
        used.add(number)
        return f"{tag}-{number}", True

    def _preferred(self, item: Any, tag: str, text: str) -> int | None:
        # An absent key costs OTIO a C++ exception (10 µs): looked up only where it may be.
        if not len(item.metadata) or (text and '"@id"' not in text):
            return None
        ours = item.metadata.get(self._space)
        if not ours:
            return None
        found = self._pattern.match(ours.get("@id") or "")
        if found is None or found["tag"] != tag:
            return None
        return int(found["id"])


#: The adapter's id minting is replaced while one timeline is written (`_fcp_tree`).
_MINTING = threading.Lock()


def _fcp_tree(timeline: otio.schema.Timeline) -> ElementTree.Element:
    """The FCP7 XML tree as OTIO's adapter builds it, with its ids minted by `_Ids`. The
    adapter's own `write_to_string` pretty-prints through minidom, which takes longer than
    building the whole tree for a long timeline and is redone below anyway, so its tree is
    taken before that step; if a later adapter moves its internals, its public writer is
    used instead."""
    try:
        adapter = otio.adapters.from_name("fcp_xml").module()  # as OTIO's plugins load it
        minted = adapter._backreference_for_item
        root = ElementTree.Element("xmeml", version="4")
        project = adapter._append_new_sub_element(root, "project")
        adapter._append_new_sub_element(project, "name", text=timeline.name)
        children = adapter._append_new_sub_element(project, "children")
        whole = otio.opentime.TimeRange(timeline.global_start_time, timeline.duration())
        with _MINTING:
            adapter._backreference_for_item = _Ids(adapter)
            try:
                sequence = adapter._build_sequence_for_timeline(
                    timeline, whole, collections.defaultdict(dict)
                )
            finally:
                adapter._backreference_for_item = minted
        children.append(sequence)
        return root
    except (otio.exceptions.NotSupportedError, AttributeError, TypeError):
        return ElementTree.fromstring(
            otio.adapters.write_to_string(timeline, adapter_name="fcp_xml")
        )


def _fcp_xml(timeline: otio.schema.Timeline) -> str:
    """FCP7 XML by OTIO's adapter, with its one repeated element removed: a <clipitem> gets
    <rate> twice (from the clip and from its timings), which the XML interchange format
    allows once."""
    root = _fcp_tree(timeline)
    size, fps, rate = _frame_size(timeline), _fps(timeline), _sample_rate(timeline)
    described = _file_metadata(size, fps, rate, _sample_depth(timeline))["media"]
    picture_media = _element("media", described)
    sound_media = _element("media", {"audio": _file_metadata(size, fps, rate)["media"]["audio"]})  # type: ignore[index]
    for file in root.iter("file"):
        url = file.findtext("pathurl")
        empty = file.find("media")  # the adapter's: <media><video/><audio/></media>
        if not url or (empty is not None and any(len(kind) for kind in empty)):
            continue
        if empty is not None:
            file.remove(empty)
        audio_only = url.lower().endswith((".wav", ".aif", ".aiff"))
        file.append(copy.deepcopy(sound_media if audio_only else picture_media))
    for item in root.iter("clipitem"):
        rates = item.findall("rate")
        for extra in rates[1:]:
            item.remove(extra)
    # The metadata-made <media> comes first; put each element where the format has it.
    for tag, order in _ORDER.items():
        for element in root.iter(tag):
            children = list(element)
            children.sort(key=lambda c: order.index(c.tag) if c.tag in order else len(order))
            element[:] = children
    ElementTree.indent(root, space="    ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def adapter_for(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        kinds = ", ".join(FORMATS)
        raise NleError(f"{path.name}: timelines are written as {kinds}") from None


def _frame_size(timeline: otio.schema.Timeline) -> tuple[int, int]:
    video = timeline.metadata.get("fcp_xml", {}).get("media", {}).get("video", {})
    sample = video.get("format", {}).get("samplecharacteristics", {})
    return int(sample.get("width") or 1280), int(sample.get("height") or 720)


def write(timeline: otio.schema.Timeline, path: Path, *, home: Path | None = None) -> Path:
    """Write by the file's extension: .xml (Resolve/Premiere), .fcpxml (Final Cut Pro,
    Resolve), .edl or .otio; atomically. `home`: the folder the .otio's media paths are
    relative to, when it is written somewhere else first (a zip's staging folder)."""
    path = Path(path)
    adapter = adapter_for(path)
    fps = round(timeline.global_start_time.rate) if timeline.global_start_time else 24
    if adapter == "cmx_3600":
        text = _edl(timeline, fps)
    elif adapter == "fcp_xml":
        text = _fcp_xml(timeline)
    elif adapter == "fcpx_xml":
        text = fcpx.text(_picture(timeline), _frame_size(timeline), sound=_has_sound(timeline))
    else:
        text = _otio_json(timeline, home or path.parent)
    try:
        return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except AiuteurError as exc:
        raise NleError(exc.user_message) from None


def read(path: Path, fps: int = 24, *, picture_only: bool = False) -> otio.schema.Timeline:
    """A timeline back from a file this module (or an editor) wrote. XML is parsed with
    entities and DTDs refused first (an editor's file is untrusted input); `picture_only`
    leaves the FCP7 XML's sound tracks and file descriptions out of OTIO's reading (most of its
    time)."""
    path = Path(path)
    adapter = adapter_for(path)
    try:
        size = path.stat().st_size
        limit = MAX_EDL_BYTES if adapter == "cmx_3600" else MAX_TIMELINE_BYTES
        if size > limit:
            raise NleError(
                f"{path.name} is {size / 2**20:.1f} MB, more than a timeline of "
                f"{MAX_CLIPS:,} clips needs ({limit // 2**20} MB at most): it was not read."
            )
        if adapter == "cmx_3600":
            return otio.adapters.read_from_file(str(path), adapter_name=adapter, rate=fps)
        if adapter in ("fcp_xml", "fcpx_xml"):
            text = safe_xml(path.read_bytes(), adapter if picture_only else "")
            return otio.adapters.read_from_string(text, adapter_name=adapter)
        data = path.read_bytes()
        check_json_depth(data, path.name)  # OTIO's C++ reader recurses: a deep file crashes it
        return otio.adapters.read_from_string(data.decode("utf-8"), adapter_name=adapter)
    except OSError as exc:
        raise NleError(f"cannot read {path}: {exc.strerror or exc}") from None
    except NleError:
        raise
    except Exception as exc:  # the adapters raise their own exception types
        said = " ".join(str(exc).split())[:200]
        raise NleError(f"{path.name} is not a readable {adapter} timeline: {said}") from None
