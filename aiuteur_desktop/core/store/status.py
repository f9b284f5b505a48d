"""Derived artifact status: never stored, always computed from recorded input fingerprints.

An artifact document records `inputs: {key: fingerprint}` for what it was
derived from. A key is a path (`stage3/beats`, fingerprint = the object id) or a
path plus a fragment (`stage4/script#scenes/s3`, fingerprint = the hash of that
part only), so a scene's shot list depends on its own scene of the script, not
on every word of it.

- Phase B artifacts (`assets/…`, `scenes/…`) are **Outdated** when an input
  now differs or is itself outdated, and **Continuity Broken** when the change
  comes from *another* scene (scene N's end state feeding scene N+1).
- Phase A story documents (stages 1–4) never turn Outdated: the PRD keeps the
  locked story stable and instead raises the passive flag "Not up-to-date with
  current <downstream>" on the *upstream* document (§7.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, cast

from aiuteur_desktop.core.store import canonical

_SCENE = re.compile(r"^scenes/([^/]+)/")
_PHASE_A_STORY = re.compile(r"^stage[1-4]/")
_ABSENT = object()
#: What a scene folder's listing is counted as in the store's derived cache (bytes).
PATHS_WEIGHT = 4096
#: The fingerprint recorded for an input that was expected to be absent (a scene instance
#: not made yet): the artifact turns Outdated the moment that path appears. (Object ids are
#: hex digests, so this value never collides with one.)
ABSENT = "absent"

#: What the UI calls each Phase A story document in a flag.
DOCUMENT_LABELS = {
    "stage1/config": "Project Setup",
    "stage2/treatment": "Treatment",
    "stage3/beats": "Beat Sheet",
    "stage4/script": "Script",
}


class Status(StrEnum):
    UP_TO_DATE = "Up-to-date"
    OUTDATED = "Outdated"
    CONTINUITY_BROKEN = "Continuity Broken"
    MISSING = "Missing"


class FlagReason(StrEnum):
    UPSTREAM_EDITED = "upstream edited since the downstream was derived"
    DOWNSTREAM_EDITED = "downstream edited by hand after it was derived"


@dataclass(frozen=True)
class Flag:
    """A passive "Not up-to-date with current <downstream>" flag on a Phase A document."""

    path: str
    downstream: str
    reason: FlagReason

    @property
    def text(self) -> str:
        return f"Not up-to-date with current {label(self.downstream)}"


class _Store(Protocol):
    def list_paths(self, tree_id: str, prefix: str = "") -> dict[str, str]: ...
    def get_object(self, oid: str) -> Any: ...


def label(path: str) -> str:
    return DOCUMENT_LABELS.get(path, path)


def scene_of(path: str) -> str | None:
    m = _SCENE.match(path)
    return m.group(1) if m else None


def is_story_document(path: str) -> bool:
    """Phase A story documents (stages 1–4): flagged, never outdated."""
    return bool(_PHASE_A_STORY.match(path))


def split_key(key: str) -> tuple[str, str | None]:
    path, _, fragment = key.partition("#")
    return path, (fragment or None)


def fragment_of(doc: Any, fragment: str, ids: dict[int, dict[str, Any]] | None = None) -> Any:
    """The part of `doc` a fragment names: dict keys, list indexes or list items' `id`.
    `ids` keeps each list's items by id between calls on the same document (a feature's
    600 scenes would each scan the script's list of scenes)."""
    node = doc
    for part in fragment.split("/"):
        if isinstance(node, dict):
            node = node.get(part, _ABSENT)
        elif isinstance(node, list):
            by_id = ids.get(id(node)) if ids is not None else None
            if by_id is None:
                by_id = {}
                for x in node:
                    if isinstance(x, dict):
                        by_id.setdefault(str(x.get("id")), x)
                if ids is not None:
                    ids[id(node)] = by_id
            if part in by_id:
                node = by_id[part]
            elif part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = _ABSENT
        else:
            node = _ABSENT
        if node is _ABSENT:
            return _ABSENT
    return node


def fragment_hash(
    doc: Any, fragment: str, ids: dict[int, dict[str, Any]] | None = None
) -> str | None:
    value = fragment_of(doc, fragment, ids)
    return None if value is _ABSENT else canonical.digest(canonical.dumps(value))


def inputs_of(doc: Any) -> dict[str, str]:
    inputs = doc.get("inputs") if isinstance(doc, dict) else None
    return dict(inputs) if isinstance(inputs, dict) else {}


