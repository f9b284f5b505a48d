"""Deterministic shot timing: a scene of the Master Script broken into shots of at most
eight seconds (PRD §4.2/§9.2), with the fields the Stage 7 shot table needs.

No language model is involved: the breakdown is the offline starting point a filmmaker
edits, and what the offline animatic renders. The rule is short enough to say in the UI:
each shot holds as many whole pieces of action and dialogue as fit in eight seconds, in
script order; a sentence is never cut, and a shot lasts 4, 6 or 8 seconds (what video
models render).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aiuteur_desktop.core import screenplay as sp
from aiuteur_desktop.core.assets import location_of
from aiuteur_desktop.core.screenplay import Element, Scene, Screenplay
from aiuteur_desktop.core.shotspec import ShotSpec

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

_ACTION_TYPES = (sp.ACTION, sp.CENTERED, sp.LYRICS)
_SENTENCE = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=\S)")


@dataclass(frozen=True)
class Line:
    """One line of dialogue, verbatim."""

    character: str
    text: str
    parenthetical: str = ""


@dataclass(frozen=True)
class _Unit:
    seconds: float
    action: str = ""
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Shot:
    """One row of the shot table."""

    scene: int  # the scene's order in the script (1-based)
    scene_label: str  # the script's own scene number ("12A") or the order
    id: str  # "1", "2" … within the scene
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
    #: Time of day for the light: CONTINUOUS, LATER … take the previous scene's.
    light: str = ""

    def said(self, *, quoted: bool = False) -> str:
        """The shot's lines on one line: JUNE: Who's there? / TOMMY: It's me."""
        q = "“{}”" if quoted else "{}"
        return " / ".join(f"{d.character}: {q.format(d.text)}" for d in self.dialogue)

    def summary(self, *, quoted: bool = False) -> str:
        """What happens in the shot on one line: its action, then its lines."""
        return " · ".join(p for p in (self.action, self.said(quoted=quoted)) if p)

    @property
    def setting(self) -> str:
        parts = [p for p in (self.int_ext, self.location, self.time_of_day) if p]
        return " · ".join(parts)


def _words(text: str) -> int:
    return len(text.split())


def action_seconds(text: str) -> float:
    return max(MIN_ACTION, _words(text) / ACTION_WORDS_PER_SECOND)


def line_seconds(text: str) -> float:
    return max(MIN_LINE, _words(text) / SPEECH_WORDS_PER_SECOND) + LINE_PAUSE


