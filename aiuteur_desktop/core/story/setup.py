"""Stage 1 (PRD §3.1, §8.1): the project setup, its staged inputs, and Mode B condensing."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, ValidationError

from aiuteur_desktop.core.context import estimate_tokens
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story.common import (
    CONFIG,
    CONTEXT,
    CONTEXT_TAGS,
    INPUTS,
    MIN_GUIDANCE,
    MODES,
    PRIMARY,
    PROJECT_TYPES,
    lock,
)


# ------------------------------------------------------------------ Stage 1
class StagedFile(BaseModel):
    """A file in the staging area: its extracted text and its role."""

    name: str
    role: str = CONTEXT
    tag: str = CONTEXT_TAGS[0]
    text: str = ""
    kind: str = "text"  # "screenplay", "sheet" (Mode D definition sheet) or "text"


class Setup(BaseModel):
    """The global project parameters (PRD §8.1) and the input."""

    min_minutes: float = 3.0
    max_minutes: float = 5.0
    project_type: str = PROJECT_TYPES[0]
    rating: str = "PG-13"
    genres: list[str] = Field(default_factory=list)
    tonal_precision: str = ""
    written_style: str = ""
    mode: str = "A"
    idea: str = ""
    twist: str = ""
    files: list[StagedFile] = Field(default_factory=list)

    def primary(self) -> StagedFile | None:
        return next((f for f in self.files if f.role == PRIMARY), None)

    def context_files(self) -> list[StagedFile]:
        return [f for f in self.files if f.role != PRIMARY]

    def length_text(self) -> str:
        return f"{_minutes(self.min_minutes)} to {_minutes(self.max_minutes)} minutes"

    def problems(self) -> list[str]:
        """What stops the setup from being locked, in the order the form shows it."""
        out = []
        if not 0 < self.min_minutes <= self.max_minutes:
            out.append("The target length needs a minimum no longer than its maximum.")
        if self.mode != "D" and len(self.tonal_precision.strip()) < MIN_GUIDANCE:
            # A finished screenplay already has its tone; the AI modes need it said.
            out.append(f"Tonal precision needs at least {MIN_GUIDANCE} characters.")
        primaries = [f for f in self.files if f.role == PRIMARY]
        if len(primaries) > 1:
            out.append("Designate exactly one Primary Input.")
        primary = self.primary()
        if self.mode == "A" and primary is None and len(self.idea.strip()) < 20:
            out.append("Write your idea (a few sentences at least) or add a file as Primary Input.")
        if self.mode in ("B", "C") and primary is None:
            out.append("Add the source text and designate it as the Primary Input.")
        if self.mode == "C" and len(self.twist.strip()) < 5:
            out.append("Describe the twist (for example “Hamlet in space”).")
        if self.mode == "D" and (primary is None or primary.kind != "screenplay"):
            out.append("Add a Fountain or Final Draft screenplay as the Primary Input.")
        return out

    def constraints(self) -> str:
        """The Project Constraint Tag every prompt carries (global context)."""
        lines = [
            f"Target length: {self.length_text()}.",
            f"Project type: {self.project_type}.",
            f"Content rating: {self.rating}.",
        ]
        if self.genres:
            lines.append(f"Genre: {', '.join(self.genres)}.")
        lines.append(f"Tone: {self.tonal_precision.strip()}")
        if self.project_type == PROJECT_TYPES[2]:
            lines.append(
                "This is visual content for audio: no dialogue; follow the audio's events in order."
            )
        return "\n".join(lines)

    def source_text(self) -> str:
        primary = self.primary()
        return primary.text if primary is not None else self.idea.strip()


def _minutes(value: float) -> str:
    whole = int(value)
    return f"{whole}:{round((value - whole) * 60):02d}"


def read_setup(project: Project) -> Setup:
    config = project.read(CONFIG)
    inputs = project.read(INPUTS)
    if not isinstance(config, dict):
        return Setup()
    data = dict(config.get("setup") or {})
    files = inputs.get("files") if isinstance(inputs, dict) else None
    data["files"] = files or []
    try:
        return Setup.model_validate(data)
    except ValidationError:
        return Setup()


def save_setup(project: Project, setup: Setup, *, condensed: str = "") -> None:
    """Write the setup to the draft (the form autosaves); `lock_setup` commits it."""
    data = setup.model_dump(exclude={"files"})
    project.write(
        CONFIG,
        {
            "setup": data,
            "constraints": setup.constraints(),
            "summary": condensed or _summary_of(project),
            "written_style": setup.written_style,
        },
    )
    project.write(INPUTS, {"files": [f.model_dump() for f in setup.files]})


def _summary_of(project: Project) -> str:
    config = project.read(CONFIG)
    return str(config.get("summary") or "") if isinstance(config, dict) else ""


def set_condensed(project: Project, text: str) -> None:
    """Mode B: the condensed narrative replaces the novel as the treatment's source."""
    config = project.read(CONFIG)
    doc = dict(config) if isinstance(config, dict) else {}
    doc["summary"] = text
    project.write(CONFIG, doc)


def condensed(project: Project) -> str:
    return _summary_of(project)


def lock_setup(project: Project, setup: Setup) -> None:
    problems = setup.problems()
    if problems:
        raise GateClosed(problems[0])
    save_setup(project, setup)
    lock(project, 1, f"Project setup · Mode {setup.mode} ({MODES[setup.mode]})")


# ------------------------------------------------------------ Mode B chunks
def chunks(text: str, budget_tokens: int) -> list[str]:
    """Split a long text into parts of at most `budget_tokens`, at paragraph (else sentence)
    boundaries, in order; nothing is dropped."""
    limit = max(200, budget_tokens) * 4
    parts: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", text):
        pieces = [para] if len(para) <= limit else re.split(r"(?<=[.!?])\s+", para)
        for piece in pieces:
            while len(piece) > limit:  # one endless sentence
                if current:
                    parts.append(current)
                    current = ""
                parts.append(piece[:limit])
                piece = piece[limit:]
            if current and len(current) + len(piece) + 2 > limit:
                parts.append(current)
                current = ""
            current = f"{current}\n\n{piece}" if current else piece
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def needs_condensing(setup: Setup, budget_tokens: int) -> bool:
    return setup.mode == "B" and estimate_tokens(setup.source_text()) > budget_tokens // 2
