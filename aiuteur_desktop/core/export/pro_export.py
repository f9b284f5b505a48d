"""Pro Export (PRD §10, issue "Pro Export, project archive, and conform"): the active
branch's film, for an editor.

Every shot in Script Hub order with its take in use, copied at source quality (the file as
rendered — never re-encoded) under the PRD's name `[Project]_Sc##_Shot<label>_v##.mp4`
(v = the take's number); a shot with no take gets its offline animatic clip instead, named
`…_Shot<label>_animatic.mp4` and marked so in the manifest. One timeline of them written by
OTIO's adapters — FCP7 XML (Resolve, Premiere), FCPXML (Final Cut Pro, Resolve), CMX 3600
EDL and `.otio` — at the takes' rate, with scene markers and shot names, the takes' sound on
A1 and the scratch dialogue stems on A2; the frames and prompts each take was made from; a
`manifest.json` (per clip: shot, take, the file's SHA-256, duration, prompt and frames) and
a `CONTENTS.txt` for a person. `as_zip` writes all of it as one zip, atomically.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app import collector, paths, ui_turns
from aiuteur_desktop.core.app.files import link_or_copy, sha256_of, write_atomically
from aiuteur_desktop.core.app.progress import Step
from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.media import transcode
from aiuteur_desktop.core.media.playback import probe
from aiuteur_desktop.core.media.thumbnails import thumbnail_png
from aiuteur_desktop.core.production import cut, takes, voice_tracks
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.shots.timing import Shot, camel
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.store import Project

if TYPE_CHECKING:
    from aiuteur_desktop.core.export import nle

#: The user stopped the export (what a job's work raises when cancelled).
Cancelled = jobs.Cancelled

TIMELINES = (".xml", ".fcpxml", ".edl", ".otio")
ANIMATIC = "animatic"


def clip_name(project: str, shot: Shot, take: takes.Take | None) -> str:
    """`Aiuteur_Sc01_Shot1A_v02` for a take (v = its number); `…_Shot1A_animatic` for the
    offline stand-in of a shot with none, so the editor can tell them apart."""
    name = timing.clip_name(project, shot, take.number if take is not None else 1)
    return name if take is not None else f"{name.rsplit('_v', 1)[0]}_{ANIMATIC}"


@dataclass(frozen=True)
class Item:
    """One shot of the export."""

    scene_id: str
    heading: str
    shot: Shot
    take: takes.Take | None  # None: its animatic clip stands in
    name: str
    first: int = 0  # the editor's cut: in-point and length in frames (None: the whole clip)
    frames: int | None = None
    made: dict[str, Any] = field(default_factory=dict)  # the take's record (model, parameters)

    @property
    def seconds(self) -> float:
        """The clip's own length: the take's rendered duration, or the shot's."""
        try:
            return float((self.made.get("parameters") or {}).get("duration") or self.shot.duration)
        except (TypeError, ValueError):
            return float(self.shot.duration)


def plan(
    project: Project,
    *,
    scene: str | None = None,
    animatic: bool = False,
    follow_cut: bool = True,
) -> list[Item]:
    """The shots in Script Hub order (or one scene's), each with its take in use (none when
    `animatic`: the offline path exports the same way). Where the branch has an editor's
    cut (conform), its order, in-points and durations, without the shots it omits; shots
    made since come after, in script order."""
    every = shot_list.by_scene(project)
    if not every:
        raise GateClosed("There is no Master Script yet: nothing to export.")
    scenes = [(s, rows) for s, rows in every if scene is None or s.id == scene]
    if scene is not None and not scenes:
        raise GateClosed(f"There is no scene {scene} in the script.")
    pairs = [(s, shot) for s, rows in scenes for shot in rows]
    found = takes.in_use(project, [(s.id, shot.id) for s, shot in pairs])
    out = []
    for (s, shot), (take, made) in zip(pairs, found, strict=True):
        ui_turns.give_way()  # (a feature's 2,000 shots, in Python, on a window's worker)
        if animatic:
            take, made = None, {}
        name = clip_name(project.name, shot, take)
        out.append(Item(s.id, s.title, shot, take, name, made=made))
    if follow_cut:
        out = follow(out, cut.read(project))
    if not out:
        raise GateClosed("The script has no shots yet: nothing to export.")
    return out


