"""Stage 8 · Visuals: the starting visual state of everything a scene's shots need
(PRD §2.3, §4.3, §9.3).

The scene's elements are found deterministically from its shot list and the master assets:
who is in each shot, the place its heading names (and the variant: INT/EXT, time of
day), and the master props its shots' action mentions — plus what the filmmaker dragged in
from the Asset Drawer or made for this scene alone. Each element's starting look is
inherited: the latest **Scene Instance** before this scene (its description, and those of
its condition tags that "carry into later scenes"), else the master asset. Saving an edit
writes this scene's instance at `scenes/<scene id>/assets/<slug>`, never the master asset;
it records what it was derived from (master asset, the prior instance, the scene's text), so
an edit in scene 2 marks scene 3's instances and prompt sets Continuity Broken — derived,
never stored. Generation of an instance's image key is the `asset.key` operation on the
instance's path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from aiuteur_desktop.core.assets import masters as assets
from aiuteur_desktop.core.assets.extraction import slug, variant_text
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver
from aiuteur_desktop.core.story import master_script

#: Where an element's starting look comes from.
MASTER, PRIOR, NEW = "Master Asset", "Prior Scene Instance", "New Scene Asset"
#: Review status of an element in this scene.
UNREVIEWED, EDITED, LOCKED = "Unreviewed", "Edited", "Locked"
#: Condition tags offered first (any text is a tag).
SUGGESTED_TAGS = ("Wet", "Bloody", "Torn Wardrobe", "Muddy", "Bruised", "Singed")
MAX_TAG = 40
MAX_DESCRIPTION = 4000


def instance_path(scene_id: str, asset_slug: str) -> str:
    return f"scenes/{scene_id}/assets/{asset_slug}"


@dataclass(frozen=True)
class Condition:
    """A condition tag (Wet, Bloody …); `carries` takes it into the scenes after this one."""

    tag: str
    carries: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "carries": self.carries}


def _conditions(raw: Any) -> tuple[Condition, ...]:
    out: list[Condition] = []
    for c in raw or []:
        if isinstance(c, dict) and str(c.get("tag") or "").strip():
            out.append(Condition(str(c["tag"]).strip(), bool(c.get("carries"))))
        elif isinstance(c, str) and c.strip():  # instances saved before tags could carry
            out.append(Condition(c.strip(), True))
    return tuple(out)


@dataclass(frozen=True)
class Element:
    """One character, location or prop of the scene, with its starting look."""

    slug: str
    kind: str
    name: str
    source: str  # MASTER, PRIOR or NEW
    source_label: str  # "Master Asset", "Scene 2 – Wet", "New Scene Asset"
    review: str  # UNREVIEWED, EDITED or LOCKED
    description: str
    conditions: tuple[Condition, ...]
    shots: tuple[str, ...]  # the ids of the shots it is in, in order ("A", "C")
    first_shot: str  # the label of the first ("3A"), "" when only dragged in
    variant: str  # a location's INT/EXT and time of day; a character's age variant
    image: str | None  # media id of its key in this scene (own, inherited or master)
    master: str | None  # "assets/<slug>", None for a scene-only asset
    inherited_from: str | None  # the scene id of the instance it inherits, if any
    status: Status  # of this scene's instance (MISSING when it has none)
    path: str  # this scene's instance path
    added: bool = False  # dragged in or made here, not found from the shots
    candidates: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        tags = ", ".join(c.tag for c in self.conditions)
        return f"{self.name} ({tags})" if tags else self.name

    def visual(self) -> str:
        """The look as prompts carry it: the description and its conditions."""
        tags = ", ".join(c.tag for c in self.conditions)
        text = " ".join(self.description.split())
        return f"{text} Condition: {tags}." if tags else text


@dataclass(frozen=True)
class _Found:
    slug: str
    kind: str
    name: str
    master: str | None
    shots: list[str]
    variant: str = ""


# ------------------------------------------------------------------ finding
def _index(masters: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, slug of a name, alias or age variant) → (asset path, variant)."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for a in masters:
        for n in [a["name"], *(a.get("aliases") or [])]:
            out.setdefault((a["kind"], slug(n)), (a["path"], ""))
        for v in a.get("variants") or []:
            if v.get("age") and v.get("name"):
                out.setdefault((a["kind"], slug(v["name"])), (a["path"], variant_text(v)))
    return out


def _prop_patterns(masters: list[dict[str, Any]]) -> list[tuple[dict[str, Any], re.Pattern[str]]]:
    out = []
    for a in masters:
        if a["kind"] != "prop":
            continue
        names = sorted({a["name"], *(a.get("aliases") or [])}, key=len, reverse=True)
        words = "|".join(re.escape(" ".join(n.split())) for n in names if n.strip())
        if words:
            out.append((a, re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)))
    return out


def found(project: Project, scene_id: str, rows: list[Shot] | None = None) -> list[_Found]:
    """What the scene's shots need, in order of first appearance per kind (characters, then
    the location, then props). Linear in the shots' text times the number of props."""
    rows = shot_list.current(project, scene_id) if rows is None else rows
    masters = list(assets.kept_assets(project))  # (read only)
    index = _index(masters)
    by_slug: dict[str, _Found] = {}
    order: list[str] = []

    def note(kind: str, name: str, shot: str, variant: str = "") -> None:
        path, age = index.get((kind, slug(name)), (None, ""))
        key = path.split("/", 1)[1] if path else slug(name)
        if key not in by_slug:
            master = next((m for m in masters if m["path"] == path), None)
            by_slug[key] = _Found(
                key, kind, master["name"] if master else name, path, [], variant or age
            )
            order.append(key)
        if shot not in by_slug[key].shots:
            by_slug[key].shots.append(shot)

    for shot in rows:
        for name in shot.characters:
            note("character", name, shot.id)
    for shot in rows:
        place = shot.place or shot.location
        if place:
            words = " · ".join(p for p in (shot.int_ext, shot.time_of_day) if p)
            note("location", place, shot.id, words)
    for master, pattern in _prop_patterns(masters):
        for shot in rows:
            if shot.action and pattern.search(shot.action):
                note("prop", master["name"], shot.id)
    kinds = {k: i for i, k in enumerate(assets.KINDS)}
    return sorted((by_slug[k] for k in order), key=lambda f: kinds[f.kind])


