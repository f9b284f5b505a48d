"""A tiny threaded HTTP server on 127.0.0.1 with scripted routes, a request log and faults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Send only this share of the body, then close: a truncated download.
    truncate: float | None = None
    #: A body sent piece by piece as it is made (no length; the connection closes after).
    #: The pieces keep being made when the client has gone, as a real server's do.
    pieces: Iterable[bytes] | None = None


Handler = Callable[[Request], Response]


class FakeServer:
    """Routes are matched by (method, path prefix); `fault` overrides every answer."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Handler]] = []
        self.requests: list[Request] = []
        self.fault: Response | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        self.routes.append((method, prefix, handler))

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _dispatch(self, req: Request) -> Response:
        self.requests.append(req)
        if self.fault is not None:
            return self.fault
        path = req.path.split("?", 1)[0]
        for method, prefix, handler in self.routes:
            if method == req.method and path.startswith(prefix):
                return handler(req)
        return Response(404, {"error": {"message": f"no fake route for {req.method} {path}"}})

    def start(self) -> FakeServer:
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                req = Request(self.command, self.path, headers, body)
                resp = fake._dispatch(req)
                if resp.delay:
                    time.sleep(resp.delay)
                if resp.pieces is not None:
                    self._stream(resp)
                    return
                data = resp.body if isinstance(resp.body, bytes) else json.dumps(resp.body).encode()
                self.send_response(resp.status)
                headers = {"Content-Type": "application/json", **resp.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                if resp.truncate is not None:
                    data = data[: int(len(data) * resp.truncate)]
                    self.close_connection = True
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a timeout test): nothing to answer

            def _stream(self, resp: Response) -> None:
                gone = False
                try:
                    self.send_response(resp.status)
                    for k, v in {"Content-Type": "text/event-stream", **resp.headers}.items():
                        self.send_header(k, v)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    gone = True
                self.close_connection = True
                for piece in resp.pieces or ():
                    if gone:
                        continue  # the client left: the rest is made all the same
                    try:
                        self.wfile.write(piece)
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        gone = True

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
