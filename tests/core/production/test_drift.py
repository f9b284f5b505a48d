"""The Continuity Drift Detector (issue "Stage 10 · Frames"): an identical pair scores as
identical; a cut within the set is not flagged; another place is; a character recoloured in
their region is flagged with the colours named."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from aiuteur_desktop.core.production import drift
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.providers.offline import panels
from tests.core.production.test_visuals import storm


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def frames_of(tmp_path: Path) -> dict[str, Image.Image]:
    with storm(tmp_path) as p:
        s1, s2 = shot_list.current(p, "s1"), shot_list.current(p, "s2")
        return {
            "1A end": panels.render_anchor(timing.to_spec(s1[0]), "end"),
            "1B start": panels.render_anchor(timing.to_spec(s1[1]), "start"),
            "2A start": panels.render_anchor(timing.to_spec(s2[0]), "start"),
        }


def test_identical_frames_score_as_identical_and_a_cut_in_the_set_passes(tmp_path: Path) -> None:
    f = frames_of(tmp_path)
    same = drift.compare(png(f["1A end"]), png(f["1A end"]))
    assert (round(same.structure, 3), round(same.colour, 3), same.features) == (1.0, 0.0, 1.0)
    assert not same.flagged
    cut = drift.compare(png(f["1A end"]), png(f["1B start"]))  # WS → MCU in the lamp room
    assert not cut.flagged and cut.colour < drift.COLOUR_LIMIT


def test_a_different_location_is_flagged(tmp_path: Path) -> None:
    f = frames_of(tmp_path)
    moved = drift.compare(png(f["1A end"]), png(f["2A start"]))  # the gallery outside
    assert moved.flagged and "unlike the one before it" in moved.flags[0]
    assert moved.to_json()["flags"] == list(moved.flags)


def test_a_recoloured_character_region_is_flagged(tmp_path: Path) -> None:
    frame = frames_of(tmp_path)["1A end"]
    w, h = frame.size
    key = frame.crop((int(w * 0.29), int(h * 0.15), int(w * 0.71), int(h * 0.95)))
    assert drift.character(png(frame), png(key), "Mara", "center") is None
    # Her coat (the figure's light pixels) turned blue.
    pixels = np.asarray(frame.convert("RGB")).copy()
    band = pixels[:, int(w * 0.29) : int(w * 0.71)]
    light = band.sum(axis=2) > 600
    band[light] = (40, 70, 200)
    flag = drift.character(png(Image.fromarray(pixels)), png(key), "Mara", "center")
    assert flag is not None and flag.startswith("MARA's colours differ from their key")
    assert "→ blue" in flag
