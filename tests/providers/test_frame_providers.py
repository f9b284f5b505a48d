"""Stage 10's frames through the real google-genai SDK against the fake image server (issue
"Stage 10 · Frames"): the chained frame is the first image sent with a start frame's
prompt; a masked edit of a frame leaves every pixel outside the mask as it was and becomes
the slot's new candidate. Requests are counted at the server."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless
from aiuteur_desktop.core.operations.frame_image import FrameEdit, FrameImage
from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from tests.core.production.test_visuals import storm
from tests.fakes.gemini_fake import FakeGeminiContent, gemini_image
from tests.story import png

MODEL = "google:gemini-2.5-flash-image"
ANSWER = png("#0000ff", (320, 180))


@pytest.fixture
def ready(
    tmp_path: Path, library: Library
) -> Iterator[tuple[Project, FakeGeminiContent, Registry]]:
    register_all()
    fake = FakeGeminiContent([gemini_image(ANSWER)] * 8)
    fake.start()
    secrets.set_secret("google.api_key", "AIza-test")
    settings = library.load_settings()
    settings.google.api_endpoint = fake.url
    settings.models.image = MODEL
    library.save_settings(settings)
    with storm(tmp_path) as p:
        shot_list.lock(p, "s1", shot_list.current(p, "s1"))
        for e in visuals.elements(p, "s1"):
            visuals.lock(p, "s1", e.slug)
        prompts.assemble(p, "s1")
        frames.set_mode(p, "s1", frames.QUICK)
        operations.share(p)
        try:
            yield p, fake, Registry(settings)
        finally:
            operations.unshare(p)
            fake.stop()


def images_sent(request) -> list[bytes]:  # type: ignore[no-untyped-def]
    parts = request.json()["contents"][0]["parts"]
    return [base64.b64decode(p["inlineData"]["data"]) for p in parts if "inlineData" in p]


def test_a_start_frame_is_sent_with_the_frame_it_chains_to(
    ready: tuple[Project, FakeGeminiContent, Registry], library: Library
) -> None:
    project, fake, source = ready
    a_end = project.media.put(png("#40a040", (320, 180)), "image/png")
    frames.record(project, "s1", "A", "end", a_end, source="uploaded")
    op = FrameImage.prepare(project, "s1", "B", "start", model=MODEL, source=source)
    assert op.estimate > 0 and op.paid  # a priced cloud model
    job = headless.run_one(library.jobs, op, library.load_settings().budget)
    assert job.state is JobState.SUCCEEDED, job.error
    assert len(fake.content_requests) == 1
    sent = fake.content_requests[0]
    assert images_sent(sent)[0] == project.media.read(a_end)  # the chain's frame, first
    text = sent.json()["contents"][0]["parts"][0]["text"]
    assert text.startswith("Start frame of shot 1B") and "Hold steady" not in text
    b = frames.slot(project, "s1", "B", "start")
    assert b.chosen is not None and project.media.read(b.chosen) == ANSWER
    assert b.candidates[-1]["reference"] == a_end and b.candidates[-1]["model"] == MODEL


def test_a_masked_edit_changes_only_the_painted_area(
    ready: tuple[Project, FakeGeminiContent, Registry], library: Library
) -> None:
    project, fake, source = ready
    original = png("#204060", (320, 180))
    frame = project.media.put(original, "image/png")
    frames.record(project, "s1", "A", "start", frame, source="uploaded")
    mask = Image.new("L", (320, 180), 0)
    ImageDraw.Draw(mask).rectangle([100, 50, 200, 120], fill=255)
    out = io.BytesIO()
    mask.save(out, "PNG")
    op = FrameEdit.prepare(
        project, "s1", "A", "start", out.getvalue(), "make her expression neutral",
        model=MODEL, source=source,
    )  # fmt: skip
    job = headless.run_one(library.jobs, op, library.load_settings().budget)
    assert job.state is JobState.SUCCEEDED, job.error
    assert len(fake.content_requests) == 1
    s = frames.slot(project, "s1", "A", "start")
    assert len(s.candidates) == 2 and s.chosen != frame and not s.approved
    assert s.candidates[-1]["source"] == "edited"
    assert s.candidates[-1]["guidance"] == "make her expression neutral"
    before = np.asarray(Image.open(io.BytesIO(original)).convert("RGB")).astype(int)
    after = np.asarray(Image.open(io.BytesIO(project.media.read(s.chosen))).convert("RGB")).astype(
        int
    )
    inside = np.zeros(before.shape[:2], bool)
    inside[50:121, 100:201] = True
    assert np.array_equal(before[~inside], after[~inside])  # every pixel outside: as it was
    assert (after[inside][:, 2] > 200).all()  # the edit landed inside


def test_an_empty_mask_or_no_instruction_sends_nothing(
    ready: tuple[Project, FakeGeminiContent, Registry],
) -> None:
    from aiuteur_desktop.core.errors import GateClosed

    project, fake, source = ready
    frames.record(
        project, "s1", "A", "start", project.media.put(png("#204060", (320, 180)), "image/png")
    )
    empty = io.BytesIO()
    Image.new("L", (320, 180), 0).save(empty, "PNG")
    with pytest.raises(GateClosed, match="mask is empty"):
        FrameEdit.prepare(
            project,
            "s1",
            "A",
            "start",
            empty.getvalue(),
            "neutral face",
            model=MODEL,
            source=source,
        )
    with pytest.raises(GateClosed, match="Say what should change"):
        FrameEdit.prepare(
            project, "s1", "A", "start", empty.getvalue(), "", model=MODEL, source=source
        )
    assert fake.content_requests == []
