"""What each Phase A generation sends: template, variables and the global context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core import master_script
from aiuteur_desktop.core.context import ContextManager
from aiuteur_desktop.core.formats import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story.beats import beats_of, numbered
from aiuteur_desktop.core.story.common import ANGLES, BEATS, SCRIPT, TREATMENT
from aiuteur_desktop.core.story.setup import condensed, read_setup
from aiuteur_desktop.core.story.treatment import treatment_text


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
