"""Stage 12's review player with big takes: frames are converted only to the size the
picture is shown at (a 4K take in a laptop's window), and playing waits for its first frame
instead of starting the clock and then skipping the frames it was late for."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import pytest

from aiuteur_desktop.core.media import playback
from aiuteur_desktop.core.media.playback import Cut
from aiuteur_desktop.views.production.player import Player

W, H, FPS = 1280, 720, 24


def take(path: Path, frames: int) -> Path:
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((H, W, 3), 8 * n, np.uint8), "rgb24")
            frame.pts = n
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    return path


@pytest.fixture
def player(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    made: list[Player] = []

    def make(clock=time.monotonic) -> Player:  # type: ignore[no-untyped-def]
        p = Player(clock=clock)
        qtbot.addWidget(p)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close_player()


def test_frames_are_converted_to_the_size_shown_and_sharpened_when_it_grows(
    qtbot, player, tmp_path: Path
) -> None:
    p = player()
    p.resize(500, 400)
    p.show()
    p.set_cut(Cut.of([(take(tmp_path / "a.mp4", 12), "A", "1A")]))
    qtbot.waitUntil(lambda: p.screen.image is not None, timeout=10_000)
    # A 500-pixel window shows a 1280-pixel take at about 500: converted at 640, not 1280.
    assert p.screen.image.width() == 640 and p.screen.image.height() == 360
    p.resize(1400, 900)  # bigger than the take: the take's own size, never upscaled
    qtbot.waitUntil(lambda: p.screen.image.width() == W, timeout=5000)
    assert p.screen.image.height() == H and not p.playing


def test_play_waits_for_its_first_frame_instead_of_skipping_what_it_was_late_for(
    qtbot, player, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    p = player(clock=lambda: now[0])
    p.resize(640, 480)
    p.show()
    p.set_cut(Cut.of([(take(tmp_path / "a.mp4", 24), "A", "1A")]))
    qtbot.waitUntil(lambda: p.shown_at == 0.0, timeout=10_000)
    slow_seek = playback.VideoReader.seek

    def seek(self, t):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # a 4K seek from the keyframe before
        return slow_seek(self, t)

    monkeypatch.setattr(playback.VideoReader, "seek", seek)
    p.play()
    now[0] += 0.5  # half a second passes on the clock while the first frame decodes
    qtbot.wait(100)
    assert p.shown_at == 0.0 and p.position == 0.0  # the clock stood
    qtbot.wait(700)  # the first frame is decoded: the clock starts from it
    for n in range(1, 6):  # then frame by frame, each on screen at its time
        now[0] += 1 / FPS
        qtbot.waitUntil(lambda n=n: p.shown_at >= n / FPS - 1e-6, timeout=5000)
        assert p.shown_at == pytest.approx(n / FPS, abs=1e-6)
    assert p.dropped == 0
