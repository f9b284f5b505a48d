"""A fake Gemini API for Veo with an API key: `models/{model}:predictLongRunning`, the
operation poll (`GET /v1beta/{operation}`) and the video file's download, with faults."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tests.fakes.server import FakeServer, Request, Response

KEY = "AIza-fake-gemini-key-0000000000000000"


@dataclass
class GeminiVideoState:
    polls_until_done: int = 1
    video: bytes = b""
    filtered: list[str] = field(default_factory=list)
    submit_faults: list[Response] = field(default_factory=list)
    #: Accept the render (it exists, and would be billed), then answer this late.
    accept_delay: float = 0.0
    #: Cut the video download short this many times.
    truncate_downloads: int = 0
    release: threading.Event | None = None  # operations stay pending until it is set


class FakeGeminiVideo(FakeServer):
    def __init__(self, state: GeminiVideoState | None = None) -> None:
        super().__init__()
        self.state = state or GeminiVideoState()
        self.operations: dict[str, int] = {}  # name → polls
        self.route("POST", "/v1beta/models/", self._submit)
        self.route("GET", "/v1beta/models/", self._poll)
        self.route("GET", "/v1beta/files/", self._download)

    @property
    def submissions(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(":predictLongRunning")]

    @property
    def downloads(self) -> list[Request]:
        return [r for r in self.requests if "/v1beta/files/" in r.path]

    def _authorised(self, req: Request) -> Response | None:
        if req.headers.get("x-goog-api-key") != KEY or "key=" in req.path:
            return Response(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid.",
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
        return None

    def _submit(self, req: Request) -> Response:
        refused = self._authorised(req)
        if refused is not None:
            return refused
        if self.state.submit_faults:
            return self.state.submit_faults.pop(0)
        model = req.path.split("/v1beta/models/", 1)[1].split(":", 1)[0]
        name = f"models/{model}/operations/op-{len(self.operations) + 1}"
        self.operations[name] = 0
        return Response(200, {"name": name}, delay=self.state.accept_delay)

    def _poll(self, req: Request) -> Response:
        refused = self._authorised(req)
        if refused is not None:
            return refused
        name = req.path.split("/v1beta/", 1)[1].split("?", 1)[0]
        if name not in self.operations:
            return Response(404, {"error": {"code": 404, "message": "Operation not found"}})
        self.operations[name] += 1
        pending = self.state.release is not None and not self.state.release.is_set()
        if pending or self.operations[name] < self.state.polls_until_done:
            return Response(200, {"name": name, "done": False})
        if self.state.filtered:
            answer = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": self.state.filtered}
        else:
            uri = f"{self.url}/v1beta/files/{name.rsplit('/', 1)[1]}:download?alt=media"
            answer = {"generatedSamples": [{"video": {"uri": uri}}]}
        return Response(
            200, {"name": name, "done": True, "response": {"generateVideoResponse": answer}}
        )

    def _download(self, req: Request) -> Response:
        refused = self._authorised(req)
        if refused is not None:
            return refused
        if self.state.truncate_downloads > 0:
            self.state.truncate_downloads -= 1
            return Response(200, self.state.video, {"Content-Type": "video/mp4"}, truncate=0.5)
        return Response(200, self.state.video, {"Content-Type": "video/mp4"})