def follow(items: list[Item], edit: cut.Cut | None) -> list[Item]:
    """The shots in the editor's cut's order, in-points and lengths, without the ones it
    omits; shots made since the cut come after, in script order."""
    if edit is None:
        return items
    by_key = {(i.scene_id, i.shot.id): i for i in items}
    placed = [
        replace(by_key[(e.scene_id, e.shot_id)], first=e.first, frames=e.frames)
        for e in edit.entries
        if (e.scene_id, e.shot_id) in by_key
    ]
    seen = {(e.scene_id, e.shot_id) for e in edit.entries} | set(edit.omitted)
    return placed + [i for i in items if (i.scene_id, i.shot.id) not in seen]


@dataclass
class Exported:
    folder: Path
    clips: list[dict[str, Any]] = field(default_factory=list)
    animatic: list[str] = field(default_factory=list)  # shot labels standing in as animatic
    timelines: list[Path] = field(default_factory=list)
    stems: int = 0
    storyboard: Path | None = None
    #: Clips transcoded by this export (0 when every one was transcoded before, or copied).
    transcoded: int = 0
    codec: transcode.Codec = transcode.SOURCE
    #: Seconds spent on the media (stand-ins, copies, hashes, stems), the timelines and
    #: the rest — what benchmarks/nle_bench.py reports.
    seconds: dict[str, float] = field(default_factory=dict)
    zip: Path | None = None


#: What a clip of an export may be written as (`transcode.CODECS`' suffixes).
CLIP_SUFFIXES = frozenset(c.suffix for c in transcode.CODECS.values())


def _transcoded(
    medias: list[Path],
    known: list[str | None],
    how: transcode.Codec,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool] | None,
    on_step: Callable[[Step], None] | None,
) -> list[transcode.Made] | None:
    """Every clip in `how` from the shared store (transcoding what it lacks, in parallel);
    None when the clips go as rendered."""
    if not how.transcodes:
        return None
    if on_step is not None:
        on_step(Step(0, len(medias), f"Transcoding to {how.label}"))
    try:
        return transcode.Store().ensure(
            medias, how, known=known, progress=lambda f: progress(0.9 * f), cancelled=cancelled
        )
    except transcode.Cancelled:
        raise Cancelled() from None


def _copy(source: Path, target: Path) -> None:
    """The file as made (source quality), through a hidden name renamed at the end."""
    write_atomically(target, lambda tmp: shutil.copyfile(source, tmp))


def _write_text(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, "utf-8")

    write_atomically(path, write)


def _work_dir(project: Project) -> Path:
    """Where the animatic stand-ins are drawn, kept between exports so unchanged shots are
    not redrawn (outside the export folder, which holds only what the editor gets)."""
    key = hashlib.sha1(str(project.path.resolve()).encode()).hexdigest()[:16]
    return paths.app_home() / "cache" / "pro-export" / key


class _Steps:
    """Progress over the export's parts, each a share of the whole."""

    def __init__(self, progress: Callable[[float], None] | None, shares: list[float]) -> None:
        self._progress, self._shares, self._done = progress, shares, 0.0

    def part(self, n: int) -> Callable[[float], None]:
        base, share = sum(self._shares[:n]), self._shares[n]
        total = sum(self._shares) or 1.0
        return lambda f: (
            self._progress((base + share * min(1.0, f)) / total) if self._progress else None
        )


