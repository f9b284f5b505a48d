"""Stage 10 anchor frames as an operation (PRD §4.5, §9.5): the slot's frame prompt with the
frame it chains to as the first reference (then the on-screen characters' scene keys and the
place's key, as many as the model takes) → the image model Settings → Models names, or the
offline storyboard engine, which draws the frame from the shot itself. The result is a new
candidate of the slot, committed; the Frame Dependency Manager (`core.production.frames`) decides what
may be made when."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.assets import stature
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.operations import Operation, Ran, image_call, register, stored_as
from aiuteur_desktop.core.operations.asset_key import price_per_key
from aiuteur_desktop.core.production import frames, visuals
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.provider_api import ImageSubject, ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project

#: References sent with a frame, at most: the chain's frame, then looks.
REFERENCES = 4


def references(
    project: Project, scene_id: str, shot: timing.Shot, which: str
) -> tuple[frames.Link | None, list[Path], dict[str, Path], Path | None, dict[str, float]]:
    """(the chain's link, reference image paths in order, character keys by name, the place's
    key, the characters' statures by name — a child's is less than 1) for one slot."""
    to = frames.link(project, scene_id, shot.id, which)
    refs: list[Path] = []
    if to is not None and to.media:
        refs.append(project.media.path(to.media))
    looks = visuals.elements(project, scene_id)
    people = {c.upper() for c in shot.characters}
    images: dict[str, Path] = {}
    place: Path | None = None
    statures = {
        e.name.upper(): stature.stature(f"{e.variant} {e.description}")
        for e in looks
        if e.kind == "character" and e.name.upper() in people
    }
    for e in looks:
        if not e.image or shot.id not in e.shots:
            continue
        path = project.media.path(e.image)
        if e.kind == "character" and e.name.upper() in people:
            images[e.name.upper()] = path
            refs.append(path)
        elif e.kind == "location" and place is None:
            place = path
            refs.append(path)
    return to, refs, images, place, statures


@register
@dataclass(frozen=True)
class FrameImage(Operation):
    kind: ClassVar[str] = "frame.image"

    bundle: str
    branch: str
    scene: str
    shot: str
    which: str  # frames.START or frames.END
    label: str
    prompt: str
    model: str = field(metadata=stored_as("model_id"))
    references: tuple[str, ...] = ()
    reference_media: str | None = None  # the chained frame's image, as it was asked
    spec: dict[str, Any] | None = None
    guidance: str = ""
    mode: str = ""
    estimate: float = 0.0
    base_url: str | None = None
    paid: bool = False

    @classmethod
    def prepare(
        cls,
        project: Project,
        scene_id: str,
        shot_id: str,
        which: str,
        *,
        model: str,
        source: ProviderSource,
        guidance: str = "",
    ) -> FrameImage:
        """Read the slot, its prompt and its chain now (the request is what the user saw).
        GateClosed when the mode is not chosen or, in Control mode, the chain is not
        approved."""
        reason = frames.blocked(project, scene_id, shot_id, which)
        if reason is not None:
            raise GateClosed(reason)
        shot = next((s for s in shot_list.current(project, scene_id) if s.id == shot_id), None)
        if shot is None:
            raise GateClosed(f"Scene {scene_id} has no shot {shot_id}.")
        prompt = frames.prompt_of(project, scene_id, shot_id, which)
        if guidance.strip():
            prompt += f"\nChange from the last version: {guidance.strip()}"
        to, refs, images, place, statures = references(project, scene_id, shot, which)
        room = min(REFERENCES, source.image_capabilities(model).max_references)
        spec = timing.to_spec(shot, images=images, location_image=place, statures=statures)
        chosen = frames.mode_of(project, scene_id) or {}
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            scene=scene_id,
            shot=shot_id,
            which=which,
            label=shot.label,
            prompt=prompt,
            model=model,
            references=tuple(str(r) for r in refs[:room]),
            reference_media=to.media if to is not None else None,
            spec=spec.model_dump(mode="json"),
            guidance=guidance,
            mode=str(chosen.get("mode") or ""),
            estimate=price_per_key(model, source),
            base_url=source.endpoint(model),
            paid=not source.is_free(model),
        )

    def job_title(self) -> str:
        word = "Start" if self.which == frames.START else "End"
        return f"{word} frame: shot {self.label}"

    def to_params(self) -> dict[str, Any]:
        return {**super().to_params(), "name": f"shot {self.label} {self.which} frame", "stage": 10}

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        provider = source.image(self.model, self.base_url)
        refs = [Path(r).read_bytes() for r in self.references if Path(r).exists()]
        subject = ImageSubject("frame", f"Shot {self.label}", self.prompt, self.spec, self.which)
        media, price = image_call(
            ctx,
            project,
            self.model,
            self.paid,
            lambda name: provider.generate(self.prompt, name, refs, subject=subject),
        )
        return Ran({"media": media, "cost": price, "model": self.model}, price)

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        try:
            frames.slot(project, self.scene, self.shot, self.which)
        except GateClosed:
            return Changes()  # the shot went (or became start-only) meanwhile: kept, unused
        cost = float(result.get("cost") or 0.0)
        s = frames.record(
            project,
            self.scene,
            self.shot,
            self.which,
            result["media"],
            prompt=self.prompt,
            model=self.model,
            cost=cost,
            guidance=self.guidance,
            reference=self.reference_media,
            mode=self.mode,
        )
        word = "Start" if self.which == frames.START else "End"
        head = project.commit(
            self.guidance or f"{word} frame for shot {self.label}",
            kind="generate",
            stage=10,
            cost=cost,
        )
        return Changes(paths=(s.path,), stages=(10,), scenes=(self.scene,), commit=head.id)


@register
@dataclass(frozen=True)
class FrameEdit(Operation):
    """The Region-Level Inpainting Agent: a masked edit of a slot's chosen frame ("make her
    expression neutral" over the face); the result is a new candidate, and every pixel
    outside the mask is the frame's own (the providers composite it back)."""

    kind: ClassVar[str] = "frame.edit"

    bundle: str
    branch: str
    scene: str
    shot: str
    which: str
    label: str
    instruction: str
    image: str  # media id of the frame edited
    mask: str  # media id of the mask (white = change)
    model: str = field(metadata=stored_as("model_id"))
    spec: dict[str, Any] | None = None
    estimate: float = 0.0
    base_url: str | None = None
    paid: bool = False

    @classmethod
    def prepare(
        cls,
        project: Project,
        scene_id: str,
        shot_id: str,
        which: str,
        mask_png: bytes,
        instruction: str,
        *,
        model: str,
        source: ProviderSource,
    ) -> FrameEdit:
        instruction = " ".join(instruction.split())
        if len(instruction) < 3:
            raise GateClosed("Say what should change in the painted area.")
        s = frames.slot(project, scene_id, shot_id, which)
        if s.chosen is None:
            raise GateClosed(f"Make the {which} frame of shot {s.label} before editing it.")
        from aiuteur_desktop.core.media.imaging import open_image

        with open_image(mask_png) as m:  # a mask is an image like any other: checked
            if m.convert("L").getbbox() is None:
                raise GateClosed("Paint the area to change first: the mask is empty.")
        mask = project.media.put(mask_png, "image/png")
        shot = next(x for x in shot_list.current(project, scene_id) if x.id == shot_id)
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            scene=scene_id,
            shot=shot_id,
            which=which,
            label=shot.label,
            instruction=instruction,
            image=s.chosen,
            mask=mask,
            model=model,
            spec=timing.to_spec(shot).model_dump(mode="json"),
            estimate=price_per_key(model, source),
            base_url=source.endpoint(model),
            paid=not source.is_free(model),
        )

    def job_title(self) -> str:
        return f"Edit {self.which} frame: shot {self.label}"

    def to_params(self) -> dict[str, Any]:
        return {**super().to_params(), "name": f"shot {self.label} {self.which} frame", "stage": 10}

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        provider = source.image(self.model, self.base_url)
        subject = ImageSubject(
            "frame", f"Shot {self.label}", self.instruction, self.spec, self.which
        )
        image, mask = project.media.read(self.image), project.media.read(self.mask)
        media, price = image_call(
            ctx,
            project,
            self.model,
            self.paid,
            lambda name: provider.edit(image, mask, self.instruction, name, subject=subject),
        )
        return Ran({"media": media, "cost": price, "model": self.model}, price)

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        try:
            frames.slot(project, self.scene, self.shot, self.which)
        except GateClosed:
            return Changes()
        cost = float(result.get("cost") or 0.0)
        before = next(
            (
                c
                for c in frames.slot(project, self.scene, self.shot, self.which).candidates
                if c.get("media") == self.image
            ),
            {},
        )
        s = frames.record(
            project,
            self.scene,
            self.shot,
            self.which,
            result["media"],
            prompt=str(before.get("prompt") or ""),
            model=self.model,
            cost=cost,
            guidance=self.instruction,
            source="edited",
            reference=before.get("reference"),
            mode=str(before.get("mode") or ""),
        )
        head = project.commit(self.instruction, kind="generate", stage=10, cost=cost)
        return Changes(paths=(s.path,), stages=(10,), scenes=(self.scene,), commit=head.id)
