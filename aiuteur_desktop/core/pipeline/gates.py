"""Gates (DESIGN.md): why a stage cannot open yet, and which stage's page the way forward
is on — one rule per stage, so the message and its button always agree."""

from __future__ import annotations

from dataclasses import dataclass

from aiuteur_desktop.core import story
from aiuteur_desktop.core.production import checkout, frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project, artifacts, stages
from aiuteur_desktop.core.story import master_script

#: What finishing each Phase A stage means, said to someone waiting on it.
_FINISH = {
    1: "Lock the Project Setup in Stage 1 first.",
    2: "Choose and lock a treatment in Stage 2 first.",
    3: (
        "Confirm the Beat Sheet first: it is the structural lock the Master Script is "
        "written from (Stage 3 → “Confirm Beat Sheet & Proceed”)."
    ),
    4: "Approve the Master Script in Stage 4 first.",
}
#: A confirmation that lapsed because what it confirmed was edited since.
_LAPSED = {
    3: (
        "The Beat Sheet was edited after you confirmed it: confirm it again (Stage 3 → "
        "“Confirm Beat Sheet & Proceed”). The Master Script stays as it is until you "
        "regenerate it from the new beats."
    ),
}
SKIPPED = (
    "Skipped: this project started from a finished screenplay (Mode D), so there is no "
    "treatment or beat sheet. Work on the Master Script in Stage 4."
)
#: Phase B stages that exist; the rest of the scene workflow is still to be built.
BUILT = frozenset({6, 7, 8, 9, 10, 11, 12})


@dataclass(frozen=True)
class Gate:
    """A closed stage: why, and where to go about it."""

    reason: str
    target: int  # the stage whose page the button opens
    skipped: bool = False  # not waiting on anything: this project does without the stage
    scene: str = ""  # the button picks this scene (Phase B before a scene is chosen)
    button: str = ""  # the button's words; "" = "Go to Stage N · Name"

    @property
    def button_text(self) -> str:
        if self.button:
            return self.button
        name = next(s.name for s in stages.ALL if s.number == self.target)
        return f"Go to Stage {self.target} · {name}"


def imported(project: Project) -> bool:
    """The Master Script came in finished (Mode D, `aiuteur script import`): the stages that
    write one — setup, treatment, beat sheet — do not stand in its way."""
    doc = project.read(artifacts.SCRIPT)
    # A script written from a beat sheet records it among its inputs (hand edits keep them).
    return isinstance(doc, dict) and artifacts.BEATS not in (doc.get("inputs") or {})


def _waiting_on(project: Project, before: int) -> Gate | None:
    bypass = imported(project)
    for k in range(1, before):
        if not story.is_locked(project, k) and not (bypass and k <= 3):
            if k in _LAPSED and stages.lapsed(project, story.STAGE[k]):
                return Gate(_LAPSED[k], k)
            return Gate(_FINISH[k], k)
    return None


def skipped(project: Project, number: int) -> bool:
    """Stage 2 or 3 has no place in this project (its script was imported)."""
    return number in (2, 3) and (
        story.skipped(project, number)
        or (imported(project) and not story.is_locked(project, number))
    )


def gate(project: Project, number: int, scene: str | None = None) -> Gate | None:
    """Why stage `number` cannot be opened now (None when it can). `scene` is the scene
    picked in the Script Hub, for the scene workflow (Stages 6–12). Worked out once per
    content of the draft: going from stage to stage asks again and again, changing nothing."""
    return project.at_draft(f"gate {number} {scene}", lambda: _gate(project, number, scene))


def _gate(project: Project, number: int, scene: str | None = None) -> Gate | None:
    if skipped(project, number):
        return Gate(SKIPPED, 4, skipped=True)
    if 2 <= number <= 4:
        return _waiting_on(project, number)
    if number >= 5 and not story.is_locked(project, 4):
        # The approved script is what everything after Stage 4 is made from; when Stage 4
        # itself is closed, the way there comes first.
        return _waiting_on(project, 4) or Gate(_FINISH[4], 4)
    if number >= 6 and scene is None:
        play = master_script.current(project)
        first = play.scenes()[0] if play is not None and play.scenes() else None
        if first is None:
            return Gate("The Master Script has no scenes yet.", 4)
        return Gate(
            "Pick a scene: the Script Hub on the left lists every scene of the script.",
            6,
            scene=first.id,
            button=f"Open scene {first.label} · {first.title}"[:80],
        )
    if number == 8 and scene is not None and not shot_list.is_locked(project, scene):
        label = master_script.label_of(project, scene)
        return Gate(
            f"Lock the shot list of scene {label} first: its starting looks are found from "
            "the shots (Stage 7 → Lock Shot List).",
            7,
            scene=scene,
        )
    if number == 9 and scene is not None:
        waiting = gate(project, 8, scene)
        if waiting is not None:
            return waiting
        reason = visuals.gate(project, scene)
        if reason is not None:
            return Gate(reason, 8, scene=scene)
    if number == 10 and scene is not None:
        waiting = gate(project, 9, scene)
        if waiting is not None:
            return waiting
        reason = prompts.gate(project, scene)
        if reason is not None:
            return Gate(reason, 9, scene=scene)
    if number == 11 and scene is not None:
        waiting = gate(project, 10, scene)
        if waiting is not None:
            return waiting
        if not any(s.made for s in frames.slots(project, scene)):
            return Gate(
                "Make and approve the scene's anchor frames first: every shot is rendered "
                "from them (Stage 10 → Make Frames).",
                10,
                scene=scene,
            )
    if number == 12 and scene is not None:
        waiting = gate(project, 11, scene)
        if waiting is not None:
            return waiting
        if checkout.confirmed(project, scene) is None:
            return Gate(
                "Confirm the scene for render first: Stage 11 shows every shot's price "
                "(Confirm & Render).",
                11,
                scene=scene,
            )
    return None
