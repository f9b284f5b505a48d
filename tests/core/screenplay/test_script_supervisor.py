"""Reading a screenplay as a script supervisor would: nothing dropped, every word verbatim,
the right place and light (tests/data/screenplays/supervisor.fountain exercises each case:
an opening before the first heading, every heading form, comma headings, forced headings
that name no place, centred titles, `."` sentence ends, parentheticals inside speeches,
nested and multi-line emphasis, lyrics, titled and aged introductions, YOUNG/OLD variants,
unison cues, transitions at the end)."""

from __future__ import annotations

import pytest
from PIL import ImageStat

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production.shots import timing
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.core.screenplay.headings import parse_heading
from aiuteur_desktop.providers.offline import panels
from tests.screenplays import play


@pytest.fixture(scope="module")
def supervisor() -> sp.Screenplay:
    return play("supervisor")


@pytest.mark.parametrize(
    ("heading", "parts"),
    [
        # (int_ext, location, sub-location, time of day, continuity, detail)
        (
            "EXT. BY THE CANAL - NIGHT - CONTINUOUS",
            ("EXT", "BY THE CANAL", "", "NIGHT", "CONTINUOUS", ""),
        ),
        (
            "INT. ANNA'S APARTMENT, TWO DAYS LATER",
            ("INT", "ANNA'S APARTMENT", "", "", "TWO DAYS LATER", ""),
        ),
        ("INT. ANNA'S APARTMENT, NIGHT", ("INT", "ANNA'S APARTMENT", "", "NIGHT", "", "")),
        ("INT. HOUSE - KITCHEN - DAY", ("INT", "HOUSE - KITCHEN", "KITCHEN", "DAY", "", "")),
        ("INT. HOUSE - NIGHT (1968)", ("INT", "HOUSE", "", "NIGHT", "", "1968")),
        ("EXT. ROOF - NIGHT [CONTINUOUS]", ("EXT", "ROOF", "", "NIGHT", "CONTINUOUS", "")),
        ("EXT. STREET - NIGHT / LATER", ("EXT", "STREET", "", "NIGHT", "LATER", "")),
        ("EXT. FIELD - PRE-DAWN", ("EXT", "FIELD", "", "PRE-DAWN", "", "")),
        ("EXT. BEACH - MAGIC HOUR", ("EXT", "BEACH", "", "MAGIC HOUR", "", "")),
        ("EXT. CITY - VARIOUS SHOTS", ("EXT", "CITY", "", "", "", "VARIOUS SHOTS")),
        (
            "INT./EXT. TOMMY'S VAN - MOVING - NIGHT",
            ("INT/EXT", "TOMMY'S VAN", "", "NIGHT", "", "MOVING"),
        ),
        ("EXT/INT. GARAGE - DAY", ("INT/EXT", "GARAGE", "", "DAY", "", "")),
        ("I/E VAN - DAWN", ("INT/EXT", "VAN", "", "DAWN", "", "")),
        ("INT. HALL - SAME", ("INT", "HALL", "", "", "SAME", "")),
        ("INT. HALL - MOMENTS LATER", ("INT", "HALL", "", "", "MOMENTS LATER", "")),
        ("INT. HALL - CONTINUED", ("INT", "HALL", "", "", "CONTINUED", "")),
        ("INT. HALL - DAY #12A#", ("INT", "HALL", "", "DAY", "", "")),
        ("INT. LAB -- NIGHT", ("INT", "LAB", "", "NIGHT", "", "")),
        ("EST. HARBOUR — DUSK", ("EXT", "HARBOUR", "", "DUSK", "", "")),
        (".FLASHBACK - THE PIER", ("", "THE PIER", "", "", "", "FLASHBACK")),
    ],
)
def test_every_heading_form_splits_into_place_and_time(
    heading: str, parts: tuple[str, ...]
) -> None:
    h = parse_heading(heading)
    assert (h.int_ext, h.location, h.sub_location, h.time_of_day, h.continuity, h.detail) == parts
    assert h.kind == headings.SCENE


