"""Stage 3 (PRD §3.3, §8.3): the beat sheet, its hand edits and the confirmation gate."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.store import Project, artifacts, timelines
from aiuteur_desktop.core.store.status import fingerprint, fragment_hash
from aiuteur_desktop.core.story.common import BEATS, SCRIPT, TREATMENT, lock
from aiuteur_desktop.core.story.schemas import BeatSheetOut
from aiuteur_desktop.core.story.treatment import treatment_text


# ----------------------------------------------------------------- Stage 3
def new_beat(text: str, source: str = "") -> dict[str, Any]:
    return {"id": f"b{uuid.uuid4().hex[:8]}", "text": text.strip(), "source": source.strip()}


def beats_of(project: Project) -> list[dict[str, Any]]:
    doc = project.read(BEATS)
    beats = doc.get("beats") if isinstance(doc, dict) else None
    out: list[dict[str, Any]] = []
    for b in beats or []:
        if isinstance(b, str):  # older or hand-made documents: plain strings
            out.append({"id": f"b{len(out) + 1}", "text": b, "source": ""})
        elif isinstance(b, dict):
            out.append(
                {
                    "id": str(b.get("id") or f"b{len(out) + 1}"),
                    "text": str(b.get("text", "")),
                    "source": str(b.get("source", "")),
                }
            )
    return out


def numbered(beats: list[dict[str, Any]]) -> str:
    return "\n".join(f"{i}. {b['text']}" for i, b in enumerate(beats, 1))


def save_generated_beats(
    project: Project,
    value: BeatSheetOut,
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
    from_script: bool = False,
) -> None:
    tree = project.branch().draft
    keys = [TREATMENT] + ([SCRIPT] if from_script else [])
    doc = artifacts.make(
        {"beats": [new_beat(b.text, b.source) for b in value.beats]},
        inputs=fingerprint(project, tree, keys),
        model=model,
        template=template,
        context=context,
        cost=cost,
    )
    project.write(BEATS, doc)
    project.commit(message, kind="generate", stage=3, cost=cost)


def edit_beats(project: Project, beats: list[dict[str, Any]]) -> None:
    """Hand edits to the beat sheet (reorder, add, remove, retype): saved to the draft."""
    doc = project.read(BEATS)
    previous = beats_of(project)
    if previous == beats:
        return
    content = artifacts.content_of(doc)
    content["beats"] = [dict(b) for b in beats]
    timelines.save_edit(project, BEATS, content)


def beats_fingerprint(project: Project) -> str | None:
    doc = project.read(BEATS)
    return None if doc is None else fragment_hash(doc, "beats")


def confirm_beats(project: Project) -> None:
    if not beats_of(project):
        raise GateClosed("There are no beats to confirm yet.")
    if project.is_dirty():
        project.commit("Manual edits to Beat Sheet", kind="edit", stage=3)
    # The confirmation is of these beats: editing them lets it lapse until confirmed again.
    lock(project, 3, "Confirmed Beat Sheet", of={f"{BEATS}#beats": beats_fingerprint(project)})


def beat_passage(project: Project, beat: dict[str, Any]) -> tuple[str, int, int]:
    """The treatment paragraph a beat came from, and where its source quote sits in it
    (start, end; -1 when the quote is no longer in the treatment)."""
    text = treatment_text(project)
    quote = str(beat.get("source") or "").strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if quote:
        for para in paragraphs:
            at = para.find(quote)
            if at >= 0:
                return para.strip(), at - (len(para) - len(para.lstrip())), len(quote)
        return quote, -1, 0
    return "", -1, 0
