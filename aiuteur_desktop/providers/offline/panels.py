"""Offline storyboard engine: deterministic panels and anchor frames drawn with Pillow.

Everything is laid out in *frame units* (0–1 across the frame's width and
height) so the same composition can be drawn into a larger canvas around the
frame, which the animatic engine then moves a virtual camera over.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from aiuteur_desktop.core.media.imaging import open_image
from aiuteur_desktop.core.production.shots.spec import Angle, Move, ShotSpec
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.providers.offline import card_marks, figures, props, sets, title_card
from aiuteur_desktop.providers.offline.staging import FIGURE_SCALE, Figure, layout
from aiuteur_desktop.providers.offline.title_card import wrap

HORIZON = {Angle.EYE: 0.46, Angle.LOW: 0.80, Angle.HIGH: 0.14, Angle.OVERHEAD: -1.0}

#: Virtual camera path per move: (x, y, zoom) at the start and the end, in frame units.
MOVES: dict[Move, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    Move.STATIC: ((0, 0, 1), (0, 0, 1)),
    Move.PUSH_IN: ((0, 0, 1), (0, 0, 1.3)),
    Move.PULL_OUT: ((0, 0, 1), (0, 0, 1 / 1.3)),
    Move.PAN_LEFT: ((0, 0, 1), (-0.22, 0, 1)),
    Move.PAN_RIGHT: ((0, 0, 1), (0.22, 0, 1)),
    Move.TILT_UP: ((0, 0, 1), (0, -0.2, 1)),
    Move.TILT_DOWN: ((0, 0, 1), (0, 0.2, 1)),
    Move.TRACK_LEFT: ((0, 0, 1), (-0.18, 0, 1.06)),
    Move.TRACK_RIGHT: ((0, 0, 1), (0.18, 0, 1.06)),
}
#: How far the canvas extends around the frame, in frame units, so every move has picture.
MARGIN = 0.26


@dataclass(frozen=True)
class Palette:
    sky_top: tuple[int, int, int]
    sky_bottom: tuple[int, int, int]
    ground: tuple[int, int, int]
    figure: tuple[int, int, int]
    outline: tuple[int, int, int]


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font: the same glyphs on every machine, so panels are reproducible."""
    return ImageFont.load_default(size=max(8, size))


