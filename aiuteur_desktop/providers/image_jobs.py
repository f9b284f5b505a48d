"""Image generation and region edits as jobs: key from the keyring, PNG into the project's media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, operations
from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown
from aiuteur_desktop.providers.connections import GOOGLE
from aiuteur_desktop.providers.registry import Registry

IMAGE_GENERATE = "image.generate"


@jobs.register(IMAGE_GENERATE)
def generate_image(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: connection ("openai" | "google"), base_url, model, prompt, references (paths),
    image + mask (paths, for a region edit), quality, bundle, stage, scene, branch, template."""
    p = ctx.job.params
    connection = p.get("connection", GOOGLE)
    provider = Registry().image(f"{connection}:{p['model']}", p.get("base_url"))
    references = [Path(r).read_bytes() for r in p.get("references", [])]
    ctx.progress(0.1)
    try:
        price = PriceTable.load().image(
            f"{connection}:{p['model']}", 1, p.get("quality", "default")
        )
    except PriceUnknown:
        price = ctx.job.estimate  # (0 when it was queued without one: the caps cannot see it)
    # A cut-off or timed-out answer is not made again unasked (core/money/paid.py).
    with ctx.paid(price) as call:
        if p.get("image") and p.get("mask"):
            result = provider.edit(  # type: ignore[attr-defined]
                Path(p["image"]).read_bytes(),
                Path(p["mask"]).read_bytes(),
                p["prompt"],
                p["model"],
                references,
            )
        else:
            result = provider.generate(p["prompt"], p["model"], references)
    with operations.open_project(p["bundle"]) as project:
        media_id = operations.end_job(
            project,
            ctx.job,
            provider=connection,
            model=p["model"],
            kind="image",
            actual=price,
            data=result.png,
            mime="image/png",
            key=call.submission.id if call.submission is not None else None,
        )
    provenance = operations.provenance(
        ctx.job,
        provider=connection,
        model=p["model"],
        cost=price,
        prompt=p["prompt"],
        references=len(references),
        edit=bool(p.get("mask")),
    )
    return {"media": media_id, "mime": "image/png", "provenance": provenance}, price
