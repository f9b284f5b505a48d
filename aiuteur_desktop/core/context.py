"""The Context Manager (PRD §2.1, DESIGN.md "Context management"): what a prompt may see.

Global context (beat sheet, project summary, master character descriptions,
style, Stage 1 constraints) goes to every request. Local context (the active
scene's script, its shot list, the previous scene's end state) exists only in
Phase B and only for the active scene: no request ever carries another scene's
script. Everything is fitted to a token budget; retrieved style chunks are the
first to go, least relevant first, and every piece used is listed so the
generation can record what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.store import Project, artifacts

#: Never cut, whatever the budget: the request makes no sense without them.
REQUIRED = frozenset({"constraints", "scene_script"})


def estimate_tokens(text: str) -> int:
    """About four characters a token for English prose: a safe, model-free estimate."""
    return max(1, (len(text) + 3) // 4)


@dataclass(frozen=True)
class StyleChunk:
    """A retrieved exemplar from a written style library."""

    id: str
    text: str
    score: float


@dataclass(frozen=True)
class Piece:
    key: str
    title: str
    text: str
    #: Lower numbers survive trimming longer.
    rank: int
    source: str = ""

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text)


@dataclass(frozen=True)
class Context:
    pieces: tuple[Piece, ...]
    budget: int
    dropped: tuple[str, ...] = field(default=())
    scene: str | None = None

    @property
    def tokens(self) -> int:
        return sum(p.tokens for p in self.pieces)

    def render(self) -> str:
        return "\n\n".join(f"## {p.title}\n{p.text}" for p in self.pieces if p.text.strip())

    def sources(self) -> list[str]:
        """What this context was built from (the retrieval log a generation records)."""
        return [p.source or p.key for p in self.pieces]


class ContextTooLarge(GateClosed):
    """Even the required context does not fit the model's budget."""