def export(
    project: Project,
    folder: Path,
    *,
    source: ProviderSource | None = None,
    scene: str | None = None,
    animatic: bool = False,
    stems: bool = True,
    as_zip: bool = False,
    codec: str = "source",
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Exported:
    """Write the clips, timelines, stems, frames, prompts, manifest and CONTENTS.txt into
    `folder` — or, `as_zip`, into `folder`.zip (its timelines point at `folder`, where the
    zip unpacks beside itself). `source` draws the animatic stand-ins and scratch voices.
    `codec` (`transcode.CODECS`): the clips as rendered, or transcoded for editors that
    cannot read H.264/AAC — once per take content, reused by every later export."""
    how = transcode.codec(codec)
    items = plan(project, scene=scene, animatic=animatic)
    folder = Path(folder)
    stage = folder.with_name(f".{folder.name}.staging") if as_zip else folder
    if as_zip:
        shutil.rmtree(stage, ignore_errors=True)
    steps = _Steps(progress, [3.0, 8.0 if how.transcodes else 1.0, 1.0, 1.0 if as_zip else 0.0])
    try:
        out = _write(project, items, stage, folder, source, stems, steps, how, cancelled, on_step)
        if as_zip:
            out.zip = _zip(stage, folder.with_name(f"{folder.name}.zip"), steps.part(3), cancelled)
            out.folder = folder
    finally:
        if as_zip:
            shutil.rmtree(stage, ignore_errors=True)
    if progress is not None:
        progress(1.0)
    return out


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()


def _write(
    project: Project,
    items: list[Item],
    stage: Path,
    home: Path,
    source: ProviderSource | None,
    with_stems: bool,
    steps: _Steps,
    how: transcode.Codec,
    cancelled: Callable[[], bool] | None,
    on_step: Callable[[Step], None] | None = None,
) -> Exported:
    # (OpenTimelineIO and the PDF writer load here, for an export: listing the shots needs
    # neither, and loading them held the window's thread for up to 150 ms)
    from aiuteur_desktop.core.export import nle

    out = Exported(stage, codec=how)
    # A folder with a manifest is a whole export: an earlier export's manifest goes before
    # anything of this one is written, and this one's is written last — an export stopped
    # midway (a crash, a kill) leaves no manifest that would vouch for it.
    for done in (MANIFEST, "CONTENTS.txt"):
        (stage / done).unlink(missing_ok=True)
    began = time.perf_counter()
    stand_in = [i for i in items if i.take is None]
    drawn: dict[int, Path] = {}
    if stand_in:
        if source is None:
            raise GateClosed("Shots with no take need the offline engine to draw their animatic.")
        people, places = masters.image_keys(project)
        made = source.animatic_clips(
            [i.shot for i in stand_in],
            str(_work_dir(project)),
            title=project.name,
            images=people,
            locations=places,
            voices=voices.offline_voices(project),
            progress=steps.part(0),
            cancelled=cancelled,
            on_step=(
                (lambda st: on_step(Step(st.done, st.total, f"Animatic {st.current}")))
                if on_step
                else None
            ),
        )
        drawn = {id(i): Path(c["path"]) for i, c in zip(stand_in, made["clips"], strict=True)}
        out.animatic = [i.shot.label for i in stand_in]
    rows: list[nle.TimelineClip] = []
    fps, size = 24.0, (1280, 720)
    copy_step = steps.part(1)
    medias = [project.media.path(i.take.media) if i.take else drawn[id(i)] for i in items]
    known = [i.take.media if i.take else None for i in items]  # a media id is its SHA-256
    coded = _transcoded(medias, known, how, copy_step, cancelled, on_step)
    share = 0.9 if how.transcodes else 0.0  # of the part, spent transcoding
    for n, (item, media, sha) in enumerate(zip(items, medias, known, strict=True)):
        _stop_if(cancelled)
        if on_step is not None:
            on_step(Step(n, len(items), f"Copying {item.name}"))
        target = stage / "clips" / f"{item.name}{how.suffix}"
        for other in CLIP_SUFFIXES - {how.suffix}:  # an earlier export in another codec
            target.with_suffix(other).unlink(missing_ok=True)
        if coded is None:
            _copy(media, target)
            duration, clip_fps, w, h, _audio = probe(target)
            digest = source_digest = sha or sha256_of(target)
        else:
            clip = coded[n]
            link_or_copy(clip.path, target)
            duration, clip_fps, w, h = clip.frames / clip.fps, clip.fps, clip.width, clip.height
            digest, source_digest = clip.sha256, clip.source_sha256
        if n == 0:
            fps, size = clip_fps, (w, h)
        length = max(1, round(duration * fps))
        first = min(item.first, length - 1)
        frames = min(item.frames or length, length - first)
        entry = _entry(item, how, frames, fps)
        entry |= {"first": first, "source_frames": length}
        entry |= {"sha256": digest, "source_sha256": source_digest}
        for which in ("start_frame", "end_frame"):
            if entry.get(which):
                picture = project.media.path(entry[which])
                if picture.is_file():
                    name = f"frames/{item.name}_{which.split('_')[0]}{picture.suffix or '.png'}"
                    _copy(picture, stage / name)
                    entry[f"{which}_file"] = name
        if entry["prompt"]:
            entry["prompt_file"] = f"prompts/{item.name}.txt"
            _write_text(stage / entry["prompt_file"], entry["prompt"] + "\n")
        out.clips.append(entry)
        copy_step(share + (1 - share) * (n + 1) / len(items))
    out.transcoded = sum(1 for c in coded or () if c.transcoded)
    if with_stems and source is not None:
        out.stems = _stems(project, items, out.clips, stage, source)
    if with_stems:  # the lines spoken in cloud voices, a track per character
        out.stems += voice_tracks.export_stems(project, items, out.clips, stage)
    for item, entry in zip(items, out.clips, strict=True):
        stem = entry.get("dialogue_stem")
        heard = entry.get("voice_stems") or {}
        rows.append(
            nle.TimelineClip(
                name=item.name,
                path=home / entry["file"],
                frames=entry["frames"],
                scene=item.shot.scene_label,
                shot=item.shot.label,
                heading=item.heading,
                dialogue=item.shot.said(),
                transition=item.shot.transition,
                dialogue_stem=(home / stem) if stem else None,
                voices=tuple((who, home / f) for who, f in heard.items()),
                first=entry["first"],
                available=entry["source_frames"],
                timecode=round(transcode.START_HOUR * 3600 * fps) if how.transcodes else 0,
            )
        )
    name = camel(project.name) or "Aiuteur"
    out.storyboard = _storyboard(project.name, items, out.clips, stage, name, cancelled)
    out.seconds["media"] = time.perf_counter() - began
    began = time.perf_counter()
    rate = round(fps)
    with collector.paused():  # tens of thousands of objects made, all alive until written
        timeline = nle.build(
            f"{project.name} — {project.current_branch}",
            rows,
            rate,
            size=size,
            sample_depth=how.sample_depth,
        )
        for suffix in TIMELINES:
            _stop_if(cancelled)
            out.timelines.append(nle.write(timeline, stage / f"{name}{suffix}", home=home))
    out.seconds["timelines"] = time.perf_counter() - began
    began = time.perf_counter()
    steps.part(2)(0.5)
    manifest = {
        "project": project.name,
        "branch": project.current_branch,
        "exported_at": time.time(),
        "fps": rate,
        "size": list(size),
        "codec": how.describe(),
        "clips": out.clips,
        "animatic": out.animatic,
        "timelines": [p.name for p in out.timelines],
        "storyboard": out.storyboard.name if out.storyboard else None,
    }
    _write_text(stage / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    _write_text(stage / "CONTENTS.txt", _contents(project, out, rate))
    out.seconds["manifest"] = time.perf_counter() - began
    steps.part(2)(1.0)
    return out


MANIFEST = "manifest.json"


def _storyboard(
    title: str,
    items: list[Item],
    entries: list[dict[str, Any]],
    stage: Path,
    name: str,
    cancelled: Callable[[], bool] | None,
) -> Path | None:
    """The storyboard sheets of what is exported: each shot's approved start frame (or its
    clip's first picture), captioned as the shot list reads."""
    from aiuteur_desktop.core.export import storyboard_pdf  # (loaded for an export only)

    panels = []
    for item, entry in zip(items, entries, strict=True):
        _stop_if(cancelled)
        start = entry.get("start_frame_file")
        png = thumbnail_png(stage / start, "image/png", storyboard_pdf.PANEL_PX) if start else None
        if png is None:
            png = thumbnail_png(stage / entry["file"], "video/mp4", storyboard_pdf.PANEL_PX)
        if png is None:
            continue
        with Image.open(io.BytesIO(png)) as picture:
            caption = storyboard_pdf.caption_for(timing.to_spec(item.shot))
            panels.append(storyboard_pdf.Panel.of(picture, item.shot.label, caption))
    if not panels:
        return None
    path = stage / f"{name}_storyboard.pdf"
    storyboard_pdf.write_storyboard(path, title, panels)
    return path


def _stems(
    project: Project,
    items: list[Item],
    entries: list[dict[str, Any]],
    stage: Path,
    source: ProviderSource,
) -> int:
    """Each speaking shot's scratch dialogue, timed to its clip, as its own WAV; the
    entries gain `dialogue_stem`. Returns how many were written."""
    speaking = [(i, e) for i, e in zip(items, entries, strict=True) if i.shot.dialogue]
    if not speaking:
        return 0
    work = _work_dir(project) / "dialogue"
    # The clip's whole length, so the editor's in-point applies to the stem as to the picture.
    seconds = [e["source_frames"] * e["duration"] / e["frames"] for _i, e in speaking]
    stems = source.scratch_dialogue(
        [i.shot for i, _e in speaking],
        str(work),
        seconds=seconds,
        voices=voices.offline_voices(project),
    )
    for (item, entry), voice in zip(speaking, stems, strict=True):
        if voice is not None:
            entry["dialogue_stem"] = f"stems/dialogue/{item.name}_dialogue.wav"
            _copy(Path(voice), stage / entry["dialogue_stem"])
    return sum(1 for e in entries if "dialogue_stem" in e)


def _entry(item: Item, how: transcode.Codec, frames: int, fps: float) -> dict[str, Any]:
    """The manifest's line for one clip: what it is and what it was made from."""
    made = item.made
    params = made.get("parameters") or {}
    return {
        "name": item.name,
        "file": f"clips/{item.name}{how.suffix}",
        "codec": how.key,
        "profile": how.profile or "as rendered",
        "timecode": transcode.TIMECODE if how.transcodes else None,
        "kind": "take" if item.take is not None else ANIMATIC,
        "scene": item.shot.scene_label,
        "scene_id": item.scene_id,
        "shot": item.shot.id,
        "label": item.shot.label,
        "take": item.take.number if item.take is not None else None,
        "version": item.take.version if item.take is not None else None,
        "duration": round(frames / fps, 6),
        "frames": frames,
        "model": made.get("model", "offline:animatic" if item.take is None else ""),
        "provider": made.get("provider", ""),
        "prompt": params.get("prompt", ""),
        "start_frame": params.get("start_media"),
        "end_frame": params.get("end_media"),
    }


def _zip(
    stage: Path,
    target: Path,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool] | None,
) -> Path:
    """The staged export as one zip, under the folder's name inside it; written atomically.
    Clips are stored (they are compressed already), text is deflated."""
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in files) or 1
    root = target.stem

    def write(tmp: Path) -> None:
        done = 0
        with zipfile.ZipFile(tmp, "w") as z:
            for f in files:
                _stop_if(cancelled)
                packed = f.suffix.lower() in (*CLIP_SUFFIXES, ".png", ".jpg", ".jpeg", ".webp")
                z.write(
                    f,
                    f"{root}/{f.relative_to(stage).as_posix()}",
                    compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED,
                )
                done += f.stat().st_size
                progress(done / total)

    try:
        return write_atomically(target, write)
    except Cancelled:
        target.with_name(f".{target.name}.part").unlink(missing_ok=True)
        raise


