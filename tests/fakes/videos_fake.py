"""A fake OpenAI-style `/v1/videos` gateway: create (multipart, the start frame as
`input_reference`), retrieve, download content — with faults."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.fakes.server import FakeServer, Request, Response

KEY = "gw-key-0123456789"


@dataclass
class VideosState:
    polls_until_done: int = 1
    video: bytes = b""
    create_faults: list[Response] = field(default_factory=list)
    fail_with: str = ""
    accept_delay: float = 0.0  # the create's answer comes this late
    truncate_downloads: int = 0  # this many downloads are cut off half-way


class FakeVideos(FakeServer):
    def __init__(self, state: VideosState | None = None) -> None:
        super().__init__()
        self.state = state or VideosState()
        self.polls: dict[str, int] = {}
        self.route("POST", "/v1/videos", self._create)
        self.route("GET", "/v1/videos/", self._get)

    @property
    def creations(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    def _video(self, vid: str, status: str) -> dict:
        error = {"code": "failed", "message": self.state.fail_with} if status == "failed" else None
        return {
            "id": vid, "object": "video", "model": "gw-video-1", "status": status,
            "progress": 100 if status == "completed" else 10, "created_at": int(time.time()),
            "seconds": "8", "size": "1280x720", "error": error,
        }  # fmt: skip

    def _create(self, req: Request) -> Response:
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return Response(
                401,
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                    }
                },
            )
        if self.state.create_faults:
            return self.state.create_faults.pop(0)
        vid = f"video_{len(self.polls) + 1}"
        self.polls[vid] = 0
        return Response(200, self._video(vid, "queued"), delay=self.state.accept_delay)

    def _get(self, req: Request) -> Response:
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return Response(401, {"error": {"message": "Incorrect API key provided."}})
        path = req.path.split("?", 1)[0]
        vid = path.removeprefix("/v1/videos/").split("/", 1)[0]
        if vid not in self.polls:
            return Response(404, {"error": {"message": "No such video", "type": "not_found"}})
        if path.endswith("/content"):
            cut = None
            if self.state.truncate_downloads > 0:
                self.state.truncate_downloads -= 1
                cut = 0.5
            return Response(200, self.state.video, {"Content-Type": "video/mp4"}, truncate=cut)
        self.polls[vid] += 1
        if self.state.fail_with:
            return Response(200, self._video(vid, "failed"))
        done = self.polls[vid] >= self.state.polls_until_done
        return Response(200, self._video(vid, "completed" if done else "in_progress"))
