"""A fake MiniMax API (`api.minimax.io`): a video task submitted, its status asked, the file's
download address, and the clip from a CDN host (another host name: no key goes there) — with
MiniMax's own way of refusing (HTTP 200 and a `base_resp` error code) and faults (throttling,
late answers, a flagged render, downloads cut short)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from tests.fakes.server import FakeServer, Request, Response

KEY = "mm-test-key-000000000000"


def refused(code: int, message: str) -> Response:
    return Response(200, {"base_resp": {"status_code": code, "status_msg": message}})


@dataclass
class MiniMaxState:
    polls_until_done: int = 1
    video: bytes = b""
    submit_faults: list[Response] = field(default_factory=list)
    accept_delay: float = 0.0
    fail_with: int = 0  # the task ends in Fail with this code (1027: the output was flagged)
    truncate_downloads: int = 0
    release: threading.Event | None = None


class FakeMiniMax(FakeServer):
    def __init__(self, state: MiniMaxState | None = None) -> None:
        super().__init__()
        self.state = state or MiniMaxState()
        self.polls: dict[str, int] = {}
        self.inputs: dict[str, dict] = {}
        self.route("POST", "/v1/video_generation", self._submit)
        self.route("GET", "/v1/query/video_generation", self._query)
        self.route("GET", "/v1/files/retrieve", self._retrieve)
        self.route("GET", "/cdn/", self._file)

    @property
    def submissions(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    @property
    def downloads(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/cdn/")]

    def _authorised(self, req: Request) -> Response | None:
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return refused(1004, "authorized failed: invalid api key")
        return None

    @staticmethod
    def _arg(req: Request, name: str) -> str:
        return (parse_qs(urlparse(req.path).query).get(name) or [""])[0]

    def _submit(self, req: Request) -> Response:
        no = self._authorised(req)
        if no is not None:
            return no
        if self.state.submit_faults:
            return self.state.submit_faults.pop(0)
        task = f"{len(self.polls) + 1:015d}"
        self.polls[task] = 0
        self.inputs[task] = req.json()
        ok = {"status_code": 0, "status_msg": "success"}
        return Response(200, {"task_id": task, "base_resp": ok}, delay=self.state.accept_delay)

    def _query(self, req: Request) -> Response:
        no = self._authorised(req)
        if no is not None:
            return no
        task = self._arg(req, "task_id")
        if task not in self.polls:
            return refused(2013, "invalid params, task not found")
        self.polls[task] += 1
        pending = self.state.release is not None and not self.state.release.is_set()
        ok = {"status_code": 0, "status_msg": "success"}
        if pending or self.polls[task] < self.state.polls_until_done:
            return Response(200, {"task_id": task, "status": "Processing", "base_resp": ok})
        if self.state.fail_with:
            base = {"status_code": self.state.fail_with, "status_msg": "output video sensitive"}
            return Response(200, {"task_id": task, "status": "Fail", "base_resp": base})
        return Response(
            200, {"task_id": task, "status": "Success", "file_id": f"f{task}", "base_resp": ok}
        )

    def _retrieve(self, req: Request) -> Response:
        no = self._authorised(req)
        if no is not None:
            return no
        file_id = self._arg(req, "file_id")
        cdn = self.url.replace("127.0.0.1", "localhost")  # another host: no key goes there
        return Response(
            200,
            {
                "file": {"file_id": file_id, "download_url": f"{cdn}/cdn/{file_id}.mp4"},
                "base_resp": {"status_code": 0, "status_msg": "success"},
            },
        )

    def _file(self, req: Request) -> Response:
        if self.state.truncate_downloads > 0:
            self.state.truncate_downloads -= 1
            return Response(200, self.state.video, {"Content-Type": "video/mp4"}, truncate=0.5)
        return Response(200, self.state.video, {"Content-Type": "video/mp4"})
