"""The review player's decoding (core/media/playback.py): a cut of takes laid end to end, and an
editor's in-points and lengths honoured — frame-accurate in order and from a seek, the sound
as long as the picture."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from aiuteur_desktop.core.media.playback import RATE, AudioReader, Cut, VideoReader

FPS = 24


def clip(path: Path, frames: int, base: int) -> Path:
    """A clip whose frame n is a flat grey of level base + 4·n (readable after H.264)."""
    out = av.open(str(path), "w", format="mp4")
    vs = out.add_stream("libx264", rate=FPS)
    vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
    vs.options = {"crf": "10", "g": "12"}  # keyframes every 12 frames: seeks land mid-GOP
    aus = out.add_stream("aac", rate=RATE, layout="stereo")
    for n in range(frames):
        grey = np.full((48, 64, 3), base + 4 * n, np.uint8)
        frame = av.VideoFrame.from_ndarray(grey, format="rgb24")
        frame.pts = n
        for packet in vs.encode(frame):
            out.mux(packet)
    for packet in vs.encode():
        out.mux(packet)
    tone = (0.2 * np.sin(np.arange(frames * RATE // FPS) / 20)).astype(np.float32)
    chunk = aus.codec_context.frame_size or 1024
    for start in range(0, len(tone), chunk):
        piece = np.pad(tone[start : start + chunk], (0, max(0, chunk - len(tone[start:]))))
        af = av.AudioFrame.from_ndarray(np.stack([piece, piece]), format="fltp", layout="stereo")
        af.sample_rate, af.pts = RATE, start
        for packet in aus.encode(af):
            out.mux(packet)
    for packet in aus.encode():
        out.mux(packet)
    out.close()
    return path


def level(bgra: np.ndarray) -> int:
    return round(float(bgra[..., :3].mean()))


@pytest.fixture
def takes(tmp_path: Path) -> tuple[Path, Path]:
    return clip(tmp_path / "a.mp4", 24, 10), clip(tmp_path / "b.mp4", 48, 20)


def test_an_editors_in_point_and_length_are_what_plays(takes: tuple[Path, Path]) -> None:
    a, b = takes
    # A whole (1 s), then B from its frame 12 for 24 frames (the editor's trim).
    cut = Cut.of([(a, "A", "1A"), (b, "B", "1B", 12 / FPS, 24 / FPS)])
    assert [round(p.duration * FPS) for p in cut.pieces] == [24, 24]
    assert cut.pieces[1].start == pytest.approx(1.0) and cut.duration == pytest.approx(2.0)
    reader = VideoReader(cut)
    shown = []
    while (got := reader.next()) is not None:
        shown.append((round(got[0] * FPS), level(got[1])))
    reader.close()
    assert [t for t, _ in shown] == list(range(48))  # every frame once, in order, no more
    for t, grey in shown:
        wanted = 10 + 4 * t if t < 24 else 20 + 4 * (12 + t - 24)
        assert abs(grey - wanted) <= 3, (t, grey, wanted)
    # A seek into the trimmed piece lands on the frame the in-point says.
    reader = VideoReader(cut)
    at, rgb = reader.seek(1.5)  # 12 frames into B's piece: B's frame 24
    assert round(at * FPS) == 36 and abs(level(rgb) - (20 + 4 * 24)) <= 3
    after = reader.next()
    assert after is not None and round(after[0] * FPS) == 37
    reader.close()


def test_the_sound_of_a_trimmed_piece_is_as_long_as_its_picture(takes: tuple[Path, Path]) -> None:
    a, b = takes
    cut = Cut.of([(a, "A", "1A"), (b, "B", "1B", 12 / FPS, 24 / FPS)])
    sound = AudioReader(cut)
    data = b""
    while chunk := sound.read(RATE // 10):
        data += chunk
    sound.close()
    assert len(data) // 4 == pytest.approx(2 * RATE, abs=RATE // 100)  # 2 s of 16-bit stereo
    sound = AudioReader(cut)
    sound.seek(1.5)
    rest = b""
    while chunk := sound.read(RATE // 10):
        rest += chunk
    sound.close()
    assert len(rest) // 4 == pytest.approx(RATE // 2, abs=RATE // 100)


def test_lines_in_cloud_voices_are_heard_over_their_take_where_they_fall(tmp_path: Path) -> None:
    """Stage 12 plays a shot's cloud-voiced lines over its take (a silent one here): the
    line's sound from its place in the clip, silence before it, and from the right place
    again after a seek into the line."""
    from tests.fakes.speech_fake import tone, wav
    from tests.story import mp4

    clip = tmp_path / "take.mp4"
    clip.write_bytes(mp4(frames=48))  # 2 s, no sound
    line = tmp_path / "line.wav"
    line.write_bytes(wav(tone(0.5, 440.0)))  # at 24 kHz: resampled to the player's
    cut = Cut.of([(clip, "A", "1A", 0.0, None, ((line, 0.8),))])
    reader = AudioReader(cut)
    try:
        samples = np.frombuffer(reader.read(2 * RATE), dtype=np.int16).reshape(-1, 2)
        assert np.abs(samples[: int(0.75 * RATE)]).max() == 0
        heard = samples[int(0.85 * RATE) : int(1.25 * RATE)]
        assert np.abs(heard).max() > 4000 and (heard[:, 0] == heard[:, 1]).all()
        assert np.abs(samples[int(1.35 * RATE) :]).max() == 0
        reader.seek(1.0)  # into the line
        again = np.frombuffer(reader.read(RATE // 10), dtype=np.int16).reshape(-1, 2)
        assert np.array_equal(again, samples[RATE : RATE + RATE // 10])
    finally:
        reader.close()
