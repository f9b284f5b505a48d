"""A cap a project's members share (a studio project: issue "Studio…", "Keys and money stay
personal"): every paid request of a job on such a project is first written in the project's
own database — under its lock, with the shared cap checked — then sent (`PaidCall`,
core/money/paid.py, asks here). Two members pressing Render at the same moment, each on
their own machine with their own keys and job library, cannot both pass the cap: the second
finds the first's request written and is refused before anything leaves. A request the
provider refused stops counting; one accepted or uncertain counts, as on one machine.

Each member's machine keeps its own caps too (Settings → Budget, checked by the scheduler);
this is the project's, on top. A bundle has no shared cap: nothing here runs for it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.money.prices import BudgetExceeded
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.project import LINK_NAME


def refusal(estimate: float, spent: float, cap: float) -> str:
    return (
        f"This request would cost about ${estimate:,.2f}, and ${spent:,.2f} of the project's "
        f"shared ${cap:,.2f} budget is already spent or committed by its members. Ask the "
        "studio to raise the project's cap (aiuteur spend --project-cap) to go on."
    )


class Reservation:
    """One paid request written in a shared project before it is sent."""

    def __init__(self, project: Project, gate: Any, key: str) -> None:
        self._project, self._gate, self._key = project, gate, key

    def settle(self, state: str) -> None:
        """accepted | uncertain (counted) or refused (no longer counted); once."""
        if self._key:
            try:
                self._gate.settle(self._key, state)
            finally:
                self._key = ""
                self._project.close()


def reserve(project_path: str | None, job: str, estimate: float) -> Reservation | None:
    """Write a paid request of `estimate` in the shared project at `project_path` (None when
    the project shares no cap); BudgetExceeded, with nothing written, when it would pass."""
    if estimate <= 0 or not project_path or not (Path(project_path) / LINK_NAME).is_file():
        return None
    project = Project.open(Path(project_path))
    gate = project.spend_gate()
    if gate is None:
        project.close()
        return None
    key = f"{job}#{uuid.uuid4().hex[:12]}"
    try:
        written, spent, cap = gate.reserve(key, estimate, job)
    except BaseException:
        project.close()
        raise
    if not written:
        project.close()
        raise BudgetExceeded(refusal(estimate, spent, cap))
    return Reservation(project, gate, key)
