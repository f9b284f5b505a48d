"""A character's voice profile (issue "Voice Gallery"): saved on the master asset, read back
whatever a hand wrote, given to renders by every name the script calls the character, kept
to the shot's own speakers in its spec, and described to the video model only."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.assets.voices import OfflineVoice, Profile
from aiuteur_desktop.core.production import prompts
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.store import Project
from tests.core.production.test_visuals import storm


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        yield p


def test_a_profile_is_saved_on_the_character_and_read_back(project: Project) -> None:
    assert voices.of(masters.read(project, "assets/eli")) == Profile()
    chosen = Profile("Reedy, quick; Cornish", OfflineVoice(slot=2, pitch=30, speed=140))
    assert voices.save(project, "assets/eli", chosen)
    assert voices.of(masters.read(project, "assets/eli")) == chosen
    assert not voices.save(project, "assets/eli", chosen)  # nothing changed: no edit
    # Spacing typed into the description is not a change either (no edit at every save).
    spaced = Profile("Reedy,  quick;\tCornish ", chosen.offline)
    assert not voices.save(project, "assets/eli", spaced)
    # Back to the name's own voice: nothing stored, nothing given to renders.
    voices.save(project, "assets/eli", Profile("Reedy, quick; Cornish"))
    assert masters.read(project, "assets/eli")["voice_offline"] == {}
    assert "ELI" not in voices.offline_voices(project)


def test_a_hand_written_profile_is_brought_into_range() -> None:
    assert OfflineVoice.from_json({"slot": 99, "pitch": -4, "speed": 5000}) == OfflineVoice(
        slot=7, pitch=0, speed=320
    )
    assert OfflineVoice.from_json({"slot": "deep", "pitch": True, "speed": None}) == (
        OfflineVoice()
    )
    assert OfflineVoice.from_json(["not", "a", "profile"]) == OfflineVoice()


def test_renders_find_the_voice_by_every_name_of_the_character(project: Project) -> None:
    masters.update(project, "assets/mara", aliases=["OLD MARA"])
    voices.save(project, "assets/mara", Profile("low", OfflineVoice(slot=6, pitch=20)))
    chosen = voices.offline_voices(project)
    assert chosen["MARA"] == chosen["OLD MARA"] == {"slot": 6, "pitch": 20, "speed": 165}


def test_a_shots_spec_carries_only_its_own_speakers_voices(project: Project) -> None:
    voices.save(project, "assets/mara", Profile("", OfflineVoice(slot=6, pitch=20)))
    voices.save(project, "assets/eli", Profile("", OfflineVoice(slot=1, speed=200)))
    chosen = voices.offline_voices(project)
    rows = shot_list.current(project, "s1")
    for shot in rows:
        spec = timing.to_spec(shot, voices=chosen)
        speakers = {d.character.upper() for d in shot.dialogue}
        assert set(spec.voices) == speakers & {"MARA", "ELI"}
    eli = next(s for s in rows if any(d.character == "ELI" for d in s.dialogue))
    assert timing.to_spec(eli, voices=chosen).voices["ELI"].speed == 200


def test_the_voice_is_described_in_every_video_prompt_where_they_speak_and_in_no_frame(
    project: Project,
) -> None:
    voices.save(project, "assets/eli", Profile("reedy and quick, a Cornish lilt"))
    spoke = 0
    for scene in ("s1", "s2", "s3"):
        rows = {s.id: s for s in shot_list.current(project, scene)}
        for s in prompts.prompt_sets(project, scene):
            speaks = any(d.character == "ELI" for d in rows[s.shot].dialogue)
            spoke += speaks
            assert ("reedy and quick, a Cornish lilt" in s.video) == speaks
            assert "Cornish" not in s.start_frame and "Cornish" not in (s.end_frame or "")
    assert spoke >= 1


def test_a_voice_travels_through_the_global_asset_library(project: Project, tmp_path: Path) -> None:
    from aiuteur_desktop.core.assets.library import AssetLibrary

    chosen = Profile(
        "low, steady alto",
        OfflineVoice(slot=5, pitch=35, speed=150),
        voices.CloudVoice("elevenlabs:eleven_multilingual_v2", "21m00Tcm4TlvDq8ikWAM"),
    )
    voices.save(project, "assets/mara", chosen)
    library = AssetLibrary(tmp_path / "home")
    promoted = library.promote(project, "assets/mara")
    with storm(tmp_path / "other") as other:
        masters.remove(other, "assets/mara")
        path = library.use_in(other, promoted.id)
        assert voices.of(masters.read(other, path)) == chosen
