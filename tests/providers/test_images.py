"""Image generation and region edits through the real SDKs against the fakes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.jobs import Submission
from aiuteur_desktop.providers.images import GeminiImages, OpenAIImages, keep_outside_mask
from tests.fakes.gemini_fake import FakeGeminiContent, blocked, gemini_image
from tests.fakes.openai_fake import FakeImages, openai_error
from tests.story import png

FRAME = png("#204060", (320, 180))
BLUE = png("#0000ff", (320, 180))


def mask_png() -> bytes:
    m = Image.new("L", (320, 180), 0)
    ImageDraw.Draw(m).rectangle([100, 50, 200, 120], fill=255)
    out = io.BytesIO()
    m.save(out, format="PNG")
    return out.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def assert_only_mask_changed(result: bytes) -> None:
    before, after = pixels(FRAME), pixels(result)
    inside = np.zeros(before.shape[:2], bool)
    inside[50:121, 100:201] = True
    assert np.array_equal(before[~inside], after[~inside])
    assert (after[inside][:, 2] > 200).all()  # the edit (blue) landed in the region


def test_openai_generate_and_masked_edit() -> None:
    with FakeImages(BLUE) as fake:
        images = OpenAIImages("sk-test", fake.base_url)
        made = images.generate("Mara at the lamp, storyboard style", "gpt-image-2.5")
        assert made.png and made.usage.images == 1 and made.usage.output_tokens == 1056
        body = fake.requests[-1].json()
        assert body["model"] == "gpt-image-2.5" and body["quality"] == "medium"
        edited = images.edit(FRAME, mask_png(), "add a storm lantern", "gpt-image-2.5")
        assert_only_mask_changed(edited.png)
        multipart = fake.requests[-1].body
        assert b'name="mask"' in multipart and b"add a storm lantern" in multipart
        with Image.open(
            io.BytesIO(multipart[multipart.index(b"\x89PNG", multipart.index(b'name="mask"')) :])
        ) as sent:
            alpha = np.asarray(sent.convert("RGBA"))[..., 3]
        assert alpha[80, 150] == 0 and alpha[10, 10] == 255  # transparent = edit here


def test_openai_references_go_through_the_edit_endpoint() -> None:
    with FakeImages(BLUE) as fake:
        OpenAIImages("sk-test", fake.base_url).generate("Mara", "gpt-image-2.5", [FRAME, FRAME])
        assert fake.requests[-1].path == "/v1/images/edits"
        assert fake.requests[-1].body.count(b"\x89PNG") == 2


def test_openai_image_faults() -> None:
    refusal = openai_error(
        400, "Your request was rejected by the safety system.", "moderation_blocked"
    )
    with FakeImages(BLUE, faults=[refusal]) as fake:
        with pytest.raises(ProviderError) as err:
            OpenAIImages("sk-test", fake.base_url).generate("x", "gpt-image-2.5")
        assert err.value.kind == "bad_request" and "safety system" in err.value.user_message
    with FakeImages(b"not a png") as fake, pytest.raises(ProviderError, match="cannot be read"):
        OpenAIImages("sk-test", fake.base_url).edit(FRAME, mask_png(), "x", "gpt-image-2.5")


def test_nano_banana_generate_with_references_and_edit() -> None:
    with FakeGeminiContent([gemini_image(BLUE)]) as fake:
        images = GeminiImages("AIza-test", fake.url)
        made = images.generate("Mara, keeper, 60", "gemini-3-pro-image", [FRAME])
        assert pixels(made.png)[0, 0].tolist() == [0, 0, 255]
        body = fake.content_requests[-1].json()
        parts = body["contents"][0]["parts"]
        assert parts[0]["text"] == "Mara, keeper, 60" and "inlineData" in parts[1]
        assert body["generationConfig"]["responseModalities"] == ["IMAGE"]
        assert body["generationConfig"]["imageConfig"]["aspectRatio"] == "16:9"
        edited = images.edit(FRAME, mask_png(), "add a storm lantern", "gemini-3-pro-image")
        assert_only_mask_changed(edited.png)
        sent = fake.content_requests[-1].json()["contents"][0]["parts"]
        assert "white in the mask" in sent[0]["text"] and len(sent) == 3


def test_nano_banana_blocked_and_empty_answers() -> None:
    with FakeGeminiContent([blocked("SAFETY")]) as fake:
        with pytest.raises(ProviderError) as err:
            GeminiImages("AIza-test", fake.url).generate("x", "gemini-3-pro-image")
        assert err.value.kind == "safety"


def test_keep_outside_mask_resizes_a_differently_sized_answer() -> None:
    big_blue = png("#0000ff", (640, 360))
    assert_only_mask_changed(keep_outside_mask(FRAME, big_blue, mask_png()))


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("429", "rate_limited"),
        ("500", "server"),
        ("timeout", "timeout"),
        ("truncated", "broken"),
    ],
)
def test_image_faults_on_both_providers(fault: str, kind: str) -> None:
    from tests.fakes.gemini_fake import google_error
    from tests.fakes.server import Response

    openai_faults = {
        "429": Response(429, {"error": {"message": "Rate limit"}}, {"Retry-After": "3"}),
        "500": Response(500, {"error": {"message": "boom"}}),
        "timeout": Response(200, {}, delay=1.5),
        "truncated": Response(200, {"data": [{"b64_json": "x" * 5000}]}, truncate=0.3),
    }
    google_faults = {
        "429": google_error(429, "Resource exhausted", "RESOURCE_EXHAUSTED"),
        "500": google_error(500, "Internal", "INTERNAL"),
        "timeout": Response(200, {}, delay=1.5),
        "truncated": Response(
            200, {"candidates": [{"content": {"parts": [{"text": "x" * 5000}]}}]}, truncate=0.3
        ),
    }
    with FakeImages(BLUE, faults=[openai_faults[fault]]) as fake:
        with pytest.raises(ProviderError) as err:
            OpenAIImages("sk-test", fake.base_url, timeout=0.4).generate("x", "gpt-image-2.5")
        assert err.value.kind == kind and err.value.retryable
    with FakeGeminiContent([google_faults[fault]]) as fake:
        with pytest.raises(ProviderError) as err:
            GeminiImages("AIza-test", fake.url, timeout=0.4).generate("x", "gemini-3-pro-image")
        assert err.value.retryable, err.value.user_message


@pytest.mark.parametrize("fault", ["429", "500", "timeout", "truncated"])
def test_embedding_faults_on_both_providers(fault: str) -> None:
    from aiuteur_desktop.providers.gemini_text import GeminiText
    from aiuteur_desktop.providers.openai_text import OpenAIText
    from tests.fakes.gemini_fake import google_error
    from tests.fakes.openai_fake import FakeEmbeddings
    from tests.fakes.server import Response

    openai_fault = {
        "429": Response(429, {"error": {"message": "Rate limit"}}, {"Retry-After": "2"}),
        "500": Response(500, {"error": {"message": "boom"}}),
        "timeout": Response(200, {}, delay=1.5),
        "truncated": Response(200, {"data": [{"embedding": [0.1] * 500}]}, truncate=0.3),
    }[fault]
    google_fault = {
        "429": google_error(429, "Resource exhausted", "RESOURCE_EXHAUSTED"),
        "500": google_error(500, "Internal", "INTERNAL"),
        "timeout": Response(200, {}, delay=1.5),
        "truncated": Response(200, {"embeddings": [{"values": [0.1] * 500}]}, truncate=0.3),
    }[fault]
    with FakeEmbeddings() as fake:
        fake.fault = openai_fault
        with pytest.raises(ProviderError) as err:
            OpenAIText("sk-test", fake.base_url, timeout=0.4).embed_texts(["a"], "emb")
        assert err.value.retryable, err.value.user_message
    with FakeGeminiContent([google_fault]) as fake:
        fake.fault = google_fault
        with pytest.raises(ProviderError) as err:
            GeminiText("AIza-test", fake.url, timeout=0.4).embed_texts(
                ["a"], "gemini-embedding-001"
            )
        assert err.value.retryable, err.value.user_message


def test_image_job_stores_the_frame_and_its_cost(qtbot, library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.app import secrets
    from aiuteur_desktop.core.jobs import JobState
    from aiuteur_desktop.core.money import ledger
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.image_jobs import IMAGE_GENERATE
    from aiuteur_desktop.views.jobs.runner import JobRunner

    secrets.set_secret("google.api_key", "AIza-job-key")
    Project.create(tmp_path, "Film").close()
    frame, mask = tmp_path / "frame.png", tmp_path / "mask.png"
    frame.write_bytes(FRAME)
    mask.write_bytes(mask_png())
    with FakeGeminiContent([gemini_image(BLUE)]) as fake:
        runner = JobRunner(library.jobs)
        params = {
            "connection": "google",
            "base_url": fake.url,
            "model": "gemini-3-pro-image",
            "prompt": "add a storm lantern",
            "image": str(frame),
            "mask": str(mask),
            "bundle": str(tmp_path / "Film.aiuteur"),
            "stage": 10,
            "scene": "s1",
        }
        job_id = runner.submit(
            Submission(IMAGE_GENERATE, "Frame s1-2 fix", "google:gemini-3-pro-image", params)
        )
        qtbot.waitUntil(lambda: runner.job(job_id).state.finished, timeout=10_000)
    done = runner.store.get(job_id)
    assert done.state is JobState.SUCCEEDED, done.error
    assert done.cost == pytest.approx(0.134)
    with Project.open(tmp_path / "Film.aiuteur") as project:
        assert_only_mask_changed(project.media.read(done.result["media"]))
        assert ledger.by(project, "scene") == {"s1": pytest.approx(0.134)}
