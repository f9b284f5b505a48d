"""Story Timelines rules (PRD §7.2–7.3): when to branch, what an edit invalidates, at what cost.

Every rule is one function over the store; nothing here is stored except the
documents themselves (status is derived, see `core/store/status.py`).

| action                                   | rule                                         |
|------------------------------------------|----------------------------------------------|
| regenerate the Script from edited Beats  | `BranchRequired` → `branch_for_script_regeneration` |
| hand edit of the Beat Sheet              | saved here; Beat Sheet flagged, no branch    |
| hand edit of the Script                  | saved here; soft "Create New Branch" advice when significant |
| edit in stages 5–12 (assets/, scenes/)   | saved here after the Cost & Dependency Warning |
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.errors import BranchRequired
from aiuteur_desktop.core.store import Branch, Project, artifacts
from aiuteur_desktop.core.store.status import (
    Flag,
    Status,
    StatusDeriver,
    fingerprint,
    inputs_of,
    label,
    scene_of,
    worst,
)

#: Where a branch forked for a script regeneration remembers which Beat Sheet it was forked for.
FORK_MARKER = "timeline/fork"
#: A hand edit of the Script that rewrites more than this share of its text is "significant".
SIGNIFICANT_CHANGE = 0.1

CostEstimator = Callable[[str, Any], float]


@dataclass(frozen=True)
class Invalidated:
    """An artifact that is up to date now and would not be after the change."""

    path: str
    scene: str | None
    status: Status
    cost: float


@dataclass(frozen=True)
class Impact:
    """The dry run behind the Cost & Dependency Warning: what a change invalidates."""

    invalidated: tuple[Invalidated, ...] = ()
    new_flags: tuple[Flag, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.invalidated and not self.new_flags

    @property
    def cost(self) -> float:
        """Estimated cost of regenerating everything this change invalidates."""
        return round(sum(i.cost for i in self.invalidated), 6)

    def scenes(self) -> dict[str, Status]:
        """Each affected scene with its worst new status, in scene order."""
        by_scene: dict[str, list[Status]] = {}
        for item in self.invalidated:
            if item.scene is not None:
                by_scene.setdefault(item.scene, []).append(item.status)
        return {s: worst(v) for s, v in sorted(by_scene.items())}

    def global_paths(self) -> list[str]:
        """Invalidated artifacts outside any scene (e.g. master assets)."""
        return [i.path for i in self.invalidated if i.scene is None]

    def summary(self) -> str:
        """One or two sentences for the warning modal."""
        if self.is_empty:
            return "Nothing else changes."
        parts = []
        scenes = self.scenes()
        outdated = [s for s, st in scenes.items() if st is Status.OUTDATED]
        broken = [s for s, st in scenes.items() if st is Status.CONTINUITY_BROKEN]
        if outdated:
            parts.append(f"{_count(outdated, 'scene')} become Outdated ({', '.join(outdated)})")
        if broken:
            parts.append(
                f"{_count(broken, 'scene')} lose continuity ({', '.join(broken)})"
                if len(broken) > 1
                else f"scene {broken[0]} loses continuity"
            )
        assets = self.global_paths()
        if assets:
            parts.append(f"{_count(assets, 'master artifact')} become Outdated")
        text = "; ".join(parts)
        text = text[:1].upper() + text[1:] if text else ""
        if self.invalidated:
            text += f". Regenerating them costs about ${self.cost:,.2f}."
        for flag in self.new_flags:
            text += f" {label(flag.path)} will be flagged “{flag.text}”."
        return text.strip()


def _count(items: list[str], noun: str) -> str:
    return f"1 {noun}" if len(items) == 1 else f"{len(items)} {noun}s"


def impact(
    store: Project,
    tree: str,
    changes: Mapping[str, Any | None],
    *,
    cost: CostEstimator | None = None,
) -> Impact:
    """Dry-run `changes` ({path: new document or None to delete}) on `tree`; nothing is written.

    `cost(path, doc)` prices regenerating one artifact; by default what it cost last time.
    """
    estimate = cost or (lambda _path, doc: artifacts.cost_of(doc))
    before = StatusDeriver(store, tree)
    after = StatusDeriver(store, tree, overlay=changes)
    invalidated = []
    for path in sorted(after.paths):
        if path in changes or path.startswith("timeline/"):
            continue
        new = after.status(path)
        if new is Status.UP_TO_DATE or before.status(path) is not Status.UP_TO_DATE:
            continue
        invalidated.append(
            Invalidated(path, scene_of(path), new, estimate(path, before.view.doc(path)))
        )
    old_flags = set(before.flags())
    new_flags = tuple(f for f in after.flags() if f not in old_flags)
    return Impact(tuple(invalidated), new_flags)


# ----------------------------------------------------------------- hand edits
@dataclass(frozen=True)
class EditAdvice:
    """What the UI tells the filmmaker before (or as) a hand edit is saved."""

    path: str
    impact: Impact
    #: Show the Cost & Dependency Warning and save only when the user agrees (PRD §7.3).
    warn: bool
    #: Soft recommendation to "Create New Branch" first (significant Script edits).
    recommend_branch: bool
    messages: tuple[str, ...] = field(default=())


def advise_edit(project: Project, path: str, content: dict[str, Any]) -> EditAdvice:
    """The PRD §7.2 row that applies to hand-editing `path` to `content` on the current branch."""
    tree = project.branch().draft
    previous = project.read(path)
    new_doc = artifacts.hand_edited(previous if isinstance(previous, dict) else None, content)
    result = impact(project, tree, {path: new_doc})
    messages: list[str] = []
    recommend = False
    if path == artifacts.SCRIPT:
        changed = changed_share(_lines(artifacts.content_of(previous)), _lines(content))
        # Continuity breaks follow any scene edit; what counts is how much was rewritten.
        rewritten = [s for s, st in result.scenes().items() if st is Status.OUTDATED]
        recommend = previous is not None and (changed > SIGNIFICANT_CHANGE or len(rewritten) > 1)
        if recommend:
            messages.append(
                "This is a significant change to the Master Script. Consider creating a new "
                "Story Timeline first, so the current one stays as it is."
            )
    for flag in result.new_flags:
        messages.append(f"{label(flag.path)} will be flagged “{flag.text}”. No branch is needed.")
    warn = bool(result.invalidated)
    if warn:
        messages.append(result.summary())
    return EditAdvice(path, result, warn, recommend, tuple(messages))


def save_edit(project: Project, path: str, content: dict[str, Any]) -> str:
    """Save a hand edit on the current branch (a draft write; keeps the recorded inputs).
    An edit that comes back to what the last version holds (edit, then undo) restores that
    version itself, so nothing downstream sees a change that is not there."""
    previous = project.read(path)
    saved = project.read_tree(project.head().tree, path)
    if isinstance(saved, dict) and artifacts.content_of(saved) == content:
        return project.write(path, saved)
    doc = artifacts.hand_edited(previous if isinstance(previous, dict) else None, content)
    return project.write(path, doc)


def changed_share(old: list[str], new: list[str]) -> float:
    """How much of a text changed (0–1): lines matched first, changed lines compared by character.

    Line matching keeps this fast on a feature-length script; the character pass
    makes a one-word fix count as one word, not as a whole line.
    """
    total = max(len("\n".join(old)), len("\n".join(new)), 1)
    changed = 0.0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = "\n".join(old[i1:i2]), "\n".join(new[j1:j2])
        size = float(max(len(a), len(b)))
        if tag == "replace" and len(a) + len(b) < 20_000:
            size *= 1 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        changed += size
    return min(1.0, changed / total)


def _lines(content: Any) -> list[str]:
    """Every line of text in a document, in order: what a screenwriter would call 'the text'."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            out.extend(node.splitlines() or [""])
        elif isinstance(node, dict):
            for key in sorted(node):
                walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(content)
    return out


