"""Master assets out of the script, deterministically (PRD §2.3, §3.5, §8.5): characters
from character cues (JOHN / JOHN (V.O.) / JOHN (CONT'D) are one) and ALL-CAPS introductions
in action lines ("MARA QUILL (30s, …)"), with titles (DR. ROE is DR. JANE ROE), age variants
(YOUNG TOM is TOM) and unison cues (TOM AND ANNA speak for both) resolved; locations from
scene headings ("INT. KITCHEN - NIGHT" and "EXT. KITCHEN - DAY" are one place with two
variants); props as the text model names them, with the scenes that mention them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.screenplay.elements import (
    ACTION,
    CHARACTER,
    Screenplay,
    cue_name,
    plain,
    unison,
)
from aiuteur_desktop.core.screenplay.headings import OPENING, SCENE, carries_light, parse_heading

_INTRO = re.compile(
    r"\b((?:(?:DR|MR|MRS|MS|ST|LT|SGT|CAPT|COL|GEN|PROF|REV|DET)\.\s+)?"
    r"(?:[A-Z][A-Za-z'’.\-]*[A-Z][A-Za-z'’\-]*)(?:\s+[A-Z][A-Z'’.\-]+){0,3})\s*\(([^)]{1,120})\)"
)
#: An introduction by age after a comma: "WILL BLOOM, AGE 3, sits up", "EDWARD, 40's, tells".
_COMMA_INTRO = re.compile(
    _INTRO.pattern.split(r"\s*\(")[0]
    + r",\s*((?:AGED?\s+\d{1,2}|\d{1,2}|\d0[’']?[sS]|(?:[Ee]arly|[Mm]id|[Ll]ate|EARLY|MID|LATE)"
    r"[- ]\d0[’']?[sS])\b)"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NOT_NAMES = {"INT", "EXT", "V.O.", "O.S.", "O.C.", "CONT'D", "POV", "CU", "ECU", "SFX", "VFX"}
#: Titles before a name: DR. JANE ROE and DR. ROE and JANE ROE are one person.
_TITLES = frozenset(
    [
        "DR",
        "DOCTOR",
        "MR",
        "MRS",
        "MS",
        "MISS",
        "MX",
        "CAPT",
        "CAPTAIN",
        "SGT",
        "SERGEANT",
        "LT",
        "LIEUTENANT",
        "COL",
        "COLONEL",
        "GEN",
        "GENERAL",
        "MAJ",
        "MAJOR",
        "ADM",
        "ADMIRAL",
        "PROF",
        "PROFESSOR",
        "REV",
        "REVEREND",
        "FATHER",
        "SISTER",
        "OFFICER",
        "DET",
        "DETECTIVE",
        "AGENT",
        "INSPECTOR",
        "SIR",
        "DAME",
        "LADY",
        "LORD",
        "JUDGE",
        "NURSE",
        "COACH",
        "UNCLE",
        "AUNT",
        "AUNTIE",
        "ST",
        "SAINT",
        "PRESIDENT",
        "SENATOR",
        "MAYOR",
        "CHIEF",
    ]
)
#: Words that make an age variant of a character: YOUNG TOM is TOM, younger.
AGES = ("YOUNG", "YOUNGER", "OLD", "OLDER", "LITTLE", "TEEN", "TEENAGE", "ADULT", "ELDERLY")
#: Roles rather than names: SOPHISTICATED WOMAN is not WOMAN, MALE VOICE is not VOICE — a
#: cue of one of these words is only ever itself.
_ROLES = frozenset(
    [
        "WOMAN",
        "MAN",
        "VOICE",
        "GIRL",
        "BOY",
        "KID",
        "CHILD",
        "BABY",
        "COP",
        "POLICEMAN",
        "GUARD",
        "SOLDIER",
        "WAITER",
        "WAITRESS",
        "DRIVER",
        "REPORTER",
        "ANNOUNCER",
        "NARRATOR",
        "STRANGER",
        "PASSENGER",
        "CUSTOMER",
        "BARTENDER",
        "CLERK",
        "PILOT",
        "PRIEST",
        "TEACHER",
        "STUDENT",
        "FRIEND",
        "NEIGHBOR",
        "NEIGHBOUR",
        "CROWD",
        "PERSON",
        "LADY",
        "GUY",
        "DOCTOR",
        "NURSE",
        "OFFICER",
        "AGENT",
        "DETECTIVE",
        "HOST",
        "HOSTESS",
        "SECRETARY",
        "RECEPTIONIST",
        "ATTENDANT",
        "VENDOR",
        "WORKER",
        "FARMER",
        "FISHERMAN",
        "SAILOR",
        "CAPTAIN",
        "TEEN",
        "TEENAGER",
        "MOTHER",
        "FATHER",
    ]
)


@dataclass
class Extracted:
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)
    scenes: list[str] = field(default_factory=list)  # where it appears (characters: speaks)
    mentions: list[dict[str, str]] = field(default_factory=list)
    #: Locations: INT/EXT × time of day × detail × sub-location. Characters: age variants
    #: ({age, name, scenes, description}) — states of one character, not characters.
    variants: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    #: Characters: introductions after the first ({scene, text, look}) — the character's
    #: look changes there (now 17 with braces): a condition of that scene's instance, carried
    #: forward, not part of the master description.
    looks: list[dict[str, str]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug(self.name)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "asset"


def _scene_ids(play: Screenplay) -> list[tuple[str, int, int, str]]:
    """(id, first body element, end, heading) per scene, ids as the Master Script stores them."""
    return [(s.id, s.body_start, s.end, s.heading) for s in play.scenes()]


def location_of(heading: str) -> tuple[str, dict[str, str]]:
    """The place a heading names, and the variant (INT/EXT, time of day, detail)."""
    h = parse_heading(heading)
    name = h.place or h.location or " ".join(heading.strip().lstrip(".").split()).upper()
    return name, {
        "int_ext": h.int_ext,
        "time_of_day": h.time_of_day,
        "detail": h.detail,
        "sub_location": h.sub_location,
    }


def variant_text(v: dict[str, Any]) -> str:
    """A variant in a few words: "INT NIGHT MOVING · KITCHEN", or a character's age."""
    if v.get("age"):
        return f"{v['age'].lower()} ({v.get('name', '')})"
    words = " ".join(x for x in (v.get("int_ext"), v.get("time_of_day"), v.get("detail")) if x)
    return " · ".join(x for x in (words, v.get("sub_location")) if x) or "—"


