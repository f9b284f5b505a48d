"""FCPXML (Final Cut Pro, DaVinci Resolve) by OTIO's `otio-fcpx-xml-adapter`, made to hold
what those editors need and to take the same time on every machine (`nle.write` uses it).

The adapter is driven through its writer class with three of its lookups replaced: it finds
each asset by an XPath search of every resource (quadratic in the shots, and broken by a path
with an apostrophe in it), it names the video format by running `ffprobe` on the first clip
(a process per clip where ffprobe is missing, as it is on most editors' machines: most of a
long timeline's time, and a name Final Cut Pro does not know for 720p), and it works each
duration out again with `Fraction.limit_denominator`.
"""

from __future__ import annotations

import functools
from xml.etree import ElementTree

from aiuteur_desktop.core.export.otio_lib import otio

#: Final Cut Pro's predefined video formats by frame size (FCPXML reference, "format"):
#: `FFVideoFormat1080p24` and the like. Other sizes are custom formats, described by their
#: width, height and frame duration.
_PREDEFINED = {(1920, 1080): "1080", (1280, 720): "720", (3840, 2160): "3840x2160"}
_PREDEFINED_RATES = (24, 25, 30, 50, 60)


def format_name(size: tuple[int, int], rate: float) -> str:
    """The predefined format's name for a frame size and rate, or "" for a custom one."""
    kind = _PREDEFINED.get(size)
    if kind is None or rate not in _PREDEFINED_RATES:
        return ""
    return f"FFVideoFormat{kind}p{int(rate)}"


def _attach_sound(clip: ElementTree.Element, video: ElementTree.Element) -> None:
    """The clip's own sound as the adapter writes a sound lane under a picture clip (and
    reads it back as an audio track): a lane -1 clip holding the asset's audio."""
    duration = clip.get("duration", "0s")
    lane = ElementTree.Element(
        "clip",
        {
            "name": clip.get("name", ""),
            "offset": clip.get("start", "0s"),
            "duration": duration,
            "lane": "-1",
        },
    )
    gap = ElementTree.SubElement(lane, "gap", {"name": "Gap", "offset": "0s", "duration": duration})
    ElementTree.SubElement(
        gap,
        "audio",
        {"offset": "0s", "ref": video.get("ref", ""), "duration": duration, "lane": "-1"},
    )
    clip.insert(list(clip).index(video) + 1, lane)


class _Index:
    """Children of an element by an attribute, indexed as they are added."""

    def __init__(self, parent: ElementTree.Element, tag: str, key: str) -> None:
        self.parent, self.tag, self.key = parent, tag, key
        self.seen = 0
        self.found: dict[str, ElementTree.Element] = {}

    def get(self, value: str) -> ElementTree.Element | None:
        children = list(self.parent) if len(self.parent) > self.seen else []
        for child in children[self.seen :]:
            if child.tag == self.tag:
                self.found.setdefault(child.get(self.key, ""), child)
        self.seen = max(self.seen, len(children))
        return self.found.get(value)


@functools.cache
def _writer() -> type:
    """OTIO's FCPXML writer with its lookups indexed, its format named from the frame size
    it is given and its durations remembered (see the module's note)."""
    adapter = otio.adapters.from_name("fcpx_xml").module()
    base = adapter.FcpxOtio

    class Writer(base):  # type: ignore[misc, valid-type]
        def __init__(self, timeline: otio.schema.Timeline, size: tuple[int, int]) -> None:
            super().__init__(timeline)
            self._size = size
            self._by_src = _Index(self.resource_element, "asset", "src")
            self._by_id = _Index(self.resource_element, "asset", "id")
            self._clip_names = _Index(self.event_resource, "asset-clip", "name")

        def _asset_by_path(self, path: str) -> ElementTree.Element | None:
            return self._by_src.get(path)

        def _asset_by_id(self, asset_id: str) -> ElementTree.Element | None:
            return self._by_id.get(asset_id)

        def _asset_clip_by_name(self, name: str) -> ElementTree.Element | None:
            return self._clip_names.get(name)

        def _clip_format_name(self, clip: otio.core.Item) -> str:
            if clip.schema_name() in ("Stack", "Track"):
                return ""
            return format_name(self._size, clip.duration().rate)

        # The same few lengths over and over (a duration, a start): worked out once each.
        _calculate_rational_number = staticmethod(
            functools.lru_cache(maxsize=4096)(base._calculate_rational_number)
        )

        def tree(self) -> ElementTree.Element:
            """What `to_xml` makes, as the tree it builds: `to_xml` then serialises it,
            parses that again with minidom and pretty-prints it — longer than building it."""
            for timeline in self.timelines:
                project = ElementTree.Element(
                    "project",
                    {
                        "name": timeline.name,
                        "uid": timeline.metadata.get("fcpx", {}).get("uid", ""),
                    },
                )
                project.append(self._stack_to_sequence(timeline.tracks))
                self.event_resource.append(project)
            # Markers go last in their parent, as `to_xml` moves them.
            parents = {child: parent for parent in self.fcpx_xml.iter() for child in parent}
            for marker in list(self.fcpx_xml.iter("marker")):
                parents[marker].remove(marker)
                parents[marker].append(marker)
            return self.fcpx_xml

    return Writer


def text(picture: otio.schema.Timeline, size: tuple[int, int], *, sound: bool) -> str:
    """FCPXML 1.8 of a timeline's picture track, made to hold what Final Cut Pro and Resolve
    need: the format's frame size and the project alone at the top (the adapter also lists
    every clip there, which the DTD does not allow beside a project). The sequence starts at
    zero: the adapter's spine offsets count from there, not from 01:00:00:00.

    The adapter is given the picture track alone: it places sound tracks as lanes by
    searching the whole spine for each clip (cubic in the shots: 30 s for 600), while in
    FCPXML a clip's own sound is its asset's audio, attached here (`sound`) as the clip's
    audio component (lane -1), as Final Cut writes it."""
    try:
        root = _writer()(picture, size).tree()
    except AttributeError:  # a later adapter without FcpxOtio: its public writer
        root = ElementTree.fromstring(otio.adapters.write_to_string(picture, "fcpx_xml"))
    for extra in [e for e in root if e.tag in ("asset-clip", "clip", "ref-clip")]:
        root.remove(extra)
    if sound:
        # The adapter marks every asset silent; the clips' sound lanes need it to have sound.
        for asset in root.iter("asset"):
            if asset.get("hasVideo") == "1":
                asset.set("hasAudio", "1")
                asset.set("audioSources", "1")
        for spine in root.iter("spine"):
            for clip in spine:
                video = clip.find("video")
                if clip.tag == "clip" and video is not None:
                    _attach_sound(clip, video)
    for element in root.iter("format"):
        element.set("width", str(size[0]))
        element.set("height", str(size[1]))
        if not element.get("name"):
            element.attrib.pop("name", None)
    for sequence in root.iter("sequence"):
        sequence.set("tcFormat", "NDF")
    ElementTree.indent(root, space="    ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )
