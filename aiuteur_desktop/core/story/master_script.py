"""The Master Script as stored in a project (`stage4/script`): the screenplay split into scenes
with permanent ids, each carrying its elements and its Fountain text, so Phase B artifacts can
fingerprint one scene (`stage4/script#scenes/s3/text`) and prompts can read one scene's text.

A scene's id is given once and kept: through edits in the Stage 4 editor (each heading
carries it), through an import or a regenerated script (matched by text, then heading), and
it is never handed out again, so scene 3's shot list, frames and takes never move to
whichever scene is third now."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.elements import Element, Scene, Screenplay, has_opening
from aiuteur_desktop.core.store import Project, artifacts, timelines
from aiuteur_desktop.core.store.project import Commit
from aiuteur_desktop.core.store.status import fragment_hash, fragment_of

_DEFAULTS = asdict(Element(""))
#: Element fields the scene carries instead (its id), never stored per element.
_NOT_STORED = {"scene_id"}


def _element(e: Element) -> dict[str, Any]:
    """Only what differs from the defaults, so stored scripts stay small and readable."""
    return {
        k: v
        for k, v in asdict(e).items()
        if k not in _NOT_STORED and (k == "type" or v != _DEFAULTS[k])
    }


scene_key = artifacts.scene_key


@dataclass(frozen=True)
class Matching:
    """How the scenes of a new script were matched to the previous one's."""

    ids: list[str]  # one per scene of the new script
    matched: int  # scenes that kept an id from the previous script
    new: list[str]  # labels of scenes that match none of the previous script's
    gone: list[str]  # ids of the previous script's scenes that no scene took


def _number(sid: str) -> int:
    return int(sid[1:]) if sid[:1] == "s" and sid[1:].isdigit() else 0


def match_scenes(play: Screenplay, previous: Any = None) -> Matching:
    """A permanent id for every scene: the one its heading carries (the editor keeps it), else
    the previous script's scene with the same text, else one with the same heading, else a
    new id. Ids are never reused: the document counts the ids it has handed out."""
    content = artifacts.content_of(previous) if previous is not None else {}
    old = [s for s in content.get("scenes") or [] if isinstance(s, dict) and s.get("id")]
    counter = max([int(content.get("next_scene") or 1), *(_number(str(s["id"])) + 1 for s in old)])
    scenes = play.scenes()
    ids: list[str | None] = []
    used: set[str] = set()
    for s in scenes:
        marked = play.elements[s.start].scene_id if s.start < len(play.elements) else ""
        if marked and marked not in used:
            used.add(marked)
            ids.append(marked)
        else:
            ids.append(None)
    texts = [
        fountain.write_string(Screenplay((), play.elements[s.start : s.end])).rstrip("\n")
        for s in scenes
    ]
    for key in ("text", "heading"):
        free: dict[str, list[str]] = {}
        for o in old:
            if str(o["id"]) not in used:
                free.setdefault(str(o.get(key, "")), []).append(str(o["id"]))
        for i, s in enumerate(scenes):
            if ids[i] is None:
                want = texts[i] if key == "text" else s.heading
                candidates = [c for c in free.get(want, []) if c not in used]
                if candidates:
                    ids[i] = candidates[0]
                    used.add(candidates[0])
    matched = sum(1 for i in ids if i is not None and i in {str(o["id"]) for o in old})
    new: list[str] = []
    out: list[str] = []
    for i, s in enumerate(scenes):
        sid = ids[i]
        if sid is None:
            while f"s{counter}" in used:
                counter += 1
            sid = f"s{counter}"
            used.add(sid)
            counter += 1
            if old:
                new.append(s.label)
        out.append(sid)
    gone = [str(o["id"]) for o in old if str(o["id"]) not in set(out)]
    return Matching(out, matched, new, gone)


def matching_summary(m: Matching) -> str:
    """What an import or a regenerated script did to the scenes, in a sentence or two."""
    parts = [f"{m.matched} scene{'s' * (m.matched != 1)} matched the previous script"]
    if m.new:
        parts.append(f"new, matching none: scene {', '.join(m.new)}")
    if m.gone:
        parts.append(f"{len(m.gone)} previous scene{'s' * (len(m.gone) != 1)} no longer in it")
    return "; ".join(parts) + "."


def to_document(play: Screenplay, previous: Any = None) -> dict[str, Any]:
    """The script as stored, each scene with its permanent id (see `match_scenes`)."""
    scenes = play.scenes()
    matching = match_scenes(play, previous)
    first = scenes[0].start if scenes else len(play.elements)
    out_scenes = []
    for s, sid in zip(scenes, matching.ids, strict=True):
        els = play.elements[s.start : s.end]
        out_scenes.append(
            {
                "id": sid,
                "number": s.label,
                "heading": s.heading,
                "int_ext": s.int_ext,
                "location": s.location,
                "time_of_day": s.time_of_day,
                "characters": list(s.characters),
                "elements": [_element(e) for e in els],
                "text": fountain.write_string(Screenplay((), els)).rstrip("\n"),
            }
        )
    counter = max([1, *(_number(i) + 1 for i in matching.ids)])
    content = artifacts.content_of(previous) if previous is not None else {}
    return {
        "title_page": [list(kv) for kv in play.title_page],
        "preamble": [_element(e) for e in play.elements[:first]],
        "scenes": out_scenes,
        "next_scene": max(counter, int(content.get("next_scene") or 1)),
    }