def _text(doc: Any) -> str:
    """A document's readable text (its content without provenance)."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc
    content = artifacts.content_of(doc)
    for key in ("text", "summary", "description"):
        if isinstance(content.get(key), str):
            return str(content[key])
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(content)
    return "\n".join(parts)


class ContextManager:
    """Builds the only context a prompt may see, from the current branch's draft."""

    def __init__(self, project: Project, branch: str | None = None) -> None:
        self.project = project
        self.branch = branch

    def _read(self, path: str) -> Any | None:
        return self.project.read(path, branch=self.branch)

    # ------------------------------------------------------------------ pieces
    def scene_order(self) -> list[str]:
        script = self._read(artifacts.SCRIPT)
        scenes = script.get("scenes") if isinstance(script, dict) else None
        return [str(s["id"]) for s in scenes or [] if isinstance(s, dict) and "id" in s]

    def _characters(self) -> str:
        lines = []
        draft = self.project.branch(self.branch).draft
        for path in sorted(p for p in self.project.list_paths(draft) if p.startswith("assets/")):
            doc = self._read(path)
            if not isinstance(doc, dict) or doc.get("kind", "character") != "character":
                continue
            name = doc.get("name") or path.rsplit("/", 1)[-1]
            lines.append(f"- {name}: {doc.get('description', '')}".rstrip(": "))
        return "\n".join(lines)

    def _visual_style(self) -> str:
        doc = self._read("stage5/style")
        if not isinstance(doc, dict) or not doc.get("library"):
            return ""
        return f"{doc['library']}: {doc.get('card', '')}".strip(": ")

    def global_pieces(self, style: list[StyleChunk] | None = None) -> list[Piece]:
        config = self._read("stage1/config")
        constraints = _text(config.get("constraints") if isinstance(config, dict) else None)
        summary = _text(config.get("summary") if isinstance(config, dict) else None)
        style_note = _text(config.get("written_style") if isinstance(config, dict) else None)
        pieces = [
            Piece("constraints", "Project constraints", constraints, 0, "stage1/config"),
            Piece("beats", "Beat sheet", _text(self._read(artifacts.BEATS)), 2, artifacts.BEATS),
            Piece("characters", "Characters", self._characters(), 3, "assets/"),
            Piece("summary", "Project summary", summary, 5, "stage1/config#summary"),
            Piece("style", "Written style", style_note, 6, "stage1/config#written_style"),
            # The Visual Style Lock (Stage 5): global context for every image and video call.
            Piece("visual_style", "Visual style", self._visual_style(), 4, "stage5/style"),
        ]
        for i, chunk in enumerate(sorted(style or [], key=lambda c: -c.score)):
            pieces.append(
                Piece(
                    f"style:{chunk.id}", "Style exemplar", chunk.text, 10 + i, f"style:{chunk.id}"
                )
            )
        return pieces

    def local_pieces(self, scene: str) -> list[Piece]:
        order = self.scene_order()
        if scene not in order and self._read(f"scenes/{scene}/shots") is None:
            raise GateClosed(f"There is no scene {scene} in the Master Script.")
        script = self._read(artifacts.SCRIPT)
        own = next((s for s in (script or {}).get("scenes", []) if str(s.get("id")) == scene), None)
        pieces = [
            Piece(
                "scene_script",
                f"Scene {scene} script",
                _text(own),
                1,
                artifacts.scene_key(scene),
            ),
            Piece(
                "shots",
                f"Scene {scene} shot list",
                _text(self._read(f"scenes/{scene}/shots")),
                2,
                f"scenes/{scene}/shots",
            ),
        ]
        if scene in order and order.index(scene) > 0:
            previous = order[order.index(scene) - 1]
            end = self._read(f"scenes/{previous}/end_state")
            pieces.append(
                Piece(
                    "previous_end",
                    f"End of scene {previous}",
                    _text(end),
                    2,
                    f"scenes/{previous}/end_state",
                )
            )
        return pieces

    # --------------------------------------------------------------- contexts
    def for_story(self, budget: int, style: list[StyleChunk] | None = None) -> Context:
        """Phase A (stages 1–5): global context only."""
        return fit(self.global_pieces(style), budget)

    def for_scene(self, scene: str, budget: int, style: list[StyleChunk] | None = None) -> Context:
        """Phase B: global context plus this scene's local context, and nothing of any other
        scene except the previous one's end state."""
        ctx = fit(self.global_pieces(style) + self.local_pieces(scene), budget)
        return Context(ctx.pieces, ctx.budget, ctx.dropped, scene)


def fit(pieces: list[Piece], budget: int) -> Context:
    """Keep what fits: drop the highest-ranked (least important) optional pieces first, then
    shorten the longest optional text; required pieces are never cut."""
    kept = [p for p in pieces if p.text.strip()]
    dropped: list[str] = []
    total = sum(p.tokens for p in kept)
    for piece in sorted(kept, key=lambda p: -p.rank):
        if total <= budget:
            break
        if piece.key in REQUIRED or piece.rank < 5:
            continue
        kept.remove(piece)
        dropped.append(piece.key)
        total -= piece.tokens
    while total > budget:
        optional = [p for p in kept if p.key not in REQUIRED]
        if not optional:
            raise ContextTooLarge(
                f"The scene and the project constraints alone need about {total:,} tokens, more "
                f"than this model takes ({budget:,}). Choose a model with a larger context."
            )
        longest = max(optional, key=lambda p: p.tokens)
        excess = total - budget
        keep_chars = max(0, (longest.tokens - excess) * 4 - 20)
        shortened = Piece(
            longest.key,
            longest.title,
            longest.text[:keep_chars].rstrip() + " […]" if keep_chars else "",
            longest.rank,
            longest.source,
        )
        index = kept.index(longest)
        if shortened.text:
            kept[index] = shortened
        else:
            kept.pop(index)
            dropped.append(longest.key)
        total = sum(p.tokens for p in kept)
    kept.sort(key=lambda p: (p.rank, p.key))
    return Context(tuple(kept), budget, tuple(dropped))
