"""Stage 9 · Prompt Sets in core (issue "Stages 8–9"): canonical separation of frame, video
and scaffold prompts, the scene boundary (sentinels through the Context Manager), frames a
shot takes, hand edits, the sanity checker and model compatibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production import prompt_fit, prompts, visuals
from aiuteur_desktop.core.production.prompts import START_END, START_ONLY, VideoModel
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.provider_api import Capabilities
from aiuteur_desktop.core.screenplay.elements import ACTION, DIALOGUE
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.status import Status
from tests.core.production.test_visuals import storm
from tests.screenplays import play, scripted_project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        yield p


def scenes(project: Project) -> list[str]:
    return ["s1", "s2", "s3"]


def test_dialogue_is_verbatim_in_the_video_prompt_and_in_no_frame_prompt(
    tmp_path: Path,
) -> None:
    for name in ("storm_keeper", "kitchen_heist"):
        with scripted_project(tmp_path / name, name, name) as p:
            masters.extract_into(p)
            script = play(name)
            for sc in script.scenes():
                rows = {s.id: s for s in shot_list.current(p, sc.id)}
                for s in prompts.prompt_sets(p, sc.id):
                    for line in rows[s.shot].dialogue:
                        assert "speaks" in s.video and f': "{line.text}"' in s.video
                        assert line.text not in s.start_frame
                        assert line.text not in (s.end_frame or "")


def test_each_frame_prompt_holds_every_on_screen_look_and_the_location(project: Project) -> None:
    visuals.save(project, "s2", "mara", description="Oilskin coat soaked through.")
    visuals.save(
        project,
        "s2",
        "lighthouse-gallery",
        description="A narrow iron gallery ringed by a salt-eaten railing.",
    )
    rows = {s.id: s for s in shot_list.current(project, "s2")}
    for s in prompts.prompt_sets(project, "s2"):
        for frame in (s.start_frame, s.end_frame):
            if frame is None:
                continue
            assert "MARA: Oilskin coat soaked through." in frame
            assert "Setting: LIGHTHOUSE GALLERY (EXT, NIGHT)." in frame
            assert "salt-eaten railing" in frame
        assert rows[s.shot].characters == ("MARA",)


def test_no_prompt_of_a_scene_holds_another_scenes_script(project: Project) -> None:
    """Sentinels: words each scene's script alone holds — in action that the extraction put
    into a master location's description, and in dialogue."""
    script = play("storm_keeper")
    own: dict[str, set[str]] = {}
    for sc in script.scenes():
        own[sc.id] = {
            e.text
            for e in script.elements[sc.body_start : sc.end]
            if e.type in (ACTION, DIALOGUE) and e.text.strip()
        }
    lamp = masters.read(project, "assets/lighthouse-lamp-room")["description"]
    assert "salt-crusted" in lamp and "trims the wick" in lamp  # scenes 1 and 3 in one text
    sentinels = {"s1": ["trims the wick", "ration the oil"], "s2": ["Zephyrine"], "s3": [
        "salt-crusted", "Quillon", "pours tea"]}  # fmt: skip
    for scene in scenes(project):
        texts = []
        for s in prompts.prompt_sets(project, scene):
            texts += [s.start_frame, s.end_frame or "", s.video]
        blob = "\n".join(texts)
        for other, words in sentinels.items():
            for word in words:
                if other == scene:
                    continue
                assert word not in blob, f"scene {scene}'s prompts hold {word!r} from {other}"
    # And the scene's own script does reach them.
    first = "\n".join(s.start_frame + s.video for s in prompts.prompt_sets(project, "s1"))
    assert "trims the wick" in first and "ration the oil" in first


def test_start_frame_only_shots_have_no_end_frame_prompt(project: Project) -> None:
    sets = {s.shot: s for s in prompts.prompt_sets(project, "s1")}
    assert sets["D"].frames == START_ONLY and sets["D"].end_frame is None  # a static line
    assert sets["A"].frames == START_END and sets["A"].end_frame.startswith("End frame of shot 1A")
    assert "end" not in prompts.as_json(sets["D"])["frame_prompts"]
    # The filmmaker can anchor a shot at both ends, or only at its start.
    both = prompts.set_frames(project, "s1", "D", START_END)
    assert both.end_frame and both.frames_label == "Start + end frames"
    start = prompts.set_frames(project, "s1", "A", START_ONLY)
    assert start.end_frame is None


def test_the_video_prompt_follows_the_veo_layout(project: Project) -> None:
    s = prompts.one(project, "s1", "B")
    assert s.video.startswith("[MCU, eye level, static camera] MARA: Thunder CRACKS.")
    assert "Style: as the anchor frames show. Audio: Thunder cracks; rain lashes the glass." in (
        s.video
    )
    assert 'Character MARA speaks (voice: low, steady alto): "Hold steady, old girl."' in s.video
    assert s.video.endswith("Timing: 4 seconds.")
    # Looks stay in the frames: the video prompt keeps a character's name, not her coat.
    a = prompts.one(project, "s1", "A")
    assert "oilskin" not in a.video and "oilskin" in a.start_frame


