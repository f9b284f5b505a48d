"""Deterministic shot timing: a scene of the Master Script broken into shots of at most
eight seconds (PRD §4.2/§9.2), with the fields the Stage 7 shot table needs.

No language model is involved: the breakdown is the offline starting point a filmmaker
edits, and what the offline animatic renders. The rule is short enough to say in the UI:
each shot holds as many whole pieces of action and dialogue as fit in eight seconds, in
script order; a sentence is never cut, and a shot lasts 4, 6 or 8 seconds (what video
models render).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.production.shots.sentences import fit
from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.core.screenplay.elements import Element, Scene, Screenplay

#: Spoken dialogue pace (words per second) — the animatic times its subtitles with it too.
SPEECH_WORDS_PER_SECOND = 2.6
#: Screen time of action: one script page (~180 words) is about a minute.
ACTION_WORDS_PER_SECOND = 3.0
MIN_ACTION = 2.0
MIN_LINE = 1.2
#: A breath after each line.
LINE_PAUSE = 0.4
MAX_SHOT = 8.0
#: Durations video models render; a shot is rounded up to one of them.
DURATIONS = (4, 6, 8)

#: A sentence ends at . ! ? … and whatever closes it (quotes, brackets): `."` `?)` `!”`.
#: Kinds of shot (Shot.kind): what the renderers draw and the editor's timeline names.
SHOT, INSERT, POV, TITLE = "shot", "insert", "pov", "title"
#: How the shot table names a kind (a plain shot needs no word).
KIND_NAMES = {INSERT: "Insert · ", POV: "POV · ", TITLE: "Title card · "}


@dataclass(frozen=True)
class Line:
    """One line of dialogue, verbatim (line breaks of verse and lyrics kept)."""

    character: str
    text: str
    parenthetical: str = ""
    #: Spoken from off screen — voice-over, off screen, off camera (V.O., O.S., O.C.): heard,
    #: not drawn.
    off_screen: bool = False


@dataclass(frozen=True)
class _Unit:
    seconds: float
    action: str = ""
    lines: tuple[Line, ...] = ()
    title: bool = False  # a title card (centred text, THE END, OPENING TITLES): a shot alone
    transition: str = ""  # the transition after it (CUT TO:, DISSOLVE TO:, FADE OUT.)
    cut: bool = False  # it starts a shot of its own (an action that moves OUTSIDE or INSIDE)


@dataclass(frozen=True)
class Shot:
    """One row of the shot table."""

    scene: int  # the scene's order in the script (1-based)
    scene_label: str  # the script's own scene number ("12A") or its count among headings
    #: The shot's permanent letter within its scene ("A", "B" … "Z", "AA"): given when the
    #: shot is made, kept through split, merge, delete, reorder and re-timing, never reused
    #: in the scene. Every per-shot artifact (prompts, frames, takes) is keyed by it.
    id: str
    duration: int  # seconds: one of DURATIONS
    timing: float  # seconds the action and dialogue need, before rounding up
    heading: str
    int_ext: str
    location: str
    time_of_day: str
    action: str
    dialogue: tuple[Line, ...] = ()
    characters: tuple[str, ...] = ()
    shot_size: str = "MS"
    angle: str = "eye"
    move: str = "static"
    #: The place as Stage 5 names it (its location asset), without MOVING/FLASHBACK detail.
    place: str = ""
    #: The light the renderers draw (DAY, NIGHT, DAWN, DUSK): CONTINUOUS, LATER … and
    #: headings without a time of day keep the previous scene's.
    light: str = ""
    #: The scene's permanent id ("s7").
    scene_id: str = ""
    #: SHOT, INSERT, POV or TITLE (a card with the action as its text).
    kind: str = SHOT
    #: The transition to the next shot as the script writes it ("DISSOLVE TO:"), or "".
    transition: str = ""
    #: The heading's continuity word (CONTINUOUS, LATER …), or "".
    continuity: str = ""

    @property
    def label(self) -> str:
        """The PRD's shot id: scene number + letter ("3A", "3B"; "12A.B" when the script's
        scene number ends in a letter)."""
        sep = "." if self.scene_label[-1:].isalpha() else ""
        return f"{self.scene_label}{sep}{self.id}"

    def said(self, *, quoted: bool = False) -> str:
        """The shot's lines on one line: JUNE: Who's there? / TOMMY: It's me."""
        q = "“{}”" if quoted else "{}"
        return " / ".join(
            f"{d.character}: {q.format(' '.join(d.text.split()))}" for d in self.dialogue
        )

    def summary(self, *, quoted: bool = False) -> str:
        """What happens in the shot on one line: its action, then its lines."""
        action = " ".join(self.action.split())
        if self.kind == TITLE:
            action = f"Title card: {action}"
        return " · ".join(p for p in (action, self.said(quoted=quoted)) if p)

    @property
    def setting(self) -> str:
        parts = [p for p in (self.int_ext, self.location, self.time_of_day) if p]
        return " · ".join(parts)


