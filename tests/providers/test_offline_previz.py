"""Offline previz engines: deterministic panels, framing, region edits, animatic clips, speech."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from aiuteur_desktop.core.production.shots import spec as shotspec
from aiuteur_desktop.providers.offline import animatic, cards, panels, region_edit, tts

BASE = {
    "heading": "INT. LIGHTHOUSE LAMP ROOM - NIGHT",
    "width": 320,
    "duration": 1.0,
    "fps": 24,
    "shot_size": "MS",
    "move": "static",
    "action": "Mara trims the wick.",
    "characters": [{"name": "Mara", "position": "center"}],
}


def spec(**changes: object) -> shotspec.ShotSpec:
    return shotspec.parse({**BASE, **changes})


def png_bytes(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def figure_pixels(s: shotspec.ShotSpec) -> int:
    """How much of the frame the people cover: pixels unlike the same shot with nobody in it
    (a figure has hair and, close up, a face, besides its body's colour)."""
    arr = np.asarray(panels.render_anchor(s), dtype=np.int16)
    empty = np.asarray(panels.render_anchor(s.model_copy(update={"characters": []})), np.int16)
    return int((np.abs(arr - empty).max(axis=-1) > 8).sum())


def decode(path: Path) -> tuple[list[np.ndarray], av.container.InputContainer]:
    container = av.open(str(path))
    frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames, container


def audio_samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().ravel() for f in c.decode(audio=0)])


def test_panels_are_byte_deterministic() -> None:
    s = spec(move="push-in", dialogue=[{"character": "MARA", "text": "Keep it burning."}])
    assert png_bytes(panels.render_panel(s)) == png_bytes(panels.render_panel(s))
    assert png_bytes(panels.render_anchor(s, "end")) == png_bytes(panels.render_anchor(s, "end"))
    other = spec(move="push-in", heading="EXT. CLIFF - DAY")
    assert png_bytes(panels.render_panel(other)) != png_bytes(panels.render_panel(s))


def test_shot_size_sets_the_figure_scale() -> None:
    sizes = ["EWS", "WS", "MS", "MCU", "CU"]
    pixels = [figure_pixels(spec(shot_size=size)) for size in sizes]
    assert pixels == sorted(pixels) and len(set(pixels)) == len(pixels), pixels
    heights = [panels.layout(spec(shot_size=size))[0].height for size in sizes]
    assert heights == sorted(heights)


def test_blocking_places_characters_left_to_right_and_back_to_front() -> None:
    s = spec(
        characters=[
            {"name": "Ade", "position": "right", "depth": "background"},
            {"name": "Mara", "position": "left"},
        ]
    )
    figs = {f.name: f for f in panels.layout(s)}
    assert figs["MARA"].x < 0.5 < figs["ADE"].x
    assert figs["ADE"].height < figs["MARA"].height
    assert [f.name for f in panels.layout(s)] == ["ADE", "MARA"]  # background drawn first


def test_region_edit_changes_only_the_masked_pixels() -> None:
    s = spec()
    image = panels.render_anchor(s)
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rectangle([40, 30, 160, 120], fill=255)
    edited = region_edit.edit_region(image, mask, "add a storm lantern on the table", s)
    outside = np.asarray(mask) == 0
    before, after = np.asarray(image), np.asarray(edited)
    assert np.array_equal(before[outside], after[outside])
    assert not np.array_equal(before[~outside], after[~outside])
    empty = region_edit.edit_region(image, Image.new("L", image.size, 0), "anything", s)
    assert ImageChops.difference(empty, image).getbbox() is None


def test_clip_has_the_frames_size_and_streams_asked_for(tmp_path: Path) -> None:
    s = spec(duration=1.5, fps=24, width=320, aspect="4:3")
    info = animatic.render_clip(s, tmp_path / "clip.mp4", speech=False)
    frames, container = decode(tmp_path / "clip.mp4")
    with container:
        assert abs(len(frames) - 36) <= 1
        assert frames[0].shape == (240, 320, 3)
        assert [st.type for st in container.streams] == ["video", "audio"]
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
    assert (info.width, info.height, info.frames) == (320, 240, 36)
    assert not list(tmp_path.glob(".*.part"))