# ------------------------------------------------------------- inheritance
def _scene_order(project: Project) -> list[str]:
    play = master_script.current(project)
    return [s.id for s in play.scenes()] if play is not None else []


def _instances(project: Project) -> dict[str, list[str]]:
    """slug → the scene ids holding an instance of it (one listing of the tree)."""
    out: dict[str, list[str]] = {}
    folder = project.folder_of(project.branch().draft, "scenes")
    for p in project.list_paths(folder, "scenes") if folder else {}:
        parts = p.split("/")
        if len(parts) == 4 and parts[2] == "assets":
            out.setdefault(parts[3], []).append(parts[1])
    return out


def lineage(order: list[str], scene_id: str, came_from: str | None, asset_slug: str) -> list[str]:
    """The instance paths that do not exist between the scene a look is inherited from (or
    the first scene) and `scene_id`: recorded as absent, so an instance made in one of them
    later — which changes what this scene inherits — outdates what was made here."""
    if scene_id not in order:
        return []
    end = order.index(scene_id)
    start = order.index(came_from) + 1 if came_from in order else 0
    return [instance_path(s, asset_slug) for s in order[start:end]]


def _own(project: Project, scene_id: str, asset_slug: str) -> dict[str, Any] | None:
    doc = project.read(instance_path(scene_id, asset_slug))
    return artifacts.content_of(doc) if isinstance(doc, dict) else None


