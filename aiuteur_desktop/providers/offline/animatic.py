"""Offline animatic engine: a real H.264/AAC .mp4 per shot, written with PyAV.

A virtual camera moves over the storyboard canvas (Ken Burns push/pull/pan/tilt/
track), dissolving between start and end frames when they differ; dialogue is
burned in as subtitles timed by words per second, and spoken as scratch
dialogue by the OS speech engine, one voice per character (silence when the
machine has none).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.production.shots.timing import MIN_LINE
from aiuteur_desktop.core.production.shots.timing import SPEECH_WORDS_PER_SECOND as WORDS_PER_SECOND
from aiuteur_desktop.providers.offline import drawing, panels, tts

LEAD_IN = 0.3
GAP = 0.25


#: The render was cancelled; nothing was written (the drawing process's own, so it crosses).
Cancelled = drawing.Cancelled


@dataclass(frozen=True)
class Cue:
    character: str
    text: str
    start: float
    end: float
    voice: int
    pitch: int | None = None  # None: the voice's own
    speed: int | None = None  # None: the engine's pace


@dataclass(frozen=True)
class ClipInfo:
    path: Path
    frames: int
    width: int
    height: int
    fps: int
    duration: float
    speech: bool
    cues: tuple[Cue, ...] = field(default=())


def plan_dialogue(spec: ShotSpec, speech_seconds: list[float | None] | None = None) -> list[Cue]:
    """When each line is on screen: reading speed or the spoken length, squeezed to fit the shot."""
    # The voices chosen in Stage 5 first; a speaker left to the name's voice avoids them.
    taken: dict[str, int] = {name: v.slot for name, v in spec.voices.items() if v.slot is not None}
    wanted = []
    for i, line in enumerate(spec.dialogue):
        words = len(line.text.split())
        spoken = (speech_seconds or [None] * len(spec.dialogue))[i]
        wanted.append(max(words / WORDS_PER_SECOND, (spoken or 0) + 0.15, MIN_LINE))
        name = _name(line.character)
        if name not in taken:
            taken[name] = tts.voice_index(name, set(taken.values()))
    if not wanted:
        return []
    gaps = GAP * (len(wanted) - 1)
    room = max(0.1, spec.duration - LEAD_IN - gaps - 0.15)
    squeeze = min(1.0, room / sum(wanted))
    cues, t = [], min(LEAD_IN, spec.duration * 0.05)
    for line, length in zip(spec.dialogue, wanted, strict=True):
        end = min(spec.duration, t + length * squeeze)
        name = _name(line.character)
        chosen = spec.voices.get(name)
        cues.append(
            Cue(
                name,
                line.text,
                t,
                end,
                taken[name],
                chosen.pitch if chosen else None,
                chosen.speed if chosen else None,
            )
        )
        t = end + GAP * squeeze
    return cues


def _name(character: str) -> str:
    return " ".join(character.upper().split())


def _subtitle(cue: Cue, size: tuple[int, int]) -> tuple[int, int, np.ndarray, np.ndarray]:
    """A subtitle as (x, y, rgb, alpha) arrays, drawn once and blended into every frame it spans."""
    w, h = size
    f = panels.font(max(12, round(h * 0.042)))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines = panels.wrap(probe, f"{cue.character}: {cue.text}", f, w * 0.8)[:3]
    line_h = round(h * 0.055)
    widths = [probe.textlength(line, font=f) for line in lines]
    pad = round(h * 0.015)
    bw, bh = int(max(widths) + 2 * pad * 2), int(line_h * len(lines) + 2 * pad)
    img = Image.new("RGBA", (bw, bh), (0, 0, 0, 150))
    draw = ImageDraw.Draw(img)
    for i, (line, lw) in enumerate(zip(lines, widths, strict=True)):
        draw.text(
            ((bw - lw) / 2, pad + i * line_h),
            line,
            font=f,
            fill=(255, 255, 255, 255),
            stroke_width=1,
            stroke_fill=(0, 0, 0, 255),
        )
    arr = np.asarray(img, dtype=np.float32)
    x, y = (w - bw) // 2, h - bh - round(h * 0.06)
    return x, y, arr[..., :3], arr[..., 3:4] / 255.0


def _rgba(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2RGBA)


def _smooth(t: float) -> float:
    return t * t * (3 - 2 * t)


def _place(image: Image.Image, spec: ShotSpec, cv: panels.Canvas) -> np.ndarray:
    """A user's frame fitted to the frame area of a canvas; the margin a move may reveal is
    the same picture enlarged, blurred and darkened — never a mirror of it (mirrored edges
    put back-to-front copies of its name tags and captions on screen)."""
    fw, fh = round(cv.fw), round(cv.fh)
    rgb = image.convert("RGB")
    fitted = rgb.resize((fw, fh), Image.Resampling.LANCZOS)
    around = rgb.resize((cv.w, cv.h), Image.Resampling.BILINEAR)
    around = around.filter(ImageFilter.GaussianBlur(max(2.0, cv.fh * 0.04)))
    around = Image.blend(around, Image.new("RGB", around.size, (12, 12, 14)), 0.35)
    around.paste(fitted, ((cv.w - fw) // 2, (cv.h - fh) // 2))
    return cv2.cvtColor(np.asarray(around), cv2.COLOR_RGB2RGBA)


def _camera(spec: ShotSpec, t: float) -> tuple[float, float, float]:
    (x0, y0, z0), (x1, y1, z1) = panels.MOVES[spec.move]
    e = _smooth(t)
    zoom = math.exp(math.log(z0) + (math.log(z1) - math.log(z0)) * e)
    return x0 + (x1 - x0) * e, y0 + (y1 - y0) * e, zoom


def _relative(
    camera: tuple[float, float, float], rest: tuple[float, float, float]
) -> tuple[float, float, float]:
    """The camera seen from a frame drawn at `rest`: identity when it is there."""
    return camera[0] - rest[0], camera[1] - rest[1], camera[2] / rest[2]


def _mix_speech(spec: ShotSpec, cues: list[Cue], voices: list[np.ndarray | None]) -> np.ndarray:
    total = round(spec.duration * tts.SAMPLE_RATE)
    track = np.zeros(total, dtype=np.float32)
    for i, (cue, samples) in enumerate(zip(cues, voices, strict=True)):
        if samples is None:
            continue
        start = int(cue.start * tts.SAMPLE_RATE)
        stop = total if i + 1 == len(cues) else int(cues[i + 1].start * tts.SAMPLE_RATE)
        piece = samples[: max(0, min(len(samples), stop - start))]
        fade = min(len(piece), tts.SAMPLE_RATE // 100)
        if fade:
            piece = piece.copy()
            piece[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
        track[start : start + len(piece)] += piece * 0.9
    return np.clip(track, -1, 1)


def encode_samples(
    container: av.container.OutputContainer, stream: av.AudioStream, samples: np.ndarray, pts: int
) -> int:
    """Encode mono float samples starting at `pts` in the encoder's frame size (a short last
    frame is padded with silence) and mux them; returns the pts after them."""
    chunk = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), chunk):
        piece = samples[start : start + chunk]
        if len(piece) < chunk:
            piece = np.pad(piece, (0, chunk - len(piece)))
        frame = av.AudioFrame.from_ndarray(piece[None, :], format="fltp", layout="mono")
        frame.sample_rate = stream.codec_context.sample_rate
        frame.pts = pts + start
        for packet in stream.encode(frame):
            container.mux(packet)
    return pts + -(-len(samples) // chunk) * chunk


def speech_track(spec: ShotSpec, engine: tts.Engine | None) -> tuple[list[Cue], np.ndarray, bool]:
    """The shot's scratch dialogue: its cues (timed to the voices), the mixed mono samples at
    `tts.SAMPLE_RATE`, the shot's length (silence without an engine), and whether any line
    was spoken."""
    lines = [d.text for d in spec.dialogue]
    first_cues = plan_dialogue(spec)
    voices = [
        tts.speak(text, cue.voice, engine, pitch=cue.pitch, speed=cue.speed) if engine else None
        for text, cue in zip(lines, first_cues, strict=True)
    ]
    cues = plan_dialogue(spec, [None if v is None else len(v) / tts.SAMPLE_RATE for v in voices])
    return cues, _mix_speech(spec, cues, voices), any(v is not None for v in voices)


def render_clip(
    spec: ShotSpec,
    out: Path,
    *,
    speech: bool = True,
    engine: tts.Engine | None = None,
    **options: Any,
) -> ClipInfo:
    """Write the shot's animatic to `out` (atomically: a temp file renamed at the end),
    drawn in the drawing process (`drawing.call`) — the speech engine is found here. The
    options are `_render_clip`'s: start and end images, progress, cancelled, preset, slate
    (a small caption in the top-left corner for the whole clip, "TAKE 2")."""
    engine = engine if engine is not None else (tts.available() if speech else None)
    return drawing.call(  # type: ignore[no-any-return]
        _render_clip, spec, Path(out), speech=engine is not None, engine=engine, **options
    )


def _render_clip(
    spec: ShotSpec,
    out: Path,
    *,
    start_image: Image.Image | None = None,
    end_image: Image.Image | None = None,
    speech: bool = True,
    engine: tts.Engine | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    preset: str = "ultrafast",
    slate: str = "",
) -> ClipInfo:
    """`render_clip`, drawn in this process."""
    width, height = spec.size
    out = Path(out)
    engine = engine if engine is not None else (tts.available() if speech else None)
    zoom_max = max(z for _x, _y, z in panels.MOVES[spec.move])
    if start_image is None:
        first = panels.compose(spec, scale=max(1.0, zoom_max))
        cv = first.cv
        # Four channels take OpenCV's vectorised warp path: about 2.5× faster than RGB.
        # (the action moves someone: the untagged start is written on again below)
        moves = panels.layout(spec, "end") != panels.layout(spec, "start")
        canvas_a = _rgba(panels.finish(first, first.tags, keep=moves))
        canvas_b = None
        halfway: tuple[np.ndarray, np.ndarray | None] = (canvas_a, None)
        if moves:
            # The action moves someone (sits down, walks in): dissolve to where they end,
            # with the start's tags on both sides of the first half and the end's on the
            # second — never a ghost of each name.
            last = panels.compose(spec, scale=max(1.0, zoom_max), moment="end")
            canvas_b = _rgba(panels.finish(last, first.tags))
            halfway = (
                _rgba(panels.finish(first, last.tags)),
                _rgba(panels.finish(last, last.tags)),
            )
    else:
        cv = panels.Canvas(spec.size, panels.MARGIN, max(1.0, zoom_max))
        canvas_a = _place(start_image, spec, cv)
        canvas_b = _place(end_image, spec, cv) if end_image is not None else None
        if canvas_b is not None and np.array_equal(canvas_a, canvas_b):
            canvas_b = None

    cues, audio, spoke = speech_track(spec, engine)
    subtitles = [(_subtitle(c, (width, height)), c) for c in cues]
    if slate:
        _x, _y, rgb, alpha = _subtitle(Cue("", slate, 0.0, 0.0, 0), (width, height))
        corner = round(height * 0.03)
        forever = Cue("", slate, 0.0, float("inf"), 0)
        subtitles.append(((corner, corner, rgb, alpha), forever))

    # A name of this process's own: two processes drawing one shared clip never write into
    # each other's file (the last rename wins, and both are whole).
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    out.parent.mkdir(parents=True, exist_ok=True)
    n = spec.frame_count
    container = av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        vs = container.add_stream("libx264", rate=spec.fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"preset": preset, "crf": "20"}
        aus = container.add_stream("aac", rate=tts.SAMPLE_RATE, layout="mono")
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP

        def warp(canvas: np.ndarray, camera: tuple[float, float, float]) -> np.ndarray:
            left, top, vw, vh = panels.view_box(cv, *camera)
            m = np.array([[vw / width, 0, left], [0, vh / height, top]], dtype=np.float64)
            return cv2.warpAffine(canvas, m, (width, height), flags=flags)

        def make(i: int) -> np.ndarray:
            """Frame i as I420 planes: camera, dissolve, subtitles."""
            t = i / (n - 1) if n > 1 else 0.0
            now_cam = _camera(spec, t)
            if start_image is None:
                a, b = (canvas_a, canvas_b) if t < 0.5 else halfway
                frame = warp(a, now_cam)
                if b is not None:
                    frame = cv2.addWeighted(frame, 1 - _smooth(t), warp(b, now_cam), _smooth(t), 0)
            else:
                # A user's frame is what the camera sees at its moment: the start frame
                # exactly on the first frame, the end frame exactly on the last, the move
                # carrying both in between.
                frame = warp(canvas_a, _relative(now_cam, _camera(spec, 0.0)))
                if canvas_b is not None:
                    other = warp(canvas_b, _relative(now_cam, _camera(spec, 1.0)))
                    frame = cv2.addWeighted(frame, 1 - _smooth(t), other, _smooth(t), 0)
            now = i / spec.fps
            for (x, y, rgb, alpha), cue in subtitles:
                if cue.start <= now < cue.end:
                    box = frame[y : y + rgb.shape[0], x : x + rgb.shape[1], :3]
                    box[:] = (box.astype(np.float32) * (1 - alpha) + rgb * alpha).astype(np.uint8)
            return cv2.cvtColor(frame, cv2.COLOR_RGBA2YUV_I420)

        # Draw frame i+1 on a second core while the encoder compresses frame i.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(make, 0)
            for i in range(n):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                yuv = pending.result()
                if i + 1 < n:
                    pending = pool.submit(make, i + 1)
                vframe = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                vframe.pts = i
                for packet in vs.encode(vframe):
                    container.mux(packet)
                if progress is not None:
                    progress((i + 1) / n * 0.95)
        for packet in vs.encode():
            container.mux(packet)
        encode_samples(container, aus, audio, 0)
        for packet in aus.encode():
            container.mux(packet)
        container.close()
    except BaseException:
        container.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    if progress is not None:
        progress(1.0)
    return ClipInfo(
        out,
        n,
        width,
        height,
        spec.fps,
        n / spec.fps,
        spoke,
        tuple(cues),
    )
