"""Shot timing and the Script Hub on a synthetic 60-scene, 600-shot screenplay, and what
`aiuteur shots` costs as a script grows.

Budgets (DESIGN.md): derive every scene's status ≤ 30 ms; `aiuteur shots` (read the stored
script, derive the film's shot list) within 2× of linear from 1× to 40× a feature-length
script. Also printed, without a budget: the shot timing of the whole script, the film's
shot list with every scene edited, and the Script Hub rows (derived off the UI thread after
an edit). Prints PASS/FAIL.
Run: python benchmarks/shots_bench.py [--quick]   (--quick: 1×, 4× and 10× only)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiuteur_desktop.core.production import hub as script_hub
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script

SCENES, SHOTS_PER_SCENE = 60, 10
STATUS_BUDGET_MS = 30.0


def script() -> str:
    words = [
        "the",
        "lamp",
        "swings",
        "as",
        "rain",
        "beats",
        "on",
        "the",
        "glass",
        "and",
        "the",
        "old",
        "engine",
        "coughs",
        "twice",
        "more",
    ]
    out = []
    for n in range(1, SCENES + 1):
        out.append(f"INT. ROOM {n} - NIGHT\n")
        for k in range(SHOTS_PER_SCENE):
            # About 20 words: one 8-second shot each.
            out.append(f"MARA waits. {' '.join(words[(k + i) % len(words)] for i in range(18))}.\n")
    return "\n".join(out)


def feature(times: int) -> str:
    """A feature-length script (~120 scenes, ~40 speaking parts, ~110 pages) `times` over."""
    names = [f"PERSON{n}" for n in range(40)]
    out = ["FADE IN:", "", "Black. A siren, far off.", ""]
    for copy in range(times):
        for n in range(120):
            time_of_day = ("NIGHT", "DAY", "CONTINUOUS", "LATER", "DAWN")[n % 5]
            out.append(f"{'INT' if n % 2 else 'EXT'}. PLACE {n % 37} - {time_of_day}\n")
            a, b = names[(n + copy) % 40], names[(n * 7 + 3) % 40]
            out.append(f"{a} (30s) crosses to the window. {b} watches, saying nothing at all.\n")
            for k in range(6):
                who = a if k % 2 else b
                out.append(f'{who}\n(beat)\nI said "wait." You never listen, do you? Line {k}.\n')
            out.append("CUT TO:\n")
    out.append("> THE END <")
    return "\n".join(out)


def linear_shots(sizes: tuple[int, ...]) -> bool:
    """`aiuteur shots` at each size: import once, then time reading the script and deriving
    the film's shots. Within 2× of linear: per-scene time at the largest size ≤ 2× the
    smallest's."""
    per_scene: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for times in sizes:
            play = fountain.read_string(feature(times))
            project = Project.create(Path(tmp), f"Feature{times}")
            master_script.import_screenplay(project, play, "feature.fountain")
            n = len(play.scenes())
            ms = median_ms(lambda p=project: shot_list.film(p), runs=3)
            per_scene.append(ms / n)
            print(
                f"aiuteur shots at {times:>2}× ({n:>5} scenes): {ms:9.1f} ms  {ms / n:6.3f} ms/scene"
            )
            project.close()
    ratio = per_scene[-1] / per_scene[0]
    ok = ratio <= 2.0
    print(
        f"per-scene cost {sizes[-1]}× vs {sizes[0]}×: {ratio:.2f}× (≤ 2× of linear) {'PASS' if ok else 'FAIL'}"
    )
    return ok


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    linear = linear_shots((1, 4, 10) if "--quick" in sys.argv else (1, 10, 40))
    play = fountain.read_string(script())
    rows = timing.breakdown(play)
    print(f"{len(play.scenes())} scenes, {len(rows)} shots")
    print(f"shot timing of the whole script: {median_ms(lambda: timing.breakdown(play)):7.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.create(Path(tmp), "Bench")
        master_script.import_screenplay(project, play, "bench.fountain")
        for n in range(1, SCENES + 1):
            shot_list.save(project, f"s{n}", shot_list.current(project, f"s{n}"))
        project.commit("Every scene edited")
        print(
            f"film with every scene edited:    {median_ms(lambda: shot_list.film(project)):7.1f} ms"
        )
        print(
            f"Script Hub rows:                 {median_ms(lambda: script_hub.hub(project)):7.1f} ms"
        )
        status = median_ms(lambda: script_hub.statuses(project))
        verdict = "PASS" if status <= STATUS_BUDGET_MS else "FAIL"
        print(
            f"every scene's status:            {status:7.1f} ms  (≤ {STATUS_BUDGET_MS:.0f} ms) {verdict}"
        )
        project.close()
    return 0 if status <= STATUS_BUDGET_MS and linear else 1


if __name__ == "__main__":
    sys.exit(main())
