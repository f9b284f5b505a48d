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

import copy
import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.assets.extraction import (
    Extracted,
    extract,
    location_of,
    props_from,
    slug,
    variant_text,
)
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import fingerprint

__all__ = ["Extracted", "extract", "location_of", "props_from", "slug", "variant_text"]

KINDS = ("character", "location", "prop")
KIND_LABELS = {"character": "Characters", "location": "Locations", "prop": "Props"}
STYLE = "stage5/style"


# --------------------------------------------------------------- the store
def asset_paths(project: Project, branch: str | None = None) -> list[str]:
    tree = project.branch(branch).draft
    return sorted(
        p for p in project.list_paths(tree) if p.startswith("assets/") and p.count("/") == 1
    )


def all_assets(project: Project, branch: str | None = None) -> list[dict[str, Any]]:
    """Every master asset (its content and path), in the order the script introduces them:
    worked out once per content of the draft (`Project.at_draft`) — a worker that changed
    them works this out too, so the page reading it after reads nothing. Copies: the
    caller's to change."""
    return copy.deepcopy(list(kept_assets(project, branch)))


def kept_assets(project: Project, branch: str | None = None) -> tuple[dict[str, Any], ...]:
    """`all_assets` without the copies, for reading only (a page's list of 170 assets, shown
    after every selection change)."""
    return project.at_draft(
        "master assets", lambda: tuple(_all_assets(project, branch)), branch=branch
    )


def _all_assets(project: Project, branch: str | None = None) -> list[dict[str, Any]]:
    out = []
    for path, doc in project.read_many(asset_paths(project, branch), branch=branch).items():
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
        content["looks"] = item.looks
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
    from aiuteur_desktop.core.story import master_script

    play = master_script.current(project)
    if play is None:
        raise GateClosed("There is no Master Script to extract from yet.")
    added, updated = sync_extracted(project, extract(play))
    if project.is_dirty():
        project.commit("Extracted master assets from the script", kind="generate", stage=5)
    return added, updated


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
    lock_many(project, [path])


def unlock(project: Project, path: str) -> None:
    """Unlock a master asset to work on its key again (a commit)."""
    unlock_many(project, [path])


def lock_many(project: Project, paths: list[str]) -> tuple[int, list[str]]:
    """Lock every one of these master assets that has an image key, in one commit: a
    feature's 170 assets are one gesture, not 170. Returns (how many were locked, the names
    of those left unlocked because they have no key yet); GateClosed when none could be."""
    docs = project.read_many(paths)
    locked, keyless = [], []
    for path in paths:
        a = artifacts.content_of(docs[path]) if isinstance(docs[path], dict) else {}
        if a.get("locked"):
            continue
        if not a.get("image_key"):
            keyless.append(str(a.get("name") or path))
            continue
        update(project, path, locked=True)
        locked.append(str(a["name"]))
    if not locked:
        if keyless:
            raise GateClosed(f"Choose an image key for {listed(keyless)} before locking.")
        return 0, []
    what = f"master asset {locked[0]}" if len(locked) == 1 else f"{len(locked)} master assets"
    project.commit(f"Locked {what}", kind="approve", stage=5)
    return len(locked), keyless


def unlock_many(project: Project, paths: list[str]) -> int:
    """Unlock these master assets to work on their keys again, in one commit."""
    docs = project.read_many(paths)
    names = []
    for path in paths:
        a = artifacts.content_of(docs[path]) if isinstance(docs[path], dict) else {}
        if a.get("locked"):
            update(project, path, locked=False)
            names.append(str(a["name"]))
    if names:
        what = f"master asset {names[0]}" if len(names) == 1 else f"{len(names)} master assets"
        project.commit(f"Unlocked {what}", kind="edit", stage=5)
    return len(names)


def listed(names: list[str]) -> str:
    """ "A, B, C and 4 more"."""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def use_own_image(project: Project, path: str, png: bytes, filename: str) -> str:
    """An actor headshot, location photo or concept art as the key (a commit); the media id."""
    media = project.media.put(png, "image/png")
    add_candidate(project, path, media, source="uploaded", guidance=f"Your image: {filename}")
    project.commit(f"Image key from {filename}", kind="edit", stage=5)
    return media


def save_edits(project: Project, message: str) -> None:
    """Hand edits of the assets (add, merge, rename, remove…) become one version."""
    if project.is_dirty():
        project.commit(message, kind="edit", stage=5)


def apply_props(project: Project, props: list[tuple[str, str]]) -> tuple[int, int]:
    """The key props the text model found in the script, merged and committed; returns
    (added, updated)."""
    from aiuteur_desktop.core.story import master_script

    play = master_script.current(project)
    if play is None:
        return 0, 0
    added, updated = sync_extracted(project, props_from(props, play))
    if project.is_dirty():
        project.commit("Key props from the script", kind="generate", stage=5)
    return added, updated


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
        raise GateClosed(f"Lock an image key for {listed(missing)} first.")
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


def later_look(
    master: dict[str, Any] | None, scene_id: str, since: str | None, order: list[str]
) -> str:
    """A character's look introduced again (WILL, now 17 with braces) at or before `scene_id`
    and after the scene its look comes from (`since`; None: the master) — the latest — or ""."""
    index = {s: i for i, s in enumerate(order)}
    here = index.get(scene_id)
    if master is None or here is None:
        return ""
    after = index.get(since, -1) if since is not None else -1
    found = [
        (index[look["scene"]], str(look.get("look") or "").strip())
        for look in master.get("looks") or []
        if isinstance(look, dict) and look.get("scene") in index
    ]
    found = [(i, text) for i, text in found if after < i <= here and text]
    return max(found)[1] if found else ""
