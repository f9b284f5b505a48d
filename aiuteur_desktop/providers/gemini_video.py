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
from urllib.parse import urlparse

from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities, VideoRequest

API = "https://generativelanguage.googleapis.com"
WHERE = "the Gemini API (Veo)"
TYPICAL_SECONDS = 90.0
#: The longest clip Veo 3.1 renders in one request, in seconds.
MAX_SECONDS = 8.0
#: A generated clip larger than this is refused rather than held in memory (an 8-second 4K
#: Veo clip is tens of MB).
MAX_VIDEO_BYTES = 1 << 30


class GeminiVeoVideo:
    """`VideoProvider` for Veo 3.x with a Gemini API key."""

    id = "google:veo-api"
    capabilities = Capabilities(video=True, end_frame=True, max_duration=MAX_SECONDS, audio=True)

    def __init__(self, api_key: str, *, base_url: str | None = None, timeout: float = 60.0) -> None:
        import httpx2 as httpx

        if not api_key:
            raise ProviderError(
                "auth",
                "Rendering with Veo needs a Gemini API key or a Vertex AI connection: add one "
                "in Settings → Providers.",
            )
        self._key = api_key
        self._base = (base_url or API).rstrip("/")
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=15.0))

    # ------------------------------------------------------------------ wire
    def _send(self, method: str, url: str, **kw: Any) -> Any:
        import httpx2 as httpx

        try:
            return self._http.request(method, url, headers=self._headers(url), **kw)
        except httpx.ConnectError as exc:
            raise ProviderError(
                "network", f"Could not reach {WHERE}. Check your network connection."
            ) from exc
        except httpx.ConnectTimeout as exc:
            raise ProviderError("network", f"Could not reach {WHERE} in time.") from exc
        except httpx.TimeoutException as exc:
            raise ProviderError("timeout", f"{WHERE} did not answer in time.") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                "broken", f"The connection to {WHERE} broke off before its answer was complete."
            ) from exc

    def _headers(self, url: str) -> dict[str, str]:
        """The key goes in a header, and only to the API's own host (a download link
        elsewhere gets none)."""
        same = urlparse(url).netloc == urlparse(self._base).netloc
        return {"x-goog-api-key": self._key} if same else {}

    def _json(self, response: Any) -> dict[str, Any]:
        if response.status_code >= 400:
            raise _error(response)
        try:
            data = response.json()
        except ValueError as exc:  # an HTML page where JSON was due: a gateway's
            raise ProviderError(
                "unknown", f"{WHERE} answered with something that is not its JSON."
            ) from exc
        if not isinstance(data, dict):
            raise ProviderError("unknown", f"{WHERE} answered with something unexpected.")
        return data

    # ------------------------------------------------------------ the render
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
        url = f"{self._base}/v1beta/models/{request.model}:predictLongRunning"
        data = self._json(self._send("POST", url, json=body))
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ProviderError("unknown", f"{WHERE} accepted the render but named no operation.")
        return {"operation": name, "model": request.model, "submitted_at": time.time()}

    def _operation(self, handle: dict[str, Any]) -> dict[str, Any]:
        op = self._json(self._send("GET", f"{self._base}/v1beta/{handle['operation']}"))
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
        uri = video.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
            raise ProviderError("bad_output", f"{WHERE} finished the render but gave no video.")
        return self._fetch(uri)

    def _fetch(self, uri: str) -> tuple[bytes, str]:
        import httpx2 as httpx

        try:
            with self._http.stream(
                "GET", uri, headers=self._headers(uri), follow_redirects=True
            ) as r:
                if r.status_code >= 400:
                    r.read()
                    raise _error(r)
                size = int(r.headers.get("content-length") or 0)
                if size > MAX_VIDEO_BYTES:
                    raise ProviderError("bad_output", f"{WHERE} offered a video of {size:,} bytes.")
                chunks, got = [], 0
                for chunk in r.iter_bytes():
                    got += len(chunk)
                    if got > MAX_VIDEO_BYTES:
                        raise ProviderError(
                            "bad_output", f"{WHERE} sent more than a video's worth."
                        )
                    chunks.append(chunk)
                mime = r.headers.get("content-type", "video/mp4").split(";")[0].strip()
        except httpx.TimeoutException as exc:
            raise ProviderError(
                "timeout", f"The video from {WHERE} did not arrive in time."
            ) from exc
        except httpx.HTTPError as exc:  # cut off mid-body: fetched again from the handle
            raise ProviderError(
                "broken", f"The video from {WHERE} was cut off before it was complete."
            ) from exc
        return b"".join(chunks), mime or "video/mp4"


def _image(png: bytes) -> dict[str, str]:
    return {"bytesBase64Encoded": base64.b64encode(png).decode("ascii"), "mimeType": "image/png"}


def _error(response: Any) -> ProviderError:
    """An HTTP error answer in plain words, with the kind that says what it means for money."""
    code = response.status_code
    try:
        message = str(((response.json() or {}).get("error") or {}).get("message") or "")
    except ValueError:
        message = ""
    message = redact(message or response.reason_phrase or "")[:300]
    if code in (401, 403) or (code == 400 and "API key" in message):
        return ProviderError("auth", f"{WHERE} rejected the API key ({code}): {message}")
    if code == 429:
        return ProviderError(
            "rate_limited",
            f"{WHERE} is rate-limiting this key (429): {message}",
            retry_after=_seconds(response.headers.get("retry-after")),
        )
    if code >= 500:
        return ProviderError("server", f"{WHERE} had a server error ({code}): {message}")
    if code == 404:
        return ProviderError(
            "not_found",
            f"{WHERE} has no such model or render ({message}). The model may be retired: pick "
            "another in Settings → Models.",
        )
    return ProviderError("bad_request", f"{WHERE} answered with an error ({code}): {message}")


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
