"""Screenplay import time against input size, normal and adversarial (issue "Hostile input").

Prints Fountain import time for 100 KB, 1 MB and 10 MB of: a normal script, unclosed
boneyards (/* …), cues like BOB((((…, and many short action lines; the 10 MB / 100 KB time
ratio (linear is 100×; the budget allows 2× that) and whether 1 MB of each takes < 2 s.
Run: python benchmarks/parse_bench.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiuteur_desktop.core.formats import fountain

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


def timed(text: str) -> float:
    t = time.perf_counter()
    fountain.read_string(text)
    return time.perf_counter() - t


def main() -> int:
    ok = True
    for name, make in (
        ("normal", normal),
        ("unclosed boneyards", boneyards),
        ("cue BOB((((…", cue),
        ("many short lines", short_lines),
    ):
        times = [timed(make(n)) for n in SIZES]
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
