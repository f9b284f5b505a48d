"""Image generation and region edits as jobs: key from the keyring, PNG into the project's media."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, ledger, secrets
from aiuteur_desktop.core.cost import PriceTable, PriceUnknown
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.connections import GOOGLE, OPENAI, SECRET_NAMES
from aiuteur_desktop.providers.images import GeminiImages, OpenAIImages

IMAGE_GENERATE = "image.generate"


@jobs.register(IMAGE_GENERATE)
def generate_image(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: connection ("openai" | "google"), base_url, model, prompt, references (paths),
    image + mask (paths, for a region edit), quality, bundle, stage, scene, branch, template."""
    p = ctx.job.params
    connection = p.get("connection", GOOGLE)
    key = secrets.get_secret(SECRET_NAMES.get(connection, "")) or ""
    if connection not in (OPENAI, GOOGLE) or not key:
        raise ProviderError(
            "auth", f"Add your {connection} API key in Settings → Providers to generate images."
        )
    references = [Path(r).read_bytes() for r in p.get("references", [])]
    provider = (
        OpenAIImages(key, p.get("base_url"))
        if connection == OPENAI
        else GeminiImages(key, p.get("base_url"))
    )
    ctx.progress(0.1)
    if p.get("image") and p.get("mask"):
        result = provider.edit(
            Path(p["image"]).read_bytes(),
            Path(p["mask"]).read_bytes(),
            p["prompt"],
            p["model"],
            references,
        )
    else:
        result = provider.generate(p["prompt"], p["model"], references)
    try:
        price = PriceTable.load().image(
            f"{connection}:{p['model']}", 1, p.get("quality", "default")
        )
    except PriceUnknown:
        price = 0.0
    with Project.open(Path(p["bundle"])) as project:
        media_id = project.media.put(result.png, "image/png")
        ledger.record(
            project,
            ledger.Spend(
                time.time(),
                ctx.job.id,
                connection,
                p["model"],
                "image",
                p.get("stage"),
                p.get("scene"),
                p.get("branch"),
                ctx.job.estimate,
                price,
            ),
        )
    provenance = {
        "provider": connection,
        "model": p["model"],
        "parameters": {
            "prompt": p["prompt"],
            "references": len(references),
            "edit": bool(p.get("mask")),
        },
        "template": p.get("template"),
        "context_ids": p.get("context_ids", []),
        "seed": None,
        "cost": price,
        "job": ctx.job.id,
    }
    return {"media": media_id, "mime": "image/png", "provenance": provenance}, price
