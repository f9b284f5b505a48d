"""Offline asset cards: character, prop and location key cards drawn from a description."""

from __future__ import annotations

import hashlib
import re

from PIL import Image, ImageDraw

from aiuteur_desktop.core.production.shots.spec import ShotSize, ShotSpec
from aiuteur_desktop.providers.offline import card_marks, figures, panels

KINDS = ("character", "prop", "location")
#: Colour words a description may use, so the card's swatches follow the text.
COLOUR_WORDS = {
    "black": "#1e1e22",
    "white": "#eeeeea",
    "grey": "#8a8d93",
    "gray": "#8a8d93",
    "red": "#b8322c",
    "crimson": "#9c1c2c",
    "orange": "#d9772b",
    "yellow": "#e3b341",
    "gold": "#c9a227",
    "green": "#3f8a4f",
    "olive": "#6b7a3a",
    "teal": "#2f8c8c",
    "blue": "#2f5fb3",
    "navy": "#1f2f5c",
    "purple": "#6a3d9a",
    "pink": "#d46a9a",
    "brown": "#7a5232",
    "tan": "#c2a27a",
    "silver": "#b8bcc4",
    "rust": "#9a4a24",
    "brass": "#b5893a",
    "copper": "#b06a3b",
    "ivory": "#ece4cf",
    "cream": "#efe3c2",
}


def colours_in(text: str) -> list[str]:
    """Swatches named in the description, in order of mention (at most five)."""
    seen: list[str] = []
    for word in re.findall(r"[a-z]+", text.lower()):
        hexcode = COLOUR_WORDS.get(word)
        if hexcode and hexcode not in seen:
            seen.append(hexcode)
    return seen[:5]


def _fallback_colours(name: str) -> list[str]:
    """Muted, stable colours for a description that names none."""
    digest = hashlib.sha256(name.encode()).digest()
    out = []
    for i in (0, 3, 6):
        r, g, b = (round(96 + digest[i + k] * 0.3) for k in range(3))
        out.append(f"#{r:02x}{g:02x}{b:02x}")
    return out


def render_card(
    kind: str,
    name: str,
    description: str,
    traits: list[str] | None = None,
    palette: list[str] | None = None,
    size: tuple[int, int] = (768, 1024),
) -> Image.Image:
    """A key card: name, silhouette or set sketch, palette swatches and key traits as text."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    w, h = size
    card = Image.new("RGB", size, (246, 244, 238))
    draw = ImageDraw.Draw(card)
    pad = round(w * 0.06)
    colours = palette or colours_in(description) or _fallback_colours(name)
    card.info["colours"] = colours  # (card_png keeps them in the file)
    art = (pad, round(h * 0.13), w - pad, round(h * 0.60))
    aw, ah = art[2] - art[0], art[3] - art[1]
    title = panels.font(round(h * 0.05))
    draw.text((pad, round(h * 0.035)), name.upper(), font=title, fill=(20, 20, 24))
    draw.text(
        (pad, round(h * 0.095)),
        kind.upper(),
        font=panels.font(round(h * 0.022)),
        fill=(110, 110, 116),
    )
    if kind == "location":
        m = re.match(r"\s*((?:INT|EXT|I/E)\.\s*[^.\n]+)", description, re.IGNORECASE)
        spec = ShotSpec(
            heading=m.group(1) if m else f"EXT. {name} - DAY",
            shot_size=ShotSize.WS,
            palette=colours[:3] if palette or colours_in(description) else [],
            width=aw - aw % 2,
            aspect=f"{aw / ah:.3f}:1",
        )
        location = panels.render_anchor(spec)
        card.paste(location.resize((aw, ah)), (art[0], art[1]))
    else:
        draw.rectangle(art, fill=(226, 222, 212))
        fill = panels._hex(colours[0])
        if kind == "character":
            figures.draw(draw, w / 2, art[1] + ah * 0.96, ah * 0.9, fill=fill,
                         outline=(20, 20, 24), body=figures.body_of(name))  # fmt: skip
        else:
            cx, cy, r = w / 2, art[1] + ah / 2, min(aw, ah) * 0.28
            draw.rounded_rectangle(
                [cx - r, cy - r * 0.7, cx + r, cy + r * 0.7],
                radius=r * 0.2,
                fill=fill,
                outline=(20, 20, 24),
                width=4,
            )
            draw.ellipse(
                [cx - r * 0.3, cy - r * 0.3, cx + r * 0.3, cy + r * 0.3],
                outline=(20, 20, 24),
                width=4,
            )
    draw.rectangle(art, outline=(20, 20, 24), width=3)
    # palette swatches
    sy = round(h * 0.63)
    sw = (w - 2 * pad) / max(1, len(colours))
    for i, c in enumerate(colours):
        draw.rectangle(
            [pad + i * sw, sy, pad + (i + 1) * sw - 6, sy + h * 0.045], fill=panels._hex(c)
        )
    # description and traits
    body = panels.font(round(h * 0.024))
    y = sy + round(h * 0.07)
    lines = panels.wrap(draw, description, body, w - 2 * pad)[:4]
    lines += [f"· {t}" for t in (traits or [])][:6]
    for line in lines:
        if y > h - pad - h * 0.03:
            break
        draw.text((pad, y), line, font=body, fill=(30, 30, 34))
        y += round(h * 0.034)
    return card


def card_png(image: Image.Image) -> bytes:
    """The card as PNG, marked as an offline card with the colours it was drawn in."""
    return card_marks.card_png(image, list(image.info.get("colours") or []))
