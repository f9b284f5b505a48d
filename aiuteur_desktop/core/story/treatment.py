"""Stage 2 (PRD §3.2, §8.2): the three treatments, the choice, edits and revisions."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core import artifacts, timelines
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import fingerprint
from aiuteur_desktop.core.story.common import BEATS, CONFIG, TREATMENT
from aiuteur_desktop.core.story.schemas import TreatmentOut


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
