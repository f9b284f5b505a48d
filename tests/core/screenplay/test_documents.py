"""Reading the documents users bring: every accepted format, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.screenplay import documents, fountain, pdf
from aiuteur_desktop.core.screenplay.documents import DocumentError, read_document
from tests.screenplays import DATA


def test_text_in_common_encodings(tmp_path: Path) -> None:
    story = "Café at dawn — “Nessa” waits.\n\nThe ferry is late."
    for name, data in {
        "utf8.txt": story.encode("utf-8"),
        "bom.md": story.encode("utf-8-sig"),
        "windows.txt": story.encode("cp1252"),
        "utf16.txt": story.encode("utf-16"),
    }.items():
        (tmp_path / name).write_bytes(data)
        doc = read_document(tmp_path / name)
        assert doc.text == story, name
    assert (
        read_document(tmp_path / "utf8.txt").words == 10
    )  # the dash counts, as in word processors


def test_fdx_comes_back_as_fountain() -> None:
    doc = read_document(DATA / "last_supper_club.fdx")
    assert doc.kind == "fdx"
    play = fountain.read_string(doc.text)
    assert [s.heading for s in play.scenes()] == [
        "INT. SUPPER CLUB - NIGHT",
        "EXT. ALLEY BEHIND THE CLUB - LATER",
    ]


def test_pdf_text_is_extracted_with_progress(tmp_path: Path) -> None:
    play = fountain.read_string((DATA / "night_ferry.fountain").read_text(encoding="utf-8"))
    pdf.write_pdf(play, tmp_path / "ferry.pdf")
    seen: list[float] = []
    doc = read_document(tmp_path / "ferry.pdf", progress=seen.append)
    assert "INT. HARBOUR OFFICE - NIGHT" in doc.text
    assert "She reminded me of someone." in doc.text
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_docx_paragraphs(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("The Night Ferry", 1)
    d.add_paragraph("Nessa runs down the quay.")
    d.add_paragraph("")
    d.add_paragraph("Tom watches from the office.")
    d.save(str(tmp_path / "story.docx"))
    doc = read_document(tmp_path / "story.docx")
    assert (
        doc.text == "The Night Ferry\n\nNessa runs down the quay.\n\nTom watches from the office."
    )


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("story.rtf", b"{\\rtf1 hello}", "Aiuteur reads .txt"),
        ("story.pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
        ("story.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
        ("story.txt", b"\x00\x01\x02binary\x00", "unknown encoding"),
        ("story.md", b"   \n\n  ", "is empty"),
    ],
)
def test_refusals_name_the_file_and_the_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DocumentError) as err:
        read_document(tmp_path / name)
    assert name in err.value.user_message and reason in err.value.user_message


def test_scanned_pdf_without_text_says_so(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (200, 300), "white").save(tmp_path / "scan.pdf")
    with pytest.raises(DocumentError, match="no text layer"):
        read_document(tmp_path / "scan.pdf")


def test_huge_files_are_refused_before_reading(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    (tmp_path / "novel.txt").write_text("word " * 400, encoding="utf-8")
    with pytest.raises(DocumentError, match="larger than"):
        read_document(tmp_path / "novel.txt")


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("huge.fountain", lambda: b"INT. A - DAY\n\n" + b"x" * (9 * 2**20), "MB"),
        ("lines.fountain", lambda: b"INT. A - DAY\n\n" + b"BOB\nHi.\n" * 110_000, "lines"),
        ("line.fountain", lambda: b"INT. A - DAY\n\n" + b"word " * 60_000, "a line of"),
        ("scenes.fountain", lambda: b"INT. ROOM - DAY\n\nA.\n\n" * 3_500, "scene headings"),
        (
            "scenes.fdx",
            lambda: (
                b'<?xml version="1.0"?><FinalDraft><Content>'
                + b'<Paragraph Type="Scene Heading"><Text>INT. A - DAY</Text></Paragraph>' * 3_500
                + b"</Content></FinalDraft>"
            ),
            "scene headings",
        ),
    ],
)
def test_a_screenplay_past_the_limits_is_refused_before_it_is_read(
    tmp_path: Path, name: str, make, said: str
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.screenplay.documents import read_screenplay

    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(DocumentError) as refused:
        read_screenplay(path)
    assert said in refused.value.user_message and "\n" not in refused.value.user_message
