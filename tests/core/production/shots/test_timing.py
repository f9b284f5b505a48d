"""Deterministic shot timing: scenes into shots of at most eight seconds, nothing lost."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiuteur_desktop.core.production.shots import timing as shots
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import fountain
from tests.screenplays import DATA

LIGHTHOUSE = """Title: The Keeper

INT. LAMP ROOM - NIGHT

The lamp turns. ADA (60s) polishes the lens.

ADA
Another night.

BEN (O.S.)
(calling up)
Ada! The boat's in.

ADA (CONT'D)
Tell them to wait.

EXT. GALLERY - CONTINUOUS

Wind. Ada steps out onto the gallery and grips the rail. Far below, a small boat rocks against the jetty. A man in oilskins waves a torch at her, again and again, as if he has been waving for an hour. The sea throws spray over the rocks and the torch goes out.

BEN
I said the boat's in!

ADA
I heard you!

BEN ^
Then come down!

CUT TO:

INT. KITCHEN - DAY

BEN
(tired)
I waited three hours at the jetty. Three hours in the rain while the engine coughed and the tide turned against us. You know what the harbour master said? He said the lighthouse keeper never comes down. Not for boats, not for letters, not for anybody. And he was right.

INT. CELLAR - NIGHT
"""


@pytest.fixture
def keeper() -> list[shots.Shot]:
    return shots.breakdown(fountain.read_string(LIGHTHOUSE))


def table(rows: list[shots.Shot]) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    return [(s.label, s.duration, s.shot_size, s.move, s.characters) for s in rows]


def test_scenes_break_into_the_expected_shots(keeper: list[shots.Shot]) -> None:
    assert table(keeper) == [
        # Opens on picture: a wide establishing push-in holding the first two lines; Ben
        # calls from off screen (O.S.), so only Ada is in it.
        ("1A", 8, "WS", "push-in", ("ADA",)),
        ("1B", 4, "MCU", "static", ("ADA",)),
        # A 53-word paragraph: three shots cut between sentences.
        ("2A", 8, "WS", "push-in", ("ADA",)),
        ("2B", 8, "WS", "static", ()),
        ("2C", 8, "MS", "static", ("BEN", "ADA")),
        # A 50-word monologue: four shots, the speech cut between sentences.
        ("3A", 4, "MCU", "static", ("BEN",)),
        ("3B", 8, "MCU", "static", ("BEN",)),
        ("3C", 8, "MCU", "static", ("BEN",)),
        ("3D", 6, "MCU", "static", ("BEN",)),
        # An empty scene still gets its establishing shot.
        ("4A", 4, "WS", "push-in", ()),
    ]
    first = keeper[0]
    assert first.action == "The lamp turns. ADA (60s) polishes the lens."
    assert [(d.character, d.parenthetical, d.text) for d in first.dialogue] == [
        ("ADA", "", "Another night."),
        ("BEN", "(calling up)", "Ada! The boat's in."),
    ]
    # Dual dialogue is said at once: one piece of the shot, both lines verbatim.
    assert [(d.character, d.text) for d in keeper[4].dialogue] == [
        ("BEN", "I said the boat's in!"),
        ("ADA", "I heard you!"),
        ("BEN", "Then come down!"),
    ]
    monologue = keeper[5:9]
    # The writer's parenthetical stays with the first piece; nothing is added to the others.
    assert [d.parenthetical for s in monologue for d in s.dialogue] == ["(tired)", "", "", ""]
    assert monologue[0].dialogue[0].text == "I waited three hours at the jetty."
    assert (
        monologue[-1].dialogue[0].text
        == "Not for boats, not for letters, not for anybody. And he was right."
    )


def test_every_shot_fits_and_is_a_renderable_length(keeper: list[shots.Shot]) -> None:
    for s in keeper:
        assert s.timing <= shots.MAX_SHOT
        assert s.duration in shots.DURATIONS and s.duration >= s.timing


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", sp.plain(text))


@pytest.mark.parametrize("name", ["night_ferry.fountain", "kitchen_heist.fountain"])
def test_nothing_on_screen_is_lost_or_reordered(name: str) -> None:
    """Every word of action and dialogue is in exactly one shot, in script order."""
    play = fountain.read_string((DATA / name).read_text(encoding="utf-8"))
    for scene in play.scenes():
        body = play.elements[scene.body_start : scene.end]
        action = [
            w
            for e in body
            if e.type in (sp.ACTION, sp.CENTERED, sp.LYRICS) and not sp.transition_of(e.text)
            for w in _words(e.text)
        ]
        spoken = [w for e in body if e.type == sp.DIALOGUE for w in _words(e.text)]
        rows = shots.scene_shots(play, scene)
        assert [w for s in rows for w in _words(s.action)] == action
        assert [w for s in rows for d in s.dialogue for w in _words(d.text)] == spoken


def test_continuous_scenes_keep_the_light_of_the_scene_before(keeper: list[shots.Shot]) -> None:
    gallery = keeper[2]
    assert gallery.continuity == "CONTINUOUS" and gallery.light == "NIGHT"
    spec = shots.to_spec(gallery)
    assert spec.time_of_day == "NIGHT" and not spec.interior
    assert keeper[5].light == "DAY"


def test_export_names_follow_the_convention(keeper: list[shots.Shot]) -> None:
    assert shots.clip_name("Night Ferry", keeper[1]) == "NightFerry_Sc01_Shot1B_v01"
    assert shots.clip_name("THE KEEPER", keeper[3], 2) == "TheKeeper_Sc02_Shot2B_v02"
    assert shots.clip_name("KH", keeper[0]) == "KH_Sc01_Shot1A_v01"
    assert shots.clip_name("???", keeper[0]) == "Aiuteur_Sc01_Shot1A_v01"


def test_shot_becomes_a_render_spec_with_image_keys(
    keeper: list[shots.Shot], tmp_path: Path
) -> None:
    ada = tmp_path / "ada.png"
    spec = shots.to_spec(keeper[4], width=640, images={"ADA": ada})
    assert spec.duration == 8 and spec.width == 640 and spec.shot == "2C"
    cast = {c.name: c for c in spec.characters}
    # A two-shot: they stand left and right facing each other; Ada is her image key.
    assert (cast["BEN"].position, cast["BEN"].facing) == ("left", "right")
    assert (cast["ADA"].position, cast["ADA"].facing) == ("right", "left")
    assert cast["ADA"].image == str(ada) and cast["BEN"].image is None
    assert [line.text for line in spec.dialogue] == [d.text for d in keeper[4].dialogue]
