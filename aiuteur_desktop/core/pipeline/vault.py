"""The Artifact Vault (PRD §7.4 A): every artifact of a project, by branch → stage → scene.

Each entry carries its origin branch (the Story Timeline it was made on, even
when a later branch inherited it), creation time and cost. Built off the UI thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from aiuteur_desktop.core.store import Branch, Project, artifacts, stages
from aiuteur_desktop.core.store.project import MAIN
from aiuteur_desktop.core.store.stages import Stage
from aiuteur_desktop.core.store.status import DOCUMENT_LABELS, fragment_of, scene_of

_HIDDEN_PREFIXES = ("timeline/",)
_SCENE_LABELS = {
    "scene": "Scene script",
    "shots": "Shot List",
    "assets": "Scene instance",
    "prompts": "Prompts",
    "frames": "Anchor frame",
    "confirm": "Render confirmation",
    "videos": "Video",
}


@dataclass(frozen=True)
class VaultEntry:
    branch: str
    path: str
    stage: Stage | None
    scene: str | None
    title: str
    origin_branch: str
    created_at: float | None
    cost: float
    object_id: str
    media_id: str | None = None
    media_mime: str | None = None
    #: An earlier version: the Story Timeline holds a newer one at this path now.
    superseded: bool = False
    #: The part of the document this entry shows ("variants/1": the second treatment).
    part: str = ""

    @property
    def media_kind(self) -> str | None:
        if not self.media_mime:
            return None
        return self.media_mime.split("/", 1)[0]


def title_of(path: str, doc: Any) -> str:
    """What a filmmaker calls this artifact."""
    if path in DOCUMENT_LABELS:
        return "Master Script" if path == artifacts.SCRIPT else DOCUMENT_LABELS[path]
    parts = path.split("/")
    name = doc.get("name") if isinstance(doc, dict) else None
    if parts[0] == "assets":
        return str(name or parts[-1])
    if parts[0] == "scenes" and len(parts) >= 3:
        part, rest = parts[2], " · ".join(parts[3:])
        label = _SCENE_LABELS.get(part, part.capitalize())
        if part == "assets" and name:
            rest = str(name)
        if not rest:
            return label
        return f"{label} {rest}" if part in ("frames", "videos") else f"{label} · {rest}"
    if parts[0] == "stage2" and len(parts) == 3 and parts[1] == "variants":
        return f"Treatment variant {parts[2]}"
    if path == "stage1/inputs":
        return "Project Setup · staged files"
    return " · ".join(parts[1:]) or path


def media_ref(doc: Any) -> str | None:
    """The media file an artifact shows: `media` as a sha256 string or {"id": sha256}."""
    if not isinstance(doc, dict):
        return None
    ref = doc.get("media")
    if isinstance(ref, dict):
        ref = ref.get("id")
    return ref if isinstance(ref, str) and len(ref) == 64 else None


def _listed(path: str) -> bool:
    return not path.startswith(_HIDDEN_PREFIXES) and not path.endswith("/lock")


class _Origins:
    """Which Story Timeline first held an object at a path, following branch bases upward."""

    def __init__(self, project: Project, branches: dict[str, Branch]) -> None:
        self._project = project
        self._branches = branches
        self._trees: dict[str, dict[str, str]] = {}
        self._base_branch: dict[str, str] = {}

    def _paths_at(self, commit_id: str) -> dict[str, str]:
        if commit_id not in self._trees:
            self._trees[commit_id] = self._project.list_paths(self._project.tree_of(commit_id))
        return self._trees[commit_id]

    def of(self, branch: str, path: str, oid: str) -> str:
        for _ in range(len(self._branches) + 1):
            b = self._branches.get(branch)
            if b is None or b.base is None or branch == MAIN:
                return branch
            if self._paths_at(b.base).get(path) != oid:
                return branch
            if b.base not in self._base_branch:
                self._base_branch[b.base] = self._project.commit_by_id(b.base).branch
            parent = self._base_branch[b.base]
            if parent == branch:
                return branch
            branch = parent
        return branch


def branch_order(project: Project) -> list[str]:
    """The Vault's top level: Main first, then every other Story Timeline by name."""
    names = [b.name for b in project.branches()]
    return [n for n in (MAIN, *sorted(n for n in names if n != MAIN)) if n in names]