def from_document(doc: Any) -> Screenplay:
    """The screenplay back, each scene's first element carrying the scene's id."""
    content = artifacts.content_of(doc)
    title = tuple((str(k), str(v)) for k, v in content.get("title_page") or [])
    els = [Element(**_stored(e)) for e in content.get("preamble") or []]
    if els and has_opening(els):
        # A script stored before openings were scenes: its opening gets the next free id
        # (the same at every read), and scene s1 stays the first headed scene.
        ids = [_number(str(s.get("id", ""))) for s in content.get("scenes") or []]
        fresh = max([int(content.get("next_scene") or 1), *(i + 1 for i in ids)])
        els[0] = replace(els[0], scene_id=f"s{fresh}")
    for scene in content.get("scenes") or []:
        if scene.get("elements"):
            part = [Element(**_stored(e)) for e in scene["elements"]]
        else:  # a script written as plain scene texts (generated or hand-typed)
            part = list(fountain.read_string(str(scene.get("text", ""))).elements)
        if part and scene.get("id"):
            part[0] = replace(part[0], scene_id=str(scene["id"]))
        els.extend(part)
    return Screenplay(title, tuple(els))


def _stored(e: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in e.items() if k in _DEFAULTS and k not in _NOT_STORED}


def carry_legacy_inputs(project: Project, old: Any, new: Any) -> int:
    """After the first edit of a script stored before scene ids were permanent: work that
    recorded a whole scene (`#scenes/s3`, number and all) and was up to date is re-recorded
    against that scene's text, when the text did not change — so the upgrade outdates
    nothing. Returns how many artifacts were re-recorded."""
    prefix = f"{artifacts.SCRIPT}#scenes/"
    count = 0
    for path in project.list_paths(project.branch().draft):
        if not artifacts.is_phase_b(path):
            continue
        doc = project.read(path)
        inputs = dict(doc.get("inputs") or {}) if isinstance(doc, dict) else {}
        changed = False
        for key in [k for k in inputs if k.startswith(prefix) and "/" not in k[len(prefix) :]]:
            sid = key[len(prefix) :]
            before = fragment_of(old, f"scenes/{sid}/text")
            was = fragment_hash(old, f"scenes/{sid}")
            if (
                was is None
                or inputs[key] != was
                or before != fragment_of(new, f"scenes/{sid}/text")
            ):
                continue
            text_hash = fragment_hash(new, f"scenes/{sid}/text")
            if text_hash is not None:
                del inputs[key]
                inputs[scene_key(sid)] = text_hash
                changed = True
        if changed:
            assert isinstance(doc, dict)
            project.write(path, {**doc, "inputs": inputs})
            count += 1
    return count


def current(project: Project, branch: str | None = None) -> Screenplay | None:
    """The Master Script on a branch (the current one by default), or None before there is one."""
    # Parsed once per content of the script document, however many readers ask.
    return project.derived(artifacts.SCRIPT, "master_script", from_document, branch=branch)


def scene(play: Screenplay, scene_id: str) -> Scene:
    """The scene with this permanent id, or GateClosed."""
    found = next((s for s in play.scenes() if s.id == scene_id), None)
    if found is None:
        raise GateClosed(f"There is no scene {scene_id} in the Master Script.")
    return found


def previous_scene(play: Screenplay, scene_id: str) -> Scene | None:
    """The scene before the one with this id in script order, or None for the first."""
    scenes = play.scenes()
    ids = [s.id for s in scenes]
    if scene_id not in ids:
        raise GateClosed(f"There is no scene {scene_id} in the Master Script.")
    i = ids.index(scene_id)
    return scenes[i - 1] if i > 0 else None


def labels(project: Project) -> dict[str, str]:
    """Every scene's id → the number a reader sees ("3", "12A")."""
    play = current(project)
    return {s.id: s.label for s in play.scenes()} if play is not None else {}


def label_of(project: Project, scene_id: str) -> str:
    """The number a reader sees for a scene ("3", "12A"), or the id when it is gone."""
    return labels(project).get(scene_id, scene_id)


def import_screenplay(project: Project, play: Screenplay, source: str) -> tuple[Commit, Matching]:
    """Mode D: a finished screenplay becomes the Master Script (a commit). Like any new script,
    it is a new derivation, so everything made from an earlier script is Outdated; its scenes
    take the ids of the previous script's scenes they match."""
    previous = project.read(artifacts.SCRIPT)
    matching = match_scenes(play, previous)
    doc = to_document(play, previous)
    timelines.save_generated_script(project, doc, origin=artifacts.IMPORTED)
    return project.commit(f"Imported screenplay {source}", kind="import", stage=4), matching