def _core(name: str) -> tuple[str, ...]:
    """A name's words without titles and punctuation: DR. JANE ROE → (JANE, ROE)."""
    words = [w.strip(".,").upper() for w in name.split()]
    core = [w for w in words if w and w not in _TITLES]
    return tuple(core or words)


def _age_split(name: str) -> tuple[str, str]:
    """YOUNG TOM → (YOUNG, TOM); TOM → ("", TOM)."""
    first, _, rest = name.partition(" ")
    return (first, rest.strip()) if first in AGES and rest.strip() else ("", name)


def _resolve(name: str, characters: dict[str, Extracted]) -> str | None:
    """The character an introduction or cue names: the same words, or a cue whose words
    (titles aside) are all in it — DR. ROE in DR. JANE ROE, DANA in OFFICER DANA WEST."""
    upper = " ".join(name.upper().split())
    if upper in characters:
        return upper
    core = _core(upper)
    same = [k for k in characters if _core(k) == core]
    if same:
        return same[0]
    # A bare role (WOMAN, VOICE) is no part of a qualified one (SOPHISTICATED WOMAN).
    inside = [
        k
        for k in characters
        if set(_core(k)) <= set(core) and not (len(_core(k)) == 1 and _core(k)[0] in _ROLES)
    ]
    return max(inside, key=lambda k: len(_core(k))) if inside else None


