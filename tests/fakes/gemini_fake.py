"""Fake Gemini Developer API (accepts both /v1 and /v1beta, as the SDK may use either)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from tests.fakes.server import FakeServer, Request, Response


def google_error(code: int, message: str, status: str) -> Response:
    return Response(code, {"error": {"code": code, "message": message, "status": status}})


class FakeGemini(FakeServer):
    def __init__(self, models: list[str] | None = None, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.models = (
            models if models is not None else ["gemini-test-pro", "gemini-test-flash-image"]
        )
        self.valid_keys = valid_keys
        for version in ("/v1beta", "/v1"):
            self.route("GET", f"{version}/models", self._models)

    def _models(self, req: Request) -> Response:
        key = req.headers.get("x-goog-api-key", "")
        if self.valid_keys is not None and key not in self.valid_keys:
            return google_error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
            )
        return Response(
            200,
            {
                "models": [
                    {
                        "name": f"models/{m}",
                        "displayName": m,
                        "supportedActions": ["generateContent"],
                    }
                    for m in self.models
                ]
            },
        )


def _candidate_chunk(
    text: str, finish: str | None = None, usage: tuple[int, int] | None = None
) -> dict:
    chunk: dict = {
        "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}],
        "modelVersion": "gemini-test-pro",
    }
    if finish:
        chunk["candidates"][0]["finishReason"] = finish
    if usage:
        chunk["usageMetadata"] = {
            "promptTokenCount": usage[0],
            "candidatesTokenCount": usage[1],
            "totalTokenCount": sum(usage),
        }
    return chunk


def gemini_reply(
    text: str, usage: tuple[int, int] = (80, 30), finish: str = "STOP"
) -> Callable[[Request], Response]:
    """A scripted answer, as one JSON body or as an SSE stream when the SDK streams."""

    def handler(req: Request) -> Response:
        if ":streamGenerateContent" in req.path:
            step = max(1, len(text) // 3)
            parts = [text[i : i + step] for i in range(0, len(text), step)] or [""]
            events = [_candidate_chunk(p) for p in parts[:-1]]
            events.append(_candidate_chunk(parts[-1], finish, usage))
            body = "".join(f"data: {json.dumps(e)}\r\n\r\n" for e in events).encode()
            return Response(200, body, {"Content-Type": "text/event-stream"})
        return Response(200, _candidate_chunk(text, finish, usage))

    return handler


def blocked(reason: str = "SAFETY") -> Response:
    return Response(
        200, {"promptFeedback": {"blockReason": reason}, "usageMetadata": {"promptTokenCount": 5}}
    )


class FakeGeminiContent(FakeGemini):
    """generateContent / streamGenerateContent from a script (last entry repeats), and
    batchEmbedContents answering 4-dimensional vectors."""

    def __init__(self, script: list[Callable[[Request], Response] | Response], **kw: Any) -> None:
        super().__init__(**kw)
        self.script = list(script)
        for version in ("/v1beta", "/v1"):
            self.route("POST", f"{version}/models/", self._post)

    @property
    def content_requests(self) -> list[Request]:
        return [
            r for r in self.requests if "GenerateContent" in r.path or "generateContent" in r.path
        ]

    def _post(self, req: Request) -> Response:
        key = req.headers.get("x-goog-api-key", "")
        if self.valid_keys is not None and key not in self.valid_keys:
            return google_error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
            )
        if req.path.split("?")[0].endswith(":batchEmbedContents"):
            requests = req.json().get("requests", [])
            return Response(
                200,
                {
                    "embeddings": [
                        {"values": [float(len(r["content"]["parts"][0]["text"])), 0.5, 0.25, 0.0]}
                        for r in requests
                    ]
                },
            )
        entry = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return entry if isinstance(entry, Response) else entry(req)


def gemini_image(png: bytes) -> Callable[[Request], Response]:
    def handler(_req: Request) -> Response:
        part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
        return Response(
            200,
            {
                "candidates": [
                    {"content": {"parts": [part], "role": "model"}, "finishReason": "STOP"}
                ],
                "usageMetadata": {"promptTokenCount": 300, "candidatesTokenCount": 1290},
            },
        )

    return handler
