"""Offline previz speed: a 4 s 1280×720 animatic with a push-in and dialogue, and the
animatic reel of a feature-length script's first 200 shots.

Budgets (issue 5, issue 42): the clip under 1 s on this machine (≥ 4× real time) and no
slower than `BEFORE_S` (the figure before posed figures, sets and props) by more than 25 %.
The reel prints its real-time factor (seconds of film drawn per second of wall time), drawn
from nothing (a fresh cache). Prints PASS/FAIL.
Run: python benchmarks/previz_bench.py [--reel-shots N] [--width W]  (--reel-shots 0: no reel)
"""

from __future__ import annotations

import argparse
import os
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
#: The clip's median before issue 42's drawing (04851c0, this machine, idle): 0.48–0.49 s.
BEFORE_S = 0.49


def reel(shots: int, width: int) -> None:
    """The animatic of the generated feature script's first `shots` shots, from nothing."""
    sys.path.insert(0, str(Path(__file__).parent))
    import feature_script  # the feature-length generator beside this script

    from aiuteur_desktop.core.production.shots import timing
    from aiuteur_desktop.core.screenplay import fountain
    from aiuteur_desktop.providers.offline import reel as offline_reel

    play = fountain.read_string(feature_script.write())
    chosen = timing.breakdown(play)[:shots]
    film = sum(s.duration for s in chosen)
    with tempfile.TemporaryDirectory() as home:
        os.environ["AIUTEUR_HOME"] = home  # a cache of its own: every clip is drawn
        t = time.perf_counter()
        offline_reel.render_reel(chosen, Path(home) / "out", title="Feature", width=width,
                                 storyboard=False)  # fmt: skip
        took = time.perf_counter() - t
    print(
        f"reel of {len(chosen)} shots ({film / 60:.1f} min of film, {width} px wide): "
        f"{took:.0f} s  real-time factor {film / took:.2f}×"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reel-shots", type=int, default=200)
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
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
    ok = med < BUDGET_S and med <= BEFORE_S * 1.25
    verdict = "PASS" if ok else "FAIL"
    print(
        f"4 s 1280×720 clip, push-in + 2 lines:  median {med:.2f} s  max {max(times):.2f} s  "
        f"({SPEC.duration / med:.1f}× real time)  budget < {BUDGET_S:g} s and "
        f"≤ {BEFORE_S * 1.25:.2f} s (before: {BEFORE_S:.2f} s + 25 %)  {verdict}"
    )
    print(
        f"storyboard panel 1280×965:            median {statistics.median(panel_times) * 1000:.0f} ms"
    )
    if args.reel_shots > 0:
        reel(args.reel_shots, args.width)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
