"""The offline voices of Stage 5's Voice Gallery, heard (issue "Voice Gallery"): a character's
chosen voice, pitch and speed reach the scratch stems; each spoken line is kept by what made
it, so changing one character's voice speaks only their lines again."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from aiuteur_desktop.core.assets import voices
from aiuteur_desktop.core.assets.voices import OfflineVoice, Profile
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.offline import animatic, tts
from aiuteur_desktop.providers.offline.jobs import scratch_dialogue
from tests.core.production.test_visuals import storm

needs_engine = pytest.mark.skipif(
    tts.available() is None, reason="needs espeak-ng (installed by .ci/run)"
)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        yield p


def median_pitch(samples: np.ndarray, rate: int = tts.SAMPLE_RATE) -> float:
    """The median fundamental (Hz) of the voiced stretches: each 40 ms frame's strongest
    autocorrelation lag between 60 and 400 Hz."""
    size, found = int(rate * 0.04), []
    for start in range(0, len(samples) - size, size // 2):
        frame = samples[start : start + size]
        if np.sqrt((frame**2).mean()) < 0.03:
            continue  # silence or a breath
        frame = frame - frame.mean()
        spectrum = np.fft.rfft(frame, 2 * size)
        corr = np.fft.irfft(spectrum * np.conj(spectrum))[:size]
        low, high = rate // 400, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:  # voiced: strongly periodic
            found.append(rate / lag)
    assert len(found) > 10, "too little voiced speech to measure"
    return float(np.median(found))


def wav_samples(path: str) -> np.ndarray:
    with wave.open(path) as w:
        raw = w.readframes(w.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def speaking(project: Project, name: str) -> list:  # type: ignore[type-arg]
    return [
        s
        for scene in ("s1", "s2", "s3")
        for s in shot_list.current(project, scene)
        if s.dialogue and all(d.character == name for d in s.dialogue)
    ]


@needs_engine
def test_two_characters_with_different_profiles_have_stems_apart_in_pitch(
    project: Project, tmp_path: Path
) -> None:
    # The same engine voice for both, pitched apart in the Voice Gallery.
    voices.save(project, "assets/mara", Profile("", OfflineVoice(slot=4, pitch=15)))
    voices.save(project, "assets/eli", Profile("", OfflineVoice(slot=4, pitch=85)))
    chosen = voices.offline_voices(project)
    mara, eli = speaking(project, "MARA")[0], speaking(project, "ELI")[0]
    stems = scratch_dialogue([mara, eli], str(tmp_path / "stems"), voices=chosen)
    assert all(stems)
    low, high = (median_pitch(wav_samples(s)) for s in stems if s)
    assert high >= low * 1.15, (low, high)


@needs_engine
def test_a_chosen_speed_makes_the_line_longer_or_shorter() -> None:
    engine = tts.available()
    assert engine is not None
    line = "Keep the lamp burning until the boat is home."
    slow = tts.speak(line, 1, engine, speed=110)
    fast = tts.speak(line, 1, engine, speed=260)
    assert slow is not None and fast is not None
    assert len(slow) > 1.6 * len(fast)


@needs_engine
def test_changing_one_characters_voice_speaks_only_their_lines_again(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spoken: list[str] = []
    real = tts.synthesize

    def counted(engine, text, voice, **how):  # type: ignore[no-untyped-def]
        spoken.append(text)
        return real(engine, text, voice, **how)

    monkeypatch.setattr(tts, "synthesize", counted)
    rows = [s for scene in ("s1", "s2", "s3") for s in shot_list.current(project, scene)]
    lines = [d for s in rows for d in s.dialogue]
    eli_lines = {d.text for d in lines if d.character == "ELI"}
    assert eli_lines and len(eli_lines) < len({d.text for d in lines})

    scratch_dialogue(rows, str(tmp_path / "one"), voices=voices.offline_voices(project))
    assert len(spoken) == len({(d.character, d.text) for d in lines})
    spoken.clear()
    scratch_dialogue(rows, str(tmp_path / "two"), voices=voices.offline_voices(project))
    assert spoken == []  # nothing changed: every line is reused

    voices.save(project, "assets/eli", Profile("", OfflineVoice(slot=2, pitch=25)))
    stems = scratch_dialogue(rows, str(tmp_path / "three"), voices=voices.offline_voices(project))
    assert set(spoken) == eli_lines and len(spoken) == len(eli_lines)
    assert sum(1 for s in stems if s) == sum(1 for s in rows if s.dialogue)


def test_a_chosen_engine_voice_is_the_characters_and_a_partner_avoids_it() -> None:
    spec = ShotSpec.model_validate(
        {
            "heading": "INT. LAMP ROOM - NIGHT",
            "dialogue": [
                {"character": "Mara", "text": "Hold steady."},
                {"character": "ELI", "text": "Always."},
            ],
            "voices": {"MARA": {"slot": tts.voice_index("ELI"), "pitch": 12, "speed": 120}},
        }
    )
    mara, eli = animatic.plan_dialogue(spec)
    assert (mara.voice, mara.pitch, mara.speed) == (tts.voice_index("ELI"), 12, 120)
    assert eli.voice != mara.voice and eli.pitch is None and eli.speed is None
