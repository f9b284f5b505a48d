"""Any bytes at all given as a screenplay: it reads, or it says why in the project's own
error — never an uncaught exception (issue "Hostile input")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.screenplay.documents import read_bytes

FDX_BITS = [
    b'<?xml version="1.0" encoding="UTF-8"?>',
    b'<?xml version="1.0" encoding="latin-7"?>',
    b"<FinalDraft>",
    b"</FinalDraft>",
    b"<Content>",
    b"</Content>",
    b'<Paragraph Type="Scene Heading">',
    b'<Paragraph Type="Character">',
    b'<Paragraph Type="Dialogue">',
    b"</Paragraph>",
    b"<Text>",
    b"</Text>",
    b'<Text Style="Bold+Italic">',
    b"<DualDialogue>",
    b'<Paragraph Type="Section" Level="-3">',
    b'<!DOCTYPE x [<!ENTITY e "boom">]>',
    b"&e;",
    b"INT. HOUSE - DAY",
    b"\x00",
    b"\xff\xfe",
]
FOUNTAIN_BITS = [
    "INT. HOUSE - DAY\n\n",
    "BOB\n",
    "BOB ((V.O.)\n",
    "Hello.\n\n",
    "/*",
    "*/",
    "[[note",
    "]]",
    "# Act\n",
    "## Scene\n",
    "> THE END <\n",
    "~lyric\n",
    "Title: X\nAuthor: Y\n\n",
    "=== \n",
    "\t\r\n",
    "\x00\ufeff\u202e",
    "^",
    "!FORCED\n",
    ".FORCED HEADING\n",
    "@McCLANE\n",
]


def _read(data: bytes, name: str) -> None:
    try:
        read_bytes(data, name)
    except AiuteurError as exc:
        assert exc.user_message.strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FDX_BITS), st.binary(max_size=12)), max_size=40))
def test_any_bytes_as_fdx_read_or_say_why(parts: list[bytes]) -> None:
    _read(b"".join(parts), "x.fdx")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(FOUNTAIN_BITS), st.text(max_size=12)), max_size=60),
    st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_any_text_as_fountain_reads_or_says_why(parts: list[str], encoding: str) -> None:
    _read("".join(parts).encode(encoding, errors="replace"), "x.fountain")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_fountain_or_docx_or_pdf_read_or_say_why(data: bytes) -> None:
    for name in ("x.fountain", "x.docx", "x.pdf", "x.txt"):
        _read(data, name)
