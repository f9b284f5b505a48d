"""Veo with a Gemini API key (issue "The video and image models filmmakers have at the end
of 2026"): the Gemini API's own wire against a fake, through the real job runner — frames in
the service's fields, the key in a header, and the money rules counted at the fake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.gemini_video_fake import KEY, FakeGeminiVideo, GeminiVideoState
from tests.fakes.server import Response
from tests.providers.conftest import finished
from tests.story import mp4, png

REPO = Path(__file__).resolve().parents[2]
MODEL = "google:veo-3.1-generate-preview"


pytestmark = pytest.mark.usefixtures("quick_backoff")


def params(tmp_path: Path, fake: FakeGeminiVideo, **over: object) -> dict:
    bundle = tmp_path / "Film.aiuteur"
    if not bundle.exists():
        Project.create(tmp_path, "Film").close()
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    start.write_bytes(png("#203040"))
    end.write_bytes(png("#405060"))
    return {
        "prompt": "Slow push-in on Mara trimming the wick; storm outside.",
        "model": "veo-3.1-generate-preview",
        "start_frame": str(start),
        "end_frame": str(end),
        "duration": 8,
        "audio": True,
        "bundle": str(bundle),
        "poll_seconds": 0.05,
        # No Vertex connection: the render goes through the Gemini API key.
        "vertex": {"project": "", "location": "", "credentials_file": "", "api_endpoint": fake.url},
        **over,
    }


def run(qtbot, library: Library, p: dict):  # type: ignore[no-untyped-def]
    runner = JobRunner(library.jobs)
    job_id = runner.submit(Submission(VIDEO_RENDER, "Shot 1", MODEL, p, estimate=3.2, paid=True))
    # The job's row, not this runner's memory of it: an earlier call's runner, still
    # running, may have taken the job from the queue (each call makes its own) — then this
    # one never hears of it. Shut down after, so no runner outlives its call.
    try:
        qtbot.waitUntil(lambda: finished(runner, job_id), timeout=20_000)
        return runner.store.get(job_id)
    finally:
        runner.shutdown()


@pytest.fixture(autouse=True)
def gemini_key() -> None:
    secrets.set_secret("google.api_key", KEY)


def test_a_render_sends_both_frames_in_the_apis_fields_and_stores_the_clip(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeGeminiVideo(GeminiVideoState(video=clip, polls_until_done=2)) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        [sent] = fake.submissions
        assert sent.path == "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
        assert sent.headers["x-goog-api-key"] == KEY and "key=" not in sent.path
        instance = sent.json()["instances"][0]
        assert instance["prompt"].startswith("Slow push-in")
        assert instance["image"]["mimeType"] == "image/png"
        assert (
            instance["image"]["bytesBase64Encoded"] and instance["lastFrame"]["bytesBase64Encoded"]
        )
        assert sent.json()["parameters"] == {
            "durationSeconds": 8, "aspectRatio": "16:9", "resolution": "720p"
        }  # fmt: skip
        assert done.handle["operation"] == "models/veo-3.1-generate-preview/operations/op-1"
        assert len(fake.downloads) == 1 and done.cost == pytest.approx(3.2)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_a_shot_longer_than_veo_takes_or_without_sound_is_refused_before_sending(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeGeminiVideo(GeminiVideoState(video=mp4())) as fake:
        long = run(qtbot, library, params(tmp_path, fake, duration=12))
        assert long.state is JobState.FAILED and "at most 8 seconds" in long.error
        silent = run(qtbot, library, params(tmp_path, fake, audio=False))
        assert silent.state is JobState.FAILED and "always renders sound" in silent.error
        assert len(fake.submissions) == 0


def test_accepted_then_no_answer_in_time_is_never_sent_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeGeminiVideo(GeminiVideoState(video=mp4(), accept_delay=2.5)) as fake:
        late = run(qtbot, library, params(tmp_path, fake, vertex={
            "project": "", "credentials_file": "", "api_endpoint": fake.url, "timeout": 1.0}))  # fmt: skip
        assert late.state is JobState.DECIDE, late.error  # maybe charged: the user decides
        time.sleep(2.0)
        assert len(fake.submissions) == 1


def test_rate_limit_waits_as_told_and_a_cut_off_download_is_fetched_again(
    qtbot, library: Library, tmp_path: Path, quick_backoff: list[float | None]
) -> None:  # type: ignore[no-untyped-def]
    busy = Response(
        429,
        {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}},
        {"Retry-After": "7"},
    )
    clip = mp4()
    state = GeminiVideoState(video=clip, submit_faults=[busy], truncate_downloads=1)
    with FakeGeminiVideo(state) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        assert 7.0 in quick_backoff  # Retry-After honoured
        assert len(fake.submissions) == 2 and len(fake.operations) == 1  # one accepted render
        assert len(fake.downloads) == 2  # the cut-off download, then the whole one
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_a_content_policy_refusal_is_said_plainly_and_not_retried(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeGeminiVideo(GeminiVideoState(filtered=["Celebrity likeness"])) as fake:
        failed = run(qtbot, library, params(tmp_path, fake))
        assert failed.state is JobState.FAILED and failed.attempts == 1
        assert "content policy (Celebrity likeness)" in failed.error
        assert len(fake.submissions) == 1


def test_a_wrong_key_is_said_and_a_gateway_page_is_uncertain(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    gateway = Response(200, b"<html>Bad gateway</html>", {"Content-Type": "text/html"})
    with FakeGeminiVideo(GeminiVideoState(video=mp4(), submit_faults=[gateway])) as fake:
        page = run(qtbot, library, params(tmp_path, fake))
        assert page.state is JobState.DECIDE  # sent, answered by a page: maybe charged
        secrets.set_secret("google.api_key", "AIza-wrong")
        wrong = run(qtbot, library, params(tmp_path, fake))
        assert wrong.state is JobState.FAILED and "rejected the API key" in wrong.error
        assert "AIza-wrong" not in wrong.error
        assert len(fake.submissions) == 2


def test_restart_resumes_the_render_by_its_handle_without_sending_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    keys = tmp_path / "keyring.json"
    keys.write_text(json.dumps({f"{secrets.SERVICE}/google.api_key": KEY}))
    env = {
        **os.environ, "AIUTEUR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.file_keyring.FileKeyring",
        "AIUTEUR_TEST_KEYRING": str(keys),
    }  # fmt: skip
    state = GeminiVideoState(video=mp4(), release=threading.Event())
    with FakeGeminiVideo(state) as fake:
        params_file = tmp_path / "params.json"
        p = params(tmp_path, fake)
        params_file.write_text(json.dumps(p))
        first = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.job_driver", "submit", str(params_file)],
            cwd=REPO, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(n >= 2 for n in fake.operations.values()):
                time.sleep(0.05)
            assert fake.operations, "the first process never submitted"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        state.release.set()  # Veo finishes while the app is closed
        second = subprocess.run(
            [sys.executable, "-m", "tests.fakes.job_driver", "resume", str(params_file)],
            cwd=REPO, env=env, timeout=120,
            capture_output=True, text=True,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr[-2000:]
        assert len(fake.submissions) == 1, "the render was submitted twice"
        assert len(fake.downloads) == 1
    monkeypatch.setenv("AIUTEUR_HOME", str(home))
    library = Library()
    [job] = library.jobs.recent()
    library.close()
    assert job.state is JobState.SUCCEEDED, job.error


def test_aiuteur_render_takes_a_scene_through_the_gemini_api_key(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aiuteur render --provider google:veo-3.1-generate-preview --yes` with only a Gemini
    API key: one submission per shot, at the fake, and a take per shot."""
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.core.production import takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        bundle = p.path
    with FakeGeminiVideo(GeminiVideoState(video=mp4())) as fake:
        settings = library.load_settings()
        settings.google.api_endpoint = fake.url
        library.save_settings(settings)
        assert scenes.cmd_render(str(bundle), "2", MODEL, True, False, True) == 2
        assert "--yes" in capsys.readouterr().err and len(fake.submissions) == 0
        assert scenes.cmd_render(str(bundle), "2", MODEL, True, True, True) == 0, (
            capsys.readouterr().err
        )
        out = json.loads(capsys.readouterr().out)
        assert [r["state"] for r in out["rendered"]] == ["succeeded", "succeeded"]
        assert len(fake.submissions) == 2
    with Project.open(bundle) as p:
        assert all(takes.current(p, "s2", s) is not None for s in ("A", "B"))


def test_a_model_that_always_renders_sound_is_priced_with_it_when_asked_without(
    library: Library, tmp_path: Path
) -> None:
    """Stage 11 prices what will be billed: Veo through a Gemini API key renders sound
    whatever is asked, so a render asked silent is shown (and sent) with sound."""
    from aiuteur_desktop.core.production import checkout
    from aiuteur_desktop.providers.registry import Registry
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        c = checkout.for_model(p, "s2", Registry(), MODEL, audio=False)
    first = c.lines[0]
    assert first.audio and "always renders sound" in first.notice
    assert first.price == pytest.approx(3.2) and first.parts["audio"] == pytest.approx(1.6)
    silent = checkout.for_model(p, "s2", Registry(), "google:veo-3.1-generate-001", audio=False)
    assert not silent.lines[0].audio and silent.lines[0].price == pytest.approx(1.6)