def _hex(c: str) -> tuple[int, int, int]:
    return (int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def palette_for(spec: ShotSpec) -> Palette:
    """INT/EXT and time of day set the light; a locked style palette tints it."""
    tod = spec.time_of_day
    if spec.interior:
        base = {
            "NIGHT": ((52, 48, 58), (70, 62, 66), (38, 34, 36)),
            "DAWN": ((150, 136, 128), (176, 160, 146), (96, 84, 76)),
            "DUSK": ((128, 104, 96), (156, 126, 110), (84, 70, 64)),
        }.get(tod, ((176, 170, 160), (198, 192, 180), (120, 112, 102)))
    else:
        base = {
            "NIGHT": ((12, 18, 38), (34, 46, 78), (20, 24, 30)),
            "DAWN": ((120, 136, 186), (240, 186, 150), (88, 92, 86)),
            "DUSK": ((70, 60, 120), (236, 140, 96), (64, 58, 60)),
        }.get(tod, ((118, 170, 226), (200, 224, 240), (118, 136, 104)))
    sky_top, sky_bottom, ground = base
    if spec.palette:
        cols = [_hex(c) for c in spec.palette]
        sky_top = _mix(sky_top, cols[0], 0.55)
        sky_bottom = _mix(sky_bottom, cols[min(1, len(cols) - 1)], 0.45)
        ground = _mix(ground, cols[min(2, len(cols) - 1)], 0.55)
    dark = tod == "NIGHT"
    figure = (226, 222, 214) if dark else (44, 46, 54)
    return Palette(sky_top, sky_bottom, ground, figure, (0, 0, 0))


class Canvas:
    """Maps frame units to pixels of an image that extends `margin` around the frame."""

    def __init__(self, frame: tuple[int, int], margin: float = 0.0, scale: float = 1.0) -> None:
        self.fw, self.fh = frame[0] * scale, frame[1] * scale
        self.margin = margin
        self.w = round(self.fw * (1 + 2 * margin))
        self.h = round(self.fh * (1 + 2 * margin))

    def x(self, u: float) -> float:
        return (u + self.margin) * self.fw

    def y(self, v: float) -> float:
        return (v + self.margin) * self.fh

    def len(self, v: float) -> float:
        """A length in frame heights, in pixels."""
        return v * self.fh


def _seed(spec: ShotSpec) -> int:
    return int.from_bytes(hashlib.sha256(spec.heading.encode()).digest()[:8], "big")


def _background(spec: ShotSpec, cv: Canvas, pal: Palette) -> Image.Image:
    img = Image.new("RGB", (cv.w, cv.h), pal.sky_top)
    if spec.location_image and Path(spec.location_image).is_file():
        try:
            with open_image(spec.location_image) as loc:
                plate = ImageOps.fit(loc.convert("RGB"), (cv.w, cv.h), Image.Resampling.LANCZOS)
        except (OSError, ValueError):  # unreadable or too large: the drawn set instead
            plate = None
        if plate is not None:
            # Knock the photo back so figures and labels read over it.
            return Image.blend(plate, Image.new("RGB", plate.size, (24, 24, 28)), 0.35)
    draw = ImageDraw.Draw(img)
    horizon = HORIZON[spec.angle]
    if spec.angle is Angle.OVERHEAD:
        img.paste(pal.ground, (0, 0, cv.w, cv.h))
        step = max(8, int(cv.len(0.12)))
        line = _mix(pal.ground, (255, 255, 255), 0.08)
        for gx in range(int(cv.x(0)) % step, cv.w, step):
            draw.line([(gx, 0), (gx, cv.h)], fill=line, width=1)
        for gy in range(int(cv.y(0)) % step, cv.h, step):
            draw.line([(0, gy), (cv.w, gy)], fill=line, width=1)
        return img
    hy = int(cv.y(horizon))
    place = sets.kind_of(headings.parse_heading(spec.heading).location, spec.action, spec.interior)
    pal = replace(pal, ground=_mix(pal.ground, sets.GROUND[place], 0.6))
    for yy in range(0, max(1, min(hy, cv.h))):
        t = yy / max(1, hy)
        draw.line([(0, yy), (cv.w, yy)], fill=_mix(pal.sky_top, pal.sky_bottom, t))
    if hy < cv.h:
        for yy in range(max(0, hy), cv.h):
            t = (yy - hy) / max(1, cv.h - hy)
            draw.line(
                [(0, yy), (cv.w, yy)], fill=_mix(pal.ground, _mix(pal.ground, (0, 0, 0), 0.35), t)
            )
    rng = random.Random(_seed(spec))
    if spec.interior and place not in ("car", "stairs"):
        # Floor boards converge on the vanishing point.
        vx, line = cv.x(0.5), _mix(pal.ground, (0, 0, 0), 0.25)
        for k in range(-12, 13):
            draw.line([(vx, hy), (vx + k * cv.len(0.35), cv.h)], fill=line, width=1)
    elif not spec.interior:
        if spec.time_of_day == "NIGHT":
            for _ in range(140):
                sx, sy = rng.random() * cv.w, rng.random() * max(1, hy) * 0.9
                r = 1 if rng.random() < 0.8 else 2
                draw.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(220, 224, 236))
            mx, my, mr = cv.x(0.78), cv.y(horizon - 0.32), cv.len(0.05)
            draw.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=(236, 234, 214))
        elif spec.time_of_day in ("DAWN", "DUSK"):
            sx, sy, sr = cv.x(0.3), cv.y(horizon - 0.03), cv.len(0.07)
            draw.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(255, 214, 150))
    # The kind of place (a kitchen, a shore, a car …) and the weather the action names.
    stage = sets.Set(img, cv.x, cv.y, cv.len, horizon, spec.time_of_day, _seed(spec))
    stage.paint(place)
    weather = sets.weather_of(spec.heading, spec.action)
    if weather and (not spec.interior or place == "car"):
        img = stage.weather(weather)
    return img


