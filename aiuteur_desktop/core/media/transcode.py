"""Editors' codecs (issue "Pro Export in an editor's codec"): a take or an animatic clip as
ProRes 422 HQ or DNxHR HQ, with its sound as PCM 48 kHz 24-bit and a timecode track starting
at 01:00:00:00 (where the editor's timelines start), for editors that cannot read H.264/AAC
(DaVinci Resolve on Linux reads no AAC; its free edition there decodes no H.264).

`transcode` writes one file through a hidden name, removed on failure or cancel, so a file
under the real name is always whole. `Store` keeps each transcode by the SHA-256 of what it
was made from and how: unchanged takes are never transcoded again, and a copy into an export
folder is a hard link (no space) where the disk allows. Transcodes run in parallel, one file
per core — PyAV lets go of the GIL while FFmpeg decodes and encodes.

ProRes is written by FFmpeg's `prores` encoder (profile HQ, `apch`): several times faster
here than `prores_ks`, whose rate search buys nothing for an 8-bit H.264 source. DNxHR HQ
(8-bit 4:2:2) is resolution-independent, so a vertical 9:16 take or a 4K one is written as
it is, where DNxHD has profiles only for 1080 and 720 frames.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.files import sha256_of, write_atomically
from aiuteur_desktop.core.app.lazy import LazyModule
from aiuteur_desktop.core.errors import AiuteurError

if TYPE_CHECKING:
    import av
    import numpy as np
else:  # loaded when a transcode runs, not when a dialog naming the codecs is imported
    av, np = LazyModule("av"), LazyModule("numpy")

#: Editorial convention, as the timelines (`export/nle.py`): sources start at 01:00:00:00.
START_HOUR = 1
TIMECODE = f"{START_HOUR:02d}:00:00:00"
SAMPLE_RATE = 48_000
#: Bumped whenever what a transcode writes changes: earlier transcodes are not reused.
RECIPE = 1
#: How much the store keeps of transcodes no export folder links to any more.
KEEP_BYTES = 20 * 2**30


class TranscodeError(AiuteurError):
    """A clip cannot be transcoded as asked."""


class Cancelled(Exception):
    """The user stopped the transcode; nothing of it was left behind."""


@dataclass(frozen=True)
class Codec:
    """What an export's clips are written as."""

    key: str
    label: str  # what the Export dialogs offer
    encoder: str = ""  # "" — the file as rendered, copied
    options: tuple[tuple[str, str], ...] = ()
    pix_fmt: str = ""
    suffix: str = ".mp4"
    wrapper: str = "mp4"
    profile: str = ""  # as PyAV reads it back ("HQ", "DNXHR HQ")
    audio: str = "as rendered"
    note: str = ""  # who it is for, in a line

    @property
    def transcodes(self) -> bool:
        return bool(self.encoder)

    @property
    def sample_depth(self) -> int:
        return 24 if self.transcodes else 16

    def describe(self) -> dict[str, Any]:
        """The manifest's words for it."""
        return {
            "key": self.key,
            "name": self.label,
            "container": self.wrapper,
            "video": self.profile or "as rendered",
            "audio": self.audio,
            "timecode": TIMECODE if self.transcodes else None,
        }


