"""One scene-heading grammar for the whole app: the Fountain spec plus what real scripts do.

A heading says where (INT./EXT., a place, a sub-location), when (a time of day, or a
continuity word such as CONTINUOUS, LATER, TWO DAYS LATER) and sometimes how (MOVING,
FLASHBACK, VARIOUS SHOTS, a year). Its parts are separated by dashes, commas or slashes and
may carry bracketed notes: ``EXT. BY THE CANAL - NIGHT - CONTINUOUS``, ``INT. ANNA'S
APARTMENT, TWO DAYS LATER``, ``INT. HOUSE - KITCHEN - NIGHT (1968)``, ``EXT. ROOF - NIGHT
[CONTINUOUS]``.

A heading without INT./EXT. that names no place (a character ``.ANNA``, an insert ``.THE
RING``, a POV, ``OPENING TITLES``) is a secondary heading: it stays in the place of the scene
before and says what kind of shot it is.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

SCENE = "scene"
INSERT = "insert"
POV = "pov"
TITLE = "title"
SHOT = "shot"  # a secondary heading on a character: a shot of them in the same place
OPENING = "opening"  # what comes before the first heading

_PREFIX = re.compile(
    r"^(?P<ie>INT\.?\s*/\s*EXT\.?|EXT\.?\s*/\s*INT\.?|I\.?\s*/\s*E\.?|INT\.?|EXT\.?|EST\.?)"
    r"(?=[\s.]|$)\s*\.?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
#: A line that opens a scene: the one rule the reader, the editor and the model checks share.
_STARTS = re.compile(
    r"^\s*(?:INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I\.?\s*/\s*E|INT|EXT|EST)[.\s]", re.IGNORECASE
)
_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
#: Separators between parts: spaced hyphens, double hyphens, en/em dashes, commas, slashes.
_SEPARATOR = re.compile(r"\s+-+\s+|\s*-{2,}\s*|\s*[–—]+\s*|\s*,\s*|\s+/\s+|\s*\|\s*")
#: A bracketed or parenthesised note anywhere in a part: "(PRESENT) DAY", "DAY [STORY]".
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")

_LIGHT_WORDS = (
    "DAY",
    "DAYTIME",
    "NIGHT",
    "NIGHTTIME",
    "NIGHTFALL",
    "MORNING",
    "AFTERNOON",
    "EVENING",
    "DAWN",
    "PRE-DAWN",
    "PREDAWN",
    "DAYBREAK",
    "FIRST LIGHT",
    "DUSK",
    "SUNSET",
    "SUNRISE",
    "TWILIGHT",
    "MAGIC HOUR",
    "GOLDEN HOUR",
    "BLUE HOUR",
    "NOON",
    "MIDDAY",
    "MIDNIGHT",
)
_TIME = re.compile(
    r"^(?:(?P<prefix>EARLY|LATE|MID|THE NEXT|NEXT|THAT|THE SAME|SAME|LATER THAT|EARLIER THAT|"
    r"ANOTHER|A NEW|THE FOLLOWING|PRESENT|PRESENT-)\s*)?"
    r"(?P<word>"
    + "|".join(re.escape(w) for w in sorted(_LIGHT_WORDS, key=len, reverse=True))
    + r")"
    r"$"
)
_NUMBER_WORD = (
    r"(?:A|AN|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|TWELVE|TWENTY|THIRTY|FORTY|"
    r"FIFTY|A FEW|FEW|SEVERAL|SOME|MANY|\d+)"
)
_CONTINUITY = re.compile(
    r"^(?:CONTINUOUS|CONTINUED|CONT'?D|CONT|SAME|SAME TIME|SAME SCENE|LATER|EARLIER|MOMENTS? LATER|"
    r"A MOMENT LATER|MOMENTS? EARLIER|BACK TO SCENE|"
    r"(?:A (?:BIT|LITTLE|LITTLE WHILE|WHILE|SHORT WHILE|SHORT TIME)|SHORTLY|SOON|SOME TIME|"
    r"SOMETIME|MUCH) (?:LATER|AFTER|AFTERWARDS|EARLIER|BEFORE)|"
    rf"(?:{_NUMBER_WORD}\s+)?(?:SECONDS?|MINUTES?|HOURS?|DAYS?|WEEKS?|MONTHS?|YEARS?|DECADES?)"
    r"\s+(?:LATER|EARLIER|AGO|BEFORE)|THE NEXT DAY|NEXT DAY|THE FOLLOWING DAY)$"
)
#: Parts that say how the scene is shot, not where or when.
_DETAIL = re.compile(
    r"^(?:MOVING|DRIVING|TRAVELLING|TRAVELING|FLYING|VARIOUS(?: SHOTS| ANGLES| LOCATIONS)?|"
    r"SERIES OF SHOTS|MONTAGE|FLASHBACK|FLASH ?FORWARD|FLASHBACKS?|PRESENT|THE PRESENT|"
    r"BEGIN FLASHBACK|END FLASHBACK|DREAM|DREAM SEQUENCE|FANTASY|INTERCUT|INTERCUTTING|"
    r"SLOW MOTION|B&W|BLACK AND WHITE|STOCK FOOTAGE|ESTABLISHING|ESTABLISHING SHOT|"
    r"(?:(?:SUMMER|WINTER|SPRING|FALL|AUTUMN)\s+)?(?:\d{4}S?|'\d\dS?)|"
    r"(?:SUMMER|WINTER|SPRING|FALL|AUTUMN))$"
)
#: Parts before the place that say what kind of scene it is (".FLASHBACK - THE PIER").
_DETAIL_BEFORE = re.compile(
    r"^(?:FLASHBACK|BEGIN FLASHBACK|DREAM|DREAM SEQUENCE|MONTAGE|INTERCUT|BACK TO SCENE|"
    r"PRESENT DAY|SERIES OF SHOTS|FANTASY|MEMORY)$"
)
_TITLE_WORDS = re.compile(
    r"^(?:(?:MAIN|OPENING|END|CLOSING|BEGIN|START OF)\s+)?(?:TITLES?|CREDITS|TITLE CARD|"
    r"TITLE SEQUENCE|INTERTITLE|SUPER|SUPERIMPOSE|CHYRON|CAPTION|BLACK SCREEN|BLACK|FADE IN)"
    r"(?:$|[\s:\-–—])"
)
_POV = re.compile(r"\b(?:POV|P\.O\.V\.?)\b")
_INSERT = re.compile(
    r"^(?:INSERT|INSERT SHOT|CLOSE ON|CLOSE UP ON|CLOSE-UP ON|CLOSEUP ON|CLOSE UP|CLOSE-UP|"
    r"CLOSEUP|EXTREME CLOSE UP|ECU|CU|ANGLE ON|ANOTHER ANGLE|NEW ANGLE|REVERSE ANGLE|WIDE ON|"
    r"TIGHT ON|ON|OVER|FAVORING|FAVOURING)\b[\s:\-–—]*(?P<subject>.*)$"
)

#: Lights the renderers know, from the words headings use.
_LIGHTS = {
    "NIGHT": "NIGHT",
    "NIGHTTIME": "NIGHT",
    "NIGHTFALL": "NIGHT",
    "MIDNIGHT": "NIGHT",
    "DAWN": "DAWN",
    "PRE-DAWN": "DAWN",
    "PREDAWN": "DAWN",
    "DAYBREAK": "DAWN",
    "FIRST LIGHT": "DAWN",
    "SUNRISE": "DAWN",
    "BLUE HOUR": "DAWN",
    "DUSK": "DUSK",
    "SUNSET": "DUSK",
    "TWILIGHT": "DUSK",
    "MAGIC HOUR": "DUSK",
    "GOLDEN HOUR": "DUSK",
    "EVENING": "DUSK",
}


@dataclass(frozen=True)
class Heading:
    """A scene heading's parts."""

    int_ext: str  # "INT", "EXT", "INT/EXT" or "" when the heading does not say
    location: str  # the place and sub-location as written: "HOUSE - KITCHEN"
    time_of_day: str  # the time of day word as written ("NIGHT", "MAGIC HOUR") or ""
    place: str = ""  # the place alone: "HOUSE"
    sub_location: str = ""  # "KITCHEN"
    continuity: str = ""  # CONTINUOUS, LATER, TWO DAYS LATER … or ""
    detail: str = ""  # MOVING, FLASHBACK, VARIOUS SHOTS, 1968 …
    kind: str = SCENE  # SCENE, INSERT, POV, TITLE or SHOT (see the module doc)
    subject: str = ""  # what an insert, POV or shot heading is on: "THE RING", "ANNA"
    #: Every word of the heading that says how or which time, not where or what time of
    #: day, in order: bracketed notes (FLASHFORWARD, STORY, THE STORM), a time's own words
    #: (PRESENT, THE NEXT, LATE), a change of light (TO NIGHT), a clause after the time
    #: (DRIVING), and the details (MOVING, 1968). Never in the location.
    qualifiers: tuple[str, ...] = ()

    @property
    def light(self) -> str:
        """The light its own time of day gives (DAY, NIGHT, DAWN, DUSK), "" with none."""
        return light_of(self.time_of_day) if self.time_of_day else ""


