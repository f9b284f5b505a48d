"""Video through MiniMax's own API (Hailuo), with a MiniMax key — the direct connection of
issue 38: `POST /v1/video_generation` with the first and last frames inline as data URIs,
then `GET /v1/query/video_generation?task_id=…` until it says Success, then the clip's
download address from `GET /v1/files/retrieve?file_id=…`. `Authorization: Bearer …`, only
to MiniMax's own host (the clip comes from its CDN, which gets no key).

MiniMax answers most refusals with HTTP 200 and a `base_resp` whose `status_code` is not 0
(a wrong key, no balance, a prompt flagged, a rate limit): those are its own answers, so
the render was not taken — refused, never uncertain. The handle keeps the task id, so a
restart polls the same render.
"""

from __future__ import annotations

import time
from typing import Any

from aiuteur_desktop.core.app.models_catalogue import Model
from aiuteur_desktop.core.app.redaction import redact
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

API = "https://api.minimax.io"
WHERE = "MiniMax"
TYPICAL_SECONDS = 180.0
PENDING = ("Preparing", "Queueing", "Processing")
#: base_resp status codes (MiniMax's error code list): what each means here.
AUTH = {1004, 2049}
RATE = {1002, 1039}
CONTENT = {1026, 1027}


def model_of(model_id: str) -> Model:
    return catalogued(model_id, "minimax")


def capabilities(model_id: str) -> Capabilities:
    return capabilities_of(model_id, "minimax")


def refusal(base: dict[str, Any], doing: str) -> ProviderError:
    """MiniMax's own error answer (`base_resp`) in plain words."""
    code = int(base.get("status_code") or 0)
    said = redact(str(base.get("status_msg") or "no reason given"))[:300]
    if code in AUTH:
        return ProviderError("auth", f"MiniMax rejected the API key ({code}): {said}")
    if code in RATE:
        return ProviderError("rate_limited", f"MiniMax is rate-limiting this key ({code}): {said}")
    if code == 1008:
        return ProviderError(
            "bad_request", f"MiniMax says the account has no balance left ({said}); top it up."
        )
    if code in CONTENT:
        return ProviderError(
            "safety",
            f"MiniMax refused {doing} under its content policy ({said}). Change the prompt or "
            "frames; the same request will be refused again.",
        )
    return ProviderError("bad_request", f"MiniMax could not {doing} ({code}): {said}")


class MiniMaxVideo:
    """`VideoProvider` for a MiniMax video model named in the catalogue (`minimax:…`)."""

    id = "minimax"

    def __init__(
        self, api_key: str, model_id: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        require_key(api_key, WHERE)
        self.model = model_of(model_id)
        self.capabilities = capabilities(model_id)
        self.http = HttpVideo(
            WHERE, base_url or API, {"Authorization": f"Bearer {api_key}"}, timeout
        )

    def _answer(self, method: str, path: str, doing: str, **kw: Any) -> dict[str, Any]:
        data = self.http.json(method, f"{self.http.base}{path}", **kw)
        base = data.get("base_resp") or {}
        if isinstance(base, dict) and int(base.get("status_code") or 0) != 0:
            raise refusal(base, doing)
        return data

    def _body(self, request: VideoRequest) -> dict[str, Any]:
        m = self.model
        refuse_unfit(m, request.duration, bool(request.end_frame))
        body: dict[str, Any] = {
            "model": m.id.partition(":")[2],
            "prompt": request.prompt[:2000],
            "first_frame_image": data_uri(request.start_frame),
            "duration": round(request.duration),
            "resolution": str(m.extra.get("resolution") or "768P"),
            "prompt_optimizer": False,  # the prompt is the filmmaker's, as assembled
        }
        if request.end_frame:
            body["last_frame_image"] = data_uri(request.end_frame)
        return body

    def submit(self, request: VideoRequest) -> dict[str, Any]:
        body = self._body(request)
        data = self._answer("POST", "/v1/video_generation", "take this render", json=body)
        task = data.get("task_id")
        if not isinstance(task, str) or not task:
            raise ProviderError(
                "unknown", "MiniMax accepted the render but gave no task to follow."
            )
        return {
            "task_id": task,
            "operation": task,
            "model": self.model.id,
            "submitted_at": time.time(),
        }

    def _state(self, handle: dict[str, Any]) -> dict[str, Any]:
        return self._answer(
            "GET",
            "/v1/query/video_generation",
            "say how the render is going",
            params={"task_id": handle["task_id"]},
        )

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        state = self._state(handle)
        status = str(state.get("status") or "")
        if status == "Success":
            return True, 1.0
        if status not in PENDING:
            raise ProviderError(
                "bad_request", f"MiniMax could not render this shot ({status or 'no status'})."
            )
        elapsed = time.time() - float(handle.get("submitted_at") or time.time())
        return False, min(0.95, elapsed / TYPICAL_SECONDS)

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        file_id = self._state(handle).get("file_id")
        if not file_id:
            raise ProviderError("bad_output", "MiniMax finished the render but gave no video.")
        found = self._answer(
            "GET", "/v1/files/retrieve", "hand over the video", params={"file_id": file_id}
        )
        file = found.get("file")
        url = file.get("download_url") if isinstance(file, dict) else None
        if not isinstance(url, str):
            raise ProviderError("bad_output", "MiniMax finished the render but gave no video.")
        return self.http.fetch(url)
