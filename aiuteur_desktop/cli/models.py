"""`aiuteur models`: every video and image model the app can use now — the connection it goes
through and whether that is set up, what it takes (frames, keyframes, references, lengths,
resolutions, sound), its price from the price table, and which one Settings → Models uses."""

from __future__ import annotations

import json
from typing import Any

from aiuteur_desktop.cli.common import _fail

VIA_WORDS = {
    "offline": "on this computer",
    "gemini-api": "Gemini API key",
    "vertex": "Vertex AI connection",
    "openai": "OpenAI API key",
    "fal": "fal.ai key",
    "minimax": "MiniMax key",
    "openai-videos": "OpenAI-style /v1/videos endpoint",
    "local": "local model server",
}


def _price(table: Any, m: Any) -> dict[str, Any]:
    """An 8-second shot's price (at the length the model renders it), with sound and — when
    sound is optional — without; or one image's."""
    from aiuteur_desktop.core.money.prices import PriceUnknown

    try:
        if m.kind == "video":
            seconds = min(8.0, m.max_seconds or 8.0)
            silent = table.video(m.id, seconds, False) if m.audio == "optional" else None
            return {
                "shot_8s": table.video(m.id, seconds, m.audio != "none"),
                "shot_8s_silent": silent,
            }
        return {"per_image": table.image(m.id)}
    except PriceUnknown:
        return {"unknown": True}


def _endpoint(settings: Any) -> Any:
    """The OpenAI-style video endpoint of Settings → Providers, as a catalogue entry."""
    from aiuteur_desktop.core.app.models_catalogue import Model
    from aiuteur_desktop.providers.openai_videos import OpenAIVideos

    caps = OpenAIVideos.capabilities
    return Model(
        id=f"openai-videos:{settings.videos.model or 'MODEL'}",
        kind="video",
        name="OpenAI-style /v1/videos endpoint",
        via="openai-videos",
        source="Settings → Providers: your gateway's address, key and model",
        start_frame=True,
        end_frame=caps.end_frame,
        durations=(4.0, 8.0, 12.0),
        audio="optional",
    )


def cmd_models(as_json: bool) -> int:
    from aiuteur_desktop.core.app.models_catalogue import Catalogue
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.money.prices import PriceTable
    from aiuteur_desktop.providers.connections import via_ready

    try:
        catalogue = Catalogue.load()
        table = PriceTable.load()
        library = Library()
        try:
            settings = library.load_settings()
        finally:
            library.close()
    except AiuteurError as exc:
        return _fail("models", exc.user_message)
    chosen = {"video": settings.models.video, "image": settings.models.image}
    models = [*catalogue.models, _endpoint(settings)]
    rows = [
        {
            **m.as_json(),
            "connection": VIA_WORDS.get(m.via, m.via),
            "configured": via_ready(settings, m.via),
            "default": chosen.get(m.kind) == m.id,
            "price": _price(table, m),
        }
        for m in models
    ]
    if as_json:
        out = {"updated": catalogue.updated, "models": rows, "retired": catalogue.retired}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    for kind, title in (("video", "Video"), ("image", "Images")):
        print(title)
        for r in (r for r in rows if r["kind"] == kind):
            c, p = r["capabilities"], r["price"]
            takes = "start + end" if c["end_frame"] else "start only"
            if kind == "image":
                takes = f"{c['references']} references" + (", mask edits" if c["mask_edit"] else "")
            if p.get("unknown"):
                cost = "price unknown"
            elif kind == "video":
                cost = f"${p['shot_8s']:,.2f} an 8-s shot"
            else:
                cost = f"${p['per_image']:,.3f} an image"
            article = "an" if r["connection"][0] in "AEIOU" else "a"
            ready = "ready" if r["configured"] else f"needs {article} {r['connection']}"
            mark = "*" if r["default"] else " "
            print(f" {mark} {r['id']:<40} {takes:<26} {cost:<20} {ready}")
    print(f"* the model Settings → Models uses. Catalogue of {catalogue.updated}.")
    return 0
