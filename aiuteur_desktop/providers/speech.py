"""Cloud voices (Stage 5's Voice Gallery): one line spoken per request by OpenAI's speech
models (the openai SDK), Gemini's text-to-speech models (google-genai) or ElevenLabs (its
REST API over the app's HTTP client). Each answers 16-bit mono WAV; errors say, by their
kind, whether the provider may have taken (and billed) the request."""

from __future__ import annotations

import io
import wave
from typing import Any

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Spoken
from aiuteur_desktop.providers.connections import (
    ELEVENLABS_API,
    map_google_error,
    map_openai_error,
    openai_http_client,
)
from aiuteur_desktop.providers.http_video import HttpVideo

#: A line's answer larger than this is refused rather than held (a minute of 48 kHz audio
#: is under 6 MB).
MAX_AUDIO_BYTES = 64 << 20
#: The PCM rate asked of ElevenLabs and answered by Gemini.
PCM_RATE = 24_000
#: How long a line's answer may take (seconds); a later one may still be billed.
TIMEOUT_S = 60.0


def wav_of_pcm(pcm: bytes, rate: int) -> Spoken:
    """Raw 16-bit little-endian mono PCM as WAV."""
    if not pcm or len(pcm) > MAX_AUDIO_BYTES:
        raise ProviderError("bad_output", "The voice answered without a usable sound.")
    pcm = pcm[: len(pcm) // 2 * 2]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return Spoken(out.getvalue(), len(pcm) / 2 / rate)


def checked_wav(data: bytes, where: str) -> Spoken:
    """A WAV answer as it came, or ProviderError("unknown"): something that is not sound
    arrived where sound was due (a gateway's page) — the request may have been taken."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            frames, rate = w.getnframes(), w.getframerate()
            if w.getsampwidth() != 2 or rate <= 0:
                raise wave.Error("not 16-bit PCM")
    except (wave.Error, EOFError) as exc:
        raise ProviderError(
            "unknown", f"{where} answered with something that is not the line's sound."
        ) from exc
    # (OpenAI streams its WAV: the header's length may be unknown; count the bytes instead)
    seconds = frames / rate if 0 < frames < 1 << 30 else max(0, len(data) - 44) / 2 / rate
    return Spoken(data, seconds)


class OpenAISpeech:
    """`SpeechProvider` for OpenAI's speech models (gpt-4o-mini-tts takes `style` as its
    instructions; tts-1 and tts-1-hd do not)."""

    id = "openai"

    def __init__(self, api_key: str, base_url: str | None = None, *, timeout: float | None = None):
        import openai

        self.client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url or None,
            max_retries=0,  # a paid call is never sent again behind the app's back
            timeout=timeout or TIMEOUT_S,
            http_client=openai_http_client(),
        )

    def speak(self, text: str, voice: str, model: str, *, style: str = "") -> Spoken:
        import openai

        extra: dict[str, Any] = {}
        if style and not model.startswith("tts-1"):
            extra["instructions"] = f"Voice: {style}"
        try:
            answer = self.client.audio.speech.create(
                model=model, voice=voice, input=text, response_format="wav", **extra
            )
            data = answer.read()
        except openai.OpenAIError as exc:
            raise map_openai_error(exc, "OpenAI") from exc
        if len(data) > MAX_AUDIO_BYTES:
            raise ProviderError("bad_output", "OpenAI sent more than a line's sound.")
        return checked_wav(data, "OpenAI")


class GeminiSpeech:
    """`SpeechProvider` for Gemini's text-to-speech models: a prebuilt voice by name
    ("Kore", "Puck"…); the style is said before the line, as the Gemini API asks."""

    id = "google"

    def __init__(self, api_key: str, base_url: str | None = None, *, timeout: float | None = None):
        from google import genai
        from google.genai import types

        self._types = types
        self.client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url or None,
                timeout=int((timeout or TIMEOUT_S) * 1000),
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    def speak(self, text: str, voice: str, model: str, *, style: str = "") -> Spoken:
        t = self._types
        words = f"Say it {style.rstrip('.')}: {text}" if style else text
        try:
            response = self.client.models.generate_content(
                model=model,
                contents=words,
                config=t.GenerateContentConfig(
                    response_modalities=["AUDIO"],
                    speech_config=t.SpeechConfig(
                        voice_config=t.VoiceConfig(
                            prebuilt_voice_config=t.PrebuiltVoiceConfig(voice_name=voice)
                        )
                    ),
                ),
            )
        except Exception as exc:
            raise map_google_error(exc, "The Gemini API") from exc
        for candidate in response.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                blob = part.inline_data
                if blob is not None and blob.data:
                    return wav_of_pcm(blob.data, _rate_of(blob.mime_type or ""))
        raise ProviderError("bad_output", "The Gemini API answered without the line's sound.")


def _rate_of(mime: str) -> int:
    """The rate in "audio/L16;codec=pcm;rate=24000" (24 kHz when it does not say)."""
    for part in mime.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "rate" and value.isdigit():
            return int(value)
    return PCM_RATE


class ElevenLabsSpeech:
    """`SpeechProvider` for ElevenLabs: a voice id from the user's voice library, the model
    ("eleven_multilingual_v2"…), PCM at 24 kHz."""

    id = "elevenlabs"

    def __init__(self, api_key: str, base_url: str | None = None, *, timeout: float | None = None):
        if not api_key:
            raise ProviderError(
                "auth", "Add your ElevenLabs API key in Settings → Providers to use its voices."
            )
        self.http = HttpVideo(
            "ElevenLabs", base_url or ELEVENLABS_API, {"xi-api-key": api_key}, timeout or TIMEOUT_S
        )

    def speak(self, text: str, voice: str, model: str, *, style: str = "") -> Spoken:
        from urllib.parse import quote

        url = f"{self.http.base}/v1/text-to-speech/{quote(voice, safe='')}"
        response = self.http.send(
            "POST",
            url,
            params={"output_format": f"pcm_{PCM_RATE}"},
            json={"text": text, "model_id": model},
        )
        if response.status_code >= 400:
            raise self.http.error(response)
        kind = response.headers.get("content-type", "")
        if kind.startswith(("text/", "application/json")):
            raise ProviderError(
                "unknown", "ElevenLabs answered with a page where the line's sound was due."
            )
        return wav_of_pcm(response.content, PCM_RATE)
