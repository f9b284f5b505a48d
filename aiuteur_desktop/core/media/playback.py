"""Decoding a scene's cut for the review player (Stage 12), with PyAV and no Qt.

A `Cut` is the scene's takes laid end to end. `VideoReader` gives frames as RGB arrays:
`seek(t)` is frame-accurate (from the keyframe before, decoded up to the frame that shows
at `t`), `next()` continues in order across takes. Frames come as BGRA arrays (Qt's RGB32 layout on
the little-endian machines we ship for), converted and scaled in one libswscale pass to the
size the player shows: a 4K take shown in a 1280-pixel window is never converted at 4K. `AudioReader` gives the cut's sound as
interleaved 16-bit stereo PCM at 48 kHz from any position, silence where a take has none.
Both are meant for one worker thread each; the player's clock decides which frame shows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiuteur_desktop.core.app.lazy import LazyModule

if TYPE_CHECKING:
    import av
    import numpy as np
else:  # loaded when a clip is first read, not when a page naming a Cut is imported
    av, np = LazyModule("av"), LazyModule("numpy")

RATE = 48_000
CHANNELS = 2


@dataclass(frozen=True)
class Piece:
    path: Path
    shot: str
    label: str
    start: float  # seconds into the cut
    duration: float
    fps: float
    width: int
    height: int
    audio: bool
    #: Seconds into the file where the piece begins (an editor's in-point); `duration` is
    #: how long it plays from there.
    offset: float = 0.0
    #: Lines spoken in cloud voices heard over the take: (WAV file, seconds into the clip).
    voices: tuple[tuple[Path, float], ...] = ()

    @property
    def end(self) -> float:
        return self.start + self.duration


def probe(path: Path) -> tuple[float, float, int, int, bool]:
    """(duration, fps, width, height, has audio) of a clip, from its stream headers (and a
    count of its frames when the container does not say)."""
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        fps = float(vs.average_rate or vs.guessed_rate or 24)
        frames = vs.frames
        if not frames:
            frames = sum(1 for _ in c.demux(vs))
        duration = frames / fps if frames else float(c.duration or 0) / av.time_base
        return duration, fps, vs.codec_context.width, vs.codec_context.height, bool(c.streams.audio)


class Cut:
    """The scene's takes in shot order."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self._starts = [p.start for p in pieces]

    @classmethod
    def of(cls, clips: list[tuple[Any, ...]]) -> Cut:
        """From (file, shot id, label) in order — or (file, shot id, label, in-point, length)
        in seconds, where an editor's cut plays part of a take (length None: to its end) —
        and, sixth, the lines in cloud voices over it ((WAV, seconds into the clip), …)."""
        pieces, at = [], 0.0
        for clip in clips:
            path, shot, label = clip[:3]
            first, length = (clip[3], clip[4]) if len(clip) > 3 else (0.0, None)
            voices = tuple(clip[5]) if len(clip) > 5 else ()
            duration, fps, w, h, audio = probe(path)
            offset = max(0.0, min(float(first or 0.0), duration - 1.0 / fps))
            plays = duration - offset if length is None else min(float(length), duration - offset)
            piece = Piece(Path(path), shot, label, at, plays, fps, w, h, audio, offset, voices)
            pieces.append(piece)
            at += plays
        return cls(pieces)

    @property
    def duration(self) -> float:
        return self.pieces[-1].end if self.pieces else 0.0

    @property
    def fps(self) -> float:
        return self.pieces[0].fps if self.pieces else 24.0

    @property
    def frame(self) -> float:
        """One frame's length in seconds."""
        return 1.0 / self.fps

    def index_at(self, t: float) -> int:
        """The piece showing at `t` (clamped to the cut)."""
        if not self.pieces:
            return -1
        return max(0, min(len(self.pieces) - 1, bisect.bisect_right(self._starts, t) - 1))

    def last_frame_time(self) -> float:
        return max(0.0, self.duration - self.frame)