class TreeView:
    """A tree's paths and documents, optionally with pending changes laid over it (dry runs)."""

    def __init__(
        self, store: _Store, tree: str, overlay: Mapping[str, Any | None] | None = None
    ) -> None:
        self._store = store
        self.tree = tree
        self._overlay = dict(overlay or {})
        self._paths: dict[str, str] | None = None
        self._pending: dict[str, Any] = {}
        for doc in self._overlay.values():
            if doc is not None:
                self._pending[canonical.digest(canonical.dumps(doc))] = doc
        self._keys: dict[str, str | None] = {}
        self._docs: dict[str, Any] = {}
        self._ids: dict[int, dict[str, Any]] = {}  # fragment_of's lists by id, docs kept above
        self._scenes: dict[str, list[str]] = {}

    @property
    def paths(self) -> dict[str, str]:
        """Every document path of the tree (pending changes laid over), listed when first
        asked for: a scene's status reads its own folder and its inputs, not the film."""
        if self._paths is None:
            paths = self._store.list_paths(self.tree)
            for path, doc in self._overlay.items():
                if doc is None:
                    paths.pop(path, None)
                else:
                    paths[path] = canonical.digest(canonical.dumps(doc))
            self._paths = paths
        return self._paths

    def oid(self, path: str) -> str | None:
        """The object id at `path` (a document's, or a folder's), without listing the tree."""
        if self._overlay:
            return self.paths.get(path)
        node, kind = self.tree, "tree"
        for part in path.split("/"):
            if kind != "tree":
                return None  # a document where a folder was asked for
            entry = self._store.get_object(node)["entries"].get(part)
            if entry is None:
                return None
            kind, node = entry
        return str(node)

    def exists(self, path: str) -> bool:
        return (self.paths.get(path) if self._paths is not None else self.oid(path)) is not None

    def folder(self, path: str) -> str | None:
        """A folder's tree id: what its documents are, in one hash (None with pending changes,
        which no stored tree holds)."""
        return None if self._overlay else self.oid(path)

    def scene_paths(self, scene: str) -> list[str]:
        """The document paths under `scenes/<scene>/`."""
        if scene not in self._scenes:
            prefix = f"scenes/{scene}"
            folder = self.folder(prefix)
            if self._paths is None and folder is not None:
                found = list(self._listed(folder, prefix))
            else:
                found = [p for p in self.paths if scene_of(p) == scene]
            self._scenes[scene] = found
        return self._scenes[scene]

    def _listed(self, folder: str, prefix: str) -> tuple[str, ...]:
        """The paths under `prefix`, whose folder is the tree `folder`: kept by that id where
        the store keeps derivations (a feature's Script Hub lists 600 scene folders after
        each edit, of which one changed)."""
        remember = getattr(self._store, "remember", None)
        if remember is None:
            return tuple(self._store.list_paths(folder, prefix))
        return cast(
            tuple[str, ...],
            remember(
                (f"paths {prefix}", folder),
                lambda: tuple(self._store.list_paths(folder, prefix)),
                PATHS_WEIGHT,
            ),
        )

    def doc(self, path: str) -> Any | None:
        oid = self.paths.get(path) if self._paths is not None else self.oid(path)
        if oid is None:
            return None
        if oid in self._pending:
            return self._pending[oid]
        # Objects are content-addressed and never change: decode each one once per view
        # (every scene's fragment of the Master Script would otherwise decode it again).
        if oid not in self._docs:
            self._docs[oid] = self._store.get_object(oid)
        return self._docs[oid]

    def current(self, key: str) -> str | None:
        """The fingerprint an input key has now (None when the path or fragment is gone)."""
        if key not in self._keys:
            path, fragment = split_key(key)
            if fragment is None:
                self._keys[key] = (
                    self.paths.get(path) if self._paths is not None else self.oid(path)
                )
            else:
                self._keys[key] = self._fragment(path, fragment)
        return self._keys[key]

    def _fragment(self, path: str, fragment: str) -> str | None:
        oid = self.paths.get(path) if self._paths is not None else self.oid(path)
        if oid is None:
            return None
        remember = getattr(self._store, "remember", None)
        if remember is None or oid in self._pending:
            return fragment_hash(self.doc(path), fragment, self._ids)
        # Kept by the document's id: a feature's 600 scenes do not each decode the script.
        return remember(
            ("fragment", f"{oid}#{fragment}"),
            lambda: fragment_hash(self.doc(path), fragment, self._ids),
            128,
        )


def fingerprint(
    store: _Store, tree: str, keys: list[str], *, absent: tuple[str, ...] | list[str] = ()
) -> dict[str, str]:
    """The `inputs` record for an artifact derived from `keys` (paths or path#fragment) now.
    `absent` keys that have no value now are recorded as ABSENT: their appearing later is a
    change (an instance made in an earlier scene changes what a later one inherits)."""
    view = TreeView(store, tree)
    out = {}
    for key in [*keys, *absent]:
        value = view.current(key)
        if value is not None:
            out[key] = value
        elif key in absent:
            out[key] = ABSENT
    return out


