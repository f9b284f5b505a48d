"""What one frame costs before it is queued, on a feature film's screenplay against a short
one (issue "A feature film's screenplay, at the speed of a short"): the gate (`frames.blocked`)
and the operation's `prepare` of every frame of the largest scene, with Stage 7–9 done, in
Quick mode. The goal: a frame's cost does not grow with the script (ratio feature ÷ short
≤ 1.5) and, after the scene's first, stays ≤ 5 ms.

    .venv/bin/python benchmarks/prepare_bench.py [--scenes N]

Prints per-frame medians (first frame apart) for a 6-scene script and the feature script
(benchmarks/feature_script.py, 190 scenes), and the ratio. Figures, never assertions.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("AIUTEUR_HOME", tempfile.mkdtemp(prefix="aiuteur-prepare-"))

import feature_script

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.operations.frame_image import FrameImage
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.providers.registry import Registry

FRAMES = 40  # frames timed per script (the scene's first ones)


def measure(text: str, name: str) -> tuple[float, float, float, int]:
    """(first frame ms, median gate ms, median prepare ms, shots in the scene)."""
    home = Path(os.environ["AIUTEUR_HOME"])
    with Project.create(home, name) as p:
        master_script.import_screenplay(p, fountain.read_string(text), f"{name}.fountain")
        masters.extract_into(p)
        scene, sizes = feature_script.ready_for_frames(p)
        source = Registry()
        todo = frames.slots(p, scene)[:FRAMES]
        gates, prepares = [], []
        for s in todo:
            t = time.perf_counter()
            frames.blocked(p, scene, s.shot, s.which)
            gates.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            FrameImage.prepare(p, scene, s.shot, s.which, model="offline:storyboard", source=source)
            prepares.append((time.perf_counter() - t) * 1000)
        first = gates[0] + prepares[0]
        return first, statistics.median(gates[1:]), statistics.median(prepares[1:]), sizes[scene]


def main() -> int:
    scenes = int(sys.argv[sys.argv.index("--scenes") + 1]) if "--scenes" in sys.argv else 190
    feature = feature_script.write(scenes)
    short = feature_script.write(6)
    rows = []
    for label, text in (("6-scene script", short), (f"{scenes}-scene script", feature)):
        first, gate, prep = measure(text, label.replace(" ", "-"))[:3]
        rows.append((label, first, gate, prep))
        print(
            f"{label}: first frame {first:.0f} ms; then per frame: gate {gate:.1f} ms, "
            f"prepare {prep:.1f} ms"
        )
    small, big = rows[0][2] + rows[0][3], rows[1][2] + rows[1][3]
    print(f"per-frame cost, feature ÷ short: {big / max(small, 1e-6):.2f} (goal ≤ 1.5)")
    print(f"per-frame cost on the feature script: {big:.1f} ms (goal ≤ 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
