"""The paid video render as a job: submit once, store the handle, poll, download into the project.

If Aiuteur is closed while Veo renders, the job row keeps the operation name;
the next start resumes polling it. Nothing here ever submits twice for one job.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, operations
from aiuteur_desktop.core.cost import PriceTable, PriceUnknown
from aiuteur_desktop.core.providers import VideoRequest
from aiuteur_desktop.providers.registry import Registry

VIDEO_RENDER = "video.render"


def _sleep(ctx: jobs.JobContext, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            raise jobs.Cancelled()
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))


@jobs.register(VIDEO_RENDER)
def render_video(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: prompt, model_id ("google:veo-3.1-…" or "offline:animatic"; older rows: model),
    start_frame (path), end_frame (path or None), duration, audio, spec (the shot, for the
    offline engine), bundle, vertex {project, location, credentials_file, base_url?},
    poll_seconds. The provider comes from the registry: every render path runs offline."""
    p = ctx.job.params
    # Rows from earlier versions name only the Veo model.
    model_id = p.get("model_id") or f"google:{p['model']}"
    source = Registry()
    provider = source.video(model_id, p.get("vertex"))
    model = model_id.partition(":")[2]
    handle = ctx.job.handle
    if handle is None:
        request = VideoRequest(
            prompt=p["prompt"],
            model=model,
            start_frame=Path(p["start_frame"]).read_bytes(),
            end_frame=Path(p["end_frame"]).read_bytes() if p.get("end_frame") else None,
            duration=float(p.get("duration", 8)),
            audio=bool(p.get("audio", True)),
            seed=p.get("seed"),
            spec=p.get("spec"),
        )
        handle = provider.submit(request)
        ctx.set_handle(handle)  # persisted before anything else can go wrong
    while True:
        done, fraction = provider.poll(handle)
        ctx.progress(0.9 * fraction)
        if done:
            break
        _sleep(ctx, float(p.get("poll_seconds", 10)))
    data, mime = provider.download(handle)
    try:
        price = (
            0.0
            if source.is_free(model_id)
            else PriceTable.load().video(
                model_id, float(p.get("duration", 8)), bool(p.get("audio", True))
            )
        )
    except PriceUnknown:
        price = 0.0
    who = provider.id
    with operations.open_project(p["bundle"]) as project:
        media_id = operations.end_job(
            project,
            ctx.job,
            provider=who,
            model=model,
            kind="video",
            actual=price,
            data=data,
            mime=mime,
            stage=p.get("stage", 12),
        )
    ctx.progress(1.0)
    result = {
        "media": media_id,
        "mime": mime,
        "operation": handle["operation"],
        "provenance": operations.provenance(
            ctx.job,
            provider=who,
            model=model,
            cost=price,
            **{k: p.get(k) for k in ("prompt", "duration", "audio", "end_frame")},
        ),
    }
    return result, price
