"""NLE export speed: a 600-shot timeline written as FCP7 XML, EDL and OTIO.

Budget (DESIGN.md): NLE export of 600 shots ≤ 1 s, per format. Prints PASS/FAIL.
Run: python benchmarks/nle_bench.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiuteur_desktop.core.formats import nle

SHOTS = 600
BUDGET_S = 1.0


def clips(folder: Path) -> list[nle.TimelineClip]:
    return [
        nle.TimelineClip(
            name=f"Bench_Sc{i // 10 + 1:02d}_Shot{i % 10 + 1}_v01",
            path=folder / f"Bench_Sc{i // 10 + 1:02d}_Shot{i % 10 + 1}_v01.mp4",
            frames=(4, 6, 8)[i % 3] * 24,
            scene=str(i // 10 + 1),
            shot=str(i % 10 + 1),
            heading=f"INT. PLACE {i // 10 + 1} - NIGHT",
            dialogue="MARA: Keep the lamp burning." if i % 2 else "",
        )
        for i in range(SHOTS)
    ]


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = clips(folder / "clips")
        for ext in (".xml", ".edl", ".otio"):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                nle.write(nle.build("Bench", rows), folder / f"cut{ext}")
                times.append(time.perf_counter() - t)
            median = statistics.median(times)
            verdict = "PASS" if median <= BUDGET_S else "FAIL"
            ok &= median <= BUDGET_S
            print(
                f"{SHOTS} shots → {ext:<5} median {median * 1000:7.1f} ms  (≤ {BUDGET_S * 1000:.0f} ms) {verdict}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
