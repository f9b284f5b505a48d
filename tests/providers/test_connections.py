"""Test connection runs the real SDKs against local fake servers."""

from __future__ import annotations

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.providers import connection_checks, connections
from tests.fakes.gemini_fake import FakeGemini, google_error
from tests.fakes.openai_fake import FakeOpenAI
from tests.fakes.server import Response

GOOD = "sk-good-key-0123456789"


def openai_settings(fake: FakeOpenAI) -> AppSettings:
    s = AppSettings()
    s.openai.api_endpoint = fake.base_url
    return s


def test_openai_success_counts_models() -> None:
    with FakeOpenAI(valid_keys={GOOD}) as fake:
        msg = connection_checks.test_connection("openai", openai_settings(fake), GOOD)
    assert msg == "Connected to OpenAI: 2 models available to this key."
    assert fake.requests[0].headers["authorization"] == f"Bearer {GOOD}"


def test_openai_uses_the_stored_key_when_none_is_typed() -> None:
    secrets.set_secret("openai.api_key", GOOD)
    with FakeOpenAI(valid_keys={GOOD}) as fake:
        assert "Connected" in connection_checks.test_connection("openai", openai_settings(fake))


def test_openai_bad_key_is_reported_in_plain_words_without_retrying() -> None:
    with FakeOpenAI(valid_keys={GOOD}) as fake, pytest.raises(ProviderError) as info:
        connection_checks.test_connection("openai", openai_settings(fake), "sk-wrong-key-000000000")
    assert info.value.kind == "auth"
    assert "rejected the API key (401)" in info.value.user_message
    assert "sk-wrong" not in info.value.user_message
    assert len(fake.requests) == 1, "the app's job system owns retries, not the SDK"


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        (
            Response(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}),
            "rate_limited",
            "429",
        ),
        (Response(503, {"error": {"message": "overloaded"}}), "server", "503"),
    ],
)
def test_openai_faults(fault: Response, kind: str, words: str) -> None:
    with FakeOpenAI() as fake:
        fake.fault = fault
        with pytest.raises(ProviderError) as info:
            connection_checks.test_connection("openai", openai_settings(fake), GOOD)
    assert info.value.kind == kind and words in info.value.user_message


def test_unreachable_server_is_a_network_error() -> None:
    s = AppSettings()
    s.local.base_url = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    with pytest.raises(ProviderError) as info:
        connection_checks.test_connection("local", s)
    assert info.value.kind == "network"
    assert "Could not reach" in info.value.user_message


def test_local_server_lists_models_and_flags_a_missing_one() -> None:
    with FakeOpenAI(models=["llama3.1:8b", "qwen2.5:7b"]) as fake:
        s = AppSettings()
        s.local.base_url = fake.base_url
        s.local.model = "llama3.1:8b"
        assert connection_checks.test_connection("local", s) == (
            f"Connected to {fake.base_url}; using llama3.1:8b; the server does not say its "
            "context window: 4,096 tokens assumed (set it in Settings if yours is larger)."
        )
        s.local.model = "mistral"
        with pytest.raises(ProviderError, match=r"no model “mistral”.*llama3\.1:8b"):
            connection_checks.test_connection("local", s)


def test_local_server_without_v1_path_explains_the_404() -> None:
    with FakeOpenAI() as fake:
        s = AppSettings()
        s.local.base_url = fake.url + "/wrong"
        with pytest.raises(ProviderError, match="/v1"):
            connection_checks.test_connection("local", s)


def test_google_success_and_invalid_key() -> None:
    with FakeGemini(valid_keys={"AIza-good-key-123456789012345678901"}) as fake:
        s = AppSettings()
        s.google.api_endpoint = fake.url
        ok = connection_checks.test_connection("google", s, "AIza-good-key-123456789012345678901")
        assert ok == "Connected to the Gemini API: 2 models available to this key."
        with pytest.raises(ProviderError) as info:
            connection_checks.test_connection("google", s, "AIza-bad-key-1234567890123456789012")
    assert info.value.kind == "auth" and "API key not valid" in info.value.user_message


def test_google_server_error() -> None:
    with FakeGemini() as fake:
        fake.fault = google_error(500, "internal", "INTERNAL")
        s = AppSettings()
        s.google.api_endpoint = fake.url
        with pytest.raises(ProviderError) as info:
            connection_checks.test_connection("google", s, "AIza-any-key-12345678901234567890123")
    assert info.value.kind == "server"


def test_missing_key_and_vertex_misconfiguration_say_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProviderError, match="Enter an OpenAI API key"):
        connection_checks.test_connection("openai", AppSettings())
    s = AppSettings()
    with pytest.raises(ProviderError, match="project id"):
        connection_checks.test_connection("vertex", s)
    s.google.vertex_project = "proj"
    s.google.vertex_credentials_file = str(tmp_path / "missing.json")
    with pytest.raises(ProviderError, match="credentials file"):
        connection_checks.test_connection("vertex", s)
    user_creds = tmp_path / "user.json"
    user_creds.write_text('{"type": "authorized_user"}')
    s.google.vertex_credentials_file = str(user_creds)
    with pytest.raises(ProviderError, match="not a usable credentials file"):
        connection_checks.test_connection("vertex", s)
    user_creds.write_text('{"type": "something_else"}')
    with pytest.raises(ProviderError, match="expected a service-account key"):
        connection_checks.test_connection("vertex", s)


def test_describe_reflects_configuration() -> None:
    s = AppSettings()
    assert not any(i.configured for i in connections.describe(s))
    secrets.set_secret("google.api_key", "AIza-some-key-1234567890123456789012")
    s.local.enabled, s.local.model = True, "llama3.1:8b"
    secrets.set_secret("fal.api_key", "fal-key:1234")
    state = {i.id: i.configured for i in connections.describe(s)}
    assert state == {
        "openai": False, "google": True, "vertex": False, "fal": True, "minimax": False,
        "elevenlabs": False, "openai-videos": False, "local": True,
    }  # fmt: skip
    secrets.set_secret("minimax.api_key", "mm-key-1234")
    assert {i.id: i.configured for i in connections.describe(s)}["minimax"]
    secrets.set_secret("elevenlabs.api_key", "el-key-1234")
    assert {i.id: i.configured for i in connections.describe(s)}["elevenlabs"]


def test_the_models_tab_sorts_what_a_connection_lists_and_never_offers_a_retired_model() -> None:
    found = connection_checks.models_by_capability(
        [
            "google:gemini-2.5-flash-image",  # retired (Oct 2026)
            "google:gemini-3.1-flash-image",
            "google:veo-3.1-generate-preview",
            "openai:gpt-image-1",  # retired
            "openai:sora-2",  # retired
            "fal:bytedance/seedance-2.0/image-to-video",
            "openai-videos:gw-video-1",
        ]
    )
    assert found["image"] == ["google:gemini-3.1-flash-image"]
    assert found["video"] == [
        "google:veo-3.1-generate-preview",
        "fal:bytedance/seedance-2.0/image-to-video",
        "openai-videos:gw-video-1",
    ]
    assert found["text"] == []
