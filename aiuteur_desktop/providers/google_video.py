"""Veo video through google-genai in Vertex mode (the SDK renders Veo only there).

A render is a long-running operation: `submit` returns a plain-JSON handle
holding the operation name, which the job stores at once; after a restart
`poll`/`download` continue from that name — the render is never resubmitted
(never charged twice). Facts in PROVIDER-NOTES.md.
"""

from __future__ import annotations

import time
from typing import Any

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities, VideoRequest
from aiuteur_desktop.providers.connections import load_vertex_credentials, map_google_error

#: Typical Veo render time, used only to draw a progress bar (the API reports none).
TYPICAL_SECONDS = 90.0
WHERE = "Vertex AI (Veo)"


class VeoVideo:
    """`VideoProvider` for Veo 3.x on Vertex AI."""

    id = "google:veo"
    capabilities = Capabilities(video=True, end_frame=True, max_duration=8.0, audio=True)

    def __init__(
        self,
        project: str,
        location: str,
        credentials_file: str,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        from google import genai
        from google.genai import types

        if not (project and location and credentials_file):
            raise ProviderError(
                "auth",
                "Video rendering with Veo on Vertex AI needs a Vertex AI connection: set the "
                "project, location and credentials file in Settings → Providers (or render "
                "with a Gemini API key).",
            )
        self._types = types
        self.client = genai.Client(
            vertexai=True,
            project=project,
            location=location,
            credentials=load_vertex_credentials(credentials_file),
            http_options=types.HttpOptions(base_url=base_url or None, timeout=int(timeout * 1000)),
        )

    def submit(self, request: VideoRequest) -> dict[str, Any]:
        t = self._types
        config = t.GenerateVideosConfig(
            duration_seconds=round(request.duration),
            generate_audio=request.audio,
            aspect_ratio=request.aspect_ratio,
            resolution=request.resolution,
            seed=request.seed,
            last_frame=t.Image(image_bytes=request.end_frame, mime_type="image/png")
            if request.end_frame
            else None,
        )
        source = t.GenerateVideosSource(
            prompt=request.prompt,
            image=t.Image(image_bytes=request.start_frame, mime_type="image/png"),
        )
        try:
            op = self.client.models.generate_videos(
                model=request.model, source=source, config=config
            )
        except Exception as exc:
            raise map_google_error(exc, WHERE) from exc
        if not op.name:
            raise ProviderError(
                "bad_output", f"{WHERE} accepted the render but named no operation."
            )
        return {"operation": op.name, "model": request.model, "submitted_at": time.time()}

    def _operation(self, handle: dict[str, Any]) -> Any:
        try:
            op = self.client.operations.get(
                self._types.GenerateVideosOperation(name=handle["operation"])
            )
        except Exception as exc:
            raise map_google_error(exc, WHERE) from exc
        if op.error:
            message = op.error.get("message") if isinstance(op.error, dict) else str(op.error)
            raise ProviderError("bad_request", f"{WHERE} could not render this shot: {message}")
        return op

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        op = self._operation(handle)
        if op.done:
            return True, 1.0
        elapsed = time.time() - float(handle.get("submitted_at") or time.time())
        return False, min(0.95, elapsed / TYPICAL_SECONDS)

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        op = self._operation(handle)
        response = op.response
        videos = (response.generated_videos or []) if response else []
        if not videos:
            reasons = "; ".join(response.rai_media_filtered_reasons or []) if response else ""
            raise ProviderError(
                "safety",
                f"{WHERE} filtered this render ({reasons or 'no video returned'}). Change the "
                "prompt or frames; retrying the same request will be filtered again.",
            )
        video = videos[0].video
        if video is None or not video.video_bytes:
            where = video.uri if video is not None else "nowhere"
            raise ProviderError(
                "bad_output", f"{WHERE} stored the video at {where} instead of returning it."
            )
        return video.video_bytes, video.mime_type or "video/mp4"
