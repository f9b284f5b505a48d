"""Stage 11 · Confirm and Stage 12's takes and routes in core (issue "Stages 11–12"): the
checkout's lines priced from pricing.toml, Confirm freezes, an edit afterwards is a new
version, offline renders whose first and last frames are the approved anchors, attribution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money.prices import PriceTable
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.core.operations.frame_image import FrameImage
from aiuteur_desktop.core.production import checkout, frames, hub, review, takes, visuals
from aiuteur_desktop.core.production import prompts as prompt_sets
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from tests.core.production.test_visuals import storm

VEO = "google:veo-3.1-generate-001"
#: Mean structural similarity (drift._ssim, at 160 × 90) a rendered clip's first frame must reach
#: against its approved start frame, and its last frame against the end frame. The offline
#: engine draws the frame at the camera's first and last position with subtitles burnt in,
#: so it is near, not equal; an unrelated frame of the same scene scores below 0.5.
SIMILAR = 0.8


def prepared(p: Project, library: Library, scene: str) -> None:
    """The scene's shots locked, looks locked, prompts assembled, every frame made offline
    (Quick mode) and approved."""
    shot_list.lock(p, scene, shot_list.current(p, scene))
    for e in visuals.elements(p, scene):
        visuals.lock(p, scene, e.slug)
    prompt_sets.assemble(p, scene)
    frames.set_mode(p, scene, frames.QUICK)
    while (s := frames.next_to_make(p, scene)) is not None:
        op = FrameImage.prepare(
            p, scene, s.shot, s.which, model="offline:storyboard", source=Registry()
        )
        job = headless.run_one(library.jobs, op, Budget())
        assert job.state is JobState.SUCCEEDED, job.error
        frames.approve(p, scene, s.shot, s.which)


@pytest.fixture
def project(tmp_path: Path, library: Library) -> Iterator[Project]:
    register_all()
    with storm(tmp_path) as p:
        operations.share(p)
        prepared(p, library, "s2")
        yield p
        operations.unshare(p)


def veo(p: Project, scene: str = "s2", **kw) -> checkout.Checkout:  # type: ignore[no-untyped-def]
    reg = Registry()
    return checkout.build(p, scene, model=VEO, caps=reg.video_capabilities(VEO), free=False, **kw)


def offline(p: Project, scene: str = "s2") -> checkout.Checkout:
    reg = Registry()
    model = "offline:animatic"
    return checkout.build(p, scene, model=model, caps=reg.video_capabilities(model), free=True)


def test_checkout_totals_are_the_sum_of_lines_priced_from_pricing_toml(project: Project) -> None:
    c = veo(project)
    table = PriceTable.load()
    assert [x.label for x in c.lines] == ["2A", "2B"]
    for x in c.lines:
        assert x.start and x.waiting == "" and x.video_prompt
        assert x.price == pytest.approx(table.video(VEO, x.duration, True, x.end is not None))
        assert x.parts["video"] == pytest.approx(0.20 * x.duration)
        assert x.parts["audio"] == pytest.approx(0.20 * x.duration)  # 0.40/s with sound
    assert c.total == pytest.approx(sum(x.price for x in c.lines))
    assert c.total == pytest.approx(0.40 * sum(x.duration for x in c.lines))
    assert c.price_source.startswith("PROVIDER-NOTES.md")
    assert c.waiting == "" and not c.frozen
    # Without sound the audio part goes and the total drops to the silent rate.
    quiet = veo(project, audio=False)
    assert quiet.total == pytest.approx(0.20 * sum(x.duration for x in quiet.lines))
    # The offline engine is free, and says so.
    assert offline(project).total == 0 and offline(project).price_source == checkout.FREE_SOURCE


def test_start_frame_only_shots_carry_no_end_frame_cost(
    project: Project, aiuteur_home: Path
) -> None:
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    (aiuteur_home / "pricing.toml").write_text(
        '[video."google:veo-3.1-generate*"]\nper_second = 0.2\nper_second_audio = 0.4\n'
        'per_second_end_frame = 0.05\nsource = "my contract"\n'
    )
    prompt_sets.set_frames(project, "s2", "B", prompt_sets.START_ONLY)
    prompt_sets.assemble(project, "s2")
    a, b = veo(project).lines
    assert a.frames == prompt_sets.START_END and a.end is not None
    assert a.parts["end frame"] == pytest.approx(0.05 * a.duration)
    assert b.frames == prompt_sets.START_ONLY and b.end is None
    assert "end frame" not in b.parts
    assert b.price == pytest.approx(0.40 * b.duration)
    assert veo(project).total == pytest.approx(a.price + b.price)


def test_nothing_is_confirmed_while_a_frame_waits_or_the_price_is_unknown(
    project: Project, library: Library
) -> None:
    review.return_to_frames(project, "s2", "B", None)
    c = veo(project)
    assert "Approve the start frame of shot 2B in Stage 10 first" in c.waiting
    with pytest.raises(GateClosed, match="Approve the start frame of shot 2B"):
        checkout.confirm(project, c)
    for s in frames.slots(project, "s2"):
        frames.approve(project, "s2", s.shot, s.which)
    reg = Registry()
    unknown = checkout.build(
        project, "s2", model="google:veo-9-imaginary", caps=reg.video_capabilities(VEO), free=False
    )
    assert unknown.total is None and "no price for google:veo-9-imaginary" in unknown.waiting
    with pytest.raises(GateClosed, match="no price"):
        checkout.confirm(project, unknown)


def test_confirm_freezes_and_an_edit_afterwards_is_a_new_version(project: Project) -> None:
    c = veo(project)
    done = checkout.confirm(project, c)
    assert done.version == 1 and done.total == pytest.approx(c.total)
    assert project.log()[0].message == "Confirmed for render: scene 2 (2 shots, $4.80)"
    after = veo(project)
    assert after.frozen and after.changed == () and after.confirmed == done
    assert hub.statuses(project)["s2"] == hub.CONFIRMED
    # Confirming an unchanged scene again is not a second version (nothing to charge).
    assert checkout.confirm(project, after).version == 1
    # An edit upstream: what was confirmed stays as it was; the checkout says what changed.
    prompt_sets.edit_video(project, "s2", "A", "Mara braces against the rail; thunder.")
    changed = veo(project)
    assert not changed.frozen
    assert changed.changed == ("the prompts of shot 2A",)
    assert checkout.confirmed(project, "s2").line("A").video_prompt != (
        "Mara braces against the rail; thunder."
    )
    assert changed.total == pytest.approx(c.total)  # the re-render, priced again
    again = checkout.confirm(project, changed)
    assert again.version == 2 and again.line("A").video_prompt.startswith("Mara braces")
    assert "version 2" in project.log()[0].message


def first_and_last(data: bytes) -> tuple[np.ndarray, np.ndarray, int]:
    import io

    with av.open(io.BytesIO(data)) as c:
        images = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    return images[0], images[-1], len(images)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    from aiuteur_desktop.core.production.drift import _ssim

    size = (160, 90)
    return _ssim(cv2.resize(a, size), cv2.resize(b, size))


def grey(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def test_offline_render_of_a_scene_gives_takes_whose_ends_are_the_anchor_frames(
    project: Project, library: Library, tmp_path: Path
) -> None:
    with storm(tmp_path / "more") as p:
        operations.share(p)
        try:
            prepared(p, library, "s3")
            # Three shots: 3B split in two (the shot list reopened, split, locked again).
            shot_list.unlock(p, "s3")
            rows = shot_list.current(p, "s3")
            shot_list.lock(p, "s3", shot_list.split(rows, 1, shot_list.issued(p, "s3")))
            prepared(p, library, "s3")
            c = offline(p, "s3")
            assert len(c.lines) == 3
            done = checkout.confirm(p, c)
            ops = video_render.render_ops(p, "s3", done, Registry())
            assert [op.params["shot"] for op in ops] == [x.shot for x in c.lines]
            jobs = headless.run_all(library.jobs, ops, Budget())
            assert all(j.state is JobState.SUCCEEDED for j in jobs), [j.error for j in jobs]
            for x in c.lines:
                take = takes.current(p, "s3", x.shot)
                assert take is not None and take.version == 1 and take.cost == 0
                first, last, n = first_and_last(p.media.read(take.media))
                assert n == round(x.duration * 24)
                assert similarity(first, grey(p.media.read(x.start))) > SIMILAR
                end = x.end or x.start
                assert similarity(last, grey(p.media.read(end))) > SIMILAR
                doc = p.read(takes.takes_path("s3", x.shot))
                made = doc["takes"][0]
                assert made["parameters"]["start_media"] == x.start
                assert made["parameters"]["prompt"] == x.video_prompt
                assert made["provider"] == "offline:animatic" and made["job"]
            # Version History names each render as the app names the shot ("3A", not "A").
            said = {c.message for c in p.log()[:6]}
            for x in c.lines:
                assert f"Rendered shot {x.label} (take 1)" in said, said
            # Everything rendered: nothing more to send, and the Script Hub says Rendered.
            assert video_render.render_ops(p, "s3", done, Registry()) == []
            assert hub.statuses(p)["s3"] == hub.RENDERED
            # The shots' ends differ from one another (the test is not passing on sameness).
            a, b = c.lines[0], c.lines[1]
            assert (
                similarity(grey(p.media.read(a.start)), grey(p.media.read(b.end or b.start))) < 0.99
            )
        finally:
            operations.unshare(p)


def test_attribution_maps_each_issue_kind_to_its_stage(project: Project) -> None:
    checkout.confirm(project, offline(project))
    assert review.attribute(project, "s2", "B", review.VISUAL).stage == review.FRAMES
    assert review.attribute(project, "s2", "B", review.TIMING).stage == review.SHOT_LIST
    assert review.attribute(project, "s2", "B", review.NARRATIVE).stage == review.SHOT_LIST
    assert review.attribute(project, "s2", "B", review.AUDIO).stage == review.SHOT_LIST
    # A hand-edited video prompt carries the dialogue: audio issues go back to Stage 9.
    prompt_sets.edit_video(project, "s2", "B", "MARA (low): Hold the light.")
    assert review.attribute(project, "s2", "B", review.AUDIO).stage == review.PROMPTS
    # What the take was made from changed in the shot list: back there, whatever the kind.
    rows = shot_list.current(project, "s2")
    shot_list.unlock(project, "s2")
    edited = shot_list.edited(rows[1], "action", "Mara climbs down the ladder instead.")
    assert edited is not None
    shot_list.save(project, "s2", [rows[0], edited])
    route = review.attribute(project, "s2", "B", review.VISUAL)
    assert route.stage == review.SHOT_LIST and "changed in the shot list" in route.reason
    with pytest.raises(GateClosed):
        review.attribute(project, "s2", "B", "lighting")


def test_an_issue_is_filed_and_routes_back(project: Project) -> None:
    checkout.confirm(project, offline(project))
    issue = review.file_issue(project, "s2", "B", review.VISUAL, 9.5, "Her coat turns blue.")
    assert issue.route.stage == review.FRAMES
    assert [i.note for i in review.issues(project, "s2")] == ["Her coat turns blue."]
    assert project.log()[0].message == "Review: visual continuity issue on shot 2B"
    dry = review.cascade(project, "s2")
    assert dry.prompts == 2 and dry.frames >= 3 and dry.confirmed
    assert "charged again" in dry.text
    review.return_to_frames(project, "s2", "B", issue.id)
    assert not any(s.approved for s in frames.slots(project, "s2") if s.shot == "B")
    assert all(i.resolved for i in review.issues(project, "s2"))
    assert "the start frame of shot 2B" in veo(project).changed
    with pytest.raises(GateClosed, match="no take yet"):
        review.complete(project, "s2")
    review.return_to_shot_list(project, "s2", None)
    assert not shot_list.is_locked(project, "s2")


def test_a_shot_priced_and_confirmed_with_a_model_of_its_own(project: Project) -> None:
    """Issue 38's per-shot choice in core: shot B with its own model is priced for it (the
    other for the scene's); the confirmation keeps each line's model and is frozen only for
    those models; an unpriced model on one shot holds Confirm, naming that model."""
    from aiuteur_desktop.core.app import secrets

    kling = "fal:fal-ai/kling-video/v4/image-to-video"
    luma = "fal:fal-ai/luma-dream-machine/ray-2/image-to-video"
    secrets.set_secret("fal.api_key", "fal-test-key")
    reg = Registry()
    table = PriceTable.load()
    c = checkout.for_model(project, "s2", reg, VEO, per_shot={"B": kling})
    a, b = c.lines
    assert (a.model, b.model) == (VEO, kling) and c.per_shot == {"B": kling}
    assert b.price == round(
        sum(table.video_parts(kling, b.duration, b.audio, b.end is not None).values()), 6
    )
    assert a.price == veo(project).lines[0].price  # the other shot as the scene's
    assert c.total == round((a.price or 0) + (b.price or 0), 6)
    assert c.models == {VEO: 1, kling: 1} and "kling" in c.price_source.lower()
    done = checkout.confirm(project, c)
    assert done.per_shot == {"B": kling} and done.line("B").model == kling
    assert checkout.for_model(project, "s2", reg, VEO, per_shot={"B": kling}).frozen
    # Every shot back on the scene's model: a new version, not the one confirmed.
    assert not checkout.for_model(project, "s2", reg, VEO).frozen
    ops = video_render.render_ops(project, "s2", done, reg)
    assert {op.params["shot"]: op.params["model_id"] for op in ops} == {"A": VEO, "B": kling}
    unpriced = checkout.for_model(project, "s2", reg, VEO, per_shot={"A": luma})
    assert unpriced.total is None
    assert luma.split(":", 1)[1] in unpriced.waiting, unpriced.waiting
    with pytest.raises(GateClosed):
        checkout.confirm(project, unpriced)
