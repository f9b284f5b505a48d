"""The screenplay as a list of typed elements, shared by the Fountain, FDX and PDF adapters,
the Stage 4 editor and scene extraction (PRD §8.4: ALL-CAPS headings, cues, industry format)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

SCENE_HEADING = "scene_heading"
ACTION = "action"
CHARACTER = "character"
PARENTHETICAL = "parenthetical"
DIALOGUE = "dialogue"
TRANSITION = "transition"
CENTERED = "centered"
SECTION = "section"
SYNOPSIS = "synopsis"
LYRICS = "lyrics"
PAGE_BREAK = "page_break"

#: The elements a writer types in the editor, in Tab order (as in screenwriting tools).
WRITING_ELEMENTS = (SCENE_HEADING, ACTION, CHARACTER, PARENTHETICAL, DIALOGUE, TRANSITION)
ELEMENT_NAMES = {
    SCENE_HEADING: "Scene Heading",
    ACTION: "Action",
    CHARACTER: "Character",
    PARENTHETICAL: "Parenthetical",
    DIALOGUE: "Dialogue",
    TRANSITION: "Transition",
    CENTERED: "Centered",
    SECTION: "Section",
    SYNOPSIS: "Synopsis",
    LYRICS: "Lyrics",
    PAGE_BREAK: "Page Break",
}


@dataclass(frozen=True)
class Element:
    type: str
    text: str = ""
    #: Scene number of a heading ("12A"), when the script has them.
    number: str = ""
    #: A character cue that is the second half of dual (side-by-side) dialogue.
    dual: bool = False
    #: Section depth (1 = act).
    depth: int = 0
    #: Written with an explicit marker in Fountain (".", "!", "@", ">"); a hint for writers,
    #: not part of the content (two elements differing only here are equal).
    forced: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Screenplay:
    title_page: tuple[tuple[str, str], ...] = ()
    elements: tuple[Element, ...] = field(default_factory=tuple)

    def title(self) -> str:
        return next((v for k, v in self.title_page if k.lower() == "title"), "")

    def scenes(self) -> list[Scene]:
        return scenes_of(self)


# ------------------------------------------------------------------- scenes
_PREFIX = re.compile(
    r"^(?P<ie>INT\.?/EXT\.?|EXT\.?/INT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TIMES = (
    "CONTINUOUS",
    "MOMENTS LATER",
    "LATER",
    "DAY",
    "NIGHT",
    "MORNING",
    "AFTERNOON",
    "EVENING",
    "DAWN",
    "DUSK",
    "SUNSET",
    "SUNRISE",
    "SAME",
    "SAME TIME",
)
_EXTENSION = re.compile(r"\s*\((?:[^)]*)\)\s*$")


def cue_name(cue: str) -> str:
    """The character a cue names: JOHN (V.O.) / JOHN (CONT'D) / JOHN ^ → JOHN."""
    name = cue.strip().lstrip("@").rstrip("^").strip()
    while True:
        stripped = _EXTENSION.sub("", name)
        if stripped == name:
            break
        name = stripped
    return " ".join(name.split()).upper()


@dataclass(frozen=True)
class Heading:
    int_ext: str  # "INT", "EXT", "INT/EXT" or "" when the heading does not say
    location: str
    time_of_day: str


def parse_heading(text: str) -> Heading:
    """INT. KITCHEN - NIGHT → (INT, KITCHEN, NIGHT); tolerant of forced and odd headings."""
    text = " ".join(text.strip().lstrip(".").split())
    m = _PREFIX.match(text)
    int_ext = ""
    rest = text
    if m:
        raw = m.group("ie").upper().replace(".", "")
        int_ext = "INT/EXT" if "/" in raw else {"EST": "EXT"}.get(raw, raw)
        rest = m.group("rest")
    rest = rest.strip(" .-–—")
    time = ""
    parts = re.split(r"\s+[-–—]+\s+", rest)
    if len(parts) > 1:
        last = parts[-1].strip().upper()
        if any(last == t or last.startswith(t + " ") or last.endswith(" " + t) for t in _TIMES):
            time = last
            parts = parts[:-1]
    location = " - ".join(p.strip() for p in parts if p.strip())
    return Heading(int_ext, location.upper(), time)


@dataclass(frozen=True)
class Scene:
    number: int  # 1-based order in the script
    label: str  # the script's own scene number ("12A") or the order
    heading: str
    int_ext: str
    location: str
    time_of_day: str
    characters: tuple[str, ...]  # who speaks, in order of first line
    first_line: str
    start: int  # index of the heading in Screenplay.elements
    end: int  # index after the scene's last element


def scenes_of(play: Screenplay) -> list[Scene]:
    """Every scene with its heading parts, speakers and first line of action or dialogue."""
    starts = [i for i, e in enumerate(play.elements) if e.type == SCENE_HEADING]
    out: list[Scene] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(play.elements)
        body = play.elements[start + 1 : end]
        speakers: list[str] = []
        for e in body:
            if e.type == CHARACTER:
                name = cue_name(e.text)
                if name and name not in speakers:
                    speakers.append(name)
        first = next(
            (e.text for e in body if e.type in (ACTION, DIALOGUE, CENTERED) and e.text.strip()), ""
        )
        heading = play.elements[start]
        parts = parse_heading(heading.text)
        out.append(
            Scene(
                n + 1,
                heading.number or str(n + 1),
                heading.text,
                parts.int_ext,
                parts.location,
                parts.time_of_day,
                tuple(speakers),
                " ".join(first.split()),
                start,
                end,
            )
        )
    return out


_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_EMPHASIS = re.compile(r"(\*{1,3}|_)(?=\S)(.+?)(?<=\S)\1")


def plain(text: str) -> str:
    """Text as printed or sent to a model: notes removed, emphasis markers dropped."""
    text = _NOTE.sub("", text)
    text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def normalised(play: Screenplay) -> Screenplay:
    """Industry casing: scene headings, cues and transitions in capitals."""
    upper = (SCENE_HEADING, TRANSITION)
    els = []
    for e in play.elements:
        if e.type in upper:
            e = replace(e, text=e.text.upper())
        elif e.type == CHARACTER:
            e = replace(e, text=_upper_cue(e.text))
        els.append(e)
    return replace(play, elements=tuple(els))


def _upper_cue(cue: str) -> str:
    # JOHN (cont'd) → JOHN (CONT'D); extensions are capitals by convention too.
    return cue.upper()