def sentences(text: str) -> list[str]:
    """Whole sentences, the pieces a shot is never cut inside."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _fit(text: str, seconds: float, rate: float) -> list[str]:
    """Text in pieces that each fit `seconds` at `rate` words per second: whole sentences
    joined while they fit, a runaway sentence cut into word runs."""
    room = max(1, int(seconds * rate))
    out: list[str] = []
    for sentence in sentences(text):
        words = sentence.split()
        for chunk in (" ".join(words[i : i + room]) for i in range(0, len(words), room)):
            if out and _words(out[-1]) + _words(chunk) <= room:
                out[-1] = f"{out[-1]} {chunk}"
            else:
                out.append(chunk)
    return out


def _action_units(text: str) -> list[_Unit]:
    text = sp.plain(text)
    if not text:
        return []
    if action_seconds(text) <= MAX_SHOT:
        return [_Unit(action_seconds(text), action=" ".join(text.split()))]
    pieces = _fit(" ".join(text.split()), MAX_SHOT, ACTION_WORDS_PER_SECOND)
    return [_Unit(action_seconds(p), action=p) for p in pieces]


def _line_units(line: Line) -> list[_Unit]:
    if line_seconds(line.text) <= MAX_SHOT:
        return [_Unit(line_seconds(line.text), lines=(line,))]
    pieces = _fit(line.text, MAX_SHOT - LINE_PAUSE, SPEECH_WORDS_PER_SECOND)
    out = []
    for i, piece in enumerate(pieces):
        paren = line.parenthetical if i == 0 else "(continuing)"
        out.append(_Unit(line_seconds(piece), lines=(Line(line.character, piece, paren),)))
    return out


def _units(body: tuple[Element, ...]) -> list[_Unit]:
    """Action paragraphs and dialogue blocks in script order; dual dialogue is one unit."""
    units: list[_Unit] = []
    i = 0
    while i < len(body):
        e = body[i]
        if e.type in _ACTION_TYPES:
            units.extend(_action_units(e.text))
            i += 1
            continue
        if e.type != sp.CHARACTER:
            i += 1  # transitions, sections, synopses, page breaks: not on screen
            continue
        name, dual = sp.cue_name(e.text), e.dual
        paren, spoken = "", list[str]()
        i += 1
        while i < len(body) and body[i].type in (sp.PARENTHETICAL, sp.DIALOGUE):
            if body[i].type == sp.PARENTHETICAL and not spoken:
                paren = sp.plain(body[i].text)
            elif body[i].type == sp.DIALOGUE:
                spoken.append(sp.plain(body[i].text))
            i += 1
        text = " ".join(" ".join(spoken).split())
        if not name or not text:
            continue
        line = Line(name, text, paren)
        if dual and units and units[-1].lines and not units[-1].action:
            # Both speak at once: one unit, as long as the longer line.
            prev = units.pop()
            units.append(_Unit(max(prev.seconds, line_seconds(text)), lines=(*prev.lines, line)))
            continue
        units.extend(_line_units(line))
    return units


def _pack(units: list[_Unit]) -> list[list[_Unit]]:
    shots: list[list[_Unit]] = []
    for unit in units:
        if shots and sum(u.seconds for u in shots[-1]) + unit.seconds <= MAX_SHOT:
            shots[-1].append(unit)
        else:
            shots.append([unit])
    return shots


def duration_for(seconds: float) -> int:
    """The shortest renderable length (4, 6 or 8 s) that holds `seconds`."""
    return next((d for d in DURATIONS if seconds <= d + 1e-9), DURATIONS[-1])


def _mentioned(text: str, names: list[str]) -> list[str]:
    found = []
    for name in names:
        if re.search(rf"(?<![\w'’]){re.escape(name)}(?![\w'’])", text, re.IGNORECASE):
            found.append(name)
    return found


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
    """Every speaking character, longest names first (so MARA QUILL wins over MARA)."""
    names: list[str] = []
    for e in play.elements:
        if e.type == sp.CHARACTER:
            name = sp.cue_name(e.text)
            if name and name not in names:
                names.append(name)
    return sorted(names, key=lambda n: (-len(n), n))


#: Headings that say "no change in time" rather than a time of day.
_SAME_TIME = ("CONTINUOUS", "SAME", "LATER", "MOMENTS LATER", "SAME TIME")


def _light(scene: Scene, previous: str) -> str:
    tod = scene.time_of_day
    if not tod or any(tod == t or tod.startswith(t) for t in _SAME_TIME):
        return previous or "DAY"
    return tod


def scene_shots(
    play: Screenplay, scene: Scene, names: list[str] | None = None, previous_light: str = ""
) -> list[Shot]:
    """The scene broken into shots of at most eight seconds."""
    names = characters_of(play) if names is None else names
    place = location_of(scene.heading)[0]
    light = _light(scene, previous_light)
    body = play.elements[scene.start + 1 : scene.end]
    # A scene with nothing under its heading still gets its establishing shot.
    packed = _pack(_units(body) or [_Unit(float(DURATIONS[0]))])
    shots: list[Shot] = []
    for n, units in enumerate(packed, start=1):
        action = " ".join(u.action for u in units if u.action)
        lines = tuple(line for u in units for line in u.lines)
        speakers = list(dict.fromkeys(line.character for line in lines))
        people = list(dict.fromkeys([*speakers, *_mentioned(action, names)]))
        opens_on_picture = not units[0].lines
        size, move = _camera(n == 1, opens_on_picture, len(speakers), len(people))
        timing = round(sum(u.seconds for u in units), 2)
        shots.append(
            Shot(
                scene=scene.number,
                scene_label=scene.label,
                id=str(n),
                duration=duration_for(timing),
                timing=timing,
                heading=scene.heading,
                int_ext=scene.int_ext,
                location=scene.location,
                time_of_day=scene.time_of_day,
                action=action,
                dialogue=lines,
                characters=tuple(people),
                shot_size=size,
                move=move,
                place=place,
                light=light,
            )
        )
    return shots


def breakdown(play: Screenplay) -> list[Shot]:
    """Every scene's shots, in script order."""
    names = characters_of(play)
    out: list[Shot] = []
    light = ""
    for scene in play.scenes():
        scene_list = scene_shots(play, scene, names, light)
        light = scene_list[0].light
        out.extend(scene_list)
    return out


def _camel(text: str) -> str:
    words = re.findall(r"[0-9A-Za-z]+", text)
    # NIGHT FERRY → NightFerry, night ferry → NightFerry; McClane and KH stay as written.
    shouting = text.isupper() and len(words) > 1
    return "".join(w.capitalize() if shouting or w.islower() else w for w in words)


def clip_name(project: str, shot: Shot, version: int = 1) -> str:
    """The PRD's export name, [Project]_[Sc##]_[Shot#]_[v##]: NightFerry_Sc01_Shot3_v02."""
    label = shot.scene_label
    scene = f"{int(label):02d}" if label.isdigit() else re.sub(r"[^0-9A-Za-z]+", "", label)
    return f"{_camel(project) or 'Aiuteur'}_Sc{scene}_Shot{shot.id}_v{version:02d}"


_POSITIONS = {1: ["center"], 2: ["left", "right"], 3: ["left", "center", "right"]}


def to_spec(
    shot: Shot,
    *,
    width: int = 1280,
    fps: int = 24,
    images: dict[str, Path] | None = None,
    location_image: Path | None = None,
    palette: list[str] | None = None,
) -> ShotSpec:
    """The shot as the offline storyboard and animatic engines render it; `images` maps
    a character's name to its locked image key."""
    images = images or {}
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
            {"name": name, **place, "facing": facing, "image": str(image) if image else None}
        )
    return ShotSpec.model_validate(
        {
            # The heading the renderer lights by: a CONTINUOUS scene keeps the previous light.
            "heading": f"{shot.int_ext + '. ' if shot.int_ext else ''}{shot.location} - {shot.light}"
            if shot.light and shot.light != shot.time_of_day
            else shot.heading,
            "action": shot.action[:4000],
            "width": width,
            "fps": fps,
            "duration": shot.duration,
            "shot_size": shot.shot_size,
            "angle": shot.angle,
            "move": shot.move,
            "characters": cast,
            "dialogue": [{"character": d.character, "text": d.text} for d in shot.dialogue][:40],
            "shot": f"{shot.scene_label}.{shot.id}",
            "location_image": str(location_image) if location_image else None,
            "palette": palette or [],
        }
    )
