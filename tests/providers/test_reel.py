"""The offline path's end: every shot rendered, one film, and timelines an editor imports."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from aiuteur_desktop.core.export import nle
from aiuteur_desktop.core.production.shots import timing
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.providers.offline import animatic, reel

SCRIPT = """INT. LAMP ROOM - NIGHT

ADA polishes the lens.

ADA
Another night.

EXT. GALLERY - DAY

Wind. A boat rocks far below.

BEN
The boat's in!
"""


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_reel_joins_every_shot_and_writes_timelines_that_point_at_the_clips(
    tmp_path: Path,
) -> None:
    rows = timing.breakdown(fountain.read_string(SCRIPT))
    assert [(s.scene_label, s.duration) for s in rows] == [("1", 4), ("2", 4)]
    seen: list[float] = []
    made = reel.render_reel(
        rows, tmp_path / "out", title="The Keeper", width=320, speech=False, progress=seen.append
    )
    assert [c.path.name for c in made.clips] == [
        "TheKeeper_Sc01_Shot1A_v01.mp4",
        "TheKeeper_Sc02_Shot2A_v01.mp4",
    ]
    assert made.film == tmp_path / "out" / "TheKeeper_animatic.mp4"
    assert seen == sorted(seen) and seen[-1] == 1.0
    film = frames_of(made.film)
    first, second = frames_of(made.clips[0].path), frames_of(made.clips[1].path)
    assert len(film) == len(first) + len(second) == 8 * 24
    # Picture copied, not redrawn: the film cuts from clip 1 to clip 2 exactly at 4 s.
    assert np.abs(film[95].astype(int) - first[-1]).mean() < 1.0
    assert np.abs(film[96].astype(int) - second[0]).mean() < 1.0
    assert np.abs(first[-1].astype(int) - second[0]).mean() > 10  # night interior → day exterior
    with av.open(str(made.film)) as c:
        sound = c.streams.audio[0]
        assert sound.codec_context.name == "aac"
        assert abs(float(sound.duration * sound.time_base) - 8.0) < 0.1
    # Resolve/Premiere XML, EDL and OTIO beside the film, naming and pointing at the clips.
    assert sorted(p.suffix for p in made.timelines) == [".edl", ".otio", ".xml"]
    cut = nle.read(tmp_path / "out" / "TheKeeper_animatic.xml")
    video = next(t for t in cut.tracks if t.kind == otio.schema.TrackKind.Video)
    urls = [c.media_reference.target_url for c in video.find_clips()]
    assert urls == [c.path.resolve().as_uri() for c in made.clips]
    assert all(c.path.is_file() for c in made.clips)


def test_image_keys_are_drawn_into_the_shots(tmp_path: Path) -> None:
    rows = timing.breakdown(fountain.read_string(SCRIPT))[:1]
    key = tmp_path / "ada.png"
    Image.new("RGB", (200, 400), (230, 20, 20)).save(key)

    def red_share(made: reel.Reel) -> float:
        frame = frames_of(made.film)[48].astype(int)
        red = (frame[..., 0] > 180) & (frame[..., 1] < 80) & (frame[..., 2] < 80)
        return float(red.mean())

    plain = reel.render_reel(rows, tmp_path / "a", title="K", width=320, speech=False)
    keyed = reel.render_reel(
        rows, tmp_path / "b", title="K", width=320, speech=False, images={"ADA": key}
    )
    assert plain.missing_keys == ("ADA",) and keyed.missing_keys == ()
    assert red_share(plain) == 0.0 and red_share(keyed) > 0.01


def test_cancel_keeps_finished_clips_and_writes_no_film_or_timeline(tmp_path: Path) -> None:
    rows = timing.breakdown(fountain.read_string(SCRIPT))
    out = tmp_path / "out"
    with pytest.raises(animatic.Cancelled):
        reel.render_reel(
            rows,
            out,
            title="K",
            width=320,
            speech=False,
            cancelled=lambda: (out / "clips" / "K_Sc01_Shot1A_v01.mp4").exists(),
        )
    assert [p.name for p in (out / "clips").iterdir()] == ["K_Sc01_Shot1A_v01.mp4"]
    assert not list(out.glob("K_animatic*"))


def test_a_script_without_scenes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(nle.NleError, match="no shots"):
        reel.render_reel([], tmp_path, title="K")


def test_rendering_again_redraws_only_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = reel.render_reel(
        timing.breakdown(fountain.read_string(SCRIPT)), out, title="K", width=320, speech=False
    )
    stamps = {c.path.name: c.path.stat().st_mtime_ns for c in first.clips}
    again = reel.render_reel(
        timing.breakdown(fountain.read_string(SCRIPT)), out, title="K", width=320, speech=False
    )
    assert again.reused == 2
    assert {c.path.name: c.path.stat().st_mtime_ns for c in again.clips} == stamps
    # Ben's line changes: only scene 2's shot is drawn again; the film has the new line.
    edited = SCRIPT.replace("The boat's in!", "The boat is in, Ada!")
    third = reel.render_reel(
        timing.breakdown(fountain.read_string(edited)), out, title="K", width=320, speech=False
    )
    assert third.reused == 1
    after = {c.path.name: c.path.stat().st_mtime_ns for c in third.clips}
    assert after["K_Sc01_Shot1A_v01.mp4"] == stamps["K_Sc01_Shot1A_v01.mp4"]
    assert after["K_Sc02_Shot2A_v01.mp4"] != stamps["K_Sc02_Shot2A_v01.mp4"]
    # A scene cut from the script: its clip leaves the folder with it.
    third_only = edited.split("EXT. GALLERY")[0]
    fourth = reel.render_reel(
        timing.breakdown(fountain.read_string(third_only)), out, title="K", width=320, speech=False
    )
    assert fourth.reused == 1
    assert sorted(p.name for p in (out / "clips").glob("*.mp4")) == ["K_Sc01_Shot1A_v01.mp4"]
    assert len(frames_of(fourth.film)) == 4 * 24


def test_storyboard_sheets_print_six_captioned_panels_a_page(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    script = "\n\n".join(
        f"INT. ROOM {n} - NIGHT\n\nADA waits by door number {n}." for n in range(1, 8)
    )
    made = reel.render_reel(
        timing.breakdown(fountain.read_string(script)),
        tmp_path,
        title="The Keeper",
        width=320,
        speech=False,
    )
    assert made.storyboard == tmp_path / "TheKeeper_storyboard.pdf"
    doc = pdfium.PdfDocument(str(made.storyboard))
    assert len(doc) == 2  # seven shots: six on the first page, one on the second
    first = doc[0]
    text = first.get_textpage().get_text_range()
    assert "The Keeper — Storyboard" in text and "Shots 1A–6A" in text and "Page 1 of 2" in text
    assert first.get_width() > first.get_height()  # landscape
    page = np.asarray(first.render(scale=1).to_pil().convert("L"), dtype=int)
    # Six panels: dark frames (night interiors) in a 3 × 2 grid on white paper.
    h, w = page.shape
    cells = [
        page[int(h * (0.3 + 0.43 * r)), int(w * (0.18 + 0.32 * c))]
        for r in (0, 1)
        for c in (0, 1, 2)
    ]
    assert all(v < 120 for v in cells)
    assert page[int(h * 0.97), int(w * 0.5)] > 240  # the margin stays paper
    second = np.asarray(doc[1].render(scale=1).to_pil().convert("L"), dtype=int)
    assert second[int(h * 0.3), int(w * 0.18)] < 120 and second[int(h * 0.3), int(w * 0.5)] > 240


def test_storyboard_captions_are_readable_text_and_the_file_mails(tmp_path: Path) -> None:
    """Captions are set as type a reader can read on paper (≥ 8 pt), not drawn into the
    picture at a third of its size; pictures are placed at print resolution, so a board of
    a feature (about a thousand shots) stays a file that mails."""
    from pypdf import PdfReader

    from aiuteur_desktop.core.export import storyboard_pdf
    from aiuteur_desktop.providers.offline import panels

    script = "\n\n".join(
        f"{'INT' if n % 2 else 'EXT'}. ROOM {n} - {'NIGHT' if n % 3 else 'DAY'}\n\n"
        f"ADA waits by door number {n}. BEN{n % 5} (40s) paces.\n\nBEN{n % 5}\nWe should go."
        for n in range(1, 61)
    )
    boards = []
    for shot in timing.breakdown(fountain.read_string(script)):
        spec = timing.to_spec(shot, width=storyboard_pdf.PANEL_PX)
        boards.append(
            storyboard_pdf.Panel.of(
                panels.render_board_frame(spec), spec.shot, storyboard_pdf.caption_for(spec)
            )
        )
    out = tmp_path / "board.pdf"
    pages = storyboard_pdf.write_storyboard(out, "The Keeper", boards)
    assert pages == 10
    assert out.stat().st_size / len(boards) < 25_000  # ~1,000 shots: well under 25 MB
    sizes: set[float] = set()

    def seen(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            sizes.add(round(size * tm[0], 1))

    first = PdfReader(out).pages[0]
    text = first.extract_text(visitor_text=seen)
    assert "SHOT 1A WS · EYE LEVEL · PUSH IN" in text
    assert "EXT. ROOM 6 - DAY" in text and "ADA waits by door number 1." in text
    assert "BEN1: “We should go.”" in text
    assert min(sizes) >= 8