_PCM = "PCM 48 kHz 24-bit"
CODECS: dict[str, Codec] = {
    c.key: c
    for c in (
        Codec(
            "source",
            "As rendered — H.264 + AAC (.mp4)",
            note="Smallest, never re-encoded: Premiere, Final Cut and Resolve on macOS and "
            "Windows read it.",
        ),
        Codec(
            "prores",
            "ProRes 422 HQ + PCM (.mov)",
            "prores",
            (("profile", "3"),),
            "yuv422p10le",
            ".mov",
            "mov",
            "HQ",
            _PCM,
            note="Every editor on every system, Resolve on Linux included; the choice for "
            "Final Cut Pro.",
        ),
        Codec(
            "dnxhr",
            "DNxHR HQ + PCM (.mov)",
            "dnxhd",
            (("profile", "dnxhr_hq"),),
            "yuv422p",
            ".mov",
            "mov",
            "DNXHR HQ",
            _PCM,
            note="Every editor on every system, Resolve on Linux included.",
        ),
        Codec(
            "dnxhr-mxf",
            "DNxHR HQ + PCM (.mxf)",
            "dnxhd",
            (("profile", "dnxhr_hq"),),
            "yuv422p",
            ".mxf",
            "mxf",
            "DNXHR HQ",
            _PCM,
            note="DNxHR in MXF, as Avid Media Composer and Resolve take it.",
        ),
    )
}
SOURCE = CODECS["source"]


def codec(key: str) -> Codec:
    """The codec named `key`; a sentence naming the choices otherwise."""
    try:
        return CODECS[key]
    except KeyError:
        raise TranscodeError(
            f"There is no codec “{key}”: choose one of {', '.join(CODECS)}."
        ) from None


@dataclass(frozen=True)
class Written:
    """What one transcode wrote."""

    frames: int
    fps: float
    width: int
    height: int