def starts_heading(line: str) -> bool:
    """The line begins with INT./EXT./EST./INT./EXT./I/E: a scene heading."""
    return bool(_STARTS.match(line))


def continuous(continuity: str) -> bool:
    """The scene runs on from the one before with no cut in time (CONTINUOUS, SAME …)."""
    c = " ".join(continuity.upper().split())
    return c in {"CONTINUOUS", "CONTINUED", "CONT'D", "CONTD", "CONT", "SAME", "SAME TIME"} or (
        c.startswith("MOMENT") or c == "A MOMENT LATER"
    )


def carries_light(continuity: str, detail: str = "") -> bool:
    """A heading with no time of day keeps the light of the scene before, unless it jumps in
    time (TWO DAYS LATER, TWENTY YEARS EARLIER, a FLASHBACK or DREAM): then it is day."""
    c = " ".join(continuity.upper().split())
    if "FLASHBACK" in detail.upper() or "DREAM" in detail.upper():
        return False
    # SAME, CONTINUOUS, LATER, A BIT LATER, MINUTES LATER …: the same part of the day, as a
    # script supervisor reads it; a jump of days or more (or to another time) is not.
    return not _JUMP.search(c)


def light_of(word: str) -> str:
    """The light a renderer draws for a time-of-day word: DAY, NIGHT, DAWN or DUSK."""
    m = _TIME.match(" ".join(word.upper().split()))
    if not m:
        return "DAY"
    return _LIGHTS.get(m.group("word"), "DAY")