def extract(play: Screenplay) -> list[Extracted]:
    """Every character and location of the script, in order of first appearance."""
    characters: dict[str, Extracted] = {}
    locations: dict[str, Extracted] = {}
    intros: list[tuple[str, str, str, str]] = []  # (full caps name, parenthetical, scene, text)
    cues: list[tuple[str, str, str]] = []  # (cue name, display, scene)
    scenes = play.scenes()
    known = {cue_name(e.text) for e in play.elements if e.type == CHARACTER}
    light = ""
    for scene in scenes:
        sid = scene.id
        loc: Extracted | None
        if scene.kind == SCENE or (scene.kind == OPENING and scene.place):
            name, variant = location_of(scene.heading)
            carried = light if carries_light(scene.continuity, scene.detail) else ""
            variant["time_of_day"] = scene.time_of_day or carried
            light = variant["time_of_day"]
            loc = locations.setdefault(name, Extracted("location", name))
            loc.scenes.append(sid)
            same = next((v for v in loc.variants if all(v[k] == variant[k] for k in variant)), None)
            if same is None:
                loc.variants.append({**variant, "scenes": [sid]})
            else:
                same["scenes"].append(sid)
        else:
            loc = locations.get(scene.place) if scene.place else None
        body = play.elements[scene.body_start : scene.end]
        first_action = next(
            (plain(e.text) for e in body if e.type == ACTION and e.text.strip()), ""
        )
        if first_action and loc is not None and scene.kind == SCENE:
            loc.mentions.append({"scene": sid, "text": first_action})
        for e in body:
            if e.type == CHARACTER:
                key = cue_name(e.text)
                if not key or key in _NOT_NAMES:
                    continue
                together = unison(key, known - {key})
                if together == ("ALL",):
                    continue
                for who in together or (key,):
                    cues.append((who, who if together else _display(e.text), sid))
            elif e.type == ACTION:
                intros.extend(
                    (full, paren, sid, said) for full, paren, said in _introductions(plain(e.text))
                )
    # Plain cues first (TOM), then their age variants (YOUNG TOM), so the variant finds him.
    for key, display, sid in sorted(cues, key=lambda c: bool(_age_split(c[0])[0])):
        age, base = _age_split(key)
        owner = _resolve(base, characters) if age else _resolve(key, characters)
        if age and owner is not None:
            _variant(characters[owner], age, key, sid)
            if sid not in characters[owner].scenes:
                characters[owner].scenes.append(sid)
            continue
        c = characters.setdefault(owner or key, Extracted("character", display))
        if owner is not None and key != owner and display not in c.aliases and display != c.name:
            c.aliases.append(display)
        if sid not in c.scenes:
            c.scenes.append(sid)
    order = {s.id: i for i, s in enumerate(scenes)}
    for c in characters.values():
        c.scenes.sort(key=lambda s: order.get(s, 0))
    introduced: dict[str, int] = {}  # character → how many introductions so far
    for full, paren, sid, text in intros:  # in script order
        age, base = _age_split(full.upper())
        owner = _resolve(base if age else full, characters)
        if age and owner is not None:
            v = _variant(characters[owner], age, full.upper(), sid)
            v["description"] = v.get("description") or text
            continue
        key = owner if owner is not None else full.upper()
        c = characters.setdefault(key, Extracted("character", full))
        if full != c.name and full not in c.aliases:
            c.aliases.append(full)
        n = introduced.get(key, 0)
        introduced[key] = n + 1
        if n == 0:  # the first introduction is the master look
            c.mentions.insert(0, {"scene": sid, "text": text, "intro": "yes"})
        elif all(look["scene"] != sid for look in c.looks):
            # A later one says how they look from here on: that scene's condition.
            c.looks.append({"scene": sid, "text": text, "look": " ".join(paren.split())})
            c.mentions.append({"scene": sid, "text": text})
    _mentions_in_action(play, list(characters.values()))
    out = list(characters.values()) + list(locations.values())
    for a in out:
        a.description = describe(a)
    return out


def _introductions(text: str) -> list[tuple[str, str, str]]:
    """(full caps name, how they are introduced, the introduction's words) for each person an
    action line introduces: "TOMMY REYES (20s, soaked denim jacket)", or by age after a comma —
    "WILL BLOOM, AGE 3, sits up in bed," up to the next person introduced or the sentence's
    end, so one person's introduction is never another's."""
    found = []
    for m in _INTRO.finditer(text):
        found.append(
            (m.start(), m.group(1), m.group(2).strip(), f"{m.group(1)} ({m.group(2).strip()})")
        )
    commas = list(_COMMA_INTRO.finditer(text))
    for i, m in enumerate(commas):
        stop = re.search(r"[.!?](?:\s|$)", text[m.end() :])
        end = m.end() + stop.end() if stop else len(text)
        if i + 1 < len(commas):
            end = min(end, commas[i + 1].start())
        said = text[m.start() : end].strip().rstrip(",;: ")
        # (up to the next person: "… as his father" is not part of Will)
        said = re.sub(r"[,\s]+(?:as|and|while|when|with)(?:\s+(?:his|her|their|the|a))?(?:\s+\w+)?$",
                      "", said)  # fmt: skip
        found.append((m.start(), m.group(1), said[len(m.group(1)) :].strip(" ,.!?"), said))
    out = []
    for _at, name, paren, said in sorted(found):
        full = " ".join(name.split())
        if full.upper() == full and full not in _NOT_NAMES and len(full) > 1:
            out.append((full, paren, said))
    return out


