"""Video through fal.ai (Kling, Seedance, MiniMax, Luma with one key) against a fake of its
queue API, through the real job runner: each model's own input fields, lengths it renders,
and the money rules counted at the fake."""

from __future__ import annotations

import base64
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
from tests.fakes.fal_fake import KEY, FakeFal, FalState
from tests.fakes.server import Response
from tests.providers.conftest import finished
from tests.story import mp4, png

REPO = Path(__file__).resolve().parents[2]
KLING = "fal:fal-ai/kling-video/v4/image-to-video"
SEEDANCE = "fal:bytedance/seedance-2.0/image-to-video"
HAILUO = "fal:fal-ai/minimax/hailuo-02/standard/image-to-video"
LUMA = "fal:fal-ai/luma-dream-machine/ray-2/image-to-video"


pytestmark = pytest.mark.usefixtures("quick_backoff")


@pytest.fixture(autouse=True)
def fal_key() -> None:
    secrets.set_secret("fal.api_key", KEY)


def params(tmp_path: Path, fake: FakeFal, model: str = KLING, **over: object) -> dict:
    bundle = tmp_path / "Film.aiuteur"
    if not bundle.exists():
        Project.create(tmp_path, "Film").close()
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    start.write_bytes(png("#203040"))
    end.write_bytes(png("#405060"))
    return {
        "prompt": "Mara climbs the last steps; the lamp room door opens.",
        "model_id": model,
        "model": model.partition(":")[2],
        "start_frame": str(start),
        "end_frame": str(end),
        "duration": 8,
        "audio": False,
        "bundle": str(bundle),
        "poll_seconds": 0.05,
        "vertex": {"fal_endpoint": fake.url},
        **over,
    }


def run(qtbot, library: Library, p: dict, estimate: float = 1.57):  # type: ignore[no-untyped-def]
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


