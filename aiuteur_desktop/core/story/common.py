"""Phase A vocabulary shared by Stages 1–4: document paths, choices, stage locks."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core.store import Project, artifacts, stages

CONFIG = "stage1/config"
INPUTS = "stage1/inputs"
TREATMENT = artifacts.TREATMENT
BEATS = artifacts.BEATS
SCRIPT = artifacts.SCRIPT

STAGE = {s.number: s for s in stages.PHASE_A}

PROJECT_TYPES = ("Narrative Short Film", "Commercial / Trailer", "Video for Audio")
RATINGS = ("G", "PG", "PG-13", "M")
GENRES = (
    "Action",
    "Comedy",
    "Drama",
    "Fantasy",
    "Horror",
    "Mystery",
    "Romance",
    "Science Fiction",
    "Thriller / Suspense",
    "Documentary",
    "Animation",
    "Musical",
)
MODES = {
    "A": "Expansion",
    "B": "Condensation",
    "C": "Transformation",
    "D": "Script Skip",
}
MODE_HELP = {
    "A": "Expand an idea of one to three paragraphs into a full three-act treatment.",
    "B": "Condense a long text (a novel, 100+ pages) into a core cinematic narrative.",
    "C": "Rewrite a source text around a twist (“Hamlet in space”).",
    "D": "Bring a finished screenplay (Fountain or Final Draft): it becomes the Master "
    "Script directly, skipping the treatment and beat sheet.",
}
CONTEXT_TAGS = ("Character Notes", "World Building", "Parody Source", "Visual Reference Text")
PRIMARY = "primary"
CONTEXT = "context"
MIN_GUIDANCE = 10
AUDIO_ADVICE = (
    "Video for Audio works best from a timestamped transcript of the audio: add it as the "
    "Primary Input, so the story follows the audio moment by moment."
)
#: Treatments are asked to differ along these lines (PRD §3.2), one angle each.
ANGLES = (
    "the most faithful telling, in the tone the constraints ask for, ending as the source suggests",
    "a different tone and a different ending: same premise, the story resolves another way",
    "a different chronology: tell it out of order (open at the end, or in flashback) so the "
    "structure itself surprises",
)


def guidance_problem(text: str) -> str:
    """Why this Regeneration Guidance is not enough yet ('' when it is)."""
    n = len(text.strip())
    if n >= MIN_GUIDANCE:
        return ""
    return f"Say why in at least {MIN_GUIDANCE} characters ({MIN_GUIDANCE - n} more)."


def lock(
    project: Project, number: int, message: str, *, kind: str = "approve", **extra: Any
) -> None:
    project.write(STAGE[number].lock_path, {"locked": True, **extra})
    project.commit(message, kind=kind, stage=number)


def is_locked(project: Project, number: int) -> bool:
    return stages.is_locked(project, STAGE[number])


def skipped(project: Project, number: int) -> bool:
    doc = project.read(STAGE[number].lock_path)
    return isinstance(doc, dict) and bool(doc.get("skipped"))


def _unapprove(project: Project, number: int) -> None:
    """Take back a stage's lock (confirmation, approval) when what it approved changed."""
    if project.read(STAGE[number].lock_path) is not None and not skipped(project, number):
        project.delete(STAGE[number].lock_path)