def _overhead_figure(
    draw: ImageDraw.ImageDraw,
    cx: float,
    cy: float,
    h: float,
    fill: tuple[int, int, int],
    outline: tuple[int, int, int],
) -> None:
    sh = h * 0.16
    draw.ellipse(
        [cx - sh, cy - sh * 0.45, cx + sh, cy + sh * 0.45], fill=fill, outline=outline, width=2
    )
    hr = h * 0.07
    draw.ellipse(
        [cx - hr, cy - hr, cx + hr, cy + hr],
        fill=_mix(fill, outline, 0.2),
        outline=outline,
        width=2,
    )


def _props(
    draw: ImageDraw.ImageDraw,
    spec: ShotSpec,
    cv: Canvas,
    people: list[Figure],
    hands: dict[str, tuple[float, float, float]],
    pal: Palette,
) -> list[tuple[str, float, float]]:
    """Draw the props the action names — in the hand of whoever holds them, else on the
    ground at the front of the set, clear of the people — and return their labels."""
    tags = []
    grown = cv.len(min(FIGURE_SCALE[spec.shot_size][0], 1.2))
    ground = max((f.bottom for f in people if f.depth == "foreground"), default=0.9)
    spots = [x for x in (0.15, 0.85, 0.32, 0.68, 0.5) if all(abs(x - f.x) > 0.12 for f in people)]
    spots = spots or [0.15, 0.85]
    for n, prop in enumerate(props.found(spec.action, [f.name for f in people])):
        if prop.holder is not None and prop.holder.upper() in hands:
            hx, hy, h = hands[prop.holder.upper()]
            x, y = hx, hy + prop.size * h * 0.35
        elif ground > 1:  # closer than a wide shot: the ground (and what is on it) is unseen
            continue
        else:
            h = grown
            x, y = cv.x(spots[n % len(spots)]), cv.y(min(ground, 0.97))
        props.draw(draw, prop, x, y, h, pal.outline)
        # (its word above it: below, a prop on the ground would be under the subtitles)
        tags.append((prop.word.lower(), x, y - prop.size * h - cv.len(0.05)))
    return tags


def _likeness(img: Image.Image, path: str, cx: float, base: float, h: float,
              pose: dict[str, object]) -> figures.Drawn | None:  # fmt: skip
    """A character's key picture (made by a model or brought by the user) cut out in the
    shape of their figure in its pose, pasted onto `img`; None when it cannot be read."""
    # Drawn in the box the figure can reach (a lying figure is as long as one standing).
    x0, y0 = max(0, int(cx - h * 0.62)), max(0, int(base - h * 1.05))
    x1, y1 = min(img.width, int(cx + h * 0.62) + 1), min(img.height, int(base + h * 0.1) + 1)
    if x1 <= x0 or y1 <= y0:
        return figures.Drawn(cx, base - h, cx, base, base - h)
    shape = Image.new("RGB", (x1 - x0, y1 - y0), (0, 0, 0))
    white = (255, 255, 255)
    drawn = figures.draw(ImageDraw.Draw(shape), cx - x0, base - y0, h, fill=white, outline=white,
                         face=False, **pose)  # type: ignore[arg-type]  # fmt: skip
    mask = shape.convert("L")
    found = mask.getbbox()
    drawn = replace(drawn, left=drawn.left + x0, right=drawn.right + x0, top=drawn.top + y0,
                    bottom=drawn.bottom + y0, head_top=drawn.head_top + y0)  # fmt: skip
    if found is None:
        return drawn
    box = (found[0] + x0, found[1] + y0, found[2] + x0, found[3] + y0)
    try:
        with open_image(path) as im:
            size = (box[2] - box[0], box[3] - box[1])
            picture = ImageOps.fit(im.convert("RGB"), size, Image.Resampling.LANCZOS)
    except (OSError, ValueError):
        return None
    img.paste(picture, box[:2], mask.crop(found))
    return drawn


def _label(
    draw: ImageDraw.ImageDraw,
    text: str,
    cx: float,
    y: float,
    size: int,
    bounds: tuple[float, float, float, float],
) -> None:
    f = font(size)
    box = draw.textbbox((0, 0), text, font=f)
    tw, th = box[2] - box[0], box[3] - box[1]
    pad = size * 0.35
    x0 = min(max(cx - tw / 2 - pad, bounds[0] + 4), bounds[2] - tw - 2 * pad - 4)
    y0 = min(max(y, bounds[1] + 4), bounds[3] - th - 2 * pad - 4)
    draw.rounded_rectangle(
        [x0, y0, x0 + tw + 2 * pad, y0 + th + 2 * pad], radius=pad, fill=(20, 22, 28)
    )
    draw.text((x0 + pad - box[0], y0 + pad - box[1]), text, font=f, fill=(255, 255, 255))


