"""Stage 12's review player (issue "Stages 11–12"), on a 60 s 720p H.264 scene (eight
7.5 s takes of 1280×720 at 24 fps, x264 "veryfast" CRF 23, AAC stereo 48 kHz).

Budgets: decode ≥ 4× real time (frames to RGB and to QImage, as the player's worker does),
with its ratio to `ffmpeg -f null` on the same files with the same thread count; seek to a
random frame ≤ 150 ms (max of 40); audio/video drift ≤ 1 frame at the end of playback; a UI
stall ≤ 50 ms while playing (the longest gap between the player's 5 ms ticks, minus 5 ms).
Run: QT_QPA_PLATFORM=offscreen python benchmarks/player_bench.py [--threads N]
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av
import numpy as np

from aiuteur_desktop.core.media.playback import RATE, AudioReader, Cut, VideoReader

W, H, FPS, TAKES, SECONDS = 1280, 720, 24, 8, 7.5
FOLDER = Path(tempfile.gettempdir()) / "aiuteur-player-bench"


def make_take(path: Path, index: int) -> None:
    """A moving gradient with a bouncing box and a tone: detail an encoder has to work for."""
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as c:
        vs = c.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "veryfast", "crf": "23"}
        aus = c.add_stream("aac", rate=RATE, layout="stereo")
        yy, xx = np.mgrid[0:H, 0:W]
        n = round(SECONDS * FPS)
        for i in range(n):
            t = i / FPS
            img = np.empty((H, W, 3), np.uint8)
            img[..., 0] = (xx / W * 255 + t * 40 + index * 30) % 255
            img[..., 1] = (yy / H * 255 + np.sin(t) * 60) % 255
            img[..., 2] = ((xx + yy) / 8 + i) % 255
            bx = int((math.sin(t * 1.7) * 0.4 + 0.5) * (W - 200))
            img[300:500, bx : bx + 200] = (240, 240, 240)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for p in vs.encode(frame):
                c.mux(p)
        for p in vs.encode():
            c.mux(p)
        chunk = aus.codec_context.frame_size or 1024
        total = round(SECONDS * RATE)
        tt = np.arange(total) / RATE
        tone = (0.2 * np.sin(2 * np.pi * (220 + 20 * index) * tt)).astype(np.float32)
        for start in range(0, total, chunk):
            piece = tone[start : start + chunk]
            piece = np.pad(piece, (0, chunk - len(piece)))
            af = av.AudioFrame.from_ndarray(
                np.stack([piece, piece]), format="fltp", layout="stereo"
            )
            af.sample_rate, af.pts = RATE, start
            for p in aus.encode(af):
                c.mux(p)
        for p in aus.encode():
            c.mux(p)
    tmp.replace(path)


def takes() -> list[Path]:
    FOLDER.mkdir(exist_ok=True)
    out = []
    for i in range(TAKES):
        path = FOLDER / f"take{i + 1}.mp4"
        if not path.exists():
            make_take(path, i)
        out.append(path)
    return out


def main() -> int:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
    print(f"preparing {TAKES} takes of {SECONDS} s at {W}×{H} in {FOLDER} …", flush=True)
    files = takes()
    cut = Cut.of([(p, f"{i}", f"1{chr(65 + i)}") for i, p in enumerate(files)])
    print(f"cut: {cut.duration:.1f} s, {cut.fps:g} fps, {len(cut.pieces)} takes, {threads} threads")

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])

    # 1. decode throughput, as the worker does it (RGB, then a QImage copy)
    reader = VideoReader(cut, threads=threads)
    t0 = time.perf_counter()
    n = 0
    while (got := reader.next()) is not None:
        rgb = got[1]
        QImage(
            rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888
        ).copy()
        n += 1
    took = time.perf_counter() - t0
    reader.close()
    speed = cut.duration / took
    print(f"decode: {n} frames in {took:.2f} s = {speed:.1f}× real time (budget ≥ 4×)")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        concat = FOLDER / "list.txt"
        concat.write_text("".join(f"file '{p}'\n" for p in files))
        t0 = time.perf_counter()
        subprocess.run(
            [ffmpeg, "-v", "error", "-threads", str(threads), "-f", "concat", "-safe", "0",
             "-i", str(concat), "-an", "-f", "null", "-"],
            check=True,
        )  # fmt: skip
        ref = time.perf_counter() - t0
        print(
            f"ffmpeg -f null (same files, -threads {threads}): {ref:.2f} s = "
            f"{cut.duration / ref:.1f}× real time; the player takes {took / ref:.2f}× ffmpeg's time"
        )
    else:
        print("ffmpeg -f null: ffmpeg is not installed here, no reference figure")

    # 2. seek to random frames
    reader = VideoReader(cut, threads=threads)
    rng = random.Random(7)
    times = []
    for _ in range(40):
        target = rng.randrange(round(cut.duration * cut.fps)) / cut.fps
        t0 = time.perf_counter()
        got = reader.seek(target)
        times.append((time.perf_counter() - t0) * 1000)
        assert got is not None and abs(got[0] - target) < 0.5 / cut.fps, (got and got[0], target)
    reader.close()
    print(
        f"seek: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
        "(budget ≤ 150 ms, frame-accurate)"
    )

    # 3. sound: the cut's PCM is exactly as long as its picture
    audio = AudioReader(cut)
    samples = 0
    while data := audio.read(RATE // 10):
        samples += len(data) // 4
    audio.close()
    print(
        f"audio: {samples / RATE:.3f} s of sound for {cut.duration:.3f} s of picture "
        f"({abs(samples / RATE - cut.duration) * cut.fps:.2f} frames apart)"
    )

    # 4. playing the whole cut in the player: drift at the end, UI stalls
    from aiuteur_desktop.views.production.player import Player

    player = Player()
    player.resize(1280, 800)
    player.show()
    player.set_cut(cut)
    end = time.monotonic() + 2
    while player.shown_at != 0.0 and time.monotonic() < end:
        app.processEvents()
    player.play()
    last = -1.0
    drift = []
    deadline = time.monotonic() + cut.duration + 10
    while player.playing and time.monotonic() < deadline:
        app.processEvents()
        if player.shown_at != last:
            last = player.shown_at
            drift.append(abs(player.clock() - last))
        time.sleep(0.001)
    stalls = sorted(player.stalls)
    sound = (
        "the sound output's clock"
        if player.sound.available
        else "the steady clock (no sound output here)"
    )
    print(
        f"playback to the end: last frame {player.shown_at:.3f} s of {cut.last_frame_time():.3f} s; "
        f"picture vs {sound} at the end {drift[-1] * cut.fps:.2f} frames, worst {max(drift) * cut.fps:.2f} "
        "frames (budget ≤ 1 frame)"
    )
    print(
        f"UI ticks while playing: longest gap {max(stalls) * 1000:.1f} ms, "
        f"99th percentile {stalls[int(len(stalls) * 0.99)] * 1000:.1f} ms "
        "(budget: stall ≤ 50 ms beyond the 5 ms tick)"
    )
    player.close_player()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
