"""OpenAI / OpenAI-compatible text through the real openai SDK against the local fake."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import TextRequest
from aiuteur_desktop.providers.openai_text import OpenAIText
from tests.fakes.openai_fake import FakeChat, openai_error, reply
from tests.fakes.server import Response

REQ = TextRequest(prompt="Write the beats.", model="gpt-test-1", system="You are a story editor.")


class Beats(BaseModel):
    beats: list[str] = Field(min_length=2, max_length=30)


GOOD = json.dumps({"beats": ["Storm", "Wreck", "Rescue"]})


def client(fake: FakeChat, *, local: bool = False, timeout: float = 5.0) -> OpenAIText:
    return OpenAIText("sk-test", fake.base_url, local=local, timeout=timeout)


def test_streamed_completion_reports_deltas_and_usage() -> None:
    with FakeChat([reply("Mara climbs the tower as the storm breaks.", (120, 40))]) as fake:
        deltas: list[str] = []
        result = client(fake).complete(REQ, on_delta=deltas.append)
        assert result.text == "Mara climbs the tower as the storm breaks."
        assert len(deltas) > 1 and "".join(deltas) == result.text
        assert (result.usage.input_tokens, result.usage.output_tokens) == (120, 40)
        body = fake.chat_requests[0].json()
        assert body["stream"] is True and body["max_completion_tokens"] == 2048
        assert body["messages"][0] == {"role": "system", "content": "You are a story editor."}


def test_structured_output_uses_strict_json_schema() -> None:
    with FakeChat([reply(GOOD)]) as fake:
        result = client(fake).structured(REQ, Beats)
        assert result.value == Beats(beats=["Storm", "Wreck", "Rescue"])
        assert result.method == "json_schema"
        fmt = fake.chat_requests[0].json()["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True


def test_schema_invalid_answer_is_retried_once_with_the_error() -> None:
    bad = json.dumps({"beats": ["only one"]})
    with FakeChat([reply(bad), reply(GOOD)]) as fake:
        result = client(fake).structured(REQ, Beats)
        assert result.value.beats[0] == "Storm" and result.method == "retry"
        retry_prompt = fake.chat_requests[-1].json()["messages"][-1]["content"]
        assert "previous answer was invalid" in retry_prompt and "beats" in retry_prompt


def test_broken_json_twice_is_a_clear_error_not_a_crash() -> None:
    with FakeChat([reply("{not json"), reply('{"beats": ')]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).structured(REQ, Beats)
        assert err.value.kind == "bad_output" and not err.value.retryable
        assert "expected structure" in err.value.user_message


def test_local_server_without_json_schema_falls_back_to_json_object() -> None:
    refusal = Response(500, {"error": {"message": "Input should be 'text' or 'json_object'"}})
    raw_newline = '{"beats": ["Storm\nat sea", "Rescue"]}'  # small models do this
    with FakeChat([refusal, reply(raw_newline)]) as fake:
        result = client(fake, local=True).structured(REQ, Beats)
        assert result.value.beats == ["Storm\nat sea", "Rescue"]
        assert result.method == "json_object"
        formats = [r.json()["response_format"]["type"] for r in fake.chat_requests]
        assert formats == ["json_schema", "json_object"]
        assert "schema" in fake.chat_requests[1].json()["response_format"]
        assert fake.chat_requests[0].json()["max_tokens"] == 2048


def test_server_refusing_schemas_gets_plain_json_mode() -> None:
    refusal = Response(400, {"error": {"message": "response_format json_schema not supported"}})
    with FakeChat([refusal, refusal, reply(GOOD)]) as fake:
        result = client(fake, local=True).structured(REQ, Beats)
        assert result.method == "json_mode" and len(result.value.beats) == 3
        assert fake.chat_requests[-1].json()["response_format"] == {"type": "json_object"}


def test_rate_limit_carries_retry_after_and_is_retryable() -> None:
    limited = Response(
        429,
        {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}},
        {"Retry-After": "7"},
    )
    with FakeChat([limited]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).complete(REQ)
        assert err.value.kind == "rate_limited" and err.value.retryable
        assert err.value.retry_after == 7.0
        assert len(fake.chat_requests) == 1  # the SDK did not retry on its own


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Response(503, {"error": {"message": "overloaded"}}), "server"),
        (openai_error(401, "Incorrect API key provided.", "invalid_api_key"), "auth"),
        (
            openai_error(404, "The model `gpt-retired` does not exist", "model_not_found"),
            "not_found",
        ),
        (openai_error(400, "Invalid prompt: flagged", "content_policy_violation"), "bad_request"),
    ],
)
def test_faults_map_to_plain_words(fault: Response, kind: str) -> None:
    with FakeChat([fault]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).complete(REQ)
        assert err.value.kind == kind
        assert "Traceback" not in err.value.user_message and "sk-test" not in err.value.user_message
        if kind == "not_found":
            assert "Settings → Models" in err.value.user_message


def test_timeout_is_reported_as_retryable() -> None:
    slow = Response(200, {}, delay=1.5)
    with FakeChat([slow]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake, timeout=0.3).complete(REQ)
        assert err.value.kind == "timeout" and err.value.retryable


def test_content_filter_and_empty_answers() -> None:
    def filtered(req):  # type: ignore[no-untyped-def]
        body = reply("")(req)
        data = body.body.replace(b'"finish_reason": "stop"', b'"finish_reason": "content_filter"')
        return Response(200, data, body.headers)

    with FakeChat([filtered]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).complete(REQ)
        assert err.value.kind == "safety"


def test_embeddings_come_back_in_input_order_as_floats() -> None:
    from tests.fakes.openai_fake import FakeEmbeddings

    with FakeEmbeddings() as fake:
        vectors = OpenAIText("sk-test", fake.base_url).embed_texts(["storm", "rescue!"], "emb-test")
        assert vectors == [[5.0, 1.0, -1.0], [7.0, 1.0, -1.0]]
        assert fake.requests[-1].json()["encoding_format"] == "float"


def test_truncated_stream_is_a_retryable_network_error_not_partial_text() -> None:
    def cut(req):  # type: ignore[no-untyped-def]
        answer = reply("A long answer that will be cut off halfway through the stream.")(req)
        answer.truncate = 0.5
        return answer

    with FakeChat([cut]) as fake:
        with pytest.raises(ProviderError) as err:
            client(fake).complete(REQ)
        assert err.value.kind == "broken" and err.value.retryable
