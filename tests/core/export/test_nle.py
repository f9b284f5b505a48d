"""Editor's timelines: what Resolve and Premiere import (FCP7 XML), EDL and OTIO, read back."""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree

import opentimelineio as otio
import pytest

from aiuteur_desktop.core.export import nle


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
    # The sound comes along on A1 in every format.
    audio = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert [c.name for c in audio[0].find_clips()] == [c.name for c in made]
    if ext == ".xml":  # FCP7 XML addresses media by absolute file URL (the format's rule)
        assert [c.media_reference.target_url for c in got] == [
            c.path.resolve().as_uri() for c in made
        ]
    if ext == ".otio":  # relative to the timeline, so the folder can move
        assert [c.media_reference.target_url for c in got] == [f"clips/{c.path.name}" for c in made]
    if ext != ".edl":
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
        "track": "Video",
    }


def test_wrong_format_or_place_is_a_clear_error(tmp_path: Path) -> None:
    timeline = nle.build("Cut", clips(tmp_path))
    with pytest.raises(
        nle.NleError, match=r"cut\.mov: timelines are written as \.xml, \.fcpxml, \.edl, \.otio"
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


def test_fcp7_xml_has_what_resolve_and_premiere_read(tmp_path: Path) -> None:
    """Apple's XML interchange format as both editors import it: a sequence <format> with
    the frame size, each <file> saying what picture and sound it holds, every <clipitem>
    complete (never a bare reference to a picture item from the sound track), one <rate>."""
    from xml.etree import ElementTree

    made = clips(tmp_path / "clips")
    path = nle.write(
        nle.build("Ferry", made, size=(1920, 1080), sample_rate=48000), tmp_path / "cut.xml"
    )
    root = ElementTree.parse(path).getroot()
    sequence = root.find("./project/children/sequence")
    assert sequence is not None
    assert [c.tag for c in sequence][:4] == ["name", "duration", "rate", "timecode"]
    assert sequence.findtext("./timecode/string") == "01:00:00:00"
    chars = sequence.find("./media/video/format/samplecharacteristics")
    assert chars is not None
    assert (chars.findtext("width"), chars.findtext("height")) == ("1920", "1080")
    assert sequence.findtext("./media/audio/format/samplecharacteristics/samplerate") == "48000"
    items = list(sequence.iter("clipitem"))
    assert len(items) == 6  # three shots, picture and sound
    for item in items:
        assert item.find("file") is not None and item.findtext("name")
        assert len(item.findall("rate")) == 1
    assert len({item.get("id") for item in items}) == 6
    files = [f for f in sequence.iter("file") if f.find("pathurl") is not None]
    assert len(files) == 3
    for f in files:
        assert f.findtext("./media/video/samplecharacteristics/width") == "1920"
        assert f.findtext("./media/audio/channelcount") == "1"
    # And OTIO reads it back with the same cut on both tracks.
    back = nle.read(path)
    assert [len(list(t.find_clips())) for t in back.tracks] == [3, 3]


def test_edl_agrees_with_the_xml(tmp_path: Path) -> None:
    """The EDL starts at 01:00:00:00 like the XML and OTIO, carries sound (channel B: picture
    and audio 1), a reel name per shot that survives a read-back, and an ASCII title."""
    made = clips(tmp_path / "clips")
    path = nle.write(nle.build("Night Ferry — Animatic", made), tmp_path / "cut.edl")
    text = path.read_text(encoding="ascii")  # ASCII throughout
    assert text.startswith("TITLE: Night Ferry - Animatic\n")
    events = [ln.split() for ln in text.splitlines() if ln[:3].isdigit()]
    assert [e[1] for e in events] == ["S00101", "S00102", "S00201"]
    assert {e[2] for e in events} == {"B"}
    assert [e[6] for e in events] == ["01:00:00:00", "01:00:08:00", "01:00:12:00"]
    back = nle.read(path)
    audio = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert audio and len(list(audio[0].find_clips())) == 3
    video = next(t for t in back.tracks if t.kind == otio.schema.TrackKind.Video)
    reels = [c.metadata["cmx_3600"]["reel"] for c in video.find_clips()]
    assert reels == ["S00101", "S00102", "S00201"]
    # The same clip names as the XML, in the same order.
    xml = nle.read(nle.write(nle.build("Cut", made), tmp_path / "cut.xml"))
    xml_video = next(t for t in xml.tracks if t.kind == otio.schema.TrackKind.Video)
    assert [c.name for c in video.find_clips()] == [c.name for c in xml_video.find_clips()]


def test_otio_timeline_survives_moving_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    made = clips(folder / "clips")
    for c in made:
        c.path.parent.mkdir(parents=True, exist_ok=True)
        c.path.write_bytes(b"clip")
    nle.write(nle.build("Cut", made), folder / "cut.otio")
    moved = tmp_path / "elsewhere"
    folder.rename(moved)
    back = nle.read(moved / "cut.otio")
    for clip in back.find_clips():
        assert (moved / clip.media_reference.target_url).is_file()


def _ffprobe_on_path(folder: Path, answer: str) -> Path:
    """A stand-in `ffprobe` that answers every probe with `answer`."""
    folder.mkdir(parents=True, exist_ok=True)
    tool = folder / "ffprobe"
    tool.write_text(f"#!/bin/sh\necho {answer}\n")
    tool.chmod(0o755)
    return folder


@pytest.mark.parametrize(
    ("size", "name"),
    [
        ((1280, 720), "FFVideoFormat720p24"),
        ((1920, 1080), "FFVideoFormat1080p24"),
        ((64, 36), None),
    ],
)
def test_fcpxml_format_is_named_by_the_frame_size_whatever_the_machine_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], name: str | None
) -> None:
    """Final Cut Pro knows its predefined formats by name (720p as FFVideoFormat720p24);
    any other size is a custom format described by width and height. OTIO's adapter would
    ask ffprobe — a different file on a machine without it, and a process per clip."""
    made = clips(tmp_path / "clips")
    for c in made:
        c.path.parent.mkdir(parents=True, exist_ok=True)
        c.path.write_bytes(b"clip")
    timeline = nle.build("Cut", made, size=size)
    written = []
    for n, answer in enumerate(["1280x720", "640x360"]):
        monkeypatch.setenv("PATH", str(_ffprobe_on_path(tmp_path / f"bin{n}", answer)))
        written.append(nle.write(timeline, tmp_path / f"cut{n}.fcpxml").read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    written.append(nle.write(timeline, tmp_path / "bare.fcpxml").read_bytes())
    assert written[0] == written[1] == written[2]
    fmt = ElementTree.fromstring(written[0]).find("resources/format")
    assert fmt is not None
    assert (fmt.get("name"), fmt.get("width"), fmt.get("height")) == (name, *map(str, size))


def _shape(element: ElementTree.Element) -> list[tuple[str, dict[str, str], str]]:
    """An XML tree as its elements, attributes and text, whitespace aside."""
    return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in element.iter()]


