"""Video through MiniMax's own API (Hailuo 02, issue 38's direct connection) against a fake of
it, through the real job runner: the first and last frames in MiniMax's own fields, lengths
it renders, its 200-with-an-error-code refusals said plainly and never taken for a render
that may be charged, and the money rules counted at the fake."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import JobState, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.provider_api import VideoRequest
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.minimax_video import MiniMaxVideo
from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.minimax_fake import KEY, FakeMiniMax, MiniMaxState, refused
from tests.providers.conftest import finished
from tests.story import mp4, png

HAILUO = "minimax:MiniMax-Hailuo-02"


pytestmark = pytest.mark.usefixtures("quick_backoff")


@pytest.fixture(autouse=True)
def minimax_key() -> None:
    secrets.set_secret("minimax.api_key", KEY)


def params(tmp_path: Path, fake: FakeMiniMax, **over: object) -> dict:
    bundle = tmp_path / "Film.aiuteur"
    if not bundle.exists():
        Project.create(tmp_path, "Film").close()
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    start.write_bytes(png("#203040"))
    end.write_bytes(png("#405060"))
    return {
        "prompt": "Mara climbs the last steps; the lamp room door opens.",
        "model_id": HAILUO,
        "model": "MiniMax-Hailuo-02",
        "start_frame": str(start),
        "end_frame": str(end),
        "duration": 8,
        "audio": False,
        "bundle": str(bundle),
        "poll_seconds": 0.05,
        "vertex": {"minimax_endpoint": fake.url},
        **over,
    }


def run(qtbot, library: Library, p: dict, estimate: float = 0.56):  # type: ignore[no-untyped-def]
    runner = JobRunner(library.jobs)
    job_id = runner.submit(
        Submission(VIDEO_RENDER, "Shot 1", p["model_id"], p, estimate=estimate, paid=True)
    )
    # The job's row, not this runner's memory of it: an earlier call's runner, still
    # running, may have taken the job from the queue (each call makes its own) — then this
    # one never hears of it. Shut down after, so no runner outlives its call.
    try:
        qtbot.waitUntil(lambda: finished(runner, job_id), timeout=20_000)
        return runner.store.get(job_id)
    finally:
        runner.shutdown()


def request(**over: object) -> VideoRequest:
    return VideoRequest(
        **{"prompt": "x", "model": HAILUO, "start_frame": png("#000000"), "duration": 6, **over}
    )


def test_both_frames_go_in_minimax_fields_and_the_clip_comes_without_the_key(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeMiniMax(MiniMaxState(video=clip, polls_until_done=2)) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        [sent] = fake.submissions
        assert sent.headers["authorization"] == f"Bearer {KEY}"
        body = sent.json()
        assert body["model"] == "MiniMax-Hailuo-02" and body["resolution"] == "768P"
        first, last = body["first_frame_image"], body["last_frame_image"]
        assert base64.b64decode(first.split(",", 1)[1]) == png("#203040")
        assert base64.b64decode(last.split(",", 1)[1]) == png("#405060")
        assert body["duration"] == 10  # an 8-s shot: Hailuo renders 6 or 10
        assert body["prompt_optimizer"] is False  # the prompt as assembled, not rewritten
        assert done.handle["task_id"] == "000000000000001"
        [download] = fake.downloads
        assert "authorization" not in download.headers  # the CDN never sees the key
        assert done.cost == pytest.approx(0.56)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_too_long_a_shot_is_refused_before_sending(qtbot, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with FakeMiniMax(MiniMaxState(video=mp4())) as fake:
        long = run(qtbot, library, params(tmp_path, fake, duration=12))
        assert long.state is JobState.FAILED and "at most 10 seconds" in long.error
        assert len(fake.submissions) == 0


def test_accepted_then_no_answer_in_time_is_never_sent_again(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.providers import minimax_video

    real = minimax_video.MiniMaxVideo.__init__

    def short(self, api_key, model_id, *, base_url=None, timeout=60.0):  # type: ignore[no-untyped-def]
        real(self, api_key, model_id, base_url=base_url, timeout=1.0)

    monkeypatch.setattr(minimax_video.MiniMaxVideo, "__init__", short)
    with FakeMiniMax(MiniMaxState(video=mp4(), accept_delay=2.5)) as fake:
        late = run(qtbot, library, params(tmp_path, fake))
        assert late.state is JobState.DECIDE, late.error  # maybe charged: the user decides
        time.sleep(2.0)
        assert len(fake.submissions) == 1


def test_its_own_rate_limit_is_retried_and_a_cut_off_download_fetched_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A 1002 in `base_resp` is MiniMax refusing for now: sent again (it never took it). The
    clip cut off mid-body is fetched again from the same task, not rendered again."""
    busy = refused(1002, "rate limit exceeded (RPM)")
    clip = mp4()
    state = MiniMaxState(video=clip, submit_faults=[busy], truncate_downloads=1)
    with FakeMiniMax(state) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 2 and len(fake.polls) == 1  # one accepted render
        assert len(fake.downloads) == 2
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_refusals_are_said_plainly_a_wrong_key_no_balance_a_flagged_render(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeMiniMax(MiniMaxState(video=mp4(), fail_with=1027)) as fake:
        flagged = run(qtbot, library, params(tmp_path, fake))
        assert flagged.state is JobState.FAILED and flagged.attempts == 1
        assert "content policy" in flagged.error
        with pytest.raises(ProviderError, match="rejected the API key") as wrong:
            MiniMaxVideo("mm-wrong", HAILUO, base_url=fake.url).submit(request())
        assert wrong.value.kind == "auth" and "mm-wrong" not in wrong.value.user_message
        fake.state.submit_faults.append(refused(1008, "insufficient balance"))
        with pytest.raises(ProviderError, match="no balance left") as broke:
            MiniMaxVideo(KEY, HAILUO, base_url=fake.url).submit(request())
        assert not broke.value.maybe_accepted  # its own answer: nothing was taken
        fake.state.submit_faults.append(refused(1026, "input new_sensitive"))
        with pytest.raises(ProviderError, match="content policy") as flagged_prompt:
            MiniMaxVideo(KEY, HAILUO, base_url=fake.url).submit(request())
        assert flagged_prompt.value.kind == "safety"


def test_a_restart_resumes_the_render_by_its_handle(tmp_path: Path) -> None:
    """The handle (kept with the job, as JSON) is all a new process needs: it polls and
    downloads the same task; nothing is submitted again."""
    clip = mp4()
    with FakeMiniMax(MiniMaxState(video=clip, polls_until_done=3)) as fake:
        handle = MiniMaxVideo(KEY, HAILUO, base_url=fake.url).submit(request())
        kept = json.loads(json.dumps(handle))
        again = MiniMaxVideo(KEY, HAILUO, base_url=fake.url)  # after the restart
        while not again.poll(kept)[0]:
            pass
        assert again.download(kept) == (clip, "video/mp4")
        assert len(fake.submissions) == 1


def test_aiuteur_render_and_models_know_minimax(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.cli.models import cmd_models
    from aiuteur_desktop.core.production import takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    assert cmd_models(True) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert listed[HAILUO]["configured"] and listed[HAILUO]["capabilities"]["end_frame"]
    assert listed[HAILUO]["price"]  # priced: never free
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        bundle = p.path
    with FakeMiniMax(MiniMaxState(video=mp4())) as fake:
        settings = library.load_settings()
        settings.minimax.api_endpoint = fake.url
        library.save_settings(settings)
        assert scenes.cmd_render(str(bundle), "2", HAILUO, False, True, True) == 0, (
            capsys.readouterr().err
        )
        out = json.loads(capsys.readouterr().out)
        assert [r["state"] for r in out["rendered"]] == ["succeeded", "succeeded"]
        assert len(fake.submissions) == 2
    with Project.open(bundle) as p:
        assert all(takes.current(p, "s2", s) is not None for s in ("A", "B"))
