"""A local model server as filmmakers run one (issue 23): the real openai SDK against a fake
that keeps generating after the client has gone, serves one request at a time, refuses
`json_schema`, drops system messages, cuts answers at `max_tokens`, has a 4,096-token window
and answers an overflow on a stream with an empty 200."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.provider_api import TextRequest
from aiuteur_desktop.providers import openai_text
from aiuteur_desktop.providers.openai_text import OpenAIText
from aiuteur_desktop.providers.story_jobs import STORY_GENERATE
from aiuteur_desktop.providers.text_jobs import TEXT_COMPLETE
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.local_fake import FakeLocalServer, obeys

MODEL = "gemma-3-270m"
REQ = TextRequest(
    prompt="Write the beats of a ferry crossing.",
    model=MODEL,
    system="You are a story editor. Write exactly three beats.",
    max_tokens=600,
)


class Beats(BaseModel):
    beats: list[str] = Field(min_length=2, max_length=30)


THREE = {"beats": ["Storm", "Wreck", "Rescue"]}


def local(fake: FakeLocalServer, **kw: Any) -> OpenAIText:
    return OpenAIText("", fake.base_url, local=True, **kw)


def test_json_schema_refused_once_then_json_object_with_the_schema_is_remembered() -> None:
    with FakeLocalServer(obeys(lambda _seen: THREE)) as fake:
        for _ in range(2):
            provider = local(fake)
            assert provider.structured(REQ, Beats).value.beats == ["Storm", "Wreck", "Rescue"]
            provider.close()
        forms = [json.loads(r.body)["response_format"] for r in fake.chat_requests]
        # The refused form is asked once only, not on every request (a server traceback each).
        assert [f["type"] for f in forms] == ["json_schema", "json_object", "json_object"]
        assert all(f.get("schema") for f in forms[1:])


def test_instructions_reach_a_model_whose_template_drops_the_system_role() -> None:
    with FakeLocalServer(obeys(lambda _seen: THREE)) as fake:
        result = local(fake).structured(REQ, Beats)
        assert result.method == "json_object"
        [gen] = fake.real
        assert "You are a story editor. Write exactly three beats." in gen.seen
        assert "Answer with one JSON object only" in gen.seen and '"beats"' in gen.seen
        assert all(m["role"] != "system" for m in fake.chat_requests[-1].json()["messages"])


def test_an_answer_cut_off_at_max_tokens_is_said_plainly_and_not_resent() -> None:
    rambling = {"beats": ["The storm rises and rises " * 20] * 30}
    with FakeLocalServer(lambda _seen: json.dumps(rambling)) as fake:
        with pytest.raises(ProviderError) as err:
            local(fake).structured(REQ, Beats)
        assert err.value.kind == "cut_off" and not err.value.retryable
        assert "cut off at 600 tokens" in err.value.user_message
        assert "expected structure" not in err.value.user_message
        [gen] = fake.real  # cut off once: the same request was not sent again
        assert gen.finish == "length" and gen.tokens == 600


def test_the_window_comes_from_the_server_and_sizes_the_answer() -> None:
    with FakeLocalServer(obeys(lambda _seen: THREE), window=4096) as fake:
        long = TextRequest(
            prompt="Source: " + "The ferry crossed the strait. " * 400,  # ~3,000 tokens
            model=MODEL,
            max_tokens=3000,
        )
        provider = local(fake)
        assert provider.window(MODEL) == (4096, True)  # from llama.cpp's /props
        assert provider.structured(long, Beats).value.beats[0] == "Storm"
        sent = fake.chat_requests[-1].json()["max_tokens"]
        assert 0 < sent < 3000 and sent + len(fake.real[-1].seen) // 4 <= 4096

        too_long = TextRequest(prompt="x " * 9000, model=MODEL, max_tokens=3000)
        before = len(fake.chat_requests)
        with pytest.raises(ProviderError) as err:
            provider.structured(too_long, Beats)
        assert err.value.kind == "too_long" and "context window is 4,096" in err.value.user_message
        assert len(fake.chat_requests) == before  # refused here, nothing sent


def test_an_overflow_answered_with_an_empty_stream_is_reported_as_what_it_is() -> None:
    # The server does not say its window and Settings claims a larger one than it has.
    with FakeLocalServer(lambda _s: "Plenty", tells_window=False, window=4096) as fake:
        request = TextRequest(prompt="Mara sails. " * 1200, model=MODEL, max_tokens=2000)
        with pytest.raises(ProviderError) as err:
            local(fake, context_window=16_384).complete(request)
        message = err.value.user_message
        assert "returned nothing" in message and "context window (16,384 tokens)" in message
        assert "empty answer" not in message


def test_usage_is_estimated_when_the_stream_reports_none() -> None:
    with FakeLocalServer(lambda _s: "The ferry leaves at midnight, lamps burning.") as fake:
        result = local(fake).complete(REQ)
        assert result.text.startswith("The ferry")
        assert result.usage.input_tokens > 10 and result.usage.output_tokens >= 10


# ------------------------------------------------------------------ jobs
def settle(qtbot, runner: JobRunner, job_id: str, timeout: int = 20_000, attempts: int = 1):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: runner.job(job_id).attempts >= attempts and runner.job(job_id).state.finished,
        timeout=timeout,
    )
    return runner.store.get(job_id)


def test_a_timed_out_local_request_is_not_resent_while_the_server_is_still_busy(
    qtbot, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(openai_text, "PROBE_TIMEOUT", 0.3)
    # Reading the prompt takes 1.5 s of silence on this "laptop"; the client waits 0.4 s.
    with FakeLocalServer(lambda _s: "A long answer. " * 40, prompt_s=1.5) as fake:
        runner = JobRunner(library.jobs)
        params = {
            "connection": "local",
            "base_url": fake.base_url,
            "model": MODEL,
            "prompt": "Tell the story.",
            "max_tokens": 400,
            "limits": {"idle_timeout": 0.4},
        }
        job_id = runner.submit(Submission(TEXT_COMPLETE, "Story", f"local:{MODEL}", params))
        job = settle(qtbot, runner, job_id)
        assert job.state is JobState.FAILED and job.attempts == 1  # not retried on its own
        assert "still be working" in (job.error or "") and "Retry" in (job.error or "")
        assert fake.busy() and len(fake.real) == 1

        runner.retry(job_id)  # the server is still generating the abandoned answer
        job = settle(qtbot, runner, job_id, attempts=2)
        assert job.state is JobState.FAILED and "still busy" in (job.error or "")
        assert "nothing was sent" in (job.error or "")
        assert len(fake.real) == 1  # only a one-token probe went, and it waited in line

        fake.wait_idle()
        abandoned = fake.real[0]
        assert abandoned.finish == "stop" and abandoned.tokens == len("A long answer. " * 40) // 4
        time.sleep(0.2)  # the queued probe runs
        fake.prompt_s = 0.0
        runner.retry(job_id)  # idle now: the probe answers, then the request goes
        job = settle(qtbot, runner, job_id, attempts=3)
        assert job.state is JobState.SUCCEEDED, job.error
        assert len(fake.real) == 2 and job.result["text"].startswith("A long answer.")
        runner.shutdown()


TREATMENT = {
    "title": "Night Ferry",
    "logline": "A mechanic steers a dying ferry.",
    "text": "Mara keeps the engine alive while the storm takes the lights, one by one. " * 3,
}
BEAT_SHEET = {"beats": [{"text": f"Beat {n}.", "source": ""} for n in range(1, 16)]}


def test_a_slow_laptop_model_writes_a_treatment_and_a_beat_sheet_with_progress(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """10 tokens a second, default settings: no deadline while tokens arrive."""

    def model(seen: str) -> str:
        if "Answer with one JSON object only" not in seen:
            return "Sure!"
        return json.dumps(BEAT_SHEET if "beats" in seen.split("Answer with")[0] else TREATMENT)

    with FakeLocalServer(model, tokens_per_s=10.0) as fake:
        runner = JobRunner(library.jobs)
        seen_progress: list[float] = []
        runner.progressed.connect(lambda _id, value: seen_progress.append(value))
        route = {"connection": "local", "base_url": fake.base_url, "model": MODEL}
        treatment = {
            **route,
            "template": "treatment.generate",
            "schema": "TreatmentOut",
            "values": {
                "context": "# Project context\n(no project constraints)",
                "source": "A ferry, a storm.",
                "task": "Write the treatment.",
                "number": "1",
                "angle": "tone",
                "length": "3 minutes",
            },
        }
        beats = {
            **route,
            "template": "beats.generate",
            "schema": "BeatSheetOut",
            "values": {
                "context": "# Project context\n(no project constraints)",
                "treatment": TREATMENT["text"],
                "guidance": "(none)",
                "length": "3 minutes",
            },
        }
        first = runner.submit(Submission(STORY_GENERATE, "Treatment", f"local:{MODEL}", treatment))
        job = settle(qtbot, runner, first, timeout=60_000)
        assert job.state is JobState.SUCCEEDED, job.error
        assert job.result["value"]["title"] == "Night Ferry"
        streamed = [p for p in seen_progress if 0.05 < p < 0.95]
        assert len(set(streamed)) >= 5  # the bar moved while the answer was written
        assert fake.real[-1].stream and fake.real[-1].tokens > 60  # ≥ 6 s at 10 tokens/s
        fake.tokens_per_s = 20.0  # (still past any 5-s deadline: ~110 tokens)
        second = runner.submit(Submission(STORY_GENERATE, "Beat sheet", f"local:{MODEL}", beats))
        job = settle(qtbot, runner, second, timeout=60_000)
        assert job.state is JobState.SUCCEEDED, job.error
        assert len(job.result["value"]["beats"]) == 15
        assert fake.real[-1].stream and fake.real[-1].tokens > 100  # > 5 s at 20 tokens/s
        runner.shutdown()


def test_each_treatment_is_kept_the_moment_it_is_written(library: Library, tmp_path: Path) -> None:
    """Three treatments one after another on a laptop: the first is in the project while the
    second is still being written, and the whole is one commit when all are done."""
    import threading

    from aiuteur_desktop.core import story
    from aiuteur_desktop.core.app.settings import Budget
    from aiuteur_desktop.core.operations import headless
    from aiuteur_desktop.core.operations.story_answer import UNFINISHED, StoryAnswer
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.startup import register_all

    register_all()
    gate, second = threading.Event(), threading.Event()

    def model(seen: str) -> str:
        n = seen.split("Write treatment ")[1][0]
        if n == "2":
            second.set()
            gate.wait(20)  # the second takes its time
        return json.dumps({**TREATMENT, "title": f"Night Ferry {n}"})

    with FakeLocalServer(model) as fake, Project.create(tmp_path, "Film") as project:
        before = project.head().id
        values = {
            "context": "# Project context\n(no project constraints)",
            "source": "A ferry, a storm.",
            "task": "Write the treatment.",
            "angle": "tone",
            "length": "3 minutes",
        }
        asks = [
            story.Ask(
                "treatment.generate", {**values, "number": str(n)}, "TreatmentOut", [], 2, "T"
            )
            for n in (1, 2, 3)
        ]
        op = StoryAnswer.prepare_many(
            project,
            asks,
            "treatments",
            "Three treatments",
            title="Three treatments",
            route={"connection": "local", "base_url": fake.base_url, "model": MODEL},
            provider=f"local:{MODEL}",
        )
        done: list[Any] = []
        worker = threading.Thread(
            target=lambda: done.append(headless.run_one(library.jobs, op, Budget()))
        )
        worker.start()
        assert second.wait(20)  # treatment 2 is being written
        with Project.open(project.path) as reader:
            doc = reader.read(story.TREATMENT)
            assert [v["title"] for v in doc["variants"]] == ["Night Ferry 1", "", ""]
            assert doc["variants"][1]["failed"] == UNFINISHED and doc["active"] == 0
            assert reader.head().id == before  # kept in the draft; not committed yet
        gate.set()
        worker.join(30)
        assert done and done[0].state is JobState.SUCCEEDED, done and done[0].error
        with Project.open(project.path) as reader:
            doc = reader.read(story.TREATMENT)
            assert [v["title"] for v in doc["variants"]] == [f"Night Ferry {n}" for n in (1, 2, 3)]
            assert reader.head().message == "Three treatments"
            assert reader.log()[1].id == before  # one commit for the three