# -------------------------------------------------------- script regeneration
def beats_changed_since_script(project: Project, branch: str | None = None) -> bool:
    """True when the Beat Sheet differs from the one the current Script was generated from."""
    script = project.read(artifacts.SCRIPT, branch=branch)
    if not isinstance(script, dict):
        return False
    recorded = inputs_of(script).get(artifacts.BEATS)
    if recorded is None:
        return False
    tree = project.branch(branch).draft
    now = fingerprint(project, tree, [artifacts.BEATS, artifacts.SCRIPT])
    if now.get(artifacts.BEATS) == recorded:
        return False
    # Beats revised retroactively to match this very script are in step with it.
    beats = project.read(artifacts.BEATS, branch=branch)
    return inputs_of(beats).get(artifacts.SCRIPT) != now.get(artifacts.SCRIPT)


def check_script_regeneration(project: Project) -> None:
    """Raise `BranchRequired` if regenerating the Script here would replace a finished timeline."""
    if not beats_changed_since_script(project):
        return
    marker = project.read(FORK_MARKER)
    beats_now = fingerprint(project, project.branch().draft, [artifacts.BEATS]).get(artifacts.BEATS)
    if isinstance(marker, dict) and marker.get("beats") == beats_now:
        return  # this branch was forked for exactly this regeneration
    current = project.current_branch
    raise BranchRequired(
        "The Beat Sheet was edited after the Master Script was written from it. Regenerating "
        f"the script happens on a new Story Timeline, so “{current}” keeps its script and "
        "everything made from it.",
        suggested_name=project.derived_branch_name(current, "revised beats"),
    )


def branch_for_script_regeneration(project: Project, name: str) -> Branch:
    """The mandatory fork: save the edited beats on the current branch, then branch from there."""
    if project.is_dirty():
        project.commit("Manual edits to Beat Sheet", kind="edit", stage=3)
    beats_now = fingerprint(project, project.branch().draft, [artifacts.BEATS]).get(artifacts.BEATS)
    origin = project.current_branch
    branch = project.create_branch(name, switch=True)
    project.write(
        FORK_MARKER,
        {"reason": "script-regeneration", "from_branch": origin, "beats": beats_now},
    )
    return branch


def save_generated_script(
    project: Project,
    content: dict[str, Any],
    *,
    cost: float = 0.0,
    model: str | None = None,
    extra_inputs: Iterable[str] = (),
    origin: str = artifacts.GENERATED,
) -> str:
    """Store a freshly generated (or imported) Master Script (global invalidation of Phase B on this branch).

    Raises `BranchRequired` when PRD §7.2 demands a new Story Timeline first.
    """
    check_script_regeneration(project)
    tree = project.branch().draft
    keys = [artifacts.BEATS, *extra_inputs]
    doc = artifacts.make(
        content,
        inputs=fingerprint(project, tree, keys),
        cost=cost,
        model=model,
        origin=origin,
        new_derivation=True,
    )
    return project.write(artifacts.SCRIPT, doc)


def move_edits_to_branch(
    project: Project, path: str, what: str, *, message: str, stage: int
) -> str:
    """Move the unsaved edits of `path` to a new Story Timeline, committed there; the one
    they were made on gets back its saved version. Returns the new timeline's name."""
    origin = project.current_branch
    saved = project.read_tree(project.tree_of(project.branch().head), path)
    name = project.derived_branch_name(origin, what)
    project.create_branch(name, switch=True)
    project.commit(message, kind="edit", stage=stage)
    if saved is not None:
        project.write(path, saved, branch=origin)
    return name