#: Folders whose earlier versions the Vault lists (the story documents, PRD §7.4).
_HISTORY = ("stage1", "stage2", "stage3", "stage4")


def _history(project: Project, name: str) -> dict[tuple[str, str], tuple[float, bool]]:
    """Every story document a branch's history held: (path, object id) → (when first
    committed, whether a commit of this branch made it — not one it inherited). A folder
    unchanged since the commit before is not read again."""
    seen: dict[tuple[str, str], tuple[float, bool]] = {}
    last: dict[str, str | None] = {}
    commits = project.log(name)[::-1]
    folder_ids = project.folders_of([c.tree for c in commits], _HISTORY)
    for commit, ids in zip(commits, folder_ids, strict=True):
        for folder, oid in zip(_HISTORY, ids, strict=True):
            if oid is None or last.get(folder) == oid:
                continue
            last[folder] = oid
            for path, doc in project.list_paths(oid, folder).items():
                seen.setdefault((path, doc), (commit.created_at, commit.branch == name))
    return seen


def _variants(entry: VaultEntry, doc: Any) -> list[VaultEntry]:
    """A treatment's variants (Stage 2 writes three), each an entry of its own."""
    variants = doc.get("variants") if isinstance(doc, dict) else None
    if entry.path != artifacts.TREATMENT or not isinstance(variants, list):
        return []
    return [
        replace(
            entry,
            title=f"Treatment variant {i + 1}: {str(v.get('title') or '').strip()}".rstrip(": ")
            + (" · earlier version" if entry.superseded else ""),
            part=f"variants/{i}",
            cost=0.0,
        )
        for i, v in enumerate(variants)
        if isinstance(v, dict)
    ]


def collect(
    project: Project, only: list[str] | None = None, *, earlier: bool = True
) -> list[VaultEntry]:
    """Listed artifacts of `only` these branches (default all): branch, stage, scene, path order
    — each Story Timeline's current artifacts, the treatment's variants, and (unless
    `earlier` is False: what the Vault shows first, at once) the earlier versions of its story
    documents, which read the branch's whole history."""
    branches = {b.name: b for b in project.branches()}
    origins = _Origins(project, branches)
    out: list[VaultEntry] = []
    for name in [n for n in branch_order(project) if only is None or n in only]:
        current = project.list_paths(branches[name].draft)
        history = _history(project, name) if earlier else {}
        listed = [(p, o, False) for p, o in sorted(current.items())]
        listed += [(p, o, True) for p, o in _earlier(history, current)]
        out.extend(sorted(_entries(project, name, listed, history, origins), key=order_key))
    return out


def _earlier(
    history: dict[tuple[str, str], tuple[float, bool]], current: dict[str, str]
) -> list[tuple[str, str]]:
    return [(p, o) for (p, o), (_t, own) in history.items() if own and current.get(p) != o]


@dataclass(frozen=True)
class Earlier:
    """What the Vault adds once a branch's history is read: the earlier versions of its story
    documents, and when each current artifact with no time of its own was first saved."""

    entries: list[VaultEntry]
    created: dict[str, float]


def earlier_versions(project: Project, branch: str) -> Earlier:
    """The second, slower half of `collect` for one branch (run it off the UI thread)."""
    branches = {b.name: b for b in project.branches()}
    current = project.list_paths(branches[branch].draft)
    history = _history(project, branch)
    listed = [(p, o, True) for p, o in _earlier(history, current)]
    entries = sorted(
        _entries(project, branch, listed, history, _Origins(project, branches)), key=order_key
    )
    created = {
        path: history[(path, oid)][0] for path, oid in current.items() if (path, oid) in history
    }
    return Earlier(entries, created)