@pytest.mark.parametrize(
    ("heading", "kind", "subject"),
    [
        ("ANNA", headings.SHOT, "ANNA"),  # a character of the script
        ("THE RING", headings.INSERT, "THE RING"),  # no place, no time, mid-scene
        ("INSERT - THE LETTER", headings.INSERT, "THE LETTER"),
        ("OPENING TITLES", headings.TITLE, "OPENING TITLES"),
        ("RIFLE SCOPE POV", headings.POV, "RIFLE SCOPE"),
        ("ANNA'S POV", headings.POV, "ANNA"),
        ("THE PIER", headings.SCENE, ""),  # a place seen before
    ],
)
def test_forced_headings_that_name_no_place_are_shots(
    heading: str, kind: str, subject: str
) -> None:
    h = parse_heading(heading, characters={"ANNA"}, places={"THE PIER"})
    assert (h.kind, h.subject) == (kind, subject)


def _spec(heading: str) -> object:
    one = sp.Screenplay((), (sp.Element(sp.SCENE_HEADING, heading),))
    return timing.to_spec(timing.breakdown(one)[0], width=320)


@pytest.mark.parametrize(
    "heading",
    [
        "EXT. YARD - NIGHT",
        "EXT. YARD - NIGHT (1968)",
        "EXT. YARD - NIGHT [CONTINUOUS]",
        "EXT. YARD - NIGHT / LATER",
        "EXT. YARD, NIGHT",
        "EXT. YARD - LATE NIGHT",
    ],
)
def test_night_renders_as_night_however_the_heading_writes_it(heading: str) -> None:
    night, day = _spec(heading), _spec("EXT. YARD - DAY")
    assert night.time_of_day == "NIGHT"  # type: ignore[attr-defined]
    dark = ImageStat.Stat(panels.render_anchor(night).convert("L")).mean[0]  # type: ignore[arg-type]
    light = ImageStat.Stat(panels.render_anchor(day).convert("L")).mean[0]  # type: ignore[arg-type]
    assert dark < light - 30


def test_scenes_opening_places_and_light(supervisor: sp.Screenplay) -> None:
    scenes = supervisor.scenes()
    assert [
        (s.label, s.kind, s.int_ext, s.location, s.time_of_day, s.continuity, s.subject)
        for s in scenes
    ] == [
        # Everything before the first heading is an opening scene, not dropped.
        ("0", headings.OPENING, "", "", "", "", ""),
        ("1", "scene", "EXT", "BY THE CANAL", "NIGHT", "CONTINUOUS", ""),
        ("2", "scene", "INT", "ANNA'S APARTMENT", "", "TWO DAYS LATER", ""),
        ("3", "scene", "INT", "ANNA'S APARTMENT - KITCHEN", "NIGHT", "", ""),
        ("4", "scene", "INT", "HOUSE", "NIGHT", "", ""),
        ("5", "scene", "EXT", "ROOF", "NIGHT", "CONTINUOUS", ""),
        # Forced headings on a character and an object stay on the roof.
        ("6", headings.SHOT, "EXT", "ROOF", "", "", "ANNA"),
        ("7", headings.INSERT, "EXT", "ROOF", "", "", "THE RING"),
        ("8", "scene", "EXT", "STREET", "NIGHT", "LATER", ""),
        ("9", "scene", "INT/EXT", "VAN", "PRE-DAWN", "", ""),
        ("10", "scene", "INT/EXT", "GARAGE", "MAGIC HOUR", "", ""),
        ("11", "scene", "EXT", "CITY", "", "", ""),
        ("12A", "scene", "INT", "HALL", "", "SAME", ""),
        ("13", headings.POV, "INT", "HALL", "", "", "RIFLE SCOPE"),
        ("14", "scene", "INT", "HALL", "", "MOMENTS LATER", ""),
    ]
    # One apartment, not one place per time of day.
    assert scenes[2].place == scenes[3].place == "ANNA'S APARTMENT"
    assert scenes[3].sub_location == "KITCHEN"


