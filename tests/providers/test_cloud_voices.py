"""Dialogue with cloud voices (issue "Voice Gallery"): the real openai and google-genai SDKs
and the app's HTTP client against fake OpenAI, Gemini and ElevenLabs speech services — one
request per line, priced before anything is sent, the ledger equal to what the fakes
counted, a refusal retried, a timeout or a cut-off answer never sent again unasked, the cap
checked before each line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.assets import voices
from aiuteur_desktop.core.assets.voices import CloudVoice, Profile
from aiuteur_desktop.core.jobs import JobState, Sent
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.money.prices import PriceTable
from aiuteur_desktop.core.operations import cloud_dialogue
from aiuteur_desktop.core.production import voice_tracks
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers import speech
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.core.production.test_visuals import storm
from tests.fakes.server import Response
from tests.fakes.speech_fake import FakeSpeech
from tests.providers.conftest import finished

pytestmark = pytest.mark.usefixtures("quick_backoff")


@pytest.fixture
def fake(library: Library):  # type: ignore[no-untyped-def]
    with FakeSpeech() as server:
        settings = library.load_settings()
        settings.openai.api_endpoint = f"{server.url}/v1"
        settings.google.api_endpoint = server.url
        settings.elevenlabs.api_endpoint = server.url
        library.save_settings(settings)
        for name in ("openai.api_key", "google.api_key", "elevenlabs.api_key"):
            secrets.set_secret(name, "sk-test-voices")
        yield server


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with storm(tmp_path) as p:
        voices.save(
            p,
            "assets/mara",
            Profile("low, steady alto", cloud=CloudVoice("openai:gpt-4o-mini-tts", "coral")),
        )
        voices.save(p, "assets/eli", Profile(cloud=CloudVoice("elevenlabs:eleven_v3", "VOICE1")))
        p.commit("Cloud voices")
        yield p


def lines_of(project: Project, scene: str, who: str) -> list[str]:
    return [
        d.text for s in shot_list.current(project, scene) for d in s.dialogue if d.character == who
    ]


def run_all(qtbot, runner: JobRunner, ops) -> list:  # type: ignore[no-untyped-def]
    ids = [runner.run_operation(op) for op in ops]
    try:
        qtbot.waitUntil(lambda: all(finished(runner, j) for j in ids), timeout=30_000)
        return [runner.store.get(j) for j in ids]
    finally:
        runner.shutdown()


def test_each_line_is_one_priced_request_and_one_ledger_row(
    qtbot, library: Library, fake: FakeSpeech, project: Project
) -> None:  # type: ignore[no-untyped-def]
    registry = Registry(library.load_settings())
    ops = cloud_dialogue.plan(project, "s1", registry)
    mara, eli = lines_of(project, "s1", "MARA"), lines_of(project, "s1", "ELI")
    assert sorted(op.text for op in ops) == sorted(mara + eli)
    table = PriceTable.load()
    for op in ops:  # priced before anything is sent
        assert op.estimate == table.speech(op.model, len(op.text)) > 0
        assert op.submission().paid and op.submission().estimate == op.estimate
    assert fake.requests == []
    runner = JobRunner(library.jobs)
    done = run_all(qtbot, runner, ops)
    assert all(j.state is JobState.SUCCEEDED for j in done), [j.error for j in done]
    assert len(fake.lines("openai")) == len(mara) and len(fake.lines("elevenlabs")) == len(eli)
    said = fake.lines("openai")[0].json()
    assert said["voice"] == "coral" and "low, steady alto" in said["instructions"]
    assert said["model"] == "gpt-4o-mini-tts"
    project_rows = ledger.entries(project)
    assert len(project_rows) == len(fake.requests)
    assert sum(r.actual for r in project_rows) == pytest.approx(sum(op.estimate for op in ops))
    assert {r.kind for r in project_rows} == {"speech"}
    # Each line is in the scene's voices documents, its sound in the media store.
    for shot in shot_list.current(project, "s1"):
        for made in voice_tracks.spoken(project, "s1", shot.id):
            assert project.media.read(made["media"])[:4] == b"RIFF" and made["seconds"] > 0
    # Spoken once: nothing left to ask for until a word or a voice changes.
    assert cloud_dialogue.plan(project, "s1", registry) == []
    voices.save(project, "assets/eli", Profile(cloud=CloudVoice("elevenlabs:eleven_v3", "V2")))
    again = cloud_dialogue.plan(project, "s1", registry)
    assert sorted(op.text for op in again) == sorted(eli) and {op.voice for op in again} == {"V2"}


def test_a_gemini_voice_speaks_with_the_style_before_the_line(
    qtbot, library: Library, fake: FakeSpeech, project: Project
) -> None:  # type: ignore[no-untyped-def]
    voices.save(
        project,
        "assets/mara",
        Profile(
            "low, steady alto", cloud=CloudVoice("google:gemini-2.5-flash-preview-tts", "Kore")
        ),
    )
    ops = [
        op
        for op in cloud_dialogue.plan(project, "s1", Registry(library.load_settings()))
        if op.character == "MARA"
    ]
    [job, *_] = run_all(qtbot, JobRunner(library.jobs), ops)
    assert job.state is JobState.SUCCEEDED, job.error
    asked = fake.lines("gemini")
    assert len(asked) == len(ops)
    text = asked[0].json()["contents"][0]["parts"][0]["text"]
    assert text.startswith("Say it low, steady alto: ")


def test_a_refused_line_is_sent_again_and_charged_once(
    qtbot, library: Library, fake: FakeSpeech, project: Project
) -> None:  # type: ignore[no-untyped-def]
    fake.faults = [Response(429, {"error": {"message": "Rate limit reached"}})]
    [op, *_] = [
        op
        for op in cloud_dialogue.plan(project, "s1", Registry(library.load_settings()))
        if op.character == "MARA"
    ]
    [job] = run_all(qtbot, JobRunner(library.jobs), [op])
    assert job.state is JobState.SUCCEEDED, job.error
    assert len(fake.lines("openai")) == 2  # refused, so sent again
    subs = library.jobs.submissions(job.id)
    assert [s.state for s in subs] == [Sent.REFUSED, Sent.SETTLED]
    assert [r.actual for r in ledger.entries(project)] == [pytest.approx(op.estimate)]


@pytest.mark.parametrize(
    "fault",
    [
        Response(200, b"", delay=1.5),  # the answer comes after the client gave up
        Response(
            200, b"\x00\x01" * 24_000, {"Content-Type": "application/octet-stream"}, truncate=0.3
        ),  # a body cut off
        Response(200, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}),
    ],
    ids=["late", "cut-off", "html-page"],
)
def test_an_answer_lost_after_sending_waits_for_the_users_decision(
    qtbot,
    library: Library,
    fake: FakeSpeech,
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    fault: Response,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(speech, "TIMEOUT_S", 0.5)
    fake.faults = [fault]
    [op, *_] = [
        op
        for op in cloud_dialogue.plan(project, "s1", Registry(library.load_settings()))
        if op.character == "ELI"
    ]
    runner = JobRunner(library.jobs)
    [job] = run_all(qtbot, runner, [op])
    assert job.state is JobState.DECIDE and "may charge" in job.error
    time.sleep(0.5)  # nothing else is on its way
    assert len(fake.lines("elevenlabs")) == 1
    assert runner.store.committed() == pytest.approx(op.estimate)  # counted as spent
    assert voice_tracks.spoken(project, "s1", op.shot) == []


def test_the_cap_is_checked_before_each_line(
    qtbot, library: Library, fake: FakeSpeech, project: Project
) -> None:  # type: ignore[no-untyped-def]
    ops = cloud_dialogue.plan(project, "s1", Registry(library.load_settings()))
    first = ops[0].estimate
    runner = JobRunner(library.jobs, budget=lambda: Budget(monthly_cap_usd=first * 1.5))
    refused: list[str] = []
    runner.refused.connect(lambda _id, why: refused.append(why))
    ids = [runner.run_operation(op) for op in ops]
    qtbot.waitUntil(lambda: len(refused) == len(ops) - 1, timeout=10_000)
    qtbot.waitUntil(lambda: runner.job(ids[0]).state.finished, timeout=10_000)
    time.sleep(0.3)
    assert len(fake.requests) == 1 and "monthly budget" in refused[0]


def test_pro_export_puts_each_cloud_voice_on_a_track_of_its_own(
    qtbot, library: Library, fake: FakeSpeech, project: Project, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import json

    import av

    from aiuteur_desktop.core.export import nle, pro_export

    ops = cloud_dialogue.plan(project, "s1", Registry(library.load_settings()))
    done = run_all(qtbot, JobRunner(library.jobs), ops)
    assert all(j.state is JobState.SUCCEEDED for j in done)
    out = tmp_path / "For the editor"
    pro_export.export(project, out, source=Registry(), scene="s1")
    manifest = json.loads((out / "manifest.json").read_text())
    clips = manifest["clips"]
    voiced = [c for c in clips if c.get("voice_stems")]
    speakers = {who for c in voiced for who in c["voice_stems"]}
    assert speakers == {"MARA", "ELI"}
    timeline = nle.read(out / "Storm.otio")
    for who in speakers:
        track = next(t for t in timeline.tracks if t.name == f"Voice: {who}")
        for c in voiced:
            if who not in c["voice_stems"]:
                continue
            stem = out / c["voice_stems"][who]
            with av.open(str(stem)) as wav:
                stream = wav.streams.audio[0]
                seconds = float(stream.duration * stream.time_base)
                loud = max(float(abs(f.to_ndarray()).max()) for f in wav.decode(audio=0))
            assert seconds == pytest.approx(c["duration"], abs=0.05) and loud > 0.1
            item = next(x for x in track.find_clips() if x.name.startswith(c["name"]))
            before = sum(x["frames"] for x in clips[: clips.index(c)])
            assert track.range_of_child(item).start_time.to_frames() == before  # under it


def test_settings_tests_an_elevenlabs_key_without_a_charge(
    library: Library, fake: FakeSpeech
) -> None:
    from aiuteur_desktop.core.errors import ProviderError
    from aiuteur_desktop.providers import connection_checks, connections

    settings = library.load_settings()
    said = connection_checks.test_connection(connections.ELEVENLABS, settings)
    assert "1 voice in the account" in said
    with pytest.raises(ProviderError) as bad:
        connection_checks.test_connection(connections.ELEVENLABS, settings, "sk-wrong")
    assert bad.value.kind == "auth" and "rejected the API key" in bad.value.user_message
    assert fake.lines("elevenlabs") == []  # nothing spoken, nothing billed


def test_the_voices_command_prices_first_and_speaks_with_yes(
    library: Library, fake: FakeSpeech, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from aiuteur_desktop.cli import main as cli

    where = str(project.path)
    capsys.readouterr()
    assert cli.main(["voices", "--project", where, "--scene", "1"]) == 2
    out, err = capsys.readouterr()
    assert "line(s) to speak, about $" in out and "--yes" in err and err.count("\n") == 1
    assert fake.requests == []  # priced, nothing sent
    assert cli.main(["voices", "--project", where, "--scene", "1", "--yes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {x["state"] for x in data["lines"]} == {"succeeded"}
    assert len(data["lines"]) == len(fake.requests) > 0
    assert data["total"] == pytest.approx(sum(r.actual for r in ledger.entries(project)))
    assert cli.main(["voices", "--project", where, "--scene", "99"]) == 2
    assert capsys.readouterr().err.count("\n") == 1  # one line, no traceback
