"""What each Phase A generation sends: template, variables and the global context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.context import ContextManager, estimate_tokens
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
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


def shorten_context(context: str, tokens: int) -> str:
    """The rendered project context (`_global`) within `tokens`: its last sections — the
    Context Manager renders the most important first — dropped whole, then the last one
    left cut short. For a model whose window turns out smaller than the request assumed."""
    if estimate_tokens(context) <= tokens:
        return context
    sections = context.split("\n\n## ")
    kept: list[str] = []
    used = 0
    for section in sections:
        size = estimate_tokens(section) + 2
        if used + size > tokens:
            room = (tokens - used) * 4 - 8
            if room > 200 or not kept:
                kept.append(section[: max(0, room)].rstrip() + " […]")
            break
        kept.append(section)
        used += size
    return "\n\n## ".join(kept)


@dataclass(frozen=True)
class Kind:
    """What every request of one template shares: the answer's schema, the stage it serves,
    how much global context it may take, the documents it reads (recorded as context) and
    the written-style task it retrieves passages for ("" = none)."""

    schema: str
    stage: int
    budget: int = 6000
    reads: tuple[str, ...] = ()
    style: str = ""
    leave_out: tuple[str, ...] = ()  # context pieces it must not see (it replaces them)


#: Every Phase A request, by template: one row each.
KINDS = {
    "treatment.generate": Kind("TreatmentOut", 2, style="narrative prose"),
    "treatment.revise": Kind("TreatmentOut", 2, reads=(BEATS,), style="narrative prose"),
    "rewrite.selection": Kind("RewriteOut", 0, 3000),  # the stage is the caller's
    "beats.generate": Kind("BeatSheetOut", 3, reads=(TREATMENT,), leave_out=(BEATS,)),
    "beats.revise": Kind("BeatSheetOut", 3, reads=(SCRIPT,)),
    "beat.add": Kind("BeatTextOut", 3, 3000),
    "beat.brainstorm": Kind("AlternativesOut", 3, 3000),
    "beat.expand": Kind("SubBeatsOut", 3, 3000),
    "script.generate": Kind("ScriptOut", 4, 8000, reads=(TREATMENT,), style="screenplay scenes"),
    "assets.props": Kind("PropsOut", 5, 3000, reads=(SCRIPT,)),
}


def build(
    project: Project,
    template: str,
    values: dict[str, str],
    title: str,
    *,
    stage: int = 0,
    style_query: str = "",
) -> Ask:
    """The one request builder: the template's row, the global context, the values."""
    kind = KINDS[template]
    context, ids = _global(project, kind.budget)
    ids = [i for i in ids if i not in kind.leave_out]
    library = read_setup(project).written_style if kind.style else ""
    style = (library, style_query[:1000], kind.style) if library else ("", "", "")
    return Ask(
        template,
        {"context": context, **values},
        kind.schema,
        [*ids, *kind.reads],
        stage or kind.stage,
        title,
        style,
    )


def treatment_asks(project: Project, guidance: str = "") -> list[Ask]:
    """Three treatments, one per angle (PRD §3.2), to run concurrently."""
    setup = read_setup(project)
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
        build(
            project,
            "treatment.generate",
            {
                "source": source,
                "task": task,
                "number": str(i + 1),
                "angle": angle,
                "length": setup.length_text(),
            },
            f"Treatment {i + 1} of 3",
            style_query=source,
        )
        for i, angle in enumerate(ANGLES)
    ]


def rewrite_ask(
    project: Project, document: str, text: str, start: int, end: int, instruction: str, stage: int
) -> Ask:
    """Targeted rewrite of text[start:end]; the surrounding text is the context (PRD §3.2)."""
    values = {
        "document": document,
        "before": text[max(0, start - 3000) : start] or "(start of the text)",
        "selection": text[start:end],
        "after": text[end : end + 3000] or "(end of the text)",
        "instruction": instruction.strip(),
    }
    return build(
        project, "rewrite.selection", values, f"Rewrite selection ({document})", stage=stage
    )


def treatment_revise_ask(project: Project, guidance: str) -> Ask:
    treatment = treatment_text(project)
    values = {
        "treatment": treatment,
        "beats": numbered(beats_of(project)),
        "guidance": guidance.strip() or "Make the treatment match the beat sheet.",
    }
    return build(
        project,
        "treatment.revise",
        values,
        "Revise treatment to the beat sheet",
        style_query=treatment,
    )


def beats_ask(project: Project, guidance: str = "") -> Ask:
    values = {
        "treatment": treatment_text(project),
        "guidance": guidance.strip() or "(none)",
        "length": read_setup(project).length_text(),
    }
    return build(project, "beats.generate", values, "Beat sheet")


def beats_revise_ask(project: Project) -> Ask:
    play = master_script.current(project)
    values = {
        "beats": numbered(beats_of(project)),
        "script": fountain.write_string(play) if play else "",
    }
    return build(project, "beats.revise", values, "Revise beat sheet to the script")


def _neighbours(beats: list[dict[str, Any]], index: int) -> tuple[str, str]:
    before = beats[index - 1]["text"] if index > 0 else "(this is the first beat)"
    after = beats[index + 1]["text"] if index + 1 < len(beats) else "(this is the last beat)"
    return before, after


def add_beat_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    """A new beat at `index`, between beats[index-1] and beats[index]."""
    before = beats[index - 1]["text"] if index > 0 else "(none: the new beat opens the film)"
    after = beats[index]["text"] if index < len(beats) else "(none: the new beat ends the film)"
    values = {"before": before, "after": after, "guidance": guidance.strip()}
    return build(project, "beat.add", values, f"New beat {index + 1}")


def brainstorm_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    before, after = _neighbours(beats, index)
    values = {
        "before": before,
        "after": after,
        "number": str(index + 1),
        "beat": beats[index]["text"],
        "guidance": guidance.strip() or "Explore genuinely different directions.",
    }
    return build(project, "beat.brainstorm", values, f"Brainstorm beat {index + 1}")


def expand_ask(project: Project, beats: list[dict[str, Any]], index: int, guidance: str) -> Ask:
    values = {
        "number": str(index + 1),
        "beat": beats[index]["text"],
        "guidance": guidance.strip() or "Two to four sub-beats.",
    }
    return build(project, "beat.expand", values, f"Expand beat {index + 1}")


def script_ask(project: Project, guidance: str = "") -> Ask:
    treatment = treatment_text(project)
    values = {
        "treatment": treatment,
        "beats": numbered(beats_of(project)),
        "guidance": guidance.strip() or "(first draft)",
    }
    return build(project, "script.generate", values, "Master script", style_query=treatment)


def props_ask(project: Project, limit: int = 15) -> Ask:
    """Key props of the approved script (Stage 5's extraction agent; characters and locations
    are extracted deterministically)."""
    play = master_script.current(project)
    values = {"script": fountain.write_string(play) if play else "", "limit": str(limit)}
    return build(project, "assets.props", values, "Key props")
