"""Veo on Vertex through the real google-genai SDK against the fake: render, faults, restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.google_video import VeoVideo
from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.server import Response
from tests.fakes.vertex_fake import FakeVertex, VertexState, credentials_file
from tests.story import mp4, png

REPO = Path(__file__).resolve().parents[2]


def render_params(tmp_path: Path, fake: FakeVertex) -> dict:
    bundle = tmp_path / "Film.aiuteur"
    if not bundle.exists():
        Project.create(tmp_path, "Film").close()
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    start.write_bytes(png("#203040"))
    end.write_bytes(png("#405060"))
    return {
        "prompt": "Slow push-in on Mara trimming the wick; storm outside.",
        "model": "veo-3.1-generate-001",
        "start_frame": str(start),
        "end_frame": str(end),
        "duration": 8,
        "audio": True,
        "bundle": str(bundle),
        "poll_seconds": 0.05,
        "vertex": {
            "project": "film-123",
            "location": "us-central1",
            "credentials_file": str(credentials_file(tmp_path)),
            "base_url": fake.url,
        },
    }


def test_render_job_submits_once_polls_and_stores_the_clip(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeVertex(VertexState(polls_until_done=3, video=clip)) as fake:
        runner = JobRunner(library.jobs)
        params = {**render_params(tmp_path, fake), "seed": 1234, "template": "video-prompt@1"}
        job_id = runner.submit(
            Submission(VIDEO_RENDER, "Shot 1", "google:veo", params, estimate=3.2)
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
        done = runner.store.get(job_id)
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 1
        body = fake.submissions[0].json()
        instance = body["instances"][0]
        assert instance["prompt"].startswith("Slow push-in") and "lastFrame" in instance
        assert body["parameters"]["durationSeconds"] == 8 and body["parameters"]["generateAudio"]
        assert body["parameters"]["seed"] == 1234
        prov = done.result["provenance"]
        assert (prov["seed"], prov["template"], prov["job"]) == (1234, "video-prompt@1", job_id)
        assert done.handle["operation"].endswith("/operations/op-1")
        assert done.cost == pytest.approx(3.2)
        with Project.open(tmp_path / "Film.aiuteur") as project:
            assert project.media.read(done.result["media"]) == clip
            assert project.media.info(done.result["media"]).mime == "video/mp4"
            [entry] = ledger.entries(project)
            assert (entry.provider, entry.kind, entry.stage, entry.job) == (
                "google:veo",
                "video",
                12,
                job_id,
            )
            assert entry.estimate == pytest.approx(3.2) and entry.actual == pytest.approx(3.2)


def test_filtered_render_fails_in_plain_words_without_retrying(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeVertex(VertexState(filtered=["Child safety"])) as fake:
        runner = JobRunner(library.jobs)
        job_id = runner.submit(
            Submission(VIDEO_RENDER, "Shot 1", "google:veo", render_params(tmp_path, fake))
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
        failed = runner.store.get(job_id)
        assert failed.state is JobState.FAILED and failed.attempts == 1
        assert "filtered this render (Child safety)" in failed.error
        assert len(fake.submissions) == 1


def test_rate_limited_submission_is_retried_and_charged_once(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.views.jobs import runner as job_runner

    monkeypatch.setattr(job_runner.jobs, "backoff", lambda attempt, retry_after=None: 0.05)
    busy = Response(
        429, {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}
    )
    with FakeVertex(VertexState(video=mp4(), submit_faults=[busy])) as fake:
        runner = JobRunner(library.jobs)
        job_id = runner.submit(
            Submission(VIDEO_RENDER, "Shot 1", "google:veo", render_params(tmp_path, fake))
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
        done = runner.store.get(job_id)
        assert done.state is JobState.SUCCEEDED and done.attempts == 2
        assert len(fake.submissions) == 2 and len(fake.operations) == 1  # one accepted render


def test_api_key_alone_cannot_render_video() -> None:
    with pytest.raises(ProviderError, match="needs a Vertex AI connection"):
        VeoVideo("", "", "")


def test_restart_resumes_a_pending_render_without_resubmitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kill the app while Veo renders; a new process finishes the same operation."""
    import threading

    home = tmp_path / "home"
    env = {**os.environ, "AIUTEUR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    clip = mp4()
    state = VertexState(video=clip, release=threading.Event())
    with FakeVertex(state) as fake:
        params_file = tmp_path / "params.json"
        params_file.write_text(json.dumps(render_params(tmp_path, fake)))
        first = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.job_driver", "submit", str(params_file)],
            cwd=REPO,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            polled = False
            while time.monotonic() < deadline and not polled:
                polled = any(op.polls >= 2 for op in fake.operations.values())
                time.sleep(0.05)
            assert polled, "the first process never submitted and polled"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        assert len(fake.submissions) == 1
        state.release.set()  # Veo finishes while the app is closed
        second = subprocess.run(
            [sys.executable, "-m", "tests.fakes.job_driver", "resume", str(params_file)],
            cwd=REPO,
            env=env,
            timeout=120,
            capture_output=True,
            text=True,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        assert len(fake.submissions) == 1, "the render was submitted twice"
    monkeypatch.setenv("AIUTEUR_HOME", str(home))
    library = Library()
    [job] = library.jobs.recent()
    library.close()
    assert job.state is JobState.SUCCEEDED, job.error
    assert job.attempts == 2  # started in both processes, submitted in the first only
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(job.result["media"]) == clip


def test_poll_errors_and_truncated_downloads_retry_without_resubmitting(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.views.jobs import runner as job_runner

    monkeypatch.setattr(job_runner.jobs, "backoff", lambda attempt, retry_after=None: 0.05)
    clip = mp4()
    outage = Response(
        503, {"error": {"code": 503, "message": "Service unavailable", "status": "UNAVAILABLE"}}
    )
    state = VertexState(polls_until_done=2, video=clip, poll_faults=[outage], truncate_downloads=1)
    with FakeVertex(state) as fake:
        runner = JobRunner(library.jobs)
        job_id = runner.submit(
            Submission(VIDEO_RENDER, "Shot 1", "google:veo", render_params(tmp_path, fake))
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
        done = runner.store.get(job_id)
        assert done.state is JobState.SUCCEEDED, done.error
        assert done.attempts == 3  # the outage, the cut-off download, then success
        assert len(fake.submissions) == 1  # every retry polled the same operation
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_malformed_operation_answers_are_reported_not_crashes(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    garbage = Response(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
    with FakeVertex(VertexState(video=mp4(), poll_faults=[garbage] * 10)) as fake:
        runner = JobRunner(library.jobs)
        job_id = runner.submit(
            Submission(VIDEO_RENDER, "Shot 1", "google:veo", render_params(tmp_path, fake))
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
        failed = runner.store.get(job_id)
        assert failed.state is JobState.FAILED and failed.error
        assert failed.handle is not None  # the operation is remembered: Retry resumes it
        assert len(fake.submissions) == 1


def test_the_same_render_job_runs_offline_on_the_animatic_engine(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # No key, no Vertex, no network: the registry gives the offline animatic for the model.
    bundle = tmp_path / "Film.aiuteur"
    Project.create(tmp_path, "Film").close()
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    start.write_bytes(png("#203040"))
    end.write_bytes(png("#405060"))
    params = {
        "prompt": "Slow push-in on Mara trimming the wick; storm outside.",
        "model_id": "offline:animatic",
        "start_frame": str(start),
        "end_frame": str(end),
        "duration": 2,
        "audio": False,
        "bundle": str(bundle),
        "stage": 12,
        "scene": "s1",
        "shot": "1A",
        "spec": {"heading": "INT. LAMP ROOM - NIGHT", "width": 320, "duration": 2},
    }
    runner = JobRunner(library.jobs)
    job_id = runner.submit(Submission(VIDEO_RENDER, "Shot 1", "offline:animatic", params))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=60_000)
    done = runner.store.get(job_id)
    assert done.state is JobState.SUCCEEDED, done.error
    assert done.cost == 0.0 and done.handle["operation"].startswith("offline:")
    with Project.open(bundle) as project:
        data = project.media.read(done.result["media"])
        assert data[4:8] == b"ftyp" and project.media.info(done.result["media"]).mime == "video/mp4"
        (entry,) = ledger.entries(project)
        assert (entry.provider, entry.kind, entry.stage, entry.actual) == (
            "offline:animatic",
            "video",
            12,
            0.0,
        )
        # The operation keeps it as the shot's take (a second render would be take 2).
        takes = project.read("scenes/s1/videos/1A")
        assert takes["current"] == done.result["media"] and len(takes["takes"]) == 1
        assert project.head().message == "Rendered shot 1A (take 1)"
    assert not Path(done.handle["path"]).exists()  # the render's scratch file is gone
