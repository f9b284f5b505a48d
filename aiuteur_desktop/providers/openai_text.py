"""Text through the OpenAI SDK: OpenAI itself and any OpenAI-compatible local server.

Structured output follows the fallback chain in PROVIDER-NOTES.md: strict
`json_schema` → `json_object` with the schema → plain JSON mode, always
validated with pydantic, with one retry that shows the model its mistake.
The SDK's own retries are off (`max_retries=0`): the job system owns retrying.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.providers import (
    Capabilities,
    StructuredResult,
    TextRequest,
    TextResult,
    Usage,
)
from aiuteur_desktop.providers.connections import map_openai_error, openai_http_client

#: Errors that mean "this server does not do that response_format" rather than a real failure.
_FORMAT_REFUSALS = ("response_format", "json_schema", "'text' or 'json_object'", "schema")


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
    ) -> None:
        import openai  # the SDK loads with the first request, not at start-up

        self.local = local
        self.id = "local" if local else "openai"
        self.where = f"the server at {base_url}" if local else "OpenAI"
        self.subject = self.where[:1].upper() + self.where[1:]  # to start a sentence
        self.client = openai.OpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url or None,
            max_retries=0,
            timeout=timeout,
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
        err = map_openai_error(exc, self.where)
        err.retry_after = _retry_after(exc)
        return err

    def _messages(self, req: TextRequest, extra_system: str = "") -> list[dict[str, str]]:
        system = "\n\n".join(x for x in (req.system, extra_system) if x)
        out = [{"role": "system", "content": system}] if system else []
        return [*out, {"role": "user", "content": req.prompt}]

    def _limits(self, req: TextRequest) -> dict[str, Any]:
        # Local servers know max_tokens; OpenAI's newer models want max_completion_tokens.
        key = "max_tokens" if self.local else "max_completion_tokens"
        out: dict[str, Any] = {key: req.max_tokens}
        if req.temperature is not None:
            out["temperature"] = req.temperature
        return out

    # -------------------------------------------------------------------- text
    def models(self) -> list[str]:
        import openai  # the SDK loads with the first request, not at start-up

        try:
            return sorted(m.id for m in self.client.models.list())
        except openai.OpenAIError as exc:
            raise self._error(exc, "") from exc

    def complete(
        self, request: TextRequest, on_delta: Callable[[str], None] | None = None
    ) -> TextResult:
        """Streamed completion; `on_delta` receives text as it arrives (on the worker thread)."""
        import openai  # the SDK loads with the first request, not at start-up

        parts: list[str] = []
        usage = Usage()
        finish = ""
        try:
            stream = self.client.chat.completions.create(
                model=request.model,
                messages=self._messages(request),  # type: ignore[arg-type]
                stream=True,
                stream_options={"include_usage": True},
                **self._limits(request),
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
            raise self._error(exc, request.model) from exc
        text = "".join(parts)
        if finish == "content_filter":
            raise ProviderError(
                "safety",
                f"{self.subject} refused to write this (content filter). Rephrase and retry.",
            )
        if not text.strip():
            raise ProviderError("bad_output", f"{self.subject} returned an empty answer.")
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
    def structured(self, request: TextRequest, schema: type[BaseModel]) -> StructuredResult:
        import openai  # the SDK loads with the first request, not at start-up

        feedback = ""
        try:
            done = self.client.chat.completions.parse(
                model=request.model,
                messages=self._messages(request),  # type: ignore[arg-type]
                response_format=schema,
                **self._limits(request),
            )
        except openai.LengthFinishReasonError as exc:
            raise ProviderError(
                "bad_output", f"{self.subject} ran out of room before finishing the answer."
            ) from exc
        except openai.ContentFilterFinishReasonError as exc:
            raise ProviderError(
                "safety", f"{self.subject} refused this request (content filter)."
            ) from exc
        except (openai.BadRequestError, openai.InternalServerError) as exc:
            if not any(word in str(exc) for word in _FORMAT_REFUSALS):
                raise self._error(exc, request.model) from exc
        except openai.OpenAIError as exc:
            raise self._error(exc, request.model) from exc
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
        return self._json_chain(request, schema, feedback)

    def _json_chain(
        self, request: TextRequest, schema: type[BaseModel], feedback: str = ""
    ) -> StructuredResult:
        """json_object with the schema, then plain JSON mode; two invalid answers in all end it."""
        import openai  # the SDK loads with the first request, not at start-up

        shape = json.dumps(schema.model_json_schema())
        instruction = f"Answer with one JSON object only, matching this JSON schema:\n{shape}"
        formats: list[tuple[str, dict[str, Any]]] = [
            ("json_object", {"type": "json_object", "schema": schema.model_json_schema()}),
            ("json_mode", {"type": "json_object"}),
        ]
        invalid = 1 if feedback else 0
        usage_in = usage_out = 0
        last_error = feedback
        for method, response_format in formats:
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
                try:
                    done = self.client.chat.completions.create(
                        model=request.model,
                        messages=self._messages(req, instruction),  # type: ignore[arg-type]
                        response_format=response_format,  # type: ignore[arg-type]
                        **self._limits(request),
                    )
                except (openai.BadRequestError, openai.InternalServerError) as exc:
                    if any(word in str(exc) for word in _FORMAT_REFUSALS):
                        last_error = str(exc)
                        break  # this server does not take this format: try the next one
                    raise self._error(exc, request.model) from exc
                except openai.OpenAIError as exc:
                    raise self._error(exc, request.model) from exc
                u = _usage(done.usage)
                usage_in, usage_out = usage_in + u.input_tokens, usage_out + u.output_tokens
                content = done.choices[0].message.content or ""
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
