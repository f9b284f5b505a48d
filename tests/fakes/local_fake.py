"""A local model server as a laptop runs one (llama.cpp's or llama-cpp-python's server,
Ollama, LM Studio), with the habits that matter to a client:

- one slot: requests queue, and a request keeps being generated after its client has gone
  (the next one is served only after it);
- nothing is sent while the prompt is read (`prompt_s`), then a token at a time
  (`tokens_per_s`; a token here is four characters);
- `json_schema` response formats refused with a 500, `json_object` (+ schema) taken;
- system messages dropped (a chat template without a system role);
- answers cut at `max_tokens` with finish_reason "length";
- a `window`-token context: an overflow is an empty 200 on a stream, a 400 otherwise;
- no usage on streams (stream_options ignored); `/props` tells the window (llama.cpp).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.fakes.openai_fake import FakeOpenAI, _completion, openai_error
from tests.fakes.server import Request, Response

REFUSAL = (
    "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
    "  Input should be 'text' or 'json_object'"
)


@dataclass
class Generation:
    """One request the server worked on: what the model saw and what it made."""

    seen: str  # the prompt as the model saw it (system messages dropped)
    max_tokens: int
    form: str  # response_format type, "" for none
    stream: bool
    tokens: int = 0  # tokens generated (made even when nobody was listening any more)
    finish: str = ""
    started: float = 0.0
    ended: float = 0.0

    @property
    def probe(self) -> bool:
        return self.max_tokens == 1


class FakeLocalServer(FakeOpenAI):
    def __init__(
        self,
        answer: Callable[[str], str],
        *,
        tokens_per_s: float = 2000.0,
        prompt_s: float = 0.0,
        window: int = 4096,
        tells_window: bool = True,
        models: list[str] | None = None,
    ) -> None:
        super().__init__(models=models or ["gemma-3-270m"])
        self.answer = answer  # what the model writes, given the prompt it sees
        self.tokens_per_s = tokens_per_s
        self.prompt_s = prompt_s
        self.window = window
        self.generations: list[Generation] = []
        self._slot = threading.Lock()
        self.route("POST", "/v1/chat/completions", self._chat)
        if tells_window:
            self.route("GET", "/props", self._props)

    # ------------------------------------------------------------ inspection
    @property
    def chat_requests(self) -> list[Request]:
        """Every chat request that arrived, probes and refused ones included."""
        return [r for r in self.requests if r.path.startswith("/v1/chat/completions")]

    @property
    def real(self) -> list[Generation]:
        """The generations that were not idle probes."""
        return [g for g in self.generations if not g.probe]

    def wait_idle(self, timeout: float = 30.0) -> None:
        assert self._slot.acquire(timeout=timeout), "the fake server stayed busy"
        self._slot.release()

    def busy(self) -> bool:
        if self._slot.acquire(blocking=False):
            self._slot.release()
            return False
        return True

    # -------------------------------------------------------------- routes
    def _props(self, _req: Request) -> Response:
        return Response(200, {"default_generation_settings": {"n_ctx": self.window}})

    def _chat(self, req: Request) -> Response:
        body = req.json()
        form = (body.get("response_format") or {}).get("type", "")
        if form == "json_schema":
            return Response(500, {"error": {"message": REFUSAL, "type": "internal_server_error"}})
        seen = "\n\n".join(
            str(m.get("content") or "")
            for m in body.get("messages") or []
            if m.get("role") != "system"
        )
        prompt_tokens = (len(seen) + 3) // 4
        max_tokens = int(body.get("max_tokens") or 1_000_000)
        stream = bool(body.get("stream"))
        model = body.get("model", "gemma-3-270m")
        if prompt_tokens + min(max_tokens, self.window) > self.window and max_tokens > 1:
            if stream:  # what llama-cpp-python does: a 200 with nothing in it
                return Response(200, b"data: [DONE]\n\n", {"Content-Type": "text/event-stream"})
            return openai_error(400, "Requested tokens exceed context window")
        text = self.answer(seen) if max_tokens > 1 else "OK"
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
        finish = "stop"
        if len(pieces) > max_tokens:
            pieces, finish = pieces[:max_tokens], "length"
        gen = Generation(seen, max_tokens, form, stream)
        self._slot.acquire()  # one request at a time; the others wait here
        self.generations.append(gen)
        gen.started = time.monotonic()
        try:
            time.sleep(self.prompt_s if max_tokens > 1 else 0.0)  # reading the prompt: silence
        except BaseException:
            self._slot.release()
            raise
        if stream:
            return Response(
                200, pieces=self._tokens(gen, model, pieces, finish), headers={"X-Fake": "local"}
            )
        try:
            for _ in pieces:
                time.sleep(1.0 / self.tokens_per_s)
                gen.tokens += 1
            gen.finish = finish
        finally:
            gen.ended = time.monotonic()
            self._slot.release()
        return Response(
            200, _completion(model, "".join(pieces), (prompt_tokens, len(pieces)), finish)
        )

    def _tokens(
        self, gen: Generation, model: str, pieces: list[str], finish: str
    ) -> Iterator[bytes]:
        try:
            for i, piece in enumerate(pieces):
                time.sleep(1.0 / self.tokens_per_s)
                gen.tokens += 1
                delta: dict[str, Any] = {"content": piece}
                if i == 0:
                    delta["role"] = "assistant"
                yield _event(model, delta, None)
            gen.finish = finish
            yield _event(model, {}, finish)
            yield b"data: [DONE]\n\n"
        finally:
            gen.ended = time.monotonic()
            self._slot.release()


def _event(model: str, delta: dict[str, Any], finish: str | None) -> bytes:
    chunk = {
        "id": "chatcmpl-local",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def obeys(value: Callable[[str], Any]) -> Callable[[str], str]:
    """A model that answers with JSON only when the prompt it sees asks for JSON (so an
    instruction lost with a dropped system message shows), otherwise chatty prose."""

    def answer(seen: str) -> str:
        if "Answer with one JSON object only" not in seen:
            return "Sure! Here is a story about a ferry crossing a stormy strait at night."
        return json.dumps(value(seen))

    return answer
