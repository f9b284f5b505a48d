"""A scene's frames and renders run to their end on this thread (`aiuteur frames`, `aiuteur
render` and the MCP server's tools): the same operations, jobs, claims, caps and paid-call
rules as the window's runner, returning what was made as plain data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.jobs import JobState, JobStore
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.core.operations.frame_image import FrameImage
from aiuteur_desktop.core.production import checkout, frames, takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status


class FrameFailed(AiuteurError):
    """A frame's job ended without an image: the one line to say (what was made stays)."""


def undecided(store: JobStore, bundle: Path) -> set[tuple[Any, Any, Any]]:
    """(scene, shot, which) of this project's frames whose last request may have been
    charged: the user decides (Jobs page) before they are sent again."""
    return {
        (j.params.get("scene"), j.params.get("shot"), j.params.get("which"))
        for j in store.recent(states={JobState.DECIDE})
        if j.kind == FrameImage.kind
        and Path(str(j.params.get("bundle", ""))).resolve() == bundle.resolve()
    }


def frames_price(
    project: Project, scene_id: str, mode: str, approve: bool, model: str, source: Any
) -> tuple[int, float]:
    """How many frames `make_frames` would send and the price of each (0 when nothing is to
    make, or the model is free)."""
    todo = [
        s for s in frames.slots(project, scene_id)
        if not (s.made and s.status in (Status.UP_TO_DATE,))
    ]  # fmt: skip
    first = next(
        (s for s in todo if frames.blocked(project, scene_id, s.shot, s.which) is None), None
    )
    if first is None:
        return 0, 0.0
    each = FrameImage.prepare(
        project, scene_id, first.shot, first.which, model=model, source=source
    ).estimate
    return (len(todo) if mode == frames.QUICK or approve else 1), each


def make_frames(
    store: JobStore,
    budget: Budget,
    project: Project,
    scene_id: str,
    *,
    mode: str,
    approve: bool,
    model: str,
    source: Any,
    again: bool = False,
) -> dict[str, Any]:
    """Make the scene's missing or outdated frames in chain order: Quick all of them; Control
    the next one, or each approved before the next with `approve`. A frame whose last request
    may have been charged is skipped (named) unless `again`. Returns made, skipped, waiting
    (why it stopped) and every frame's report."""
    made: list[str] = []
    skipped: list[str] = []
    waiting = ""
    asked = undecided(store, project.path)
    for s in frames.slots(project, scene_id):
        current = frames.slot(project, scene_id, s.shot, s.which)
        fresh = current.made and current.status in (Status.UP_TO_DATE,)
        if not fresh and (scene_id, s.shot, s.which) in asked and not again:
            skipped.append(f"{s.label} {s.which}")  # may have been charged: not sent unasked
            if mode == frames.CONTROL:
                break
            continue
        if not fresh:
            reason = frames.blocked(project, scene_id, s.shot, s.which)
            if reason is not None:
                waiting = reason
                break
            op = FrameImage.prepare(project, scene_id, s.shot, s.which, model=model, source=source)
            job = headless.run_one(store, op, budget)
            if job.error or job.state is not JobState.SUCCEEDED:
                note = f" (Not sent again: {', '.join(skipped)}.)" if skipped else ""
                raise FrameFailed(f"shot {s.label} {s.which} frame: {job.error}{note}")
            made.append(f"{s.label} {s.which}")
        if approve and not frames.slot(project, scene_id, s.shot, s.which).approved:
            frames.approve(project, scene_id, s.shot, s.which)
        elif mode == frames.CONTROL and not approve and not fresh:
            waiting = (
                f"Control mode: approve the {s.which} frame of shot {s.label} "
                "(--approve) before the next is made."
            )
            break
    if skipped:
        note = (
            f"Not sent again: {', '.join(skipped)} — the last request may have been charged "
            "(Jobs page: Check Again); --again sends it anew, a new charge."
        )
        waiting = f"{waiting} {note}".strip()
    report = [
        frames.as_json(x, frames.drift_of(project, scene_id, x))
        for x in frames.slots(project, scene_id)
    ]
    return {"made": made, "skipped_undecided": skipped, "waiting": waiting, "frames": report}


def render_scene(
    store: JobStore,
    budget: Budget,
    project: Project,
    scene_id: str,
    c: checkout.Checkout,
    source: Any,
) -> dict[str, Any]:
    """Confirm the scene as `c` prices it (when it is not, or changed) and render every
    confirmed shot with no take of this confirmation yet, one job each. Renders a killed run
    left are resumed from their provider handle — polled, never sent anew; renders another
    process is on are left to it."""
    bundle = str(project.path)
    done = checkout.confirm(project, c)
    busy = video_render.in_flight(store, bundle, scene_id, done.version)
    resumed = []
    for shot, job_id in list(busy.items()):
        job = store.get(job_id)
        if job.state.value not in ("running", "queued"):
            continue
        if store.owned_elsewhere(job_id):
            continue  # the window or another command is on it
        if job.state.value == "running" and store.recover(job) is None:
            if store.get(job_id).state.value == "failed":
                busy.pop(shot)  # interrupted before anything was sent: render anew
            continue  # else it waits for the user's decision (it may be charged)
        resumed.append(headless.resume(store, job_id, budget))
        busy.pop(shot)
    ops = video_render.render_ops(
        project, scene_id, done, source, vertex=source.vertex(), skip=set(busy)
    )
    claimed: list[str] = []
    finished = resumed + headless.run_all(store, ops, budget, claimed=claimed)
    rendered = [
        {
            "shot": j.params.get("shot"),
            "job": j.id,
            "state": j.state.value,
            "error": j.error,
            "cost": j.cost,
        }
        for j in finished
    ]
    clips = [
        {"shot": x.shot, "label": x.label, "take": t.number, "media": t.media}
        for x in done.lines
        if (t := takes.current(project, scene_id, x.shot)) is not None
    ]
    return {
        "scene": scene_id,
        "version": done.version,
        "rendered": rendered,
        "waiting_on": sorted(busy),
        "already_on_their_way": claimed,
        "takes": clips,
    }
