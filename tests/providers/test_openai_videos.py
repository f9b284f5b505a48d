"""An OpenAI-style /v1/videos gateway (base URL, key, model in Settings) against a fake: the
start frame as input_reference, sent once (the SDK's retries off), and `aiuteur render`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.server import Response
from tests.fakes.videos_fake import KEY, FakeVideos, VideosState
from tests.story import mp4, png

MODEL = "openai-videos:gw-video-1"


@pytest.fixture(autouse=True)
def key() -> None:
    secrets.set_secret("videos.api_key", KEY)


def params(tmp_path: Path, fake: FakeVideos, **over: object) -> dict:
    bundle = tmp_path / "Film.aiuteur"
    if not bundle.exists():
        Project.create(tmp_path, "Film").close()
    start = tmp_path / "start.png"
    start.write_bytes(png("#203040"))
    return {
        "prompt": "The ferry leaves the pier at dawn.",
        "model_id": MODEL,
        "model": "gw-video-1",
        "start_frame": str(start),
        "end_frame": None,
        "duration": 8,
        "audio": True,
        "bundle": str(bundle),
        "poll_seconds": 0.05,
        "vertex": {"videos_endpoint": f"{fake.url}/v1"},
        **over,
    }


def run(qtbot, library: Library, p: dict):  # type: ignore[no-untyped-def]
    runner = JobRunner(library.jobs)
    job_id = runner.submit(Submission(VIDEO_RENDER, "Shot 1", MODEL, p, estimate=1.0, paid=True))
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=20_000)
    return runner.store.get(job_id)


def test_a_render_sends_the_start_frame_once_and_stores_the_clip(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeVideos(VideosState(video=clip, polls_until_done=2)) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        [sent] = fake.creations
        assert sent.headers["content-type"].startswith("multipart/form-data")
        assert b'name="input_reference"' in sent.body and png("#203040") in sent.body
        assert b'name="model"' in sent.body and b"gw-video-1" in sent.body
        assert done.handle["operation"] == "video_1"
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_a_gateway_error_after_sending_is_not_sent_again_and_an_end_frame_is_refused_first(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    gateway = Response(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"})
    with FakeVideos(VideosState(video=mp4(), create_faults=[gateway])) as fake:
        page = run(qtbot, library, params(tmp_path, fake))
        assert page.state is JobState.DECIDE  # maybe accepted: the user decides
        assert len(fake.creations) == 1  # the SDK did not retry it
        end = tmp_path / "end.png"
        end.write_bytes(png("#000000"))
        both = run(qtbot, library, params(tmp_path, fake, end_frame=str(end)))
        assert both.state is JobState.FAILED and "start frame only" in both.error
        assert len(fake.creations) == 1


def test_a_failed_render_is_said_and_aiuteur_render_goes_through_the_gateway(
    qtbot, library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.core.production import prompts, takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    with FakeVideos(VideosState(fail_with="Prompt rejected by moderation")) as fake:
        failed = run(qtbot, library, params(tmp_path, fake))
        assert failed.state is JobState.FAILED
        assert "could not render this shot: Prompt rejected by moderation" in failed.error
    register_all()
    with storm(tmp_path / "p") as p:
        prepared(p, library, "s2")
        for shot in ("A", "B"):  # the gateway takes start frames only
            prompts.set_frames(p, "s2", shot, "start")
        p.commit("Start frames only")
        prepared(p, library, "s2")  # the frames made again for the new choice, approved
        bundle = p.path
    (Path(library.home) / "pricing.toml").write_text(
        '[video."openai-videos:gw-video-1"]\nper_second = 0.05\nsource = "my gateway"\n'
    )
    with FakeVideos(VideosState(video=mp4())) as fake:
        settings = library.load_settings()
        settings.videos.base_url = f"{fake.url}/v1"
        settings.videos.model = "gw-video-1"
        library.save_settings(settings)
        assert scenes.cmd_render(str(bundle), "2", MODEL, True, True, True) == 0, (
            capsys.readouterr().err
        )
        out = json.loads(capsys.readouterr().out)
        assert [r["state"] for r in out["rendered"]] == ["succeeded", "succeeded"]
        assert len(fake.creations) == 2
    with Project.open(bundle) as p:
        assert all(takes.current(p, "s2", s) is not None for s in ("A", "B"))


def test_too_long_a_shot_is_refused_before_sending_and_429_waits_as_told(
    qtbot, library: Library, tmp_path: Path, quick_backoff: list[float | None]
) -> None:  # type: ignore[no-untyped-def]
    """Over the endpoint's longest clip: refused, nothing sent. A 429 with Retry-After is the
    gateway refusing for now: sent again after the wait it asked. A clip cut off mid-body
    is fetched again from the same render, not rendered again."""
    busy = Response(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "13"})
    clip = mp4()
    state = VideosState(video=clip, create_faults=[busy], truncate_downloads=1)
    with FakeVideos(state) as fake:
        long = run(qtbot, library, params(tmp_path, fake, duration=20))
        assert long.state is JobState.FAILED and "at most 12 seconds" in long.error
        assert len(fake.creations) == 0
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        assert 13.0 in quick_backoff
        assert len(fake.creations) == 2 and len(fake.polls) == 1  # one accepted render
        downloads = [r for r in fake.requests if r.path.endswith("/content")]
        assert len(downloads) == 2
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_accepted_then_no_answer_in_time_is_never_sent_again_and_a_restart_resumes(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.provider_api import VideoRequest
    from aiuteur_desktop.providers import openai_videos

    real = openai_videos.OpenAIVideos.__init__

    def short(self, base_url, api_key, *, timeout=60.0):  # type: ignore[no-untyped-def]
        real(self, base_url, api_key, timeout=1.0)

    monkeypatch.setattr(openai_videos.OpenAIVideos, "__init__", short)
    clip = mp4()
    with FakeVideos(VideosState(video=clip, accept_delay=2.5)) as fake:
        late = run(qtbot, library, params(tmp_path, fake))
        assert late.state is JobState.DECIDE, late.error  # maybe charged: the user decides
        time.sleep(2.0)
        assert len(fake.creations) == 1
        fake.state.accept_delay = 0.0
        request = VideoRequest(prompt="x", model="gw-video-1", start_frame=png("#000"), duration=8)
        handle = openai_videos.OpenAIVideos(f"{fake.url}/v1", KEY).submit(request)
        kept = json.loads(json.dumps(handle))
        again = openai_videos.OpenAIVideos(f"{fake.url}/v1", KEY)  # after a restart
        while not again.poll(kept)[0]:
            pass
        assert again.download(kept)[0] == clip
        assert len(fake.creations) == 2  # the late one and this one, each once
