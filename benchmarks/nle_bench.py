"""NLE speed: a 600-shot timeline written as FCP7 XML, FCPXML, EDL and OTIO; a 600-shot
Pro Export (clips excluded: every shot's clip is the same one-frame file, so copying it
costs nothing) and the conform of the editor's timeline back, in each format.

Budget (DESIGN.md, issue "Pro Export, project archive, and conform"): NLE export of 600
shots ≤ 1 s per format; Pro Export of 600 shots ≤ 1 s and conform of 600 shots ≤ 1 s,
clips excluded. Prints PASS/FAIL.
Run: python benchmarks/nle_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from aiuteur_desktop.core.export import conform, nle, pro_export
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script

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


def report(what: str, times: list[float]) -> bool:
    median = statistics.median(times)
    ok = median <= BUDGET_S
    verdict = "PASS" if ok else "FAIL"
    print(f"{what:<34} median {median * 1000:7.1f} ms  (≤ {BUDGET_S * 1000:.0f} ms) {verdict}")
    return ok


def script(scenes: int) -> str:
    """Scenes of six actions each: the shot timing makes about six shots of a scene."""
    out = ["Title: Bench", ""]
    for n in range(1, scenes + 1):
        out += [f"INT. ROOM {n} - NIGHT", ""]
        for k in range(6):
            out += [f"Mara crosses to window {k} and looks out at the storm for a while.", ""]
    return "\n".join(out)


def one_frame(path: Path) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((36, 64, 3), np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


class Source:
    """The offline engine's part in an export, with every clip one tiny file."""

    def __init__(self, clip: Path) -> None:
        self.clip = clip

    def animatic_clips(self, rows: list[Any], out_dir: str, **_: Any) -> dict[str, Any]:
        return {"clips": [{"shot": r.id, "path": str(self.clip), "frames": 1} for r in rows]}

    def scratch_dialogue(self, rows: list[Any], out_dir: str, **_: Any) -> list[str | None]:
        return [None] * len(rows)


def project_of(folder: Path) -> Project:
    project = Project.create(folder, "Bench")
    play = fountain.read_string(script(100))
    master_script.import_screenplay(project, play, "bench.fountain")
    return project


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = clips(folder / "clips")
        for ext in (".xml", ".fcpxml", ".edl", ".otio"):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                nle.write(nle.build("Bench", rows), folder / f"cut{ext}")
                times.append(time.perf_counter() - t)
            ok &= report(f"{SHOTS} shots → {ext}", times)

        os.environ.setdefault("AIUTEUR_HOME", str(folder / "home"))
        project = project_of(folder)
        shots = len(shot_list.film(project))
        clip = folder / "frame.mp4"
        one_frame(clip)
        source = Source(clip)
        parts: dict[str, list[float]] = {}
        for n in range(3):
            t = time.perf_counter()
            done = pro_export.export(project, folder / f"export{n}", source=source, stems=False)  # type: ignore[arg-type]
            total = time.perf_counter() - t
            for key, value in {**done.seconds, "total": total}.items():
                parts.setdefault(key, []).append(value)
        media = statistics.median(parts["media"])
        print(
            f"  (media: {shots} one-frame clips copied, probed and hashed: {media * 1000:.0f} ms;"
            f" the four timelines: {statistics.median(parts['timelines']) * 1000:.0f} ms)"
        )
        ok &= report(
            f"Pro Export of {shots} shots, clips excluded",
            [t - m for t, m in zip(parts["total"], parts["media"], strict=True)],
        )
        for ext in (".xml", ".fcpxml", ".edl", ".otio"):
            times = []
            for _ in range(3):
                project.switch_branch("Main")
                t = time.perf_counter()
                edit = conform.read_edit(project, folder / "export0" / f"Bench{ext}")
                conform.apply(project, edit)
                times.append(time.perf_counter() - t)
            assert len(edit.placed) == shots, (ext, len(edit.placed))
            ok &= report(f"conform of {shots} shots ← {ext}", times)
        project.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
