"""Money is spent once (issue 17): the real SDKs against the fakes, counting submissions there.

A paid request the provider may have accepted is never sent again without the user's
explicit, priced decision; what it may cost counts against the caps; the ledger records a
payment once.
"""

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

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.jobs import JobState, Sent, Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.money.prices import PriceUnknown
from aiuteur_desktop.core.operations import video_render
from aiuteur_desktop.core.operations.asset_key import AssetKey
from aiuteur_desktop.core.operations.video_render import VideoRender
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.fakes.server import Response
from tests.fakes.vertex_fake import FakeVertex, VertexState
from tests.providers.test_veo_video import REPO, render_params
from tests.story import mp4

PRICE = 3.2  # what render_params' 8 s with audio costs on Veo 3.1 (the shipped price table)
BAD = Response(
    400, {"error": {"code": 400, "message": "Operation failed", "status": "FAILED_PRECONDITION"}}
)


pytestmark = pytest.mark.usefixtures("quick_backoff")


def render(runner: JobRunner, params: dict) -> str:
    op = VideoRender.prepare(params, Registry())
    assert op.submission().estimate == pytest.approx(PRICE) and op.submission().paid
    return runner.run_operation(op)


def settle(qtbot, runner: JobRunner, job_id: str, timeout: int = 20_000):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=timeout)
    return runner.store.get(job_id)


def test_a_an_accepted_render_answered_after_the_timeout_is_not_sent_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeVertex(VertexState(video=mp4(), accept_delay=2.0)) as fake:
        runner = JobRunner(library.jobs)
        params = render_params(tmp_path, fake)
        params["vertex"]["timeout"] = 0.5
        job = settle(qtbot, runner, render(runner, params))
        assert job.state is JobState.DECIDE
        assert "Needs your decision" in job.error and "may charge" in job.error
        time.sleep(1.0)  # nothing else is on its way
        assert len(fake.submissions) == 1 and len(fake.operations) == 1
        [sent] = runner.store.submissions(job.id)
        assert sent.state is Sent.UNCERTAIN
        assert runner.store.committed() == pytest.approx(PRICE)  # counted as spent
        # Retry is not the way to pay again; Check Again cannot ask about a nameless request.
        declined: list[str] = []
        runner.declined.connect(lambda _id, why: declined.append(why))
        runner.check_again(job.id)
        qtbot.waitUntil(lambda: bool(declined), timeout=5000)
        assert "never named this request" in declined[0]
        # Render Again is the explicit, priced decision: a second submission, both counted.
        fake.state.accept_delay = 0.0
        runner.render_again(job.id)
        qtbot.waitUntil(lambda: runner.job(job.id).state is not JobState.DECIDE, timeout=5000)
        done = settle(qtbot, runner, job.id)
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 2
    assert runner.store.possibly_charged(job.id) == pytest.approx(PRICE)  # the lost one
    assert runner.store.committed() == pytest.approx(2 * PRICE)