class StatusDeriver:
    """Computes the status of any path in one tree; memoised, so deriving all is linear."""

    def __init__(
        self, store: _Store, tree: str, overlay: Mapping[str, Any | None] | None = None
    ) -> None:
        self.view = TreeView(store, tree, overlay)
        self._memo: dict[str, Status] = {}
        # A scene's statuses are kept across views by what decides them (`_scene`).
        self._remember = getattr(store, "remember", None)
        self._open: set[str] = set()  # scenes whose statuses are being worked out

    @property
    def paths(self) -> dict[str, str]:
        return self.view.paths

    def changed_inputs(self, path: str) -> dict[str, Status]:
        """Each recorded input that is not up to date, with why (for the UI's explanation)."""
        out: dict[str, Status] = {}
        for key, recorded in inputs_of(self.view.doc(path)).items():
            current = self.view.current(key)
            if recorded == ABSENT:
                if current is not None:
                    out[key] = Status.OUTDATED  # it appeared since
                continue
            if current is None:
                out[key] = Status.MISSING
            elif current != recorded:
                out[key] = Status.OUTDATED
            else:
                upstream = self.status(split_key(key)[0])
                if upstream is not Status.UP_TO_DATE:
                    out[key] = upstream
        return out

    def status(self, path: str) -> Status:
        if path in self._memo:
            return self._memo[path]
        if not self.view.exists(path):
            return Status.MISSING
        if is_story_document(path):
            self._memo[path] = Status.UP_TO_DATE
            return Status.UP_TO_DATE
        scene = scene_of(path)
        if scene is not None and scene not in self._open and self._remember is not None:
            folder = self.view.folder(f"scenes/{scene}")
            if folder is not None:
                self._memo.update(self._scene(scene, folder))
                return self._memo.get(path, Status.MISSING)
        return self._derive(path)

    def _scene(self, scene: str, folder: str) -> dict[str, Status]:
        """Every status in a scene, kept by what decides them: the scene folder's content
        (its documents and what they recorded) and, for each input from outside the scene,
        its fingerprint now and its own status. Visiting a feature's 600 scenes after an
        edit works out only the scenes the edit reaches."""
        assert self._remember is not None
        self._open.add(scene)
        try:
            outside: list[str] = self._remember(
                ("status.inputs", folder), lambda: self._inputs_from_outside(scene), 1024
            )
            state = [folder]
            for key in outside:
                now = self.view.current(key)
                upstream = self.status(split_key(key)[0]) if now is not None else None
                state += [key, now or "", upstream or ""]
            decided = canonical.digest(canonical.dumps(state))
            return dict(
                self._remember(
                    ("status.scene", decided),
                    lambda: {p: self._derive(p) for p in self.view.scene_paths(scene)},
                    1024,
                )
            )
        finally:
            self._open.discard(scene)

    def _inputs_from_outside(self, scene: str) -> list[str]:
        keys = {
            key
            for path in self.view.scene_paths(scene)
            for key in inputs_of(self.view.doc(path))
            if scene_of(split_key(key)[0]) != scene
        }
        return sorted(keys)

    def _derive(self, path: str) -> Status:
        if path in self._memo:
            return self._memo[path]
        self._memo[path] = Status.UP_TO_DATE  # guards against accidental cycles
        mine = scene_of(path)
        local = cross = False
        for key, why in self.changed_inputs(path).items():
            theirs = scene_of(key)
            from_other_scene = mine is not None and theirs is not None and theirs != mine
            # A break inherited inside the scene stays a continuity break.
            if from_other_scene or why is Status.CONTINUITY_BROKEN:
                cross = True
            else:
                local = True
        result = (
            Status.OUTDATED if local else Status.CONTINUITY_BROKEN if cross else Status.UP_TO_DATE
        )
        self._memo[path] = result
        return result

    def scene_status(self, scene: str) -> Status:
        """The worst status of any artifact in a scene (Outdated beats Continuity Broken)."""
        return worst(self.status(p) for p in self.view.scene_paths(scene))

    def scenes(self) -> list[str]:
        seen = {scene_of(p) for p in self.view.paths}
        return sorted(s for s in seen if s is not None)

    def synced(self, upstream: str, downstream: str) -> bool:
        """True when `upstream` was revised from `downstream` as it is now (the "Retroactively
        Revise …" actions record the downstream document among their inputs): no flag then."""
        mine = inputs_of(self.view.doc(upstream)).get(downstream)
        return mine is not None and mine == self.view.current(downstream)

    def flags(self) -> list[Flag]:
        """Passive flags on Phase A documents whose downstream document no longer matches."""
        out: list[Flag] = []
        for path in sorted(p for p in self.view.paths if is_story_document(p)):
            doc = self.view.doc(path)
            for key, recorded in inputs_of(doc).items():
                upstream = split_key(key)[0]
                if not is_story_document(upstream) or upstream not in self.view.paths:
                    continue
                if _stage_number(upstream) + 1 != _stage_number(path):
                    continue  # only neighbours flag each other (treatment↔beats↔script)
                if self.synced(upstream, path):
                    continue
                if self.view.current(key) != recorded:
                    out.append(Flag(upstream, path, FlagReason.UPSTREAM_EDITED))
                elif isinstance(doc, dict) and doc.get("origin") == "manual":
                    out.append(Flag(upstream, path, FlagReason.DOWNSTREAM_EDITED))
        return out


def _stage_number(path: str) -> int:
    return int(path[5]) if _PHASE_A_STORY.match(path) else -1


def worst(statuses: Iterator[Status] | list[Status]) -> Status:
    seen = set(statuses)
    for s in (Status.OUTDATED, Status.CONTINUITY_BROKEN):
        if s in seen:
            return s
    return Status.UP_TO_DATE