class VideoReader:
    """Frames of a cut, in order or from any frame; BGRA arrays scaled to `width` (None: the
    take's own size). `width` may change between frames (the player's window resized)."""

    #: Four bytes a pixel: libswscale's packed-32 paths are ~2× faster than RGB24 from
    #: 4:2:0, and Qt paints Format_RGB32 without converting (benchmarks/player_bench.py).
    FORMAT = "bgra"

    def __init__(
        self, cut: Cut, *, width: int | None = None, threads: int = 0, thread_type: str = "SLICE"
    ) -> None:
        """`thread_type` "SLICE" by default: frame threading holds frames back in its
        pipeline, which on two cores made a seek about 50 % slower and playback no faster
        (benchmarks/player_bench.py); "AUTO" suits batch decoding on many cores."""
        self.cut = cut
        self.width = width
        self.threads = threads
        self.thread_type = thread_type
        self._index = -1
        self._container: Any = None
        self._frames: Any = None
        self._pending: tuple[float, np.ndarray] | None = None
        # One converter for the reader's life: `frame.to_ndarray(width=…)` builds a new
        # libswscale context (and its threads) per frame, which cost as much as decoding.
        self._scaler: Any = None

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def _open(self, index: int) -> None:
        self.close()
        piece = self.cut.pieces[index]
        self._container = av.open(str(piece.path))
        stream = self._container.streams.video[0]
        stream.thread_type = self.thread_type
        if self.threads:
            stream.codec_context.thread_count = self.threads
        self._stream = stream
        self._index = index
        self._frames = self._container.decode(stream)

    def _size(self, piece: Piece) -> tuple[int, int]:
        if not self.width or self.width >= piece.width:
            return piece.width, piece.height
        h = round(piece.height * self.width / piece.width / 2) * 2
        return self.width, max(2, h)

    def _convert(self, frame: Any, piece: Piece) -> np.ndarray:
        w, h = self._size(piece)
        # AREA when shrinking: as fast as bilinear there, and no aliasing on a 3× reduction.
        scaled = "AREA" if w < piece.width else None
        if self._scaler is None:
            self._scaler = av.video.reformatter.VideoReformatter()
        out = self._scaler.reformat(
            frame, width=w, height=h, format=self.FORMAT, interpolation=scaled
        )
        return out.to_ndarray()

    def _time(self, frame: Any) -> float:
        tb = self._stream.time_base or Fraction(1, 1)
        return float((frame.pts or 0) * tb)

    def next(self) -> tuple[float, np.ndarray] | None:
        """The next frame (its time in the cut, BGRA), or None at the end of the cut."""
        if self._pending is not None:
            out, self._pending = self._pending, None
            return out
        while True:
            if self._frames is None:
                if self._index + 1 >= len(self.cut.pieces):
                    return None
                following = self.cut.pieces[self._index + 1]
                if following.offset > 0:  # an in-point: from the frame it names
                    return self.seek(following.start)
                self._open(self._index + 1)
            try:
                frame = next(self._frames)
            except StopIteration:
                self._frames = None
                if self._index + 1 >= len(self.cut.pieces):
                    return None
                continue
            piece = self.cut.pieces[self._index]
            local = self._time(frame) - piece.offset
            if local < -0.5 / piece.fps:
                continue  # before the in-point
            if local >= piece.duration - 1e-6:
                # Past the planned end (the editor's out-point, or a longer audio track):
                # not shown, and nothing more of this file is decoded.
                self._frames = None
                continue
            return piece.start + local, self._convert(frame, piece)

    def seek(self, t: float) -> tuple[float, np.ndarray] | None:
        """The frame that shows at `t` (frame-accurate); `next()` goes on from it."""
        if not self.cut.pieces:
            return None
        t = max(0.0, min(t, self.cut.last_frame_time()))
        index = self.cut.index_at(t)
        piece = self.cut.pieces[index]
        if index != self._index or self._container is None:
            self._open(index)
        local = t - piece.start + piece.offset  # in the file
        half = 0.5 / piece.fps
        tb = self._stream.time_base or Fraction(1, 1)
        self._container.seek(max(0, int((local - half) / tb)), stream=self._stream, backward=True)
        best: tuple[float, Any] | None = None
        self._frames = self._approach(local - 4 / piece.fps)  # next() goes on with it
        for frame in self._frames:
            ft = self._time(frame)
            if ft > local + half:
                # The frame after the one wanted: keep it for next().
                if best is None:
                    best = (ft, frame)
                else:
                    at = piece.start + ft - piece.offset
                    self._pending = (at, self._convert(frame, piece))
                break
            best = (ft, frame)
        if best is None:
            return None
        return piece.start + best[0] - piece.offset, self._convert(best[1], piece)

    def _approach(self, near: float) -> Any:
        """Frames from the keyframe sought, the ones nothing refers to (B-frames) skipped
        until a few frames before `near`: a seek decodes about half the GOP."""
        ctx = self._stream.codec_context
        tb = self._stream.time_base or Fraction(1, 1)
        try:
            for packet in self._container.demux(self._stream):
                far = packet.pts is not None and float(packet.pts * tb) < near
                ctx.skip_frame = "NONREF" if far else "DEFAULT"
                try:
                    yield from packet.decode()
                except av.error.EOFError:
                    return
        finally:
            ctx.skip_frame = "DEFAULT"


