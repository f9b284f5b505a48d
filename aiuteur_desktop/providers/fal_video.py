"""Video through fal.ai — one key for Kling, Seedance, MiniMax Hailuo and Luma Ray — on fal's
queue API: `POST {queue}/{endpoint}` with the model's input, then the request's
`status_url` and `response_url` (kept in the job's handle, so a restart polls the same
render), then the video file. `Authorization: Key …`, only to fal's own host.

Each model names its inputs its own way (Kling `start_image_url`/`end_image_url`, Seedance
`image_url`/`end_image_url`, Luma `"5s"` durations): `resources/models.toml` says which,
per model, so a model fal adds is one entry there (or in the user's own models.toml). Frames
are sent inline as data URIs; the shot is rendered at the shortest length the model offers
that holds it (what the price table bills, `models_catalogue.rendered_seconds`).
"""

from __future__ import annotations

import time
from typing import Any

from aiuteur_desktop.core.app.models_catalogue import Model
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities, VideoRequest
from aiuteur_desktop.providers.http_video import (
    HttpVideo,
    capabilities_of,
    catalogued,
    data_uri,
    refuse_unfit,
    require_key,
)

QUEUE = "https://queue.fal.run"
WHERE = "fal.ai"
TYPICAL_SECONDS = 120.0
PENDING = ("IN_QUEUE", "IN_PROGRESS")


def model_of(model_id: str) -> Model:
    return catalogued(model_id, "fal", " (its endpoint and the names of its inputs)")


def capabilities(model_id: str) -> Capabilities:
    return capabilities_of(model_id, "fal")


class FalVideo:
    """`VideoProvider` for a fal.ai video model named in the catalogue."""

    id = "fal"

    def __init__(
        self, api_key: str, model_id: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        require_key(api_key, WHERE)
        self.model = model_of(model_id)
        self.capabilities = capabilities(model_id)
        self.http = HttpVideo(
            WHERE, base_url or QUEUE, {"Authorization": f"Key {api_key}"}, timeout
        )

    def _input(self, request: VideoRequest) -> dict[str, Any]:
        m, x = self.model, self.model.extra
        refuse_unfit(m, request.duration, bool(request.end_frame))
        body: dict[str, Any] = {
            "prompt": request.prompt,
            str(x.get("start_field", "image_url")): data_uri(request.start_frame),
        }
        if request.end_frame:
            body[str(x.get("end_field", "end_image_url"))] = data_uri(request.end_frame)
        seconds = round(request.duration)
        fmt = str(x.get("duration_format", "string"))
        body[str(x.get("duration_field", "duration"))] = (
            seconds if fmt == "int" else f"{seconds}s" if fmt == "seconds-s" else str(seconds)
        )
        if x.get("audio_field"):
            body[str(x["audio_field"])] = bool(request.audio)
        if x.get("aspect_field"):
            body[str(x["aspect_field"])] = request.aspect_ratio
        return body

    def submit(self, request: VideoRequest) -> dict[str, Any]:
        endpoint = str(self.model.extra.get("endpoint") or self.model.id.partition(":")[2])
        data = self.http.json("POST", f"{self.http.base}/{endpoint}", json=self._input(request))
        rid, status, response = (
            data.get("request_id"),
            data.get("status_url"),
            data.get("response_url"),
        )
        if not (isinstance(rid, str) and isinstance(status, str) and isinstance(response, str)):
            raise ProviderError(
                "unknown", "fal.ai accepted the render but gave no request to follow."
            )
        return {
            "request_id": rid,
            "status_url": status,
            "response_url": response,
            "operation": rid,
            "model": self.model.id,
            "submitted_at": time.time(),
        }

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        state = self.http.json("GET", handle["status_url"])
        status = str(state.get("status") or "")
        if status == "COMPLETED":
            return True, 1.0
        if status not in PENDING:
            error = state.get("error") or state.get("detail") or status or "no status"
            raise ProviderError("bad_request", f"fal.ai could not render this shot: {error}")
        elapsed = time.time() - float(handle.get("submitted_at") or time.time())
        return False, min(0.95, elapsed / TYPICAL_SECONDS)

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        response = self.http.send("GET", handle["response_url"])
        if response.status_code == 422:  # the model refused the content
            raise ProviderError(
                "safety",
                f"fal.ai refused this render under the model's content policy "
                f"({_detail(response)}). Change the prompt or frames; the same request will be "
                "refused again.",
            )
        if response.status_code >= 400:
            raise self.http.error(response)
        try:
            result = response.json()
        except ValueError as exc:
            raise ProviderError("unknown", "fal.ai's answer was not its JSON.") from exc
        video = (result or {}).get("video") if isinstance(result, dict) else None
        url = video.get("url") if isinstance(video, dict) else None
        if not isinstance(url, str):
            raise ProviderError("bad_output", "fal.ai finished the render but gave no video.")
        return self.http.fetch(url)


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return "no reason given"
    if isinstance(detail, list) and detail:
        detail = detail[0].get("msg") if isinstance(detail[0], dict) else detail[0]
    return str(detail or "no reason given")[:300]