def test_push_in_magnifies_the_centre(tmp_path: Path) -> None:
    s = spec(move="push-in", width=480, duration=1.0, characters=[{"name": "Mara"}])
    animatic.render_clip(s, tmp_path / "clip.mp4", speech=False)
    frames, container = decode(tmp_path / "clip.mp4")
    container.close()
    first, last = frames[0].astype(np.float32), frames[-1].astype(np.float32)
    h, w = first.shape[:2]
    zoom = panels.MOVES[shotspec.Move.PUSH_IN][1][2]
    cw, ch = w / zoom, h / zoom
    x0, y0 = int((w - cw) / 2), int((h - ch) / 2)
    centre = np.asarray(
        Image.fromarray(frames[0][y0 : y0 + int(ch), x0 : x0 + int(cw)]).resize((w, h))
    ).astype(np.float32)
    assert np.abs(centre - last).mean() < 0.5 * np.abs(first - last).mean()
    assert np.abs(first - last).mean() > 3  # the move is visible


def test_pan_right_moves_the_picture_left(tmp_path: Path) -> None:
    s = spec(move="pan-right", shot_size="WS", width=480)
    animatic.render_clip(s, tmp_path / "clip.mp4", speech=False)
    frames, container = decode(tmp_path / "clip.mp4")
    container.close()
    figure = np.array(panels.palette_for(s).figure, dtype=np.int16)

    def figure_x(frame: np.ndarray) -> float:
        close = np.all(np.abs(frame.astype(np.int16) - figure) < 24, axis=-1)
        return float(np.nonzero(close)[1].mean())

    assert figure_x(frames[-1]) < figure_x(frames[0]) - 40


