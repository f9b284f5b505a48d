"""The offline engines as jobs and engines: a shot's previz (frames, panel, animatic) as one
job, and the whole script's animatic reel (run by the `AnimaticReel` operation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production.shots import spec as shotspec

PREVIZ_SHOT = "previz.shot"


@jobs.register(PREVIZ_SHOT)
def previz_shot(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: {"spec": ShotSpec JSON, "out_dir": folder} → start/end/panel PNGs and clip.mp4."""
    # The engines (PyAV, OpenCV) load with the first render, not when the app starts.
    from aiuteur_desktop.providers.offline import animatic
    from aiuteur_desktop.providers.offline.provider import OfflineAnimatic, OfflineStoryboard

    spec = shotspec.parse(ctx.job.params.get("spec"))
    out = Path(ctx.job.params["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    board = OfflineStoryboard()
    start, end = board.frame(spec, "start"), board.frame(spec, "end")
    (out / "start.png").write_bytes(start.data)
    (out / "end.png").write_bytes(end.data)
    (out / "panel.png").write_bytes(board.panel(spec).data)
    ctx.progress(0.05)
    try:
        clip = OfflineAnimatic().render(
            spec,
            out / "clip.mp4",
            progress=lambda f: ctx.progress(0.05 + 0.95 * f),
            cancelled=ctx.cancelled,
        )
    except animatic.Cancelled:
        raise jobs.Cancelled() from None
    result = {
        "clip": str(clip.path),
        "start": str(out / "start.png"),
        "end": str(out / "end.png"),
        "panel": str(out / "panel.png"),
        "provenance": clip.provenance,
        **clip.info,
    }
    return result, 0.0


@contextmanager
def _engine_errors(out_dir: str) -> Iterator[None]:
    """The animatic engine's stop and a full or read-only disk, as a job says them."""
    from aiuteur_desktop.providers.offline import animatic

    try:
        yield
    except animatic.Cancelled:
        raise jobs.Cancelled() from None
    except OSError as exc:
        raise AiuteurError(f"Cannot write to {out_dir}: {exc.strerror or exc}") from None


def render_reel(rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
    """The animatic engine behind `AnimaticReel` (through the registry)."""
    from aiuteur_desktop.providers.offline import reel

    with _engine_errors(out_dir):
        made = reel.render_reel(rows, Path(out_dir), **options)
    return {
        "film": str(made.film),
        "timelines": [str(t) for t in made.timelines],
        "clips": len(made.clips),
        "seconds": made.seconds,
        "speech": made.speech,
        "missing_keys": list(made.missing_keys),
        "reused": made.reused,
        "storyboard": str(made.storyboard) if made.storyboard else None,
        "transcoded": made.transcoded,
    }


def render_clips(rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
    """The animatic clips alone (Pro Export's stand-in for a shot with no take)."""
    from aiuteur_desktop.providers.offline import reel

    with _engine_errors(out_dir):
        made = reel.render_clips(rows, Path(out_dir), **options)
    return {
        "clips": [{"shot": c.shot.id, "path": str(c.path), "frames": c.frames} for c in made.clips],
        "fps": options.get("fps", 24),
        "size": list(made.size),
        "speech": made.speech,
    }


def scratch_dialogue(
    rows: list[Any],
    out_dir: str,
    *,
    seconds: list[float] | None = None,
    voices: dict[str, dict[str, Any]] | None = None,
) -> list[str | None]:
    """Each speaking shot's scratch voices (the characters' offline voices, `voices` by name),
    the shot's length (or `seconds[i]`, its take's), as 16-bit mono WAV; None for a shot
    with nothing spoken."""
    from aiuteur_desktop.core.production.shots import timing as shotlist
    from aiuteur_desktop.providers.offline import animatic, tts

    engine = tts.available()
    written: list[str | None] = [None] * len(rows)
    if engine is None:
        return written
    out = Path(out_dir)
    for n, shot in enumerate(rows):
        if not shot.dialogue:
            continue
        spec = shotlist.to_spec(shot, voices=voices)
        if seconds is not None:
            spec = spec.model_copy(update={"duration": max(0.1, min(60.0, seconds[n]))})
        _cues, samples, spoke = animatic.speech_track(spec, engine)
        if not spoke:
            continue
        path = out / f"{n:05d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(tts.wav_bytes(samples))
            tmp.replace(path)
        except OSError as exc:
            raise AiuteurError(f"Cannot write to {out}: {exc.strerror or exc}") from None
        written[n] = str(path)
    return written
