"""The provenance every stored artifact carries, so status, cost and the Vault can be derived.

An artifact is a JSON object in the project tree. Besides its content it holds:

- `inputs`: `{path or path#fragment: fingerprint}` of what it was derived from;
- `origin`: "generated", "manual" (edited by hand after derivation) or "imported";
- `cost`: what producing it cost in US dollars (0 for offline engines and hand work);
- `created_at`: when it was produced (seconds since the epoch);
- `derivation` (Master Script only): a fresh id per generation, which every
  Phase B artifact records, so regenerating the script outdates all of Phase B
  while a hand edit only outdates the scenes it touches (PRD §7.3).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiuteur_desktop.core.store.status import fingerprint, is_story_document

GENERATED = "generated"
MANUAL = "manual"
IMPORTED = "imported"
RESERVED = frozenset(
    {"inputs", "origin", "cost", "created_at", "derivation", "model", "template", "context"}
)

SCRIPT = "stage4/script"
BEATS = "stage3/beats"
TREATMENT = "stage2/treatment"
SCRIPT_DERIVATION = f"{SCRIPT}#derivation"


def scene_key(scene_id: str) -> str:
    """The input key of one scene's content: its text, not its position or number, so work
    made from scene s7 stays up to date when a scene is added before it."""
    return f"{SCRIPT}#scenes/{scene_id}/text"


def is_phase_b(path: str) -> bool:
    return path.startswith(("assets/", "scenes/"))


def record_inputs(
    store: Any, tree: str, path: str, keys: list[str], *, absent: list[str] | tuple[str, ...] = ()
) -> dict[str, str]:
    """Fingerprints for an artifact at `path` derived from `keys` in `tree` now.

    Phase B artifacts also record the Master Script's derivation id, which is how
    a regenerated script invalidates every one of them.
    """
    keys = list(keys)
    if is_phase_b(path) and SCRIPT_DERIVATION not in keys:
        keys.append(SCRIPT_DERIVATION)
    return fingerprint(store, tree, keys, absent=absent)


def make(
    content: dict[str, Any],
    *,
    inputs: dict[str, str] | None = None,
    origin: str = GENERATED,
    cost: float = 0.0,
    model: str | None = None,
    new_derivation: bool = False,
    template: str | None = None,
    context: list[str] | None = None,
) -> dict[str, Any]:
    """A new artifact document with its provenance: what it was derived from, which model and
    prompt template made it, and the retrieval log — every context piece, style passage
    (`style:<library>/<doc>#<n>`) and reference image (`image:<library>/<name>`) it saw."""
    clash = RESERVED & content.keys()
    if clash:
        raise ValueError(f"artifact content uses reserved keys: {sorted(clash)}")
    doc: dict[str, Any] = {
        **content,
        "inputs": dict(inputs or {}),
        "origin": origin,
        "cost": round(float(cost), 6),
        "created_at": time.time(),
    }
    if model:
        doc["model"] = model
    if template:
        doc["template"] = template
    if context:
        doc["context"] = list(context)
    if new_derivation:
        doc["derivation"] = uuid.uuid4().hex
    return doc


def hand_edited(previous: dict[str, Any] | None, content: dict[str, Any]) -> dict[str, Any]:
    """The document after a hand edit: new content, same inputs and derivation, origin manual."""
    prev = previous or {}
    doc = make(content, inputs=prev.get("inputs") or {}, origin=MANUAL, cost=0.0)
    if "derivation" in prev:
        doc["derivation"] = prev["derivation"]
    return doc


def content_of(doc: Any) -> dict[str, Any]:
    """The artifact's own content without its provenance."""
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if k not in RESERVED}


def cost_of(doc: Any) -> float:
    if isinstance(doc, dict):
        try:
            return float(doc.get("cost") or 0.0)
        except (TypeError, ValueError):
            return 0.0
    return 0.0


__all__ = [
    "BEATS",
    "GENERATED",
    "IMPORTED",
    "MANUAL",
    "SCRIPT",
    "SCRIPT_DERIVATION",
    "TREATMENT",
    "content_of",
    "cost_of",
    "hand_edited",
    "is_phase_b",
    "is_story_document",
    "make",
    "record_inputs",
]
