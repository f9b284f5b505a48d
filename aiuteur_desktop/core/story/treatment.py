"""Stage 2 (PRD §3.2, §8.2): the three treatments, the choice, edits and revisions."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core.store import Project, artifacts, timelines
from aiuteur_desktop.core.store.status import fingerprint
from aiuteur_desktop.core.story.common import BEATS, CONFIG, TREATMENT
from aiuteur_desktop.core.story.schemas import TreatmentOut


# ----------------------------------------------------------------- Stage 2
def treatment_doc(project: Project) -> dict[str, Any]:
    doc = project.read(TREATMENT)
    return doc if isinstance(doc, dict) else {}


def treatment_text(project: Project) -> str:
    return str(treatment_doc(project).get("text") or "")


def failed_variant(reason: str) -> dict[str, Any]:
    """The place of a treatment that could not be written, saying why (written again alone
    from its card: `fill_treatment`)."""
    return {"title": "", "logline": "", "text": "", "failed": reason}


def save_treatments(
    project: Project,
    variants: list[dict[str, Any]],
    message: str,
    *,
    model: str | None,
    template: str,
    context: list[str],
    cost: float = 0.0,
    commit: bool = True,
) -> None:
    """Fresh treatments — the three, or those that were written with a `failed_variant` in
    the place of each other one; the first written becomes active. A commit on the current
    branch (without `commit`: the draft only — those written so far while the others are
    still being written, kept should the app stop before the commit)."""
    tree = project.branch().draft
    active = next(i for i, v in enumerate(variants) if not v.get("failed"))
    doc = artifacts.make(
        {
            "title": variants[active]["title"],
            "logline": variants[active]["logline"],
            "text": variants[active]["text"],
            "variants": variants,
            "active": active,
        },
        inputs=fingerprint(project, tree, [CONFIG]),
        model=model,
        template=template,
        context=context,
        cost=cost,
    )
    project.write(TREATMENT, doc)
    if commit:
        project.commit(message, kind="generate", stage=2, cost=cost)


def fill_treatment(
    project: Project, index: int, variant: dict[str, Any], message: str, *, cost: float = 0.0
) -> None:
    """A treatment written again alone into its place among the three (one that had failed,
    or one redone); the active treatment and its edits stay as they are. A commit."""
    doc = dict(treatment_doc(project))
    variants = list(doc.get("variants") or [])
    while len(variants) <= index:
        variants.append(failed_variant("Not written yet."))
    variants[index] = variant
    doc["variants"] = variants
    project.write(TREATMENT, doc)
    project.commit(message, kind="generate", stage=2, cost=cost)


def choose_treatment(project: Project, index: int) -> None:
    doc = dict(treatment_doc(project))
    variant = doc["variants"][index]
    if variant.get("failed"):
        raise ValueError(f"treatment {index + 1} was not written")
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
