"""Final Draft files from anywhere (issue "Hostile input"): crafted files fail with the
format's own error, fast; what export writes always reads back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core.screenplay import fdx, fountain
from aiuteur_desktop.core.screenplay.elements import (
    DIALOGUE,
    SCENE_HEADING,
    SECTION,
    Element,
    Screenplay,
)


def doc(body: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f'{head}<FinalDraft DocumentType="Script"><Content>{body}</Content></FinalDraft>'


def para(kind: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<Paragraph Type="{kind}"{extra}><Text>{text}</Text></Paragraph>'


@pytest.mark.parametrize("level", ["two", "1500000000", "-4", ""])
def test_a_section_level_is_read_as_a_small_number_whatever_the_file_says(level: str) -> None:
    play = fdx.read_string(doc(para("Section", "ACT ONE", Level=level)))
    assert play.elements[0].type == SECTION
    assert 1 <= play.elements[0].depth <= fdx.MAX_LEVEL
    assert len(fountain.write_string(play)) < 100  # no 1.5-billion-hash heading


def test_dual_dialogue_nested_a_thousand_deep_is_refused_in_words() -> None:
    body = "<Paragraph><DualDialogue>" * 1000 + "</DualDialogue></Paragraph>" * 1000
    with pytest.raises(fdx.FdxError, match="dual dialogue nested"):
        fdx.read_string(doc(body))


def test_entity_bombs_and_external_entities_are_refused_by_our_code() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;">]>'
        '<FinalDraft><Content><Paragraph Type="Action"><Text>&c;</Text></Paragraph>'
        "</Content></FinalDraft>"
    )
    outside = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<FinalDraft><Content><Paragraph Type="Action"><Text>&x;</Text></Paragraph>'
        "</Content></FinalDraft>"
    )
    for data in (laughs, outside):
        with pytest.raises(fdx.FdxError, match="entities"):
            fdx.read_string(data)


def test_a_bogus_encoding_declaration_is_a_clear_error() -> None:
    data = doc(para("Action", "Rain."), head='<?xml version="1.0" encoding="klingon-9"?>')
    with pytest.raises(fdx.FdxError):
        fdx.read_string(data.encode())


def test_export_drops_what_xml_cannot_hold_and_reads_back() -> None:
    dirty = "Mara\x0cwaits\x0b.\x01\x1b\ufffe\x00"
    play = Screenplay(
        (("Title", "Drift\x07"),),
        (Element(SCENE_HEADING, "INT. BOAT - NIGHT"), Element(DIALOGUE, dirty)),
    )
    back = fdx.read_string(fdx.write_string(play))
    assert back.elements[1].text == "Marawaits."
    assert back.title_page == (("Title", "Drift"),)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_exports_and_reads_back_without_a_crash(text: str) -> None:
    play = Screenplay((), (Element(SCENE_HEADING, "INT. ROOM - DAY"), Element(DIALOGUE, text)))
    back = fdx.read_string(fdx.write_string(play))  # never raises
    assert len(back.elements) >= 1