def test_shots_hold_every_line_verbatim(supervisor: sp.Screenplay) -> None:
    rows = timing.breakdown(supervisor)
    table = [
        (
            s.label,
            s.kind,
            s.light,
            s.characters,
            [(d.character, d.parenthetical, d.text) for d in s.dialogue],
        )
        for s in rows
    ]
    assert table == [
        # A voice-over is heard, not drawn: nobody is in the opening's shot.
        ("0A", "shot", "DAY", (), [("ANNA", "", "I was nine the summer the river froze.")]),
        (
            "1A",
            "shot",
            "NIGHT",
            ("DR. ROE",),
            # The writer's (beat) stays where it was written, with the line it leads.
            [("DR. ROE", "(to herself)", "Not far now."), ("DR. ROE", "(beat)", "Not far.")],
        ),
        ("2A", "shot", "DAY", ("YOUNG TOM", "ANNA"), [("YOUNG TOM", "", "Is that all of them?")]),
        ("2B", "shot", "DAY", ("ANNA",), [("ANNA", "", "Every last one.")]),
        # `."` ends a sentence and the quote stays with it.
        ("3A", "shot", "NIGHT", ("TOM",), [("TOM", "", 'She told me, "Wait by the gate."')]),
        (
            "3B",
            "shot",
            "NIGHT",
            ("TOM",),
            [
                (
                    "TOM",
                    "",
                    "So I waited by the gate for an hour and then another hour and then I "
                    "stopped counting,",
                )
            ],
        ),
        (
            "3C",
            "shot",
            "NIGHT",
            # A unison cue is spoken by each of them. A sentence too long for one shot is
            # divided at its comma, never between two words of a clause.
            ("TOM", "ANNA"),
            [
                ("TOM", "", "because counting made it so much worse."),
                ("TOM AND ANNA", "", "Happy birthday!"),
            ],
        ),
        # Multi-line italics leave no asterisks and keep the verse's line break.
        ("4A", "shot", "NIGHT", ("ANNA",), [("ANNA", "", "Hush little baby,\ndon't say a word.")]),
        ("5A", "shot", "NIGHT", ("TOM",), [("TOM", "", "Now!"), ("ALL", "", "Surprise!")]),
        ("6A", "shot", "NIGHT", ("ANNA",), []),
        ("7A", "insert", "NIGHT", (), []),
        ("8A", "shot", "NIGHT", (), []),
        ("9A", "shot", "DAWN", ("TOM",), []),
        ("10A", "shot", "DUSK", (), []),
        ("11A", "shot", "DUSK", (), []),
        ("12A.A", "shot", "DUSK", ("OLD TOM",), [("OLD TOM", "(quietly)", "You came.")]),
        ("13A", "pov", "DUSK", (), []),
        ("14A", "shot", "DUSK", (), []),
        ("14B", "title", "DUSK", (), []),
    ]
    assert rows[0].action == "Black. Rain on a tin roof."  # FADE IN: is not on screen
    assert rows[11].action == "Row, row, row your boat\nGently down the stream"  # lyrics
    assert rows[10].shot_size == "CU" and rows[10].action == "A gold band on the sill."
    # The centred title is a card; FADE OUT. is the transition after it, never a shot.
    assert (rows[-1].action, rows[-1].transition) == ("THE END", "FADE OUT.")
    assert not any("FADE" in s.action for s in rows)


def test_title_cards_are_drawn_as_cards(supervisor: sp.Screenplay) -> None:
    card = timing.to_spec(timing.breakdown(supervisor)[-1], width=320)
    assert card.kind == "title" and not card.characters
    image = panels.render_anchor(card).convert("L")
    stat = ImageStat.Stat(image)
    assert stat.mean[0] < 40  # dark card …
    assert image.getextrema()[1] > 200  # … with light type on it


