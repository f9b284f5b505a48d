"""Job kinds of the offline engines: a shot's previz (frames, panel, animatic) and the whole
script's animatic reel, each as one job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiuteur_desktop.core import assets, jobs, operations, shot_list, shotspec
from aiuteur_desktop.core.errors import AiuteurError

PREVIZ_SHOT = "previz.shot"


@jobs.register(PREVIZ_SHOT)
def previz_shot(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: {"spec": ShotSpec JSON, "out_dir": folder} → start/end/panel PNGs and clip.mp4."""
    # The engines (PyAV, OpenCV) load with the first render, not when the app starts.
    from aiuteur_desktop.providers.offline import animatic
    from aiuteur_desktop.providers.offline.provider import OfflineAnimatic, OfflineStoryboard

    spec = shotspec.parse(ctx.job.params.get("spec"))
    out = Path(ctx.job.params["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    board = OfflineStoryboard()
    start, end = board.frame(spec, "start"), board.frame(spec, "end")
    (out / "start.png").write_bytes(start.data)
    (out / "end.png").write_bytes(end.data)
    (out / "panel.png").write_bytes(board.panel(spec).data)
    ctx.progress(0.05)
    try:
        clip = OfflineAnimatic().render(
            spec,
            out / "clip.mp4",
            progress=lambda f: ctx.progress(0.05 + 0.95 * f),
            cancelled=ctx.cancelled,
        )
    except animatic.Cancelled:
        raise jobs.Cancelled() from None
    result = {
        "clip": str(clip.path),
        "start": str(out / "start.png"),
        "end": str(out / "end.png"),
        "panel": str(out / "panel.png"),
        "provenance": clip.provenance,
        **clip.info,
    }
    return result, 0.0


PREVIZ_REEL = "previz.reel"


@jobs.register(PREVIZ_REEL)
def previz_reel(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: {"bundle", "branch", "out_dir", "width", "speech"} → every shot of the Master
    Script as a clip, the whole film and the editor's timelines (XML, EDL, OTIO)."""
    from aiuteur_desktop.providers.offline import animatic, reel

    p = ctx.job.params
    with operations.open_project(p["bundle"]) as project:
        rows = shot_list.film(project, p.get("branch"))
        people, places = assets.image_keys(project, p.get("branch"))
        title = project.name
    if not rows:
        raise AiuteurError("The Master Script has no scenes yet: write or import one first.")
    try:
        made = reel.render_reel(
            rows,
            Path(p["out_dir"]),
            title=title,
            width=int(p.get("width", 1280)),
            speech=bool(p.get("speech", True)),
            images=people,
            locations=places,
            progress=ctx.progress,
            cancelled=ctx.cancelled,
        )
    except animatic.Cancelled:
        raise jobs.Cancelled() from None
    except OSError as exc:
        raise AiuteurError(f"Cannot write to {p['out_dir']}: {exc.strerror or exc}") from None
    result = {
        "film": str(made.film),
        "timelines": [str(t) for t in made.timelines],
        "clips": len(made.clips),
        "seconds": made.seconds,
        "speech": made.speech,
        "missing_keys": list(made.missing_keys),
        "reused": made.reused,
        "storyboard": str(made.storyboard) if made.storyboard else None,
    }
    return result, 0.0
