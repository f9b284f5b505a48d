"""Fake text-to-speech services on one local server, each in its own wire format: OpenAI's
POST /v1/audio/speech (a WAV body), the Gemini API's generateContent with an AUDIO answer
(base64 PCM at 24 kHz in inlineData) and ElevenLabs' POST /v1/text-to-speech/<voice>
(raw PCM). `faults` answer the next requests first (a refusal, an answer after the client's
timeout, a body cut off); every request is kept, so tests count what was sent."""

from __future__ import annotations

import base64
import io
import math
import struct
import wave
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

RATE = 24_000


def tone(seconds: float = 0.5, hz: float = 220.0, rate: int = RATE) -> bytes:
    """16-bit mono PCM of a sine: a stand-in for a spoken line."""
    n = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) for i in range(n)
    )


def wav(pcm: bytes, rate: int = RATE) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


class FakeSpeech(FakeServer):
    def __init__(self, faults: list[Response] | None = None) -> None:
        super().__init__()
        self.faults = list(faults or [])
        self.route("POST", "/v1/audio/speech", self._openai)
        self.route("POST", "/v1/text-to-speech/", self._elevenlabs)
        self.route("GET", "/v1/voices", self._voices)
        for version in ("/v1beta", "/v1"):
            self.route("POST", f"{version}/models/", self._gemini)

    def _fault(self) -> Response | None:
        return self.faults.pop(0) if self.faults else None

    def lines(self, service: str) -> list[Request]:
        """What reached one service: "openai", "gemini" or "elevenlabs"."""
        marks = {
            "openai": "/audio/speech",
            "gemini": ":generateContent",
            "elevenlabs": "/text-to-speech/",
        }
        return [r for r in self.requests if marks[service] in r.path]

    def _openai(self, req: Request) -> Response:
        body = req.json()
        assert body["response_format"] == "wav" and body["input"] and body["voice"]
        return self._fault() or Response(
            200, wav(tone(0.4 + len(body["input"]) / 100)), {"Content-Type": "audio/wav"}
        )

    def _gemini(self, req: Request) -> Response:
        body = req.json()
        config = body["generationConfig"]
        assert config["responseModalities"] == ["AUDIO"]
        # (proto JSON: the API takes camelCase and snake_case names alike; the SDK sends both)
        speech = _either(config, "speechConfig")
        voice = _either(_either(_either(speech, "voiceConfig"), "prebuiltVoiceConfig"), "voiceName")
        assert voice
        part = {
            "inlineData": {
                "mimeType": f"audio/L16;codec=pcm;rate={RATE}",
                "data": base64.b64encode(tone(0.6)).decode(),
            }
        }
        return self._fault() or Response(
            200,
            {
                "candidates": [
                    {"content": {"parts": [part], "role": "model"}, "finishReason": "STOP"}
                ],
                "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 15},
            },
        )

    def _voices(self, req: Request) -> Response:
        if req.headers.get("xi-api-key") != "sk-test-voices":
            return Response(
                401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
            )
        return Response(200, {"voices": [{"voice_id": "VOICE1", "name": "Rachel"}]})

    def _elevenlabs(self, req: Request) -> Response:
        assert req.headers.get("xi-api-key")
        assert "output_format=pcm_24000" in req.path
        assert req.json()["text"]
        return self._fault() or Response(
            200, tone(0.5), {"Content-Type": "application/octet-stream"}
        )


def _either(doc: dict, camel: str) -> Any:
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return doc[camel] if camel in doc else doc[snake]
