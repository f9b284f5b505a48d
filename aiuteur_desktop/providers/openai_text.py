"""Text through the OpenAI SDK: OpenAI itself and any OpenAI-compatible local server.

Structured output follows the fallback chain in PROVIDER-NOTES.md: strict
`json_schema` → `json_object` with the schema → plain JSON mode, always
validated with pydantic, with one retry that shows the model its mistake. A form the
server refuses is remembered per connection and model (`local_server.refuse`) and not
asked again; an answer cut off at `max_tokens` is never resent as it was.
The SDK's own retries are off (`max_retries=0`): the job system owns retrying.

A local server (Ollama, LM Studio, llama.cpp) on a laptop writes a few tokens a second, so
its requests are streamed — structured ones too — with an idle timeout instead of an
overall deadline; everything the model must follow goes in the user message (some chat
templates drop the system role); the answer's room is sized to the server's context
window; and after a timeout nothing is sent until the server is free (`local_server`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from aiuteur_desktop.core.context import estimate_tokens
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import (
    Capabilities,
    StructuredResult,
    TextRequest,
    TextResult,
    Usage,
)
from aiuteur_desktop.providers import local_server
from aiuteur_desktop.providers.connections import map_openai_error, openai_http_client

#: Errors that mean "this server does not do that response_format" rather than a real failure.
_FORMAT_REFUSALS = ("response_format", "json_schema", "'text' or 'json_object'", "schema")
#: A local server may go this long without sending a byte (prompt processing on a CPU
#: included) before the request counts as stalled; there is no overall deadline.
LOCAL_IDLE_TIMEOUT = 180.0
#: How long the probe that asks whether a busy local server is free may wait.
PROBE_TIMEOUT = 5.0
#: Tokens the answer needs at the least; less room than this is refused before sending.
MIN_ANSWER = 256
Delta = Callable[[str], None]


def _usage(u: Any) -> Usage:
    if u is None:
        return Usage()
    return Usage(input_tokens=u.prompt_tokens or 0, output_tokens=u.completion_tokens or 0)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class OpenAIText:
    """`TextProvider` for OpenAI (`local=False`) or an OpenAI-compatible server (`local=True`)."""

    capabilities = Capabilities(text=True, structured=True, streaming=True, embeddings=True)

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        *,
        local: bool = False,
        timeout: float = 120.0,
        idle_timeout: float | None = None,
        context_window: int = 0,
    ) -> None:
        import httpx2
        import openai  # the SDK loads with the first request, not at start-up

        self.local = local
        self.id = "local" if local else "openai"
        self.base_url = base_url
        self.api_key = api_key
        self.where = f"the server at {base_url}" if local else "OpenAI"
        self.subject = self.where[:1].upper() + self.where[1:]  # to start a sentence
        self.idle = float(idle_timeout or LOCAL_IDLE_TIMEOUT)
        #: The context window Settings sets (0: as the server says, or assumed).
        self.window_setting = max(0, int(context_window or 0))
        self.client = openai.OpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url or None,
            max_retries=0,
            # Local: no overall deadline while tokens keep arriving (httpx's read timeout
            # is the longest wait for the next bytes).
            timeout=httpx2.Timeout(self.idle, connect=10.0) if local else timeout,
            http_client=openai_http_client(),
        )

    def close(self) -> None:
        self.client.close()

    # ----------------------------------------------------------------- helpers
    def _error(self, exc: Exception, model: str) -> ProviderError:
        import openai  # the SDK loads with the first request, not at start-up

        if isinstance(exc, openai.NotFoundError) and "model" in str(exc).lower():
            return ProviderError(
                "not_found",
                f"{self.subject} has no model “{model}” (it may be retired or not enabled for "
                "this key). Pick another in Settings → Models.",
            )
        if self.local and _timed_out(exc):
            local_server.abandoned(self.base_url)
            return ProviderError(
                "busy",
                f"{self.subject} sent nothing for {self.idle:g} s. It may still be working on "
                "the request (a local server keeps going after we stop waiting), so it is not "
                "sent again now: Retry once the server is idle — Aiuteur checks first. A "
                "smaller model, or a longer idle timeout in Settings → Providers, helps.",
            )
        err = map_openai_error(exc, self.where)
        err.retry_after = _retry_after(exc)
        return err

    def _messages(self, req: TextRequest, extra: str = "") -> list[dict[str, str]]:
        """Cloud: the instructions as the system message. Local: everything in the user
        message as well — chat templates without a system role (Gemma's) drop it."""
        system = "\n\n".join(x for x in (req.system, extra) if x)
        if self.local:
            return [{"role": "user", "content": "\n\n".join(x for x in (system, req.prompt) if x)}]
        out = [{"role": "system", "content": system}] if system else []
        return [*out, {"role": "user", "content": req.prompt}]

    def _limits(self, max_tokens: int, req: TextRequest) -> dict[str, Any]:
        # Local servers know max_tokens; OpenAI's newer models want max_completion_tokens.
        key = "max_tokens" if self.local else "max_completion_tokens"
        out: dict[str, Any] = {key: max_tokens}
        if req.temperature is not None:
            out["temperature"] = req.temperature
        return out

    def window(self, model: str) -> tuple[int, bool]:
        """The model's context window and whether it is known (Settings or the server)
        rather than assumed."""
        if self.window_setting:
            return self.window_setting, True
        told = local_server.context_window(self.base_url, model, self.api_key)
        return (told, True) if told else (local_server.ASSUMED_WINDOW, False)

    def _room(self, messages: list[dict[str, str]], req: TextRequest) -> int:
        """The answer's `max_tokens`: the request's, within what the window leaves (local)."""
        if not self.local:
            return req.max_tokens
        window, _known = self.window(req.model)
        prompt = _tokens(messages)
        room = window - prompt - 32  # the chat template's own tokens
        if room < min(MIN_ANSWER, req.max_tokens):
            raise ProviderError(
                "too_long",
                f"This request is about {prompt:,} tokens and the model's context window is "
                f"{window:,}, which leaves no room for the answer. Raise the context window "
                "(Settings → Providers → Local model server, and the server's own setting — "
                "Ollama's num_ctx, llama.cpp's -c), or shorten the material.",
            )
        return min(req.max_tokens, room)

    def _ready(self, model: str) -> None:
        """After a timeout, a local server may still be busy with the abandoned request: a
        one-token probe must come back before anything else is sent."""
        if not (self.local and local_server.maybe_busy(self.base_url)):
            return
        import openai

        try:
            self.client.with_options(timeout=PROBE_TIMEOUT).chat.completions.create(
                model=model,
                messages=[{"role": "user", "content": "Say OK."}],
                max_tokens=1,
            )
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            if not _timed_out(exc):
                raise self._error(exc, model) from exc
            raise ProviderError(
                "busy",
                f"{self.subject} is still busy with an earlier request that Aiuteur stopped "
                "waiting for, so nothing was sent. Retry when it is idle.",
            ) from exc
        except openai.OpenAIError:
            pass  # it answered (with an error): it is not busy generating
        local_server.free(self.base_url)

    def _stream(
        self,
        req: TextRequest,
        messages: list[dict[str, str]],
        on_delta: Delta | None,
        **extra: Any,
    ) -> tuple[str, str, Usage, int]:
        """One streamed request: (text, finish_reason, usage, max_tokens sent). Usage is
        estimated when the server reports none (many local ones ignore stream_options)."""
        import httpx2
        import openai

        self._ready(req.model)
        room = self._room(messages, req)
        parts: list[str] = []
        usage = Usage()
        finish = ""
        try:
            stream = self.client.chat.completions.create(  # type: ignore[call-overload]
                model=req.model,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
                **self._limits(room, req),
                **extra,
            )
            for chunk in stream:
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        if on_delta is not None:
                            on_delta(choice.delta.content)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except openai.OpenAIError as exc:
            if "response_format" in extra and _is_refusal(exc):
                raise _Refused(str(exc)) from exc
            raise self._error(exc, req.model) from exc
        except httpx2.TransportError as exc:  # raised while the stream is read
            raise self._error(_wrapped(exc), req.model) from exc
        text = "".join(parts)
        if not usage.input_tokens and not usage.output_tokens:
            usage = Usage(_tokens(messages), estimate_tokens(text) if text else 0)
        if finish == "content_filter":
            raise ProviderError(
                "safety",
                f"{self.subject} refused to write this (content filter). Rephrase and retry.",
            )
        if not text.strip() and finish != "length":
            raise self._empty(messages, req.model)
        return text, finish, usage, room

    def _empty(self, messages: list[dict[str, str]], model: str) -> ProviderError:
        if not self.local:
            return ProviderError("bad_output", f"{self.subject} returned an empty answer.")
        window, known = self.window(model)
        size = "" if known else " (assumed: the server does not say)"
        return ProviderError(
            "bad_output",
            f"{self.subject} returned nothing at all. A local server does this when the "
            f"request (about {_tokens(messages):,} tokens) does not fit the model's context "
            f"window ({window:,} tokens{size}): raise the window (Settings → Providers → Local "
            "model server, and the server's own setting) or use shorter material.",
        )

    def _cut_off(self, sent: int, req: TextRequest) -> ProviderError:
        if sent < req.max_tokens:
            advice = (
                f"The model's context window left only {sent:,} tokens for it: raise the window "
                "(Settings → Providers → Local model server, and the server's own setting) or "
                "use shorter material."
            )
        else:
            advice = "The model may be repeating itself: try again, or choose a stronger model."
        return ProviderError(
            "cut_off",
            f"{self.subject}'s answer was cut off at {sent:,} tokens, before it was complete, "
            f"so it was not sent again as it was. {advice}",
        )

    # -------------------------------------------------------------------- text
    def models(self) -> list[str]:
        import openai  # the SDK loads with the first request, not at start-up

        try:
            return sorted(m.id for m in self.client.models.list())
        except openai.OpenAIError as exc:
            raise self._error(exc, "") from exc

    def complete(self, request: TextRequest, on_delta: Delta | None = None) -> TextResult:
        """Streamed completion; `on_delta` receives text as it arrives (on the worker thread).
        An answer cut off at `max_tokens` comes back with finish "length"."""
        text, finish, usage, _sent = self._stream(request, self._messages(request), on_delta)
        return TextResult(text, request.model, usage, finish)

    # -------------------------------------------------------------- embeddings
    def embed_texts(self, texts: list[str], model: str) -> list[list[float]]:
        """Vectors in input order. Asks for floats: some compatible servers cannot do base64."""
        import openai  # the SDK loads with the first request, not at start-up

        try:
            response = self.client.embeddings.create(
                model=model, input=texts, encoding_format="float"
            )
        except openai.OpenAIError as exc:
            raise self._error(exc, model) from exc
        ordered = sorted(response.data, key=lambda d: d.index)
        if len(ordered) != len(texts):
            raise ProviderError(
                "bad_output", f"{self.subject} returned {len(ordered)} of {len(texts)} embeddings."
            )
        return [list(d.embedding) for d in ordered]

    # -------------------------------------------------------------- structured
    def structured(
        self, request: TextRequest, schema: type[BaseModel], on_delta: Delta | None = None
    ) -> StructuredResult:
        """A validated answer. Local servers go through the streamed chain (progress, an
        idle timeout); OpenAI first through the SDK's strict `parse`."""
        skip = local_server.refused(self.base_url, request.model)
        if self.local or "json_schema" in skip:
            return self._json_chain(request, schema, "", on_delta)
        import openai  # the SDK loads with the first request, not at start-up

        feedback = ""
        try:
            done = self.client.chat.completions.parse(
                model=request.model,
                messages=self._messages(request),  # type: ignore[arg-type]
                response_format=schema,
                **self._limits(request.max_tokens, request),
            )
        except openai.LengthFinishReasonError as exc:
            raise self._cut_off(request.max_tokens, request) from exc
        except openai.ContentFilterFinishReasonError as exc:
            raise ProviderError(
                "safety", f"{self.subject} refused this request (content filter)."
            ) from exc
        except openai.OpenAIError as exc:
            if not _is_refusal(exc):
                raise self._error(exc, request.model) from exc
            local_server.refuse(self.base_url, request.model, "json_schema")
        except (ValidationError, ValueError) as exc:
            feedback = _short(exc)  # an invalid answer: the chain retries once, saying why
        else:
            message = done.choices[0].message
            if message.refusal:
                raise ProviderError("safety", f"{self.subject} refused: {message.refusal}")
            if message.parsed is not None:
                return StructuredResult(
                    message.parsed, request.model, _usage(done.usage), "json_schema"
                )
        return self._json_chain(request, schema, feedback, on_delta, first=False)

    def _forms(self, schema: type[BaseModel], first: bool) -> list[tuple[str, dict[str, Any]]]:
        shape = schema.model_json_schema()
        forms: list[tuple[str, dict[str, Any]]] = [
            (
                "json_schema",
                {
                    "type": "json_schema",
                    "json_schema": {"name": schema.__name__, "schema": shape, "strict": False},
                },
            ),
            ("json_object", {"type": "json_object", "schema": shape}),
            ("json_mode", {"type": "json_object"}),
        ]
        return forms if first else forms[1:]

    def _json_chain(
        self,
        request: TextRequest,
        schema: type[BaseModel],
        feedback: str = "",
        on_delta: Delta | None = None,
        *,
        first: bool = True,
    ) -> StructuredResult:
        """The forms in turn — each refused one remembered and skipped from then on — with
        two invalid answers in all ending it, and a cut-off answer ending it at once."""

        shape = json.dumps(schema.model_json_schema())
        instruction = f"Answer with one JSON object only, matching this JSON schema:\n{shape}"
        skip = local_server.refused(self.base_url, request.model)
        forms = [(m, f) for m, f in self._forms(schema, first) if m not in skip]
        invalid = 1 if feedback else 0
        usage_in = usage_out = 0
        last_error = feedback
        for method, response_format in forms:
            while invalid < 2:
                req = request
                if feedback:
                    req = TextRequest(
                        prompt=f"{request.prompt}\n\nYour previous answer was invalid: {feedback}"
                        "\nReturn the corrected JSON object only.",
                        model=request.model,
                        system=request.system,
                        max_tokens=request.max_tokens,
                        temperature=request.temperature,
                    )
                messages = self._messages(req, instruction)
                try:
                    content, finish, u, sent = self._send(req, messages, response_format, on_delta)
                except _Refused as exc:
                    local_server.refuse(self.base_url, request.model, method)
                    last_error = str(exc)
                    break  # this server does not take this format: try the next one
                usage_in, usage_out = usage_in + u.input_tokens, usage_out + u.output_tokens
                if finish == "length":
                    raise self._cut_off(sent, request)
                try:
                    # Small models put raw newlines inside strings: strict=False accepts them.
                    value = schema.model_validate(json.loads(_strip_fences(content), strict=False))
                except (ValueError, ValidationError) as exc:
                    feedback = last_error = _short(exc)
                    invalid += 1
                    continue
                used = "retry" if feedback else method
                return StructuredResult(value, request.model, Usage(usage_in, usage_out), used)
        raise ProviderError(
            "bad_output",
            f"{self.subject} did not return the expected structure, even after a retry. "
            f"Try again or choose a stronger model. ({last_error[:160]})",
        )

    def _send(
        self,
        req: TextRequest,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        on_delta: Delta | None,
    ) -> tuple[str, str, Usage, int]:
        """One structured request: streamed to a local server; OpenAI's as one answer. A
        server that does not take `response_format` raises `_Refused`."""
        import openai

        if self.local:
            return self._stream(req, messages, on_delta, response_format=response_format)
        try:
            done = self.client.chat.completions.create(  # type: ignore[call-overload]
                model=req.model,
                messages=messages,
                response_format=response_format,
                **self._limits(req.max_tokens, req),
            )
        except openai.OpenAIError as exc:
            if _is_refusal(exc):
                raise _Refused(str(exc)) from exc
            raise self._error(exc, req.model) from exc
        choice = done.choices[0]
        content, finish = choice.message.content or "", choice.finish_reason or ""
        return content, finish, _usage(done.usage), req.max_tokens


class _Refused(Exception):
    """The server does not take this `response_format` (the chain tries the next form)."""


def _is_refusal(exc: Exception) -> bool:
    """A 400/500 that says "this server does not do that response_format", not a failure."""
    import openai

    refusal = isinstance(exc, openai.BadRequestError | openai.InternalServerError)
    return refusal and any(word in str(exc) for word in _FORMAT_REFUSALS)


def _tokens(messages: list[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) + 4 for m in messages)


def _timed_out(exc: BaseException) -> bool:
    import openai

    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 8:
        if isinstance(cause, openai.APITimeoutError) or "Timeout" in type(cause).__name__:
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def _wrapped(exc: BaseException) -> Exception:
    """A transport error raised while a stream is read, as the SDK's own error type."""
    import openai

    request = getattr(exc, "_request", None)  # httpx's property raises when it has none
    if _timed_out(exc):
        return openai.APITimeoutError(request=request)  # type: ignore[arg-type]
    return openai.APIConnectionError(message=str(exc), request=request)  # type: ignore[arg-type]


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        return f"{where}: {first['msg']}"
    return str(exc).splitlines()[0]
