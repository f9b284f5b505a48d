"""Screenplay import time against input size, normal and adversarial (issue "Hostile input").

Prints import time for 100 KB, 1 MB and 10 MB of — Fountain: a normal script, unclosed
boneyards (/* …), cues like BOB((((…, and many short action lines; Final Draft (FDX): a
normal script, many tiny paragraphs, paragraphs split into many <Text> runs, and a title
page of one key over many lines — the 10 MB / 100 KB time ratio (linear is 100×; the
budget allows 2× that) and whether 1 MB of each takes < 2 s.
Run: python benchmarks/parse_bench.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiuteur_desktop.core.screenplay import fdx, fountain

SIZES = (100_000, 1_000_000, 10_000_000)


def normal(n: int) -> str:
    scene = (
        "INT. ROOM {i} - NIGHT\n\nMara waits by the window. Rain.\n\n"
        "MARA\nNot tonight.\n\nELI (V.O.)\nThen when?\n\n"
    )
    out, i = [], 0
    while sum(map(len, out)) < n:
        out.append(scene.format(i=i))
        i += 1
    return "".join(out)[:n]


def boneyards(n: int) -> str:
    return ("/* an unclosed note\n" * (n // 20 + 1))[:n]


def cue(n: int) -> str:
    return "INT. ROOM - DAY\n\nBOB" + "(" * n + "\nHello.\n"


def short_lines(n: int) -> str:
    return "INT. ROOM - DAY\n\n" + ("Rain.\n" * (n // 6 + 1))[:n]


FDX_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<FinalDraft DocumentType="Script">'


def _fdx(body: str, n: int, title: str = "") -> str:
    """`body` repeated to about n characters, as an FDX document."""
    count = max(1, (n - len(FDX_HEAD)) // len(body))
    return f"{FDX_HEAD}<Content>{body * count}</Content>{title}</FinalDraft>"


def fdx_normal(n: int) -> str:
    return fdx.write_string(fountain.read_string(normal(n)))


def fdx_tiny_paragraphs(n: int) -> str:
    return _fdx('<Paragraph Type="Action"><Text>R</Text></Paragraph>', n)


def fdx_many_runs(n: int) -> str:
    runs = "<Text>a</Text>" * 1000
    return _fdx(f'<Paragraph Type="Action">{runs}</Paragraph>', n)


def fdx_long_title_page(n: int) -> str:
    line = '<Paragraph AiuteurKey="Draft"><Text>note</Text></Paragraph>'
    count = max(1, n // len(line))
    title = f"<TitlePage><Content>{line * count}</Content></TitlePage>"
    return _fdx('<Paragraph Type="Action"><Text>Rain.</Text></Paragraph>', 200, title)


def timed(reader: Callable[[str], object], text: str) -> float:
    t = time.perf_counter()
    reader(text)
    return time.perf_counter() - t


def main() -> int:
    ok = True
    for name, reader, make in (
        ("normal", fountain.read_string, normal),
        ("unclosed boneyards", fountain.read_string, boneyards),
        ("cue BOB((((…", fountain.read_string, cue),
        ("many short lines", fountain.read_string, short_lines),
        ("FDX normal", fdx.read_string, fdx_normal),
        ("FDX tiny paragraphs", fdx.read_string, fdx_tiny_paragraphs),
        ("FDX many text runs", fdx.read_string, fdx_many_runs),
        ("FDX long title page", fdx.read_string, fdx_long_title_page),
    ):
        times = [timed(reader, make(n)) for n in SIZES]
        ratio = times[-1] / max(times[0], 1e-6)
        linear = ratio <= 2 * SIZES[-1] / SIZES[0]
        fast = times[1] < 2.0
        ok &= linear and fast
        cells = "  ".join(
            f"{n // 1000:>6} KB {t * 1000:9.1f} ms" for n, t in zip(SIZES, times, strict=True)
        )
        print(
            f"{name:<20} {cells}   10 MB/100 KB ×{ratio:,.0f} "
            f"{'PASS' if linear and fast else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
