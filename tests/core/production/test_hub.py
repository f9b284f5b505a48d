"""Stage 6's derived view of each scene: status, dependencies, continuity advice, and why a
scene is outdated."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.production import hub as script_hub
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from tests.screenplays import edit_line, scripted_project


@pytest.fixture
def ferry(tmp_path: Path):  # type: ignore[no-untyped-def]
    with scripted_project(tmp_path, "Ferry", "night_ferry") as p:
        yield p


def test_overview_says_what_a_scene_depends_on(ferry: Project) -> None:
    first = script_hub.overview(ferry, "s1")
    assert (first.label, first.heading, first.status) == (
        "1",
        "INT. HARBOUR OFFICE - NIGHT",
        "Draft",
    )
    assert (first.location, first.variant, first.previous) == ("HARBOUR OFFICE", "INT · NIGHT", "")
    assert first.risk == "Safe" and first.reasons == ()
    assert first.excerpt.startswith("INT. HARBOUR OFFICE - NIGHT\n\nRain streaks the window.")
    assert "office is closing" not in first.excerpt  # synopses are writers' notes
    assert "Is she carrying" not in first.excerpt  # so are [[notes]]
    second = script_hub.overview(ferry, "s2")
    assert second.characters == ("BRICK", "STEEL")
    assert second.previous.startswith(
        "Scene 1 ends on NESSA, TOM — NESSA: “I can't wait till morning.”"
    )
    # CONTINUOUS, and the two people on screen at the end of scene 1 are not in its first shot.
    assert second.risk == "Risky"
    assert second.reasons == (
        "NESSA, TOM ended the scene before on screen but are not in this scene's first shot.",
    )


def test_statuses_follow_the_shot_lists_and_the_script(ferry: Project) -> None:
    assert set(script_hub.statuses(ferry).values()) == {"Draft"}
    shot_list.lock(ferry, "s1", shot_list.current(ferry, "s1"))
    assert script_hub.statuses(ferry)["s1"] == "Shot List Locked"
    assert script_hub.why_outdated(ferry, "s1") == ""
    edit_line(ferry, "night_ferry", "I can't wait till morning.", "I can't wait. Not tonight.")
    statuses = script_hub.statuses(ferry)
    assert statuses == {"s1": "Outdated", "s2": "Draft", "s3": "Draft", "s4": "Draft"}
    assert script_hub.overview(ferry, "s1").risk == "Risky"
    assert script_hub.why_outdated(ferry, "s1") == (
        "Scene 1 is outdated: scene 1 of the Master Script changed since its work was made. "
        "Scenes 2–4 follow it and may need a look for continuity. You can carry on; nothing "
        "is blocked."
    )


def test_hub_rows_count_shots_time_and_status(ferry: Project) -> None:
    rows = script_hub.hub(ferry)
    assert [(r.scene_id, r.label, r.shots, r.seconds, r.status) for r in rows] == [
        ("s1", "1", 4, 26, "Draft"),
        # The quayside's action and dual lines, then its centred title as a card of its own.
        ("s2", "2", 2, 10, "Draft"),
        ("s3", "3", 2, 14, "Draft"),
        # FADE OUT. is a transition, not screen time.
        ("s4", "4", 1, 6, "Draft"),
    ]
    edited = shot_list.split(shot_list.current(ferry, "s4"), 0)  # the drive, then Tom's line
    shot_list.lock(ferry, "s4", edited)
    last = script_hub.hub(ferry)[3]
    assert (last.shots, last.seconds, last.status) == (2, 8, "Shot List Locked")