_JUMP = re.compile(
    r"\b(?:DAYS?|WEEKS?|MONTHS?|YEARS?|DECADES?|CENTURY|CENTURIES|AGO|BEFORE|EARLIER)\b"
)
#: Words that end the name of a place: a heading without INT./EXT. ending in one is a scene.
_PLACE_NOUN = re.compile(
    r"\b(?:ROOM|BEDROOM|BATHROOM|KITCHEN|OFFICE|HOUSE|HOME|APARTMENT|FLAT|HALL|HALLWAY|"
    r"CORRIDOR|LOBBY|STAIRS|STAIRWELL|STREET|ROAD|ALLEY|AVENUE|CAR|VAN|TRUCK|BUS|TRAIN|BAR|"
    r"RESTAURANT|DINER|CAFE|CAFÉ|SHOP|STORE|STATION|GARAGE|GARDEN|YARD|BACKYARD|PORCH|ROOF|"
    r"ROOFTOP|BASEMENT|CELLAR|ATTIC|BARN|FARM|FIELD|FOREST|WOODS|BEACH|PARK|CHURCH|SCHOOL|"
    r"CLASSROOM|HOSPITAL|WARD|PRISON|CELL|HOTEL|MOTEL|CABIN|CAMP|TENT|BRIDGE|PIER|DOCK|"
    r"HARBOUR|HARBOR|BOAT|SHIP|DECK|PLANE|COCKPIT|AIRPORT|TERMINAL|PLATFORM|TUNNEL|CAVE|"
    r"LAB|LABORATORY|STUDIO|THEATRE|THEATER|CLUB|GYM|POOL|CEMETERY|GRAVEYARD|PALACE|CASTLE|"
    r"TOWER|WAREHOUSE|FACTORY|MILL|SQUARE|MARKET|PLAZA|LOT|PARKING LOT|COURTROOM|COURTYARD)$"
)
_BACK = re.compile(r"^BACK (?:IN|AT|TO|INSIDE|OUTSIDE|ON) (?P<place>.+)$")
_CHANGE = re.compile(r"^(?P<from>.+?)\s+(?:TO|INTO|->|→)\s+(?P<to>.+)$")