def _variant(c: Extracted, age: str, name: str, sid: str) -> dict[str, Any]:
    v = next((v for v in c.variants if v.get("age") == age), None)
    if v is None:
        v = {"age": age, "name": name, "scenes": [], "description": ""}
        c.variants.append(v)
    if sid not in v["scenes"]:
        v["scenes"].append(sid)
    return v


def _display(cue: str) -> str:
    """JOHN (V.O.) → JOHN; a forced @McCLANE keeps its spelling."""
    name = cue.strip().lstrip("@").rstrip("^").strip()
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip() or cue_name(cue)


def _mentions_in_action(play: Screenplay, characters: list[Extracted]) -> None:
    # Longer names of other characters that hold this one's (SOPHISTICATED WOMAN holds
    # WOMAN): taken out of a sentence before looking for it there.
    every = {c.name: [c.name, *c.aliases] for c in characters}
    holders: dict[str, list[str]] = {}
    for c in characters:
        holders[c.name] = sorted(
            {
                other
                for name, names in every.items()
                if name != c.name
                for other in names
                if len(other) > len(c.name)
                and re.search(rf"\b{re.escape(c.name)}\b", other, re.IGNORECASE)
            },
            key=len,
            reverse=True,
        )
    for sid, start, end, _heading in _scene_ids(play):
        for e in play.elements[start:end]:
            if e.type != ACTION:
                continue
            for sentence in _SENTENCE.split(plain(e.text)):
                for c in characters:
                    names = [c.name, *c.aliases]
                    # YOUNG TOM watching is not a mention of TOM: leave the variants out.
                    said = sentence
                    for v in c.variants:
                        if v.get("name"):
                            said = re.sub(rf"\b{re.escape(v['name'])}\b", "", said, flags=re.I)
                    for other in holders[c.name]:
                        said = re.sub(rf"\b{re.escape(other)}\b", "", said, flags=re.I)
                    named = any(
                        re.search(rf"\b{re.escape(n)}\b", said, re.IGNORECASE) for n in names
                    )
                    known = any(m["text"] in sentence for m in c.mentions if m["scene"] == sid)
                    if named and not known:
                        c.mentions.append({"scene": sid, "text": sentence})


def describe(asset: Extracted, limit: int = 700) -> str:
    """The pre-filled description, cleaned and without repeats: for a character introduced
    in the script, its introductions (how they look: "TOMMY REYES (20s, soaked denim
    jacket)"), not the action lines that merely name them; otherwise every mention."""
    intros = [m for m in asset.mentions if m.get("intro")]
    seen: list[str] = []
    for m in intros or asset.mentions:
        text = " ".join(m["text"].split()).strip()
        if text and text.lower() not in (s.lower() for s in seen):
            seen.append(text)
    out = " ".join(s if s.endswith((".", "!", "?", ")")) else s + "." for s in seen)
    return out if len(out) <= limit else out[: limit - 1].rsplit(" ", 1)[0] + "…"


def props_from(found: list[tuple[str, str]], play: Screenplay) -> list[Extracted]:
    """Props the text model named, as extracted assets with the scenes that mention them."""
    out: list[Extracted] = []
    for name, description in found:
        name = " ".join(name.split())
        if not name or any(slug(name) == e.slug for e in out):
            continue
        item = Extracted("prop", name, description=description.strip())
        for sid, start, end, _heading in _scene_ids(play):
            text = " ".join(plain(e.text) for e in play.elements[start:end] if e.type == ACTION)
            if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
                item.scenes.append(sid)
        out.append(item)
    return out