def test_different_start_and_end_frames_dissolve(tmp_path: Path) -> None:
    s = spec(width=320)
    red, blue = (
        Image.new("RGB", (640, 360), (220, 30, 30)),
        Image.new("RGB", (640, 360), (30, 30, 220)),
    )
    animatic.render_clip(s, tmp_path / "clip.mp4", start_image=red, end_image=blue, speech=False)
    frames, container = decode(tmp_path / "clip.mp4")
    container.close()
    r0, _, b0 = frames[0].reshape(-1, 3).mean(axis=0)
    r1, _, b1 = frames[-1].reshape(-1, 3).mean(axis=0)
    rm, _, bm = frames[len(frames) // 2].reshape(-1, 3).mean(axis=0)
    assert r0 > 180 and b0 < 70 and b1 > 180 and r1 < 70
    assert 70 < rm < 180 and 70 < bm < 180


def test_without_a_speech_engine_the_clip_is_silent_but_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIUTEUR_NO_TTS", "1")
    assert tts.available() is None
    s = spec(dialogue=[{"character": "MARA", "text": "Keep the lamp burning."}])
    info = animatic.render_clip(s, tmp_path / "clip.mp4")
    assert not info.speech and len(info.cues) == 1
    samples = audio_samples(tmp_path / "clip.mp4")
    assert len(samples) >= 48_000 * 0.9 and np.abs(samples).max() < 1e-3


@pytest.mark.skipif(tts.available() is None, reason="needs espeak-ng (installed by .ci/run)")
def test_scratch_dialogue_is_spoken_during_its_cue(tmp_path: Path) -> None:
    s = spec(
        duration=4.0,
        dialogue=[
            {"character": "MARA", "text": "Keep the lamp burning."},
            {"character": "ADE", "text": "Whatever happens?"},
        ],
    )
    info = animatic.render_clip(s, tmp_path / "clip.mp4")
    assert info.speech
    first, second = info.cues
    assert first.voice != second.voice
    assert 0 < first.start < first.end <= second.start < second.end <= 4.0
    samples = audio_samples(tmp_path / "clip.mp4")
    rate = 48_000
    during = samples[int(first.start * rate) : int(first.end * rate)]
    before = samples[: int(first.start * rate * 0.8)]
    assert np.sqrt((during**2).mean()) > 0.02
    assert np.abs(before).max() < 0.01


def test_voices_are_stable_and_distinct_per_character() -> None:
    mara = tts.voice_index("Mara")
    assert tts.voice_index("MARA") == mara
    assert tts.voice_index("Ade", {mara}) != mara


def test_dialogue_timing_follows_reading_speed_and_fits_the_shot() -> None:
    long = " ".join(["word"] * 26)  # 10 s of reading at 2.6 words/s
    cues = animatic.plan_dialogue(
        spec(
            duration=4.0,
            dialogue=[{"character": "A", "text": long}, {"character": "B", "text": "Hi."}],
        )
    )
    assert cues[-1].end <= 4.0 and cues[0].end - cues[0].start > 2 * (cues[1].end - cues[1].start)


def test_cancelled_render_leaves_nothing(tmp_path: Path) -> None:
    """Cancel once the drawing (in its own process) is under way: it stops, nothing is left."""
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    long = spec(duration=8.0, width=1280, move="push-in")  # a second or so to draw
    with pytest.raises(animatic.Cancelled):
        animatic.render_clip(long, tmp_path / "clip.mp4", speech=False, cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []
    # In this process too (the drawing process runs the same code), checked every frame.
    calls.clear()
    with pytest.raises(animatic.Cancelled):
        animatic._render_clip(spec(), tmp_path / "clip.mp4", speech=False, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_one(tmp_path: Path) -> None:
    seen: list[float] = []
    animatic._render_clip(spec(), tmp_path / "clip.mp4", speech=False, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    # From the drawing process: read as it goes, in order, ending at 1.0.
    seen.clear()
    animatic.render_clip(spec(), tmp_path / "again.mp4", speech=False, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_asset_cards_follow_the_description() -> None:
    card = cards.render_card(
        "character", "Mara", "Keeper in a red coat and grey scarf.", ["60 years old"]
    )
    assert card.size == (768, 1024)
    pixels = {tuple(p) for p in np.asarray(card).reshape(-1, 3)[::7]}
    assert (0xB8, 0x32, 0x2C) in pixels  # the red swatch
    again = cards.render_card(
        "character", "Mara", "Keeper in a red coat and grey scarf.", ["60 years old"]
    )
    assert png_bytes(card) == png_bytes(again)
    for kind in ("prop", "location"):
        assert cards.render_card(kind, "Lamp", "A brass storm lantern.").size == (768, 1024)
    with pytest.raises(ValueError):
        cards.render_card("vehicle", "Boat", "")


def test_spec_aliases_and_errors() -> None:
    s = shotspec.parse(
        {"heading": "EXT. SEA - DUSK", "move": "Push In", "angle": "eye level", "shot_size": "cu"}
    )
    assert (s.move, s.angle, s.shot_size) == ("push-in", "eye", "CU")
    assert s.time_of_day == "DUSK" and not s.interior
    assert spec(aspect="2.39:1", width=1280).size == (1280, 536)
    with pytest.raises(shotspec.SpecError, match="missing required key “heading”"):
        shotspec.parse({"width": 100})
    with pytest.raises(shotspec.SpecError, match=r"characters\.0\.position"):
        shotspec.parse({**BASE, "characters": [{"name": "X", "position": "upstage"}]})
    with pytest.raises(shotspec.SpecError, match="JSON object"):
        shotspec.parse([1, 2])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiuteur_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_renders_a_shot_and_refuses_bad_specs(tmp_path: Path) -> None:
    good = tmp_path / "shot.json"
    good.write_text(json.dumps({**BASE, "move": "push-in", "a_future_key": True}))
    result = run_cli("previz", "shot", str(good), "-o", str(tmp_path / "out"), "--no-speech")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "clip.mp4",
        "end.png",
        "panel.png",
        "start.png",
    ]
    with Image.open(tmp_path / "out" / "start.png") as im:
        assert im.size == (320, 180)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**BASE, "shot_size": "XL"}))
    result = run_cli("previz", "shot", str(bad), "-o", str(tmp_path / "x"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "shot_size" in result.stderr
    bad.write_text("{not json")
    result = run_cli("previz", "shot", str(bad), "-o", str(tmp_path / "x"))
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    assert not (tmp_path / "x").exists()


def test_image_keys_become_cut_outs_and_locations_backgrounds(tmp_path: Path) -> None:
    key = tmp_path / "mara.png"
    Image.new("RGB", (200, 400), (20, 200, 40)).save(key)
    place = tmp_path / "room.png"
    Image.new("RGB", (400, 300), (200, 40, 200)).save(place)
    s = spec(
        characters=[{"name": "Mara", "image": str(key)}],
        location_image=str(place),
        shot_size="WS",
    )
    arr = np.asarray(panels.render_anchor(s)).astype(int)
    green = (arr[..., 1] > 150) & (arr[..., 0] < 60)
    assert green.sum() > 500  # the key, cut to a figure's shape
    corner = arr[:20, :20].reshape(-1, 3).mean(axis=0)
    assert corner[0] > 100 and corner[2] > 100 and corner[1] < 80  # the location, knocked back
    missing = spec(characters=[{"name": "Mara", "image": str(tmp_path / "gone.png")}])
    assert figure_pixels(missing) > 0  # a missing key falls back to the drawn figure


def test_offline_providers_record_provenance_at_no_cost(tmp_path: Path) -> None:
    from aiuteur_desktop.providers.offline.provider import OfflineAnimatic, OfflineStoryboard

    board, video = OfflineStoryboard(), OfflineAnimatic()
    s = spec(move="push-in")
    start, end = board.frame(s, "start"), board.frame(s, "end")
    assert start.provenance["cost"] == 0.0 and start.provenance["provider"] == "offline"
    assert start.provenance["parameters"]["spec"]["move"] == "push-in"
    assert start.data.startswith(b"\x89PNG") and start.data != end.data
    mask = Image.new("L", (320, 180), 0)
    ImageDraw.Draw(mask).rectangle([10, 10, 50, 50], fill=255)
    edited = board.region_edit(start.data, png_bytes(mask), "add a lantern", s)
    assert edited.provenance["parameters"]["instruction"] == "add a lantern"
    clip = video.render(s, tmp_path / "c.mp4", start_png=start.data, end_png=end.data)
    assert clip.path == tmp_path / "c.mp4" and clip.path.stat().st_size > 1000
    assert clip.provenance["model"] == "animatic" and clip.info["frames"] == 24
    assert video.capabilities.end_frame and video.capabilities.audio


def _whose(*, progress=None, cancelled=None) -> int:  # type: ignore[no-untyped-def]
    return os.getpid()


def _niceness(*, progress=None, cancelled=None) -> int:  # type: ignore[no-untyped-def]
    return os.nice(0)


def _broken(*, progress=None, cancelled=None) -> int:  # type: ignore[no-untyped-def]
    raise ValueError("no canvas")


def test_frames_and_clips_are_drawn_in_a_process_of_their_own() -> None:
    """The drawing never holds the window's process (its GIL); what it raises comes back as
    a sentence, and the process draws the next one."""
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.providers.offline import drawing

    assert drawing.call(_whose) != os.getpid()
    with pytest.raises(AiuteurError, match="offline engine failed: ValueError: no canvas"):
        drawing.call(_broken)
    assert drawing.call(_whose) != os.getpid()
    # It draws at a lower priority than the window's process: the window gets the CPU first.
    assert drawing.call(_niceness) == min(19, os.nice(0) + drawing.NICENESS)
