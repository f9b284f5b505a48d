"""Gemini text and embeddings through google-genai with an API key (the Developer API).

Structured output asks for JSON with the pydantic schema; the SDK's `.parsed`
is None (not an exception) when the JSON does not validate, so the answer is
validated here and retried once with the error. Facts in PROVIDER-NOTES.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import (
    Capabilities,
    StructuredResult,
    TextRequest,
    TextResult,
    Usage,
)
from aiuteur_desktop.providers.connections import map_google_error

WHERE = "The Gemini API"


def _usage(meta: Any) -> Usage:
    if meta is None:
        return Usage()
    return Usage(
        input_tokens=meta.prompt_token_count or 0, output_tokens=meta.candidates_token_count or 0
    )


def _blocked(response: Any) -> str | None:
    """Why Gemini refused, if it did (a blocked prompt or a safety-stopped answer)."""
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None and feedback.block_reason:
        return str(feedback.block_reason).rsplit(".", 1)[-1]
    for candidate in getattr(response, "candidates", None) or []:
        reason = str(candidate.finish_reason or "").rsplit(".", 1)[-1]
        if reason in ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"):
            return reason
    return None


class GeminiText:
    """`TextProvider` and `EmbeddingProvider` for Gemini models."""

    id = "google"
    capabilities = Capabilities(text=True, structured=True, streaming=True, embeddings=True)

    def __init__(
        self, api_key: str, base_url: str | None = None, *, timeout: float = 120.0
    ) -> None:
        from google import genai
        from google.genai import types

        if not api_key:
            raise ProviderError("auth", "Add your Gemini API key in Settings → Providers first.")
        self._types = types
        self.client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(base_url=base_url or None, timeout=int(timeout * 1000)),
        )

    def close(self) -> None:
        self.client.close()

    def _config(self, req: TextRequest, **extra: Any) -> Any:
        return self._types.GenerateContentConfig(
            system_instruction=req.system or None,
            max_output_tokens=req.max_tokens,
            temperature=req.temperature,
            **extra,
        )

    def models(self) -> list[str]:
        try:
            return sorted((m.name or "").removeprefix("models/") for m in self.client.models.list())
        except Exception as exc:
            raise map_google_error(exc, WHERE) from exc

    def complete(
        self, request: TextRequest, on_delta: Callable[[str], None] | None = None
    ) -> TextResult:
        parts: list[str] = []
        usage = Usage()
        finish = ""
        try:
            for chunk in self.client.models.generate_content_stream(
                model=request.model, contents=request.prompt, config=self._config(request)
            ):
                reason = _blocked(chunk)
                if reason:
                    raise ProviderError(
                        "safety", f"{WHERE} blocked this ({reason}). Rephrase and try again."
                    )
                if chunk.usage_metadata is not None:
                    usage = _usage(chunk.usage_metadata)
                if chunk.candidates and chunk.candidates[0].finish_reason:
                    finish = str(chunk.candidates[0].finish_reason).rsplit(".", 1)[-1]
                text = chunk.text or ""
                if text:
                    parts.append(text)
                    if on_delta is not None:
                        on_delta(text)
        except ProviderError:
            raise
        except Exception as exc:
            raise map_google_error(exc, WHERE) from exc
        text = "".join(parts)
        if not text.strip():
            raise ProviderError("bad_output", f"{WHERE} returned an empty answer.")
        return TextResult(text, request.model, usage, finish)

    def structured(
        self,
        request: TextRequest,
        schema: type[BaseModel],
        on_delta: Callable[[str], None] | None = None,
    ) -> StructuredResult:
        """`on_delta` is not called: the answer comes back whole."""
        feedback = ""
        total_in = total_out = 0
        for attempt in range(2):
            prompt = request.prompt
            if feedback:
                prompt += (
                    f"\n\nYour previous answer was invalid: {feedback}\n"
                    "Return the corrected JSON object only."
                )
            try:
                response = self.client.models.generate_content(
                    model=request.model,
                    contents=prompt,
                    config=self._config(
                        request, response_mime_type="application/json", response_schema=schema
                    ),
                )
            except Exception as exc:
                raise map_google_error(exc, WHERE) from exc
            reason = _blocked(response)
            if reason:
                raise ProviderError("safety", f"{WHERE} blocked this ({reason}).")
            u = _usage(response.usage_metadata)
            total_in, total_out = total_in + u.input_tokens, total_out + u.output_tokens
            if isinstance(response.parsed, schema):
                method = "json_schema" if attempt == 0 else "retry"
                return StructuredResult(
                    response.parsed, request.model, Usage(total_in, total_out), method
                )
            try:  # .parsed is None: find out why, to tell the model
                schema.model_validate(json.loads(response.text or "", strict=False))
                feedback = "the JSON did not match the schema"
            except (ValueError, ValidationError) as exc:
                feedback = str(exc).splitlines()[0][:300]
        raise ProviderError(
            "bad_output",
            f"{WHERE} did not return the expected structure, even after a retry. Try again or "
            f"choose a stronger model. ({feedback[:160]})",
        )

    def embed_texts(self, texts: list[str], model: str) -> list[list[float]]:
        try:
            result = self.client.models.embed_content(model=model, contents=texts)
        except Exception as exc:
            raise map_google_error(exc, WHERE) from exc
        vectors = [list(e.values or []) for e in (result.embeddings or [])]
        if len(vectors) != len(texts):
            raise ProviderError(
                "bad_output", f"{WHERE} returned {len(vectors)} of {len(texts)} embeddings."
            )
        return vectors
