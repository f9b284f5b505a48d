"""Video through any OpenAI-style `/v1/videos` endpoint — a gateway or aggregator that speaks
the shape OpenAI's videos API had (`POST /videos` with the start frame as
`input_reference`, `GET /videos/{id}`, `GET /videos/{id}/content`): a base URL, a key and a
model name in Settings, like the local text server. Spoken with the openai SDK, its own
retries off — a paid request is sent once; what a lost answer means is the job's decision
(`ProviderError` kinds). Start frame only: the shape has no field for an end frame."""

from __future__ import annotations

import time
import warnings
from typing import Any

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities, VideoRequest
from aiuteur_desktop.providers.connections import map_openai_error

WHERE = "the video endpoint"
TYPICAL_SECONDS = 120.0
PENDING = ("queued", "in_progress", "processing", "pending")


class OpenAIVideos:
    """`VideoProvider` for an OpenAI-style `/v1/videos` endpoint."""

    id = "openai-videos"
    capabilities = Capabilities(video=True, end_frame=False, max_duration=12.0, audio=True)

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 60.0) -> None:
        from openai import OpenAI

        if not base_url:
            raise ProviderError(
                "auth",
                "Set the video endpoint's address, key and model in Settings → Providers first.",
            )
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "none", timeout=timeout, max_retries=0
        )

    def _call(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            with warnings.catch_warnings():  # the SDK marks its videos API deprecated (Sora)
                warnings.simplefilter("ignore", DeprecationWarning)
                return fn(*args, **kw)
        except Exception as exc:
            raise map_openai_error(exc, WHERE) from exc

    def submit(self, request: VideoRequest) -> dict[str, Any]:
        longest = self.capabilities.max_duration
        if longest and request.duration > longest + 1e-6:
            raise ProviderError(
                "bad_request",
                f"The video endpoint renders at most {longest:g} seconds a shot; this one is "
                f"{request.duration:g}. Split it in Stage 7, or pick another model.",
            )
        if request.end_frame:
            raise ProviderError(
                "bad_request",
                "The video endpoint takes a start frame only: set this shot to start frame only "
                "in Stage 9, or pick a model that takes both.",
            )
        size = "1280x720" if request.aspect_ratio == "16:9" else "720x1280"
        video = self._call(
            self.client.videos.create,
            model=request.model,
            prompt=request.prompt,
            seconds=str(round(request.duration)),
            size=size,
            input_reference=("start.png", request.start_frame, "image/png"),
        )
        if not getattr(video, "id", None):
            raise ProviderError("unknown", "The video endpoint accepted the render but named none.")
        return {"operation": video.id, "model": request.model, "submitted_at": time.time()}

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        video = self._call(self.client.videos.retrieve, handle["operation"])
        status = str(getattr(video, "status", "") or "")
        if status == "completed":
            return True, 1.0
        if status not in PENDING:
            error = getattr(video, "error", None)
            message = getattr(error, "message", None) or status or "no status"
            raise ProviderError(
                "bad_request", f"The video endpoint could not render this shot: {message}"
            )
        progress = float(getattr(video, "progress", 0) or 0) / 100
        elapsed = time.time() - float(handle.get("submitted_at") or time.time())
        return False, min(0.95, max(progress, elapsed / TYPICAL_SECONDS))

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        content = self._call(self.client.videos.download_content, handle["operation"])
        data = content.read() if hasattr(content, "read") else bytes(content.content)
        if not data:
            raise ProviderError(
                "bad_output", "The video endpoint finished the render but sent no video."
            )
        return data, "video/mp4"
