"""Renders the README's offline previz samples (panels, an animatic still, an asset card).

Run: python docs/make_previz_samples.py   (writes docs/previz/*.png)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import av

from aiuteur_desktop.core.production.shots import spec
from aiuteur_desktop.providers.offline import animatic, cards, panels

OUT = Path(__file__).resolve().parent / "previz"
MARA = {"name": "Mara", "position": "left", "facing": "right"}
SHOTS = [
    {
        "shot": "1",
        "heading": "EXT. LIGHTHOUSE - DUSK",
        "shot_size": "EWS",
        "move": "static",
        "action": "The lighthouse on its rock; the storm front rolls in.",
        "characters": [{"name": "Mara", "position": "center"}],
    },
    {
        "shot": "2",
        "heading": "INT. LIGHTHOUSE LAMP ROOM - NIGHT",
        "shot_size": "MS",
        "angle": "low",
        "move": "push-in",
        "action": "Mara trims the wick as the storm hammers the glass.",
        "characters": [
            MARA,
            {"name": "Ade", "position": "right", "depth": "background", "facing": "left"},
        ],
        "dialogue": [
            {"character": "MARA", "text": "Keep the lamp burning."},
            {"character": "ADE", "text": "Whatever happens?"},
        ],
    },
    {
        "shot": "3",
        "heading": "EXT. CLIFF PATH - NIGHT",
        "shot_size": "WS",
        "move": "pan-right",
        "action": "Ade runs along the cliff toward the wreck.",
        "characters": [{"name": "Ade", "position": "left", "facing": "right"}],
    },
    {
        "shot": "4",
        "heading": "EXT. BEACH - DAWN",
        "shot_size": "CU",
        "angle": "high",
        "move": "static",
        "action": "Mara, soaked, looks up at the dark lamp.",
        "characters": [{"name": "Mara", "position": "center", "facing": "camera"}],
        "dialogue": [{"character": "MARA", "text": "It held."}],
    },
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    specs = [spec.parse({"width": 960, "duration": 4.0, **s}) for s in SHOTS]
    for s in specs:
        panels.render_panel(s).save(OUT / f"panel-{s.shot}.png")
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        animatic.render_clip(specs[1].model_copy(update={"width": 1280}), clip)
        with av.open(str(clip)) as c:
            frames = [f.to_image() for f in c.decode(video=0)]
        frames[36].save(OUT / "animatic-still.png")
    cards.render_card(
        "character",
        "Mara",
        "Lighthouse keeper, 60, in a red oilskin coat and grey wool scarf.",
        ["Weathered hands", "Carries the lamp-room key"],
    ).save(OUT / "card-mara.png")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
