"""Screenplay → industry-format PDF: US Letter, Courier 12 pt (10 characters and 6 lines to the
inch), 1.5" left and 1" other margins, page numbers from page 2, (MORE)/(CONT'D) when a speech
breaks across pages, a title page when the script has one. Notes, sections and synopses are
writers' aids and are not printed."""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aiuteur_desktop.core.screenplay.elements import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRICS,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    TRANSITION,
    Element,
    Run,
    Screenplay,
    plain,
    runs,
)

PT = 72.0  # points per inch
LINE = 12.0  # 6 lines per inch
CHAR = 7.2  # Courier 12 pt advance: 10 characters per inch
TOP = 1.0 * PT
LINES_PER_PAGE = 54  # 11" − 1" top − 1" bottom, at 6 lines per inch

# Left edge (inches) and width (characters) of each element, as screenwriting software sets them.
_LAYOUT = {
    SCENE_HEADING: (1.5, 60),
    ACTION: (1.5, 60),
    CHARACTER: (3.7, 38),
    PARENTHETICAL: (3.1, 26),
    DIALOGUE: (2.5, 35),
    LYRICS: (2.5, 35),
    TRANSITION: (6.0, 15),
    CENTERED: (1.5, 60),
}


@dataclass
class _Line:
    x: float  # points from the left edge
    text: str
    kind: str
    speaker: str = ""  # for dialogue lines: the cue, to repeat as CONT'D after a page break
    right: float = 0.0  # right-aligned to this x instead (transitions)
    center: bool = False
    #: The right-hand column of dual dialogue printed on the same line: (x, text).
    beside: tuple[float, str] | None = None
    #: The text in runs of one style ("B", "I", "U" combined; "" plain) when it has emphasis.
    segments: tuple[tuple[str, str], ...] | None = None


