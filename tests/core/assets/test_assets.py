"""Master assets: deterministic extraction, pre-fill, merge with a definition sheet, image-key
candidates and locks, the Stage 5 gate, and scene-instance inheritance."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core import story
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from tests.screenplays import DATA


def heist():  # type: ignore[no-untyped-def]
    return fountain.read_string((DATA / "kitchen_heist.fountain").read_text(encoding="utf-8"))


def test_characters_are_normalised_across_extensions_and_introductions() -> None:
    found = {a.name: a for a in masters.extract(heist()) if a.kind == "character"}
    # JUNE / JUNE (CONT'D) / JUNE (V.O.), TOMMY / TOMMY (O.S.) / dual TOMMY ^ are one each;
    # the radio speaks; a forced @McCLANE keeps its spelling; A KNOCK and A GULL are sounds.
    assert list(found) == ["JUNE", "TOMMY", "RADIO", "McCLANE", "DANA"]
    assert found["JUNE"].scenes == ["s1", "s2", "s5"]
    assert found["TOMMY"].scenes == ["s1", "s2", "s4"]
    assert found["JUNE"].aliases == ["JUNE PARKER"]
    assert found["DANA"].aliases == ["OFFICER DANA WEST"]
    assert found["TOMMY"].description.startswith(
        "TOMMY REYES (20s, soaked denim jacket, a split lip)"
    )
    # How he looks, not what he does: action lines stay mentions with their scenes.
    assert "Tommy drives" not in found["TOMMY"].description
    assert any("Tommy drives, the duffel bag" in m["text"] for m in found["TOMMY"].mentions)


def test_locations_share_a_place_with_variants() -> None:
    found = {a.name: a for a in masters.extract(heist()) if a.kind == "location"}
    assert list(found) == ["KITCHEN", "THE PIER", "TOMMY'S VAN"]
    assert found["KITCHEN"].variants == [
        {
            "int_ext": "INT",
            "time_of_day": "NIGHT",
            "detail": "",
            "sub_location": "",
            "scenes": ["s1", "s5"],
        },
        {
            "int_ext": "EXT",
            "time_of_day": "DAY",
            "detail": "",
            "sub_location": "",
            "scenes": ["s2"],
        },
    ]
    assert found["THE PIER"].variants[0]["detail"] == "FLASHBACK"  # a forced heading
    assert found["TOMMY'S VAN"].variants == [
        {
            "int_ext": "INT/EXT",
            "time_of_day": "NIGHT",
            "detail": "MOVING",
            "sub_location": "",
            "scenes": ["s4"],
        }
    ]
    assert found["KITCHEN"].description.startswith("A cramped galley kitchen.")


def test_night_ferry_extraction_exact_sets() -> None:
    play = fountain.read_string((DATA / "night_ferry.fountain").read_text(encoding="utf-8"))
    found = masters.extract(play)
    # Dual dialogue (BRICK / STEEL ^) gives both speakers; OLD TOM (O.S.) is Tom (70s) as
    # the film's present shows him: an age variant of TOM, not a character of his own.
    people = {a.name: a for a in found if a.kind == "character"}
    assert list(people) == ["NESSA", "TOM", "BRICK", "STEEL", "McCLANE"]
    assert [(v["age"], v["name"], v["scenes"]) for v in people["TOM"].variants] == [
        ("OLD", "OLD TOM", ["s1"])
    ]
    assert people["TOM"].aliases == []
    assert [
        (a.name, [(v["int_ext"], v["time_of_day"], v["detail"]) for v in a.variants])
        for a in found
        if a.kind == "location"
    ] == [
        ("HARBOUR OFFICE", [("INT", "NIGHT", "")]),
        # CONTINUOUS keeps the harbour office's night.
        ("QUAYSIDE", [("EXT", "NIGHT", "")]),
        # A flashback twenty years back is not in the night of the scene before.
        ("THE FERRY DECK", [("", "", "FLASHBACK")]),
        ("TOM'S TRUCK", [("INT/EXT", "DAWN", "MOVING")]),
    ]


def test_sync_merges_with_the_sheet_and_keeps_user_text(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Heist") as p:
        master_script.import_screenplay(p, heist(), "kitchen_heist.fountain")
        masters.add(p, "character", "June Parker", "Our own words about June.")
        masters.add(p, "prop", "Biscuit tin")
        added, updated = masters.sync_extracted(p, masters.extract(heist()))
        assert (added, updated) == (7, 1)  # June matched by her full name
        by_name = {a["name"]: a for a in masters.all_assets(p)}
        june = by_name["June Parker"]
        assert june["description"] == "Our own words about June."  # the user's text wins
        assert "JUNE" in june["aliases"] and june["scenes"] == ["s1", "s2", "s5"]
        assert [a["kind"] for a in masters.all_assets(p)].count("prop") == 1
        # Running it again changes nothing.
        assert masters.sync_extracted(p, masters.extract(heist())) == (0, 0)


def test_candidates_locks_and_the_gate(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Keys") as p:
        a = masters.add(p, "character", "Mara", "Ferry mechanic")
        b = masters.add(p, "prop", "Lantern", "Paper lantern")
        with pytest.raises(GateClosed, match="Choose an image key"):
            masters.lock(p, a)
        masters.add_candidate(p, a, "m1", prompt="x", source="generated", cost=0.04)
        masters.add_candidate(p, a, "m2", prompt="y", guidance="redder hair")
        assert masters.read(p, a)["image_key"] == "m2"
        masters.choose_candidate(p, a, "m1")
        masters.lock(p, a)
        assert p.log()[0].message == "Locked master asset Mara"
        with pytest.raises(GateClosed, match="Lock an image key for Lantern"):
            masters.approve(p)
        masters.add_candidate(p, b, "m3", source="uploaded")
        masters.lock(p, b)
        masters.approve(p)
        assert story.is_locked(p, 5)
        assert [c["media"] for c in masters.read(p, a)["candidates"]] == ["m1", "m2"]


def test_scene_instances_inherit_forward(tmp_path: Path) -> None:
    with Project.create(tmp_path, "States") as p:
        master_script.import_screenplay(p, heist(), "kitchen_heist.fountain")
        path = masters.add(p, "character", "Tommy", "Soaked denim jacket")
        order = ["s1", "s2", "s3", "s4", "s5"]
        assert masters.state_in_scene(p, path, "s3", order)["description"] == "Soaked denim jacket"
        masters.save_instance(
            p,
            "s2",
            path,
            label="Tommy (Scene 2 – Muddy)",
            description="Mud on the jacket",
            conditions=["Muddy"],
        )
        s4 = masters.state_in_scene(p, path, "s4", order)
        assert (s4["label"], s4["scene"], s4["conditions"]) == (
            "Tommy (Scene 2 – Muddy)",
            "s2",
            ["Muddy"],
        )
        assert masters.state_in_scene(p, path, "s1", order)["scene"] is None


def test_promote_to_global_and_reuse_in_another_project(tmp_path: Path, aiuteur_home: Path) -> None:
    from aiuteur_desktop.core.assets.library import AssetLibrary

    lib = AssetLibrary(aiuteur_home)
    png = b"\x89PNG\r\n\x1a\nfake-key"
    with Project.create(tmp_path, "First") as p:
        path = masters.add(p, "character", "Mara", "Ferry mechanic, 30s, grease-streaked overalls")
        masters.update(p, path, voice="low, dry", tags=["lead"])
        masters.add_candidate(p, path, p.media.put(png, "image/png"), source="uploaded")
        g = lib.promote(p, path)
    assert (g.name, g.kind, g.voice, g.tags, g.source) == (
        "Mara",
        "character",
        "low, dry",
        ("lead",),
        "Promoted from First",
    )
    assert g.image is not None and g.image.read_bytes() == png
    assert [a.name for a in lib.all(kind="character", text="grease")] == ["Mara"]
    assert lib.all(kind="prop") == [] and lib.all(tag="LEAD")[0].id == g.id
    with Project.create(tmp_path, "Second") as q:
        new = lib.use_in(q, g.id)
        a = masters.read(q, new)
        assert a["global_id"] == g.id and q.media.read(a["image_key"]) == png
        assert a["description"].startswith("Ferry mechanic")
        q.commit("From the library")
    second = tmp_path / "Second.aiuteur"
    with pytest.raises(GateClosed, match="1 project use this asset \\(Second\\)"):
        lib.delete(g.id, [tmp_path / "First.aiuteur", second])
    lib.delete(g.id, [second], force=True)
    assert lib.all() == [] and not (lib.images / f"{g.id}.png").exists()


def test_the_visual_style_lock_is_global_context(tmp_path: Path) -> None:
    from aiuteur_desktop.core.context import ContextManager

    with Project.create(tmp_path, "Styled") as p:
        assert "visual_style" not in [x.key for x in ContextManager(p).for_story(4000).pieces]
        masters.set_style_lock(p, "Silver noir", "high-contrast black and white, hard shadows")
        ctx = ContextManager(p).for_story(4000)
        piece = next(x for x in ctx.pieces if x.key == "visual_style")
        assert piece.text == "Silver noir: high-contrast black and white, hard shadows"
        assert "stage5/style" in ctx.sources()


def test_renders_get_pictures_not_key_cards(tmp_path: Path) -> None:
    """Image keys for the animatic: a photo or generated picture by name and alias, locations
    by place; an offline key card is a sheet about the asset, so renders draw their own."""
    with Project.create(tmp_path, "Renders") as p:
        master_script.import_screenplay(p, heist(), "kitchen_heist.fountain")
        masters.sync_extracted(p, masters.extract(heist()))
        photo = p.media.put(b"\x89PNG june", "image/png")
        card = p.media.put(b"\x89PNG card", "image/png")
        kitchen = p.media.put(b"\x89PNG kitchen", "image/png")
        masters.add_candidate(p, "assets/june", photo, source="uploaded")
        masters.add_candidate(p, "assets/tommy", card, model="offline:storyboard")
        masters.add_candidate(p, "assets/kitchen", kitchen, model="google:gemini-2.5-flash-image")
        masters.add_candidate(p, "assets/dana", "f" * 64, source="uploaded")  # file gone
        people, places = masters.image_keys(p)
        assert people == {"JUNE": p.media.path(photo), "JUNE PARKER": p.media.path(photo)}
        assert places == {"KITCHEN": p.media.path(kitchen)}


INTRODUCED_AGAIN = """INT. HOUSE - DAY