def test_characters_resolve_titles_ages_variants_and_unison(supervisor: sp.Screenplay) -> None:
    people = {a.name: a for a in masters.extract(supervisor) if a.kind == "character"}
    assert list(people) == ["ANNA", "DR. ROE", "TOM"]  # no TOM AND ANNA, no ALL, no YOUNG TOM
    assert people["DR. ROE"].aliases == ["DR. JANE ROE"]  # introduced as DR. JANE ROE (85)
    assert people["DR. ROE"].description.startswith("DR. JANE ROE (85)")
    tom = people["TOM"]
    assert tom.aliases == []
    assert [(v["age"], v["name"], v["scenes"]) for v in tom.variants] == [
        ("YOUNG", "YOUNG TOM", ["s3"]),
        ("OLD", "OLD TOM", ["s13"]),
    ]
    assert tom.variants[0]["description"] == "YOUNG TOM (8)"
    assert tom.description.startswith("TOM (40s)") and "YOUNG" not in tom.description
    assert people["ANNA"].scenes == ["s1", "s3", "s4", "s5"]  # TOM AND ANNA speak in s4
    places = [a.name for a in masters.extract(supervisor) if a.kind == "location"]
    assert places == [
        "BY THE CANAL",
        "ANNA'S APARTMENT",
        "HOUSE",
        "ROOF",
        "STREET",
        "VAN",
        "GARAGE",
        "CITY",
        "HALL",
    ]


@pytest.mark.parametrize(
    ("marked", "shown"),
    [
        ("**THE END**", "THE END"),
        ("***bold italic*** and *italic*", "bold italic and italic"),
        ("**bold *nested* bold**", "bold nested bold"),
        ("*over\ntwo lines*", "over\ntwo lines"),
        ("_underlined_ but snake_case_name stays", "underlined but snake_case_name stays"),
        ("5 * 3 = 15", "5 * 3 = 15"),
        ("\\*not emphasis\\*", "*not emphasis*"),
        ("a [[note]] here", "a here"),
    ],
)
def test_emphasis_markup_never_shows(marked: str, shown: str) -> None:
    assert sp.plain(marked) == shown


def test_runs_keep_emphasis_for_outputs_that_can_show_it() -> None:
    assert sp.runs("**bold *both* bold**") == [
        sp.Run("bold ", bold=True),
        sp.Run("both", bold=True, italic=True),
        sp.Run(" bold", bold=True),
    ]


#: Headings of published scripts a script supervisor reads without thinking (issue "The
#: script read as a script supervisor reads it"): (location, time of day, light,
#: continuity, qualifiers). The light of a heading with no time word comes from the scene
#: before, here NIGHT.
SUPERVISOR_HEADINGS = [
    ("INT. HALF-DARK PARIS APARTMENT - (PRESENT) DAY",
     ("HALF-DARK PARIS APARTMENT", "DAY", "DAY", "", ("PRESENT",))),
    ("INT. KITCHEN - PRESENT DAY", ("KITCHEN", "DAY", "DAY", "", ("PRESENT",))),
    ("INT. BEDROOM - [THE NEXT] MORNING", ("BEDROOM", "MORNING", "DAY", "", ("THE NEXT",))),
    ("EXT. SWAMP - ANOTHER DAY", ("SWAMP", "DAY", "DAY", "", ("ANOTHER",))),
    ("EXT. HOUSE - DAY TO NIGHT", ("HOUSE", "DAY", "DAY", "", ("TO NIGHT",))),
    ("INT. BATHROOM - DAY [FLASHFORWARD]", ("BATHROOM", "DAY", "DAY", "", ("FLASHFORWARD",))),
    ("INT. OFFICE - DAY [STORY]", ("OFFICE", "DAY", "DAY", "", ("STORY",))),
    ("INT. CAR - NIGHT - [THE STORM]", ("CAR", "NIGHT", "NIGHT", "", ("THE STORM",))),
    ("INT. CAR - DAY / DRIVING", ("CAR", "DAY", "DAY", "", ("DRIVING",))),
    ("INT. HALLWAY, APARTMENT BUILDING, A MOMENT LATER",
     ("HALLWAY - APARTMENT BUILDING", "", "NIGHT", "A MOMENT LATER", ())),
    ("INT. LOBBY, CONTINUED", ("LOBBY", "", "NIGHT", "CONTINUED", ())),
    ("INT. APARTMENT, SAME", ("APARTMENT", "", "NIGHT", "SAME", ())),
    ("INT SCOTT'S APARTMENT, SAME TIME", ("SCOTT'S APARTMENT", "", "NIGHT", "SAME TIME", ())),
    ("EXT. APARTMENT, A BIT LATER", ("APARTMENT", "", "NIGHT", "A BIT LATER", ())),
    ("INT. CAR, NORTHBOUND ON THE BRIDGE, MINUTES LATER",
     ("CAR - NORTHBOUND ON THE BRIDGE", "", "NIGHT", "MINUTES LATER", ())),
    ("INT. LANDCRUISER, DRIVING -- A BIT LATER",
     ("LANDCRUISER", "", "NIGHT", "A BIT LATER", ("DRIVING",))),
]  # fmt: skip


