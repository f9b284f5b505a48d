"""Title cards: centred script text (`> THE END <`, OPENING TITLES, a SUPER) drawn as a card
of light type on black, the way an editor would set it, instead of a scene with people."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def draw_card(
    size: tuple[int, int],
    frame: tuple[float, float, float, float],
    text: str,
    font: Callable[[int], Font],
) -> Image.Image:
    """An image of `size` with `text` centred in the `frame` box (left, top, width, height):
    the largest type up to a tenth of the frame's height that fits in five lines."""
    img = Image.new("RGB", size, (8, 8, 10))
    draw = ImageDraw.Draw(img)
    left, top, fw, fh = frame
    words = " ".join(text.split()) or " "
    for px in range(max(10, round(fh * 0.1)), 7, -2):
        f = font(px)
        lines = wrap(draw, text, f, fw * 0.8)
        if len(lines) <= 5:
            break
    line_h = round(px * 1.35)
    y = top + (fh - line_h * len(lines)) / 2
    for line in lines[:5] if words else []:
        w = draw.textlength(line, font=f)
        draw.text((left + (fw - w) / 2, y), line, font=f, fill=(236, 232, 222))
        y += line_h
    return img


def wrap(draw: ImageDraw.ImageDraw, text: str, f: Font, width: float) -> list[str]:
    """Text broken into lines no wider than `width` (a word longer than that stands alone);
    the text's own line breaks are kept."""
    out: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=f) <= width or not line:
                line = trial
            else:
                out.append(line)
                line = word
        out.append(line)
    return out
