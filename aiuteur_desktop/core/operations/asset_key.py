"""Image keys as an operation — Stage 5's master assets (PRD §8.5) and Stage 8's scene
instances (§9.3): the look with the visual style (and up to three reference images — the
master's key for an instance, then the style's — when the model takes references) → the
image model Settings → Models names, or the offline key cards with no key or network.
Every candidate is kept; the newest becomes the key, committed with the Why box's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown, unknown_price_message
from aiuteur_desktop.core.operations import Operation, Ran, image_call, register, stored_as
from aiuteur_desktop.core.production import scene_style
from aiuteur_desktop.core.provider_api import ImageSubject, ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project

#: Style references sent with a key, at most.
REFERENCES = 3


def price_per_key(model_id: str, source: ProviderSource) -> float:
    """A key's price; PriceUnknown (naming the model) for a paid model with none — it is
    refused, never made as if it were free."""
    if source.is_free(model_id):
        return 0.0
    try:
        return PriceTable.load().image(model_id, 1)
    except PriceUnknown as exc:
        raise PriceUnknown(unknown_price_message(model_id)) from exc


@register
@dataclass(frozen=True)
class AssetKey(Operation):
    kind: ClassVar[str] = "asset.key"

    bundle: str
    branch: str
    path: str
    asset_kind: str = field(metadata=stored_as("kind"))
    name: str
    description: str
    prompt: str
    model: str = field(
        metadata=stored_as("model_id")
    )  # e.g. "google:gemini-2.5-flash-image", "offline:storyboard"
    references: tuple[str, ...] = ()
    guidance: str = ""
    estimate: float = 0.0
    base_url: str | None = None
    paid: bool = False
    stage: int = 5  # 8 for a scene instance's starting look

    @classmethod
    def prepare(
        cls,
        project: Project,
        path: str,
        guidance: str,
        *,
        model: str,
        source: ProviderSource,
        references: list[Path] | None = None,
        subject: dict[str, Any] | None = None,
        style_card: str | None = None,
        stage: int = 5,
    ) -> AssetKey:
        """Read the asset and the style lock now: the request is what the user saw. A scene
        instance passes its `subject` (kind, name, look with conditions) and its scene's
        `style_card`."""
        a = subject or masters.read(project, path)
        card = masters.style_lock(project).get("card", "") if style_card is None else style_card
        room = min(REFERENCES, source.image_capabilities(model).max_references)
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            path=path,
            asset_kind=a["kind"],
            name=a["name"],
            description=a.get("description", ""),
            prompt=masters.image_prompt(a, card, guidance),
            model=model,
            references=tuple(str(r) for r in (references or [])[:room]),
            guidance=guidance,
            estimate=price_per_key(model, source),
            base_url=source.endpoint(model),
            paid=not source.is_free(model),
            stage=stage,
        )

    @classmethod
    def for_instance(
        cls,
        project: Project,
        scene_id: str,
        asset_slug: str,
        guidance: str,
        *,
        model: str,
        source: ProviderSource,
        style_references: list[Path] | None = None,
    ) -> AssetKey:
        """Stage 8: a key for this scene's instance of an element (its own instance is made
        from what it inherits first). The master's key is the first reference, so a scene's
        look stays the same person, place or thing; then the scene style's references."""
        from aiuteur_desktop.core.production import visuals

        path = visuals.ensure_instance(project, scene_id, asset_slug)
        e = visuals.element(project, scene_id, asset_slug)
        refs: list[Path] = []
        master = masters.read(project, e.master) if e.master else {}
        if master.get("image_key"):
            refs.append(project.media.path(master["image_key"]))
        refs += list(style_references or [])
        return cls.prepare(
            project,
            path,
            guidance,
            model=model,
            source=source,
            references=refs,
            subject=visuals.key_subject(project, scene_id, asset_slug),
            style_card=str(scene_style.of(project, scene_id).get("card") or ""),
            stage=8,
        )

    def job_title(self) -> str:
        return f"Image key: {self.name}"

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> AssetKey:
        if not params.get("model_id"):  # rows queued by earlier versions name the two apart
            model = f"{params.get('connection', 'offline')}:{params.get('model', 'storyboard')}"
            params = {**params, "model_id": model}
        return super().from_params(params)

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        provider = source.image(self.model, self.base_url)
        refs = [Path(r).read_bytes() for r in self.references if Path(r).exists()]
        subject = ImageSubject(self.asset_kind, self.name, self.description)
        media, price = image_call(
            ctx,
            project,
            self.model,
            self.paid,
            lambda name: provider.generate(self.prompt, name, refs, subject=subject),
        )
        return Ran(
            {"media": media, "cost": price, "model": self.model, "prompt": self.prompt}, price
        )

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        if project.read(self.path) is None:
            # Removed while its key was made: the image stays in the media store, unused.
            return Changes()
        cost = float(result.get("cost") or 0.0)
        masters.add_candidate(
            project,
            self.path,
            result["media"],
            prompt=self.prompt,
            guidance=self.guidance,
            cost=cost,
            model=self.model,
        )
        head = project.commit(
            self.guidance or f"Image key for {self.name}",
            kind="generate",
            stage=self.stage,
            cost=cost,
        )
        scene = self.path.split("/")[1] if self.path.startswith("scenes/") else None
        return Changes(
            paths=(self.path,),
            stages=(self.stage,),
            scenes=(scene,) if scene else (),
            commit=head.id,
        )
