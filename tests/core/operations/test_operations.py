"""Operations without Qt: an image key made through a fake registry provider lands in the
store by its operation — with the project closed meanwhile, on the branch it started on,
and not at all for an asset removed meanwhile — and says what it changed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from aiuteur_desktop.core import jobs, operations
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.jobs import Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.money.paid import StoreContext
from aiuteur_desktop.core.operations.asset_key import AssetKey
from aiuteur_desktop.core.provider_api import Capabilities, ImageResult, ImageSubject, Usage
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, "PNG")
    return out.getvalue()


class FakeImages:
    id = "fake"
    capabilities = Capabilities(image=True, max_references=2)

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, ImageSubject | None]] = []

    def generate(
        self,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        self.calls.append((prompt, model, len(references or []), subject))
        return ImageResult(png(), model, Usage(images=1))


class FakeSource:
    def __init__(self) -> None:
        self.images = FakeImages()

    def endpoint(self, model_id: str) -> str | None:
        return None

    def image(self, model_id: str, base_url: str | None = None) -> FakeImages:
        return self.images

    def image_capabilities(self, model_id: str) -> Capabilities:
        return self.images.capabilities

    def is_free(self, model_id: str) -> bool:
        return False

    def describe(self, model_id: str) -> str:
        return model_id

    def text(self, connection: str, base_url: str | None) -> Any:
        raise AssertionError("no text here")


class Context(StoreContext):
    def __init__(self, job: jobs.Job, store: jobs.JobStore) -> None:
        super().__init__(job, store)
        self.seen: list[float] = []

    def progress(self, fraction: float) -> None:
        self.seen.append(fraction)


@pytest.fixture
def source(monkeypatch: pytest.MonkeyPatch) -> FakeSource:
    fake = FakeSource()
    monkeypatch.setattr(operations, "_source", lambda _settings: fake)
    return fake


def project_with_mara(tmp_path: Path) -> Project:
    p = Project.create(tmp_path, "Keys")
    masters.add(p, "character", "Mara", "A ferry mechanic in grease-streaked overalls")
    p.commit("Mara")
    return p


def run_job(library: Library, op: AssetKey) -> tuple[dict[str, Any], float]:
    s = op.submission()
    job = library.jobs.add(Submission(op.kind, s.title, s.provider, s.params, project=s.project))
    return jobs.work_for(op.kind)(Context(library.jobs.start(job.id), library.jobs))


def test_a_key_finished_after_its_project_was_closed_is_still_applied(
    tmp_path: Path, library: Library, source: FakeSource
) -> None:
    refs = [tmp_path / f"ref{i}.png" for i in range(3)]
    for r in refs:
        r.write_bytes(png("blue"))
    with project_with_mara(tmp_path) as p:
        op = AssetKey.prepare(
            p, "assets/mara", "", model="google:gemini-3-pro-image", source=source, references=refs
        )
        bundle = p.path
    # The project is closed (the user left it); the job runs and applies the key itself.
    result, _cost = run_job(library, op)
    prompt, model, n_refs, subject = source.images.calls[0]
    assert model == "gemini-3-pro-image" and n_refs == 2  # as many references as the model takes
    assert subject == ImageSubject("character", "Mara", op.description)
    assert "grease-streaked overalls" in prompt
    changes = Changes.from_json(result["changes"])
    assert changes.paths == ("assets/mara",) and changes.stages == (5,)
    with Project.open(bundle) as p:
        mara = masters.read(p, "assets/mara")
        assert mara["image_key"] == result["media"] and len(mara["candidates"]) == 1
        assert p.head().id == changes.commit and p.head().message == "Image key for Mara"
        assert not p.is_dirty()
        assert p.media.read(result["media"]) == png()
        (row,) = ledger.entries(p)
        assert (row.kind, row.stage, row.branch, row.model) == (
            "image",
            5,
            "Main",
            "gemini-3-pro-image",
        )


def test_a_key_lands_on_the_branch_it_was_started_on(
    tmp_path: Path, library: Library, source: FakeSource
) -> None:
    with project_with_mara(tmp_path) as p:
        op = AssetKey.prepare(
            p, "assets/mara", "Redder hair", model="google:gemini-3-pro-image", source=source
        )
        p.create_branch("Other")  # the user switched Story Timelines meanwhile
        operations.share(p)
        try:
            result, _ = run_job(library, op)
        finally:
            operations.unshare(p)
        assert p.current_branch == "Other"
        assert not masters.read(p, "assets/mara").get("candidates")
        main = p.read("assets/mara", branch="Main")
        assert main["image_key"] == result["media"]
        assert p.head("Main").message == "Redder hair"


def test_a_key_for_an_asset_removed_meanwhile_changes_nothing(
    tmp_path: Path, library: Library, source: FakeSource
) -> None:
    with project_with_mara(tmp_path) as p:
        op = AssetKey.prepare(
            p, "assets/mara", "", model="google:gemini-3-pro-image", source=source
        )
        masters.remove(p, "assets/mara")
        head = p.head().id
        operations.share(p)
        try:
            result, _ = run_job(library, op)
        finally:
            operations.unshare(p)
        assert not Changes.from_json(result["changes"])
        assert p.read("assets/mara") is None and p.head().id == head


def test_changes_combine_and_survive_the_job_row() -> None:
    a = Changes(paths=("assets/mara",), stages=(5,))
    b = Changes(paths=("assets/eli", "assets/mara"), stages=(5,), commit="c1")
    both = a | b
    assert both.paths == ("assets/mara", "assets/eli") and both.commit == "c1"
    assert Changes.from_json(both.to_json()) == both
    assert not Changes() and Changes.from_json(None) == Changes()


# ------------------------------------------------------------------ story answers
class StorySource(FakeSource):
    def __init__(self, value: dict[str, Any]) -> None:
        super().__init__()
        self.value = value
        self.asked: list[dict[str, Any]] = []

    def story_answer(
        self, ctx: Any, params: dict[str, Any], on_each: Any = None
    ) -> tuple[dict[str, Any], float]:
        self.asked.append(params)
        result = {"value": self.value, "model": "m", "template": "t@1", "context": [], "cost": 0.02}
        return result, 0.02


def sheet(n: int = 15) -> dict[str, Any]:
    return {"beats": [{"text": f"Beat {i}: Mara rows on.", "source": ""} for i in range(1, n + 1)]}


def answer_op(p: Project, apply_as: str, message: str, **options: Any) -> Any:
    from aiuteur_desktop.core import story
    from aiuteur_desktop.core.operations.story_answer import StoryAnswer

    ask = story.Ask("beats.generate", {"treatment": "x"}, "BeatSheetOut", [], 3, "Beat sheet")
    route = {"connection": "local", "base_url": None, "model": "llama", "home": "", "budget": 1}
    return StoryAnswer.prepare(
        p, ask, apply_as, message, route=route, provider="local:llama", **options
    )


def run_story(library: Library, op: Any) -> dict[str, Any]:
    s = op.submission()
    job = library.jobs.add(Submission(op.kind, s.title, s.provider, s.params, project=s.project))
    result, _ = jobs.work_for(op.kind)(Context(library.jobs.start(job.id), library.jobs))
    return result


def test_a_story_answer_lands_on_its_timeline_after_the_project_closed(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiuteur_desktop.core import story

    source = StorySource(sheet())
    monkeypatch.setattr(operations, "_source", lambda _settings: source)
    with Project.create(tmp_path, "Drift") as p:
        op = answer_op(p, "beats", "Beats, please")
        p.create_branch("Elsewhere")  # the user moved on …
        bundle = p.path
    result = run_story(library, op)  # … and closed the project before the answer came
    assert source.asked[0]["template"] == "beats.generate" and source.asked[0]["model"] == "llama"
    changes = Changes.from_json(result["changes"])
    assert changes.paths == (story.BEATS,) and changes.stages == (3,)
    with Project.open(bundle) as p:
        assert len(story.beats_of(p)) == 0  # "Elsewhere" is current and untouched
        assert len(p.read(story.BEATS, branch="Main")["beats"]) == 15
        assert p.head("Main").message == "Beats, please" and p.head("Main").id == changes.commit


def test_a_story_answer_the_project_refuses_is_kept_and_says_why(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = StorySource(sheet(3))  # fewer beats than a sheet may have: invalid
    monkeypatch.setattr(operations, "_source", lambda _settings: source)
    with Project.create(tmp_path, "Drift") as p:
        op = answer_op(p, "beats", "Beats")
        head = p.head().id
        operations.share(p)
        try:
            result = run_story(library, op)
        finally:
            operations.unshare(p)
        assert result["value"] == sheet(3)  # the paid answer is kept in the job row
        assert not Changes.from_json(result["changes"]) and p.head().id == head
        assert "does not fit the project" in result["not_applied"]


def test_story_answers_apply_only_by_a_known_rule(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Drift") as p, pytest.raises(ValueError):
        answer_op(p, "poem", "A poem")


def test_each_kind_of_story_answer_lands_where_its_stage_keeps_it(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiuteur_desktop.core import story
    from aiuteur_desktop.core.operations.story_answer import StoryAnswer

    treatment = {"title": "Drift", "logline": "A boat adrift.", "text": "Mara rows. " * 30}
    script = {
        "title": "Drift",
        "scenes": [{"heading": "EXT. HARBOUR - NIGHT", "beats": [1], "body": "Mara rows."}],
    }
    with Project.create(tmp_path, "Drift") as p:
        p.write(story.BEATS, {"beats": sheet()["beats"], "inputs": {}})
        story.confirm_beats(p)
        operations.share(p)
        try:
            monkeypatch.setattr(operations, "_source", lambda _s: StorySource(script))
            result = run_story(library, answer_op(p, "script", "The script"))
            assert Changes.from_json(result["changes"]).stages == (4,)
            assert "Mara rows." in p.read(story.SCRIPT)["scenes"][0]["text"]
            assert not story.is_locked(p, 4)  # nobody has read it yet

            source = StorySource(treatment)
            monkeypatch.setattr(operations, "_source", lambda _s: source)
            route = {"connection": "local", "base_url": None, "model": "llama"}
            asks = [
                story.Ask("treatment.generate", {"n": str(i)}, "TreatmentOut", [], 2, f"T{i}")
                for i in range(3)
            ]
            three = StoryAnswer.prepare_many(
                p, asks, "treatments", "Three", title="Three", route=route, provider="local:l"
            )

            def three_at_once(ctx: Any, params: dict[str, Any], on_each: Any = None) -> Any:
                results = [{"value": treatment, "model": "m", "template": "t@1"}] * 3
                for i, r in enumerate(results):
                    on_each(i, r)  # each kept as it is written
                return {"results": results}, 0.0

            source.story_answer = three_at_once  # type: ignore[method-assign]
            result = run_story(library, three)
            assert Changes.from_json(result["changes"]).paths == (story.TREATMENT,)
            assert len(p.read(story.TREATMENT)["variants"]) == 3
            assert p.head().message == "Three"
        finally:
            operations.unshare(p)


# --------------------------------------------------------------------- video render
class FakeVideo:
    id = "fake:video"
    capabilities = Capabilities(video=True, end_frame=True, max_duration=8.0)

    def __init__(self) -> None:
        self.submitted = 0
        self.polls = 0
        self.crash_on_first_poll = True

    def submit(self, request: Any) -> dict[str, Any]:
        self.submitted += 1
        return {"operation": "op-1"}

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        self.polls += 1
        if self.crash_on_first_poll:
            self.crash_on_first_poll = False
            raise RuntimeError("the app was closed")  # after the handle was stored
        return self.polls >= 3, min(1.0, self.polls / 3)

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        return b"\x00\x00\x00\x18ftypmp42clip", "video/mp4"


HandleContext = Context


def test_a_render_keeps_its_handle_first_and_its_clip_as_the_shots_take(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiuteur_desktop.core.operations.video_render import VideoRender

    video = FakeVideo()
    source = FakeSource()
    monkeypatch.setattr(source, "video", lambda model_id, vertex=None: video, raising=False)
    monkeypatch.setattr(operations, "_source", lambda _s: source)
    start = tmp_path / "start.png"
    start.write_bytes(png())
    with Project.create(tmp_path, "Film") as p:
        bundle = p.path
    params = {
        "prompt": "Slow push-in.",
        "model_id": "google:veo-3.1",
        "start_frame": str(start),
        "bundle": str(bundle),
        "branch": "Main",
        "scene": "s2",
        "shot": "3",
        "poll_seconds": 0.01,
    }
    op = VideoRender.from_params(params)
    s = op.submission()
    job = library.jobs.add(Submission(op.kind, s.title, s.provider, s.params, project=s.project))
    with pytest.raises(RuntimeError):
        jobs.work_for(op.kind)(HandleContext(library.jobs.start(job.id), library.jobs))
    assert video.submitted == 1 and library.jobs.get(job.id).handle == {"operation": "op-1"}
    # The next start resumes from the stored handle: polled and downloaded, never resubmitted.
    again = library.jobs.get(job.id)
    result, _ = jobs.work_for(op.kind)(HandleContext(again, library.jobs))
    assert video.submitted == 1
    changes = Changes.from_json(result["changes"])
    assert changes.paths == ("scenes/s2/videos/3",) and changes.scenes == ("s2",)
    with Project.open(bundle) as p:
        takes = p.read("scenes/s2/videos/3")
        assert len(takes["takes"]) == 1 and takes["current"] == result["media"]
        assert p.head().message == "Rendered shot 3 (take 1)"
        (row,) = ledger.entries(p)
        assert (row.kind, row.stage, row.scene) == ("video", 12, "s2")