def printable(text: str) -> str:
    """Courier's core font speaks Windows-1252: keep curly quotes and dashes, fold the rest."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", ch).encode("cp1252", "ignore").decode("cp1252")
            out.append(folded or "?")
    return "".join(out)


def _style(run: Run) -> str:
    return ("B" if run.bold else "") + ("I" if run.italic else "") + ("U" if run.underline else "")


def _styled(source: str, lines: list[str]) -> list[tuple[tuple[str, str], ...] | None]:
    """Fountain emphasis (*italic*, **bold**, _underline_) laid over wrapped lines of the
    plain text: wrapping only moves white space, so the n-th visible character of the lines
    is the n-th of the runs. None for a line without emphasis."""
    marks = [_style(r) for r in runs(source) for ch in r.text if not ch.isspace()]
    if not any(marks) or len(marks) != sum(1 for ln in lines for ch in ln if not ch.isspace()):
        return [None] * len(lines)
    out: list[tuple[tuple[str, str], ...] | None] = []
    k = 0
    for ln in lines:
        segs: list[tuple[str, str]] = []
        for j, ch in enumerate(ln):
            if ch.isspace():
                # A space inside a styled stretch keeps the style (an underline runs on).
                before = marks[k - 1] if k > 0 else ""
                after = marks[k] if k < len(marks) and j + 1 < len(ln) else ""
                style = before if before == after else ""
            else:
                style = marks[k]
                k += 1
            if segs and segs[-1][1] == style:
                segs[-1] = (segs[-1][0] + ch, style)
            else:
                segs.append((ch, style))
        out.append(tuple(segs) if any(st for _t, st in segs) else None)
    return out


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, width, break_long_words=True) or [""])
    return lines


# Dual dialogue: two narrower columns; (cue x, parenthetical x, dialogue x) in inches, widths.
_DUAL = ((2.3, 1.8, 1.5), (5.4, 4.9, 4.6))
_DUAL_WIDTH = {CHARACTER: 20, PARENTHETICAL: 22, DIALOGUE: 28}


def _column(speech: list[tuple[str, str]], side: int) -> list[tuple[float, str]]:
    cue_x, paren_x, text_x = _DUAL[side]
    xs = {CHARACTER: cue_x, PARENTHETICAL: paren_x, DIALOGUE: text_x}
    return [
        (xs[kind] * PT, ln)
        for kind, text in speech
        for ln in _wrap(text.upper() if kind == CHARACTER else text, _DUAL_WIDTH[kind])
    ]


def _dual_block(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> list[_Line]:
    a, b = _column(left, 0), _column(right, 1)
    rows = []
    for i in range(max(len(a), len(b))):
        x, text = a[i] if i < len(a) else (0.0, "")
        line = _Line(x, text, CHARACTER if i == 0 else DIALOGUE)
        line.beside = b[i] if i < len(b) else None
        rows.append(line)
    return rows


_Speech = list[tuple[str, str]]


def _speeches(play: Screenplay) -> list[Element | tuple[_Speech, _Speech]]:
    """Elements with each dual-dialogue pair folded into one ("dual", (left, right)) item."""
    els = play.elements
    out: list[Element | tuple[_Speech, _Speech]] = []
    i = 0
    while i < len(els):
        e = els[i]
        if e.type == CHARACTER:
            j = i + 1
            while j < len(els) and els[j].type in (PARENTHETICAL, DIALOGUE):
                j += 1
            if j < len(els) and els[j].type == CHARACTER and els[j].dual:
                k = j + 1
                while k < len(els) and els[k].type in (PARENTHETICAL, DIALOGUE):
                    k += 1
                left = [(x.type, plain(x.text)) for x in els[i:j]]
                right = [(x.type, plain(x.text)) for x in els[j:k]]
                out.append((left, right))
                i = k
                continue
        out.append(e)
        i += 1
    return out


def _blocks(play: Screenplay) -> list[list[_Line]]:
    """Each printed element as a block of lines; a blank line precedes each block but speeches
    (cue + parentheticals + dialogue) stay together as one block."""
    blocks: list[list[_Line]] = []
    speaker = ""
    for e in _speeches(play):
        if isinstance(e, tuple):
            blocks.append(_dual_block(*e))
            continue
        if e.type == PAGE_BREAK:
            blocks.append([_Line(0, "", PAGE_BREAK)])
            continue
        if e.type not in _LAYOUT:
            continue  # sections and synopses are not printed
        text = plain(e.text)
        if not text and e.type != CHARACTER:
            continue
        left, width = _LAYOUT[e.type]
        if e.type in (SCENE_HEADING, TRANSITION, CHARACTER):
            text = text.upper()
        if e.type == SCENE_HEADING and e.number:
            text = f"{e.number}  {text}"
        wrapped = _wrap(text, width if e.type != TRANSITION else 60)
        lines = [
            _Line(left * PT, ln, e.type, segments=segs)
            for ln, segs in zip(wrapped, _styled(e.text, wrapped), strict=True)
        ]
        if e.type == TRANSITION:
            for ln in lines:
                ln.x, ln.right = 0, 7.5 * PT
        if e.type == CENTERED:
            for ln in lines:
                ln.center = True
        if e.type == CHARACTER:
            speaker = text
            blocks.append(lines)
        elif (
            e.type in (PARENTHETICAL, DIALOGUE)
            and blocks
            and blocks[-1][0].kind
            in (
                CHARACTER,
                PARENTHETICAL,
                DIALOGUE,
            )
        ):
            for ln in lines:
                ln.speaker = speaker
            blocks[-1].extend(lines)
        else:
            blocks.append(lines)
    return blocks


def paginate(play: Screenplay) -> list[list[_Line | None]]:
    """Pages of lines (None = an empty line), breaking speeches with (MORE) and (CONT'D) and
    never leaving a scene heading alone at the foot of a page."""
    pages: list[list[_Line | None]] = [[]]
    for block in _blocks(play):
        page = pages[-1]
        if block[0].kind == PAGE_BREAK:
            if page:
                pages.append([])
            continue
        gap = 1 if page else 0
        room = LINES_PER_PAGE - len(page) - gap
        need = len(block) + (2 if block[0].kind == SCENE_HEADING else 0)  # heading + 2 lines
        if need <= room or (not page and len(block) <= LINES_PER_PAGE):
            page.extend([None] * gap)
            page.extend(block)
            continue
        speech = block[0].kind == CHARACTER
        if speech and room >= 4 and len(block) > 3 and block[0].beside is None:
            # Split the speech: keep ≥2 lines here, (MORE), then "NAME (CONT'D)" overleaf.
            keep = room - 1
            head, rest = block[:keep], block[keep:]
            page.extend([None] * gap)
            page.extend(head)
            page.append(_Line(_LAYOUT[CHARACTER][0] * PT, "(MORE)", CHARACTER))
            cue = head[0].text
            cont = cue if "CONT'D" in cue else f"{cue} (CONT'D)"
            block = [_Line(_LAYOUT[CHARACTER][0] * PT, cont, CHARACTER), *rest]
        elif block[0].kind in (ACTION, LYRICS) and room >= 2 and len(block) > 3:
            page.extend([None] * gap)
            page.extend(block[:room])
            block = block[room:]
        pages.append([])
        while len(block) > LINES_PER_PAGE:  # a single enormous block: cut it
            pages[-1].extend(block[:LINES_PER_PAGE])
            block = block[LINES_PER_PAGE:]
            pages.append([])
        pages[-1].extend(block)
    return [p for p in pages if p] or [[]]


def write_pdf(play: Screenplay, path: Path) -> int:
    """Write the PDF atomically; returns the number of script pages (title page excluded)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    title = play.title()
    pdf.set_title(printable(plain(title) or path.stem))
    pdf.set_creator("Aiuteur Desktop")
    pdf.set_font("Courier", size=12)
    if play.title_page:
        _title_page(pdf, play)
    pages = paginate(play)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        if number > 1:
            label = f"{number}."
            pdf.text(7.5 * PT - len(label) * CHAR, 0.5 * PT + LINE, label)
        for row, line in enumerate(lines):
            if line is None or not line.text:
                continue
            y = TOP + (row + 1) * LINE - 3  # baseline inside the 12 pt line
            text = printable(line.text)
            if line.right:
                x = line.right - len(text) * CHAR
            elif line.center:
                x = (8.5 * PT - len(text) * CHAR) / 2
            else:
                x = line.x
            if line.segments:
                for part, style in line.segments:
                    pdf.set_font("Courier", style=style, size=12)
                    pdf.text(x, y, printable(part))
                    x += len(printable(part)) * CHAR
                pdf.set_font("Courier", size=12)
            else:
                pdf.text(x, y, text)
            if line.beside:
                pdf.text(line.beside[0], y, printable(line.beside[1]))
    tmp = path.with_name(f".{path.name}.tmp")
    pdf.output(str(tmp))
    tmp.replace(path)
    return len(pages)


def _title_page(pdf: object, play: Screenplay) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.add_page()
    fields = {k.lower(): plain(v) for k, v in play.title_page}
    y = 3.5 * PT
    for key in ("title", "credit", "author", "authors", "source"):
        value = fields.get(key)
        if not value:
            continue
        for ln in value.split("\n"):
            text = printable(ln.upper() if key == "title" else ln)
            pdf.text((8.5 * PT - len(text) * CHAR) / 2, y, text)
            y += LINE
        y += LINE * (3 if key == "title" else 1)
    bottom = [fields[k] for k in ("contact", "draft date", "copyright", "notes") if fields.get(k)]
    lines = [ln for value in bottom for ln in value.split("\n")]
    y = 10 * PT - len(lines) * LINE
    for ln in lines:
        pdf.text(1.5 * PT, y, printable(ln))
        y += LINE