def _after_night(heading: str) -> sp.Screenplay:
    return sp.Screenplay(
        (),
        (
            sp.Element(sp.SCENE_HEADING, "EXT. ROAD - NIGHT"),
            sp.Element(sp.ACTION, "Rain."),
            sp.Element(sp.SCENE_HEADING, heading),
            sp.Element(sp.ACTION, "Something happens."),
        ),
    )


@pytest.mark.parametrize(
    ("heading", "parts"), SUPERVISOR_HEADINGS, ids=[h for h, _ in SUPERVISOR_HEADINGS]
)
@pytest.mark.parametrize("spelling", ["fountain", "fdx"])
def test_headings_with_qualifiers_keep_the_place_clean_and_the_light_right(
    heading: str, parts: tuple[object, ...], spelling: str
) -> None:
    from aiuteur_desktop.core.screenplay import fdx, fountain

    written = _after_night(heading)
    read = (
        fountain.read_string(fountain.write_string(written))
        if spelling == "fountain"
        else fdx.read_string(fdx.write_string(written))
    )
    scene = read.scenes()[1]
    assert (
        scene.location, scene.time_of_day, scene.light, scene.continuity, scene.qualifiers
    ) == parts  # fmt: skip
    # No time word or qualifier stays in the place a location asset is named after.
    for word in ("DAY", "NIGHT", "MORNING", "LATER", "SAME", "CONTINUED", "STORY", "DRIVING"):
        assert word not in scene.place.split()


def test_secondary_headings_read_in_the_master_scene_and_say_so() -> None:
    from aiuteur_desktop.core.screenplay import fountain

    read = fountain.read_string(
        "INT. APARTMENT - NIGHT\n\nAnna waits.\n\n.BACK IN THE APARTMENT\n\nShe sits.\n\n"
        ".NAK'S BEDROOM\n\nNak sleeps.\n\n.FLASHBACK - THE FERRY DECK\n\nSun.\n"
    )
    _master, back, bedroom, flashback = read.scenes()
    assert (back.kind, back.place, back.int_ext, back.light, back.inherits) == (
        headings.SCENE, "THE APARTMENT", "INT", "NIGHT", "1"
    )  # fmt: skip
    assert (bedroom.kind, bedroom.place, bedroom.int_ext, bedroom.light, bedroom.inherits) == (
        headings.SCENE, "NAK'S BEDROOM", "INT", "NIGHT", "1"
    )  # fmt: skip
    # A flashback is not in the scene before: it takes nothing from it.
    assert (flashback.int_ext, flashback.light, flashback.inherits) == ("", "DAY", "")


@pytest.mark.parametrize(
    ("front", "opening"),
    [
        ("Title: The Film\nAuthor: A. Writer\n\n# ACT ONE\n\n= Anna wakes.\n\n[[tone: cold]]\n\n"
         "/* an old idea\nstill here */\n\n===\n\n", False),
        ("FADE IN:\n\n", False),
        ("We're underwater. Bubbles rise.\n\n", True),
        ("[[a note]] A boat on the horizon.\n\n", True),
    ],
)  # fmt: skip
def test_an_opening_scene_exists_only_with_something_on_screen(front: str, opening: bool) -> None:
    from aiuteur_desktop.core.screenplay import fountain

    read = fountain.read_string(front + "INT. KITCHEN - DAY\n\nAnna cooks.\n")
    scenes = read.scenes()
    assert (scenes[0].kind == headings.OPENING) is opening
    first = scenes[1] if opening else scenes[0]
    assert (first.label, first.heading) == ("1", "INT. KITCHEN - DAY")
    if not opening:  # numbering and ids as if nothing came before the heading
        assert [s.id for s in scenes] == ["s1"]


