"""Editor's timelines: what Resolve and Premiere import (FCP7 XML), EDL and OTIO, read back."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from aiuteur_desktop.core.formats import nle


def clips(folder: Path) -> list[nle.TimelineClip]:
    rows = [("1", "1", 192), ("1", "2", 96), ("2", "1", 144)]
    return [
        nle.TimelineClip(
            name=f"NightFerry_Sc{int(sc):02d}_Shot{sh}_v01",
            path=folder / f"NightFerry_Sc{int(sc):02d}_Shot{sh}_v01.mp4",
            frames=frames,
            scene=sc,
            shot=sh,
            heading=f"INT. PLACE {sc} - NIGHT",
            dialogue="TOM: Six sharp." if sh == "2" else "",
        )
        for sc, sh, frames in rows
    ]


@pytest.mark.parametrize("ext", [".xml", ".edl", ".otio"])
def test_timeline_reads_back_with_every_shot_in_order(tmp_path: Path, ext: str) -> None:
    made = clips(tmp_path / "clips")
    path = nle.write(nle.build("Night Ferry — Animatic", made), tmp_path / f"cut{ext}")
    back = nle.read(path)
    video = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Video]
    assert len(video) == 1
    got = list(video[0].find_clips())
    assert [c.name for c in got] == [c.name for c in made]
    assert [c.source_range.duration.value for c in got] == [192, 96, 144]
    assert back.duration().to_frames() == 432
    if ext != ".edl":
        # Each clip points at its file; the sound comes along on A1.
        assert [c.media_reference.target_url for c in got] == [
            c.path.resolve().as_uri() for c in made
        ]
        audio = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Audio]
        assert [c.name for c in audio[0].find_clips()] == [c.name for c in made]
        assert back.global_start_time.to_timecode() == "01:00:00:00"


def test_scenes_are_marked_and_shots_carry_their_place(tmp_path: Path) -> None:
    timeline = nle.build("Cut", clips(tmp_path))
    path = nle.write(timeline, tmp_path / "cut.xml")
    back = nle.read(path)
    video = next(t for t in back.tracks if t.kind == otio.schema.TrackKind.Video)
    markers = [m.name for c in video.find_clips() for m in c.markers]
    assert markers == ["Scene 1: INT. PLACE 1 - NIGHT", "Scene 2: INT. PLACE 2 - NIGHT"]
    otio_back = nle.read(nle.write(timeline, tmp_path / "cut.otio"))
    second = list(otio_back.find_clips())[1]
    assert second.metadata["aiuteur"] == {
        "scene": "1",
        "shot": "2",
        "heading": "INT. PLACE 1 - NIGHT",
        "dialogue": "TOM: Six sharp.",
    }


def test_wrong_format_or_place_is_a_clear_error(tmp_path: Path) -> None:
    timeline = nle.build("Cut", clips(tmp_path))
    with pytest.raises(
        nle.NleError, match=r"cut\.mov: timelines are written as \.xml, \.edl, \.otio"
    ):
        nle.write(timeline, tmp_path / "cut.mov")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(nle.NleError, match="cannot write"):
        nle.write(timeline, blocker / "cut.xml")
    (tmp_path / "junk.xml").write_text("<not a timeline")
    with pytest.raises(nle.NleError, match=r"junk\.xml is not a readable fcp_xml timeline"):
        nle.read(tmp_path / "junk.xml")
    assert not list(tmp_path.glob(".*.part"))
