"""Mode D (PRD §8.1): a finished screenplay becomes the Master Script directly, with an
optional Character/Setting Definition Sheet (JSON) pre-defining master assets; the
treatment and beat sheet are skipped. The app's Stage 1 and `aiuteur script import` make
the same project."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, Field, ValidationError

from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.screenplay.elements import Screenplay
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.story import (
    MODES,
    PRIMARY,
    STAGE,
    Setup,
    StagedFile,
    is_locked,
    lock,
    master_script,
    read_setup,
    save_setup,
)


class SheetAsset(BaseModel):
    name: str = Field(min_length=1)
    description: str = ""
    voice: str = ""


class DefinitionSheet(BaseModel):
    """A Character/Setting Definition Sheet (JSON): pre-defined master assets."""

    characters: list[SheetAsset] = Field(default_factory=list)
    locations: list[SheetAsset] = Field(default_factory=list)
    props: list[SheetAsset] = Field(default_factory=list)


SHEET_EXAMPLE = (
    '{"characters": [{"name": "MARA", "description": "…", "voice": "…"}], '
    '"locations": [{"name": "FERRY DECK", "description": "…"}], "props": []}'
)


def read_sheet(text: str, name: str) -> DefinitionSheet:
    try:
        return DefinitionSheet.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise GateClosed(
            f"{name} is not a definition sheet Aiuteur can read ({str(exc).splitlines()[0][:120]}). "
            f"Expected JSON like {SHEET_EXAMPLE}"
        ) from exc


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "asset"


def import_script(
    project: Project, setup: Setup, play: Screenplay, source: str
) -> tuple[int, master_script.Matching]:
    """Mode D: the screenplay becomes the Master Script, the definition sheet master assets,
    and Stages 2–3 are marked skipped. Returns how many assets the sheet defined and how
    its scenes matched the script it replaced (if any)."""
    return _import(project, setup, play, source)


def _import(
    project: Project, setup: Setup, play: Screenplay, source: str
) -> tuple[int, master_script.Matching]:
    problems = setup.problems()
    if problems:
        raise GateClosed(problems[0])
    sheets = [f for f in setup.context_files() if f.kind == "sheet"]
    parsed = [read_sheet(f.text, f.name) for f in sheets]  # all validated before any write
    save_setup(project, setup)
    lock(project, 1, f"Project setup · Mode D ({MODES['D']})")
    count = 0
    for sheet in parsed:
        for kind, items in (
            ("character", sheet.characters),
            ("location", sheet.locations),
            ("prop", sheet.props),
        ):
            for item in items:
                content = {
                    "kind": kind,
                    "name": item.name.strip(),
                    "description": item.description.strip(),
                }
                if item.voice:
                    content["voice"] = item.voice.strip()
                project.write(
                    f"assets/{_slug(item.name)}", artifacts.make(content, origin=artifacts.IMPORTED)
                )
                count += 1
    for n in (2, 3):
        project.write(STAGE[n].lock_path, {"locked": True, "skipped": True})
    _commit, matching = master_script.import_screenplay(project, play, source)
    return count, matching


def import_file(project: Project, play: Screenplay, name: str, text: str) -> master_script.Matching:
    """A screenplay file brought in from outside the app (`aiuteur script import`): the same
    project Mode D makes. A project not set up yet gets a Mode D setup with the file as its
    Primary Input; one already set up keeps its setup, and its treatment and beat sheet are
    skipped if it never had them. Returns how the scenes matched the previous script."""
    if not is_locked(project, 1):
        setup = read_setup(project).model_copy(
            update={
                "mode": "D",
                "files": [StagedFile(name=name, role=PRIMARY, text=text, kind="screenplay")],
            }
        )
        return _import(project, setup, play, name)[1]
    for n in (2, 3):
        if not is_locked(project, n):
            project.write(STAGE[n].lock_path, {"locked": True, "skipped": True})
    _commit, matching = master_script.import_screenplay(project, play, name)
    return matching


def runtime_note(setup: Setup, seconds: int) -> str:
    """The imported script's running time (`seconds`, its shots' timing as the animatic will
    run it) against the target length, when they disagree ("" when it fits)."""
    if setup.min_minutes * 60 <= seconds <= setup.max_minutes * 60:
        return ""
    return (
        f"Its shots run {seconds // 60}:{seconds % 60:02d}, outside the target length "
        f"({setup.length_text()}) — change the target in Stage 1's Edit Setup, or the script. "
    )