def _as_what(how: transcode.Codec) -> str:
    if not how.transcodes:
        return "as rendered (source quality, never re-encoded)"
    return f"as {how.label} (sound {how.audio}, timecode from {transcode.TIMECODE})"


def _contents(project: Project, out: Exported, fps: int) -> str:
    takes_n = sum(1 for c in out.clips if c["kind"] == "take")
    lines = [
        f"{project.name} — Story Timeline “{project.current_branch}”, exported for editing",
        "",
        f"clips/          {takes_n} takes {_as_what(out.codec)}, "
        f"{len(out.animatic)} animatic stand-ins; {fps} fps",
        *(f"timeline        {p.name}" for p in out.timelines),
        *(["stems/dialogue/ scratch dialogue per speaking shot (track A2)"] if out.stems else []),
        "frames/         the start and end frames each take was made from",
        "prompts/        the video prompt of each take",
        "manifest.json   per clip: shot, take, SHA-256, duration, prompt and frames",
        *([f"storyboard      {out.storyboard.name}"] if out.storyboard else []),
        "",
        "DaVinci Resolve: File → Import → Timeline… → the .xml or .fcpxml (or the .edl); keep",
        "the clips folder beside it. Premiere Pro: File → Import… → the .xml.",
        "Final Cut Pro: File → Import → XML… → the .fcpxml.",
        "Bring the edit back: export the timeline from your editor (XML, FCPXML, EDL or OTIO)",
        "and use File → Conform from Editor… in Aiuteur (or `aiuteur conform`).",
        "",
    ]
    for c in out.clips:
        kind = f"take {c['take']}" if c["kind"] == "take" else "ANIMATIC"
        lines.append(f"{c['label']:>6}  {kind:<9} {c['duration']:6.2f} s  {c['file']}")
    if out.animatic:
        lines += ["", f"No take yet (animatic stands in): {', '.join(out.animatic)}"]
    return "\n".join(lines) + "\n"