@dataclass(frozen=True)
class Composed:
    """A composition before its tags: the set and the people, the name and prop tags to
    write over them (text, centre x, top y, size in px) and where tags must stay."""

    img: Image.Image
    cv: Canvas
    tags: tuple[tuple[str, float, float, int], ...]
    bounds: tuple[float, float, float, float]
    spec: ShotSpec


def render_canvas(
    spec: ShotSpec,
    *,
    margin: float = MARGIN,
    scale: float = 1.0,
    moment: str = "start",
    people: bool = True,
) -> tuple[Image.Image, Canvas]:
    """The whole composition at the shot's start or end (or the set alone, without `people`),
    drawn over the frame plus `margin` on every side."""
    made = compose(spec, margin=margin, scale=scale, moment=moment, people=people)
    return finish(made, made.tags, keep=False), made.cv


def compose(
    spec: ShotSpec,
    *,
    margin: float = MARGIN,
    scale: float = 1.0,
    moment: str = "start",
    people: bool = True,
) -> Composed:
    """The set and the people at `moment`, their tags not yet written (`finish` writes them)."""
    cv = Canvas(spec.size, margin, scale)
    # Tags stay inside what the camera sees for the whole move, so none is cut off.
    boxes = [view_box(cv, *cam) for cam in MOVES[spec.move]]
    bounds = (
        max(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[0] + b[2] for b in boxes),
        min(b[1] + b[3] for b in boxes),
    )
    if spec.kind == "title":
        card = title_card.draw_card((cv.w, cv.h), (cv.x(0), cv.y(0), cv.fw, cv.fh), spec.action,
                                    font)  # fmt: skip
        return Composed(card, cv, (), bounds, spec)
    pal = palette_for(spec)
    img = _background(spec, cv, pal)
    if not people:
        return Composed(img, cv, (), bounds, spec)
    draw = ImageDraw.Draw(img)
    labels = []
    hands: dict[str, tuple[float, float, float]] = {}
    people_at = layout(spec, moment)
    for fig in people_at:
        fill = (
            pal.figure
            if fig.depth == "foreground"
            else _mix(pal.figure, pal.sky_bottom, 0.35 if fig.depth == "midground" else 0.55)
        )
        if fig.shoulder:  # the near shoulder: in shadow, out of focus in spirit
            fill = _mix(fill, (0, 0, 0), 0.35)
        cx, top, h = cv.x(fig.x), cv.y(fig.top), cv.len(fig.height)
        if spec.angle is Angle.OVERHEAD:
            cy = cv.y(0.25 + 0.5 * (0.5 if fig.depth == "foreground" else 0.2))
            oh = cv.len(min(fig.height, 1.2) * 0.9)
            _overhead_figure(draw, cx, cy, oh, fill, pal.outline)
            labels.append((fig.name, cx, cy + oh * 0.2))
            continue
        # An offline key card lends its colours; a real picture is cut out as the likeness.
        worn = card_marks.card_colours(fig.image) if fig.image else None
        hair = None
        if worn:
            fill = _hex(worn[0]) if fig.depth == "foreground" else _mix(_hex(worn[0]), fill, 0.5)
            hair = _hex(worn[1]) if len(worn) > 1 else None
        pose = {"pose": fig.pose, "facing": fig.facing, "body": figures.body_of(fig.name)}
        if (
            fig.image
            and worn is None
            and (drawn := _likeness(img, fig.image, cx, top + h, h, pose))
        ):
            draw = ImageDraw.Draw(img)  # keep drawing on top
        else:
            drawn = figures.draw(draw, cx, top + h, h, fill=fill, outline=pal.outline, hair=hair,
                                 **pose)  # type: ignore[arg-type]  # fmt: skip
        labels.append((fig.name, (drawn.left + drawn.right) / 2, drawn.head_top - cv.len(0.075)))
        hands[fig.name] = (*figures.hand(fig.pose, fig.facing, cx, top + h, h), h)
    size = max(10, round(cv.len(0.034)))
    tags = [(name, cx, y, size) for name, cx, y in labels]
    tags += [(word, cx, y, round(size * 0.8))
             for word, cx, y in _props(draw, spec, cv, people_at, hands, pal)]  # fmt: skip
    return Composed(img, cv, tuple(tags), bounds, spec)