def test_titles_pov_and_outside_are_drawn_as_what_they_are() -> None:
    from aiuteur_desktop.core.screenplay import fdx, fountain

    text = (
        "Title: Night Ferry\n\n.OPENING TITLES\n\nEXT. HARBOUR - NIGHT\n\n"
        "> NIGHT FERRY <\n> a film in three tides <\n\nBoats rock at anchor.\n\n"
        ".TITLE CARD: PARIS, 1942\n\nINT. CONTROL TOWER - NIGHT\n\nANNA lies flat, rifle ready.\n\n"
        "ANNA\nThere.\n\n.SNIPER SCOPE POV\n\nA man in a grey coat crosses the square.\n\n"
        "OUTSIDE, the chopper lifts off into the rain.\n"
    )
    for read in (
        fountain.read_string(text),
        fdx.read_string(fdx.write_string(fountain.read_string(text))),
    ):
        rows = timing.breakdown(read)
        cards = [s.action for s in rows if s.kind == timing.TITLE]
        # The opening titles show the film's title, not the words "OPENING TITLES"; a title
        # and its subtitle are one card; a TITLE CARD heading shows its text.
        assert cards == ["Night Ferry", "NIGHT FERRY\na film in three tides", "PARIS, 1942"]
        pov = next(s for s in rows if s.kind == timing.POV)
        assert (pov.shot_size, pov.move) == ("MS", "static") and "ANNA" not in pov.characters
        outside = next(s for s in rows if s.action.startswith("OUTSIDE"))
        assert outside.int_ext == "EXT"  # in an INT. scene, drawn outdoors


def test_a_scope_pov_is_drawn_through_the_scope() -> None:
    from aiuteur_desktop.core.screenplay import fountain

    read = fountain.read_string(
        "EXT. ROOFTOP - DAY\n\nANNA aims.\n\n.SNIPER SCOPE POV\n\nA man crosses the square.\n"
    )
    pov = next(s for s in timing.breakdown(read) if s.kind == timing.POV)
    frame = panels.render_anchor(timing.to_spec(pov, width=320)).convert("L")
    w, h = frame.size
    # Black outside the scope's circle, the day inside it.
    assert frame.getpixel((4, 4)) < 20 and frame.getpixel((w - 5, h - 5)) < 20
    assert frame.getpixel((w // 2 + 20, h // 2 - 30)) > 60


@pytest.mark.parametrize(
    "script", ["kitchen_heist", "night_ferry", "storm_keeper", "supervisor", "last_supper_club"]
)
def test_no_location_of_the_test_scripts_keeps_a_time_word(script: str) -> None:
    import re

    from aiuteur_desktop.core.screenplay import fdx
    from tests.screenplays import DATA

    time_words = re.compile(
        r"\b(?:DAY|NIGHT|MORNING|EVENING|AFTERNOON|DAWN|DUSK|SUNSET|SUNRISE|LATER|SAME|"
        r"CONTINUOUS|CONTINUED|MOMENTS?)\b"
    )
    fdx_file = DATA / f"{script}.fdx"
    read = fdx.read_string(fdx_file.read_bytes()) if fdx_file.exists() else play(script)
    for scene in read.scenes():
        assert not time_words.search(scene.location), (script, scene.heading)
        assert not time_words.search(scene.place), (script, scene.heading)
        if scene.time_of_day:  # a heading with a time word has its light
            assert scene.light == headings.light_of(scene.time_of_day), scene.heading
        assert scene.light in {"DAY", "NIGHT", "DAWN", "DUSK"}
