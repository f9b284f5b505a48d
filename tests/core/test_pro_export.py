"""Pro Export of rendered takes (issue "Pro Export, project archive, and conform" — first
part): clips named by the PRD's convention and copied at source quality, a manifest whose
hashes and durations match the files, and timelines OTIO reads back with the same clips."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from xml.etree import ElementTree

import av
import opentimelineio as otio
import pytest

from aiuteur_desktop.core import checkout, headless, pro_export, takes
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.formats import nle
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.settings import Budget
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from tests.core import test_checkout

project = test_checkout.project  # the fixture: Storm Keeper, scene 2 ready to confirm


def rendered(p: Project, library: Library) -> None:
    done = checkout.confirm(p, test_checkout.offline(p))
    jobs = headless.run_all(library.jobs, takes.render_ops(p, "s2", done, Registry()), Budget())
    assert all(j.state.value == "succeeded" for j in jobs), [j.error for j in jobs]


def test_nothing_to_export_before_a_take_exists(project: Project, tmp_path: Path) -> None:
    with pytest.raises(GateClosed, match="No shot has a take yet"):
        pro_export.export(project, tmp_path / "out")


def test_export_clips_manifest_and_timelines_agree(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    out = tmp_path / "For the editor"
    done = pro_export.export(project, out)
    names = [c["name"] for c in done.clips]
    assert names == ["Storm_Sc02_Shot2A_v01", "Storm_Sc02_Shot2B_v01"]
    assert "1A" in done.missing and "2A" not in done.missing
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["name"] for c in manifest["clips"]] == names
    for c, line in zip(manifest["clips"], checkout.confirmed(project, "s2").lines, strict=True):
        data = (out / c["file"]).read_bytes()
        take = takes.current(project, "s2", c["shot"])
        assert take is not None and data == project.media.read(take.media)  # as rendered
        assert c["sha256"] == hashlib.sha256(data).hexdigest()
        assert (c["take"], c["prompt"], c["start_frame"]) == (1, line.video_prompt, line.start)
        with av.open(str(out / c["file"])) as clip:
            frames = sum(1 for _ in clip.decode(video=0))
        assert frames == c["frames"] and c["duration"] == pytest.approx(line.duration)
    # The timelines read back with OTIO's adapters: the same clips, order and durations.
    for suffix in (".otio", ".xml", ".edl"):
        timeline = nle.read(out / f"Storm{suffix}")
        clips = [x for x in timeline.tracks[0].find_clips()]
        assert [x.name for x in clips] == names, suffix
        assert [x.source_range.duration.to_frames() for x in clips] == [
            c["frames"] for c in manifest["clips"]
        ]
    otio_file = otio.adapters.read_from_file(str(out / "Storm.otio"))
    urls = [x.media_reference.target_url for x in otio_file.tracks[0].find_clips()]
    assert urls == [c["file"] for c in manifest["clips"]]  # relative: the folder can move
    xml = ElementTree.parse(out / "Storm.xml").getroot()
    sequence = next(xml.iter("sequence"))
    assert sequence.find("rate/timebase").text == "24"
    paths = [e.text for e in xml.iter("pathurl")]
    assert any(p.endswith("clips/Storm_Sc02_Shot2A_v01.mp4") for p in paths)
    contents = (out / "CONTENTS.txt").read_text()
    assert "DaVinci Resolve" in contents and "Not rendered yet" in contents
