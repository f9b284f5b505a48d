"""The offline path's end: every shot of the script rendered as an animatic clip, the clips
joined into one film, the editor's timelines (Resolve/Premiere XML, EDL, OTIO) pointing at
the clips under their export names (PRD §10), and printable storyboard sheets.

Clips are rendered one by one and written atomically; a cancel keeps the finished clips
and writes neither the film nor the timelines, so nothing half-made is left to import.
Rendering again into the same folder redraws only the shots that changed (a key of what
draws each clip is kept in the folder), and clips of shots the script no longer has are removed.
Every clip is drawn once per content: it lives in a shared store under the cache folder,
named by that key, and is linked (or copied) into whichever folder asks for it — the
`animatic` command, the Render Animatic window and Pro Export's stand-ins.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.files import link_or_copy
from aiuteur_desktop.core.app.progress import Step
from aiuteur_desktop.core.export import nle, storyboard_pdf
from aiuteur_desktop.core.media import transcode
from aiuteur_desktop.core.production.shots import timing as shotlist
from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.providers.offline import animatic, panels, tts
from aiuteur_desktop.providers.offline.provider import ENGINE_VERSION

TIMELINE_FORMATS = (".xml", ".edl", ".otio")


@dataclass(frozen=True)
class ReelClip:
    shot: Shot
    name: str
    path: Path
    frames: int


@dataclass(frozen=True)
class Reel:
    """What was written: the clips, the whole film and the timelines."""

    clips: tuple[ReelClip, ...]
    film: Path
    timelines: tuple[Path, ...]
    seconds: float
    speech: bool
    fps: int = 24
    missing_keys: tuple[str, ...] = field(default=())
    #: Clips kept from an earlier render because nothing that draws them changed.
    reused: int = 0
    #: The storyboard sheets (six panels to a page), when asked for.
    storyboard: Path | None = None
    #: Clips transcoded to an editor's codec by this render (the rest were before).
    transcoded: int = 0


def _render_key(spec: ShotSpec, engine: tts.Engine | None) -> str:
    """Everything a clip's pixels and sound depend on, so an unchanged shot is not redrawn."""
    files = {}
    for f in [c.image for c in spec.characters if c.image] + [spec.location_image or ""]:
        if f and Path(f).is_file():
            st = Path(f).stat()
            files[f] = [st.st_size, st.st_mtime_ns]
    blob = {
        # (without voices when none is chosen: clips drawn before voices existed still count)
        "spec": spec.model_dump(mode="json", exclude=None if spec.voices else {"voices"}),
        "files": files,
        "voice": engine.command if engine else None,
        "engine": ENGINE_VERSION,
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()


MANIFEST = ".aiuteur-animatic.json"


def _load_manifest(out_dir: Path) -> dict[str, str]:
    """Clip name → the key it was drawn with, from the last render into this folder."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    keys = data.get("clips") if isinstance(data, dict) else None
    return {k: v for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {}


def _save_manifest(out_dir: Path, keys: dict[str, str]) -> None:
    tmp = out_dir / f"{MANIFEST}.part"
    tmp.write_text(json.dumps({"clips": keys}, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(out_dir / MANIFEST)


def _stored(key: str) -> Path:
    """Where the clip drawn with `key` lives in the shared store."""
    return paths.cache_dir() / "animatic-clips" / key[:2] / f"{key}.mp4"


def _remove_stale(folder: Path, prefix: str, keep: set[Path]) -> None:
    """Clips of shots the script no longer has (or in another codec than this render's), so
    the folder matches the timeline."""
    suffixes = {c.suffix for c in transcode.CODECS.values()}
    for old in folder.glob(f"{prefix}_Sc*_Shot*_v*.*"):
        if old.suffix in suffixes and old not in keep:
            old.unlink(missing_ok=True)


def _in_codec(
    clips: Sequence[ReelClip],
    how: transcode.Codec,
    progress: Callable[[float], None] | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[list[ReelClip], int]:
    """The clips in an editor's codec beside the drawn ones (transcoded once per drawing,
    in the shared store), for the timelines to point at."""
    try:
        coded = transcode.Store().ensure(
            [c.path for c in clips], how, progress=progress, cancelled=cancelled
        )
    except transcode.Cancelled:
        raise animatic.Cancelled() from None
    out = []
    for clip, made in zip(clips, coded, strict=True):
        target = clip.path.with_suffix(how.suffix)
        link_or_copy(made.path, target)
        out.append(ReelClip(clip.shot, clip.name, target, made.frames))
    return out, sum(1 for m in coded if m.transcoded)


def _clip_audio(source: av.container.InputContainer, samples: int) -> np.ndarray:
    """The clip's sound as mono float samples, cut or padded to exactly `samples`."""
    parts = [f.to_ndarray().reshape(-1) for f in source.decode(audio=0)]
    sound = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
    return np.pad(sound[:samples], (0, max(0, samples - len(sound))))


def _join(clips: Sequence[ReelClip], fps: int, out: Path) -> None:
    """One film from the clips: picture packets copied as they are (no re-encode), sound
    decoded and re-encoded as one stream cut to each clip's picture so the two never drift."""
    tmp = out.with_name(f".{out.name}.part")
    rate = tts.SAMPLE_RATE
    with av.open(str(clips[0].path)) as first:
        target = av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            video = target.add_stream_from_template(first.streams.video[0])
            audio = target.add_stream("aac", rate=rate, layout="mono")
            chunk = audio.codec_context.frame_size or 1024
            frames_done, pending, sent = 0, np.zeros(0, np.float32), 0
            for clip in clips:
                with av.open(str(clip.path)) as source:
                    stream = source.streams.video[0]
                    shift = round(frames_done / fps / stream.time_base)
                    for packet in source.demux(stream):
                        if packet.dts is None or packet.size == 0:
                            continue
                        packet.pts = (packet.pts or 0) + shift
                        packet.dts += shift
                        packet.stream = video
                        target.mux(packet)
                    source.seek(0)
                    samples = round(clip.frames / fps * rate)
                    pending = np.concatenate([pending, _clip_audio(source, samples)])
                frames_done += clip.frames
                # Whole encoder frames now; the rest waits for the next clip's sound.
                whole = len(pending) - len(pending) % chunk
                sent = animatic.encode_samples(target, audio, pending[:whole], sent)
                pending = pending[whole:]
            animatic.encode_samples(target, audio, pending, sent)
            for packet in audio.encode():
                target.mux(packet)
            target.close()
        except BaseException:
            target.close()
            tmp.unlink(missing_ok=True)
            raise
    tmp.replace(out)


def _trimmed(source: Path, target: Path, first: int, frames: int, fps: int) -> None:
    """Frames [first, first + frames) of an animatic clip as a clip of their own, encoded as
    the engine encodes (so the film's join can copy it like the others) — an editor's trim
    cannot be cut out of an H.264 stream without encoding it again."""
    rate = tts.SAMPLE_RATE
    with av.open(str(source)) as src:
        stream = src.streams.video[0]
        pictures = []
        for n, frame in enumerate(src.decode(stream)):
            if n >= first + frames:
                break
            if n >= first:
                pictures.append(frame.to_ndarray(format="yuv420p"))
        src.seek(0)
        sound = _clip_audio(src, round((first + frames) / fps * rate))[round(first / fps * rate) :]
        width, height = stream.codec_context.width, stream.codec_context.height
    if not pictures:
        raise nle.NleError(f"{source.name} has no frame {first}: the cut's trim is past its end.")
    out = av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "20"}
        aus = out.add_stream("aac", rate=rate, layout="mono")
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(pictures[min(i, len(pictures) - 1)], "yuv420p")
            frame.pts = i
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        animatic.encode_samples(out, aus, sound, 0)
        for packet in aus.encode():
            out.mux(packet)
    finally:
        out.close()


