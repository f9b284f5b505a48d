"""Property: whatever screenplay the importer accepts, the shot list speaks its dialogue
exactly — every word and mark, once, in order — however the shots cut it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core.production.shots import sentences
from aiuteur_desktop.core.production.shots import timing as shots
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import fountain

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


PLAIN = st.sampled_from(
    ["the", "river", "took", "him", "and", "we", "waited", "by", "gate", "for", "hours", "then",
     "counting,", "because;", "so--", "well...", "never", "again", "old", "man"]
)  # fmt: skip
ENDS = st.sampled_from([".", "!", "?", "…", '."'])
SENTENCES = st.lists(
    st.tuples(st.lists(PLAIN, min_size=1, max_size=45), ENDS).map(
        lambda t: " ".join(t[0]).rstrip(",;.-") + t[1]
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(SENTENCES)
def test_no_piece_ends_inside_a_sentence_unless_the_sentence_alone_is_too_long(
    said: list[str],
) -> None:
    """A shot boundary falls between sentences; only a sentence longer than a shot alone
    is divided — at a clause's punctuation where it has one — and every word is kept."""
    text = " ".join(said)
    seconds = shots.MAX_SHOT - shots.LINE_PAUSE
    room = int(seconds * shots.SPEECH_WORDS_PER_SECOND)
    pieces = sentences.fit(text, seconds, shots.SPEECH_WORDS_PER_SECOND)
    assert " ".join(pieces).split() == text.split()
    assert all(len(p.split()) <= room for p in pieces)
    # Where each sentence ends (as the reader sees them: "well..." ends one too).
    said = sentences_of(text)
    ends, at = set(), 0
    for s in said:
        at += len(s.split())
        ends.add(at)
    too_long, at = [], 0
    for s in said:
        n = len(s.split())
        if n > room:
            too_long.append((at, at + n))
        at += n
    done = 0
    for p in pieces[:-1]:
        words = p.split()
        done += len(words)
        if done in ends:
            continue
        inside = next((a, b) for a, b in too_long if a < done < b)
        assert inside  # only a sentence too long for one shot is divided …
        clause_marks = [
            w for w in text.split()[inside[0] : inside[1] - 1] if sentences.CLAUSE_END.search(w)
        ]
        if clause_marks:  # … and then after a clause where it can be (or evenly)
            last = words[-1]
            assert sentences.CLAUSE_END.search(last) or len(words) >= room // 2, p


def test_a_long_line_is_divided_at_its_commas_and_a_line_that_fits_is_not() -> None:
    line = shots.Line(
        "OLD MAN",
        "My grandfather told me, since I was a boy no bigger than you, that the river took "
        "him, and that the river would take us all, one by one, if we let it.",
    )
    pieces = [u.lines[0].text for u in shots._line_units(line)]
    assert [p.split()[-1] for p in pieces] == ["him,", "it."]
    fits = shots.Line("ANNA", " ".join(["word"] * 19) + ".")  # 7.7 s of speech
    assert len(shots._line_units(fits)) == 1
