"""A .docx zip bomb is refused from the sizes its archive declares, before anything is
unpacked; a real Word document still reads."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from aiuteur_desktop.core.screenplay.documents import DocumentError, read_bytes, read_document


def bomb(unpacked: int) -> bytes:
    """A small .docx whose document.xml unpacks to `unpacked` bytes of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as part:
            chunk = b" " * 1_000_000
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked() -> None:
    data = bomb(400_000_000)
    assert len(data) < 1_000_000  # 400 MB in well under 1 MB: the 50 MB cap cannot see it
    tracemalloc.start()
    with pytest.raises(DocumentError) as err:
        read_bytes(data, "novel.docx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = err.value.user_message
    assert "novel.docx unpacks to 400 MB" in message and "up to 64 MB" in message
    assert "\n" not in message
    assert peak < 20_000_000  # nothing was unpacked


def test_a_normal_word_document_still_reads(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("INT. FERRY - NIGHT")
    d.add_paragraph("Nessa runs.")
    d.save(str(tmp_path / "s.docx"))
    assert read_document(tmp_path / "s.docx").text == "INT. FERRY - NIGHT\n\nNessa runs."
