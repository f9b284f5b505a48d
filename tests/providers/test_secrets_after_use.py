"""After jobs that used real keys (one succeeding, one refused), no key is anywhere on disk."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.logs import setup_logging
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.text_jobs import TEXT_COMPLETE
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.conftest import all_file_bytes, assert_nowhere
from tests.fakes.openai_fake import FakeChat, reply

KEY = "sk-proj-SECRETkey0123456789abcdefXYZ"


def test_keys_never_reach_the_database_logs_or_media(
    qtbot, library: Library, aiuteur_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    setup_logging(logging.DEBUG)
    secrets.set_secret("openai.api_key", KEY)
    project = Project.create(tmp_path, "Film")
    with FakeChat([reply("A storm. A rescue.", (1000, 500))], valid_keys={KEY}) as good:
        runner = JobRunner(library.jobs)
        ok = runner.submit(
            Submission(
                TEXT_COMPLETE,
                "Beats",
                "openai:gpt-5.1",
                {"base_url": good.base_url, "model": "gpt-5.1", "prompt": "Beats."},
            )
        )
        qtbot.waitUntil(lambda: runner.job(ok).state.finished, timeout=10_000)
        assert good.chat_requests[0].headers["authorization"] == f"Bearer {KEY}"
    done = runner.store.get(ok)
    assert done.state is JobState.SUCCEEDED and done.result["text"] == "A storm. A rescue."
    assert done.cost == pytest.approx(1000 * 1.25 / 1e6 + 500 * 10 / 1e6)  # from reported usage
    with FakeChat([reply("x")], valid_keys={"someone-else"}) as refusing:
        bad = runner.submit(
            Submission(
                TEXT_COMPLETE,
                "Beats",
                "openai:gpt-5.1",
                {"base_url": refusing.base_url, "model": "gpt-5.1", "prompt": "Beats."},
            )
        )
        qtbot.waitUntil(lambda: runner.job(bad).state.finished, timeout=10_000)
    refused = runner.store.get(bad)
    assert refused.state is JobState.FAILED and "rejected the API key" in refused.error
    project.media.put(done.result["text"].encode(), "text/plain")
    project.close()
    logging.getLogger("aiuteur").error("request failed with key %s", KEY)  # redacted on write
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = [*all_file_bytes(aiuteur_home), *all_file_bytes(tmp_path / "Film.aiuteur")]
    assert any(p.suffix == ".log" or "log" in p.name for p, _ in files)
    for path, data in files:
        assert KEY.encode() not in data, f"the key leaked into {path}"


def test_gemini_text_job_records_usage_cost_in_the_ledger(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.money import ledger
    from tests.fakes.gemini_fake import FakeGeminiContent, gemini_reply

    secrets.set_secret("google.api_key", "AIza-ledger-key")
    Project.create(tmp_path, "Film").close()
    with FakeGeminiContent([gemini_reply("Beats.", (2_000_000, 100_000))]) as fake:
        runner = JobRunner(library.jobs)
        params = {
            "connection": "google",
            "base_url": fake.url,
            "model": "gemini-3-flash",
            "prompt": "Beats.",
            "bundle": str(tmp_path / "Film.aiuteur"),
            "stage": 3,
            "template": "beats@2",
            "context_ids": ["style:noir#12"],
        }
        job_id = runner.submit(
            Submission(TEXT_COMPLETE, "Beat sheet", "google:gemini-3-flash", params)
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    done = runner.store.get(job_id)
    assert done.state is JobState.SUCCEEDED, done.error
    expected = 2 * 0.30 + 0.1 * 2.50  # flash prices per 1M tokens
    prov = done.result["provenance"]
    assert (prov["provider"], prov["model"], prov["template"], prov["job"]) == (
        "google",
        "gemini-3-flash",
        "beats@2",
        job_id,
    )
    assert prov["context_ids"] == ["style:noir#12"] and prov["parameters"]["max_tokens"] == 2048
    assert done.cost == pytest.approx(expected)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert ledger.by(project, "stage") == {3: pytest.approx(expected)}


def test_pieces_of_a_saved_key_echoed_in_job_errors_reach_no_file(
    qtbot, library: Library, aiuteur_home: Path
) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.openai_fake import openai_error

    setup_logging(logging.DEBUG)
    key = "sk-proj-EchoedKey0123456789abcdefQRS"
    secrets.set_secret("openai.api_key", key)
    with FakeChat([reply("x")]) as fake:
        fake.fault = openai_error(
            400, f"Project key starting {key[:14]} (…{key[-12:]}) may not use this model.", "x"
        )
        runner = JobRunner(library.jobs)
        job_id = runner.submit(
            Submission(
                TEXT_COMPLETE,
                "Beats",
                "openai:gpt-5.1",
                {"base_url": fake.base_url, "model": "gpt-5.1", "prompt": "Beats."},
            )
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    failed = runner.store.get(job_id)
    assert failed.state is JobState.FAILED and "may not use this model" in (failed.error or "")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert_nowhere(aiuteur_home, key, key[:14], key[-12:])
