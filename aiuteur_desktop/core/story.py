"""Phase A, Stages 1–4 (PRD §3.1–3.4, §8.1–8.4): the story documents, their gates, the model
output schemas and how a validated answer is applied to the project.

Generation itself runs as a job (`providers/story_jobs.py`); this module builds what a job
sends (template + variables + global context) and applies what comes back, always whole —
an answer is validated before anything is written, so nothing is ever half-applied.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from aiuteur_desktop.core import artifacts, master_script, stages, timelines
from aiuteur_desktop.core.context import ContextManager, estimate_tokens
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.formats import fountain
from aiuteur_desktop.core.headings import parse_heading
from aiuteur_desktop.core.screenplay import Screenplay
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import fingerprint, fragment_hash, inputs_of

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


def lock_setup(project: Project, setup: Setup) -> None:
    problems = setup.problems()
    if problems:
        raise GateClosed(problems[0])
    save_setup(project, setup)
    lock(project, 1, f"Project setup · Mode {setup.mode} ({MODES[setup.mode]})")


# ------------------------------------------------------------- model schemas
class TreatmentOut(BaseModel):
    title: str = Field(min_length=1)
    logline: str
    text: str = Field(min_length=200)


class BeatOut(BaseModel):
    text: str = Field(min_length=5)
    source: str


class BeatSheetOut(BaseModel):
    beats: list[BeatOut] = Field(min_length=15, max_length=30)


class BeatTextOut(BaseModel):
    text: str = Field(min_length=5)


class AlternativesOut(BaseModel):
    alternatives: list[str] = Field(min_length=3, max_length=3)


class SubBeatsOut(BaseModel):
    beats: list[str] = Field(min_length=2, max_length=4)


class RewriteOut(BaseModel):
    replacement: str = Field(min_length=1)


class SummaryOut(BaseModel):
    summary: str = Field(min_length=20)


_HEADING = re.compile(r"^(INT\.?|EXT\.?|INT\.?/EXT\.?|I/E\.?|EST\.?)\s", re.IGNORECASE)


class SceneOut(BaseModel):
    heading: str
    beats: list[int]
    body: str = Field(min_length=1)

    @field_validator("heading")
    @classmethod
    def _heading(cls, value: str) -> str:
        value = value.strip().lstrip(".").upper()
        if not _HEADING.match(value):
            raise ValueError(
                "a scene heading starts with INT. or EXT. (e.g. “INT. KITCHEN - NIGHT”)"
            )
        return value


class ScriptOut(BaseModel):
    title: str
    scenes: list[SceneOut] = Field(min_length=1)

    @model_validator(mode="after")
    def _parses(self) -> ScriptOut:
        for n, scene in enumerate(self.scenes, 1):
            if not fountain.read_string(scene.body).elements:
                raise ValueError(f"scene {n} has no readable screenplay text")
        return self


class PropOut(BaseModel):
    name: str = Field(min_length=1)
    description: str


class PropsOut(BaseModel):
    props: list[PropOut] = Field(max_length=40)


SCHEMAS: dict[str, type[BaseModel]] = {
    m.__name__: m
    for m in (
        TreatmentOut,
        BeatSheetOut,
        BeatTextOut,
        AlternativesOut,
        SubBeatsOut,
        RewriteOut,
        SummaryOut,
        ScriptOut,
        PropsOut,
    )
}


# --------------------------------------------------------------- requests
@dataclass(frozen=True)
class Ask:
    """One generation to run as a job: template, variables, schema; what the context held."""

    template: str
    values: dict[str, str]
    schema: str
    context: list[str]
    stage: int
    title: str
    #: Written-style retrieval done by the job (library, query, task); empty = none.
    style: tuple[str, str, str] = ("", "", "")

    def params(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "values": self.values,
            "schema": self.schema,
            "context_ids": self.context,
            "stage": self.stage,
            "style": list(self.style),
        }


def _global(project: Project, budget: int = 6000) -> tuple[str, list[str]]:
    ctx = ContextManager(project).for_story(budget)
    text = ctx.render() or "(no project constraints)"
    return f"# Project context\n{text}", ctx.sources()


def _style(project: Project, query: str, task: str) -> tuple[str, str, str]:
    library = read_setup(project).written_style
    return (library, query[:2000], task) if library else ("", "", "")


def treatment_asks(project: Project, guidance: str = "") -> list[Ask]:
    """Three treatments, one per angle (PRD §3.2), to run concurrently."""
    setup = read_setup(project)
    context, ids = _global(project)
    source = condensed(project) if setup.mode == "B" and condensed(project) else setup.source_text()
    task = {
        "A": "Expand this idea into a full three-act treatment.",
        "B": "Turn this condensed narrative into a treatment for a short film: keep the core "
        "story, trim the rest.",
        "C": f"Rewrite this source as a treatment transformed by the twist: {setup.twist.strip()}",
    }.get(setup.mode, "Write the treatment.")
    for f in setup.context_files():
        if f.text.strip():
            source += f"\n\n# Context file “{f.name}” ({f.tag}) — use for tone and detail\n"
            source += f.text.strip()[:6000]
    if guidance.strip():
        task += f"\nGuidance from the filmmaker: {guidance.strip()}"
    return [
        Ask(
            "treatment.generate",
            {
                "context": context,
                "source": source,
                "task": task,
                "number": str(i + 1),
                "angle": angle,
                "length": setup.length_text(),
            },
            "TreatmentOut",
            ids,
            2,
            f"Treatment {i + 1} of 3",
            _style(project, source[:1000], "narrative prose"),
        )
        for i, angle in enumerate(ANGLES)
    ]


def rewrite_ask(
    project: Project, document: str, text: str, start: int, end: int, instruction: str, stage: int
) -> Ask:
    """Targeted rewrite of text[start:end]; the surrounding text is the context (PRD §3.2)."""
    context, ids = _global(project, 3000)
    return Ask(
        "rewrite.selection",
        {
            "document": document,
            "context": context,
            "before": text[max(0, start - 3000) : start] or "(start of the text)",
            "selection": text[start:end],
            "after": text[end : end + 3000] or "(end of the text)",
            "instruction": instruction.strip(),
        },
        "RewriteOut",
        ids,
        stage,
        f"Rewrite selection ({document})",
    )


def treatment_revise_ask(project: Project, guidance: str) -> Ask:
    context, ids = _global(project)
    return Ask(
        "treatment.revise",
        {
            "context": context,
            "treatment": treatment_text(project),
            "beats": numbered(beats_of(project)),
            "guidance": guidance.strip() or "Make the treatment match the beat sheet.",
        },
        "TreatmentOut",
        [*ids, BEATS],
        2,
        "Revise treatment to the beat sheet",
        _style(project, treatment_text(project)[:1000], "narrative prose"),
    )


def beats_ask(project: Project, guidance: str = "") -> Ask:
    context, ids = _global(project)
    ids = [i for i in ids if i != BEATS]
    return Ask(
        "beats.generate",
        {
            "context": context,
            "treatment": treatment_text(project),
            "guidance": guidance.strip() or "(none)",
            "length": read_setup(project).length_text(),
        },
        "BeatSheetOut",
        [*ids, TREATMENT],
        3,
        "Beat sheet",
    )


def beats_revise_ask(project: Project) -> Ask:
    context, ids = _global(project)
    play = master_script.current(project)
    return Ask(
        "beats.revise",
        {
            "context": context,
            "beats": numbered(beats_of(project)),
            "script": fountain.write_string(play) if play else "",
        },
        "BeatSheetOut",
        [*ids, SCRIPT],
        3,
        "Revise beat sheet to the script",
    )


def _neighbours(beats: list[dict[str, Any]], index: int) -> tuple[str, str]:
    before = beats[index - 1]["text"] if index > 0 else "(this is the first beat)"
    after = beats[index + 1]["text"] if index + 1 < len(beats) else "(this is the last beat)"
    return before, after


def add_beat_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    """A new beat at `index`, between beats[index-1] and beats[index]."""
    context, ids = _global(project, 3000)
    before = beats[index - 1]["text"] if index > 0 else "(none: the new beat opens the film)"
    after = beats[index]["text"] if index < len(beats) else "(none: the new beat ends the film)"
    return Ask(
        "beat.add",
        {"context": context, "before": before, "after": after, "guidance": guidance.strip()},
        "BeatTextOut",
        ids,
        3,
        f"New beat {index + 1}",
    )


def brainstorm_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    context, ids = _global(project, 3000)
    before, after = _neighbours(beats, index)
    return Ask(
        "beat.brainstorm",
        {
            "context": context,
            "before": before,
            "after": after,
            "number": str(index + 1),
            "beat": beats[index]["text"],
            "guidance": guidance.strip() or "Explore genuinely different directions.",
        },
        "AlternativesOut",
        ids,
        3,
        f"Brainstorm beat {index + 1}",
    )


def expand_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    context, ids = _global(project, 3000)
    return Ask(
        "beat.expand",
        {
            "context": context,
            "number": str(index + 1),
            "beat": beats[index]["text"],
            "guidance": guidance.strip() or "Two to four sub-beats.",
        },
        "SubBeatsOut",
        ids,
        3,
        f"Expand beat {index + 1}",
    )


def script_ask(project: Project, guidance: str = "") -> Ask:
    context, ids = _global(project, 8000)
    return Ask(
        "script.generate",
        {
            "context": context,
            "treatment": treatment_text(project),
            "beats": numbered(beats_of(project)),
            "guidance": guidance.strip() or "(first draft)",
        },
        "ScriptOut",
        [*ids, TREATMENT],
        4,
        "Master script",
        _style(project, treatment_text(project)[:1000], "screenplay scenes"),
    )


def props_ask(project: Project, limit: int = 15) -> Ask:
    """Key props of the approved script (Stage 5's extraction agent; characters and locations
    are extracted deterministically)."""
    context, ids = _global(project, 3000)
    play = master_script.current(project)
    return Ask(
        "assets.props",
        {
            "context": context,
            "script": fountain.write_string(play) if play else "",
            "limit": str(limit),
        },
        "PropsOut",
        [*ids, SCRIPT],
        5,
        "Key props",
    )


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


# ----------------------------------------------------------------- Stage 2
def treatment_doc(project: Project) -> dict[str, Any]:
    doc = project.read(TREATMENT)
    return doc if isinstance(doc, dict) else {}


def treatment_text(project: Project) -> str:
    return str(treatment_doc(project).get("text") or "")


def save_treatments(
    project: Project,
    variants: list[dict[str, Any]],
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
) -> None:
    """Three fresh treatments; the first becomes active. A commit on the current branch."""
    tree = project.branch().draft
    doc = artifacts.make(
        {
            "title": variants[0]["title"],
            "logline": variants[0]["logline"],
            "text": variants[0]["text"],
            "variants": variants,
            "active": 0,
        },
        inputs=fingerprint(project, tree, [CONFIG]),
        model=model,
        template=template,
        context=context,
        cost=cost,
    )
    project.write(TREATMENT, doc)
    project.commit(message, kind="generate", stage=2, cost=cost)


def choose_treatment(project: Project, index: int) -> None:
    doc = dict(treatment_doc(project))
    variant = doc["variants"][index]
    doc.update(
        active=index, title=variant["title"], logline=variant["logline"], text=variant["text"]
    )
    doc["origin"] = artifacts.GENERATED
    project.write(TREATMENT, doc)
    project.commit(f"Chose treatment {index + 1}: {variant['title']}", kind="edit", stage=2)


def edit_treatment(project: Project, text: str) -> None:
    """A hand edit: it wins over the generated text (draft; committed with the next step)."""
    doc = treatment_doc(project)
    if doc.get("text") == text:
        return
    content = artifacts.content_of(doc)
    content["text"] = text
    timelines.save_edit(project, TREATMENT, content)


def revise_treatment(
    project: Project,
    value: TreatmentOut,
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
) -> None:
    """Retroactive revision / full regeneration: a new version on the same branch, recording
    the beat sheet it was synced with (which clears the "Not up-to-date" flag)."""
    tree = project.branch().draft
    content = artifacts.content_of(treatment_doc(project))
    content.update(title=value.title, logline=value.logline, text=value.text)
    keys = [CONFIG] + ([BEATS] if project.read(BEATS) is not None else [])
    doc = artifacts.make(
        content,
        inputs=fingerprint(project, tree, keys),
        model=model,
        template=template,
        context=context,
        cost=cost,
    )
    project.write(TREATMENT, doc)
    project.commit(message, kind="generate", stage=2, cost=cost)


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


# ----------------------------------------------------------------- Stage 4
def script_from(value: ScriptOut) -> tuple[Screenplay, list[list[int]]]:
    """The generated scenes as one screenplay, and each scene's beat numbers."""
    text = "\n\n".join(f"{s.heading}\n\n{s.body.strip()}" for s in value.scenes)
    play = fountain.read_string(text)
    if value.title:
        play = Screenplay((("Title", value.title),), play.elements)
    return play, [list(s.beats) for s in value.scenes]


