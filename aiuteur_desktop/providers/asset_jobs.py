"""Image keys for master assets as jobs (`asset.key`): the offline key-card engine (free, no
network) or a cloud image model, with the locked visual style's references; the PNG goes into
the project's media and the spend into its ledger. The Stage 5 page records the candidate."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, ledger, secrets
from aiuteur_desktop.core.cost import PriceTable, PriceUnknown
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.settings import AppSettings
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.connections import GOOGLE, OPENAI, SECRET_NAMES
from aiuteur_desktop.providers.images import GeminiImages, OpenAIImages
from aiuteur_desktop.providers.offline.cards import render_card

ASSET_KEY = "asset.key"
OFFLINE = "offline"


def image_route(settings: AppSettings) -> tuple[str, str, str | None]:
    """(connection, model, base_url) of the image model Settings → Models names."""
    chosen = settings.models.image or "offline:storyboard"
    conn, _, model = chosen.partition(":")
    base = {
        OPENAI: settings.openai.api_endpoint or None,
        GOOGLE: settings.google.api_endpoint or None,
    }.get(conn)
    return conn, model, base


def price_per_key(settings: AppSettings) -> float:
    conn, model, _ = image_route(settings)
    if conn == OFFLINE:
        return 0.0
    try:
        return PriceTable.load().image(f"{conn}:{model}", 1)
    except PriceUnknown:
        return 0.0


@jobs.register(ASSET_KEY)
def generate_key(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: bundle, path, kind, name, description, prompt, connection, model, base_url,
    references (image files of the locked visual style), branch."""
    p = ctx.job.params
    conn, model = p.get("connection", OFFLINE), p.get("model", "storyboard")
    ctx.progress(0.1)
    if conn == OFFLINE:
        image = render_card(p["kind"], p["name"], p.get("description", ""))
        buf = io.BytesIO()
        image.save(buf, "PNG")
        png, price = buf.getvalue(), 0.0
    else:
        key = secrets.get_secret(SECRET_NAMES.get(conn, "")) or ""
        if conn not in (OPENAI, GOOGLE) or not key:
            raise ProviderError(
                "auth", f"Add your {conn} API key in Settings → Providers to generate image keys."
            )
        provider = (
            OpenAIImages(key, p.get("base_url"))
            if conn == OPENAI
            else GeminiImages(key, p.get("base_url"))
        )
        refs = [Path(r).read_bytes() for r in p.get("references", []) if Path(r).exists()]
        png = provider.generate(p["prompt"], model, refs).png
        try:
            price = PriceTable.load().image(f"{conn}:{model}", 1)
        except PriceUnknown:
            price = 0.0
    if ctx.cancelled():
        raise jobs.Cancelled()
    with Project.open(Path(p["bundle"])) as project:
        media = project.media.put(png, "image/png")
        if price:
            ledger.record(
                project,
                ledger.Spend(
                    time.time(),
                    ctx.job.id,
                    conn,
                    model,
                    "image",
                    5,
                    None,
                    p.get("branch"),
                    ctx.job.estimate,
                    price,
                ),
            )
    ctx.progress(1.0)
    return {"media": media, "cost": price, "model": f"{conn}:{model}", "prompt": p["prompt"]}, price