def finish(
    made: Composed, tags: tuple[tuple[str, float, float, int], ...], *, keep: bool = True
) -> Image.Image:
    """The composition with `tags` written on it (its own, or another moment's: the
    animatic's dissolve shows one set of tags at a time, never a ghost of both), seen through
    the looker's eyes or scope for a POV; on a copy unless `keep` is False (written once)."""
    img = made.img.copy() if keep else made.img
    draw = ImageDraw.Draw(img)
    for text, cx, y, size in tags:
        _label(draw, text, cx, y, size, made.bounds)
    if made.spec.kind == "pov":
        img = _through(img, made.cv, made.spec)
    return img


_SCOPE = re.compile(r"\b(?:SCOPE|SNIPER|RIFLE|TELESCOPE|GUNSIGHT|CROSSHAIRS?|PERISCOPE)\b")
_BINOCULARS = re.compile(r"\b(?:BINOCULARS?|FIELD GLASSES|OPERA GLASSES)\b")


def _through(img: Image.Image, cv: Canvas, spec: ShotSpec) -> Image.Image:
    """A POV as what it looks through: a scope's circle and crosshairs, binoculars' two
    circles, else the darkened edges of someone's eyes — the one looking is not in it."""
    said = f"{spec.heading} {spec.action}".upper()
    left, top, w, h = cv.x(0), cv.y(0), cv.fw, cv.fh
    mask = Image.new("L", img.size, 0)
    md = ImageDraw.Draw(mask)
    cx, cy = left + w / 2, top + h / 2
    if _SCOPE.search(said):
        r = h * 0.46
        md.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
    elif _BINOCULARS.search(said):
        r = h * 0.4
        for ox in (-r * 0.72, r * 0.72):
            md.ellipse([cx + ox - r, cy - r, cx + ox + r, cy + r], fill=255)
    else:
        md.ellipse([left - w * 0.08, top - h * 0.12, left + w * 1.08, top + h * 1.12], fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(h * 0.08))
    out = Image.composite(img, Image.new("RGB", img.size, (8, 8, 10)), mask)
    if _SCOPE.search(said):
        draw = ImageDraw.Draw(out)
        lw = max(1, round(h / 360))
        r = h * 0.46
        draw.line([cx - r, cy, cx + r, cy], fill=(10, 10, 10), width=lw)
        draw.line([cx, cy - r, cx, cy + r], fill=(10, 10, 10), width=lw)
    return out


def view_box(cv: Canvas, x: float, y: float, zoom: float) -> tuple[float, float, float, float]:
    """The canvas rectangle (left, top, width, height in px) a camera at (x, y, zoom) sees."""
    w, h = cv.fw / zoom, cv.fh / zoom
    cx, cy = cv.x(0.5 + x), cv.y(0.5 + y)
    return cx - w / 2, cy - h / 2, w, h


def render_anchor(spec: ShotSpec, which: str = "start") -> Image.Image:
    """The start or end anchor frame: the composition as the camera sees it then."""
    start, end = MOVES[spec.move]
    x, y, zoom = start if which == "start" else end
    canvas, cv = render_canvas(spec, scale=max(1.0, zoom), moment=which)
    left, top, w, h = view_box(cv, x, y, zoom)
    crop = canvas.crop((round(left), round(top), round(left + w), round(top + h)))
    return crop.resize(spec.size, Image.Resampling.LANCZOS)


# -------------------------------------------------------------- storyboard sheet
def _arrow(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    width: int,
    colour: tuple[int, int, int],
) -> None:
    draw.line([a, b], fill=colour, width=width)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = max(1.0, (dx * dx + dy * dy) ** 0.5)
    ux, uy = dx / length, dy / length
    head = width * 3.2
    draw.polygon(
        [
            b,
            (b[0] - ux * head - uy * head * 0.6, b[1] - uy * head + ux * head * 0.6),
            (b[0] - ux * head + uy * head * 0.6, b[1] - uy * head - ux * head * 0.6),
        ],
        fill=colour,
    )


