"""Conform (issue "Pro Export, project archive, and conform"): an exported timeline edited
with OTIO's API — two clips swapped, one trimmed by 2 s, one removed, an unknown clip added —
comes back as the editor's shot order and durations on a new Story Timeline, the report
names what was dropped and what is unknown, the branch it came from is byte-identical, and
exporting again reproduces the editor's cut."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import pytest

from aiuteur_desktop.core.export import conform, nle, pro_export
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.production import cut
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from tests.core.export.test_pro_export import rendered
from tests.core.production import test_checkout

project = test_checkout.project  # Storm Keeper, scene 2 ready to confirm

ADAPTERS = {".otio": "otio_json", ".xml": "fcp_xml", ".fcpxml": "fcpx_xml", ".edl": "cmx_3600"}


def _edited(exported: Path, suffix: str, out: Path) -> tuple[list[str], list[int], str, str]:
    """The export's timeline edited as an editor would; returns the expected names and
    frame counts in order, the removed clip's name and the trimmed one's."""
    timeline = nle.read(exported / f"Storm{suffix}")
    for track in list(timeline.tracks):
        if track.kind != otio.schema.TrackKind.Video:
            timeline.tracks.remove(track)  # picture only: what conform reads
    video = timeline.tracks[0]
    clips = [c for c in video if isinstance(c, otio.schema.Clip)]
    for c in video:
        if not isinstance(c, otio.schema.Clip):
            video.remove(c)
    a, b, trimmed, removed = clips[0], clips[1], clips[2], clips[3]
    rate = a.source_range.duration.rate
    for c in clips:
        video.remove(c)
    trimmed.source_range = otio.opentime.TimeRange(
        trimmed.source_range.start_time,
        trimmed.source_range.duration - otio.opentime.RationalTime(2 * rate, rate),
    )
    two_seconds = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(48, rate)
    )
    unknown = otio.schema.Clip(
        name="B-roll seagulls",
        media_reference=otio.schema.ExternalReference(
            target_url="file:///stock/gulls.mov", available_range=two_seconds
        ),
        source_range=two_seconds,
    )
    order = [b, a, trimmed, unknown, *clips[4:]]
    for c in order:
        video.append(c)
    target = out / f"edited{suffix}"
    otio.adapters.write_to_file(timeline, str(target), adapter_name=ADAPTERS[suffix])
    kept = [c for c in order if c is not unknown]
    names = [c.name for c in kept]
    frames = [round(c.source_range.duration.to_frames()) for c in kept]
    return names, frames, removed.name, trimmed.name


def _state(p: Project, branch: str) -> tuple[str, str]:
    b = p.branch(branch)
    return b.head, b.draft


def test_the_editors_cut_comes_back_on_a_new_branch(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    exported = tmp_path / "export"
    pro_export.export(project, exported, source=Registry(), stems=False)
    main = project.current_branch
    before = _state(project, main)
    for suffix in (".otio", ".xml", ".fcpxml", ".edl"):
        project.switch_branch(main)
        names, frames, removed, trimmed = _edited(exported, suffix, tmp_path)

        report = conform.read_edit(project, tmp_path / f"edited{suffix}")
        assert [p.name for p in report.placed] == names, suffix
        assert [p.frames for p in report.placed] == frames, suffix
        assert report.unknown == ["B-roll seagulls"] and report.moved
        plan = pro_export.plan(project)
        removed_label = next(i.shot.label for i in plan if i.name == removed)
        trimmed_label = next(i.shot.label for i in plan if i.name == trimmed)
        assert report.removed == [removed_label] and trimmed_label in report.retimed
        assert _state(project, main) == before  # the dry run wrote nothing

        branch = conform.apply(project, report)
        assert branch.startswith(f"Conform from edited{suffix} ")
        assert project.current_branch == branch and not project.is_dirty()
        assert _state(project, main) == before  # Main: the same head and the same draft
        assert cut.read(project, main) is None
        stored = cut.read(project)
        assert stored is not None and len(stored.omitted) == 1

        # Exporting again reproduces the editor's cut: order, durations, no dropped shot.
        again = tmp_path / f"again{suffix}"
        done = pro_export.export(project, again, source=Registry(), stems=False)
        assert [c["name"] for c in done.clips] == names
        assert [c["frames"] for c in done.clips] == frames
        timeline = nle.read(again / "Storm.otio")  # kept: its tracks die with it
        clips = list(timeline.tracks[0].find_clips())
        assert [c.name for c in clips] == names
        assert [c.source_range.duration.to_frames() for c in clips] == frames
        manifest = json.loads((again / "manifest.json").read_text())
        assert removed not in [c["name"] for c in manifest["clips"]]


def test_a_trim_past_the_takes_end_is_flagged(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    pro_export.export(project, tmp_path / "e", source=Registry(), scene="s2", stems=False)
    timeline = nle.read(tmp_path / "e" / "Storm.otio")
    clip = next(c for c in timeline.tracks[0].find_clips() if c.name.endswith("_v01"))
    rate = clip.source_range.duration.rate
    clip.source_range = otio.opentime.TimeRange(
        clip.source_range.start_time,
        clip.source_range.duration + otio.opentime.RationalTime(3 * rate, rate),
    )
    otio.adapters.write_to_file(timeline, str(tmp_path / "long.otio"))
    report = conform.read_edit(project, tmp_path / "long.otio")
    placed = next(p for p in report.placed if p.name == clip.name)
    assert placed.beyond and placed.frames == placed.available
    assert report.beyond == [placed.label] and "past the take's end" in report.summary()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\xffnot a timeline", "not a readable"),
        (b"<xmeml><sequence></sequence></xmeml>", "no picture track"),
    ],
)
def test_a_file_that_is_not_an_edit_is_refused_and_nothing_changes(
    project: Project, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_bytes(content)
    before = [b.name for b in project.branches()]
    with pytest.raises(conform.ConformError, match=message):
        conform.read_edit(project, bad)
    assert [b.name for b in project.branches()] == before


def test_clips_of_another_project_match_nothing(project: Project, tmp_path: Path) -> None:
    clip = otio.schema.Clip(
        name="Other_Sc01_Shot9Z_v01",
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(24, 24)
        ),
    )
    timeline = otio.schema.Timeline(name="x")
    timeline.tracks.append(otio.schema.Track(kind=otio.schema.TrackKind.Video))
    timeline.tracks[0].append(clip)
    otio.adapters.write_to_file(timeline, str(tmp_path / "other.otio"))
    with pytest.raises(conform.ConformError, match=r"No clip in other\.otio"):
        conform.read_edit(project, tmp_path / "other.otio")


def test_a_scene_conformed_alone_leaves_the_other_scenes_in_place(
    project: Project, library: Library, tmp_path: Path
) -> None:
    rendered(project, library)
    film = [i.name for i in pro_export.plan(project)]
    pro_export.export(project, tmp_path / "s2", source=Registry(), scene="s2", stems=False)
    timeline = nle.read(tmp_path / "s2" / "Storm.otio")
    video = timeline.tracks[0]
    first = video[0]
    video.remove(first)
    video.append(first)
    otio.adapters.write_to_file(timeline, str(tmp_path / "s2" / "swapped.otio"))
    report = conform.read_edit(project, tmp_path / "s2" / "swapped.otio")
    assert report.removed == [] and report.scenes == ["s2"]
    conform.apply(project, report)
    after = [i.name for i in pro_export.plan(project)]
    a, b = "Storm_Sc02_Shot2A_v01", "Storm_Sc02_Shot2B_v01"
    assert after == [b if n == a else a if n == b else n for n in film]


def test_an_xml_bomb_is_refused_before_it_expands(project: Project, tmp_path: Path) -> None:
    bomb = tmp_path / "laughs.xml"
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    bomb.write_text(
        f'<?xml version="1.0"?><!DOCTYPE xmeml [{"".join(entities)}]>'
        "<xmeml><sequence><name>&l9;</name></sequence></xmeml>"
    )
    with pytest.raises(conform.ConformError, match="declares XML entities"):
        conform.read_edit(project, bomb)


def test_the_original_timeline_against_a_conformed_one_reports_what_it_undoes(
    project: Project, library: Library, tmp_path: Path
) -> None:
    """On the conformed Story Timeline, a dry run of the first export (the script's order,
    every shot whole) reports the order change, the trim undone and the dropped shot back."""
    rendered(project, library)
    exported = tmp_path / "export"
    pro_export.export(project, exported, source=Registry(), stems=False)
    _names, _frames, removed, trimmed = _edited(exported, ".otio", tmp_path)
    conform.apply(project, conform.read_edit(project, tmp_path / "edited.otio"))
    plan = pro_export.plan(project, follow_cut=False)
    removed_label = next(i.shot.label for i in plan if i.name == removed)
    trimmed_label = next(i.shot.label for i in plan if i.name == trimmed)

    back = conform.read_edit(project, exported / "Storm.otio")
    assert back.moved and back.restored == [removed_label]
    assert back.retimed == [trimmed_label] and back.removed == []
    assert back.against == "edited.otio"
    said = back.summary()
    assert "against the active timeline's cut (from edited.otio)" in said
    assert "shot order changed" in said and "1 restored" in said and "1 retimed" in said
    # The same file dry-run on the timeline it came from changes nothing.
    project.switch_branch("Main")
    same = conform.read_edit(project, exported / "Storm.otio")
    assert not same.moved and same.retimed == [] and same.restored == [] and same.removed == []


def test_hostile_timelines_are_refused_in_a_sentence_and_never_crash(
    project: Project, library: Library, tmp_path: Path
) -> None:
    """A timebase of 0 or NaN, JSON nested 100,000 deep (OTIO's reader would crash the
    process), an EDL or a clip count past the limits: ConformError, nothing changed."""
    rendered(project, library)
    exported = tmp_path / "export"
    pro_export.export(project, exported, source=Registry(), stems=False)
    before = project.branch(project.current_branch).head
    xml = (exported / "Storm.xml").read_text(encoding="utf-8")
    otio_text = (exported / "Storm.otio").read_text(encoding="utf-8")
    cases = {
        "zero.xml": xml.replace("<timebase>24</timebase>", "<timebase>0</timebase>"),
        "nan.otio": otio_text.replace('"rate": 24.0', '"rate": NaN'),
        "zero.otio": otio_text.replace('"rate": 24.0', '"rate": 0.0'),
        "deep.otio": '{"OTIO_SCHEMA": "Timeline.1", "metadata": {"x": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}",
        "many.xml": "<xmeml><sequence>" + "<clipitem/>" * 20_001 + "</sequence></xmeml>",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(conform.ConformError) as refused:
            conform.read_edit(project, tmp_path / name)
        assert "\n" not in refused.value.user_message and len(refused.value.user_message) < 400
    big = tmp_path / "big.edl"
    with big.open("wb") as f:
        f.truncate(9 * 2**20)
    with pytest.raises(conform.ConformError):
        conform.read_edit(project, big)
    assert project.branch(project.current_branch).head == before
