"""Cutting a written style sample into retrievable chunks along natural boundaries.

Screenplay text (Fountain-like: scene headings, CHARACTER cues, dialogue) is cut
into dialogue exchanges and action blocks; prose into paragraphs grouped up to
a size. Each chunk says what kind it is (dialogue / action / prose), where it
came from and where it sits, so retrieval can prefer the kind a task needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiuteur_desktop.core.screenplay.headings import starts_heading

_CUE = re.compile(r"^[A-Z][A-Z0-9 .'\-]{1,30}(\s*\((V\.O\.|O\.S\.|CONT'D|O\.C\.)\))?$")
_TRANSITION = re.compile(r"^[A-Z ]+TO:$")
MAX_WORDS = 180
MIN_WORDS = 12


@dataclass(frozen=True)
class Chunk:
    text: str
    kind: str  # "dialogue" | "action" | "prose"
    source: str
    position: int  # order within the source

    @property
    def words(self) -> int:
        return len(self.text.split())


def _blocks(text: str) -> list[str]:
    """Blank-line separated blocks, whitespace-normalised at the edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def looks_like_screenplay(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    cues = sum(1 for ln in lines if _CUE.match(ln) and not starts_heading(ln))
    headings = sum(1 for ln in lines if starts_heading(ln))
    return headings >= 1 or cues >= max(2, len(lines) // 12)


def _is_dialogue_block(block: str) -> bool:
    first = block.strip().splitlines()[0].strip()
    return bool(_CUE.match(first)) and not starts_heading(first) and len(block.splitlines()) > 1


def chunk_text(text: str, source: str) -> list[Chunk]:
    """Chunks of a sample; screenplays by exchange/action, prose by paragraphs."""
    blocks = _blocks(text)
    out: list[Chunk] = []
    if looks_like_screenplay(text):
        groups: list[tuple[str, list[str]]] = []
        for block in blocks:
            first = block.strip().splitlines()[0].strip()
            if starts_heading(first) or _TRANSITION.match(first):
                continue  # headings and transitions say nothing about style
            kind = "dialogue" if _is_dialogue_block(block) else "action"
            if (
                groups
                and groups[-1][0] == kind
                and sum(len(b.split()) for b in groups[-1][1]) + len(block.split()) <= MAX_WORDS
            ):
                groups[-1][1].append(block)
            else:
                groups.append((kind, [block]))
        for kind, parts in groups:
            out.append(Chunk("\n\n".join(parts), kind, source, len(out)))
    else:
        current: list[str] = []
        for block in blocks:
            words = sum(len(b.split()) for b in current)
            if current and words + len(block.split()) > MAX_WORDS:
                out.append(Chunk("\n\n".join(current), "prose", source, len(out)))
                current = []
            current.append(block)
        if current:
            out.append(Chunk("\n\n".join(current), "prose", source, len(out)))
    # Fold fragments too small to carry a style into their neighbour of the same kind.
    merged: list[Chunk] = []
    for chunk in out:
        if merged and chunk.words < MIN_WORDS and merged[-1].kind == chunk.kind:
            prev = merged.pop()
            chunk = Chunk(prev.text + "\n\n" + chunk.text, prev.kind, source, prev.position)
        merged.append(chunk)
    return [Chunk(c.text, c.kind, c.source, i) for i, c in enumerate(merged)]


def task_kind(task: str) -> str | None:
    """Which chunk kind a generation task wants exemplars of."""
    t = task.lower()
    if any(w in t for w in ("dialogue", "dialog", "line", "conversation", "speech")):
        return "dialogue"
    if any(w in t for w in ("action", "shot", "scene description", "movement", "fight")):
        return "action"
    if any(w in t for w in ("treatment", "prose", "summary", "synopsis")):
        return "prose"
    return None