def _classify(part: str) -> tuple[str, str]:
    """(“time”|“continuity”|“detail”|“”, the time word for a continuity with one)."""
    p = " ".join(part.upper().split()).strip(" .:")
    if not p:
        return "detail", ""
    if _TIME.match(p):
        return "time", p
    change = _CHANGE.match(p)
    if change and _TIME.match(change["from"]) and _TIME.match(change["to"]):
        return "time", p  # DAY TO NIGHT: the light it starts in, the change a qualifier
    if _CONTINUITY.match(p):
        return "continuity", ""
    m = re.match(r"^(?:LATER|EARLIER) THAT (\w+)$", p)
    if m and _TIME.match(m.group(1)):
        return "continuity", m.group(1)
    if _DETAIL.match(p):
        return "detail", ""
    return "", ""


def _parts(rest: str) -> list[tuple[str, bool]]:
    """The heading's parts, each with whether it was a bracketed note — notes are parts of
    their own wherever they stand: NIGHT (1968) → two, (PRESENT) DAY → two."""
    out: list[tuple[str, bool]] = []
    for raw in _SEPARATOR.split(rest):
        notes = [
            (m.group(1) if m.group(1) is not None else m.group(2)).strip()
            for m in _BRACKETED.finditer(raw)
        ]
        part = " ".join(_BRACKETED.sub(" ", raw).split()).strip(" -–—")
        if part:
            out.append((part, False))
        out.extend((n, True) for n in notes if n)
    return out


def _time_word(part: str) -> tuple[str, list[str]]:
    """A time part as the time of day and its qualifiers: THE NEXT MORNING → (MORNING,
    [THE NEXT]); DAY TO NIGHT → (DAY, [TO NIGHT]); MAGIC HOUR → (MAGIC HOUR, [])."""
    change = _CHANGE.match(part)
    if change and not _TIME.match(part):
        first, quals = _time_word(change["from"])
        return first, [*quals, f"TO {change['to']}"]
    m = _TIME.match(part)
    if m is None:
        return part, []
    prefix = (m.group("prefix") or "").strip(" -")
    return m.group("word"), [prefix] if prefix else []


def strip_number(text: str) -> tuple[str, str]:
    """A heading without its scene number: INT. HALL - DAY #12A# → (INT. HALL - DAY, 12A)."""
    m = _NUMBER.search(text)
    return (text[: m.start()], m.group(1)) if m else (text, "")


