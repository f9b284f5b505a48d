"""Offline previz speed: a 4 s 1280×720 animatic with a push-in and dialogue.

Budget (issue 5): under 1 s on this machine (≥ 4× real time). Prints PASS/FAIL.
Run: python benchmarks/previz_bench.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiuteur_desktop.core.production.shots import spec
from aiuteur_desktop.providers.offline import animatic, panels, tts

SPEC = spec.parse(
    {
        "heading": "INT. LIGHTHOUSE LAMP ROOM - NIGHT",
        "width": 1280,
        "aspect": "16:9",
        "duration": 4.0,
        "fps": 24,
        "shot_size": "MS",
        "angle": "low",
        "move": "push-in",
        "action": "Mara trims the wick as the storm hammers the glass.",
        "characters": [
            {"name": "Mara", "position": "left", "facing": "right"},
            {"name": "Ade", "position": "right", "depth": "background", "facing": "left"},
        ],
        "dialogue": [
            {"character": "MARA", "text": "Keep the lamp burning."},
            {"character": "ADE", "text": "Whatever happens?"},
        ],
    }
)
BUDGET_S = 1.0


def main() -> int:
    engine = tts.available()
    print(f"speech engine: {engine.name if engine else 'none (silent audio)'}")
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for i in range(5):
            t = time.perf_counter()
            animatic.render_clip(SPEC, Path(tmp) / f"clip{i}.mp4")
            times.append(time.perf_counter() - t)
        panel_times = []
        for _ in range(10):
            t = time.perf_counter()
            panels.render_panel(SPEC)
            panel_times.append(time.perf_counter() - t)
    med = statistics.median(times)
    verdict = "PASS" if med < BUDGET_S else "FAIL"
    print(
        f"4 s 1280×720 clip, push-in + 2 lines:  median {med:.2f} s  max {max(times):.2f} s  "
        f"({SPEC.duration / med:.1f}× real time)  budget < {BUDGET_S:g} s  {verdict}"
    )
    print(
        f"storyboard panel 1280×965:            median {statistics.median(panel_times) * 1000:.0f} ms"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
