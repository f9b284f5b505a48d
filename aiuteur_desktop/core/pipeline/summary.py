"""What a dashboard card shows of a project, read without opening it for editing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store.project import Project


@dataclass(frozen=True)
class ProjectSummary:
    """What the dashboard card shows, read without opening the project for editing."""

    path: Path
    name: str
    branch: str
    stages_locked: int
    stages_total: int
    modified: float
    error: str = ""
    #: Stages this project does without (Mode D: treatment, beat sheet), out of the total.
    stages_skipped: int = 0
    #: The studio server a shared project lives on ("" for a bundle on this machine).
    shared_on: str = ""


def read_summary(bundle: Path) -> ProjectSummary:
    """Everything a dashboard card needs; never raises (errors go into `error`)."""
    from aiuteur_desktop.core.store import stages

    bundle = Path(bundle)
    try:
        with Project.open(bundle) as project:
            return ProjectSummary(
                path=bundle,
                name=project.name,
                branch=project.current_branch,
                stages_locked=stages.count_locked(project),
                stages_total=len(stages.PHASE_A),
                modified=project.last_modified(),
                stages_skipped=stages.count_skipped(project),
                shared_on=project.shared_on,
            )
    except ProjectError as exc:
        return ProjectSummary(
            bundle, bundle.stem, "", 0, len(stages.PHASE_A), 0.0, exc.user_message
        )
