"""Shot timing and the Script Hub on a synthetic 60-scene, 600-shot screenplay.

Budgets (DESIGN.md): derive every scene's status ≤ 30 ms. Also printed, without a budget:
the shot timing of the whole script, the film's shot list with every scene edited, and
the Script Hub rows (derived off the UI thread after an edit). Prints PASS/FAIL.
Run: python benchmarks/shots_bench.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiuteur_desktop.core import master_script, script_hub, shot_list, shots
from aiuteur_desktop.core.formats import fountain
from aiuteur_desktop.core.store import Project

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


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    play = fountain.read_string(script())
    rows = shots.breakdown(play)
    print(f"{len(play.scenes())} scenes, {len(rows)} shots")
    print(f"shot timing of the whole script: {median_ms(lambda: shots.breakdown(play)):7.1f} ms")
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
    return 0 if status <= STATUS_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