class AudioReader:
    """The cut's sound as 16-bit stereo PCM at 48 kHz, silence where a take has none."""

    def __init__(self, cut: Cut) -> None:
        self.cut = cut
        self._index = -1
        self._container: Any = None
        self._frames: Any = None
        self._buffer = np.zeros((0, CHANNELS), dtype=np.int16)
        self._left = 0  # samples of the current piece still to give
        self._at = 0  # where the next sample is in the current piece's clip (samples)
        self._voices: dict[Path, np.ndarray] = {}  # the lines' sound, read once

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def seek(self, t: float) -> None:
        index = self.cut.index_at(t)
        if index >= 0:
            self._start_piece(index, max(0.0, t - self.cut.pieces[index].start))

    def _start_piece(self, index: int, local: float) -> None:
        self.close()
        self._index = index
        self._frames = None
        self._buffer = np.zeros((0, CHANNELS), dtype=np.int16)
        if index >= len(self.cut.pieces):
            self._left = 0
            return
        piece = self.cut.pieces[index]
        self._left = max(0, round(piece.duration * RATE) - round(local * RATE))
        local += piece.offset  # in the file
        self._at = round(local * RATE)
        if not piece.audio:
            return
        self._container = av.open(str(piece.path))
        stream = self._container.streams.audio[0]
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
        if local > 0:
            self._container.seek(
                int(local / (stream.time_base or Fraction(1, RATE))), stream=stream
            )
        self._skip = round(local * RATE)
        self._stream = stream
        self._frames = self._container.decode(stream)

    def _decoded(self) -> np.ndarray | None:
        """The next samples of the current piece, from the seek point on."""
        if self._frames is None:
            return None
        for frame in self._frames:
            start = round(float((frame.pts or 0) * self._stream.time_base) * RATE)
            for out in self._resampler.resample(frame):
                data = out.to_ndarray().reshape(-1, CHANNELS)
                if start + len(data) <= self._skip:
                    start += len(data)
                    continue
                cut_from = max(0, self._skip - start)
                self._skip = 0
                return data[cut_from:]
        self._frames = None
        return None

    def _with_voices(self, piece: np.ndarray) -> np.ndarray:
        """`piece` (at `_at` in its clip) with the cloud-voiced lines that fall in it."""
        lines = self.cut.pieces[self._index].voices
        if not lines:
            return piece
        mixed: np.ndarray | None = None
        for path, seconds in lines:
            voice = self._voice(path)
            start = round(seconds * RATE) - self._at
            a, b = max(0, start), min(len(piece), start + len(voice))
            if a >= b:
                continue
            if mixed is None:
                mixed = piece.astype(np.int32)
            mixed[a:b] += voice[a - start : b - start]
        return piece if mixed is None else np.clip(mixed, -32768, 32767).astype(np.int16)

    def _voice(self, path: Path) -> np.ndarray:
        """A line's WAV as stereo samples at RATE (silence when it cannot be read)."""
        if path not in self._voices:
            import wave

            from aiuteur_desktop.core.media import wav

            try:
                mono = wav.read_mono(path.read_bytes(), RATE) * 32767
                self._voices[path] = np.repeat(mono.astype(np.int32)[:, None], CHANNELS, axis=1)
            except (OSError, ValueError, EOFError, wave.Error):
                self._voices[path] = np.zeros((0, CHANNELS), dtype=np.int32)
        return self._voices[path]

    def read(self, samples: int) -> bytes:
        """The next `samples` stereo samples (fewer only at the end of the cut)."""
        if self._index < 0:
            self.seek(0.0)
        out: list[np.ndarray] = []
        need = samples
        while need > 0 and 0 <= self._index < len(self.cut.pieces):
            if self._left <= 0:
                self._start_piece(self._index + 1, 0.0)
                continue
            if not len(self._buffer):
                data = self._decoded()
                if data is None:  # no (more) sound in this take: silence to its end
                    data = np.zeros((min(self._left, need), CHANNELS), dtype=np.int16)
                self._buffer = data
            piece = self._buffer[: min(need, self._left)]
            self._buffer = self._buffer[len(piece) :]
            self._left -= len(piece)
            need -= len(piece)
            out.append(self._with_voices(piece))
            self._at += len(piece)
        if not out:
            return b""
        return np.concatenate(out).astype(np.int16).tobytes()