def parse_heading(
    text: str, *, characters: Collection[str] = (), places: Collection[str] = ()
) -> Heading:
    """The parts of a heading. `characters` (cue names) and `places` (places of the headings
    before) tell a secondary heading (`.ANNA`) from one that names a place (`.THE PIER`)."""
    text = " ".join(strip_number(text.strip())[0].split()).lstrip(".").strip()
    m = _PREFIX.match(text)
    int_ext = ""
    rest = text
    if m:
        raw = re.sub(r"[.\s]", "", m.group("ie").upper())
        int_ext = "INT/EXT" if "/" in raw else {"EST": "EXT"}.get(raw, raw)
        rest = m.group("rest")
    rest = rest.strip(" .-–—,")
    noted = _parts(rest)
    # Bracketed notes never belong to the place: a time or continuity word stays what it is
    # (NIGHT [CONTINUOUS]), any other note is a qualifier (FLASHFORWARD, STORY, THE STORM).
    parts = [p for p, bracketed in noted if not bracketed]
    notes = [" ".join(p.upper().split()) for p, bracketed in noted if bracketed]
    time = continuity = ""
    detail: list[str] = []
    qualifiers: list[str] = []
    # A clause after the heading's last time or continuity word (DAY / DRIVING) qualifies it.
    classes = [_classify(p)[0] for p in parts]
    last = max((i for i, k in enumerate(classes) if k in ("time", "continuity") and i), default=0)
    while last and len(parts) > last + 1 and not classes[-1]:
        qualifiers.insert(0, " ".join(parts.pop().upper().split()))
        classes.pop()
    # From the end: times, continuity words and details, in any order.
    while parts:
        kind, word = _classify(parts[-1])
        if not kind:
            break
        part = " ".join(parts.pop().upper().split())
        if kind == "time" and not time:
            time, said = _time_word(part)
            qualifiers[:0] = said
        elif kind == "continuity":
            continuity = continuity or part
            time = time or word
        else:
            detail.insert(0, part)
    while len(parts) > 1 and _DETAIL_BEFORE.match(" ".join(parts[0].upper().split())):
        detail.insert(0, " ".join(parts.pop(0).upper().split()))
    for note in notes:
        kind, word = _classify(note)
        if kind == "time" and not time:
            time, said = _time_word(note)
            qualifiers.extend(said)
        elif kind == "continuity" and not continuity:
            continuity = note
            time = time or word
        elif kind == "detail":
            detail.append(note)
        else:
            qualifiers.append(note)
    qualifiers = [*detail, *qualifiers]
    words = [" ".join(p.upper().split()) for p in parts]
    location = " - ".join(words)
    place = words[0] if words else ""
    sub = " - ".join(words[1:])
    kind, subject = SCENE, ""
    back = _BACK.match(location) if not int_ext else None
    if back:  # BACK IN THE APARTMENT: a scene in the apartment again, not an insert
        location = back["place"]
        words = location.split(" - ")
        place, sub = words[0], " - ".join(words[1:])
    elif not int_ext and location:
        kind, subject = _secondary(location, time, detail, characters, places)
    quals = tuple(dict.fromkeys(q for q in qualifiers if q))
    if kind != SCENE:
        return Heading(
            "",
            "",
            time,
            continuity=continuity,
            detail=" ".join(detail),
            kind=kind,
            subject=subject,
            qualifiers=quals,
        )
    return Heading(
        int_ext, location, time, place, sub, continuity, " ".join(detail), qualifiers=quals
    )


def _secondary(
    text: str,
    time: str,
    detail: list[str],
    characters: Collection[str],
    places: Collection[str],
) -> tuple[str, str]:
    """The kind of a heading without INT./EXT.: a title, POV, insert or shot, or a place."""
    upper = " ".join(text.upper().split())
    if _TITLE_WORDS.match(upper) and not time:
        return TITLE, upper
    if _POV.search(upper):
        subject = " ".join(_POV.sub(" ", upper).split()).strip(" -–—:")
        return POV, re.sub(r"['’]S$", "", subject).strip()
    m = _INSERT.match(upper)
    if m:
        return INSERT, m.group("subject").strip(" :-–—") or upper
    if upper in {c.upper() for c in characters}:
        return SHOT, upper
    if time or detail or not places or upper in {p.upper() for p in places}:
        return SCENE, ""
    if _PLACE_NOUN.search(upper):  # NAK'S BEDROOM, THE OLD BARN: a place, not a thing
        return SCENE, ""
    # No time, no INT./EXT., not a place seen before, in the middle of a scene: an insert on
    # something there (.THE RING), not a new place.
    return INSERT, upper
