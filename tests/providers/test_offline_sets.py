"""The offline storyboard's sets (issue "Offline storyboards a filmmaker would pin on the
wall"): the kind of place read from the heading and the action, drawn so two kinds of place
look different at a glance, and the weather the action names."""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image, ImageDraw

from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.providers.offline import panels, sets

HEADINGS = {
    "kitchen": "INT. FARMHOUSE KITCHEN - DAY",
    "office": "INT. PRECINCT OFFICE - DAY",
    "car": "INT. TAXI - MOVING - DAY",
    "stairs": "INT. APARTMENT STAIRWELL - DAY",
    "tower": "EXT. LIGHTHOUSE - DAY",
    "shore": "EXT. BASALT SPIT - DAY",  # (the action names the sea)
    "forest": "EXT. PINE FOREST - DAY",
    "street": "EXT. MAIN STREET - DAY",
    "field": "EXT. WHEAT FIELD - DAY",
    "room": "INT. PARIS APARTMENT - DAY",
    "land": "EXT. SOMEWHERE - DAY",
}
ACTION = {"shore": "Waves hammer a black basalt spit. A supply boat noses in."}


def panel(heading: str, action: str = "Mara waits.", **kw: object) -> Image.Image:
    fields = {"width": 480, "shot_size": "WS", "characters": [{"name": "MARA"}], **kw}
    return panels.render_anchor(ShotSpec(heading=heading, action=action, **fields))


def histogram(im: Image.Image) -> np.ndarray:
    levels = np.asarray(im.convert("RGB").resize((320, 180))) // 32
    bins = levels[..., 0] * 64 + levels[..., 1] * 8 + levels[..., 2]
    counts = np.bincount(bins.ravel(), minlength=512).astype(float)
    return counts / counts.sum()


def distance(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(histogram(a) - histogram(b)).sum())


def test_the_kind_of_place_is_read_from_the_heading_then_the_action() -> None:
    for kind, heading in HEADINGS.items():
        location = heading.split(". ", 1)[1].rsplit(" - ", 1)[0]
        interior = heading.startswith("INT")
        assert sets.kind_of(location, ACTION.get(kind, ""), interior) == kind, heading
    # The action decides when the location does not say: this place is by the sea.
    assert sets.kind_of("THE OLD PLACE", "Waves break on the shore below.", False) == "shore"
    assert sets.kind_of("MARY'S PLACE", "", True) == "room"  # unknown: a neutral room
    assert sets.kind_of("THE FAR SIDE", "", False) == "land"  # … or a neutral landscape


def test_two_kinds_of_place_never_look_alike_and_one_kind_stays_itself() -> None:
    drawn = {k: panel(h, ACTION.get(k, "Mara waits.")) for k, h in HEADINGS.items()}
    for a, b in itertools.combinations(drawn, 2):
        assert distance(drawn[a], drawn[b]) > sets.SETS_DIFFER, (a, b)
    for kind, heading in HEADINGS.items():  # another action, shot size and character
        other = panel(heading, ACTION.get(kind, "Tom sits."), shot_size="MS",
                      characters=[{"name": "TOM"}])  # fmt: skip
        assert distance(drawn[kind], other) < sets.SETS_DIFFER, kind


def test_the_weather_the_action_names_is_drawn() -> None:
    clear = panel("EXT. MAIN STREET - NIGHT", "Tom waits.")
    rain = panel("EXT. MAIN STREET - NIGHT", "Rain hammers the street. Tom waits.")
    assert sets.weather_of("EXT. MAIN STREET - NIGHT", "Rain hammers the street.") == "rain"
    streaks = np.abs(np.asarray(rain, float) - np.asarray(clear, float)).max(axis=2) > 30
    assert streaks.mean() > 0.01  # rain streaks over more than 1 % of the picture
    fog = panel("EXT. MOOR - DAY", "Thick fog rolls in.")
    assert (
        np.asarray(fog.convert("L"), float).std()
        < np.asarray(panel("EXT. MOOR - DAY", "Tom waits.").convert("L"), float).std()
    )  # a veil: less contrast
    assert sets.weather_of("INT. KITCHEN - DAY", "Snow piles against the door.") == "snow"
    assert sets.weather_of("INT. KITCHEN - DAY", "Mara cooks.") == ""


def test_a_moving_camera_never_shows_a_mirrored_copy_of_a_frame_s_text() -> None:
    """A user's frame (a name tag near its edge) placed on the canvas a push-out or a pan
    travels over: the margin around it holds no back-to-front copy of the tag."""
    import cv2

    from aiuteur_desktop.providers.offline import animatic

    shot = ShotSpec(heading="INT. KITCHEN - DAY", width=640, move="pull-out")
    frame = Image.new("RGB", shot.size, (200, 190, 170))
    tag = Image.new("RGB", (120, 40), (20, 20, 24))
    ImageDraw.Draw(tag).text((8, 8), "MARA", fill=(255, 255, 255), font=panels.font(24))
    frame.paste(tag, (0, 30))  # against the frame's left edge
    cv = panels.Canvas(shot.size, panels.MARGIN, 1.0)
    canvas = animatic._place(frame, shot, cv)[..., :3]
    placed = np.ascontiguousarray(canvas).astype(np.uint8)
    original = np.asarray(tag)
    mirrored = np.ascontiguousarray(original[:, ::-1])
    found = cv2.matchTemplate(placed, original, cv2.TM_CCOEFF_NORMED).max()
    reflected = cv2.matchTemplate(placed, mirrored, cv2.TM_CCOEFF_NORMED).max()
    assert found > 0.95  # the tag is there, once, the right way round
    assert reflected < 0.6, reflected
