"""Sets for the offline storyboard (issue "Offline storyboards a filmmaker would pin on the
wall", first part): the kind of place a shot is in — read from its heading's location and its
action's words — drawn behind the figures, with the weather the action names.

A kitchen has counters, cabinets and a tiled wall; an office a desk and a window with
blinds; a car its windscreen and dashboard; a street its buildings and kerb; a shore the sea
and the sand; a forest its trunks; a field its grass; stairs their steps; a lighthouse or
tower its column against the sky. An unknown place falls back to a neutral room or a neutral
landscape. Rain, storm, snow and fog are drawn over the set. The light (time of day) is the
palette's, as before; a location's key image, when there is one, replaces the drawn set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageDraw

#: Kinds of place, the words that say so (in the location first, then the action), and
#: whether the place is inside. Order matters: the first kind whose words match wins.
KINDS: list[tuple[str, bool, re.Pattern[str]]] = [
    ("car", True, re.compile(r"\b(CAR|TRUCK|VAN|TAXI|CAB|JEEP|SEDAN|PICKUP|LIMO\w*|BUS)\b")),
    ("kitchen", True, re.compile(r"\b(KITCHEN\w*|DINER|GALLEY|PANTRY)\b")),
    ("office", True, re.compile(r"\b(OFFICE|STUDY|CUBICLE|CLASSROOM|LIBRARY|BANK|PRECINCT)\b")),
    ("stairs", True, re.compile(r"\b(STAIR\w*|STEPS|LANDING|ESCALATOR)\b")),
    ("tower", False, re.compile(r"\b(LIGHTHOUSE|TOWER|STEEPLE|BELFRY|SPIRE|MINARET)\b")),
    (
        "shore",
        False,
        re.compile(
            r"\b(BEACH|SHORE\w*|SEA|OCEAN|COAST\w*|HARBOU?R|DOCK|PIER|BAY|"
            r"CLIFFS?|SURF|WAVES?|BOAT|SPIT|LAKE\w*|RIVER\w*)\b"
        ),
    ),
    (
        "forest",
        False,
        re.compile(
            r"\b(FOREST|WOODS?|WOODLAND|JUNGLE|GROVE|ORCHARD|TREES|"
            r"SWAMP|MARSH|BAYOU)\b"
        ),
    ),
    (
        "street",
        False,
        re.compile(
            r"\b(STREET|ROAD|AVENUE|ALLEY\w*|HIGHWAY|SIDEWALK|PARKING|"
            r"GAS STATION|CITY|TOWN|DOWNTOWN|SQUARE|CROSSROADS|BRIDGE)\b"
        ),
    ),
    (
        "field",
        False,
        re.compile(
            r"\b(FIELD|MEADOW|FARM\w*|PRAIRIE|PASTURE|HILLS?|VALLEY|"
            r"DESERT|PLAINS?|GARDEN|PARK|YARD)\b"
        ),
    ),
]
WEATHER = [
    ("storm", re.compile(r"\b(STORM\w*|THUNDER\w*|LIGHTNING|HURRICANE|GALE|TEMPEST)\b")),
    ("rain", re.compile(r"\b(RAIN\w*|DOWNPOUR|DRIZZLE|SHOWER\w*)\b")),
    ("snow", re.compile(r"\b(SNOW\w*|BLIZZARD|SLEET|FROST\w*)\b")),
    ("fog", re.compile(r"\b(FOG\w*|MIST\w*|HAZE|HAZY)\b")),
]


def kind_of(location: str, action: str, interior: bool) -> str:
    """The set a shot is drawn in: the location's words decide, then the action's; an
    unknown place is a neutral "room" inside or "land" outside."""
    for text in (location.upper(), action.upper()):
        for kind, inside, words in KINDS:
            # (a car is a car inside or out; a kitchen seen from outside is still a street)
            if words.search(text) and (inside == interior or kind in ("car", "stairs")):
                return kind
    return "room" if interior else "land"


def weather_of(heading: str, action: str) -> str:
    text = f"{heading} {action}".upper()
    return next((name for name, words in WEATHER if words.search(text)), "")


Colour = tuple[int, int, int]

#: How far apart two sets of different kinds look, at least: the L1 distance between two
#: panels' 512-bin colour histograms (8 levels a channel; 0 = alike, 2 = nothing shared).
#: Measured on a wide shot of one figure: kinds differ by 0.45 or more, while one kind with
#: another action, shot size and character differs by at most 0.32.
SETS_DIFFER = 0.4


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))  # fmt: skip


#: The ground's colour per kind of place (mixed with the light's own).
GROUND: dict[str, Colour] = {
    "kitchen": (190, 184, 170), "office": (96, 92, 104), "car": (40, 40, 46),
    "stairs": (128, 100, 78), "tower": (110, 116, 100), "shore": (214, 196, 150),
    "forest": (52, 78, 44), "street": (86, 88, 92), "field": (120, 160, 70),
    "room": (120, 112, 102), "land": (118, 136, 104),
}  # fmt: skip


class Set:
    """What draws a kind of place on a canvas: `x`, `y` and `length` map frame fractions
    (0–1 across the frame the camera sees) to pixels, `horizon` is where the floor or ground
    meets the wall or sky."""

    def __init__(self, img: Image.Image, x: Callable[[float], float], y: Callable[[float], float],
                 length: Callable[[float], float], horizon: float, light: str, seed: int) -> None:  # fmt: skip
        self.img, self.x, self.y, self.len = img, x, y, length
        self.draw = ImageDraw.Draw(img)
        self.hy = y(horizon)
        self.horizon = horizon
        self.night = light == "NIGHT"
        self.rng = random.Random(seed)

    def box(self, x0: float, y0: float, x1: float, y1: float, fill: Colour, **kw: Any) -> None:
        self.draw.rectangle([self.x(x0), self.y(y0), self.x(x1), self.y(y1)], fill=fill, **kw)

    def shade(self, c: Colour, t: float) -> Colour:
        return _mix(c, (0, 0, 0), t)

    # ------------------------------------------------------------------ kinds
    def kitchen(self) -> None:
        h = self.horizon
        tile = (214, 214, 206) if not self.night else (96, 96, 104)
        self.box(-0.2, h - 0.42, 1.2, h, tile)
        step = 0.045
        for i in range(int(1.4 / step) + 1):  # the tiles' grout
            gx = self.x(-0.2 + i * step)
            self.draw.line([(gx, self.y(h - 0.42)), (gx, self.hy)], fill=self.shade(tile, 0.15))
        for j in range(10):
            gy = self.y(h - 0.42 + j * step)
            self.draw.line([(self.x(-0.2), gy), (self.x(1.2), gy)], fill=self.shade(tile, 0.15))
        wood = (142, 104, 70) if not self.night else (70, 54, 42)
        self.box(-0.2, h - 0.46, 1.2, h - 0.3, wood, outline=self.shade(wood, 0.4), width=2)
        self.box(-0.2, h - 0.06, 1.2, h + 0.12, wood, outline=self.shade(wood, 0.4), width=2)
        self.box(-0.2, h - 0.09, 1.2, h - 0.06, (226, 226, 220))  # the worktop
        for i in range(8):  # cupboard doors, top and bottom
            x0 = -0.2 + i * 0.18
            self.box(x0 + 0.01, h - 0.45, x0 + 0.17, h - 0.31, wood, outline=self.shade(wood, 0.45))
            self.box(x0 + 0.01, h - 0.05, x0 + 0.17, h + 0.11, wood, outline=self.shade(wood, 0.45))
        self.box(0.62, h - 0.2, 0.72, h - 0.09, (170, 176, 184))  # a kettle's shape

    def office(self) -> None:
        h = self.horizon
        wall = (150, 156, 166) if not self.night else (60, 62, 74)
        self.box(-0.2, h - 0.6, 1.2, h, wall)
        glass = (210, 226, 240) if not self.night else (30, 38, 64)
        self.box(0.52, h - 0.5, 0.96, h - 0.14, glass, outline=(70, 74, 82), width=3)
        for k in range(9):  # blinds
            yy = h - 0.5 + k * 0.04
            self.box(0.52, yy, 0.96, yy + 0.012, self.shade(glass, 0.35))
        desk = (112, 82, 58)
        self.box(0.04, h + 0.02, 0.5, h + 0.06, desk)
        self.box(0.06, h + 0.06, 0.08, h + 0.22, self.shade(desk, 0.3))
        self.box(0.46, h + 0.06, 0.48, h + 0.22, self.shade(desk, 0.3))
        self.box(0.2, h - 0.1, 0.34, h + 0.02, (34, 36, 40))  # a screen

    def car(self) -> None:
        h = self.horizon
        outside = (176, 204, 228) if not self.night else (22, 28, 46)
        self.box(-0.2, -0.2, 1.2, 1.2, (34, 34, 38))  # the cabin's dark
        screen = [(self.x(0.02), self.y(h - 0.02)), (self.x(0.12), self.y(0.08)),
                  (self.x(0.88), self.y(0.08)), (self.x(0.98), self.y(h - 0.02))]  # fmt: skip
        self.draw.polygon(screen, fill=outside)
        road = (92, 94, 98)
        self.draw.polygon([(self.x(0.42), self.y(h - 0.1)), (self.x(0.58), self.y(h - 0.1)),
                           (self.x(0.9), self.y(h - 0.02)), (self.x(0.1), self.y(h - 0.02))],
                          fill=road)  # fmt: skip
        dash = (54, 52, 56)
        self.draw.rectangle([self.x(-0.2), self.y(h - 0.02), self.x(1.2), self.y(1.2)], fill=dash)
        cx, cy, r = self.x(0.26), self.y(h + 0.12), self.len(0.11)
        self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(20, 20, 22), width=8)
        self.draw.line([(self.x(0.5), self.y(0.08)), (self.x(0.5), self.y(0.16))],
                       fill=(20, 20, 22), width=4)  # the mirror  # fmt: skip

    def stairs(self) -> None:
        h = self.horizon
        wall = (176, 160, 140) if not self.night else (70, 62, 56)
        self.box(-0.2, -0.2, 1.2, h, wall)
        tread = (140, 108, 82)
        for k in range(9):  # steps climbing to the right
            x0 = 0.1 + k * 0.1
            y0 = h + 0.25 - k * 0.07
            self.box(x0, y0, 1.2, y0 + 0.07, self.shade(tread, 0.05 * (k % 2)),
                     outline=self.shade(tread, 0.4))  # fmt: skip
        self.draw.line([(self.x(0.1), self.y(h + 0.05)), (self.x(1.0), self.y(h - 0.55))],
                       fill=(60, 44, 34), width=6)  # the rail  # fmt: skip

    def tower(self) -> None:
        h = self.horizon
        body = (236, 234, 226) if not self.night else (150, 150, 160)
        top, bottom, cx = max(0.16, h - 0.46), h + 0.02, 0.88
        self.draw.polygon([(self.x(cx - 0.05), self.y(top)), (self.x(cx + 0.05), self.y(top)),
                           (self.x(cx + 0.08), self.y(bottom)), (self.x(cx - 0.08), self.y(bottom))],
                          fill=body, outline=self.shade(body, 0.5))  # fmt: skip
        tall = bottom - top
        for k in range(3):  # the red bands of a lighthouse, following its taper
            y0 = top + tall * (0.18 + k * 0.28)
            y1 = y0 + tall * 0.12
            half0 = 0.05 + 0.03 * (y0 - top) / tall
            half1 = 0.05 + 0.03 * (y1 - top) / tall
            self.draw.polygon([(self.x(cx - half0), self.y(y0)), (self.x(cx + half0), self.y(y0)),
                               (self.x(cx + half1), self.y(y1)), (self.x(cx - half1), self.y(y1))],
                              fill=(186, 44, 40))  # fmt: skip
        self.box(cx - 0.06, top - 0.08, cx + 0.06, top, (40, 40, 44))
        lamp = (255, 236, 150) if self.night else (220, 220, 200)
        self.box(cx - 0.04, top - 0.07, cx + 0.04, top - 0.01, lamp)
        if self.night:  # the beam
            self.draw.polygon([(self.x(cx), self.y(top - 0.04)), (self.x(-0.2), self.y(top - 0.2)),
                               (self.x(-0.2), self.y(top + 0.08))], fill=(180, 170, 110))  # fmt: skip

    def shore(self) -> None:
        h = self.horizon
        sea = (54, 110, 150) if not self.night else (16, 28, 48)
        self.box(-0.2, h, 1.2, h + 0.14, sea)
        for k in range(7):  # the swell's lines
            yy = self.y(h + 0.015 + k * 0.018)
            for i in range(18):
                x0 = self.x(-0.2 + i * 0.08 + (k % 2) * 0.04)
                self.draw.line([(x0, yy), (x0 + self.len(0.04), yy)],
                               fill=_mix(sea, (255, 255, 255), 0.35), width=2)  # fmt: skip
        pts = [(self.x(-0.2), self.y(h + 0.14))]
        for i in range(15):  # the waterline's foam
            pts.append((self.x(-0.2 + i * 0.1), self.y(h + 0.14 + 0.012 * (i % 2))))
        pts += [(self.x(1.2), self.y(h + 0.14))]
        self.draw.line(pts, fill=(236, 240, 240), width=4)

    def forest(self) -> None:
        h = self.horizon
        far = (46, 74, 52) if not self.night else (16, 24, 20)
        for i in range(28):  # far trunks and crowns
            x = -0.2 + i * 0.055 + self.rng.random() * 0.02
            self.box(x, h - 0.3, x + 0.012, h, self.shade(far, 0.2))
            r = self.len(0.06 + self.rng.random() * 0.04)
            cx, cy = self.x(x + 0.006), self.y(h - 0.3)
            self.draw.ellipse([cx - r, cy - r * 1.4, cx + r, cy + r], fill=far)
        near = (78, 56, 38) if not self.night else (30, 24, 20)
        for x in (0.02, 0.9):
            self.box(x, -0.2, x + 0.06, 1.2, near)

    def street(self) -> None:
        h = self.horizon
        for i in range(9):  # building fronts
            x0 = -0.2 + i * 0.16
            tall = 0.25 + self.rng.random() * 0.3
            front = _mix((150, 130, 120), (90, 100, 120), self.rng.random())
            if self.night:
                front = self.shade(front, 0.6)
            self.box(x0, h - tall, x0 + 0.15, h, front, outline=self.shade(front, 0.4))
            lit = (250, 220, 140) if self.night else (176, 200, 220)
            for r in range(int(tall / 0.08)):
                for c in range(3):
                    wx, wy = x0 + 0.02 + c * 0.045, h - tall + 0.03 + r * 0.08
                    if wy + 0.04 < h - 0.02:
                        self.box(wx, wy, wx + 0.025, wy + 0.04, lit)
        self.box(-0.2, h, 1.2, h + 0.03, (150, 150, 152))  # the kerb
        for i in range(10):  # the road's centre line
            x0 = -0.2 + i * 0.15
            self.box(x0, h + 0.2, x0 + 0.07, h + 0.21, (230, 220, 160))

    def field(self) -> None:
        h = self.horizon
        grass = (96, 136, 58) if not self.night else (30, 44, 26)
        for _ in range(260):  # tufts
            x, y = -0.2 + self.rng.random() * 1.4, h + self.rng.random() * 0.55
            n = self.len(0.012 + 0.02 * (y - h))
            px, py = self.x(x), self.y(y)
            self.draw.line([(px, py), (px - n * 0.3, py - n)], fill=grass, width=2)
            self.draw.line([(px, py), (px + n * 0.3, py - n)], fill=grass, width=2)

    def room(self) -> None:
        h = self.horizon
        wall = (190, 182, 168) if not self.night else (62, 58, 64)
        self.box(-0.2, h - 0.6, 1.2, h, wall)
        door = (128, 98, 72)
        self.box(0.08, h - 0.4, 0.22, h, door, outline=self.shade(door, 0.4), width=2)
        knob_x, knob_y, r = self.x(0.2), self.y(h - 0.2), self.len(0.008)
        self.draw.ellipse([knob_x - r, knob_y - r, knob_x + r, knob_y + r], fill=(210, 190, 120))
        glass = (206, 220, 232) if not self.night else (34, 44, 74)
        self.box(0.56, h - 0.42, 0.84, h - 0.16, glass, outline=(90, 80, 70), width=3)
        self.draw.line([(self.x(0.7), self.y(h - 0.42)), (self.x(0.7), self.y(h - 0.16))],
                       fill=(90, 80, 70), width=3)  # fmt: skip

    def land(self) -> None:
        ridge = [(self.x(-0.2), self.hy)]
        for i in range(15):
            ridge.append(
                (self.x(-0.2 + i * 0.1), self.y(self.horizon - 0.02 - 0.05 * self.rng.random()))
            )
        ridge.append((self.x(1.2), self.hy))
        self.draw.polygon(ridge, fill=(96, 112, 96) if not self.night else (22, 26, 30))

    # ---------------------------------------------------------------- weather
    def weather(self, kind: str) -> Image.Image:
        """Rain or storm as streaks, snow as flakes, fog as a veil; returns the image."""
        if kind in ("rain", "storm"):
            streak = (200, 210, 226)
            for _ in range(420 if kind == "storm" else 260):
                x, y = self.rng.random() * self.img.width, self.rng.random() * self.img.height
                n = self.len(0.05)
                self.draw.line([(x, y), (x - n * 0.25, y + n)], fill=streak, width=1)
            if kind == "storm":
                veil = Image.new("RGB", self.img.size, (40, 44, 56))
                self.img = Image.blend(self.img, veil, 0.25)
        elif kind == "snow":
            for _ in range(320):
                x, y = self.rng.random() * self.img.width, self.rng.random() * self.img.height
                r = 1 + self.rng.random() * self.len(0.004)
                self.draw.ellipse([x - r, y - r, x + r, y + r], fill=(246, 246, 250))
        elif kind == "fog":
            self.img = Image.blend(self.img, Image.new("RGB", self.img.size, (196, 198, 202)), 0.45)
        return self.img

    def paint(self, kind: str) -> None:
        getattr(self, kind)()
