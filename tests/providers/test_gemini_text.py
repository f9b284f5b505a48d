"""Gemini text, structured output and embeddings through the real google-genai SDK."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import TextRequest
from aiuteur_desktop.providers.gemini_text import GeminiText
from tests.fakes.gemini_fake import FakeGeminiContent, blocked, gemini_reply, google_error
from tests.fakes.server import Response

REQ = TextRequest(prompt="Write the beats.", model="gemini-test-pro", system="Story editor.")
KEY = "AIza-test-key"


class Beats(BaseModel):
    beats: list[str] = Field(min_length=2, max_length=30)


def client(fake: FakeGeminiContent, timeout: float = 5.0) -> GeminiText:
    return GeminiText(KEY, fake.url, timeout=timeout)


def test_streaming_text_with_usage_and_system_instruction() -> None:
    with FakeGeminiContent(
        [gemini_reply("The storm takes the boat at midnight.", (90, 12))]
    ) as fake:
        deltas: list[str] = []
        result = client(fake).complete(REQ, on_delta=deltas.append)
        assert result.text == "The storm takes the boat at midnight." and len(deltas) > 1
        assert (result.usage.input_tokens, result.usage.output_tokens) == (90, 12)
        [req] = fake.content_requests
        assert ":streamGenerateContent" in req.path and "alt=sse" in req.path
        body = req.json()
        assert body["systemInstruction"]["parts"][0]["text"] == "Story editor."
        assert body["generationConfig"]["maxOutputTokens"] == 2048
        assert req.headers["x-goog-api-key"] == KEY


def test_structured_output_sends_the_schema_and_parses() -> None:
    with FakeGeminiContent([gemini_reply(json.dumps({"beats": ["Storm", "Rescue"]}))]) as fake:
        result = client(fake).structured(REQ, Beats)
        assert result.value == Beats(beats=["Storm", "Rescue"]) and result.method == "json_schema"
        config = fake.content_requests[0].json()["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert "beats" in json.dumps(
            config.get("responseSchema") or config.get("responseJsonSchema")
        )


def test_invalid_structure_is_retried_once_then_reported() -> None:
    bad = gemini_reply(json.dumps({"beats": ["only one"]}))
    good = gemini_reply(json.dumps({"beats": ["A", "B", "C"]}))
    with FakeGeminiContent([bad, good]) as fake:
        result = client(fake).structured(REQ, Beats)
        assert result.method == "retry" and len(result.value.beats) == 3
        assert "previous answer was invalid" in json.dumps(fake.content_requests[1].json())
    with FakeGeminiContent([gemini_reply("not json at all")]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).structured(REQ, Beats)
        assert err.value.kind == "bad_output" and len(fake.content_requests) == 2


def test_blocked_prompt_is_a_safety_error() -> None:
    with FakeGeminiContent([blocked("PROHIBITED_CONTENT")]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).structured(REQ, Beats)
        assert err.value.kind == "safety" and "PROHIBITED_CONTENT" in err.value.user_message


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (google_error(429, "Resource has been exhausted", "RESOURCE_EXHAUSTED"), "rate_limited"),
        (google_error(500, "Internal error", "INTERNAL"), "server"),
        (
            google_error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
            ),
            "auth",
        ),
        (google_error(404, "models/gemini-gone is not found", "NOT_FOUND"), "not_found"),
    ],
)
def test_faults_map_to_plain_words(fault: Response, kind: str) -> None:
    with FakeGeminiContent([fault]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).complete(REQ)
        assert err.value.kind == kind and KEY not in err.value.user_message
        assert len(fake.content_requests) == 1  # no hidden SDK retries
        if kind == "not_found":
            assert "Settings → Models" in err.value.user_message


def test_timeout_and_embeddings() -> None:
    with FakeGeminiContent([Response(200, {}, delay=1.5)]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake, timeout=0.3).complete(REQ)
        assert err.value.kind in ("timeout", "network") and err.value.retryable
    with FakeGeminiContent([gemini_reply("x")]) as fake:
        vectors = client(fake).embed_texts(["storm", "a rescue"], "gemini-embedding-001")
        assert vectors == [[5.0, 0.5, 0.25, 0.0], [8.0, 0.5, 0.25, 0.0]]
        assert any(r.path.split("?")[0].endswith(":batchEmbedContents") for r in fake.requests)


def test_no_key_says_where_to_add_one() -> None:
    with pytest.raises(ProviderError, match="Settings → Providers"):
        GeminiText("")
