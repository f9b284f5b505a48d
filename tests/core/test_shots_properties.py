"""Property: whatever screenplay the importer accepts, the shot list speaks its dialogue
exactly — every word and mark, once, in order — however the shots cut it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core import screenplay as sp
from aiuteur_desktop.core import shots
from aiuteur_desktop.core.formats import fountain

WORDS = st.sampled_from(
    [
        "I",
        "said",
        '"wait."',
        "You",
        "never",
        "listen,",
        "do",
        "you?",
        "(sighs)",
        "—",
        "it's",
        "*really*",
        "**late**",
        "_now_",
        "okay...",
        "Mr.",
        "Roe!",
        "5",
        "*",
        "“Go.”",
        "end?)",
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)
NAMES = st.sampled_from(
    ["ANNA", "TOM", "DR. ROE", "YOUNG TOM", "ANNA (V.O.)", "TOM (CONT'D)", "TOM AND ANNA", "ALL"]
)
HEADINGS = st.sampled_from(
    [
        "INT. KITCHEN - NIGHT",
        "EXT. BY THE CANAL - NIGHT - CONTINUOUS",
        "INT. ANNA'S APARTMENT, TWO DAYS LATER",
        "EXT. ROOF - NIGHT [CONTINUOUS]",
        ".THE RING",
        ".ANNA",
        "I/E VAN - PRE-DAWN",
    ]
)


@st.composite
def speech(draw: st.DrawFn) -> str:
    lines = [draw(NAMES)]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["(beat)", "(pause)", "(quietly)"])))
        lines.append(draw(SENTENCE))
        if draw(st.booleans()):
            lines.append(draw(SENTENCE))  # a second line of the same speech
    return "\n".join(lines)


BLOCK = st.one_of(
    SENTENCE,  # action
    speech(),
    st.sampled_from(["CUT TO:", "> FADE OUT.", "> THE END <", "~Row, row your boat", "THE END"]),
)


@st.composite
def script(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(BLOCK, max_size=3))  # an opening before the first heading
    for _ in range(draw(st.integers(1, 4))):
        blocks.append(draw(HEADINGS))
        blocks.extend(draw(st.lists(BLOCK, max_size=6)))
    return "\n\n".join(blocks) + "\n"


def spoken_in_script(play: sp.Screenplay) -> list[str]:
    return [w for e in play.elements if e.type == sp.DIALOGUE for w in sp.plain(e.text).split()]


def spoken_in_shots(play: sp.Screenplay) -> list[str]:
    return [w for s in shots.breakdown(play) for d in s.dialogue for w in d.text.split()]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script())
def test_the_shot_list_speaks_the_scripts_dialogue_word_for_word(text: str) -> None:
    play = fountain.read_string(text)
    assert any(e.type == sp.SCENE_HEADING for e in play.elements)  # what the importer takes
    assert spoken_in_shots(play) == spoken_in_script(play)
    for shot in shots.breakdown(play):
        assert shot.timing <= shots.MAX_SHOT or len(shot.dialogue) + bool(shot.action) <= 2
        shots.to_spec(shot, width=160)  # every shot renders


ELEMENT = st.builds(
    sp.Element,
    st.sampled_from(
        [
            sp.ACTION,
            sp.CHARACTER,
            sp.PARENTHETICAL,
            sp.DIALOGUE,
            sp.TRANSITION,
            sp.CENTERED,
            sp.LYRICS,
            sp.SCENE_HEADING,
            sp.SECTION,
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80) | SENTENCE,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ELEMENT, min_size=1, max_size=40))
def test_any_element_sequence_keeps_its_dialogue(elements: list[sp.Element]) -> None:
    """Element lists as a Final Draft file can arrive: lines without a cue, cues without
    lines, headings anywhere."""
    play = sp.Screenplay((), (sp.Element(sp.SCENE_HEADING, "INT. ROOM - DAY"), *elements))
    assert spoken_in_shots(play) == spoken_in_script(play)