def test_b_retry_after_failed_polls_resumes_the_same_render(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    with FakeVertex(VertexState(polls_until_done=2, video=clip, poll_faults=[BAD])) as fake:
        runner = JobRunner(library.jobs)
        job = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert job.state is JobState.FAILED and job.handle is not None
        assert runner.store.committed() == pytest.approx(PRICE)  # accepted: counted although failed
        runner.retry(job.id)
        qtbot.waitUntil(lambda: runner.job(job.id).state is not JobState.FAILED, timeout=5000)
        done = settle(qtbot, runner, job.id)
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 1  # polled the same operation
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip
        assert len(ledger.entries(project)) == 1 and ledger.total(project) == pytest.approx(PRICE)
    assert runner.store.committed() == pytest.approx(PRICE)


def test_c_cancel_keeps_the_render_and_resume_collects_it_without_a_new_charge(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clip = mp4()
    state = VertexState(video=clip, release=threading.Event())
    with FakeVertex(state) as fake:
        runner = JobRunner(library.jobs)
        job_id = render(runner, render_params(tmp_path, fake))
        qtbot.waitUntil(
            lambda: any(op.polls >= 1 for op in fake.operations.values()), timeout=10_000
        )
        runner.cancel(job_id)
        job = settle(qtbot, runner, job_id)
        assert job.state is JobState.CANCELLED and job.handle is not None
        assert runner.store.committed() == pytest.approx(PRICE)  # Veo keeps rendering, billing
        state.release.set()
        runner.retry(job_id)  # "Resume"
        qtbot.waitUntil(lambda: runner.job(job_id).state is not JobState.CANCELLED, timeout=5000)
        done = settle(qtbot, runner, job_id)
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 1
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert project.media.read(done.result["media"]) == clip
        assert [e.actual for e in ledger.entries(project)] == [pytest.approx(PRICE)]
    assert runner.store.committed() == pytest.approx(PRICE)


def test_d_the_cap_counts_an_accepted_render_that_failed(
    qtbot, library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    with FakeVertex(VertexState(video=mp4(), poll_faults=[BAD])) as fake:
        runner = JobRunner(library.jobs, budget=lambda: Budget(monthly_cap_usd=5.0))
        refused: list[str] = []
        declined: list[str] = []
        runner.refused.connect(lambda _id, why: refused.append(why))
        runner.declined.connect(lambda _id, why: declined.append(why))
        first = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert first.state is JobState.FAILED
        render(runner, render_params(tmp_path, fake))  # room for one render only
        qtbot.waitUntil(lambda: bool(refused), timeout=5000)
        assert "monthly budget" in refused[0] and "$3.20" in refused[0]
        runner.render_again(first.id)  # a new charge over the cap
        qtbot.waitUntil(lambda: bool(declined), timeout=5000)
        assert "monthly budget" in declined[0]
        time.sleep(0.3)
        assert len(fake.submissions) == 1
        assert runner.store.get(first.id).state is JobState.FAILED
    # The headless report shows the same figures, per job and against the cap.
    from aiuteur_desktop.cli import main as cli
    from aiuteur_desktop.core.app.settings import AppSettings

    settings = AppSettings()
    settings.budget.monthly_cap_usd = 5.0
    library.save_settings(settings)
    capsys.readouterr()
    assert cli.main(["spend", "--project", str(tmp_path / "Film.aiuteur"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [row] = data["jobs"]
    assert (row["job"], row["state"], row["model"]) == (first.id, "failed", first.provider)
    assert (row["estimate"], row["charged"], row["possibly"]) == (PRICE, 0.0, PRICE)
    totals = data["totals"]
    assert totals["counted_this_month"] == PRICE and totals["monthly_cap"] == 5.0
    assert totals["possibly_charged"] == PRICE and totals["counted_on_project"] == PRICE
    assert cli.main(["spend"]) == 0
    assert "possibly charged $3.20" in capsys.readouterr().out
    assert cli.main(["spend", "--project", str(tmp_path / "Nowhere.aiuteur")]) == 2
    assert capsys.readouterr().err.count("\n") == 1  # one line, no traceback


def test_e_a_paid_model_without_a_price_is_refused_and_nothing_is_sent(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with FakeVertex(VertexState(video=mp4())) as fake:
        params = {**render_params(tmp_path, fake), "model_id": "google:veo-9-unpriced"}
        with pytest.raises(PriceUnknown, match="no price for google:veo-9-unpriced") as err:
            VideoRender.prepare(params, Registry())
        assert "Edit my prices" in err.value.user_message
        # A paid job that reaches the runner without an estimate is refused there too.
        runner = JobRunner(library.jobs)
        refused: list[str] = []
        runner.refused.connect(lambda _id, why: refused.append(why))
        runner.submit(Submission(VIDEO_RENDER, "Shot 1", "google:veo", params, paid=True))
        qtbot.waitUntil(lambda: bool(refused), timeout=5000)
        assert "no price" in refused[0]
        assert fake.submissions == [] and runner.store.recent() == []


def test_g_a_cut_off_image_answer_is_not_made_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.app import secrets
    from tests.fakes.gemini_fake import FakeGeminiContent

    secrets.set_secret("google.api_key", "AIza-test-key-000000000000000000000")
    cut = Response(
        200, {"candidates": [{"content": {"parts": [{"text": "x" * 5000}]}}]}, truncate=0.3
    )
    with Project.create(tmp_path, "Keys") as p:
        masters.add(p, "character", "Mara", "A ferry mechanic")
        p.commit("Mara")
        with FakeGeminiContent([cut]) as fake:
            source = Registry()
            op = AssetKey.prepare(
                p, "assets/mara", "", model="google:gemini-3-pro-image", source=source
            )
            op = AssetKey(**{**op.__dict__, "base_url": fake.url})
            assert op.paid and op.estimate > 0
            runner = JobRunner(library.jobs)
            job = settle(qtbot, runner, runner.run_operation(op))
            time.sleep(0.3)
            assert job.state is JobState.DECIDE, job.error
            assert len(fake.content_requests) == 1  # not regenerated (and billed) again
        assert runner.store.committed() == pytest.approx(op.estimate)
        assert masters.read(p, "assets/mara").get("candidates") in (None, [])


# ----------------------------------------------------------------- (F) crashes
def _driver(tmp_path: Path, home: Path, mode: str, params: dict, **env_extra: str):  # type: ignore[no-untyped-def]
    env = {**os.environ, "AIUTEUR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **env_extra}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    params_file = tmp_path / "params.json"
    params_file.write_text(json.dumps(params))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.job_driver", mode, str(params_file)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _after_restart(tmp_path: Path, home: Path, params: dict, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    second = _driver(tmp_path, home, "resume", params)
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    monkeypatch.setenv("AIUTEUR_HOME", str(home))
    library = Library()
    [job] = library.jobs.recent()
    subs = library.jobs.submissions(job.id)
    committed = library.jobs.committed()
    library.close()
    return job, subs, committed


def test_f_killed_between_the_ledger_write_and_the_jobs_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    clip = mp4()
    with FakeVertex(VertexState(video=clip)) as fake:
        params = render_params(tmp_path, fake)
        first = _driver(tmp_path, home, "submit", params, AIUTEUR_TEST_KILL_AT="succeed")
        first.communicate(timeout=120)
        assert first.returncode == -signal.SIGKILL
        with Project.open(tmp_path / "Film.aiuteur") as project:
            assert len(ledger.entries(project)) == 1  # written before the kill
        job, subs, committed = _after_restart(tmp_path, home, params, monkeypatch)
        assert len(fake.submissions) == 1
    assert job.state is JobState.SUCCEEDED, job.error
    assert [s.state for s in subs] == [Sent.SETTLED]
    assert committed == pytest.approx(PRICE)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert len(ledger.entries(project)) == 1  # the replayed ending recorded nothing again
        assert ledger.total(project) == pytest.approx(PRICE)


def test_f_killed_between_the_provider_accepting_and_the_handle_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with FakeVertex(VertexState(video=mp4(), accept_delay=30.0)) as fake:
        params = render_params(tmp_path, fake)
        first = _driver(tmp_path, home, "submit", params)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not fake.operations:
                time.sleep(0.05)
            assert fake.operations, "the first process never submitted"
        finally:
            first.send_signal(signal.SIGKILL)  # Veo has it; the app never heard
            first.communicate(timeout=30)
        job, subs, committed = _after_restart(tmp_path, home, params, monkeypatch)
        assert len(fake.submissions) == 1
    assert job.state is JobState.DECIDE and "may have accepted" in job.error
    assert [s.state for s in subs] == [Sent.UNCERTAIN]
    assert committed == pytest.approx(PRICE)


def test_g_a_cut_off_paid_text_answer_is_not_asked_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.app import secrets
    from aiuteur_desktop.providers.text_jobs import TEXT_COMPLETE
    from tests.fakes.openai_fake import FakeChat, reply

    def cut(req):  # type: ignore[no-untyped-def]
        answer = reply("A storm. A rescue. A long answer that is cut off halfway through.")(req)
        answer.truncate = 0.5
        return answer

    secrets.set_secret("openai.api_key", "sk-test-money-0000000000000000")
    Project.create(tmp_path, "Film").close()
    with FakeChat([cut]) as fake:
        runner = JobRunner(library.jobs)
        params = {
            "base_url": fake.base_url,
            "model": "gpt-5.1",
            "prompt": "Beats.",
            "max_tokens": 2000,
            "bundle": str(tmp_path / "Film.aiuteur"),
        }
        job_id = runner.submit(Submission(TEXT_COMPLETE, "Beats", "openai:gpt-5.1", params))
        job = settle(qtbot, runner, job_id)
        time.sleep(0.3)
        assert job.state is JobState.DECIDE, job.error
        assert len(fake.chat_requests) == 1  # not asked (and billed) again
    [sent] = runner.store.submissions(job_id)
    assert sent.state is Sent.UNCERTAIN and sent.estimate > 0
    assert runner.store.committed() == pytest.approx(sent.estimate)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert ledger.entries(project) == []  # nothing settled, nothing recorded as $0


def test_d_a_retry_that_would_send_anew_meets_the_cap(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cap = {"usd": 5.0}
    state = VertexState(video=mp4(), poll_faults=[BAD])
    with FakeVertex(state) as fake:
        runner = JobRunner(library.jobs, budget=lambda: Budget(monthly_cap_usd=cap["usd"]))
        declined: list[str] = []
        runner.declined.connect(lambda _id, why: declined.append(why))
        first = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert first.state is JobState.FAILED  # accepted, then its polls failed: counted
        cap["usd"] = 7.0
        state.submit_faults.append(BAD)  # the next submission is refused outright: free
        second = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert second.state is JobState.FAILED and second.handle is None
        assert runner.store.committed() == pytest.approx(PRICE)
        cap["usd"] = 5.0
        runner.retry(second.id)  # would submit anew: $3.20 more than the cap allows
        qtbot.waitUntil(lambda: bool(declined), timeout=5000)
        assert "monthly budget" in declined[0]
        time.sleep(0.3)
        assert len(fake.submissions) == 2
        assert runner.store.get(second.id).state is JobState.FAILED


GATEWAY_504 = Response(
    504,
    b"<html><head><title>504 Gateway Time-out</title></head><body>nginx</body></html>",
    headers={"Content-Type": "text/html"},
)
GATEWAY_502 = Response(
    502,
    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    headers={"Content-Type": "text/html"},
)
VEO_503 = Response(
    503, {"error": {"code": 503, "message": "The service is unavailable.", "status": "UNAVAILABLE"}}
)


@pytest.mark.parametrize("answer", [GATEWAY_504, GATEWAY_502, VEO_503], ids=["504", "502", "503"])
def test_h_a_render_accepted_then_answered_by_a_server_error_is_not_sent_again(
    qtbot, library: Library, tmp_path: Path, answer: Response
) -> None:  # type: ignore[no-untyped-def]
    """Veo took the render, then a gateway (or Veo) answered 5xx: the provider may bill it,
    so it waits for the user's priced decision — one submission at the fake, counted."""
    with FakeVertex(VertexState(video=mp4(), accepted_then=[answer])) as fake:
        runner = JobRunner(library.jobs)
        job = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert job.state is JobState.DECIDE, job.error
        assert "Needs your decision" in job.error
        time.sleep(1.0)  # nothing else is on its way
        assert len(fake.submissions) == 1 and len(fake.operations) == 1
        [sent] = runner.store.submissions(job.id)
        assert sent.state is Sent.UNCERTAIN
        assert runner.store.committed() == pytest.approx(PRICE)  # counted against the caps


def test_h_a_cap_with_room_for_one_render_is_not_broken_by_server_errors(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Veo answers 503 to submissions it accepted: the first waits for a decision and
    counts; the second render meets the cap before anything is sent."""
    with FakeVertex(VertexState(video=mp4(), accepted_then=[VEO_503, VEO_503])) as fake:
        runner = JobRunner(library.jobs, budget=lambda: Budget(monthly_cap_usd=PRICE * 1.5))
        first = settle(qtbot, runner, render(runner, render_params(tmp_path, fake)))
        assert first.state is JobState.DECIDE
        params = render_params(tmp_path, fake)
        params["shot"] = "B"
        refused: list[str] = []
        runner.refused.connect(lambda _id, why: refused.append(why))
        try:
            second = runner.run_operation(VideoRender.prepare(params, Registry()))
        except Exception as exc:  # refused at submission
            refused.append(str(exc))
            second = None
        if second is not None:
            qtbot.waitUntil(
                lambda: bool(refused) or runner.job(second).state.finished, timeout=10_000
            )
        time.sleep(0.5)
        assert len(fake.submissions) == 1
        assert refused and "cap" in refused[0].lower()


def test_h_a_frame_image_answered_by_a_gateway_page_is_not_made_again(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The image model made the picture; the gateway in front answered 502 (an HTML page):
    made and billed once, not again without the user's decision."""
    from aiuteur_desktop.core.app import secrets
    from tests.fakes.gemini_fake import FakeGeminiContent

    secrets.set_secret("google.api_key", "AIza-test-key-000000000000000000000")
    with Project.create(tmp_path, "Keys") as p:
        masters.add(p, "character", "Mara", "A ferry mechanic")
        p.commit("Mara")
        with FakeGeminiContent([GATEWAY_502, GATEWAY_502, GATEWAY_502]) as fake:
            op = AssetKey.prepare(
                p, "assets/mara", "", model="google:gemini-3-pro-image", source=Registry()
            )
            op = AssetKey(**{**op.__dict__, "base_url": fake.url})
            runner = JobRunner(library.jobs)
            job = settle(qtbot, runner, runner.run_operation(op))
            time.sleep(0.3)
            assert job.state is JobState.DECIDE, job.error
            assert len(fake.content_requests) == 1
        assert runner.store.committed() == pytest.approx(op.estimate)


def test_i_the_frames_command_asks_before_it_spends_and_never_resends_an_undecided_frame(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aiuteur frames` with a paid image model: the estimate and --yes first; a frame whose
    request may have been charged is skipped (named) on the next run, sent again only with
    --again. Requests counted at the fake."""
    from aiuteur_desktop.cli import scenes
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.app import secrets
    from aiuteur_desktop.core.production import frames, prompts, visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_visuals import storm
    from tests.fakes.gemini_fake import FakeGeminiContent

    secrets.set_secret("google.api_key", "AIza-test-key-000000000000000000000")
    register_all()
    with storm(tmp_path) as p:
        shot_list.lock(p, "s2", shot_list.current(p, "s2"))
        for e in visuals.elements(p, "s2"):
            visuals.lock(p, "s2", e.slug)
        prompts.assemble(p, "s2")
        bundle = p.path
    with FakeGeminiContent([GATEWAY_502] * 10) as fake:
        settings = library.load_settings()
        settings.models.image = "google:gemini-3-pro-image-preview"
        settings.google.api_endpoint = fake.url
        library.save_settings(settings)

        def frames_cli(**kw: bool) -> int:
            return scenes.cmd_frames(str(bundle), "2", "quick", True, False, True, **kw)

        assert frames_cli() == 2  # no --yes: the estimate, nothing sent
        said = capsys.readouterr().err
        assert "costs about $" in said and "--yes" in said and len(said.strip().splitlines()) == 1
        assert len(fake.content_requests) == 0
        assert frames_cli(yes=True) == 2  # the first frame is answered by a gateway page
        assert len(fake.content_requests) == 1
        capsys.readouterr()
        # Run again: the undecided frame is skipped and named; the others are made.
        frames_cli(yes=True)
        out = capsys.readouterr()
        assert "Not sent again: 2A start" in out.out + out.err
        sent_for_2a = [
            r for r in fake.content_requests if b"2A" in (r.body or b"")
        ]  # fmt: skip
        assert len(sent_for_2a) <= 1
        before = len(fake.content_requests)
        frames_cli(yes=True, again=True)  # asked for explicitly: sent anew (a new charge)
        assert len(fake.content_requests) > before
    with Project.open(bundle) as p:
        operations.unshare(p)
        assert frames.slots(p, "s2")


def test_j_two_processes_rendering_the_same_confirmation_send_each_shot_once(
    library: Library, tmp_path: Path
) -> None:
    """The window and `aiuteur render` (two job stores on one library, as two processes
    have), both past their 'in flight?' look: each shot of the confirmation is claimed once
    in the shared database; the second asker is told it is on its way, nothing is sent."""
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.claims import AlreadyClaimed
    from aiuteur_desktop.core.operations import headless
    from aiuteur_desktop.core.production import checkout, takes
    from aiuteur_desktop.providers.startup import register_all
    from tests.core.production.test_checkout import prepared
    from tests.core.production.test_visuals import storm

    register_all()
    with storm(tmp_path) as p:
        operations.share(p)
        prepared(p, library, "s2")
        done = checkout.confirm(p, checkout.for_model(p, "s2", Registry(), "offline:animatic"))
        first_ops = video_render.render_ops(p, "s2", done, Registry())
        second_ops = video_render.render_ops(
            p, "s2", done, Registry()
        )  # looked before either queued
        other = Library()  # another process's view of the same library.db
        try:
            finished = headless.run_all(library.jobs, first_ops, Budget())
            claimed: list[str] = []
            again = headless.run_all(other.jobs, second_ops, Budget(), claimed=claimed)
            assert again == [] and len(claimed) == len(second_ops) >= 2
            assert all("already on its way" in c for c in claimed)
            with pytest.raises(AlreadyClaimed):
                other.jobs.add(
                    Submission(second_ops[0].kind, "Render shot 2A", "offline:animatic", second_ops[0].submission().params))  # fmt: skip
        finally:
            other.close()
        assert all(j.state is JobState.SUCCEEDED for j in finished)
        renders = [j for j in library.jobs.recent() if j.kind == VIDEO_RENDER]
        assert len(renders) == len(first_ops)  # one job — one take — per shot
        for x in done.lines:
            assert len(takes.of(p, "s2", x.shot)) == 1
        # An explicit Render Again of one shot is a new, priced request: its own claim.
        [again_op] = video_render.render_ops(p, "s2", done, Registry(), only={done.lines[0].shot})
        assert headless.run_one(library.jobs, again_op, Budget()).state is JobState.SUCCEEDED
        operations.unshare(p)


def test_k_a_render_killed_in_one_process_is_resumed_by_the_next_without_a_new_charge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render process killed while it polls Veo: while it lived, no other process would
    touch its render; once gone, the next command (not only the window) resumes it from its
    handle — one submission at the fake, one charge."""
    from aiuteur_desktop.core.operations import headless
    from aiuteur_desktop.providers.startup import register_all

    register_all()
    home = tmp_path / "home"
    release = threading.Event()
    with FakeVertex(VertexState(video=mp4(), release=release)) as fake:
        params = {**render_params(tmp_path, fake), "claim": "render|test|s1|A|v1"}
        first = _driver(tmp_path, home, "submit", params)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(
                o.polls for o in fake.operations.values()
            ):
                time.sleep(0.05)
            assert fake.operations, "the first process never submitted"
            monkeypatch.setenv("AIUTEUR_HOME", str(home))
            library = Library()
            [job] = library.jobs.recent()
            assert job.state is JobState.RUNNING and job.handle is not None
            assert library.jobs.owned_elsewhere(job.id)  # alive: not ours to resume
            assert library.jobs.reconcile() == []  # (the window starting now leaves it too)
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=30)
        assert not library.jobs.owned_elsewhere(job.id)  # its process is gone
        release.set()
        recovered = library.jobs.recover(library.jobs.get(job.id))
        assert recovered is not None and recovered.state is JobState.QUEUED
        done = headless.resume(library.jobs, job.id, Budget())
        assert done.state is JobState.SUCCEEDED, done.error
        assert len(fake.submissions) == 1  # polled the same operation, never sent anew
        assert library.jobs.committed() == pytest.approx(PRICE)
        library.close()
