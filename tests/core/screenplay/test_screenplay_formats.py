"""Fountain, Final Draft and PDF screenplay interchange, on scripts written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import fdx, fountain, pdf
from aiuteur_desktop.core.screenplay.documents import DocumentError, read_screenplay
from aiuteur_desktop.core.screenplay.elements import Element
from tests.screenplays import DATA


@pytest.fixture(scope="module")
def ferry() -> sp.Screenplay:
    return fountain.read_string((DATA / "night_ferry.fountain").read_text(encoding="utf-8"))


def kinds(play: sp.Screenplay, kind: str) -> list[str]:
    return [e.text for e in play.elements if e.type == kind]


def test_fountain_elements_are_recognised(ferry: sp.Screenplay) -> None:
    assert dict(ferry.title_page)["Author"] == "Mara Quell"
    assert dict(ferry.title_page)["Contact"] == "Quell Pictures\n12 Quay Street\nmara@example.com"
    assert [(e.text, e.depth) for e in ferry.elements if e.type == sp.SECTION] == [
        ("ACT ONE", 1),
        ("The harbour", 2),
    ]
    assert kinds(ferry, sp.SYNOPSIS)[1] == "The office is closing. Nessa arrives too late."
    headings = [e for e in ferry.elements if e.type == sp.SCENE_HEADING]
    assert [(h.text, h.number) for h in headings] == [
        ("INT. HARBOUR OFFICE - NIGHT", "1"),
        ("EXT. QUAYSIDE - CONTINUOUS", "2"),
        ("FLASHBACK - THE FERRY DECK, TWENTY YEARS EARLIER", ""),  # forced with "."
        ("INT./EXT. TOM'S TRUCK - MOVING - DAWN", ""),
    ]
    assert kinds(ferry, sp.CHARACTER) == [
        "NESSA",
        "OLD TOM (O.S.)",
        "TOM",
        "NESSA",
        "TOM (CONT'D)",
        "BRICK",
        "STEEL",
        "McCLANE",  # forced with "@"
        "TOM (V.O.)",
    ]
    steel = next(e for e in ferry.elements if e.text == "STEEL")
    assert steel.dual and not next(e for e in ferry.elements if e.text == "BRICK").dual
    assert kinds(ferry, sp.TRANSITION) == ["CUT TO:", "FADE TO BLACK."]
    assert kinds(ferry, sp.CENTERED) == ["THE END OF THE LINE"]
    assert kinds(ferry, sp.LYRICS) == ["Row, row, row your boat\nGently down the stream"]
    assert "TOM WAVES." in kinds(ferry, sp.ACTION)  # forced action, not a cue
    assert any(e.type == sp.PAGE_BREAK for e in ferry.elements)
    assert "[[Is she carrying the suitcase" in kinds(ferry, sp.ACTION)[1]
    assert kinds(ferry, sp.DIALOGUE)[2] == "You'll want the morning one.\nSix sharp."


def test_fountain_round_trip_is_lossless(ferry: sp.Screenplay) -> None:
    text = fountain.write_string(ferry)
    assert fountain.read_string(text) == ferry
    assert fountain.write_string(fountain.read_string(text)) == text  # stable


def test_writer_forces_what_would_be_misread() -> None:
    play = sp.Screenplay(
        (),
        (
            Element(sp.SCENE_HEADING, "A DREAM"),  # no INT./EXT.
            Element(sp.ACTION, "BANG!\nThe door gives."),  # capitals then more lines
            Element(sp.CHARACTER, "Dr. Okafor"),  # lower case cue
            Element(sp.DIALOGUE, "Breathe."),
            Element(sp.TRANSITION, "Match cut"),
        ),
    )
    back = fountain.read_string(fountain.write_string(play))
    assert [(e.type, e.text) for e in back.elements] == [
        (e.type, e.text) for e in play.elements[:4]
    ] + [(sp.TRANSITION, "Match cut")]


def test_fdx_round_trip_keeps_every_element(ferry: sp.Screenplay) -> None:
    xml = fdx.write_string(ferry)
    assert "<DualDialogue>" in xml and 'Number="1"' in xml
    back = fdx.read_string(xml)
    assert back == ferry
    # …and through Fountain again.
    assert fountain.read_string(fountain.write_string(back)) == ferry


def test_fdx_written_by_final_draft_reads_correctly() -> None:
    play = read_screenplay(DATA / "last_supper_club.fdx")
    assert play.title_page == (
        ("Title", "THE LAST SUPPER CLUB"),
        ("Credit", "Written by"),
        ("Author", "Ines Morrow"),
        ("Contact", "ines@example.com"),
    )
    els = play.elements
    assert els[0] == Element(sp.SCENE_HEADING, "INT. SUPPER CLUB - NIGHT", number="1")
    assert els[1] == Element(sp.SYNOPSIS, "The twins argue over the bill.")
    assert els[2].text == "Candles gutter. A bill lies between two identical plates."
    assert els[3] == Element(sp.ACTION, "CLOSE ON THE BILL")  # a Shot
    assert [e.text for e in els if e.type == sp.CHARACTER] == ["RUTH", "NAOMI", "WAITER (O.S.)"]
    assert next(e for e in els if e.text == "NAOMI").dual
    assert Element(sp.TRANSITION, "SMASH CUT TO:") in els
    assert Element(sp.PAGE_BREAK) in els
    assert els[-1] == Element(sp.CENTERED, "THE END")
    # Its Fountain form keeps the structure too.
    again = fountain.read_string(fountain.write_string(play))
    assert again == play


def test_scenes_are_extracted_with_their_parts(ferry: sp.Screenplay) -> None:
    scenes = ferry.scenes()
    assert [(s.int_ext, s.location, s.time_of_day, s.continuity, s.detail) for s in scenes] == [
        ("INT", "HARBOUR OFFICE", "NIGHT", "", ""),
        ("EXT", "QUAYSIDE", "", "CONTINUOUS", ""),
        ("", "THE FERRY DECK", "", "TWENTY YEARS EARLIER", "FLASHBACK"),
        ("INT/EXT", "TOM'S TRUCK", "DAWN", "", "MOVING"),
    ]
    assert scenes[0].characters == ("NESSA", "OLD TOM", "TOM")
    assert scenes[3].characters == ("TOM",)
    assert scenes[0].first_line.startswith("Rain streaks")
    assert [s.label for s in scenes] == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("cue", "name"),
    [
        ("JOHN (V.O.)", "JOHN"),
        ("JOHN (CONT'D)", "JOHN"),
        ("@McClane ^", "MCCLANE"),
        ("JOHN", "JOHN"),
    ],
)
def test_cue_names(cue: str, name: str) -> None:
    assert sp.cue_name(cue) == name


def test_bad_screenplays_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.fdx"
    broken.write_text("<FinalDraft><Content><Paragraph>", encoding="utf-8")
    with pytest.raises(DocumentError, match="damaged"):
        read_screenplay(broken)
    other = tmp_path / "other.fdx"
    other.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a Final Draft"):
        read_screenplay(other)
    prose = tmp_path / "story.fountain"
    prose.write_text("Once upon a time there was a ferry.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no scene headings"):
        read_screenplay(prose)
    with pytest.raises(DocumentError, match=r"\.fountain or \.fdx"):
        read_screenplay(tmp_path / "script.docx")


def test_pdf_is_industry_format(ferry: sp.Screenplay, tmp_path: Path) -> None:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    out = tmp_path / "ferry.pdf"
    pages = pdf.write_pdf(ferry, out)
    reader = PdfReader(out)
    assert len(reader.pages) == pages + 1  # + title page
    assert float(reader.pages[1].mediabox.width) == 612  # US Letter
    assert float(reader.pages[1].mediabox.height) == 792
    fonts = {
        str(f["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    # Courier throughout; the script's *Everyone* is set in italics, never with asterisks.
    assert fonts == {"/Courier", "/Courier-Oblique"}
    first = reader.pages[1].extract_text()
    assert "[[" not in first and "ACT ONE" not in first  # notes, sections are not printed
    assert "*Everyone*" not in first and "Everyone can wait" in first
    assert reader.pages[2].extract_text().lstrip().startswith("2.")  # page number from page 2

    # Where each line starts: 1.5" action and headings, 2.5" dialogue, 3.1" parentheticals,
    # 3.7" cues; transitions end at the 7.5" right margin.
    xs = _line_starts(reader.pages[1])
    assert xs["Rain streaks the window. A kettle ticks as it cools."] == pytest.approx(108)
    assert xs["1  INT. HARBOUR OFFICE - NIGHT"] == pytest.approx(108)
    assert xs["Is the last boat gone?"] == pytest.approx(180)
    assert xs["(breathless)"] == pytest.approx(223.2)
    assert xs["NESSA"] == pytest.approx(266.4)
    assert xs["CUT TO:"] + 7 * 7.2 == pytest.approx(540)
    # Dual dialogue: both speeches on the same lines, in two columns.
    assert xs["BRICK"] < 306 < xs["STEEL"]

    # And it renders: ink starts at the left margin on a page image.
    image = pdfium.PdfDocument(str(out))[1].render(scale=1).to_pil().convert("L")
    px = image.load()
    inked = [x for x in range(image.size[0]) for y in range(0, image.size[1], 2) if px[x, y] < 128]
    assert 104 <= min(inked) <= 110 and max(inked) <= 545


def _line_starts(page) -> dict[str, float]:  # type: ignore[no-untyped-def]
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            found.setdefault(text.strip(), float(tm[4]))

    page.extract_text(visitor_text=visit)
    return found


def test_long_speech_breaks_with_more_and_contd() -> None:
    speech = " ".join(f"Word{i}" for i in range(1200))
    play = sp.Screenplay(
        (),
        (
            Element(sp.SCENE_HEADING, "INT. HALL - DAY"),
            Element(sp.ACTION, "A long silence.\n" * 30),
            Element(sp.CHARACTER, "ORATOR"),
            Element(sp.DIALOGUE, speech),
        ),
    )
    pages = pdf.paginate(play)
    assert all(len(p) <= pdf.LINES_PER_PAGE for p in pages)
    texts = [[ln.text for ln in p if ln is not None] for p in pages]
    assert texts[0][-1] == "(MORE)"
    assert texts[1][0] == "ORATOR (CONT'D)"
    words = [w for p in texts for ln in p for w in ln.split() if w.startswith("Word")]
    assert words == [f"Word{i}" for i in range(1200)]  # nothing lost or repeated


def test_pdf_shows_emphasis_as_type_never_as_asterisks(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from tests.screenplays import play

    out = tmp_path / "walk.pdf"
    pdf.write_pdf(play("supervisor"), out)
    reader = PdfReader(out)
    title = reader.pages[0].extract_text()
    assert "THE LONG WALK" in title and "*" not in title
    body = "".join(p.extract_text() for p in reader.pages[1:])
    assert "*" not in body
    assert "Every last one." in body and "Hush little baby," in body
    fonts = {
        str(f["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    # ***Every*** bold italic; the sung lines in italics across their line break.
    assert {"/Courier", "/Courier-Oblique", "/Courier-BoldOblique"} <= fonts