WILL BLOOM (3, curly hair, dungarees) plays with a toy truck. A SOPHISTICATED WOMAN (50s, pearls) watches.

WOMAN (O.S.)
Lunch!

SOPHISTICATED WOMAN
Not for me.

WILL
Truck!

INT. SCHOOL CORRIDOR - DAY

WILL (17, braces, a grey hoodie) waits by the lockers.

WILL
Hi.

INT. SCHOOL CORRIDOR - LATER

WILL
Still here.

INT. OFFICE - NIGHT

WILL (28, a crumpled suit, tired eyes) types.

WILL
Done.
"""


def test_a_character_introduced_again_keeps_the_first_look_and_changes_from_that_scene(
    tmp_path: Path,
) -> None:
    """WILL at 3, at 17, at 28: the master look is the first introduction; each later one
    is a carrying condition of its scene's instance (Stage 8), and of the scenes after it.
    SOPHISTICATED WOMAN and WOMAN are two speakers."""
    from aiuteur_desktop.core.production import visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.core.screenplay import fountain
    from aiuteur_desktop.core.story import master_script

    project = Project.create(tmp_path, "Will")
    master_script.import_screenplay(
        project, fountain.read_string(INTRODUCED_AGAIN), "will.fountain"
    )
    masters.extract_into(project)
    will = masters.read(project, "assets/will")
    assert will["description"] == "WILL BLOOM (3, curly hair, dungarees)"
    assert [look["look"] for look in will["looks"]] == [
        "17, braces, a grey hoodie",
        "28, a crumpled suit, tired eyes",
    ]
    names = {a["name"] for a in masters.all_assets(project) if a["kind"] == "character"}
    assert {"WOMAN", "SOPHISTICATED WOMAN"} <= names

    def will_in(scene: str) -> tuple[str, ...]:
        rows = shot_list.current(project, scene)
        found = next(e for e in visuals.elements(project, scene, rows) if e.slug == "will")
        return tuple(c.tag for c in found.conditions)

    assert will_in("s1") == ()
    assert will_in("s2") == ("17, braces, a grey hoodie",)
    assert will_in("s3") == ("17, braces, a grey hoodie",)  # carried forward
    assert will_in("s4") == ("28, a crumpled suit, tired eyes",)


INTRODUCED_BY_AGE = """INT. WILL'S BEDROOM - NIGHT (1973)

WILL BLOOM, AGE 3, sits up in bed, rapt, as his father EDWARD BLOOM, 40's, tells a story with his hands.

EDWARD
She was the biggest fish in the river.

WILL
How big?

INT. KITCHEN - DAY

Edward reads the paper.

EDWARD
Morning.
"""


def test_a_person_introduced_by_age_after_a_comma_is_described_by_their_own_words() -> None:
    """Issue 42: EDWARD's description began "WILL BLOOM, AGE 3…" — the sentence that
    introduces them both was his description, his son's introduction first."""
    from aiuteur_desktop.core.assets import extraction, stature

    found = {
        a.name: a.description
        for a in extraction.extract(fountain.read_string(INTRODUCED_BY_AGE))
        if a.kind == "character"
    }
    assert found["EDWARD"] == "EDWARD BLOOM, 40's, tells a story with his hands."
    assert found["WILL"] == "WILL BLOOM, AGE 3, sits up in bed, rapt."
    # …and so the storyboard draws a three-year-old beside a grown-up.
    assert stature.stature(found["WILL"]) < 0.6 and stature.stature(found["EDWARD"]) == 1.0
