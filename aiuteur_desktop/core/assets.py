"""Master assets (PRD §2.3, §3.5, §8.5): characters, locations and props extracted from the
Master Script, their pre-filled descriptions, image keys, locks, and scene instances.

Extraction is deterministic: characters from character cues (JOHN / JOHN (V.O.) /
JOHN (CONT'D) are one) and from ALL-CAPS introductions in action lines ("MARA QUILL (30s,
…)"), locations from scene headings ("INT. KITCHEN - NIGHT" and "EXT. KITCHEN - DAY" are one
location with two variants). Props come from the text model or the user.

Stored at `assets/<slug>`:
{kind, name, aliases, description, mentions: [{scene, text}], scenes, variants, voice, tags,
 candidates: [{media, prompt, guidance, source, created_at, cost}], image_key, locked,
 global_id}
Scene instances (Stage 8 later) live at `scenes/<scene>/assets/<slug>` and inherit: a scene
sees the latest instance at or before it, else the master asset.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import artifacts
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.headings import OPENING, SCENE, carries_light, parse_heading
from aiuteur_desktop.core.screenplay import (
    ACTION,
    CHARACTER,
    Screenplay,
    cue_name,
    plain,
    unison,
)
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import fingerprint

KINDS = ("character", "location", "prop")
KIND_LABELS = {"character": "Characters", "location": "Locations", "prop": "Props"}
STYLE = "stage5/style"
_INTRO = re.compile(
    r"\b((?:(?:DR|MR|MRS|MS|ST|LT|SGT|CAPT|COL|GEN|PROF|REV|DET)\.\s+)?"
    r"(?:[A-Z][A-Za-z'’.\-]*[A-Z][A-Za-z'’\-]*)(?:\s+[A-Z][A-Z'’.\-]+){0,3})\s*\(([^)]{1,120})\)"
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
    inside = [k for k in characters if set(_core(k)) <= set(core)]
    return max(inside, key=lambda k: len(_core(k))) if inside else None


def extract(play: Screenplay) -> list[Extracted]:
    """Every character and location of the script, in order of first appearance."""
    characters: dict[str, Extracted] = {}
    locations: dict[str, Extracted] = {}
    intros: list[tuple[str, str, str]] = []  # (full caps name, parenthetical, scene)
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
                for m in _INTRO.finditer(plain(e.text)):
                    full = " ".join(m.group(1).split())
                    if full.upper() == full and full not in _NOT_NAMES and len(full) > 1:
                        intros.append((full, m.group(2).strip(), sid))
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
    for full, paren, sid in intros:
        age, base = _age_split(full.upper())
        owner = _resolve(base if age else full, characters)
        if age and owner is not None:
            v = _variant(characters[owner], age, full.upper(), sid)
            v["description"] = v.get("description") or f"{full} ({paren})"
            continue
        key = owner if owner is not None else full.upper()
        c = characters.setdefault(key, Extracted("character", full))
        if full != c.name and full not in c.aliases:
            c.aliases.append(full)
        c.mentions.insert(0, {"scene": sid, "text": f"{full} ({paren})"})
    _mentions_in_action(play, list(characters.values()))
    out = list(characters.values()) + list(locations.values())
    for a in out:
        a.description = describe(a)
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
                    named = any(
                        re.search(rf"\b{re.escape(n)}\b", said, re.IGNORECASE) for n in names
                    )
                    known = any(m["text"] in sentence for m in c.mentions if m["scene"] == sid)
                    if named and not known:
                        c.mentions.append({"scene": sid, "text": sentence})


def describe(asset: Extracted, limit: int = 700) -> str:
    """The pre-filled description: every mention, concatenated and cleaned (no repeats)."""
    seen: list[str] = []
    for m in asset.mentions:
        text = " ".join(m["text"].split()).strip()
        if text and text.lower() not in (s.lower() for s in seen):
            seen.append(text)
    out = " ".join(s if s.endswith((".", "!", "?", ")")) else s + "." for s in seen)
    return out if len(out) <= limit else out[: limit - 1].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------- the store
def asset_paths(project: Project, branch: str | None = None) -> list[str]:
    tree = project.branch(branch).draft
    return sorted(
        p for p in project.list_paths(tree) if p.startswith("assets/") and p.count("/") == 1
    )


def all_assets(project: Project, branch: str | None = None) -> list[dict[str, Any]]:
    out = []
    for path in asset_paths(project, branch):
        doc = project.read(path, branch=branch)
        if isinstance(doc, dict) and doc.get("kind") in KINDS:
            out.append({**artifacts.content_of(doc), "path": path})
    order = {k: i for i, k in enumerate(KINDS)}

    def first_scene(a: dict[str, Any]) -> int:
        numbers = [int(s[1:]) for s in a.get("scenes") or [] if s[1:].isdigit()]
        return min(numbers) if numbers else 1_000_000

    # In the order the script introduces them; the ones it does not mention last, by name.
    return sorted(out, key=lambda a: (order[a["kind"]], first_scene(a), a["name"].lower()))


def _blank(kind: str, name: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "aliases": [],
        "description": "",
        "mentions": [],
        "scenes": [],
        "variants": [],
        "voice": "",
        "tags": [],
        "candidates": [],
        "image_key": None,
        "locked": False,
        "global_id": None,
    }


def sync_extracted(project: Project, found: list[Extracted]) -> tuple[int, int]:
    """Merge extraction into the project's assets: new ones are added, existing ones (from a
    definition sheet or an earlier pass) gain mentions and variants but keep what the user
    wrote. Returns (added, updated). The caller commits."""
    tree = project.branch().draft
    added = updated = 0
    existing = {a["path"]: a for a in all_assets(project)}
    by_name = {slug(n): p for p, a in existing.items() for n in [a["name"], *a.get("aliases", [])]}
    for item in found:
        path = next(
            (by_name[slug(n)] for n in [item.name, *item.aliases] if slug(n) in by_name),
            f"assets/{item.slug}",
        )
        current = existing.get(path)
        content = dict(current) if current else _blank(item.kind, item.name)
        content.pop("path", None)
        names = {*(content.get("aliases") or []), *item.aliases, item.name}
        content["aliases"] = sorted(n for n in names if n.lower() != content["name"].lower())
        content["mentions"] = item.mentions
        content["scenes"] = item.scenes
        content["variants"] = item.variants
        if not str(content.get("description") or "").strip():
            content["description"] = item.description
        keys = [artifacts.scene_key(s) for s in item.scenes]
        previous = project.read(path)
        doc = artifacts.make(
            {k: v for k, v in content.items() if k not in artifacts.RESERVED},
            inputs=artifacts.record_inputs(project, tree, path, keys),
            origin=(previous or {}).get("origin", artifacts.GENERATED)
            if isinstance(previous, dict)
            else artifacts.GENERATED,
        )
        if previous is None or artifacts.content_of(previous) != artifacts.content_of(doc):
            project.write(path, doc)
            if current:
                updated += 1
            else:
                added += 1
    return added, updated


def extract_into(project: Project) -> tuple[int, int]:
    """Stage 5's Extract: the script's characters and locations merged into the project's
    assets and committed. Returns (added, updated)."""
    from aiuteur_desktop.core import master_script

    play = master_script.current(project)
    if play is None:
        raise GateClosed("There is no Master Script to extract from yet.")
    added, updated = sync_extracted(project, extract(play))
    if project.is_dirty():
        project.commit("Extracted master assets from the script", kind="generate", stage=5)
    return added, updated


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


def read(project: Project, path: str) -> dict[str, Any]:
    doc = project.read(path)
    if not isinstance(doc, dict):
        raise GateClosed(f"There is no asset {path}.")
    return artifacts.content_of(doc)


def update(project: Project, path: str, **changes: Any) -> None:
    """A hand edit of a master asset (description, voice, name, tags…), saved to the draft."""
    doc = project.read(path)
    content = artifacts.content_of(doc)
    content.update(changes)
    previous = doc if isinstance(doc, dict) else {}
    new = artifacts.make(
        content,
        inputs=previous.get("inputs") or {},
        origin=artifacts.MANUAL
        if "description" in changes
        else previous.get("origin", artifacts.MANUAL),
    )
    project.write(path, new)


def add(project: Project, kind: str, name: str, description: str = "") -> str:
    if kind not in KINDS:
        raise GateClosed(f"An asset is a character, a location or a prop, not “{kind}”.")
    name = " ".join(name.split())
    if not name:
        raise GateClosed("Give the asset a name.")
    path = f"assets/{slug(name)}"
    if project.read(path) is not None:
        raise GateClosed(f"There is already an asset called “{name}”.")
    content = {**_blank(kind, name), "description": description.strip()}
    project.write(path, artifacts.make(content, origin=artifacts.MANUAL))
    return path


def remove(project: Project, path: str) -> None:
    project.delete(path)


def merge(project: Project, keep: str, other: str) -> None:
    """Fold `other` into `keep`: its name becomes an alias, its mentions and scenes join."""
    a, b = read(project, keep), read(project, other)
    if a["kind"] != b["kind"]:
        raise GateClosed("Only assets of the same kind can be merged.")
    aliases = sorted({*a.get("aliases", []), b["name"], *b.get("aliases", [])} - {a["name"]})
    scenes = list(dict.fromkeys([*a.get("scenes", []), *b.get("scenes", [])]))
    mentions = [*a.get("mentions", []), *b.get("mentions", [])]
    candidates = [*a.get("candidates", []), *b.get("candidates", [])]
    description = a.get("description") or b.get("description", "")
    update(
        project,
        keep,
        aliases=aliases,
        scenes=scenes,
        mentions=mentions,
        candidates=candidates,
        description=description,
    )
    project.delete(other)


def rename(project: Project, path: str, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        raise GateClosed("Give the asset a name.")
    a = read(project, path)
    aliases = sorted({*a.get("aliases", []), a["name"]} - {name})
    update(project, path, name=name, aliases=aliases)


# ------------------------------------------------------------- image keys
def add_candidate(
    project: Project,
    path: str,
    media: str,
    *,
    prompt: str = "",
    guidance: str = "",
    source: str = "generated",
    cost: float = 0.0,
    model: str = "",
) -> None:
    """Keep every image key candidate (the history strip); the newest becomes the current key."""
    a = read(project, path)
    candidates = [
        *a.get("candidates", []),
        {
            "media": media,
            "prompt": prompt,
            "guidance": guidance,
            "source": source,
            "model": model,
            "cost": round(cost, 6),
            "created_at": time.time(),
        },
    ]
    update(project, path, candidates=candidates, image_key=media, locked=False)


def choose_candidate(project: Project, path: str, media: str) -> None:
    a = read(project, path)
    if media not in [c["media"] for c in a.get("candidates", [])]:
        raise GateClosed("That image is not one of this asset's candidates.")
    update(project, path, image_key=media, locked=False)


def lock(project: Project, path: str) -> None:
    """Lock Master Asset: the chosen image key is final (a commit)."""
    a = read(project, path)
    if not a.get("image_key"):
        raise GateClosed(f"Choose an image key for {a['name']} before locking it.")
    update(project, path, locked=True)
    project.commit(f"Locked master asset {a['name']}", kind="approve", stage=5)


def unlock(project: Project, path: str) -> None:
    update(project, path, locked=False)


def image_keys(
    project: Project, branch: str | None = None
) -> tuple[dict[str, Path], dict[str, Path]]:
    """Files of the current image keys, for renders: characters by name and alias
    (capitals, as cues spell them) and locations by the place their headings name.

    Offline key cards are left out: a card is a sheet about the asset (caption, swatches),
    not a picture of it, so renders draw their own figure or set instead."""
    people: dict[str, Path] = {}
    places: dict[str, Path] = {}
    for a in all_assets(project, branch):
        media = a.get("image_key")
        chosen: dict[str, Any] = next(
            (c for c in a.get("candidates") or [] if c.get("media") == media), {}
        )
        if str(chosen.get("model", "")).startswith("offline:"):
            continue
        path = project.media.path(media) if media else None
        if path is None or not path.is_file():
            continue
        if a["kind"] == "character":
            for name in [a["name"], *(a.get("aliases") or [])]:
                people.setdefault(name.upper(), path)
        elif a["kind"] == "location":
            places.setdefault(a["name"].upper(), path)
    return people, places


def unlocked(project: Project) -> list[dict[str, Any]]:
    return [a for a in all_assets(project) if not a.get("locked")]


def approve(project: Project) -> None:
    """The Stage 5 gate: every master asset has a locked image key."""
    assets = all_assets(project)
    if not assets:
        raise GateClosed("There are no master assets yet: extract them from the script first.")
    missing = [a["name"] for a in assets if not a.get("locked")]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise GateClosed(f"Lock an image key for {', '.join(missing[:3])}{more} first.")
    if project.is_dirty():
        project.commit("Master assets", kind="edit", stage=5)
    project.write("stage5/lock", {"locked": True})
    project.commit("Approved master assets", kind="approve", stage=5)


# --------------------------------------------------------------- style lock
def style_lock(project: Project) -> dict[str, Any]:
    doc = project.read(STYLE)
    return artifacts.content_of(doc) if isinstance(doc, dict) else {"library": "", "card": ""}


def set_style_lock(project: Project, library: str, card: str) -> None:
    """The Visual Style Lock: global context for every later image and video call."""
    project.write(
        STYLE, artifacts.make({"library": library, "card": card}, origin=artifacts.MANUAL)
    )
    project.commit(
        f"Visual style locked: {library}" if library else "Visual style: none", kind="edit", stage=5
    )


def image_prompt(asset: dict[str, Any], style_card: str = "", guidance: str = "") -> str:
    kind = {
        "character": "Character reference sheet, full body and face, neutral background",
        "location": "Establishing location key art, no people",
        "prop": "Prop reference, isolated on a neutral background",
    }[asset["kind"]]
    parts = [f"{kind}: {asset['name']}.", str(asset.get("description") or "").strip()]
    if style_card:
        parts.append(f"Visual style: {style_card}")
    if guidance:
        parts.append(f"Change from the last version: {guidance}")
    return "\n".join(p for p in parts if p)


# ---------------------------------------------------------- scene instances
def instance_path(scene: str, asset_slug: str) -> str:
    return f"scenes/{scene}/assets/{asset_slug}"


def save_instance(
    project: Project,
    scene: str,
    path: str,
    *,
    label: str,
    description: str,
    conditions: list[str] | None = None,
    image: str | None = None,
) -> str:
    """A scene-specific state of a master asset ("Scene 3 – Muddy"), inherited by later scenes."""
    asset_slug = path.split("/", 1)[1]
    tree = project.branch().draft
    ipath = instance_path(scene, asset_slug)
    doc = artifacts.make(
        {
            "asset": path,
            "label": label,
            "description": description,
            "conditions": list(conditions or []),
            "image": image,
        },
        inputs=fingerprint(project, tree, [path, artifacts.scene_key(scene)]),
        origin=artifacts.MANUAL,
    )
    return project.write(ipath, doc)


def state_in_scene(project: Project, path: str, scene: str, order: list[str]) -> dict[str, Any]:
    """What the asset looks like in `scene`: the latest instance at or before it (PRD §2.3
    inheritance), else the master asset."""
    asset_slug = path.split("/", 1)[1]
    if scene in order:
        for s in reversed(order[: order.index(scene) + 1]):
            doc = project.read(instance_path(s, asset_slug))
            if isinstance(doc, dict):
                return {**artifacts.content_of(doc), "scene": s}
    master = read(project, path)
    return {
        "asset": path,
        "label": master["name"],
        "description": master.get("description", ""),
        "conditions": [],
        "image": master.get("image_key"),
        "scene": None,
    }