def prior(
    project: Project,
    scene_id: str,
    asset_slug: str,
    order: list[str] | None = None,
    held: dict[str, list[str]] | None = None,
) -> tuple[str, dict[str, Any]] | None:
    """The latest instance of the asset in a scene before `scene_id`: (scene id, content)."""
    order = _scene_order(project) if order is None else order
    held = _instances(project) if held is None else held
    scenes = set(held.get(asset_slug, []))
    if scene_id not in order or not scenes:
        return None
    for s in reversed(order[: order.index(scene_id)]):
        if s in scenes:
            content = _own(project, s, asset_slug)
            if content is not None:
                return s, content
    return None


def _inherited(
    project: Project,
    scene_id: str,
    asset_slug: str,
    master: dict[str, Any] | None,
    order: list[str],
    held: dict[str, list[str]],
) -> tuple[str | None, dict[str, Any]]:
    """(scene it comes from, {description, conditions, image}) for a scene without its own
    instance: the prior instance's carrying conditions, else the master; a later look too."""
    before = prior(project, scene_id, asset_slug, order, held)
    said = assets.later_look(master, scene_id, before[0] if before else None, order)
    look = [Condition(said, carries=True).to_dict()] if said else []
    if before is not None:
        s, content = before
        carried = [c.to_dict() for c in _conditions(content.get("conditions")) if c.carries]
        return s, {
            "description": content.get("description", ""),
            "conditions": [*carried, *look],
            "image": content.get("image_key") or content.get("image"),
            "label": content.get("label", ""),
        }
    return None, {
        "description": (master or {}).get("description", ""),
        "conditions": look,
        "image": (master or {}).get("image_key"),
        "label": "",
    }


def _source_label(project: Project, scene_id: str, content: dict[str, Any]) -> str:
    tags = ", ".join(c.tag for c in _conditions(content.get("conditions")))
    label = f"Scene {master_script.label_of(project, scene_id)}"
    return f"{label} – {tags}" if tags else label


def elements(project: Project, scene_id: str, rows: list[Shot] | None = None) -> list[Element]:
    """The Scene Visual Elements panel: every element the scene needs, with its source,
    review status, starting look and first appearance; for the scene's own shot list, once
    per content of the draft."""
    if rows is not None:
        return _elements(project, scene_id, rows)
    return list(
        project.at_draft(f"elements {scene_id}", lambda: tuple(_elements(project, scene_id)))
    )


def _elements(project: Project, scene_id: str, rows: list[Shot] | None = None) -> list[Element]:
    rows = shot_list.current(project, scene_id) if rows is None else rows
    labels = {s.id: s.label for s in rows}
    order = _scene_order(project)
    held = _instances(project)
    masters = {a["path"]: a for a in assets.kept_assets(project)}  # (read only)
    deriver = StatusDeriver(project, project.branch().draft)
    wanted: list[tuple[str, _Found | None]] = [(f.slug, f) for f in found(project, scene_id, rows)]
    seen = {k for k, _ in wanted}
    # Dragged in or made for this scene alone: its own instances not found from the shots.
    wanted += [
        (k, None) for k, scenes in sorted(held.items()) if scene_id in scenes and k not in seen
    ]
    out: list[Element] = []
    for asset_slug, f in wanted:
        own = _own(project, scene_id, asset_slug)
        if f is None and (own is None or not own.get("added")):
            continue  # an instance whose element the shots no longer need: kept, not shown
        master_path = f.master if f is not None else (own or {}).get("asset")
        master = masters.get(master_path or "")
        came_from, inherited = _inherited(project, scene_id, asset_slug, master, order, held)
        state = own if own is not None else inherited
        if own is not None and own.get("from") is not None:
            came_from = own.get("from")
        if own is not None and own.get("asset") is None and own.get("added"):
            source, source_label = NEW, NEW
        elif came_from is not None:
            back = _own(project, came_from, asset_slug) or {}
            source, source_label = PRIOR, _source_label(project, came_from, back)
        elif master is not None:
            source, source_label = MASTER, MASTER
        else:
            source, source_label = NEW, NEW
        review = UNREVIEWED if own is None else LOCKED if own.get("locked") else EDITED
        shots_in = tuple(f.shots) if f is not None else ()
        kind = f.kind if f is not None else str(own.get("kind") if own else "prop")
        name = f.name if f is not None else str(own.get("name") if own else asset_slug)
        path = instance_path(scene_id, asset_slug)
        out.append(
            Element(
                slug=asset_slug,
                kind=kind,
                name=name,
                source=source,
                source_label=source_label,
                review=review,
                description=str(state.get("description") or ""),
                conditions=_conditions(state.get("conditions")),
                shots=shots_in,
                first_shot=labels.get(shots_in[0], "") if shots_in else "",
                variant=f.variant if f is not None else "",
                image=(own or {}).get("image_key") or inherited.get("image"),
                master=master_path if master is not None else None,
                inherited_from=came_from,
                status=deriver.status(path),
                path=path,
                added=bool(own and own.get("added")) or f is None,
                candidates=tuple((own or {}).get("candidates") or ()),
            )
        )
    return out


