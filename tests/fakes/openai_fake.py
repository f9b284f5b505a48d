"""Fake OpenAI REST API (also stands in for Ollama / LM Studio's OpenAI-compatible servers)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from tests.fakes.server import FakeServer, Request, Response


def openai_error(status: int, message: str, code: str = "") -> Response:
    return Response(
        status, {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    )


class FakeOpenAI(FakeServer):
    """Serves `/v1/models`; `valid_keys` decides which bearer tokens are accepted."""

    def __init__(self, models: list[str] | None = None, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.models = models if models is not None else ["gpt-test-1", "gpt-test-mini"]
        self.valid_keys = valid_keys  # None = accept anything (like a local server)
        self.route("GET", "/v1/models", self._models)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def _authorised(self, req: Request) -> bool:
        if self.valid_keys is None:
            return True
        auth = req.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") in self.valid_keys

    def _models(self, req: Request) -> Response:
        if not self._authorised(req):
            return openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        return Response(
            200,
            {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake"}
                    for m in self.models
                ],
            },
        )


def _completion(model: str, content: str, usage: tuple[int, int], finish: str = "stop") -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        },
    }


def _sse(model: str, content: str, usage: tuple[int, int], pieces: int = 4) -> bytes:
    """The chat stream wire format: `data: {chunk}` events, a usage chunk, then `data: [DONE]`."""
    step = max(1, len(content) // pieces)
    parts = [content[i : i + step] for i in range(0, len(content), step)] or [""]
    events = []
    for i, part in enumerate(parts):
        delta = {"content": part} if i else {"role": "assistant", "content": part}
        events.append(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
        )
    events.append(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
    )
    events.append(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [],
            "usage": {
                "prompt_tokens": usage[0],
                "completion_tokens": usage[1],
                "total_tokens": sum(usage),
            },
        }
    )
    lines = [f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


def reply(content: str, usage: tuple[int, int] = (100, 50)) -> Callable[[Request], Response]:
    """A scripted chat answer, streamed or not as the request asks."""

    def handler(req: Request) -> Response:
        body = req.json()
        model = body.get("model", "gpt-test-1")
        if body.get("stream"):
            return Response(200, _sse(model, content, usage), {"Content-Type": "text/event-stream"})
        return Response(200, _completion(model, content, usage))

    return handler


class FakeChat(FakeOpenAI):
    """`/v1/chat/completions` answering from a script: each request takes the next entry
    (a handler from `reply()` or a fault `Response`); the last entry repeats."""

    def __init__(self, script: list[Callable[[Request], Response] | Response], **kw: Any) -> None:
        super().__init__(**kw)
        self.script = list(script)
        self.route("POST", "/v1/chat/completions", self._chat)

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/v1/chat/completions")]

    def _chat(self, req: Request) -> Response:
        if not self._authorised(req):
            return openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        entry = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return entry if isinstance(entry, Response) else entry(req)


class FakeImages(FakeOpenAI):
    """`/v1/images/generations` (JSON) and `/v1/images/edits` (multipart): every answer is
    the PNG in `answer`; faults replace the next answer."""

    def __init__(self, answer: bytes, faults: list[Response] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.answer = answer
        self.faults = list(faults or [])
        self.route("POST", "/v1/images/generations", self._image)
        self.route("POST", "/v1/images/edits", self._image)

    def _image(self, req: Request) -> Response:
        if self.faults:
            return self.faults.pop(0)
        data = base64.b64encode(self.answer).decode()
        usage = {
            "input_tokens": 50,
            "output_tokens": 1056,
            "total_tokens": 1106,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": 50},
        }
        return Response(
            200, {"created": 1_700_000_000, "data": [{"b64_json": data}], "usage": usage}
        )


def bag_of_words(text: str, dims: int = 32) -> list[float]:
    """A tiny deterministic embedding: hashed word counts, unit length (texts sharing words
    are close), so retrieval through a fake cloud embedder still ranks sensibly."""
    import hashlib
    import math
    import re

    v = [0.0] * dims
    for word in re.findall(r"[a-z']+", text.lower()):
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


class FakeEmbeddings(FakeOpenAI):
    """`/v1/embeddings` answering one vector per input, in shuffled order (the SDK sorts):
    3-d `[len(text), 1, -1]` by default, or `bag_of_words` vectors."""

    def __init__(self, *, bag: bool = False, delay: float = 0.0, **kw: Any) -> None:
        super().__init__(**kw)
        self.bag = bag
        self.delay = delay
        self.embedded: list[str] = []
        self.route("POST", "/v1/embeddings", self._embed)

    def _embed(self, req: Request) -> Response:
        body = req.json()
        self.embedded.extend(body["input"])
        items = [
            {
                "object": "embedding",
                "index": i,
                "embedding": bag_of_words(text) if self.bag else [float(len(text)), 1.0, -1.0],
            }
            for i, text in enumerate(body["input"])
        ]
        return Response(
            200,
            {
                "object": "list",
                "data": items[::-1],
                "model": body["model"],
                "usage": {"prompt_tokens": 8, "total_tokens": 8},
            },
            delay=self.delay,
        )
