"""Scratch dialogue from the operating system's own speech engine.

espeak-ng (Linux, and anywhere it is installed), `say` on macOS, SAPI through
PowerShell on Windows. Each character gets a stable voice of their own. When no
engine exists, `available()` is None and callers render silence — a missing
voice never fails a render.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 48_000

#: espeak-ng voice variants that sound clearly different from each other.
_ESPEAK_VOICES = [
    ("en-gb+f3", 55),
    ("en-us+m3", 40),
    ("en-gb+m7", 30),
    ("en-us+f4", 65),
    ("en+m1", 50),
    ("en-us+f2", 45),
    ("en+m5", 35),
    ("en-gb+f1", 60),
]
_SAY_VOICES = ["Samantha", "Daniel", "Karen", "Alex", "Moira", "Fred", "Tessa", "Rishi"]


@dataclass(frozen=True)
class Engine:
    name: str
    command: str


def available() -> Engine | None:
    """The speech engine this machine has, if any."""
    if os.environ.get("AIUTEUR_NO_TTS"):
        return None
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if espeak:
        return Engine("espeak-ng", espeak)
    if sys.platform == "darwin" and shutil.which("say"):
        return Engine("say", shutil.which("say") or "say")
    if sys.platform == "win32" and shutil.which("powershell"):
        return Engine("sapi", shutil.which("powershell") or "powershell")
    return None


def voice_index(character: str, taken: set[int] | None = None) -> int:
    """A stable voice per character name; the next free one when a scene partner has it."""
    key = " ".join(character.upper().split())
    idx = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % len(_ESPEAK_VOICES)
    taken = taken or set()
    for step in range(len(_ESPEAK_VOICES)):
        candidate = (idx + step) % len(_ESPEAK_VOICES)
        if candidate not in taken:
            return candidate
    return idx


def _run(args: list[str], timeout: float = 30) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=timeout)


#: Spoken lines kept by what made them (engine, voice, pitch, speed, words): a voice changed
#: in Stage 5 speaks only that character's lines again. Bounded by count, oldest first.
CACHE_VERSION = 1
CACHE_LINES = 6000
_written = [0]


def _cache_folder() -> Path:
    from aiuteur_desktop.core.app import paths

    return paths.cache_dir() / "speech"


def _line_key(engine: Engine, voice: int, pitch: int | None, speed: int | None, text: str) -> str:
    what = f"{CACHE_VERSION}|{engine.name}|{voice}|{pitch}|{speed}|{text}"
    return hashlib.sha256(what.encode()).hexdigest()[:40]


def _keep(key: str, wav: bytes) -> None:
    """Best effort: a cache that cannot be written only means speaking the line again."""
    folder = _cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.part"
        tmp.write_bytes(wav)
        tmp.replace(folder / f"{key}.wav")
        _written[0] += 1
        if _written[0] % 200 == 0:
            _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    lines = list(folder.glob("*.wav"))
    if len(lines) <= CACHE_LINES:
        return
    lines.sort(key=lambda f: f.stat().st_mtime)
    for old in lines[: len(lines) - CACHE_LINES * 3 // 4]:
        old.unlink(missing_ok=True)


def speak(
    text: str,
    voice: int,
    engine: Engine | None = None,
    *,
    pitch: int | None = None,
    speed: int | None = None,
) -> np.ndarray | None:
    """Mono float32 samples at SAMPLE_RATE, or None when there is no engine or it fails.
    `voice` is one of the engine's voices (core.assets.voices.SLOTS), `pitch` 0–99 (None:
    the voice's own), `speed` in words per minute (None: the engine's pace)."""
    engine = engine or available()
    text = " ".join(text.split())
    if engine is None or not text:
        return None
    key = _line_key(engine, voice % len(_ESPEAK_VOICES), pitch, speed, text)
    kept = _cache_folder() / f"{key}.wav"
    try:
        return read_wav(kept.read_bytes())
    except (OSError, wave.Error, ValueError, EOFError):
        pass  # not spoken yet (or a damaged copy): speak it
    wav = synthesize(engine, text, voice, pitch=pitch, speed=speed)
    if wav is None:
        return None
    try:
        samples = read_wav(wav)
    except (wave.Error, ValueError, EOFError):
        return None
    _keep(key, wav)
    return samples


def synthesize(
    engine: Engine, text: str, voice: int, *, pitch: int | None = None, speed: int | None = None
) -> bytes | None:
    """The engine's WAV of one line (no cache), or None when it fails."""
    with tempfile.TemporaryDirectory(prefix="aiuteur-tts-") as tmp:
        out = Path(tmp) / "line.wav"
        try:
            if engine.name == "espeak-ng":
                name, own_pitch = _ESPEAK_VOICES[voice % len(_ESPEAK_VOICES)]
                _run(
                    [
                        engine.command,
                        "-v",
                        name,
                        "-p",
                        str(own_pitch if pitch is None else pitch),
                        "-s",
                        str(speed or 165),
                        "-w",
                        str(out),
                        "--",
                        text,
                    ]
                )
            elif engine.name == "say":  # (pitch is the voice's own: `say` has no setting)
                name = _SAY_VOICES[voice % len(_SAY_VOICES)]
                rate = ["-r", str(speed)] if speed else []
                _run(
                    [
                        engine.command,
                        "-v",
                        name,
                        *rate,
                        "-o",
                        str(out),
                        "--file-format=WAVE",
                        "--data-format=LEI16@22050",
                        text,
                    ]
                )
            else:
                rate = max(-10, min(10, round(((speed or 165) - 165) / 15)))
                script = (
                    "Add-Type -AssemblyName System.Speech; "
                    "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
                    f"$v = $s.GetInstalledVoices(); if ($v.Count -gt 0) {{ $s.SelectVoice($v[{voice} % $v.Count].VoiceInfo.Name) }}; "
                    f"$s.Rate = {rate}; "
                    f"$s.SetOutputToWaveFile('{out}'); $s.Speak([Console]::In.ReadToEnd()); $s.Dispose()"
                )
                subprocess.run(
                    [engine.command, "-NoProfile", "-Command", script],
                    input=text.encode(),
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
            return out.read_bytes()
        except (OSError, subprocess.SubprocessError):
            return None


def read_wav(data: bytes) -> np.ndarray:
    """PCM WAV bytes as mono float32 at SAMPLE_RATE."""
    from aiuteur_desktop.core.media import wav

    return wav.read_mono(data, SAMPLE_RATE)


def wav_bytes(samples: np.ndarray) -> bytes:
    """Mono float samples at SAMPLE_RATE as 16-bit PCM WAV."""
    from aiuteur_desktop.core.media import wav

    return wav.write_mono(samples, SAMPLE_RATE)
