"""Scenes taken to their frames in one go (issue "A feature film's screenplay, at the speed of
a short"): the steps of Stages 7–10 that need no judgement — lock the shot list as timed,
accept the looks a scene inherits by locking them, assemble the prompts, choose Quick mode —
scene after scene, stopping at the first scene that needs a decision and saying why. What it
leaves is the list of frames to make, for one priced confirmation (nothing here spends).

Run it off the UI thread: a feature's twenty scenes are a few hundred documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.core.story import master_script

#: (fraction done, what is being done now)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Frame:
    """A frame the batch found to make: a Quick-mode scene's frame not made or outdated."""

    scene: str
    shot: str
    which: str


@dataclass
class Advanced:
    """What `advance` did, what is left to make, and where it stopped (if it did)."""

    ready: list[str] = field(default_factory=list)  # scenes whose frames can be made now
    to_make: list[Frame] = field(default_factory=list)
    locked_shot_lists: int = 0
    locked_looks: int = 0
    assembled: int = 0  # Prompt Sets written
    stopped_at: str | None = None  # the scene that needs a decision
    why: str = ""  # … in the words of the page that takes it
    stage: int = 0  # … and that page
    cancelled: bool = False

    def summary(self) -> str:
        """One sentence of what was done, for the confirmation and the progress line."""
        did = [
            f"{n} {noun}{'s' * (n != 1)}"
            for n, noun in (
                (self.locked_shot_lists, "shot list"),
                (self.locked_looks, "starting look"),
            )
            if n
        ]
        scenes = len(self.ready)
        said = f"{scenes} scene{'s' * (scenes != 1)} ready for frames"
        if did:
            said += " (locked " + " and ".join(did) + ")"
        if self.assembled:
            said += f"; {self.assembled} Prompt Set{'s' * (self.assembled != 1)} assembled"
        return said + "."

    def stop_text(self, label: Callable[[str], str]) -> str:
        if self.cancelled:
            return "Stopped as you asked; what was done is kept."
        if self.stopped_at is None:
            return ""
        return f"Stopped at scene {label(self.stopped_at)}: {self.why}"


def _stop(done: Advanced, scene: str, why: str, stage: int) -> Advanced:
    done.stopped_at, done.why, done.stage = scene, why, stage
    return done


def advance(
    project: Project,
    scenes: list[str],
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Advanced:
    """Take `scenes`, in order, as far as their frames without a decision (each step one
    commit, as its page makes it); stop at the first scene that needs one."""
    done = Advanced()
    for i, scene in enumerate(scenes):
        if cancelled is not None and cancelled():
            done.cancelled = True
            return done
        label = master_script.label_of(project, scene)
        if progress is not None:
            progress(i / max(1, len(scenes)), f"Scene {label} ({i + 1} of {len(scenes)})")
        why = _one(project, scene, done)
        if why is not None:
            return _stop(done, scene, *why)
        done.ready.append(scene)
    if progress is not None:
        progress(1.0, "Done")
    return done


def _one(project: Project, scene: str, done: Advanced) -> tuple[str, int] | None:
    """One scene through Stages 7–10 (the reason and stage when it needs a decision)."""
    closed = gates.gate(project, 7, scene)
    if closed is not None:
        return closed.reason, closed.target
    if not shot_list.is_locked(project, scene):
        rows = shot_list.current(project, scene)
        if not rows:
            return "it has no shots to lock (Stage 7).", 7
        shot_list.lock(project, scene, rows)
        done.locked_shot_lists += 1
    items = visuals.elements(project, scene)
    deciding = [e.name for e in items if e.review != visuals.LOCKED and not _inherits(e)]
    if deciding:
        names = ", ".join(deciding[:4]) + (
            f" and {len(deciding) - 4} more" if len(deciding) > 4 else ""
        )
        return f"decide the starting look of {names} (Stage 8): nothing to inherit as it is.", 8
    accept = [e.slug for e in items if e.review != visuals.LOCKED]
    if accept:
        visuals.set_locked(project, scene, accept, True)
        done.locked_looks += len(accept)
    reason = visuals.gate(project, scene)
    if reason is not None:
        return reason, 8
    done.assembled += prompts.assemble(project, scene)
    reason = prompts.gate(project, scene)
    if reason is not None:
        return reason, 9
    mode = frames.mode_of(project, scene)
    if mode is None:
        frames.set_mode(project, scene, frames.QUICK)
    elif mode.get("mode") != frames.QUICK:
        return "its frames are made one at a time in Control mode (Stage 10).", 10
    todo = [
        s for s in frames.slots(project, scene)
        if not s.made or s.status not in (Status.UP_TO_DATE, Status.MISSING)
    ]  # fmt: skip
    for s in todo:
        reason = frames.blocked(project, scene, s.shot, s.which)
        if reason is not None:
            return reason, 10
    done.to_make += [Frame(scene, s.shot, s.which) for s in todo]
    return None


def _inherits(e: visuals.Element) -> bool:
    """A look accepted as it comes: from its master asset or an earlier scene, untouched."""
    return e.source in (visuals.MASTER, visuals.PRIOR) and e.review == visuals.UNREVIEWED