def letter(n: int) -> str:
    """The n-th shot letter (0 → A, 25 → Z, 26 → AA), as spreadsheets name columns."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def letter_index(text: str) -> int:
    """The inverse of `letter` (-1 for anything that is not a run of capitals)."""
    if not text or not text.isascii() or not text.isalpha() or not text.isupper():
        return -1
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _words(text: str) -> int:
    return len(text.split())


def action_seconds(text: str) -> float:
    return max(MIN_ACTION, _words(text) / ACTION_WORDS_PER_SECOND)


def line_seconds(text: str) -> float:
    return max(MIN_LINE, _words(text) / SPEECH_WORDS_PER_SECOND) + LINE_PAUSE


def _action_units(text: str, *, keep_breaks: bool = False) -> list[_Unit]:
    text = sp.plain(text)
    if not text:
        return []
    flat = text if keep_breaks else " ".join(text.split())
    if action_seconds(flat) <= MAX_SHOT:
        return [_Unit(action_seconds(flat), action=flat)]
    pieces = fit(flat, MAX_SHOT, ACTION_WORDS_PER_SECOND)
    return [_Unit(action_seconds(p), action=p) for p in pieces]


def _line_units(line: Line) -> list[_Unit]:
    spoken = line_seconds(line.text) - LINE_PAUSE
    if spoken <= MAX_SHOT:  # the pause after a line is not cut into it: a 7.7 s line fits
        return [_Unit(min(MAX_SHOT, line_seconds(line.text)), lines=(line,))]
    pieces = fit(line.text, MAX_SHOT - LINE_PAUSE, SPEECH_WORDS_PER_SECOND)
    # The writer's parenthetical goes with the first piece; the rest are the same speech.
    return [
        _Unit(
            line_seconds(piece),
            lines=(
                dataclasses.replace(
                    line, text=piece, parenthetical=line.parenthetical if i == 0 else ""
                ),
            ),
        )
        for i, piece in enumerate(pieces)
    ]


_OFF_SCREEN = re.compile(r"\((?:V\.?\s*O|O\.?\s*S|O\.?\s*C|OFF|OFF SCREEN|PRE-?LAP)\b", re.I)


def _speech(
    body: tuple[Element, ...], i: int, name: str, off: bool = False
) -> tuple[list[Line], int]:
    """The lines of `name`'s speech from body[i]: a parenthetical inside it starts a new
    line that keeps it, so `(beat)` and `(pause)` stay where the writer put them."""
    lines: list[Line] = []
    paren, spoken = "", list[str]()

    def flush() -> None:
        text = "\n".join(t for t in spoken if t)
        if text:
            lines.append(Line(name, text, paren, off))

    while i < len(body) and body[i].type in (sp.PARENTHETICAL, sp.DIALOGUE):
        if body[i].type == sp.PARENTHETICAL:
            if spoken:
                flush()
                spoken = []
            paren = sp.plain(body[i].text)
        else:
            spoken.append(sp.plain(body[i].text))
        i += 1
    flush()
    return lines, i


def _with_transition(units: list[_Unit], transition: str) -> None:
    if units:
        last = units[-1]
        units[-1] = _Unit(last.seconds, last.action, last.lines, last.title, transition)


def _units(body: tuple[Element, ...]) -> list[_Unit]:
    """Action paragraphs, dialogue blocks and title cards in script order; dual dialogue is
    one unit; a transition rides on the unit before it."""
    units: list[_Unit] = []
    speaker = ""
    i = 0
    while i < len(body):
        e = body[i]
        if e.type == sp.TRANSITION or (e.type == sp.ACTION and sp.transition_of(e.text)):
            _with_transition(units, " ".join(sp.plain(e.text).upper().split()))
            i += 1
            continue
        if e.type == sp.CENTERED or (e.type == sp.ACTION and sp.is_end_card(e.text)):
            # Centred lines one after another are one card (a title and its subtitle), as
            # Final Draft holds them in one paragraph.
            card = [sp.plain(e.text)]
            while e.type == sp.CENTERED and i + 1 < len(body) and body[i + 1].type == sp.CENTERED:
                i += 1
                card.append(sp.plain(body[i].text))
            text = "\n".join(t for t in card if t)
            if text:
                units.append(_Unit(float(DURATIONS[0]), action=text, title=True))
            i += 1
            continue
        if e.type in (sp.ACTION, sp.LYRICS):
            found = _action_units(e.text, keep_breaks=e.type == sp.LYRICS)
            if found and (_OUTSIDE.match(found[0].action) or _INSIDE.match(found[0].action)):
                found[0] = dataclasses.replace(found[0], cut=True)  # a new place: a new shot
            units.extend(found)
            i += 1
            continue
        if e.type in (sp.PARENTHETICAL, sp.DIALOGUE):
            # Lines with no cue before them (a damaged or hand-built file): the last speaker's.
            lines, i = _speech(body, i, speaker or "?")
            for line in lines:
                units.extend(_line_units(line))
            continue
        if e.type != sp.CHARACTER:
            i += 1  # sections, synopses, page breaks: not on screen
            continue
        dual = e.dual
        speaker = sp.cue_name(e.text) or "?"
        lines, i = _speech(body, i + 1, speaker, bool(_OFF_SCREEN.search(e.text)))
        if not lines:
            continue
        if dual and units and units[-1].lines and not units[-1].action and not units[-1].title:
            # Both speak at once: one unit, as long as the longer speech.
            prev = units.pop()
            seconds = max(prev.seconds, sum(line_seconds(x.text) for x in lines))
            units.append(_Unit(seconds, lines=(*prev.lines, *lines)))
            continue
        for line in lines:
            units.extend(_line_units(line))
    return units


def _pack(units: list[_Unit]) -> list[list[_Unit]]:
    shots: list[list[_Unit]] = []
    total = 0.0
    for unit in units:
        last = shots[-1] if shots else None
        fits = last is not None and total + unit.seconds <= MAX_SHOT
        if (
            last is not None
            and fits
            and not unit.title
            and not unit.cut
            and not last[-1].title
            and not last[-1].transition
        ):
            last.append(unit)
            total += unit.seconds
        else:
            shots.append([unit])
            total = unit.seconds
    return shots


def duration_for(seconds: float) -> int:
    """The shortest renderable length (4, 6 or 8 s) that holds `seconds`."""
    return next((d for d in DURATIONS if seconds <= d + 1e-9), DURATIONS[-1])


class Names:
    """The script's character names, found in action text with one pattern (so a shot's
    cost does not grow with the size of the cast)."""

    def __init__(self, names: list[str]) -> None:
        self.names = sorted(dict.fromkeys(names), key=lambda n: (-len(n), n))
        self._by_upper = {n.upper(): n for n in self.names}
        alternation = "|".join(re.escape(n) for n in self.names)
        self._pattern = (
            re.compile(rf"(?<![\w'’])(?:{alternation})(?![\w'’])", re.IGNORECASE)
            if self.names
            else None
        )

    def in_text(self, text: str) -> list[str]:
        if self._pattern is None:
            return []
        found = [self._by_upper[m.group().upper()] for m in self._pattern.finditer(text)]
        return list(dict.fromkeys(found))


def _camera(first: bool, opens_on_picture: bool, speakers: int, people: int) -> tuple[str, str]:
    """Shot size and move: a wide establishing push-in to open a scene, closer for lines."""
    if first and opens_on_picture:
        return "WS", "push-in"
    if speakers >= 2 or (speakers == 1 and people >= 2):
        return "MS", "static"
    if speakers == 1:
        return "MCU", "static"
    return ("MS", "static") if people else ("WS", "static")


def characters_of(play: Screenplay) -> list[str]:
    """Every speaking character, longest names first (so MARA QUILL wins over MARA); cues
    several people speak together (TOM AND ANNA, ALL) are not characters of their own."""
    names: list[str] = []
    for e in play.elements:
        if e.type == sp.CHARACTER:
            name = sp.cue_name(e.text)
            if name and name not in names:
                names.append(name)
    known = set(names)
    solo = [n for n in names if not sp.unison(n, known)]
    return sorted(solo, key=lambda n: (-len(n), n))


def _light(scene: Scene, previous: str) -> str:
    if not scene.time_of_day:
        return (
            (previous or "DAY") if headings.carries_light(scene.continuity, scene.detail) else "DAY"
        )
    return headings.light_of(scene.time_of_day)


def _speakers(lines: tuple[Line, ...], known: set[str], present: list[str]) -> list[str]:
    """Who speaks on screen: each of a unison cue's people, everyone present for ALL (a voice
    from off screen is heard, not seen)."""
    out: list[str] = []
    for line in lines:
        if line.off_screen:
            continue
        together = sp.unison(line.character, known)
        if together == ("ALL",):
            out.extend(present)
        else:
            out.extend(together or (line.character,))
    return list(dict.fromkeys(out))


_KIND_OF_SCENE = {headings.INSERT: INSERT, headings.POV: POV, headings.TITLE: TITLE}
#: An action paragraph that opens on OUTSIDE / INSIDE in capitals (the writer moving the
#: camera across a wall without a new heading). "Outside the window…" is not one.
_OUTSIDE = re.compile(r"^\W*(?:OUTSIDE|EXTERIOR|BACK OUTSIDE)\b")
_INSIDE = re.compile(r"^\W*(?:INSIDE|INTERIOR|BACK INSIDE)\b")


def _inside_or_out(action: str, int_ext: str) -> str:
    """A shot whose action opens OUTSIDE (or INSIDE) is drawn there, whatever the heading
    says ("OUTSIDE, the chopper lifts off" in an INT. scene is an exterior)."""
    if _OUTSIDE.match(action):
        return "EXT"
    if _INSIDE.match(action):
        return "INT"
    return int_ext


_CARD_TEXT = re.compile(
    r"^[^:]*?(?:TITLES?|CARD|SUPER|SUPERIMPOSE|CHYRON|CAPTION|INTERTITLE)\s*:\s*(?P<text>.+)$",
    re.IGNORECASE,
)
_OPENING_TITLES = re.compile(
    r"^(?:MAIN|OPENING|BEGIN|START OF)\s+(?:TITLES?|CREDITS|TITLE SEQUENCE)$"
)


def title_card(heading: str, film: str) -> str:
    """What a title heading puts on screen: the text it gives (TITLE CARD: PARIS, 1942 →
    PARIS, 1942); the film's own title for the opening titles; nothing for a heading that
    only says titles roll (END CREDITS, BLACK) — the words of the heading are an
    instruction, not a card."""
    said = _CARD_TEXT.match(heading)
    if said:
        return said["text"].strip()
    if _OPENING_TITLES.match(heading.upper()):
        return film
    return ""


def scene_shots(
    play: Screenplay,
    scene: Scene,
    names: list[str] | Names | None = None,
    previous_light: str = "",
) -> list[Shot]:
    """The scene broken into shots of at most eight seconds."""
    found = (
        names
        if isinstance(names, Names)
        else Names(characters_of(play) if names is None else names)
    )
    known = set(found.names)
    light = _light(scene, previous_light)
    body = play.elements[scene.body_start : scene.end]
    units = _units(body)
    if scene.kind == headings.TITLE:
        written = " ".join(headings.strip_number(scene.heading)[0].split()).lstrip(".").strip()
        card = title_card(written, sp.plain(play.title()))
        if card:
            units.insert(0, _Unit(float(DURATIONS[0]), action=card, title=True))
    # A scene with nothing under its heading still gets its establishing shot.
    packed = _pack(units or [_Unit(float(DURATIONS[0]))])
    shots: list[Shot] = []
    for n, group in enumerate(packed, start=1):
        action = " ".join(u.action for u in group if u.action)
        lines = tuple(line for u in group for line in u.lines)
        title = group[0].title
        mentioned = [] if title else found.in_text(action)
        speakers = _speakers(lines, known, list(scene.characters))
        people = list(dict.fromkeys([*speakers, *mentioned]))
        kind = TITLE if title else SHOT
        if n == 1 and not title:
            kind = _KIND_OF_SCENE.get(scene.kind, SHOT)
            if scene.kind == headings.SHOT and scene.subject not in people:
                people.insert(0, scene.subject)
        opens_on_picture = not group[0].lines
        size, move = _camera(n == 1, opens_on_picture, len(speakers), len(people))
        if n == 1 and scene.kind in (headings.INSERT, headings.SHOT):
            size, move = ("CU" if scene.kind == headings.INSERT else "MCU"), "static"
        if n == 1 and scene.kind == headings.POV:
            # What someone sees, through their eyes (or a scope): they are not in it.
            size, move = "MS", "static"
            people = [p for p in people if p != scene.subject]
        timing = round(sum(u.seconds for u in group), 2)
        shots.append(
            Shot(
                scene=scene.number,
                scene_label=scene.label,
                id=letter(n - 1),
                duration=duration_for(timing),
                timing=timing,
                heading=scene.heading,
                int_ext=_inside_or_out(action, scene.int_ext),
                location=scene.location,
                time_of_day=scene.time_of_day,
                action=action,
                dialogue=lines,
                characters=() if title else tuple(people),
                shot_size=size,
                move=move,
                place=scene.place,
                light=light,
                scene_id=scene.id,
                kind=kind,
                transition=group[-1].transition,
                continuity=scene.continuity,
            )
        )
    return shots


def light_before(play: Screenplay, scene: Scene) -> str:
    """The light the scenes before `scene` end in (what CONTINUOUS carries on)."""
    light = ""
    for s in play.scenes():
        if s.id == scene.id:
            return light
        light = _light(s, light)
    return light


def breakdown(play: Screenplay) -> list[Shot]:
    """Every scene's shots, in script order (linear in the script's length)."""
    names = Names(characters_of(play))
    out: list[Shot] = []
    light = ""
    for scene in play.scenes():
        scene_list = scene_shots(play, scene, names, light)
        light = scene_list[0].light
        out.extend(scene_list)
    return out


def camel(text: str) -> str:
    """A name for file names: NIGHT FERRY → NightFerry."""
    words = re.findall(r"[0-9A-Za-z]+", text)
    # NIGHT FERRY → NightFerry, night ferry → NightFerry; McClane and KH stay as written.
    shouting = text.isupper() and len(words) > 1
    return "".join(w.capitalize() if shouting or w.islower() else w for w in words)


def clip_name(project: str, shot: Shot, version: int = 1) -> str:
    """The PRD's export name, [Project]_Sc##_Shot##X_v##: `NightFerry_Sc01_Shot1C_v02` — the
    project, the scene's number (two digits when it is a number), the shot's id as the script
    shows it (scene + letter), the take."""
    label = shot.scene_label
    scene = f"{int(label):02d}" if label.isdigit() else re.sub(r"[^0-9A-Za-z]+", "", label)
    shot_id = re.sub(r"[^0-9A-Za-z]+", "", shot.label)
    return f"{camel(project) or 'Aiuteur'}_Sc{scene}_Shot{shot_id}_v{version:02d}"


_POSITIONS = {1: ["center"], 2: ["left", "right"], 3: ["left", "center", "right"]}


def to_spec(
    shot: Shot,
    *,
    width: int = 1280,
    fps: int = 24,
    images: dict[str, Path] | None = None,
    location_image: Path | None = None,
    palette: list[str] | None = None,
    voices: dict[str, dict[str, Any]] | None = None,
    statures: dict[str, float] | None = None,
) -> ShotSpec:
    """The shot as the offline storyboard and animatic engines render it; `images` maps
    a character's name to its locked image key, `statures` to their height beside a
    grown-up's (`core.assets.stature`), `voices` a name in capitals to its offline
    voice (`core.assets.voices.offline_voices`: only the shot's speakers' are kept, so a
    voice changed elsewhere leaves this shot's render as it was)."""
    images = images or {}
    spoken = {" ".join(d.character.upper().split()) for d in shot.dialogue}
    heard = {name: v for name, v in (voices or {}).items() if name in spoken}
    people = shot.characters[:12]
    spots = _POSITIONS.get(len(people), [])
    cast = []
    for i, name in enumerate(people):
        if i < len(spots):
            place = {"position": spots[i], "depth": "foreground"}
        else:  # a crowd: the rest stand behind
            place = {"position": ("left", "center", "right")[i % 3], "depth": "background"}
        # Two-shots face each other; a lone or centred figure plays to camera.
        facing = {"left": "right", "right": "left"}.get(place["position"], "camera")
        image = images.get(name)
        cast.append(
            {
                "name": name,
                **place,
                "facing": facing,
                "image": str(image) if image else None,
                "stature": (statures or {}).get(name.upper(), 1.0),
            }
        )
    title = shot.kind == TITLE
    return ShotSpec.model_validate(
        {
            "heading": shot.heading or shot.location or "OPENING",
            "action": shot.action[:4000],
            "width": width,
            "fps": fps,
            "duration": shot.duration,
            "shot_size": shot.shot_size,
            "angle": shot.angle,
            "move": "static" if title else shot.move,
            "characters": [] if title else cast,
            "dialogue": [
                # Verse keeps its line breaks on screen too.
                {"character": d.character[:60] or "?", "text": d.text.strip()[:2000]}
                for d in shot.dialogue
            ][:40],
            "voices": heard,
            "shot": shot.label,
            "location_image": None if title else (str(location_image) if location_image else None),
            "palette": palette or [],
            # The light the renderer draws: a CONTINUOUS scene keeps the previous light.
            "light": shot.light,
            "int_ext": shot.int_ext,
            "kind": shot.kind if shot.kind in (SHOT, INSERT, POV, TITLE) else SHOT,
        }
    )