def _entries(
    project: Project,
    name: str,
    listed: list[tuple[str, str, bool]],
    history: dict[tuple[str, str], tuple[float, bool]],
    origins: _Origins,
) -> list[VaultEntry]:
    out: list[VaultEntry] = []
    for path, oid, old in listed:
        if not _listed(path):
            continue
        doc = project.get_object(oid)
        media_id = media_ref(doc)
        mime = None
        if media_id:
            info = project.media.info(media_id)
            mime = info.mime if info else None
        created = doc.get("created_at") if isinstance(doc, dict) else None
        first = history.get((path, oid))
        when = float(created) if isinstance(created, int | float) else (first[0] if first else None)
        entry = VaultEntry(
            branch=name,
            path=path,
            stage=stages.stage_of(path),
            scene=scene_of(path),
            title=title_of(path, doc) + (" · earlier version" if old else ""),
            origin_branch=origins.of(name, path, oid),
            created_at=when,
            cost=artifacts.cost_of(doc),
            object_id=oid,
            media_id=media_id,
            media_mime=mime,
            superseded=old,
        )
        out.append(entry)
        out.extend(_variants(entry, doc))
    return out


def _natural(text: str | None) -> list[Any]:
    return [(0, int(t)) if t.isdigit() else (1, t.lower()) for t in re.split(r"(\d+)", text or "")]


def order_key(e: VaultEntry) -> tuple[Any, ...]:
    """Stage order, then scenes in natural order (s2 before s10), then path; a document's
    variants after it and its earlier versions newest first after those."""
    return (
        e.stage.number if e.stage else 99,
        _natural(e.scene),
        _natural(e.path),
        e.superseded,
        -(e.created_at or 0.0) if e.superseded else 0.0,
        _natural(e.part),
    )


def readable(value: Any, indent: int = 0) -> str:
    """An artifact's content as plain text for the Vault's preview pane."""
    pad = "  " * indent
    if isinstance(value, str):
        return "\n".join(pad + line for line in value.splitlines()) or pad
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{pad}{key}:")
                lines.append(readable(item, indent + 1))
            else:
                text = readable(item).strip()
                lines.append(f"{pad}{key}: {text}" if "\n" not in text else f"{pad}{key}:")
                if "\n" in text:
                    lines.append(readable(item, indent + 1))
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(
            readable(item, indent + 1).replace("  " * (indent + 1), pad + "- ", 1) for item in value
        )
    return pad + ("" if value is None else str(value))


_ORIGINS = {
    artifacts.GENERATED: "generated",
    artifacts.MANUAL: "written or edited by hand",
    artifacts.IMPORTED: "imported",
}


def explain(project: Project, entry: VaultEntry) -> str:
    """How the artifact was made: origin, model, prompt template and its retrieval log."""
    doc = project.get_object(entry.object_id)
    if not isinstance(doc, dict):
        return ""
    lines = []
    origin = _ORIGINS.get(str(doc.get("origin", "")), "")
    made = " · ".join(
        x
        for x in (
            origin.capitalize(),
            f"model {doc['model']}" if doc.get("model") else "",
            f"template {doc['template']}" if doc.get("template") else "",
        )
        if x
    )
    if made:
        lines.append(made)
    context = [str(c) for c in doc.get("context") or []]
    styles = [c.split(":", 1)[1] for c in context if c.startswith("style:")]
    images = [c.split(":", 1)[1] for c in context if c.startswith("image:")]
    other = [c for c in context if not c.startswith(("style:", "image:"))]
    if other:
        lines.append("Context: " + ", ".join(other))
    if styles:
        lines.append(f"Retrieved style passages ({len(styles)}): " + ", ".join(styles))
    if images:
        lines.append(f"Retrieved style references ({len(images)}): " + ", ".join(images))
    return "\n".join(lines)


def preview_text(project: Project, entry: VaultEntry) -> str:
    content = artifacts.content_of(project.get_object(entry.object_id))
    return readable(fragment_of(content, entry.part) if entry.part else content)
