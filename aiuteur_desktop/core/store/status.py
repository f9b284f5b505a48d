"""Derived artifact status: never stored, always computed from recorded input fingerprints.

An artifact document records `inputs: {path: object id}` for what it was derived
from. It is Outdated when one of those inputs now differs (or is itself not
up to date), and Continuity Broken when the difference comes from *another*
scene (scene N's end state feeding scene N+1).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Protocol

_SCENE = re.compile(r"^scenes/([^/]+)/")


class Status(StrEnum):
    UP_TO_DATE = "Up-to-date"
    OUTDATED = "Outdated"
    CONTINUITY_BROKEN = "Continuity Broken"
    MISSING = "Missing"


class _Store(Protocol):
    def list_paths(self, tree_id: str, prefix: str = "") -> dict[str, str]: ...
    def get_object(self, oid: str) -> Any: ...


def scene_of(path: str) -> str | None:
    m = _SCENE.match(path)
    return m.group(1) if m else None


def fingerprint(store: _Store, tree: str, paths: list[str]) -> dict[str, str]:
    """The `inputs` record for an artifact derived from `paths` in `tree` now."""
    current = store.list_paths(tree)
    return {p: current[p] for p in paths if p in current}


class StatusDeriver:
    """Computes the status of any path in one tree; memoised, so deriving all is linear."""

    def __init__(self, store: _Store, tree: str) -> None:
        self._store = store
        self._paths = store.list_paths(tree)
        self._memo: dict[str, Status] = {}

    def changed_inputs(self, path: str) -> dict[str, Status]:
        """Each recorded input that is not up to date, with why (for the UI's explanation)."""
        oid = self._paths.get(path)
        if oid is None:
            return {}
        doc = self._store.get_object(oid)
        inputs = doc.get("inputs") if isinstance(doc, dict) else None
        if not isinstance(inputs, dict):
            return {}
        out: dict[str, Status] = {}
        for in_path, recorded in inputs.items():
            current = self._paths.get(in_path)
            if current is None:
                out[in_path] = Status.MISSING
            elif current != recorded:
                out[in_path] = Status.OUTDATED
            else:
                upstream = self.status(in_path)
                if upstream is not Status.UP_TO_DATE:
                    out[in_path] = upstream
        return out

    def status(self, path: str) -> Status:
        if path in self._memo:
            return self._memo[path]
        if path not in self._paths:
            return Status.MISSING
        self._memo[path] = Status.UP_TO_DATE  # guards against accidental cycles
        mine = scene_of(path)
        local = cross = False
        for in_path, why in self.changed_inputs(path).items():
            theirs = scene_of(in_path)
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
        prefix = f"scenes/{scene}/"
        seen = {self.status(p) for p in self._paths if p.startswith(prefix)}
        for s in (Status.OUTDATED, Status.CONTINUITY_BROKEN):
            if s in seen:
                return s
        return Status.UP_TO_DATE