def test_each_model_gets_its_own_fields_and_a_length_it_renders(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeFal(FalState(video=clip, polls_until_done=2)) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        [sent] = fake.submissions
        assert sent.path == "/fal-ai/kling-video/v4/image-to-video"
        assert sent.headers["authorization"] == f"Key {KEY}"
        body = sent.json()
        start = body["start_image_url"]
        assert start.startswith("data:image/png;base64,")
        assert base64.b64decode(start.split(",", 1)[1]) == png("#203040")
        assert body["end_image_url"].startswith("data:image/png;base64,")
        assert body["duration"] == "10"  # an 8-s shot: Kling renders 5 or 10
        assert done.handle["status_url"].endswith("/requests/req-1/status")
        assert done.cost == pytest.approx(1.57)  # 10 s × $0.157
        seed = run(qtbot, library, params(tmp_path, fake, SEEDANCE), estimate=2.42)
        assert seed.state is JobState.SUCCEEDED, seed.error
        body = fake.submissions[-1].json()
        assert set(body) >= {"image_url", "end_image_url"} and body["duration"] == "8"
        luma = run(qtbot, library, params(tmp_path, fake, LUMA, duration=4))
        assert luma.state is JobState.SUCCEEDED, luma.error
        assert fake.submissions[-1].json()["duration"] == "5s"
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_what_a_model_cannot_take_is_refused_before_sending(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeFal(FalState(video=mp4())) as fake:
        long = run(qtbot, library, params(tmp_path, fake, HAILUO, duration=12, end_frame=None))
        assert long.state is JobState.FAILED and "at most 10 seconds" in long.error
        both = run(qtbot, library, params(tmp_path, fake, HAILUO))
        assert both.state is JobState.FAILED and "start frame only" in both.error
        assert len(fake.submissions) == 0


def test_accepted_then_no_answer_in_time_is_never_sent_again(
    qtbot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.providers import fal_video

    real = fal_video.FalVideo.__init__

    def short(self, api_key, model_id, *, base_url=None, timeout=60.0):  # type: ignore[no-untyped-def]
        real(self, api_key, model_id, base_url=base_url, timeout=1.0)

    monkeypatch.setattr(fal_video.FalVideo, "__init__", short)
    with FakeFal(FalState(video=mp4(), accept_delay=2.5)) as fake:
        late = run(qtbot, library, params(tmp_path, fake))
        assert late.state is JobState.DECIDE, late.error  # maybe charged: the user decides
        time.sleep(2.0)
        assert len(fake.submissions) == 1


def test_rate_limit_waits_as_told_and_a_cut_off_download_is_fetched_again(
    qtbot, library: Library, tmp_path: Path, quick_backoff: list[float | None]
) -> None:  # type: ignore[no-untyped-def]
    busy = Response(429, {"detail": "Too many requests"}, {"Retry-After": "11"})
    clip = mp4()
    with FakeFal(FalState(video=clip, submit_faults=[busy], truncate_downloads=1)) as fake:
        done = run(qtbot, library, params(tmp_path, fake))
        assert done.state is JobState.SUCCEEDED, done.error
        assert 11.0 in quick_backoff
        assert len(fake.submissions) == 2 and len(fake.polls) == 1  # one accepted render
        assert len(fake.downloads) == 2
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip


def test_a_content_refusal_is_said_plainly_and_a_wrong_key_too(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeFal(FalState(refuse_content="The content could not be processed")) as fake:
        refused = run(qtbot, library, params(tmp_path, fake))
        assert refused.state is JobState.FAILED and refused.attempts == 1
        assert "content policy (The content could not be processed)" in refused.error
        from aiuteur_desktop.core.errors import ProviderError
        from aiuteur_desktop.core.provider_api import VideoRequest
        from aiuteur_desktop.providers.fal_video import FalVideo

        request = VideoRequest(prompt="x", model=KLING, start_frame=png("#000000"), duration=5)
        with pytest.raises(ProviderError, match="rejected the API key") as wrong:
            FalVideo("fal-wrong", KLING, base_url=fake.url).submit(request)
        assert wrong.value.kind == "auth" and "fal-wrong" not in wrong.value.user_message
        assert len(fake.submissions) == 2


def test_restart_resumes_the_render_by_its_handle_without_sending_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    keys = tmp_path / "keyring.json"
    keys.write_text(json.dumps({f"{secrets.SERVICE}/fal.api_key": KEY}))
    env = {
        **os.environ, "AIUTEUR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.file_keyring.FileKeyring",
        "AIUTEUR_TEST_KEYRING": str(keys),
    }  # fmt: skip
    state = FalState(video=mp4(), release=threading.Event())
    with FakeFal(state) as fake:
        params_file = tmp_path / "params.json"
        params_file.write_text(json.dumps(params(tmp_path, fake)))
        first = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.job_driver", "submit", str(params_file)],
            cwd=REPO, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(n >= 2 for n in fake.polls.values()):
                time.sleep(0.05)
            assert fake.polls, "the first process never submitted"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        state.release.set()
        second = subprocess.run(
            [sys.executable, "-m", "tests.fakes.job_driver", "resume", str(params_file)],
            cwd=REPO, env=env, timeout=120, capture_output=True, text=True,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr[-2000:]
        assert len(fake.submissions) == 1, "the render was submitted twice"
        assert len(fake.downloads) == 1
    monkeypatch.setenv("AIUTEUR_HOME", str(home))
    library = Library()
    [job] = library.jobs.recent()
    library.close()
    assert job.state is JobState.SUCCEEDED, job.error


def test_aiuteur_render_takes_a_scene_through_fal(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.core.production import takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        bundle = p.path
    with FakeFal(FalState(video=mp4())) as fake:
        settings = library.load_settings()
        settings.fal.api_endpoint = fake.url
        library.save_settings(settings)
        assert scenes.cmd_render(str(bundle), "2", KLING, False, True, True) == 0, (
            capsys.readouterr().err
        )
        out = json.loads(capsys.readouterr().out)
        assert [r["state"] for r in out["rendered"]] == ["succeeded", "succeeded"]
        assert len(fake.submissions) == 2
    with Project.open(bundle) as p:
        assert all(takes.current(p, "s2", s) is not None for s in ("A", "B"))


def test_stage_9_names_every_set_up_model_that_can_take_each_shot(
    library: Library, tmp_path: Path
) -> None:
    """With fal.ai's key stored, Stage 9's "takes it" lists the fal models that take the
    shot's frames, length and sound — Hailuo (start frame only) not for a start+end shot,
    Kling (silent) not for a shot with dialogue."""
    from aiuteur_desktop.core.production import prompts
    from aiuteur_desktop.providers.registry import Registry
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    models = Registry(library.load_settings()).video_models()
    assert {m.id for m in models} >= {"offline:animatic", KLING, SEEDANCE, HAILUO, LUMA}
    assert next(m.label for m in models if m.id == KLING) == "Kling 4.0 (fal.ai)"
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        sets = {s.shot: s for s in prompts.prompt_sets(p, "s2", models, "offline:animatic")}
        shots = {s.id: s for s in prompts.prompt_inputs(p, "s2").shots}
    for shot_id, pset in sets.items():
        takes = set(pset.compatible)
        assert "offline:animatic" in takes and SEEDANCE in takes
        if pset.frames == prompts.START_END:
            assert HAILUO not in takes
        assert (KLING in takes) == (not shots[shot_id].dialogue and shots[shot_id].duration <= 10)


def test_checkout_alternatives_price_every_model_and_recommend_the_cheapest_that_fits(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aiuteur checkout --alternatives`: each shot priced with every model set up (fal.ai's
    key and a Gemini API key here), why a model does not take it, and the cheapest paid one
    that does recommended."""
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    secrets.set_secret("google.api_key", "AIza-test-key-000000000000000000000")
    register_all()
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        bundle = p.path
    assert scenes.cmd_checkout(str(bundle), "2", "offline", True, True, alternatives=True) == 0
    shots = {s["label"]: s for s in json.loads(capsys.readouterr().out)["shots"]}
    first = shots["2A"]
    by_model = {o["model"]: o for o in first["options"]}
    assert first["frames"] == "start+end" and first["duration"] == 8
    assert by_model[HAILUO]["takes"] is False and "start frame only" in by_model[HAILUO]["why"]
    assert by_model[KLING]["price"] == pytest.approx(1.57)  # 10 s, what Kling renders
    assert by_model["google:veo-3.1-generate-preview"]["price"] == pytest.approx(3.2)
    assert by_model[LUMA]["price"] is None  # no price: never shown as free
    assert by_model["offline:animatic"]["price"] == 0.0
    takes = [o for o in first["options"] if o["takes"] and o["price"]]
    assert first["recommended"] == min(takes, key=lambda o: o["price"])["model"]
    assert scenes.cmd_checkout(str(bundle), "2", "offline", True, False, alternatives=True) == 0
    text = capsys.readouterr().out
    assert "★" in text and "takes a start frame only" in text


def test_aiuteur_render_gives_shots_models_of_their_own(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aiuteur render --shot-model 2B=MODEL`: that shot goes to its own model (counted at
    the fake: one request to Seedance's endpoint, one to Kling's), its take records it;
    `--cheapest` gives each shot its cheapest fit; a shot that is not there is one line."""
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.core.production import takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    with storm(tmp_path) as p:
        prepared(p, library, "s2")
        bundle = p.path
    assert scenes.cmd_checkout(str(bundle), "2", KLING, True, True, cheapest=True) == 0
    lines = {x["label"]: x["model"] for x in json.loads(capsys.readouterr().out)["lines"]}
    assert lines == {"2A": KLING, "2B": SEEDANCE}  # 2B has lines: silent Kling does not fit
    assert scenes.cmd_render(str(bundle), "2", KLING, True, True, True, shot_models=["2Z=x:y"]) == 2
    assert "--shot-model takes SHOT=MODEL with a shot of this scene (2A, 2B)" in (
        capsys.readouterr().err
    )
    with FakeFal(FalState(video=mp4())) as fake:
        settings = library.load_settings()
        settings.fal.api_endpoint = fake.url
        library.save_settings(settings)
        code = scenes.cmd_render(
            str(bundle), "2", SEEDANCE, True, True, True, shot_models=[f"2A={KLING}"]
        )
        assert code == 0, capsys.readouterr().err
        sent = sorted(r.path.strip("/") for r in fake.submissions)
        assert sent == sorted([KLING.split(":", 1)[1], SEEDANCE.split(":", 1)[1]])
    with Project.open(bundle) as p:
        assert takes.current(p, "s2", "A").model == KLING.split(":", 1)[1]
        assert takes.current(p, "s2", "B").model == SEEDANCE.split(":", 1)[1]