def save_generated_script(
    project: Project,
    value: ScriptOut,
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
) -> None:
    """Raises BranchRequired (nothing written) when the beats changed since the last script."""
    play, beat_map = script_from(value)
    content = master_script.to_document(play, project.read(SCRIPT))
    for scene, numbers in zip(content["scenes"], beat_map, strict=False):
        scene["beats"] = numbers
    timelines.save_generated_script(
        project, content, cost=cost, model=model, extra_inputs=[TREATMENT]
    )
    doc = project.read(SCRIPT)
    assert isinstance(doc, dict)
    doc = {**doc, "template": template, "context": context}
    project.write(SCRIPT, doc)
    _unapprove(project, 4)  # nobody has read the new script yet: approval is the user's click
    project.commit(message, kind="generate", stage=4, cost=cost)


def _unapprove(project: Project, number: int) -> None:
    """Take back a stage's lock (confirmation, approval) when what it approved changed."""
    if project.read(STAGE[number].lock_path) is not None and not skipped(project, number):
        project.delete(STAGE[number].lock_path)


def edit_script(project: Project, play: Screenplay) -> None:
    """A hand edit of the Master Script; each scene keeps its id and its beat mapping."""
    previous = project.read(SCRIPT)
    old_scenes = (previous or {}).get("scenes") or [] if isinstance(previous, dict) else []
    beats = {s.get("id"): s["beats"] for s in old_scenes if isinstance(s, dict) and "beats" in s}
    content = master_script.to_document(play, previous)
    for scene in content["scenes"]:
        if scene["id"] in beats:
            scene["beats"] = beats[scene["id"]]
    if artifacts.content_of(previous) == content:
        return
    timelines.save_edit(project, SCRIPT, content)
    if previous is not None and "next_scene" not in artifacts.content_of(previous):
        master_script.carry_legacy_inputs(project, previous, project.read(SCRIPT))


