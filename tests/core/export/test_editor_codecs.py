"""Pro Export in an editor's codec (issue "Pro Export in an editor's codec"): ProRes 422 HQ
and DNxHR HQ with PCM 48 kHz 24-bit sound and a 01:00:00:00 timecode, read back with PyAV and
OTIO's adapters; transcoded once per take content; a cancel leaves no file; the conform
of such an export counts in-points from the files' timecode."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import av
import opentimelineio as otio
import pytest

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.files import sha256_of
from aiuteur_desktop.core.export import conform, nle, pro_export
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.media import transcode
from aiuteur_desktop.core.production import takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from tests.core.export.test_pro_export import project, rendered

__all__ = ["project"]  # the fixture: Storm Keeper, scene 2 ready to confirm

HOUR = 3600 * 24  # 01:00:00:00 at 24 fps, in frames


def _read_back(path: Path) -> dict:  # type: ignore[type-arg]
    """What an editor's import sees of a clip: codec, profile, frames, sound, timecode."""
    with av.open(str(path)) as clip:
        video, sound = clip.streams.video[0], clip.streams.audio[0]
        timecode = clip.metadata.get("timecode") or video.metadata.get("timecode")
        frames = sum(1 for _ in clip.decode(video=0))
        clip.seek(0)
        samples = sum(f.samples for f in clip.decode(audio=0))
        return {
            "codec": video.codec_context.name,
            "profile": video.codec_context.profile,
            "frames": frames,
            "fps": float(video.average_rate),
            "audio": sound.codec_context.name,
            "rate": sound.sample_rate,
            "samples": samples,
            "timecode": timecode,
        }


@pytest.mark.parametrize(
    ("key", "codec", "profile", "suffix"),
    [
        ("prores", "prores", "HQ", ".mov"),
        ("dnxhr", "dnxhd", "DNXHR HQ", ".mov"),
        ("dnxhr-mxf", "dnxhd", "DNXHR HQ", ".mxf"),
    ],
)
def test_a_rendered_scene_in_prores_and_dnxhr_reads_back_in_every_timeline(
    project: Project,
    library: Library,
    tmp_path: Path,
    key: str,
    codec: str,
    profile: str,
    suffix: str,
) -> None:
    rendered(project, library)
    out = tmp_path / "For the editor"
    done = pro_export.export(project, out, source=Registry(), scene="s2", codec=key)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["codec"]["key"] == key and manifest["codec"]["audio"] == "PCM 48 kHz 24-bit"
    assert done.transcoded == len(manifest["clips"]) == 2
    for c in manifest["clips"]:
        media = out / c["file"]
        assert media.suffix == suffix and c["codec"] == key and c["profile"] == profile
        seen = _read_back(media)
        assert (seen["codec"], seen["profile"], seen["audio"]) == (codec, profile, "pcm_s24le")
        assert seen["frames"] == c["frames"] and seen["timecode"] == "01:00:00:00"
        # The sound is exactly as long as the picture, at 48 kHz.
        assert seen["rate"] == 48_000
        assert seen["samples"] == round(c["frames"] / seen["fps"] * 48_000)
        assert c["duration"] == pytest.approx(c["frames"] / seen["fps"])
        # The manifest's hashes: the file exported and the take it was made from.
        assert c["sha256"] == sha256_of(media)
        take = takes.current(project, "s2", c["shot"])
        assert take is not None and c["source_sha256"] == sha256_of(project.media.path(take.media))
    assert not list(out.glob("clips/*.mp4"))
    assert "PCM 48 kHz 24-bit" in (out / "CONTENTS.txt").read_text()
    # Every timeline, read back by OTIO's adapters: each clip's media exists, is as long as
    # the clip, and the in-point counts from the file's timecode.
    by_name = {c["name"]: c for c in manifest["clips"]}
    for timeline_suffix in (".xml", ".fcpxml", ".otio", ".edl"):
        timeline = nle.read(out / f"Storm{timeline_suffix}")
        video = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
        clips = list(video.find_clips())
        assert [x.name for x in clips] == list(by_name), timeline_suffix
        for clip in clips:
            entry = by_name[clip.name]
            assert clip.source_range.start_time.to_frames() == HOUR, timeline_suffix
            assert clip.source_range.duration.to_frames() == entry["frames"], timeline_suffix
            ref = clip.media_reference
            url = ref.target_url
            media = Path(url2pathname(urlparse(url).path)) if url.startswith("file:") else out / url
            assert media.resolve() == (out / entry["file"]).resolve(), timeline_suffix
            assert _read_back(media)["frames"] == entry["frames"]
            if ref.available_range is not None:
                assert ref.available_range.start_time.to_frames() == HOUR, timeline_suffix
    xml = (out / "Storm.xml").read_text()
    assert "<string>01:00:00:00</string>" in xml and "<depth>24</depth>" in xml
    # FCPXML: each asset starts at the hour and has the sound its clip's lane plays.
    from xml.etree import ElementTree

    assets = list(ElementTree.parse(out / "Storm.fcpxml").getroot().iter("asset"))
    assert assets and all(a.get("start") == "3600/1s" for a in assets)
    assert all(a.get("hasAudio") == "1" for a in assets)


