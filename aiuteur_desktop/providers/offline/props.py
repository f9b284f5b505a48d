"""Props the action names, drawn where they are (issue "Offline storyboards…"): in the hand
of the person who holds, grabs or raises them, else on the ground at the front of the set —
each a small drawing with its word beside it, so a panel says "the phone" at a glance.

A prop belongs to the person named last before it in its sentence; it is in their hand when
a verb of holding comes between the two ("MARA grabs the phone").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import ImageDraw

from aiuteur_desktop.providers.offline import poses

Colour = tuple[int, int, int]

#: word → (what to draw, its size as a share of a grown-up's height).
LEXICON: dict[str, tuple[str, float]] = {
    "cup": ("cup", 0.06), "mug": ("cup", 0.06), "coffee": ("cup", 0.06),
    "teacup": ("cup", 0.05), "bottle": ("bottle", 0.14), "wine": ("bottle", 0.14),
    "flask": ("bottle", 0.1), "phone": ("phone", 0.08), "cellphone": ("phone", 0.08),
    "radio": ("box", 0.1), "gun": ("gun", 0.11), "pistol": ("gun", 0.11),
    "revolver": ("gun", 0.12), "rifle": ("rifle", 0.5), "shotgun": ("rifle", 0.5),
    "knife": ("knife", 0.11), "dagger": ("knife", 0.13), "sword": ("knife", 0.45),
    "book": ("book", 0.1), "notebook": ("book", 0.09), "diary": ("book", 0.09),
    "letter": ("paper", 0.1), "envelope": ("paper", 0.08),
    "photo": ("paper", 0.08), "photograph": ("paper", 0.08), "map": ("paper", 0.16),
    "newspaper": ("paper", 0.16), "folder": ("paper", 0.12),
    "bag": ("bag", 0.22), "backpack": ("bag", 0.24), "purse": ("bag", 0.14),
    "suitcase": ("case", 0.3), "briefcase": ("case", 0.22), "box": ("box", 0.2),
    "package": ("box", 0.16), "parcel": ("box", 0.16), "crate": ("box", 0.3),
    "lamp": ("lamp", 0.3), "lantern": ("lamp", 0.16), "torch": ("lamp", 0.12),
    "flashlight": ("lamp", 0.1), "candle": ("candle", 0.1), "flowers": ("flowers", 0.18),
    "bouquet": ("flowers", 0.18), "umbrella": ("umbrella", 0.45), "key": ("key", 0.05),
    "keys": ("key", 0.05), "kite": ("kite", 0.3),
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(sorted(LEXICON, key=len, reverse=True)) + r")\b", re.I)
_HOLDING = re.compile(
    r"\b(?:hold\w*|grab\w*|seiz\w*|snatch\w*|picks? up|pick\w* up|takes?|took|clutch\w*|"
    r"grip\w*|carr(?:ies|y|ying)|rais\w*|lifts?|aims?|brandish\w*|offers?|hands?|"
    r"pours?|drinks?|sips?|reads?|dials?|answers?|opens?|trims?|lights?|with)\b",
    re.I,
)


@dataclass(frozen=True)
class Prop:
    word: str  # as the action wrote it
    shape: str
    size: float
    holder: str | None  # the person whose hand it is in


def found(action: str, people: list[str]) -> list[Prop]:
    """The props the action names, each once, at most six, with who holds them."""
    out: list[Prop] = []
    for sentence, marks in poses.named_in(action, people):
        after: int | None = None  # where the prop before in this sentence ends
        for m in _WORD.finditer(sentence):
            word = m.group(1).lower()
            # (a cup of coffee is a cup; a bottle of wine a bottle)
            between = sentence[after : m.start()].strip().lower() if after is not None else ""
            of = between in ("of", "of the", "full of")
            after = m.end()
            if of or any(p.word.lower() == word for p in out) or len(out) >= 6:
                continue
            before = [(at, p) for at, p in marks if at < m.start()]
            holder = None
            if before and _HOLDING.search(sentence, before[-1][0], m.start()):
                holder = before[-1][1]
            elif not before and len(people) == 1 and _HOLDING.search(sentence, 0, m.start()):
                holder = people[0]  # "She grabs the phone": the shot's one person
            shape, size = LEXICON[word]
            out.append(Prop(m.group(1), shape, size, holder))
    return out


def draw(d: ImageDraw.ImageDraw, prop: Prop, x: float, y: float, h: float, ink: Colour) -> None:
    """`prop` with its middle-bottom at (x, y), `h` a grown-up's height in pixels."""
    s = prop.size * h
    lw = max(1, round(h * 0.005))
    dark, light = (34, 32, 36), (236, 232, 220)
    shape = prop.shape
    if shape == "cup":
        d.rectangle([x - s * 0.35, y - s, x + s * 0.35, y], fill=light, outline=ink, width=lw)
        d.arc([x + s * 0.2, y - s * 0.8, x + s * 0.65, y - s * 0.3], -90, 90, fill=ink, width=lw)
    elif shape == "bottle":
        d.rectangle([x - s * 0.18, y - s * 0.65, x + s * 0.18, y], fill=(60, 110, 70), outline=ink,
                    width=lw)  # fmt: skip
        d.rectangle([x - s * 0.07, y - s, x + s * 0.07, y - s * 0.65], fill=(60, 110, 70),
                    outline=ink, width=lw)  # fmt: skip
    elif shape == "phone":
        d.rounded_rectangle([x - s * 0.28, y - s, x + s * 0.28, y], radius=s * 0.08, fill=dark,
                            outline=ink, width=lw)  # fmt: skip
        d.rectangle([x - s * 0.2, y - s * 0.88, x + s * 0.2, y - s * 0.16], fill=(120, 170, 220))
    elif shape in ("gun", "rifle"):
        d.rectangle([x - s * 0.5, y - s * 0.42, x + s * 0.5, y - s * 0.22], fill=dark)
        d.polygon([(x - s * 0.45, y - s * 0.25), (x - s * 0.2, y - s * 0.25), (x - s * 0.3, y),
                   (x - s * 0.5, y)], fill=dark)  # fmt: skip
    elif shape == "knife":
        d.polygon([(x - s * 0.5, y - s * 0.12), (x + s * 0.5, y - s * 0.04), (x - s * 0.5, y)],
                  fill=(200, 204, 210), outline=ink)  # fmt: skip
        d.rectangle([x - s * 0.75, y - s * 0.12, x - s * 0.5, y], fill=(90, 60, 40))
    elif shape == "book":
        d.rectangle([x - s * 0.4, y - s * 0.55, x + s * 0.4, y], fill=(140, 40, 40), outline=ink,
                    width=lw)  # fmt: skip
        d.line([(x - s * 0.3, y - s * 0.55), (x - s * 0.3, y)], fill=light, width=lw)
    elif shape == "paper":
        d.rectangle([x - s * 0.4, y - s * 0.55, x + s * 0.4, y], fill=light, outline=ink, width=lw)
        for k in range(3):
            yy = y - s * (0.42 - k * 0.13)
            d.line([(x - s * 0.28, yy), (x + s * 0.28, yy)], fill=(120, 120, 126), width=lw)
    elif shape in ("bag", "case"):
        body = (110, 74, 46) if shape == "bag" else (60, 56, 64)
        d.rounded_rectangle([x - s * 0.5, y - s * 0.7, x + s * 0.5, y], radius=s * 0.1, fill=body,
                            outline=ink, width=lw)  # fmt: skip
        d.arc([x - s * 0.22, y - s * 0.95, x + s * 0.22, y - s * 0.55], 180, 360, fill=ink,
              width=max(1, lw * 2))  # fmt: skip
    elif shape == "box":
        d.rectangle([x - s * 0.5, y - s * 0.7, x + s * 0.5, y], fill=(176, 140, 96), outline=ink,
                    width=lw)  # fmt: skip
        d.line([(x - s * 0.5, y - s * 0.5), (x + s * 0.5, y - s * 0.5)], fill=ink, width=lw)
    elif shape in ("lamp", "candle"):
        flame = (255, 210, 110)
        d.rectangle([x - s * 0.1, y - s * 0.7, x + s * 0.1, y], fill=light if shape == "candle"
                    else dark, outline=ink, width=lw)  # fmt: skip
        d.ellipse([x - s * 0.16, y - s, x + s * 0.16, y - s * 0.68], fill=flame)
    elif shape == "flowers":
        d.line([(x, y), (x, y - s * 0.6)], fill=(60, 120, 60), width=max(1, lw * 2))
        for dx, dy, c in ((-0.2, 0.75, (220, 80, 90)), (0.2, 0.78, (240, 200, 80)),
                          (0, 0.92, (200, 90, 180))):  # fmt: skip
            r = s * 0.16
            d.ellipse([x + dx * s - r, y - dy * s - r, x + dx * s + r, y - dy * s + r], fill=c)
    elif shape == "umbrella":
        d.pieslice([x - s * 0.5, y - s, x + s * 0.5, y - s * 0.5], 180, 360, fill=dark)
        d.line([(x, y - s * 0.75), (x, y)], fill=ink, width=max(1, lw * 2))
    elif shape == "kite":
        d.polygon([(x, y - s), (x + s * 0.3, y - s * 0.6), (x, y - s * 0.2), (x - s * 0.3, y - s * 0.6)],
                  fill=(220, 60, 60), outline=ink)  # fmt: skip
    else:  # a key, or anything too small to read: a dot the label names
        r = max(2.0, s * 0.3)
        d.ellipse([x - r, y - 2 * r, x + r, y], fill=(200, 170, 80), outline=ink)
