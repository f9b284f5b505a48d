"""Pro Export of rendered takes (issue "Pro Export, project archive, and conform" — first
part): clips named by the PRD's convention and copied at source quality, a manifest whose
hashes and durations match the files, and timelines OTIO reads back with the same clips."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import av
import opentimelineio as otio
import pytest

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.export import nle, pro_export
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.core.production import checkout, takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.offline import tts
from aiuteur_desktop.providers.registry import Registry
from tests.core.production import test_checkout

project = test_checkout.project  # the fixture: Storm Keeper, scene 2 ready to confirm


def rendered(p: Project, library: Library) -> None:
    done = checkout.confirm(p, test_checkout.offline(p))
    jobs = headless.run_all(
        library.jobs, video_render.render_ops(p, "s2", done, Registry()), Budget()
    )
    assert all(j.state.value == "succeeded" for j in jobs), [j.error for j in jobs]


def test_before_any_take_the_animatic_stands_in(project: Project, tmp_path: Path) -> None:
    done = pro_export.export(project, tmp_path / "out", source=Registry())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [c["kind"] for c in manifest["clips"]] == ["animatic"] * len(manifest["clips"])
    assert manifest["clips"][0]["name"] == "Storm_Sc01_Shot1A_animatic"
    assert done.animatic == [c["label"] for c in manifest["clips"]]
    with av.open(str(tmp_path / "out" / manifest["clips"][0]["file"])) as clip:
        assert sum(1 for _ in clip.decode(video=0)) == manifest["clips"][0]["frames"]
    assert "ANIMATIC" in (tmp_path / "out" / "CONTENTS.txt").read_text()


def test_without_the_offline_engine_a_missing_take_is_a_clear_refusal(
    project: Project, tmp_path: Path
) -> None:
    with pytest.raises(GateClosed, match="offline engine"):
        pro_export.export(project, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _timeline_clips(path: Path) -> list[otio.schema.Clip]:
    timeline = nle.read(path)
    video = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    return list(video.find_clips())


def test_export_clips_manifest_and_timelines_agree(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    out = tmp_path / "For the editor"
    done = pro_export.export(project, out, source=Registry())
    manifest = json.loads((out / "manifest.json").read_text())
    names = [c["name"] for c in manifest["clips"]]
    takes_of = [c for c in manifest["clips"] if c["kind"] == "take"]
    assert [c["name"] for c in takes_of] == ["Storm_Sc02_Shot2A_v01", "Storm_Sc02_Shot2B_v01"]
    assert "1A" in done.animatic and "2A" not in done.animatic
    assert names.index("Storm_Sc01_Shot1A_animatic") < names.index("Storm_Sc02_Shot2A_v01")
    for c, line in zip(takes_of, checkout.confirmed(project, "s2").lines, strict=True):
        data = (out / c["file"]).read_bytes()
        take = takes.current(project, "s2", c["shot"])
        assert take is not None and data == project.media.read(take.media)  # as rendered
        assert c["sha256"] == hashlib.sha256(data).hexdigest()
        assert (c["take"], c["prompt"], c["start_frame"]) == (1, line.video_prompt, line.start)
        assert (out / c["prompt_file"]).read_text().strip() == line.video_prompt
        assert (out / c["start_frame_file"]).read_bytes() == project.media.read(line.start)
        with (
            av.open(str(out / c["file"])) as clip,
            av.open(str(project.media.path(take.media))) as original,
        ):
            assert clip.streams.video[0].bit_rate == original.streams.video[0].bit_rate
            frames = sum(1 for _ in clip.decode(video=0))
        assert frames == c["frames"] and c["duration"] == pytest.approx(line.duration)
    # Every timeline reads back with OTIO's adapters: the same clips, order and durations.
    for suffix in (".otio", ".xml", ".fcpxml", ".edl"):
        clips = _timeline_clips(out / f"Storm{suffix}")
        assert [x.name for x in clips] == names, suffix
        assert [x.source_range.duration.to_frames() for x in clips] == [
            c["frames"] for c in manifest["clips"]
        ], suffix
        if suffix in (".xml", ".fcpxml"):
            urls = [x.media_reference.target_url for x in clips]
            assert urls == [(out / c["file"]).resolve().as_uri() for c in manifest["clips"]]
    otio_file = otio.adapters.read_from_file(str(out / "Storm.otio"))
    urls = [x.media_reference.target_url for x in otio_file.tracks[0].find_clips()]
    assert urls == [c["file"] for c in manifest["clips"]]  # relative: the folder can move
    xml = ElementTree.parse(out / "Storm.xml").getroot()
    sequence = next(xml.iter("sequence"))
    assert sequence.find("rate/timebase").text == "24"
    paths = [e.text for e in xml.iter("pathurl")]
    assert any(p.endswith("clips/Storm_Sc02_Shot2A_v01.mp4") for p in paths)
    # FCPXML: the sequence's format has the rate and frame size Resolve and FCP need.
    fcpx = ElementTree.parse(out / "Storm.fcpxml").getroot()
    fmt = fcpx.find("resources/format")
    assert (fmt.get("frameDuration"), fmt.get("width"), fmt.get("height")) == (
        "25/600s",
        str(manifest["size"][0]),
        str(manifest["size"][1]),
    )
    assert [a.get("src") for a in fcpx.iter("asset")][: len(names)] == [
        (out / c["file"]).resolve().as_uri() for c in manifest["clips"]
    ]
    assert [e.tag for e in fcpx] == ["resources", "project"]
    contents = (out / "CONTENTS.txt").read_text()
    assert "DaVinci Resolve" in contents and "animatic stands in" in contents
    _stems_sit_under_their_shots(out, manifest)
    # The storyboard sheets: a panel per shot, six to a page, the takes' approved frames.
    from pypdf import PdfReader

    board = PdfReader(out / manifest["storyboard"])
    assert len(board.pages) == -(-len(names) // 6)
    assert "SHOT 2A" in board.pages[0].extract_text() + board.pages[-1].extract_text()


def _stems_sit_under_their_shots(out: Path, manifest: dict) -> None:  # type: ignore[type-arg]
    """Each speaking shot's scratch dialogue is a WAV its clip's length, placed under it."""
    if tts.available() is None:
        return  # no speech engine here: no stems (CI installs espeak-ng)
    speaking = [c for c in manifest["clips"] if "dialogue_stem" in c]
    assert speaking, "Storm Keeper has dialogue"
    timeline = nle.read(out / "Storm.otio")  # kept: its tracks die with it
    stems = next(t for t in timeline.tracks if t.name == "Dialogue stems")
    for c in speaking:
        with av.open(str(out / c["dialogue_stem"])) as wav:
            stream = wav.streams.audio[0]
            seconds = float(stream.duration * stream.time_base)
        assert seconds == pytest.approx(c["duration"], abs=0.05)
        clip = next(x for x in stems.find_clips() if x.name == f"{c['name']}_dialogue")
        placed = stems.range_of_child(clip).start_time.to_frames()
        before = sum(x["frames"] for x in manifest["clips"][: manifest["clips"].index(c)])
        assert placed == before  # under its picture


def test_zip_holds_exactly_the_export_and_is_atomic(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    where = tmp_path / "exports"
    done = pro_export.export(
        project, where / "Storm export", source=Registry(), scene="s2", as_zip=True
    )
    assert done.zip == where / "Storm export.zip"
    assert sorted(p.name for p in where.iterdir()) == ["Storm export.zip"]  # no staging
    manifest_dir = tmp_path / "unzipped"
    with zipfile.ZipFile(done.zip) as z:
        names = set(z.namelist())
        z.extractall(manifest_dir)
    root = manifest_dir / "Storm export"
    manifest = json.loads((root / "manifest.json").read_text())
    expected = {"manifest.json", "CONTENTS.txt", manifest["storyboard"], *manifest["timelines"]}
    for c in manifest["clips"]:
        expected |= {
            c[k]
            for k in ("file", "prompt_file", "start_frame_file", "end_frame_file", "dialogue_stem")
            if c.get(k)
        }
    assert names == {f"Storm export/{n}" for n in expected}
    for c in manifest["clips"]:
        assert hashlib.sha256((root / c["file"]).read_bytes()).hexdigest() == c["sha256"]
    # The XML points where the zip unpacks beside itself.
    xml = (root / "Storm.xml").read_text()
    assert (where / "Storm export" / "clips").resolve().as_uri() in xml


def test_a_cancelled_zip_leaves_nothing(project: Project, library: Library, tmp_path: Path) -> None:
    rendered(project, library)
    seen: list[float] = []
    where = tmp_path / "exports"
    where.mkdir()
    # Stopped while the zip is being written: everything else is staged by then.
    with pytest.raises(pro_export.Cancelled):
        pro_export.export(
            project,
            where / "x",
            source=Registry(),
            scene="s2",
            as_zip=True,
            progress=seen.append,
            cancelled=lambda: bool(seen) and seen[-1] > 0.84,
        )
    assert 0.84 < seen[-1] < 1.0
    assert list(where.iterdir()) == []
