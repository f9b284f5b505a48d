"""Storyboard sheets as PDF: six captioned panels to a landscape page, in shot order, with the
project title and page numbers — what a director prints and marks up on set."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.formats import write_atomically
from aiuteur_desktop.core.formats.pdf import printable

COLUMNS, ROWS = 3, 2
MARGIN = 36.0  # points (half an inch)
HEADER = 28.0
GAP = 14.0


@dataclass(frozen=True)
class Panel:
    jpeg: bytes  # the captioned storyboard panel (compressed: a long board stays small in memory)
    label: str  # "1.2": the page header names its first and last shot

    @classmethod
    def of(cls, image: Image.Image, label: str) -> Panel:
        buf = io.BytesIO()
        image.convert("RGB").save(buf, "JPEG", quality=85)
        return cls(buf.getvalue(), label)


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
            scale = min(cell_w / width, cell_h / height)
            w, h = width * scale, height * scale
            x = MARGIN + col * (cell_w + GAP) + (cell_w - w) / 2
            y = MARGIN + HEADER + row * (cell_h + GAP) + (cell_h - h) / 2
            pdf.image(io.BytesIO(panel.jpeg), x=x, y=y, w=w, h=h)
    write_atomically(path, lambda tmp: pdf.output(str(tmp)))
    return pages
