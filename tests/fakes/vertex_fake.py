"""Fake Vertex AI Veo endpoints: `:predictLongRunning` and `:fetchPredictOperation` (v1beta1)."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.server import FakeServer, Request, Response


@dataclass
class Operation:
    name: str
    body: dict
    polls: int = 0


@dataclass
class VertexState:
    """What the fake does next; tests change it while a render is pending."""

    polls_until_done: int = 1
    video: bytes = b""
    filtered: list[str] = field(default_factory=list)
    submit_faults: list[Response] = field(default_factory=list)
    poll_faults: list[Response] = field(default_factory=list)
    #: Cut the finished operation's body (with the video) short this many times.
    truncate_downloads: int = 0
    release: threading.Event | None = None  # when set, operations stay pending until it is
    #: Accept the render (it exists, and would be billed), then answer this many seconds late.
    accept_delay: float = 0.0
    #: Accept the render (it exists, and would be billed), then answer with these instead of
    #: its name — a gateway's 502/504 page, Veo's own 503 — one per submission.
    accepted_then: list[Response] = field(default_factory=list)


class FakeVertex(FakeServer):
    def __init__(self, state: VertexState | None = None) -> None:
        super().__init__()
        self.state = state or VertexState()
        self.operations: dict[str, Operation] = {}
        self.route("POST", "/v1beta1/projects/", self._dispatch_vertex)

    @property
    def submissions(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(":predictLongRunning")]

    def _dispatch_vertex(self, req: Request) -> Response:
        if req.headers.get("authorization") != "Bearer fake-token":
            return Response(
                401, {"error": {"code": 401, "message": "bad token", "status": "UNAUTHENTICATED"}}
            )
        if req.path.endswith(":predictLongRunning"):
            if self.state.submit_faults:
                return self.state.submit_faults.pop(0)
            model_path = req.path.split("/v1beta1/", 1)[1].rsplit(":", 1)[0]
            name = f"{model_path}/operations/op-{len(self.operations) + 1}"
            self.operations[name] = Operation(name, req.json())
            if self.state.accepted_then:
                return self.state.accepted_then.pop(0)
            return Response(200, {"name": name}, delay=self.state.accept_delay)
        if req.path.endswith(":fetchPredictOperation"):
            if self.state.poll_faults:
                return self.state.poll_faults.pop(0)
            name = req.json().get("operationName", "")
            op = self.operations.get(name)
            if op is None:
                return Response(
                    404,
                    {"error": {"code": 404, "message": "no such operation", "status": "NOT_FOUND"}},
                )
            op.polls += 1
            pending = self.state.release is not None and not self.state.release.is_set()
            if pending or op.polls < self.state.polls_until_done:
                return Response(200, {"name": name, "done": False, "metadata": {}})
            if self.state.filtered:
                response = {
                    "raiMediaFilteredCount": 1,
                    "raiMediaFilteredReasons": self.state.filtered,
                }
            else:
                data = base64.b64encode(self.state.video).decode()
                response = {"videos": [{"bytesBase64Encoded": data, "mimeType": "video/mp4"}]}
            if self.state.truncate_downloads > 0 and not self.state.filtered:
                self.state.truncate_downloads -= 1
                return Response(
                    200, {"name": name, "done": True, "response": response}, truncate=0.5
                )
            return Response(200, {"name": name, "done": True, "response": response})
        return Response(404, {"error": {"code": 404, "message": "unknown", "status": "NOT_FOUND"}})


def credentials_file(folder: Path) -> Path:
    """Authorized-user credentials whose token never needs refreshing (no network)."""
    path = folder / "vertex-credentials.json"
    path.write_text(
        '{"type": "authorized_user", "token": "fake-token", "refresh_token": "r", '
        '"client_id": "c", "client_secret": "s", "expiry": "2999-01-01T00:00:00Z"}'
    )
    return path