def element(project: Project, scene_id: str, asset_slug: str) -> Element:
    for e in elements(project, scene_id):
        if e.slug == asset_slug:
            return e
    raise GateClosed(f"“{asset_slug}” is not one of this scene's visual elements.")


# ------------------------------------------------------------------ saving
def _clean_conditions(conditions: list[Condition] | tuple[Condition, ...]) -> list[Condition]:
    out: list[Condition] = []
    for c in conditions:
        tag = " ".join(c.tag.split())[:MAX_TAG]
        if tag and tag.lower() not in (o.tag.lower() for o in out):
            out.append(Condition(tag, c.carries))
    return out


def save(
    project: Project,
    scene_id: str,
    asset_slug: str,
    *,
    description: str | None = None,
    conditions: list[Condition] | tuple[Condition, ...] | None = None,
    locked: bool | None = None,
) -> Element:
    """This scene's instance of the element, written to the draft (the master asset is never
    touched). Inputs: the master asset, the instance it inherits from, the scene's text."""
    e = element(project, scene_id, asset_slug)
    own = _own(project, scene_id, asset_slug)
    text = e.description if description is None else description.strip()
    if len(text) > MAX_DESCRIPTION:
        raise GateClosed(f"A starting look is at most {MAX_DESCRIPTION:,} characters.")
    tags = _clean_conditions(e.conditions if conditions is None else conditions)
    content = {
        "asset": e.master,
        "kind": e.kind,
        "name": e.name,
        "description": text,
        "conditions": [c.to_dict() for c in tags],
        "label": _label(project, scene_id, tags),
        "image_key": (own or {}).get("image_key") or e.image,
        "candidates": list((own or {}).get("candidates") or []),
        "locked": e.review == LOCKED if locked is None else locked,
        "added": e.added,
        "from": e.inherited_from,
    }
    keys = [artifacts.scene_key(scene_id)]
    if e.master:
        keys.append(e.master)
    if e.inherited_from:
        keys.append(instance_path(e.inherited_from, asset_slug))
    tree = project.branch().draft
    previous = project.read(e.path)
    absent = lineage(_scene_order(project), scene_id, e.inherited_from, asset_slug)
    inputs = artifacts.record_inputs(project, tree, e.path, keys, absent=absent)
    doc = artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL)
    if (
        not isinstance(previous, dict)
        or artifacts.content_of(previous) != content
        or (previous.get("inputs") != inputs)
    ):
        project.write(e.path, doc)
    return element(project, scene_id, asset_slug)


def _label(project: Project, scene_id: str, tags: list[Condition]) -> str:
    label = f"Scene {master_script.label_of(project, scene_id)}"
    words = ", ".join(c.tag for c in tags)
    return f"{label} – {words}" if words else label