def transcode(
    source: Path,
    target: Path,
    how: Codec,
    *,
    threads: int = 0,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Written:
    """`source` (any clip PyAV reads) as `target` in `how`: every picture, sound resampled to
    48 kHz 24-bit PCM and cut or padded to the picture's length (silence where the clip has
    none), timecode from 01:00:00:00. Raises Cancelled or TranscodeError; either way nothing
    is left at `target` or beside it."""
    if not how.transcodes:
        raise TranscodeError(f"{how.label} is a copy, not a transcode.")
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        wrote = _write(Path(source), tmp, how, threads, progress, cancelled)
        tmp.replace(target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, av.FFmpegError):
            raise TranscodeError(f"{Path(source).name} cannot be transcoded: {exc}") from None
        if isinstance(exc, OSError):
            raise TranscodeError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return wrote


def _write(
    source: Path,
    tmp: Path,
    how: Codec,
    threads: int,
    progress: Callable[[float], None] | None,
    cancelled: Callable[[], bool] | None,
) -> Written:
    with av.open(str(source)) as src:
        if not src.streams.video:
            raise TranscodeError(f"{source.name} has no picture to transcode.")
        vin = src.streams.video[0]
        vin.thread_type = "AUTO"
        vin.thread_count = threads
        ain = src.streams.audio[0] if src.streams.audio else None
        rate = Fraction(vin.average_rate or vin.guessed_rate or 24).limit_denominator(1001)
        expected = vin.frames or max(1, round(float((src.duration or 0) / 1e6) * rate))
        width, height = vin.codec_context.width, vin.codec_context.height
        layout = (
            "stereo" if ain is not None and ain.codec_context.layout.nb_channels > 1 else "mono"
        )
        out: Any = av.open(str(tmp), "w", format=how.wrapper)
        try:
            out.metadata["timecode"] = TIMECODE
            vs = out.add_stream(how.encoder, rate=rate)
            vs.width, vs.height, vs.pix_fmt = width, height, how.pix_fmt
            vs.options = dict(how.options)
            vs.thread_count = threads
            vs.metadata["timecode"] = TIMECODE
            sound = _Sound(out, layout, limit=round(expected / rate * SAMPLE_RATE))
            frames = 0
            step = Fraction(rate.denominator, rate.numerator)
            packet: Any
            for packet in src.demux(*([vin, ain] if ain is not None else [vin])):
                for frame in packet.decode():
                    if isinstance(frame, av.AudioFrame):
                        sound.add(frame)
                        continue
                    if cancelled is not None and cancelled():
                        raise Cancelled()
                    picture = frame.reformat(format=how.pix_fmt)
                    picture.pts, picture.time_base = frames, step
                    for encoded in vs.encode(picture):
                        out.mux(encoded)
                    frames += 1
                    if progress is not None:
                        progress(min(1.0, frames / expected))
            for encoded in vs.encode():
                out.mux(encoded)
            if frames == 0:
                raise TranscodeError(f"{source.name} has no picture to transcode.")
            sound.finish(round(frames / rate * SAMPLE_RATE))
        finally:
            out.close()
    return Written(frames, float(rate), width, height)


class _Sound:
    """The clip's sound as 24-bit PCM at 48 kHz, no longer than the picture."""

    def __init__(self, out: Any, layout: str, *, limit: int) -> None:
        self.out, self.layout, self.limit = out, layout, limit
        self.stream = out.add_stream("pcm_s24le", rate=SAMPLE_RATE, layout=layout)
        self.resampler = av.AudioResampler(format="s32", layout=layout, rate=SAMPLE_RATE)
        self.written = 0

    def add(self, frame: Any) -> None:
        frame.pts = None  # resampled in order: the source's timestamps are not needed
        for part in self.resampler.resample(frame):
            self._encode(part)

    def _encode(self, frame: Any) -> None:
        room = self.limit - self.written
        if room <= 0:
            return
        if frame.samples > room:
            frame = self._frame(frame.to_ndarray()[:, : room * len(frame.layout.channels)])
        frame.pts = self.written
        frame.time_base = Fraction(1, SAMPLE_RATE)
        self.written += frame.samples
        for encoded in self.stream.encode(frame):
            self.out.mux(encoded)

    def _frame(self, samples: np.ndarray) -> Any:
        frame = av.AudioFrame.from_ndarray(samples, format="s32", layout=self.layout)
        frame.sample_rate = SAMPLE_RATE
        return frame

    def finish(self, total: int) -> None:
        """Whatever the resampler holds, then silence up to `total` samples."""
        for part in self.resampler.resample(None):
            self._encode(part)
        self.limit = total
        channels = 2 if self.layout == "stereo" else 1
        while self.written < total:
            n = min(SAMPLE_RATE // 10, total - self.written)
            self._encode(self._frame(np.zeros((1, n * channels), np.int32)))
        for encoded in self.stream.encode():
            self.out.mux(encoded)


@dataclass(frozen=True)
class Made:
    """One clip in an editor's codec, as the store holds it."""

    path: Path
    sha256: str  # of the transcoded file
    source_sha256: str
    frames: int
    fps: float
    width: int
    height: int
    transcoded: bool  # made now (False: an earlier transcode reused)


class Store:
    """Transcodes by content: <cache>/transcodes/ab/<key><suffix> with a `<key>.json` beside
    it (the file's hash, its frames and size), the key being the SHA-256 of the source's
    content, the codec and the recipe."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or paths.cache_dir() / "transcodes"

    def key(self, source_sha256: str, how: Codec) -> str:
        import hashlib

        blob = f"{source_sha256}:{how.key}:{how.options}:{how.pix_fmt}:{TIMECODE}:{RECIPE}"
        return hashlib.sha256(blob.encode()).hexdigest()

    def _paths(self, key: str, how: Codec) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}{how.suffix}", folder / f"{key}.json"

    def _known(self, key: str, how: Codec, source_sha256: str) -> Made | None:
        media, record = self._paths(key, how)
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            if media.stat().st_size != data["size"]:
                return None
            os.utime(media)  # used: the last to go when the store is trimmed
            return Made(
                media,
                str(data["sha256"]),
                source_sha256,
                int(data["frames"]),
                float(data["fps"]),
                int(data["width"]),
                int(data["height"]),
                False,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def ensure(
        self,
        sources: Sequence[Path],
        how: Codec,
        *,
        workers: int | None = None,
        known: Sequence[str | None] | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[Made]:
        """Each source in `how`, transcoding only what the store does not hold yet, up to
        `workers` at a time (the cores). `known`: each source's SHA-256 where the caller has
        it (a take's media id is its hash), read from the file otherwise. Progress is
        reported from this thread, which also waits; a cancel or a failure stops every
        transcode and leaves no partial file."""
        given = list(known) if known is not None else [None] * len(sources)
        hashes = [h or sha256_of(Path(s)) for s, h in zip(sources, given, strict=True)]
        keys = [self.key(h, how) for h in hashes]
        found: dict[str, Made] = {}
        todo: dict[str, tuple[Path, str]] = {}
        for source, sha, key in zip(sources, hashes, keys, strict=True):
            if key in found or key in todo:
                continue
            held = self._known(key, how, sha)
            if held is not None:
                found[key] = held
            else:
                todo[key] = (Path(source), sha)
        if todo:
            found |= self._run(todo, how, workers, progress, cancelled)
        if progress is not None:
            progress(1.0)
        self.trim()
        return [found[k] for k in keys]

    def _run(
        self,
        todo: dict[str, tuple[Path, str]],
        how: Codec,
        workers: int | None,
        progress: Callable[[float], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> dict[str, Made]:
        cores = os.cpu_count() or 1
        workers = max(1, min(workers or cores, len(todo)))
        threads = max(1, cores // workers)  # a lone transcode uses every core
        done = dict.fromkeys(todo, 0.0)
        stop = threading.Event()

        def halted() -> bool:
            return stop.is_set() or (cancelled is not None and cancelled())

        def one(key: str) -> Made:
            source, sha = todo[key]
            media, record = self._paths(key, how)

            def moved(f: float, key: str = key) -> None:
                done[key] = f

            wrote = transcode(source, media, how, threads=threads, progress=moved, cancelled=halted)
            digest = sha256_of(media)
            data = {
                "sha256": digest,
                "size": media.stat().st_size,
                "source_sha256": sha,
                "codec": how.key,
                "frames": wrote.frames,
                "fps": wrote.fps,
                "width": wrote.width,
                "height": wrote.height,
            }
            write_atomically(record, lambda tmp: tmp.write_text(json.dumps(data), "utf-8"))
            return Made(
                media, digest, sha, wrote.frames, wrote.fps, wrote.width, wrote.height, True
            )

        out: dict[str, Made] = {}
        with concurrent.futures.ThreadPoolExecutor(workers, "transcode") as pool:
            running = {pool.submit(one, key): key for key in todo}
            failure: BaseException | None = None
            pending = set(running)
            try:
                while pending:
                    finished, pending = concurrent.futures.wait(pending, timeout=0.2)
                    for future in finished:
                        try:
                            out[running[future]] = future.result()
                        except BaseException as exc:  # the first failure stops the others
                            stop.set()
                            failure = failure or exc
                    if cancelled is not None and cancelled():
                        stop.set()
                    if progress is not None:
                        progress(sum(done.values()) / len(done))
            except BaseException:  # Ctrl+C in the command line: the workers stop too
                stop.set()
                raise
        if failure is not None:
            raise failure
        if cancelled is not None and cancelled():
            raise Cancelled()
        return out

    def trim(self, keep: int = KEEP_BYTES) -> None:
        """The oldest-used transcodes no export folder links to, removed until what is left
        of those fits in `keep` bytes (a linked one costs the store nothing)."""
        loose: list[tuple[float, int, Path]] = []
        for media in self.root.glob("*/*"):
            if media.suffix == ".json" or media.name.startswith("."):
                continue
            try:
                st = media.stat()
            except OSError:
                continue
            if st.st_nlink == 1:
                loose.append((st.st_mtime, st.st_size, media))
        total = sum(size for _t, size, _p in loose)
        for _mtime, size, media in sorted(loose):
            if total <= keep:
                break
            media.unlink(missing_ok=True)
            media.with_suffix(".json").unlink(missing_ok=True)
            total -= size