def test_fcp7_xml_ids_are_the_adapters_own(tmp_path: Path) -> None:
    """The XML's clipitem and file ids (how Premiere links a shot's sound to its picture)
    are the ones OTIO's adapter gives: for a fresh timeline, and for one read from an
    editor's XML, whose ids are kept where they are free."""
    made = clips(tmp_path / "clips")
    fresh = nle.build("Cut", made)
    back = nle.read(nle.write(fresh, tmp_path / "cut.xml"))
    # An editor's file numbers its items its own way: the adapter keeps those ids.
    items = list(back.find_clips())
    for n, item in enumerate(items):
        item.metadata["fcp_xml"]["@id"] = f"clipitem-{(n * 7) % len(items) + 3}"
    items[1].metadata["fcp_xml"]["@id"] = items[0].metadata["fcp_xml"]["@id"]  # taken
    for timeline in (fresh, back):
        ours = nle._fcp_tree(timeline)
        theirs = ElementTree.fromstring(otio.adapters.write_to_string(timeline, "fcp_xml"))
        assert _shape(ours) == _shape(theirs)
    ids = [e.get("id") for e in nle._fcp_tree(back).iter("clipitem")]
    assert ids[0] == "clipitem-3" and ids[1] != ids[0] and len(set(ids)) == len(ids)


_EXPORTS_ON_ONE_JOB_THREAD = """
import sys
import os
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QRunnable, QThreadPool
from aiuteur_desktop.core.app import files  # noqa: F401  (what the app has loaded by then)

assert "opentimelineio" not in sys.modules
app = QCoreApplication([])
pool = QThreadPool()
pool.setMaxThreadCount(1)  # every export on the same thread, as the app's job runner does
out = Path(sys.argv[1])
done = []

class Export(QRunnable):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def run(self):
        from aiuteur_desktop.core.export import nle  # first loaded here, in a job
        junk = [bytearray(256) for _ in range(4000)]  # reuse what a finished job freed
        clips = [
            nle.TimelineClip(name=f"Film_Sc01_Shot{i}_v01", path=out / f"{i}.mp4",
                             frames=48, scene="1", shot=str(i))
            for i in range(1, 12)
        ]
        nle.write(nle.build(f"Film {self.n}", clips), out / f"film{self.n}.xml")
        done.append(len(junk))

for n in range(40):
    pool.start(Export(n))
pool.waitForDone()
print(len(done), "exports")
"""


def test_export_after_export_on_the_same_job_thread_neither_freezes_nor_crashes(
    tmp_path: Path,
) -> None:
    """OTIO's bindings, first loaded in a job on a Qt pool thread, kept that job's Python
    thread state; the next export on the thread took the freed state and hung or crashed.
    Runs in its own interpreter, where OpenTimelineIO is not loaded yet."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", _EXPORTS_ON_ONE_JOB_THREAD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "40 exports"
    assert len(list(tmp_path.glob("film*.xml"))) == 40
