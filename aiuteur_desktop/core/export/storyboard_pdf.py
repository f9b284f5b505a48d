"""Storyboard sheets as PDF: six captioned panels to a landscape page, in shot order, with the
project title and page numbers — what a director prints and marks up on set.

Each panel's picture is placed at about 150 dpi for its printed size (a feature-length board
stays a file that mails) and its caption is set as text under it, at a size a reader can
read on paper, not drawn into the picture."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from aiuteur_desktop.core.app.files import write_atomically
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.screenplay.pdf import printable

COLUMNS, ROWS = 3, 2
MARGIN = 36.0  # points (half an inch)
HEADER = 28.0
GAP = 14.0
CAPTION_PT = 8.5  # caption type; the shot line is bold
LEADING = 10.5
#: Pixels across a panel's picture: about 150 dpi at a third of a landscape page.
PANEL_PX = 480


@dataclass(frozen=True)
class Panel:
    jpeg: bytes  # the panel's picture (compressed: a long board stays small in memory)
    label: str  # "1.2": the page header names its first and last shot
    #: Caption lines under the picture: the shot line (camera, length), the heading, then
    #: what happens and what is said.
    caption: tuple[str, ...] = ()

    @classmethod
    def of(cls, image: Image.Image, label: str, caption: Sequence[str] = ()) -> Panel:
        picture = image.convert("RGB")
        if picture.width > PANEL_PX:
            height = max(1, round(picture.height * PANEL_PX / picture.width))
            picture = picture.resize((PANEL_PX, height), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        picture.save(buf, "JPEG", quality=80, optimize=True)
        return cls(buf.getvalue(), label, tuple(caption))


def caption_for(spec: ShotSpec) -> tuple[str, ...]:
    """The caption a storyboard panel carries for a shot."""
    move = spec.move.value.replace("-", " ").upper()
    angle = {"eye": "EYE LEVEL"}.get(spec.angle.value, spec.angle.value.upper() + " ANGLE")
    what = "TITLE CARD" if spec.kind == "title" else f"{spec.shot_size.value} · {angle} · {move}"
    lines = [f"SHOT {spec.shot}   {what} · {spec.duration:g}s", spec.heading.upper()]
    if spec.action:
        lines.append(" ".join(spec.action.split()))
    lines.extend(f"{d.character.upper()}: “{d.text}”" for d in spec.dialogue)
    return tuple(lines)


def write_storyboard(path: Path, title: str, panels: Sequence[Panel]) -> int:
    """Write the sheets atomically; returns the number of pages."""
    if not panels:
        raise AiuteurError("There are no panels to print.")
    pdf = FPDF(orientation="L", unit="pt", format="Letter")
    pdf.core_fonts_encoding = "windows-1252"  # what printable() keeps: curly quotes, dashes
    pdf.set_auto_page_break(False)
    pdf.set_title(printable(f"{title} — Storyboard"))
    pdf.set_creator("Aiuteur Desktop")
    per_page = COLUMNS * ROWS
    pages = -(-len(panels) // per_page)
    cell_w = (pdf.w - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
    cell_h = (pdf.h - 2 * MARGIN - HEADER - (ROWS - 1) * GAP) / ROWS
    for page in range(pages):
        pdf.add_page()
        chunk = panels[page * per_page : (page + 1) * per_page]
        pdf.set_font("Helvetica", "B", 13)
        pdf.set_xy(MARGIN, MARGIN)
        pdf.cell(0, 16, printable(f"{title} — Storyboard"))
        pdf.set_font("Helvetica", "", 10)
        shots = f"Shots {chunk[0].label}–{chunk[-1].label}" if len(chunk) > 1 else chunk[0].label
        pdf.set_xy(MARGIN, MARGIN)
        pdf.cell(pdf.w - 2 * MARGIN, 16, f"{shots}    Page {page + 1} of {pages}", align="R")
        for i, panel in enumerate(chunk):
            col, row = i % COLUMNS, i // COLUMNS
            with Image.open(io.BytesIO(panel.jpeg)) as img:
                width, height = img.size
            room = cell_h - (LEADING * 3 if panel.caption else 0)  # keep three caption lines
            scale = min(cell_w / width, room / height)
            w, h = width * scale, height * scale
            x = MARGIN + col * (cell_w + GAP) + (cell_w - w) / 2
            y = MARGIN + HEADER + row * (cell_h + GAP)
            pdf.image(io.BytesIO(panel.jpeg), x=x, y=y, w=w, h=h)
            pdf.set_draw_color(20, 20, 20)
            pdf.rect(x, y, w, h)
            _caption(pdf, panel.caption, x, y + h + 4, w, y + cell_h)
    write_atomically(path, lambda tmp: pdf.output(str(tmp)))
    return pages


def _caption(pdf: FPDF, lines: Sequence[str], x: float, y: float, w: float, bottom: float) -> None:
    """Caption lines wrapped to the panel's width, the first in bold, cut with … where the
    cell ends."""
    for n, line in enumerate(lines):
        pdf.set_font("Helvetica", "B" if n == 0 else "", CAPTION_PT)
        words, current = printable(line).split(), ""
        rows: list[str] = []
        for word in words:
            trial = f"{current} {word}".strip()
            if pdf.get_string_width(trial) <= w or not current:
                current = trial
            else:
                rows.append(current)
                current = word
        rows.append(current)
        for r in rows:
            if y + LEADING > bottom:
                return
            last = y + 2 * LEADING > bottom and (r is not rows[-1] or n < len(lines) - 1)
            text = r
            if last:
                while text and pdf.get_string_width(text + " …") > w:
                    text = text[:-1]
                text = text.rstrip() + " …"
            pdf.set_xy(x, y)
            pdf.cell(w, LEADING, text)
            y += LEADING
            if last:
                return