def lock(project: Project, scene_id: str, asset_slug: str) -> Element:
    """Lock the element's starting look for this scene (accepting an inherited one as it is);
    a commit."""
    return set_locked(project, scene_id, [asset_slug], True)[0]


def unlock(project: Project, scene_id: str, asset_slug: str) -> Element:
    return set_locked(project, scene_id, [asset_slug], False)[0]


def set_locked(project: Project, scene_id: str, slugs: list[str], locked: bool) -> list[Element]:
    """Lock (or unlock) these elements' starting looks for this scene, in one commit."""
    done = [save(project, scene_id, slug, locked=locked) for slug in slugs]
    if done:
        what = done[0].name if len(done) == 1 else f"{len(done)} starting looks"
        label = master_script.label_of(project, scene_id)
        verb, kind = ("Locked", "approve") if locked else ("Unlocked", "edit")
        project.commit(f"{verb} {what} for scene {label}", kind=kind, stage=8)
    return done


def commit_edits(project: Project, scene_id: str, message: str = "") -> None:
    """Hand edits of the scene's looks become one version."""
    if project.is_dirty():
        label = master_script.label_of(project, scene_id)
        project.commit(message or f"Edited starting looks of scene {label}", stage=8)


def add_from_master(project: Project, scene_id: str, master_path: str) -> Element:
    """Drag a master asset in from the Asset Drawer: it joins the scene even when its shots do
    not name it (a prop on the table, an extra in the back)."""
    master = assets.read(project, master_path)
    asset_slug = master_path.split("/", 1)[1]
    if project.read(instance_path(scene_id, asset_slug)) is None:
        order = _scene_order(project)
        came_from, inherited = _inherited(
            project, scene_id, asset_slug, master, order, _instances(project)
        )
        content = {
            "asset": master_path,
            "kind": master["kind"],
            "name": master["name"],
            "description": inherited["description"],
            "conditions": inherited["conditions"],
            "label": _label(project, scene_id, list(_conditions(inherited["conditions"]))),
            "image_key": inherited.get("image"),
            "candidates": [],
            "locked": False,
            "added": True,
            "from": came_from,
        }
        keys = [artifacts.scene_key(scene_id), master_path]
        if came_from:
            keys.append(instance_path(came_from, asset_slug))
        path = instance_path(scene_id, asset_slug)
        absent = lineage(order, scene_id, came_from, asset_slug)
        inputs = artifacts.record_inputs(project, project.branch().draft, path, keys, absent=absent)
        project.write(path, artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL))
    return element(project, scene_id, asset_slug)


def create_scene_asset(
    project: Project, scene_id: str, kind: str, name: str, description: str = ""
) -> Element:
    """A New Scene Asset: exists in this scene only (until promoted to a master asset)."""
    if kind not in assets.KINDS:
        raise GateClosed(f"An asset is a character, a location or a prop, not “{kind}”.")
    name = " ".join(name.split())
    if not name:
        raise GateClosed("Give the asset a name.")
    asset_slug = slug(name)
    path = instance_path(scene_id, asset_slug)
    if project.read(f"assets/{asset_slug}") is not None or project.read(path) is not None:
        raise GateClosed(f"There is already an asset called “{name}”.")
    content: dict[str, Any] = {
        "asset": None,
        "kind": kind,
        "name": name,
        "description": description.strip()[:MAX_DESCRIPTION],
        "conditions": [],
        "label": _label(project, scene_id, []),
        "image_key": None,
        "candidates": [],
        "locked": False,
        "added": True,
        "from": None,
    }
    inputs = artifacts.record_inputs(
        project, project.branch().draft, path, [artifacts.scene_key(scene_id)]
    )
    project.write(path, artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL))
    return element(project, scene_id, asset_slug)