@dataclass
class Clips:
    """The shots rendered as animatic clips, one file each (`render_clips`)."""

    clips: list[ReelClip]
    size: tuple[int, int]
    speech: bool
    missing_keys: list[str]
    reused: int
    specs: list[ShotSpec]


def render_clips(
    shots: Sequence[Shot],
    out_dir: Path,
    *,
    title: str,
    width: int = 1280,
    fps: int = 24,
    speech: bool = True,
    images: dict[str, Path] | None = None,
    locations: dict[str, Path] | None = None,
    voices: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Clips:
    """Every shot as out_dir/clips/<export name>.mp4, drawing only the shots whose drawing
    is in no folder and not in the shared store yet. `on_step` hears which shot is next.
    Raises animatic.Cancelled when cancelled."""
    out_dir = Path(out_dir)
    images, locations = images or {}, locations or {}
    engine = tts.available() if speech else None
    total = sum(s.duration for s in shots) or 1.0
    done = 0.0
    made = Clips([], (width, width * 9 // 16), engine is not None, [], 0, [])
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = _load_manifest(out_dir)
    for n, shot in enumerate(shots):
        if on_step is not None:
            on_step(Step(n, len(shots), f"Shot {shot.label}"))
        spec = shotlist.to_spec(
            shot,
            width=width,
            fps=fps,
            images=images,
            location_image=locations.get(shot.place),
            voices=voices,
        )
        made.specs.append(spec)
        made.size = spec.size
        made.missing_keys.extend(
            c.name for c in spec.characters if c.image is None and c.name not in made.missing_keys
        )
        name = shotlist.clip_name(title, shot)
        path = out_dir / "clips" / f"{name}.mp4"
        key = _render_key(spec, engine)
        stored = _stored(key)
        if path.is_file() and keys.get(name) == key:
            made.reused += 1
            frames = spec.frame_count
        elif stored.is_file():  # drawn before, for this folder or another
            keys.pop(name, None)
            link_or_copy(stored, path)
            keys[name] = key
            _save_manifest(out_dir, keys)
            made.reused += 1
            frames = spec.frame_count
        else:
            keys.pop(name, None)
            stored.parent.mkdir(parents=True, exist_ok=True)
            info = animatic.render_clip(
                spec,
                stored,
                speech=engine is not None,
                engine=engine,
                progress=(lambda f, d=done, s=shot.duration: progress((d + f * s) / total))
                if progress
                else None,
                cancelled=cancelled,
            )
            link_or_copy(stored, path)
            keys[name] = key
            _save_manifest(out_dir, keys)
            frames = info.frames
        made.clips.append(ReelClip(shot, name, path, frames))
        done += shot.duration
        if progress:
            progress(done / total)
    if cancelled and cancelled():
        raise animatic.Cancelled()
    return made


def render_reel(
    shots: Sequence[Shot],
    out_dir: Path,
    *,
    title: str,
    width: int = 1280,
    fps: int = 24,
    speech: bool = True,
    images: dict[str, Path] | None = None,
    locations: dict[str, Path] | None = None,
    voices: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    storyboard: bool = True,
    on_step: Callable[[Step], None] | None = None,
    trims: Sequence[tuple[int, int]] | None = None,
    codec: str = "source",
) -> Reel:
    """Render every shot into out_dir/clips, join them into out_dir/<Title>_animatic.mp4 and
    write the timelines beside it. `trims`: per shot, the editor's cut's in-point and length
    in frames (length 0: the whole shot) — the film and the timelines follow them, the clips
    stay whole. `codec` (`transcode.CODECS`): the clips the timelines point at, as drawn
    (H.264/AAC) or in an editor's codec; the film stays H.264, for watching. Raises
    animatic.Cancelled when cancelled."""
    if not shots:
        raise nle.NleError("There are no shots to render: the script has no scenes.")
    how = transcode.codec(codec)
    drawing = 0.6 if how.transcodes else 0.97
    out_dir = Path(out_dir)
    made = render_clips(
        shots,
        out_dir,
        title=title,
        width=width,
        fps=fps,
        speech=speech,
        images=images,
        locations=locations,
        voices=voices,
        progress=(lambda f: progress(drawing * f)) if progress else None,
        cancelled=cancelled,
        on_step=on_step,
    )
    if on_step is not None:
        on_step(Step(len(shots), len(shots), "Joining the film, writing the timelines"))
    clips, frame_size, missing, reused = made.clips, made.size, made.missing_keys, made.reused
    boards: list[storyboard_pdf.Panel] = []
    if storyboard:
        for spec in made.specs:
            # Panels print a third of a page wide: drawn at that size, captioned as text.
            small = spec.model_copy(update={"width": storyboard_pdf.PANEL_PX})
            boards.append(
                storyboard_pdf.Panel.of(
                    panels.render_board_frame(small), small.shot, storyboard_pdf.caption_for(spec)
                )
            )
    prefix = shotlist.clip_name(title, shots[0]).split("_Sc")[0]
    stem = f"{prefix}_animatic"
    film = out_dir / f"{stem}.mp4"
    cuts = [(0, 0)] * len(clips) if trims is None else list(trims)
    spans = [
        (min(first, c.frames - 1), min(frames or c.frames, c.frames - min(first, c.frames - 1)))
        for c, (first, frames) in zip(clips, cuts, strict=True)
    ]
    work = out_dir / ".trims"
    joined: list[ReelClip] = []
    try:
        for c, (first, frames) in zip(clips, spans, strict=True):
            if first == 0 and frames == c.frames:
                joined.append(c)
                continue
            work.mkdir(exist_ok=True)
            piece = work / f"{c.name}.mp4"
            _trimmed(c.path, piece, first, frames, fps)
            joined.append(ReelClip(c.shot, c.name, piece, frames))
        _join(joined, fps, film)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    transcoded = 0
    if how.transcodes:
        if on_step is not None:
            on_step(Step(len(shots), len(shots), f"Transcoding the clips to {how.label}"))
        clips, transcoded = _in_codec(
            clips,
            how,
            (lambda f: progress(drawing + (0.97 - drawing) * f)) if progress else None,
            cancelled,
        )
    start = round(transcode.START_HOUR * 3600 * fps) if how.transcodes else 0
    timeline = nle.build(
        f"{title} — Animatic",
        [
            nle.TimelineClip(
                name=c.name,
                path=c.path,
                frames=frames,
                scene=c.shot.scene_label,
                shot=c.shot.label,
                heading=c.shot.heading,
                dialogue=c.shot.said(),
                transition=c.shot.transition,
                first=first,
                available=c.frames,
                timecode=start,
            )
            for c, (first, frames) in zip(clips, spans, strict=True)
        ],
        fps=fps,
        size=frame_size,
        sample_rate=tts.SAMPLE_RATE,
        sample_depth=how.sample_depth,
    )
    written = tuple(nle.write(timeline, out_dir / f"{stem}{ext}") for ext in TIMELINE_FORMATS)
    sheets = None
    if boards:
        sheets = out_dir / f"{prefix}_storyboard.pdf"
        storyboard_pdf.write_storyboard(sheets, title, boards)
    _remove_stale(out_dir / "clips", prefix, {c.path for c in clips})
    keys = _load_manifest(out_dir)
    _save_manifest(out_dir, {c.name: keys[c.name] for c in clips if c.name in keys})
    if progress:
        progress(1.0)
    return Reel(
        clips=tuple(clips),
        film=film,
        timelines=written,
        seconds=sum(frames for _first, frames in spans) / fps,
        speech=made.speech,
        fps=fps,
        missing_keys=tuple(missing),
        reused=reused,
        storyboard=sheets,
        transcoded=transcoded,
    )
