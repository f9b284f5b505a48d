"""The screenplay as a list of typed elements, shared by the Fountain, FDX and PDF adapters,
the Stage 4 editor and scene extraction (PRD §8.4: ALL-CAPS headings, cues, industry format)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from aiuteur_desktop.core.screenplay import headings

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
    #: The permanent id of the scene this element starts (a heading, or the opening's first
    #: element), carried from the store through the editor; not part of the content.
    scene_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class Screenplay:
    title_page: tuple[tuple[str, str], ...] = ()
    elements: tuple[Element, ...] = field(default_factory=tuple)

    def title(self) -> str:
        return next((v for k, v in self.title_page if k.lower() == "title"), "")

    def scenes(self) -> list[Scene]:
        """The scenes in script order (a fresh list; the scenes are worked out once per
        screenplay — it is immutable, and a stored script's is shared by every reader)."""
        return list(self._scenes)

    @cached_property
    def _scenes(self) -> tuple[Scene, ...]:
        return tuple(scenes_of(self))

    def has_headings(self) -> bool:
        """It reads as a screenplay: at least one scene heading."""
        return any(e.type == SCENE_HEADING for e in self.elements)


# ------------------------------------------------------------------- scenes
#: Cues several people speak at once: TOM AND ANNA, TOM & ANNA, TOM/ANNA.
_UNISON_SPLIT = re.compile(r"\s+(?:AND|&)\s+|\s*/\s*|\s*,\s*(?:AND\s+)?")
_EVERYONE = frozenset({"ALL", "BOTH", "EVERYONE", "TOGETHER", "ALL TOGETHER", "EVERYBODY"})
#: Lines that are transitions however they are typed (Fountain only knows "… TO:").
_TRANSITIONS = re.compile(
    r"^(?:FADE IN|FADE OUT|FADE TO BLACK|FADE TO WHITE|CUT TO BLACK|SMASH TO BLACK|"
    r"CUT TO|SMASH CUT|SMASH CUT TO|MATCH CUT|MATCH CUT TO|JUMP CUT|JUMP CUT TO|DISSOLVE|"
    r"DISSOLVE TO|FADE TO|WIPE TO|IRIS OUT|IRIS IN|BACK TO|INTERCUT|TIME CUT)[.:!]?$"
)
#: Lines that end a film on a card.
_END_CARDS = frozenset({"THE END", "END", "FIN", "END CREDITS", "ROLL CREDITS"})


def cue_name(cue: str) -> str:
    """The character a cue names: JOHN (V.O.) / JOHN (CONT'D) / JOHN ^ → JOHN."""
    name = cue.strip().lstrip("@").rstrip("^").strip()
    return " ".join(name[: _before_extensions(name)].split()).upper()


def _before_extensions(name: str) -> int:
    """Where the trailing "(V.O.) (CONT'D)" extensions start, found from the end in one
    pass (a regex retried at every "(" is quadratic on a cue like BOB((((…)."""
    end = len(name)
    while True:
        e = end
        while e > 0 and name[e - 1].isspace():
            e -= 1
        if e == 0 or name[e - 1] != ")":
            return end
        # The extension opens at the first "(" after the ")" before its own.
        opening = name.find("(", name.rfind(")", 0, e - 1) + 1, e - 1)
        if opening < 0:
            return end
        end = opening


def unison(name: str, known: Collection[str] = ()) -> tuple[str, ...]:
    """The speakers of a cue several people speak together (TOM AND ANNA, TOM & ANNA) when
    each of them is a character of the script; () for a cue one character speaks.
    ALL / BOTH / EVERYONE return ("ALL",): the caller knows who is present."""
    name = cue_name(name)
    if name in _EVERYONE:
        return ("ALL",)
    parts = [p.strip() for p in _UNISON_SPLIT.split(name) if p.strip()]
    if len(parts) < 2:
        return ()
    if all(p in known for p in parts) or (name not in known and "&" in name):
        return tuple(parts)
    return ()


def transition_of(text: str) -> str:
    """The transition a line says (CUT TO:, FADE OUT.), or "" when it is not one."""
    raw = " ".join(plain(text).split())
    t = raw.upper()
    if len(t) > 40 or "\n" in text.strip():
        return ""
    return t if _TRANSITIONS.match(t) or (raw == t and t.endswith(" TO:")) else ""


def is_end_card(text: str) -> bool:
    return " ".join(plain(text).upper().split()).strip(".!") in _END_CARDS


@dataclass(frozen=True)
class Scene:
    number: int  # 1-based order in the script
    label: str  # the script's own scene number ("12A") or its count among headings
    heading: str  # as written; "" for the opening before the first heading
    int_ext: str
    location: str
    time_of_day: str
    characters: tuple[str, ...]  # who speaks, in order of first line
    first_line: str
    start: int  # index of the heading (or the opening's first element) in Screenplay.elements
    end: int  # index after the scene's last element
    #: Permanent id ("s7"): kept through edits, never reused (Element.scene_id marks it).
    id: str = ""
    kind: str = headings.SCENE  # SCENE, OPENING, INSERT, POV, TITLE or SHOT
    subject: str = ""  # what an insert / POV / shot heading is on
    place: str = ""  # the place alone (Stage 5's location), inherited by secondary headings
    sub_location: str = ""
    continuity: str = ""  # CONTINUOUS, LATER, TWO DAYS LATER …
    detail: str = ""  # MOVING, FLASHBACK, 1968 …
    #: The heading's qualifiers (FLASHFORWARD, PRESENT, TO NIGHT, DRIVING …), in order.
    qualifiers: tuple[str, ...] = ()
    #: The light the scene is drawn in (DAY, NIGHT, DAWN, DUSK): its own time of day, else
    #: the scene before's when it runs on (SAME, CONTINUOUS, LATER …), else DAY.
    light: str = "DAY"
    #: The scene (its label) whose INT/EXT, place or light a heading that does not say
    #: them takes ("" when it says them itself).
    inherits: str = ""

    @property
    def title(self) -> str:
        """The heading, or what the opening is called."""
        return self.heading or "OPENING (before the first scene heading)"

    @property
    def body_start(self) -> int:
        """Index of the scene's first element after its heading."""
        return self.start if self.kind == headings.OPENING else self.start + 1


_ON_SCREEN = (ACTION, CHARACTER, DIALOGUE, CENTERED, LYRICS)


def _speaker_names(elements: tuple[Element, ...]) -> set[str]:
    names: set[str] = set()
    for e in elements:
        if e.type == CHARACTER:
            names.add(cue_name(e.text))
    return names


def has_opening(elements: Sequence[Element]) -> bool:
    """Something is on screen before the first heading: action, dialogue or centred text
    with words in it. FADE IN: alone, sections, synopses, [[notes]] (even on a line of their
    own), boneyard, page breaks and the title page are not."""
    for e in elements:
        if e.type == SCENE_HEADING:
            return False
        if e.type not in _ON_SCREEN:
            continue
        words = without_notes(e.text).strip()
        if words and not transition_of(words):
            return True
    return False


def _fallback_ids(els: tuple[Element, ...], starts: list[int]) -> list[str]:
    """Ids for scenes whose first element carries none (a script not from the store, or a
    heading just typed): s1, s2 … by position when nothing is marked, else numbers past the
    highest marked id so that none collides."""
    marked = [els[i].scene_id for i in starts if els[i].scene_id]
    numbers = [int(m[1:]) for m in marked if m[:1] == "s" and m[1:].isdigit()]
    free = max(numbers, default=0) + 1
    out: list[str] = []
    for n, i in enumerate(starts):
        if els[i].scene_id:
            out.append(els[i].scene_id)
        elif not marked:
            out.append(f"s{n + 1}")
        else:
            out.append(f"s{free}")
            free += 1
    return out


def scenes_of(play: Screenplay) -> list[Scene]:
    """Every scene with its heading parts, speakers and first line of action or dialogue;
    what comes before the first heading is an opening scene when anything is on screen."""
    els = play.elements
    starts = [i for i, e in enumerate(els) if e.type == SCENE_HEADING]
    opening = has_opening(els)
    if opening:
        starts.insert(0, 0)
    ids = _fallback_ids(els, starts)
    known = _speaker_names(els)
    solo = {n for n in known if not unison(n, ())} - _EVERYONE
    places: list[str] = []
    out: list[Scene] = []
    previous: Scene | None = None
    count = 0
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(els)
        is_opening = opening and n == 0
        body = els[start if is_opening else start + 1 : end]
        speakers: list[str] = []
        for e in body:
            if e.type == CHARACTER:
                name = cue_name(e.text)
                for who in unison(name, solo) or (name,):
                    if who and who != "ALL" and who not in speakers:
                        speakers.append(who)
        first_line = next(
            (e.text for e in body if e.type in (ACTION, DIALOGUE, CENTERED) and e.text.strip()), ""
        )
        marker = els[start]
        if is_opening:
            h = headings.Heading("", "", "", kind=headings.OPENING)
            heading_text, label = "", "0"
        else:
            count += 1
            heading_text = marker.text
            h = headings.parse_heading(heading_text, characters=solo, places=places)
            label = marker.number or str(count)
        inherit = previous is not None and (h.kind != headings.SCENE or not h.location)
        if h.kind == headings.SCENE and h.place and h.place not in places:
            places.append(h.place)
        # A secondary heading (no INT./EXT.: BACK IN THE APARTMENT, NAK'S BEDROOM) is read in
        # the master scene it sits in: its INT/EXT, and its light when it names no time.
        int_ext = previous.int_ext if inherit and previous else h.int_ext
        takes_from = ""
        runs_on = headings.carries_light(h.continuity, h.detail)  # no jump, no flashback
        if previous is not None and not is_opening and (inherit or (not int_ext and runs_on)):
            int_ext = int_ext or previous.int_ext
            takes_from = previous.inherits or previous.label
        if h.time_of_day:
            light = h.light
        elif previous is not None and (inherit or takes_from or runs_on):
            light = previous.light
        else:
            light = "DAY"
        out.append(
            Scene(
                n + 1,
                label,
                heading_text,
                int_ext,
                previous.location if inherit and previous else h.location,
                h.time_of_day,
                tuple(speakers),
                " ".join(plain(first_line).split()),
                start,
                end,
                id=ids[n],
                kind=h.kind,
                subject=h.subject,
                place=previous.place if inherit and previous else h.place,
                sub_location=previous.sub_location if inherit and previous else h.sub_location,
                continuity=h.continuity,
                detail=h.detail,
                qualifiers=h.qualifiers,
                light=light,
                inherits=takes_from,
            )
        )
        previous = out[-1]
    return out


def without_notes(text: str) -> str:
    """Text without its [[notes]], in one pass (an unclosed [[ is kept as written)."""
    out: list[str] = []
    i = 0
    while True:
        j = text.find("[[", i)
        k = text.find("]]", j + 2) if j >= 0 else -1
        if j < 0 or k < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        i = k + 2


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style (Fountain emphasis: *italic*, **bold**, _underline_)."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


_MARKER = re.compile(r"\\[*_]|\*+|_+")


def runs(text: str) -> list[Run]:
    """Text split into styled runs, Fountain emphasis matched as delimiter runs (the way
    CommonMark does): `**bold *both***` closes both, markers pair at any depth and across
    lines, an unmatched one stays as typed, \\* is a literal asterisk. Linear time."""
    text = without_notes(text)
    # tokens: [kind, text, remaining] — kind "t" (text) or "d" (a run of * or _).
    tokens: list[list[Any]] = []
    pos = 0
    for m in _MARKER.finditer(text):
        if m.start() > pos:
            tokens.append(["t", text[pos : m.start()], 0])
        raw = m.group()
        if raw.startswith("\\"):
            tokens.append(["t", raw[1], 0])
        else:
            tokens.append(["d", raw, len(raw)])
        pos = m.end()
    if pos < len(text):
        tokens.append(["t", text[pos:], 0])

    def edge(i: int, side: int) -> str:
        j = i + side
        if 0 <= j < len(tokens):
            t = tokens[j][1]
            return t[0] if side > 0 else t[-1]
        return " "

    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    stack: list[int] = []  # indexes of delimiter runs that may still open
    for i, tok in enumerate(tokens):
        if tok[0] != "d":
            continue
        char = tok[1][0]
        before, after = edge(i, -1), edge(i, 1)
        word = char == "_"
        can_close = not before.isspace() and not (word and after.isalnum())
        can_open = not after.isspace() and not (word and before.isalnum())
        while can_close and tok[2] > 0:
            k = len(stack) - 1
            while k >= 0 and tokens[stack[k]][1][0] != char:
                k -= 1
            if k < 0:
                break
            del stack[k + 1 :]  # markers of the other kind inside stay as typed
            opener = tokens[stack[k]]
            if char == "_":
                amount, style = min(opener[2], tok[2]), "U"
            else:
                amount = 2 if opener[2] >= 2 and tok[2] >= 2 else 1
                style = "B" if amount == 2 else "I"
            opener[2] -= amount
            tok[2] -= amount
            opens.setdefault(stack[k], []).append(style)
            closes.setdefault(i, []).append(style)
            if opener[2] == 0:
                stack.pop()
        if can_open and tok[2] > 0:
            stack.append(i)
    out: list[Run] = []
    depth = {"B": 0, "I": 0, "U": 0}

    def emit(piece: str) -> None:
        if not piece:
            return
        style = (depth["B"] > 0, depth["I"] > 0, depth["U"] > 0)
        if out and (out[-1].bold, out[-1].italic, out[-1].underline) == style:
            out[-1] = Run(out[-1].text + piece, *style)
        else:
            out.append(Run(piece, *style))

    for i, tok in enumerate(tokens):
        if tok[0] == "t":
            emit(tok[1])
            continue
        for style in closes.get(i, []):
            depth[style] -= 1
        emit(tok[1][0] * tok[2])  # what no partner took stays as typed
        for style in opens.get(i, []):
            depth[style] += 1
    return out


def plain(text: str) -> str:
    """Text as printed or sent to a model: notes removed, emphasis markers dropped, spaces
    folded inside each line (line breaks — verse, lyrics — are kept)."""
    text = "".join(r.text for r in runs(text))
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