def promote(project: Project, scene_id: str, asset_slug: str) -> str:
    """Make a scene-only asset a master asset (its look becomes the master description);
    a commit. Returns the master path."""
    own = _own(project, scene_id, asset_slug)
    if own is None or own.get("asset") is not None:
        raise GateClosed("Only an asset made for this scene can be promoted to a master asset.")
    master_path = assets.add(project, own["kind"], own["name"], own.get("description", ""))
    if own.get("image_key"):
        assets.update(
            project,
            master_path,
            image_key=own["image_key"],
            candidates=list(own.get("candidates") or []),
        )
    path = instance_path(scene_id, asset_slug)
    keys = [artifacts.scene_key(scene_id), master_path]
    inputs = artifacts.record_inputs(project, project.branch().draft, path, keys)
    content = {**own, "asset": master_path}
    project.write(path, artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL))
    project.commit(f"Promoted {own['name']} to a master asset", kind="edit", stage=8)
    return master_path


def reset_to_inherited(project: Project, scene_id: str, asset_slug: str) -> Element:
    """Drop this scene's own look: the element shows what it inherits now (Unreviewed); a
    commit. (An element the user added stays, re-inheriting its look.)"""
    own = _own(project, scene_id, asset_slug)
    if own is None:
        return element(project, scene_id, asset_slug)
    label = master_script.label_of(project, scene_id)
    project.delete(instance_path(scene_id, asset_slug))
    if own.get("added") and own.get("asset"):
        add_from_master(project, scene_id, own["asset"])
    project.commit(
        f"{own.get('name', asset_slug)} in scene {label}: back to what it inherits", stage=8
    )
    return element(project, scene_id, asset_slug)


def remove_added(project: Project, scene_id: str, asset_slug: str) -> None:
    """Take an element the user added out of the scene (found ones stay: the shots need them)."""
    own = _own(project, scene_id, asset_slug)
    if own is None or not own.get("added"):
        raise GateClosed("The shots need this element; it cannot be taken out of the scene.")
    project.delete(instance_path(scene_id, asset_slug))


def ensure_instance(project: Project, scene_id: str, asset_slug: str) -> str:
    """This scene's instance path, written from the inherited look if it has none yet (an
    image key is made for an instance, never for the master from here)."""
    e = element(project, scene_id, asset_slug)
    if e.review == UNREVIEWED:
        save(project, scene_id, asset_slug)
    return e.path


def key_subject(project: Project, scene_id: str, asset_slug: str) -> dict[str, Any]:
    """What an image key of this scene's instance is made from: kind, name and the look with
    its conditions (for `assets.image_prompt`)."""
    e = element(project, scene_id, asset_slug)
    return {"kind": e.kind, "name": e.name, "description": e.visual()}


# --------------------------------------------------------------------- gate
def gate(project: Project, scene_id: str, items: list[Element] | None = None) -> str | None:
    """Why the scene's visuals are not ready for its prompts (None when they are): every
    element Locked — an inherited look accepted by locking it — and none changed upstream
    since it was locked."""
    items = elements(project, scene_id) if items is None else items
    if not items:
        return None
    waiting = [e.name for e in items if e.review != LOCKED]
    if waiting:
        names = ", ".join(waiting[:4]) + (
            f" and {len(waiting) - 4} more" if len(waiting) > 4 else ""
        )
        return f"Lock the starting look of {names} (or accept what it inherits by locking it)."
    stale = [e.name for e in items if e.status not in (Status.UP_TO_DATE, Status.MISSING)]
    if stale:
        return (
            f"What {', '.join(stale[:4])} inherits changed since you locked it: review and "
            "lock it again."
        )
    return None


def as_json(e: Element) -> dict[str, Any]:
    """An element as `aiuteur visuals --json` prints it (all but its path and candidates)."""
    out = {f.name: getattr(e, f.name) for f in fields(e) if f.name not in ("path", "candidates")}
    out.update(status=e.status.value, shots=list(e.shots))
    return {**out, "conditions": [c.to_dict() for c in e.conditions]}
