"""The offline engines as jobs and engines: a shot's previz (frames, panel, animatic) as one
job, and the whole script's animatic reel (run by the `AnimaticReel` operation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, shotspec
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


def render_reel(rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
    """The animatic engine behind `AnimaticReel` (through the registry)."""
    from aiuteur_desktop.providers.offline import animatic, reel

    try:
        made = reel.render_reel(rows, Path(out_dir), **options)
    except animatic.Cancelled:
        raise jobs.Cancelled() from None
    except OSError as exc:
        raise AiuteurError(f"Cannot write to {out_dir}: {exc.strerror or exc}") from None
    return {
        "film": str(made.film),
        "timelines": [str(t) for t in made.timelines],
        "clips": len(made.clips),
        "seconds": made.seconds,
        "speech": made.speech,
        "missing_keys": list(made.missing_keys),
        "reused": made.reused,
        "storyboard": str(made.storyboard) if made.storyboard else None,
    }
