"""An offline key card says so inside its PNG (a text chunk) with the colours it was drawn
in: a storyboard panel then draws that character's figure in those colours instead of
pasting the whole card — paper, caption and a tiny figure — onto their body (issue "Offline
storyboards…"). A picture made by a model or brought by the user has no mark and is still
cut out as the character's likeness."""

from __future__ import annotations

import io
import re

from PIL import Image, PngImagePlugin

from aiuteur_desktop.core.media.imaging import open_image

KEY = "aiuteur-card-colours"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def card_png(image: Image.Image, colours: list[str]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(KEY, ",".join(c for c in colours if _HEX.fullmatch(c)))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def card_colours(path: str) -> list[str] | None:
    """The colours of the offline key card at `path` (None: not such a card)."""
    try:
        with open_image(path) as im:
            text = getattr(im, "text", {}).get(KEY)
    except (OSError, ValueError):
        return None
    if text is None:
        return None
    return [c for c in str(text).split(",") if _HEX.fullmatch(c)]
