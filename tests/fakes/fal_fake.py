"""A fake fal.ai queue (`queue.fal.run`): submit to a model endpoint, the request's status and
response URLs, and the video file — with faults (throttling, late answers, content refusals,
downloads cut short)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tests.fakes.server import FakeServer, Request, Response

KEY = "fal-key-0000:1111222233334444"


@dataclass
class FalState:
    polls_until_done: int = 1
    video: bytes = b""
    submit_faults: list[Response] = field(default_factory=list)
    accept_delay: float = 0.0
    refuse_content: str = ""  # the result is a 422 with this reason
    truncate_downloads: int = 0
    release: threading.Event | None = None


class FakeFal(FakeServer):
    def __init__(self, state: FalState | None = None) -> None:
        super().__init__()
        self.state = state or FalState()
        self.polls: dict[str, int] = {}
        self.inputs: dict[str, dict] = {}
        self.route("GET", "/files/", self._file)
        self.route("POST", "/", self._submit)
        self.route("GET", "/", self._request)

    @property
    def submissions(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    @property
    def downloads(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/files/")]

    def _authorised(self, req: Request) -> Response | None:
        if req.headers.get("authorization") != f"Key {KEY}":
            return Response(401, {"detail": "Invalid key"})
        return None

    def _submit(self, req: Request) -> Response:
        refused = self._authorised(req)
        if refused is not None:
            return refused
        if self.state.submit_faults:
            return self.state.submit_faults.pop(0)
        endpoint = req.path.strip("/")
        rid = f"req-{len(self.polls) + 1}"
        self.polls[rid] = 0
        self.inputs[rid] = req.json()
        base = f"{self.url}/{endpoint}/requests/{rid}"
        return Response(
            200,
            {"request_id": rid, "status_url": f"{base}/status", "response_url": base},
            delay=self.state.accept_delay,
        )

    def _request(self, req: Request) -> Response:
        refused = self._authorised(req)
        if refused is not None:
            return refused
        path = req.path.split("?", 1)[0]
        rid = path.split("/requests/", 1)[1].split("/", 1)[0] if "/requests/" in path else ""
        if rid not in self.polls:
            return Response(404, {"detail": "Request not found"})
        if path.endswith("/status"):
            self.polls[rid] += 1
            pending = self.state.release is not None and not self.state.release.is_set()
            if pending or self.polls[rid] < self.state.polls_until_done:
                return Response(202, {"status": "IN_PROGRESS", "request_id": rid})
            return Response(200, {"status": "COMPLETED", "request_id": rid})
        if self.state.refuse_content:
            return Response(422, {"detail": [{"msg": self.state.refuse_content}]})
        return Response(200, {"video": {"url": f"{self.url}/files/{rid}.mp4"}})

    def _file(self, req: Request) -> Response:
        if self.state.truncate_downloads > 0:
            self.state.truncate_downloads -= 1
            return Response(200, self.state.video, {"Content-Type": "video/mp4"}, truncate=0.5)
        return Response(200, self.state.video, {"Content-Type": "video/mp4"})