def draw_move(img: Image.Image, move: Move) -> None:
    """Storyboard camera-move arrows over a frame (nothing for a static shot)."""
    if move is Move.STATIC:
        return
    w, h = img.size
    draw = ImageDraw.Draw(img)
    col = (255, 214, 92)
    lw = max(2, round(h * 0.008))
    if move in (Move.PUSH_IN, Move.PULL_OUT):
        inset = 0.16
        inner = [w * inset, h * inset, w * (1 - inset), h * (1 - inset)]
        draw.rectangle(inner, outline=col, width=lw)
        for cx, cy, ix, iy in (
            (0, 0, inner[0], inner[1]),
            (w, 0, inner[2], inner[1]),
            (0, h, inner[0], inner[3]),
            (w, h, inner[2], inner[3]),
        ):
            ox, oy = cx + (ix - cx) * 0.25, cy + (iy - cy) * 0.25
            a, b = ((ox, oy), (ix, iy)) if move is Move.PUSH_IN else ((ix, iy), (ox, oy))
            _arrow(draw, a, b, lw, col)
        return
    horizontal = move in (Move.PAN_LEFT, Move.PAN_RIGHT, Move.TRACK_LEFT, Move.TRACK_RIGHT)
    sign = -1 if move in (Move.PAN_LEFT, Move.TRACK_LEFT, Move.TILT_UP) else 1
    if horizontal:
        y = h * (0.9 if move in (Move.TRACK_LEFT, Move.TRACK_RIGHT) else 0.5)
        a, b = (w * (0.5 - 0.3 * sign), y), (w * (0.5 + 0.3 * sign), y)
    else:
        a, b = (w * 0.9, h * (0.5 - 0.3 * sign)), (w * 0.9, h * (0.5 + 0.3 * sign))
    _arrow(draw, a, b, lw * 2, col)


def render_board_frame(spec: ShotSpec) -> Image.Image:
    """A storyboard sheet's picture: the start frame with the camera move's arrows (the sheet
    sets the caption as text)."""
    frame = render_anchor(spec, "start")
    if spec.kind != "title":
        draw_move(frame, spec.move)
    return frame


def render_panel(spec: ShotSpec, *, number: str | None = None) -> Image.Image:
    """A storyboard panel: the start frame with move arrows, over a caption strip."""
    frame = render_anchor(spec, "start")
    draw_move(frame, spec.move)
    w, h = frame.size
    strip_h = round(h * 0.34)
    panel = Image.new("RGB", (w, h + strip_h), (246, 244, 238))
    panel.paste(frame, (0, 0))
    draw = ImageDraw.Draw(panel)
    draw.rectangle([0, 0, w - 1, h - 1], outline=(20, 20, 20), width=max(2, h // 240))
    pad = round(h * 0.03)
    big, small = font(round(h * 0.042)), font(round(h * 0.034))
    move = spec.move.value.replace("-", " ").upper()
    angle = {"eye": "EYE LEVEL"}.get(spec.angle.value, spec.angle.value.upper() + " ANGLE")
    title = f"SHOT {number or spec.shot}   {spec.shot_size.value} · {angle} · {move} · {spec.duration:g}s"
    y = h + pad
    draw.text((pad, y), title, font=big, fill=(20, 20, 24))
    y += round(h * 0.055)
    draw.text((pad, y), spec.heading.upper(), font=small, fill=(90, 90, 96))
    y += round(h * 0.048)
    lines = wrap(draw, spec.action, small, w - 2 * pad)[:3] if spec.action else []
    for d in spec.dialogue[: max(0, 4 - len(lines))]:
        lines += wrap(draw, f"{d.character.upper()}: “{d.text}”", small, w - 2 * pad)[:1]
    for line in lines[:4]:
        if y + round(h * 0.04) > h + strip_h - pad // 2:
            break
        draw.text((pad, y), line, font=small, fill=(30, 30, 34))
        y += round(h * 0.043)
    return panel
