"""Text out of the documents users bring (Stage 1 inputs and style samples): .txt, .md,
.fountain, .fdx, .pdf, .docx — with the reason in plain words when a file cannot be read."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.screenplay.elements import Screenplay

ACCEPTED = (".txt", ".md", ".fountain", ".fdx", ".pdf", ".docx")
SCREENPLAYS = (".fountain", ".fdx")
MAX_BYTES = 50_000_000
#: A Word document may unpack to at most this much (a novel's is a few MB); the 50 MB cap
#: is of the compressed file, which a zip bomb keeps tiny.
MAX_UNPACKED = 64_000_000
MAX_PARTS = 5_000
FILE_FILTER = "Stories and scripts (*.txt *.md *.fountain *.fdx *.pdf *.docx)"


class DocumentError(AiuteurError):
    """A document cannot be read; the message names the file and says why."""


@dataclass(frozen=True)
class Document:
    name: str
    kind: str  # the suffix without its dot: "txt", "pdf", …
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def decode_text(data: bytes, name: str) -> str:
    """Plain text in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:4096]:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise DocumentError(f"{name} is not a text file Aiuteur can read (unknown encoding).")


def _pdf_text(data: bytes, name: str, progress: Callable[[float], None] | None) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name} is password-protected; export an unprotected copy.")
        pages = []
        total = len(reader.pages)
        for n, page in enumerate(reader.pages):
            pages.append(page.extract_text() or "")
            if progress:
                progress((n + 1) / max(1, total))
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{name} is not a readable PDF ({exc}).") from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise DocumentError(
            f"{name} has no text layer (scanned pages?). Run it through OCR or paste the text."
        )
    return text


def _docx_text(data: bytes, name: str) -> str:
    import zipfile

    import docx

    try:
        # The sizes the archive declares are all a reader will unpack (zipfile stops at
        # them), so checking them first bounds the memory whatever the file claims.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            unpacked = sum(p.file_size for p in parts)
        if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED:
            raise DocumentError(
                f"{name} unpacks to {unpacked / 1e6:,.0f} MB in {len(parts):,} parts; Aiuteur "
                f"reads Word documents up to {MAX_UNPACKED // 1_000_000} MB unpacked. Save it "
                "as plain text (.txt) or split it."
            )
        doc = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"{name} is not a readable Word document ({exc}).") from exc
    paragraphs = [p.text for p in doc.paragraphs]
    return "\n\n".join(p for p in paragraphs if p.strip())


def read_bytes(
    data: bytes, name: str, *, progress: Callable[[float], None] | None = None
) -> Document:
    """The text of one document; FDX comes back as Fountain so screenplay structure survives."""
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        raise DocumentError(
            f"{name}: Aiuteur reads {', '.join(ACCEPTED)} files. "
            "Save it in one of those formats first."
        )
    if len(data) > MAX_BYTES:
        raise DocumentError(f"{name} is larger than 50 MB; split it into smaller files.")
    if suffix == ".pdf":
        text = _pdf_text(data, name, progress)
    elif suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".fdx":
        from aiuteur_desktop.core.screenplay import fdx, fountain

        text = fountain.write_string(fdx.read_string(data))
    else:
        text = decode_text(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise DocumentError(f"{name} is empty.")
    if progress:
        progress(1.0)
    return Document(name, suffix[1:], text)


def read_document(path: Path, *, progress: Callable[[float], None] | None = None) -> Document:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"{path.name} is larger than 50 MB; split it into smaller files.")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name} cannot be opened ({exc.strerror or exc}).") from exc
    return read_bytes(data, path.name, progress=progress)


def read_screenplay(path: Path) -> Screenplay:
    """A Fountain or Final Draft file as a Screenplay (Mode D, `aiuteur script import`)."""
    from aiuteur_desktop.core.screenplay import fdx, fountain

    suffix = path.suffix.lower()
    if suffix not in SCREENPLAYS:
        raise DocumentError(f"{path.name}: a screenplay must be a .fountain or .fdx file.")
    try:
        size = path.stat().st_size
        if size > MAX_SCREENPLAY_BYTES:  # said from its size, before reading a byte
            screenplay_limits(b"", path.name, fdx=False, size=size)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name} cannot be opened ({exc.strerror or exc}).") from exc
    screenplay_limits(data, path.name, fdx=suffix == ".fdx")
    if suffix == ".fdx":
        try:
            play = fdx.read_string(data)
        except AiuteurError as exc:
            raise DocumentError(f"{path.name}: {exc.user_message}") from exc
    else:
        play = fountain.read_string(decode_text(data, path.name))
    if not play.has_headings():
        raise DocumentError(
            f"{path.name} has no scene headings (INT./EXT.), so it does not read as a screenplay."
        )
    scenes = sum(1 for e in play.elements if e.type == "scene_heading")
    if scenes > MAX_SCENES:
        raise DocumentError(
            f"{path.name} has {scenes:,} scenes; Aiuteur reads screenplays of up to "
            f"{MAX_SCENES:,}. Split it into parts (one project each)."
        )
    return play


#: What a screenplay file may be (README "Limits"): a feature is about 0.2 MB of Fountain
#: or 1 MB of Final Draft XML, 6,000–10,000 lines and 100–250 scenes; these leave room for
#: a whole series, and keep reading it to a few seconds. Past them the file is refused in
#: one line before anything is parsed or written.
MAX_SCREENPLAY_BYTES = 8 * 2**20
MAX_LINES = 200_000
MAX_LINE = 256 * 1024
MAX_SCENES = 3_000
_HEADING_LINE = re.compile(
    rb"^[ \t]*(?:INT|EXT|EST|I/E|INT\.?/EXT|EXT\.?/INT)[. \t/]", re.IGNORECASE | re.MULTILINE
)


def screenplay_limits(data: bytes, name: str, *, fdx: bool, size: int | None = None) -> None:
    """Refuse a screenplay past the documented limits, in linear time, before parsing."""
    size = len(data) if size is None else size
    if size > MAX_SCREENPLAY_BYTES:
        raise DocumentError(
            f"{name} is {size / 2**20:.1f} MB; a screenplay Aiuteur reads is at most "
            f"{MAX_SCREENPLAY_BYTES // 2**20} MB (a feature is under 1 MB)."
        )
    if fdx:
        headings = data.count(b'Type="Scene Heading"')
        paragraphs = data.count(b"<Paragraph")
        if paragraphs > MAX_LINES:
            raise DocumentError(
                f"{name} has {paragraphs:,} paragraphs; at most {MAX_LINES:,} are read."
            )
    else:
        lines = data.count(b"\n") + 1
        if lines > MAX_LINES:
            raise DocumentError(f"{name} has {lines:,} lines; at most {MAX_LINES:,} are read.")
        longest = max((len(line) for line in data.split(b"\n")), default=0)
        if longest > MAX_LINE:
            raise DocumentError(
                f"{name} has a line of {longest // 1024:,} KB; no screenplay line is longer "
                f"than {MAX_LINE // 1024} KB."
            )
        headings = len(_HEADING_LINE.findall(data))
    if headings > MAX_SCENES:
        raise DocumentError(
            f"{name} has {headings:,} scene headings; Aiuteur reads screenplays of up to "
            f"{MAX_SCENES:,} scenes. Split it into parts (one project each)."
        )
