"""The screenplays written for the tests, projects made from them, and the hand edit of one
line that several tests make to see what a script change outdates."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aiuteur_desktop.core import story
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.elements import Screenplay
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script

DATA = Path(__file__).parent / "data" / "screenplays"


def play(name: str) -> Screenplay:
    """`kitchen_heist` or `night_ferry`, parsed."""
    return fountain.read_string((DATA / f"{name}.fountain").read_text(encoding="utf-8"))


def scripted_project(folder: Path, title: str, script: str, *, approved: bool = False) -> Project:
    """A project whose Master Script is imported from `script` (and approved, if asked)."""
    project = Project.create(folder, title)
    master_script.import_screenplay(project, play(script), f"{script}.fountain")
    if approved:
        story.lock(project, 4, "Approved Master Script")
    return project


def edit_line(project: Project, script: str, old: str, new: str) -> None:
    """Rewrite one element of the script by hand, as the Stage 4 editor saves it."""
    original = play(script)
    elements = list(original.elements)
    i = next(k for k, e in enumerate(elements) if e.text == old)
    elements[i] = dataclasses.replace(elements[i], text=new)
    story.edit_script(project, Screenplay(original.title_page, tuple(elements)))