def test_the_scaffold_is_hidden_unless_asked_for(project: Project) -> None:
    s = prompts.one(project, "s1", "A")
    scaffold = prompts.scaffold()
    plain = json.dumps(prompts.as_json(s))
    assert "scaffold" not in plain and scaffold["frame"][:40] not in plain
    assert scaffold["video"][:40] not in plain
    shown = prompts.as_json(prompts.one(project, "s1", "A", with_scaffold=True), with_scaffold=True)
    assert shown["scaffold"]["frame"].startswith("You render one still frame")
    assert s.templates == ("frame.prompt@1", "video.prompt@1")


def test_hand_edits_are_kept_flagged_and_reset(project: Project) -> None:
    prompts.assemble(project, "s1")
    edited = prompts.edit_frame(project, "s1", "A", "Start frame: a harsh fluorescent room.")
    assert edited.manual_frame and edited.start_frame == "Start frame: a harsh fluorescent room."
    video = prompts.edit_video(project, "s1", "B", "[MCU] MARA wearing a red scarf. Audio: rain.")
    assert video.manual_video
    # Sanity: looks in the video prompt, and a line that is no longer in it.
    assert any("describes looks (red, wearing)" in w for w in video.warnings)
    assert any("missing 1 line of dialogue: “Hold steady, old girl.”" in w for w in video.warnings)
    # Upstream edits and re-assembly keep them …
    visuals.save(project, "s1", "mara", description="Oilskin coat, a lantern in hand.")
    prompts.assemble(project, "s1")
    again = {s.shot: s for s in prompts.prompt_sets(project, "s1")}
    assert again["A"].start_frame == "Start frame: a harsh fluorescent room."
    assert again["B"].video.startswith("[MCU] MARA wearing")
    assert again["C"].status == Status.UP_TO_DATE
    # … until reset.
    reset = prompts.reset_frame(project, "s1", "A")
    assert not reset.manual_frame and "Oilskin coat, a lantern in hand." in reset.start_frame
    assert not prompts.reset_video(project, "s1", "B").warnings


def test_model_compatibility_and_what_a_model_cannot_render(project: Project) -> None:
    veo = VideoModel(
        "google:veo", "Veo", Capabilities(video=True, end_frame=True, max_duration=8.0, audio=True)
    )
    short = VideoModel("other:short", "Short Model", Capabilities(video=True, max_duration=4.0))
    sets = {
        s.shot: s for s in prompts.prompt_sets(project, "s1", [veo, short], chosen="other:short")
    }
    assert sets["A"].compatible == ("google:veo",)  # 8 s, start and end frames
    assert any("Short Model renders at most 4 s; this shot is 8 s" in w for w in sets["A"].warnings)
    assert any("takes a start frame only" in w for w in sets["A"].warnings)
    assert any("makes no sound" in w for w in sets["B"].warnings)
    assert sets["D"].compatible == ("google:veo",)  # a line needs audio
    # The lamp room's look, as extraction wrote it, names Mara: Aiuteur's own text is not
    # a character put in the frame — no warning. A hand edit naming her is.
    assert "MARA" in sets["C"].start_frame.upper()
    assert not any("not in this shot" in w for w in sets["C"].warnings)
    edited = prompts.edit_frame(
        project, "s1", "C", sets["C"].start_frame + " Mara watches from the stairs."
    )
    assert any("names MARA, not in this shot" in w for w in edited.warnings)


def test_a_name_inside_the_shots_own_place_is_not_a_stray_character() -> None:
    """BRICK'S PATIO names Brick's patio, not Brick: no warning for the place's own name."""
    from aiuteur_desktop.core.production.shots import timing
    from aiuteur_desktop.core.store.status import Status

    shot = timing.Shot(
        1, "1", "A", 4, 2.0, "EXT. BRICK'S PATIO - DAY", "EXT", "BRICK'S PATIO", "DAY",
        "Steel sits.", characters=("STEEL",), place="BRICK'S PATIO",
    )  # fmt: skip
    cast = {"BRICK": "BRICK", "STEEL": "STEEL"}

    def warned(frame: str) -> bool:
        s = prompts.PromptSet(
            "A", "1A", prompts.START_ONLY, frame, None, "Steel sits.", False, False,
            Status.MISSING, (),
        )  # fmt: skip
        return any("not in this shot" in w for w in prompt_fit.sanity(s, shot, cast, None))

    assert not warned("Start frame: BRICK'S PATIO (EXT, DAY). STEEL sits in a deck chair.")
    assert warned("Start frame: BRICK'S PATIO (EXT, DAY). STEEL sits; BRICK grills.")


def test_audio_cues_are_the_sounds_not_the_sentences_they_sit_in() -> None:
    from aiuteur_desktop.core.production.shots import timing

    def cues(action: str) -> list[str]:
        shot = timing.Shot(1, "1", "A", 8, 7.0, "INT. HALL - NIGHT", "INT", "HALL", "NIGHT", action)
        return prompts.sound_cues(shot, ["MARA"])

    assert cues("Thunder CRACKS.") == ["Thunder cracks"]
    assert cues(
        "A door SLAMS somewhere down the hall as MARA runs to the window and looks out at the "
        "dark sea beyond the rocks."
    ) == ["A door slams somewhere down the hall"]
    assert cues("MARA trims the wick and rations the oil.") == []  # a name is not a sound
