"""A fake S3-compatible service on 127.0.0.1 for the studio's bucket (core/store/bucket.py),
spoken to by the real botocore client: path-style `PUT/GET/HEAD /<bucket>/<key>`, S3's XML
errors, a SigV4 Authorization header required with the expected access key id, and faults —
a service that is down, a download cut off mid-body, a wrong key."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KEY_ID = "AKIAFAKESTUDIO000001"
SECRET = "fake-secret-key-for-the-studio-tests"


def _error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()


class FakeS3:
    def __init__(self, bucket: str = "films") -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []  # (method, key)
        #: Send only this share of a GET's body, then close the connection.
        self.cut_get: float | None = None
        self._server: ThreadingHTTPServer | None = None
        #: Stopped: connections a client kept open are dropped too, as a service gone away.
        self._down = False

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def puts(self) -> list[str]:
        return [key for method, key in self.requests if method == "PUT"]

    def start(self) -> FakeS3:
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: bytes = b"", head: bool = False) -> None:
                self.send_response(status)
                self.send_header(
                    "Content-Type",
                    "application/xml" if status >= 300 else "application/octet-stream",
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _key(self) -> str | None:
                if fake._down:  # (a kept-alive connection to a service that went away)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                auth = self.headers.get("Authorization", "")
                if not auth.startswith(f"AWS4-HMAC-SHA256 Credential={KEY_ID}/"):
                    self._answer(403, _error("InvalidAccessKeyId", "The key id is not ours."))
                    return None
                path = self.path.split("?", 1)[0].lstrip("/")
                bucket, _, key = path.partition("/")
                if bucket != fake.bucket:
                    self._answer(404, _error("NoSuchBucket", "No such bucket."))
                    return None
                return key

            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self._key()
                if key is None:
                    return
                fake.requests.append(("PUT", key))
                fake.objects[key] = body
                self._answer(200)

            def do_GET(self) -> None:
                key = self._key()
                if key is None:
                    return
                fake.requests.append(("GET", key))
                if key not in fake.objects:
                    self._answer(404, _error("NoSuchKey", "The specified key does not exist."))
                    return
                data = fake.objects[key]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if fake.cut_get is not None:
                    self.wfile.write(data[: int(len(data) * fake.cut_get)])
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def do_HEAD(self) -> None:
                key = self._key()
                if key is None:
                    return
                fake.requests.append(("HEAD", key))
                status = 200 if key in fake.objects else 404
                self._answer(status, b"", head=True)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._down = True
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeS3:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
