"""Keys go to the keyring only, and never reach a log file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.logs import setup_logging
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.errors import SecretStoreError
from aiuteur_desktop.core.jobs import Submission


def test_secret_round_trip_and_delete(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    secrets.set_secret("openai.api_key", "sk-test-1234567890abcdef")
    assert secrets.get_secret("openai.api_key") == "sk-test-1234567890abcdef"
    assert memory_keyring.store[("Aiuteur", "openai.api_key")] == "sk-test-1234567890abcdef"
    secrets.set_secret("openai.api_key", "")
    assert secrets.get_secret("openai.api_key") is None
    secrets.delete_secret("openai.api_key")  # deleting twice is fine


def test_no_keyring_gives_a_clear_error() -> None:
    keyring.set_keyring(fail.Keyring())
    assert not secrets.backend_available()
    with pytest.raises(SecretStoreError, match="No OS keyring"):
        secrets.set_secret("openai.api_key", "sk-abcdefabcdefabcdef")
    assert secrets.get_secret("openai.api_key") is None


def test_logs_never_contain_a_key(aiuteur_home: Path) -> None:
    key = "my-very-private-local-key-42"
    secrets.set_secret("local.api_key", key)
    log_path = setup_logging()
    logger = logging.getLogger("aiuteur.test")
    logger.error("request failed with key %s and header Authorization: Bearer %s", key, key)
    logger.error("openai said: Incorrect API key provided: sk-proj-abcdefghijklmnop1234")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "request failed" in text
    assert key not in text
    assert "sk-proj-abcdefghijklmnop1234" not in text


def test_redact_masks_google_keys_and_query_strings() -> None:
    text = redact("GET /v1/models?key=AIzaSyA1234567890abcdefghijklmnop HTTP/1.1")
    assert "AIza" not in text and "[REDACTED]" in text


def test_pieces_of_a_known_key_are_masked_too() -> None:
    from aiuteur_desktop.core.app import redaction

    key = "zz-live-Fragments0123456789abcdefWXYZ"
    redaction.register(key)
    head, tail = key[:14], key[-12:]
    said = f"bad credentials (prefix {head}…) and tail …{tail}, middle {key[10:19]}"
    masked = redact(said)
    assert head not in masked and tail not in masked and key[10:19] not in masked
    assert masked.startswith("bad credentials (prefix [REDACTED]")
    # Seven characters of it are not a piece worth hiding; ordinary prose is untouched.
    assert redact(f"only {key[3:10]} here") == f"only {key[3:10]} here"
    assert redact("The storm hits the ferry at dawn.") == "The storm hits the ferry at dawn."
    # Registered as it is typed: the prefixes add nothing and are folded into the whole.
    for n in range(6, len(key) + 1):
        redaction.register(key[:n])
    assert sum(1 for k in redaction._known if key.startswith(k)) == 1


def test_a_model_answer_echoing_a_key_is_stored_without_it(library) -> None:  # type: ignore[no-untyped-def]
    """A proxy echoing the key, a model repeating its prompt: the job table keeps neither the
    key nor a piece of it — in the result or the error."""
    from aiuteur_desktop.core.app import redaction

    key = "sk-proj-Zq8vT3xLm2Nw9RfY4kHs"
    redaction.register(key)
    job = library.jobs.add(
        Submission("text.complete", "Treatment", "openai:gpt-5", {"prompt": "x"})
    )
    library.jobs.start(job.id)
    done = library.jobs.succeed(
        job.id, {"text": f"Sure! Your key {key} works. Tail: {key[-10:]}", "n": 3}
    )
    stored = json.dumps(done.result)
    assert key not in stored and key[-10:] not in stored and done.result["n"] == 3
    assert redaction.MASK in done.result["text"]
    other = library.jobs.add(Submission("text.complete", "Beats", "openai:gpt-5", {"prompt": "y"}))
    failed = library.jobs.fail(other.id, f"proxy said: bad request for key {key}")
    assert key not in (failed.error or "")
