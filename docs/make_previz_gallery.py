"""Contact sheets of the offline storyboard (issue "Offline storyboards…"): one shot per kind
of set and weather, each pose at its shot's start and end, and the framings (shot sizes, over
the shoulder, a child beside a grown-up, props in hand). The README shows them.

Run: python docs/make_previz_gallery.py   (writes docs/previz/gallery-*.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.providers.offline import panels

OUT = Path(__file__).resolve().parent / "previz"
TILE = 400
TWO = [{"name": "MARA", "position": "left"}, {"name": "TOM", "position": "right"}]

SETS = [
    ("kitchen", "INT. KITCHEN - DAY", "MARA pours coffee into a cup."),
    ("office", "INT. OFFICE - NIGHT", "TOM sits at the desk and reads the letter."),
    ("car", "INT. CAR - NIGHT", "MARA drives through the rain."),
    ("stairs", "INT. STAIRWELL - DAY", "TOM walks up the stairs."),
    ("tower", "EXT. LIGHTHOUSE - NIGHT", "MARA stands below the lamp."),
    ("shore", "EXT. BEACH - DAWN", "MARA walks along the surf."),
    ("forest", "EXT. FOREST - DAY", "TOM kneels by the stream."),
    ("street", "EXT. MAIN STREET - DUSK", "MARA runs with a suitcase."),
    ("field", "EXT. WHEAT FIELD - DAY", "TOM holds a kite."),
    ("room", "INT. BEDROOM - NIGHT", "MARA lies on the bed."),
    ("land", "EXT. HIGH PLAIN - DAY", "TOM waits."),
    ("storm", "EXT. HARBOUR - NIGHT", "The storm hammers the pier. MARA holds a lantern."),
    ("snow", "EXT. PASS - DAY", "Snow falls. TOM trudges on."),
    ("fog", "EXT. MOOR - DAWN", "Fog everywhere. MARA turns away."),
]
POSES = [
    ("stand", "MARA stands at the window."),
    ("walk", "MARA walks to the table and sits down."),
    ("run", "MARA runs for the door."),
    ("sit, then stand", "MARA sits. She gets up."),
    ("kneel", "MARA kneels down."),
    ("lie", "MARA collapses."),
    ("reach", "MARA grabs the phone."),
    ("enter", "MARA enters."),
    ("exit", "MARA leaves."),
    ("turn away", "MARA turns away."),
]


def _tile(spec: ShotSpec, which: str, caption: str) -> Image.Image:
    frame = panels.render_anchor(spec, which)
    frame = frame.resize((TILE, round(TILE * frame.height / frame.width)))
    out = Image.new("RGB", (TILE, frame.height + 26), (246, 244, 238))
    out.paste(frame, (0, 0))
    ImageDraw.Draw(out).text((8, frame.height + 6), caption, font=panels.font(14),
                             fill=(30, 30, 34))  # fmt: skip
    return out


def _sheet(tiles: list[Image.Image], columns: int, path: Path) -> None:
    w, h = tiles[0].size
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * (w + 8) + 8, rows * (h + 8) + 8), (255, 255, 255))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, (8 + (i % columns) * (w + 8), 8 + (i // columns) * (h + 8)))
    sheet.save(path, optimize=True)
    print(path)


def shot(heading: str, action: str, **kw: object) -> ShotSpec:
    kw.setdefault("characters", [{"name": "MARA" if "MARA" in action else "TOM"}])
    return ShotSpec(heading=heading, action=action, width=960, shot_size=kw.pop("shot_size", "WS"),
                    **kw)  # type: ignore[arg-type]  # fmt: skip


def main() -> int:
    OUT.mkdir(exist_ok=True)
    _sheet([_tile(shot(h, a), "end", f"{kind}: {a}") for kind, h, a in SETS], 4,
           OUT / "gallery-sets.png")  # fmt: skip
    tiles = []
    for name, action in POSES:
        s = shot("INT. KITCHEN - DAY", action, characters=[{"name": "MARA", "position": "left"}])
        tiles += [_tile(s, "start", f"{name}: start"), _tile(s, "end", f"{name}: end")]
    _sheet(tiles, 4, OUT / "gallery-poses.png")
    line = [{"character": "TOM", "text": "Why did you come back?"}]
    framings = [
        (shot("EXT. STREET - DAY", "", shot_size=size, characters=TWO, dialogue=line),
         f"{size}" + (", over Mara's shoulder" if size in ("MCU", "CU") else ""))
        for size in ("ECU", "CU", "MCU", "MS", "WS", "EWS")
    ]  # fmt: skip
    child = [{"name": "EDWARD", "position": "left"}, {"name": "WILL", "position": "right"}]
    framings += [
        (shot("EXT. BACKYARD - DAY", "WILL BLOOM, AGE 3, clutches EDWARD's hand.",
              characters=child), "a three-year-old beside his father"),
        (shot("INT. OFFICE - NIGHT", "TOM aims a gun. MARA holds the letter.", shot_size="WS",
              characters=TWO), "props in hand"),
    ]  # fmt: skip
    _sheet([_tile(s, "start", c) for s, c in framings], 4, OUT / "gallery-framing.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
