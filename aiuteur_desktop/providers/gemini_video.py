"""Veo through a Gemini API key — the key most filmmakers have — on the Gemini API's own REST
wire (`models/{model}:predictLongRunning`, the operation poll, the file download).

google-genai 3.x refuses `generate_videos` outside Vertex mode ("only supported in Gemini
Enterprise Agent Platform mode"), so this speaks the documented wire with httpx2 (the SDKs'
own transport). The request's fields are the Gemini API's (the 1.x SDK's `_to_mldev`
converters): `instances[0].prompt`, `.image` and `.lastFrame` as `{bytesBase64Encoded,
mimeType}`, `parameters.durationSeconds`, `aspectRatio`, `resolution`. The Gemini API takes
no seed and no `generateAudio`: Veo 3 there always renders sound (and bills it), so a render
asked without sound is refused before anything is sent rather than priced as silent.

As on Vertex, `submit` returns a plain-JSON handle with the operation name, kept by the job
before anything else, and `poll`/`download` continue from it after a restart; what the
answers mean for money (refused / accepted / uncertain) is `ProviderError`'s kinds.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities, VideoRequest
from aiuteur_desktop.providers.http_video import HttpVideo

API = "https://generativelanguage.googleapis.com"
WHERE = "the Gemini API (Veo)"
TYPICAL_SECONDS = 90.0
#: The longest clip Veo 3.1 renders in one request, in seconds.
MAX_SECONDS = 8.0


class GeminiVeoVideo:
    """`VideoProvider` for Veo 3.x with a Gemini API key."""

    id = "google:veo-api"
    capabilities = Capabilities(video=True, end_frame=True, max_duration=MAX_SECONDS, audio=True)

    def __init__(self, api_key: str, *, base_url: str | None = None, timeout: float = 60.0) -> None:
        if not api_key:
            raise ProviderError(
                "auth",
                "Rendering with Veo needs a Gemini API key or a Vertex AI connection: add one "
                "in Settings → Providers.",
            )
        self.http = HttpVideo(WHERE, base_url or API, {"x-goog-api-key": api_key}, timeout)

    def submit(self, request: VideoRequest) -> dict[str, Any]:
        if request.duration > MAX_SECONDS:
            raise ProviderError(
                "bad_request",
                f"Veo renders at most {MAX_SECONDS:g} seconds a shot; this one is "
                f"{request.duration:g}. Split it in Stage 7.",
            )
        if not request.audio:
            raise ProviderError(
                "bad_request",
                "Veo through a Gemini API key always renders sound (and bills it): render with "
                "sound, or through Vertex AI to render without.",
            )
        instance: dict[str, Any] = {"prompt": request.prompt, "image": _image(request.start_frame)}
        if request.end_frame:
            instance["lastFrame"] = _image(request.end_frame)
        body = {
            "instances": [instance],
            "parameters": {
                "durationSeconds": round(request.duration),
                "aspectRatio": request.aspect_ratio,
                "resolution": request.resolution,
            },
        }
        url = f"{self.http.base}/v1beta/models/{request.model}:predictLongRunning"
        data = self.http.json("POST", url, json=body)
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ProviderError("unknown", f"{WHERE} accepted the render but named no operation.")
        return {"operation": name, "model": request.model, "submitted_at": time.time()}

    def _operation(self, handle: dict[str, Any]) -> dict[str, Any]:
        op = self.http.json("GET", f"{self.http.base}/v1beta/{handle['operation']}")
        error = op.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise ProviderError("bad_request", f"{WHERE} could not render this shot: {message}")
        return op

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        if self._operation(handle).get("done"):
            return True, 1.0
        elapsed = time.time() - float(handle.get("submitted_at") or time.time())
        return False, min(0.95, elapsed / TYPICAL_SECONDS)

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        op = self._operation(handle)
        answer = (op.get("response") or {}).get("generateVideoResponse") or {}
        samples = answer.get("generatedSamples") or []
        if not samples:
            reasons = "; ".join(str(r) for r in answer.get("raiMediaFilteredReasons") or [])
            raise ProviderError(
                "safety",
                f"{WHERE} refused this render under its content policy "
                f"({reasons or 'no video returned'}). Change the prompt or frames; the same "
                "request will be refused again.",
            )
        video = (samples[0] or {}).get("video") or {}
        if video.get("encodedVideo"):
            return base64.b64decode(video["encodedVideo"]), video.get("encoding") or "video/mp4"
        return self.http.fetch(str(video.get("uri") or ""))


def _image(png: bytes) -> dict[str, str]:
    return {"bytesBase64Encoded": base64.b64encode(png).decode("ascii"), "mimeType": "image/png"}
