"""NLE speed: a 600-shot timeline written as FCP7 XML, FCPXML, EDL and OTIO; a 600-shot
Pro Export (clips excluded: every shot's clip is the same one-frame file, so copying it
costs nothing) and the conform of the editor's timeline back, in each format.

Budget (DESIGN.md, issue "Pro Export, project archive, and conform"): NLE export of 600
shots ≤ 1 s per format; Pro Export of 600 shots ≤ 1 s and conform of 600 shots ≤ 1 s,
clips excluded. Prints PASS/FAIL.

Then the editors' codecs (issue "Pro Export in an editor's codec"): how fast an 8-second
H.264/AAC take (720p and 1080p, 24 fps, a moving picture with grain) becomes ProRes 422 HQ or
DNxHR HQ with PCM sound — one take alone (every core on it) and four at once (one per core,
as an export runs them) — as × real time (8 s of film ÷ seconds taken; above 1 is faster
than playing it). Printed, no budget.
Run: python benchmarks/nle_bench.py [--transcode]  (--transcode: only the codecs' part)
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


def take(path: Path, width: int, height: int, seconds: int = 8, seed: int = 7) -> None:
    """A take as the video models write them: H.264 + AAC stereo, 24 fps, with motion and
    grain (a flat picture would flatter the encoders); another seed, another take."""
    rng = np.random.default_rng(seed)
    grain = rng.integers(0, 24, (height, width, 3), dtype=np.uint8)
    ramp = np.linspace(0, 200, width, dtype=np.float32)[None, :, None]
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "18"}
        sound = out.add_stream("aac", rate=48_000, layout="stereo")
        for n in range(seconds * 24):
            picture = (np.roll(ramp, n * 7, axis=1) + grain).clip(0, 255).astype(np.uint8)
            picture = np.broadcast_to(picture, (height, width, 3)).copy()
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        t = np.arange(seconds * 48_000) / 48_000
        tone = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        for start in range(0, len(tone), 1024):
            part = tone[start : start + 1024]
            frame = av.AudioFrame.from_ndarray(
                np.stack([part, part]), format="fltp", layout="stereo"
            )
            frame.sample_rate, frame.pts = 48_000, start
            for packet in sound.encode(frame):
                out.mux(packet)
        for packet in sound.encode():
            out.mux(packet)


def transcode_speed(folder: Path) -> None:
    """× real time of the editors' codecs, one take alone and four at once."""
    from aiuteur_desktop.core.media import transcode

    cores = os.cpu_count() or 1
    print(f"Editors' codecs: an 8 s take, × real time (higher is faster; {cores} cores)")
    for label, (width, height) in (("720p", (1280, 720)), ("1080p", (1920, 1080))):
        sources = []
        for n in range(4):
            source = folder / f"take{label}{n}.mp4"
            take(
                source, width, height, seed=n
            )  # four takes: the store would make one of four alike
            sources.append(source)
        for key in ("prores", "dnxhr", "dnxhr-mxf"):
            how = transcode.codec(key)
            t = time.perf_counter()
            transcode.transcode(sources[0], folder / f"one{how.suffix}", how, threads=cores)
            alone = time.perf_counter() - t
            store = transcode.Store(folder / f"store-{label}-{key}")
            t = time.perf_counter()
            made = store.ensure(sources, how)
            together = time.perf_counter() - t
            assert all(m.transcoded for m in made) and len({m.path for m in made}) == 4
            print(
                f"  {label:<5} → {how.label:<28} alone {8 / alone:5.2f}×   "
                f"4 at once {4 * 8 / together:5.2f}×   "
                f"({made[0].path.stat().st_size / 2**20:.0f} MB a take)"
            )


def project_of(folder: Path) -> Project:
    project = Project.create(folder, "Bench")
    play = fountain.read_string(script(100))
    master_script.import_screenplay(project, play, "bench.fountain")
    return project


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "--transcode" in sys.argv[1:]:
            transcode_speed(folder)
            return 0
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
        transcode_speed(folder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
