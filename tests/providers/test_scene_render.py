"""A confirmed scene rendered with Veo through the real google-genai SDK against the fake
Vertex server (issue "Stages 11–12"): one submission per confirmed shot with its start and
end frames, takes stored with provenance, and a restart mid-render resumes polling the same
operations — nothing is submitted (or charged) twice."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest

from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import video_render
from aiuteur_desktop.core.production import checkout, hub, prompts, takes
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.views.jobs.runner import JobRunner
from tests.core.production import test_checkout
from tests.core.production.test_checkout import VEO
from tests.fakes.vertex_fake import FakeVertex, VertexState, credentials_file
from tests.story import mp4

project = test_checkout.project  # the fixture: Storm Keeper, scene 2 ready to confirm


def vertex(tmp_path: Path, fake: FakeVertex) -> dict:
    return {
        "project": "film-123",
        "location": "us-central1",
        "credentials_file": str(credentials_file(tmp_path)),
        "base_url": fake.url,
    }


def accepted(library: Library, job_id: str) -> bool:
    """The job's row is written (queued off the UI thread) and holds the provider's handle."""
    try:
        return library.jobs.get(job_id).handle is not None
    except KeyError:
        return False


def test_one_submission_per_confirmed_shot_with_its_frames_resumed_after_a_restart(
    qtbot, project: Project, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    prompts.set_frames(project, "s2", "B", prompts.START_ONLY)  # 2B: start frame only
    prompts.assemble(project, "s2")
    reg = Registry()
    c = checkout.for_model(project, "s2", reg, VEO)
    assert c.waiting == "" and c.total == pytest.approx(0.40 * 12)
    done = checkout.confirm(project, c)
    clip = mp4()
    state = VertexState(video=clip, release=threading.Event())
    with FakeVertex(state) as fake:
        ops = video_render.render_ops(
            project, "s2", done, reg, vertex=vertex(tmp_path, fake), poll_seconds=0.05
        )
        assert [op.submission().estimate for op in ops] == [x.price for x in done.lines]
        first = JobRunner(library.jobs)
        ids = [first.run_operation(op) for op in ops]
        # Both accepted (their operation names kept), then the app quits mid-render.
        qtbot.waitUntil(lambda: all(accepted(library, i) for i in ids), timeout=20_000)
        assert video_render.in_flight(library.jobs, str(project.path), "s2") == dict(
            zip("AB", ids, strict=True)
        )
        assert (
            video_render.render_ops(
                project,
                "s2",
                done,
                reg,
                skip=set(video_render.in_flight(library.jobs, str(project.path), "s2")),
            )
            == []
        )  # pressing Confirm & Render again sends nothing
        first.shutdown()
        assert len(fake.submissions) == 2
        # The next start resumes both renders by their operation names.
        second = JobRunner(library.jobs)
        second.resume()
        state.release.set()
        qtbot.waitUntil(
            lambda: all(library.jobs.get(i).state.finished for i in ids), timeout=30_000
        )
        assert [library.jobs.get(i).state for i in ids] == [JobState.SUCCEEDED] * 2, [
            library.jobs.get(i).error for i in ids
        ]
        assert len(fake.submissions) == 2  # never resubmitted
        sent = [s.json()["instances"][0] for s in fake.submissions]
    a, b = done.lines
    start_a = base64.b64encode(project.media.read(a.start)).decode()
    end_a = base64.b64encode(project.media.read(a.end)).decode()
    # The two jobs run side by side: either may reach the server first.
    by_prompt = {x["prompt"]: x for x in sent}
    assert set(by_prompt) == {a.video_prompt, b.video_prompt}
    sent_a, sent_b = by_prompt[a.video_prompt], by_prompt[b.video_prompt]
    assert sent_a["image"]["bytesBase64Encoded"] == start_a
    assert sent_a["lastFrame"]["bytesBase64Encoded"] == end_a
    start_b = base64.b64encode(project.media.read(b.start)).decode()
    assert sent_b["image"]["bytesBase64Encoded"] == start_b
    assert "lastFrame" not in sent_b and b.end is None  # start frame only: no end frame sent
    for x in done.lines:
        take = takes.current(project, "s2", x.shot)
        assert take is not None and project.media.read(take.media) == clip
        assert take.version == 1 and take.cost == pytest.approx(x.price)
        made = project.read(takes.takes_path("s2", x.shot))["takes"][0]
        assert made["provider"] == "google:veo" and made["model"] == "veo-3.1-generate-001"
        assert made["parameters"]["start_media"] == x.start
        assert made["parameters"]["end_media"] == x.end
    assert library.jobs.committed() == pytest.approx(done.total)
    assert hub.statuses(project)["s2"] == hub.RENDERED