def test_re_exporting_unchanged_takes_transcodes_nothing(
    project: Project, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered(project, library)
    calls: list[Path] = []
    real = transcode._write

    def counting(source: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(transcode, "_write", counting)
    first = pro_export.export(project, tmp_path / "a", source=Registry(), scene="s2", codec="dnxhr")
    assert len(calls) == first.transcoded == 2
    # Again into the same folder, into another one and as a zip: nothing transcoded again.
    for out, zipped in ((tmp_path / "a", False), (tmp_path / "b", False), (tmp_path / "c", True)):
        again = pro_export.export(
            project, out, source=Registry(), scene="s2", codec="dnxhr", as_zip=zipped
        )
        assert again.transcoded == 0 and len(calls) == 2
    a = json.loads((tmp_path / "a" / "manifest.json").read_text())
    b = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert [c["sha256"] for c in a["clips"]] == [c["sha256"] for c in b["clips"]]
    # Linked from the store, not copied, where the disk allows.
    clip = tmp_path / "b" / b["clips"][0]["file"]
    assert clip.stat().st_nlink >= 2
    # Another codec is another transcode; the earlier export's clips in the folder go.
    pro_export.export(project, tmp_path / "a", source=Registry(), scene="s2", codec="prores")
    assert len(calls) == 4
    assert sorted(p.suffix for p in (tmp_path / "a" / "clips").iterdir()) == [".mov", ".mov"]
    assert not list((tmp_path / "a" / "clips").glob("*dnx*"))


def test_a_cancel_mid_transcode_leaves_no_file(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    seen: list[float] = []
    out = tmp_path / "x"
    # Stopped once the transcodes are under way (the part after the animatic stand-ins).
    with pytest.raises(pro_export.Cancelled):
        pro_export.export(
            project,
            out,
            source=Registry(),
            scene="s2",
            codec="prores",
            progress=seen.append,
            cancelled=lambda: any(0.3 < f < 0.7 for f in seen),
        )
    store = paths.cache_dir() / "transcodes"
    left = [p for p in store.rglob("*") if p.is_file()] if store.exists() else []
    assert not [p for p in left if p.name.startswith(".")], left  # no partial transcode
    assert all(p.with_suffix(".json").is_file() for p in left if p.suffix == ".mov")
    assert not (out / "manifest.json").exists()
    assert not [p for p in out.rglob("*") if p.suffix in (".mov", ".part")]
    # Nothing half-made is reused: the next export writes every clip whole.
    done = pro_export.export(project, out, source=Registry(), scene="s2", codec="prores")
    for c in done.clips:
        assert _read_back(out / c["file"])["frames"] == c["frames"]


def test_the_editors_cut_of_a_prores_export_conforms_from_the_files_timecode(
    project: Project, library: Library, tmp_path: Path
) -> None:
    """In-points in the editor's file count from 01:00:00:00 (the files' timecode); the
    conform reads the same trims as from an export of the takes as rendered."""
    rendered(project, library)
    out = tmp_path / "edit"
    pro_export.export(project, out, source=Registry(), scene="s2", codec="prores")
    timeline = nle.read(out / "Storm.otio")
    first = timeline.tracks[0][0]
    rate = first.source_range.start_time.rate
    first.source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(HOUR + 12, rate), otio.opentime.RationalTime(60, rate)
    )
    for suffix in (".otio", ".xml", ".edl"):
        edited = out / f"cut{suffix}"
        nle.write(timeline, edited)
        report = conform.read_edit(project, edited)
        trims = [(p.label, p.first, p.frames) for p in report.placed]
        assert trims[0] == ("2A", 12, 60), suffix
        assert trims[1][1] == 0 and report.retimed == ["2A"], suffix


def test_a_clip_without_sound_or_not_a_video_at_all(tmp_path: Path) -> None:
    """A silent clip gets silence as long as its picture; a file that is no video is refused
    in a sentence, nothing left behind."""
    import numpy as np

    silent = tmp_path / "silent.mp4"
    with av.open(str(silent), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuv420p"  # vertical 9:16
        for n in range(30):
            frame = av.VideoFrame.from_ndarray(np.full((640, 360, 3), n * 8, np.uint8), "rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    target = tmp_path / "out" / "silent.mov"
    made = transcode.transcode(silent, target, transcode.codec("dnxhr"))
    assert (made.frames, made.width, made.height) == (30, 360, 640)
    seen = _read_back(target)
    assert seen["audio"] == "pcm_s24le" and seen["samples"] == 60_000  # 1.25 s at 48 kHz
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    with pytest.raises(transcode.TranscodeError, match=r"broken\.mp4"):
        transcode.transcode(broken, tmp_path / "out" / "broken.mov", transcode.codec("prores"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["silent.mov"]
    with pytest.raises(transcode.TranscodeError, match="choose one of source, prores"):
        transcode.codec("h265")
