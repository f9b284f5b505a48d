"""Speech as WAV: 16-bit PCM read into mono float samples at the rate asked for (linear
resampling is plenty for speech), and mono float samples written back — the scratch voices,
the lines in cloud voices, the player and the stems all go through here."""

from __future__ import annotations

import io
import wave
from typing import TYPE_CHECKING

from aiuteur_desktop.core.app.lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
else:  # loaded with the first sound, not with the pages that name one
    np = LazyModule("numpy")


def read_mono(data: bytes, rate: int) -> np.ndarray:
    """A 16-bit PCM WAV as mono float32 samples in [-1, 1] at `rate` (channels averaged).
    ValueError (or wave.Error, EOFError) for anything else."""
    with wave.open(io.BytesIO(data)) as w:
        channels, width, own = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width != 2 or own <= 0:
        raise ValueError("only 16-bit speech is expected")
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(1)
    if own != rate and len(samples):
        at = np.linspace(0, len(samples) - 1, round(len(samples) * rate / own))
        samples = np.interp(at, np.arange(len(samples)), samples)
    return samples.astype(np.float32)


def write_mono(samples: np.ndarray, rate: int) -> bytes:
    """Mono float samples as a 16-bit PCM WAV (clipped to [-1, 1])."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()