def scene_beats(project: Project) -> list[list[int]]:
    """For each scene of the script, the beat numbers (1-based) it covers. Scenes without a
    recorded mapping (imported or hand-added) are spread evenly over the beats."""
    doc = project.read(SCRIPT)
    scenes = doc.get("scenes") if isinstance(doc, dict) else None
    beats = len(beats_of(project))
    out: list[list[int]] = []
    for i, scene in enumerate(scenes or []):
        mapped = [int(n) for n in scene.get("beats") or [] if 1 <= int(n) <= beats]
        if not mapped and beats:
            mapped = [min(beats, 1 + i * beats // max(1, len(scenes or [])))]
        out.append(mapped)
    return out


def approve_script(project: Project) -> None:
    if master_script.current(project) is None:
        raise GateClosed("There is no Master Script to approve yet.")
    if project.is_dirty():
        project.commit("Manual edits to Master Script", kind="edit", stage=4)
    lock(project, 4, "Approved Master Script")


def script_synced_to_beats(project: Project) -> bool:
    """False when the Beat Sheet changed after the script was written (Stage 4's flag)."""
    return not timelines.beats_changed_since_script(project)


def scenes(project: Project) -> list[dict[str, Any]]:
    """The scene list Phase B starts from (number, heading, INT/EXT, location, time of day)."""
    doc = project.read(SCRIPT)
    out = []
    for s in (doc.get("scenes") if isinstance(doc, dict) else None) or []:
        h = parse_heading(str(s.get("heading", "")))
        out.append(
            {
                "id": s.get("id"),
                "number": s.get("number"),
                "heading": s.get("heading"),
                "int_ext": s.get("int_ext") or h.int_ext,
                "location": s.get("location") or h.location,
                "time_of_day": s.get("time_of_day") or h.time_of_day,
            }
        )
    return out


def recorded(doc: Any, key: str) -> str | None:
    return inputs_of(doc).get(key)
