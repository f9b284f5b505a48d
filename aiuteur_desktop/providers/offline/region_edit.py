"""Offline region edit (the inpainting canvas without a model): the masked region is
redrawn from a clean plate with the instruction noted on it, as a storyboard artist marks
a change."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.providers.offline import panels


def edit_region(
    image: Image.Image, mask: Image.Image, instruction: str, spec: ShotSpec
) -> Image.Image:
    """Redraw the masked region from a clean plate with the instruction noted on it.

    Offline there is no model to paint "a lantern on the table", so the region is
    cleared to the set behind it and the instruction is written there, the way a
    storyboard artist marks a change. Pixels outside the mask never change.
    """
    image = image.convert("RGB")
    mask = (
        mask.convert("L")
        .resize(image.size, Image.Resampling.NEAREST)
        .point(lambda v: 255 if v >= 128 else 0)
    )
    bbox = mask.getbbox()
    if bbox is None:
        return image.copy()
    plate = panels.render_canvas(
        spec, margin=0.0, people=not instruction.lower().startswith("remove")
    )[0]
    plate = (
        plate.resize(image.size, Image.Resampling.LANCZOS) if plate.size != image.size else plate
    )
    if spec.location_image is None:
        plate = plate.filter(ImageFilter.GaussianBlur(2))
    layer = plate.copy()
    draw = ImageDraw.Draw(layer)
    x0, y0, x1, y1 = bbox
    lw = max(2, image.height // 180)
    for i in range(x0, x1, lw * 4):  # dashed outline of the changed area
        draw.line(
            [(i, y0 + lw // 2), (min(i + lw * 2, x1), y0 + lw // 2)], fill=(255, 214, 92), width=lw
        )
        draw.line([(i, y1 - lw), (min(i + lw * 2, x1), y1 - lw)], fill=(255, 214, 92), width=lw)
    for j in range(y0, y1, lw * 4):
        draw.line(
            [(x0 + lw // 2, j), (x0 + lw // 2, min(j + lw * 2, y1))], fill=(255, 214, 92), width=lw
        )
        draw.line([(x1 - lw, j), (x1 - lw, min(j + lw * 2, y1))], fill=(255, 214, 92), width=lw)
    f = panels.font(max(10, min(image.height // 24, (y1 - y0) // 4 or 10)))
    ty = y0 + lw * 3
    for line in panels.wrap(draw, instruction.strip() or "change", f, max(20, x1 - x0 - lw * 6))[
        :6
    ]:
        draw.text(
            (x0 + lw * 3, ty),
            line,
            font=f,
            fill=(255, 240, 200),
            stroke_width=2,
            stroke_fill=(20, 20, 20),
        )
        ty += round(getattr(f, "size", 10)) + 4
    out = image.copy()
    out.paste(layer, (0, 0), mask)
    return out
