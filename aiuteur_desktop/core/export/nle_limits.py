"""What an editor's timeline read from a file may be, checked before any adapter sees it
(core/export/nle.py reads with these): its size, its nesting, its clip count, and no XML
entity declarations."""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.parsers import expat

from aiuteur_desktop.core.errors import AiuteurError


class NleError(AiuteurError):
    """A timeline cannot be written or read as asked."""


#: What an editor's timeline may be (a feature cut has a few thousand clips; these leave
#: room many times over): larger files are refused before any reader sees them.
MAX_CLIPS = 20_000
MAX_TIMELINE_BYTES = 64 * 2**20
MAX_EDL_BYTES = 8 * 2**20
#: How deep a timeline's JSON (.otio) may nest: OTIO writes a dozen levels; its C++ reader
#: recurses once per level and a file nested 50,000 deep crashes the process.
MAX_DEPTH = 256


def check_json_depth(data: bytes, name: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH, in one pass without recursion (strings and
    their escapes skipped)."""
    depth = 0
    for m in _JSON_TOKENS.finditer(data):
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise NleError(
                    f"{name} nests its data more than {MAX_DEPTH} levels deep; no editor writes "
                    "that: it was not read."
                )
        elif token in (b"]", b"}"):
            depth -= 1


#: A JSON string (skipped whole, escapes and all) or a bracket.
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


_CLIP_TAGS = frozenset({"clipitem", "clip", "asset-clip", "ref-clip", "sync-clip", "mc-clip"})


def safe_xml(data: bytes, picture_only: str) -> str:
    """The XML re-serialised after a first pass that refuses any entity declaration (the
    billion laughs and external entities need one; a timeline never does) — expat with
    only that handler, fast for a long timeline; `picture_only` (the adapter's name):
    without the sound tracks and the files' descriptions (FCP7 XML) or lanes (FCPXML)."""
    check = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise NleError(
            "The file declares XML entities, which a timeline never needs: it was not read."
        )

    clips = 0

    def element(name: str, _attrs: object) -> None:
        nonlocal clips
        if name in _CLIP_TAGS:
            clips += 1
            if clips > MAX_CLIPS:
                raise NleError(
                    f"The timeline holds more than {MAX_CLIPS:,} clips; it was not read."
                )

    check.EntityDeclHandler = refuse
    check.StartElementHandler = element
    check.Parse(data, True)
    root = ElementTree.fromstring(data)
    if picture_only == "fcp_xml":
        # A file's description (frame size, sound channels) only becomes metadata, converted
        # slowly into OTIO's for every clip: most of a long timeline's reading.
        for file in list(root.iter("file")):
            for description in file.findall("media"):
                file.remove(description)
        for media in root.iter("media"):
            for sound in media.findall("audio"):
                if media.find("video") is not None and sound.find("track") is not None:
                    media.remove(sound)
    elif picture_only == "fcpx_xml":
        for spine in root.iter("spine"):
            for item in spine:
                for lane in [c for c in item if c.get("lane", "0").startswith("-")]:
                    item.remove(lane)
    return ElementTree.tostring(root, encoding="unicode")
