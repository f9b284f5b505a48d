"""The offline path's end (PRD §10) as an operation: every shot of the Master Script as an
animatic clip, the whole film, the storyboard sheets and the editor's timelines, written to
a folder the user chose. The engine comes from the registry; nothing in the store changes,
so it returns no `Changes`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.operations import Operation, Ran, register
from aiuteur_desktop.core.production import cut
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project


@register
@dataclass(frozen=True)
class AnimaticReel(Operation):
    kind: ClassVar[str] = "previz.reel"
    engine: ClassVar[str] = "offline:animatic"

    bundle: str
    branch: str
    out_dir: str
    title: str
    width: int = 1280
    speech: bool = True
    codec: str = "source"  # the clips the timelines point at (transcode.CODECS)

    @classmethod
    def prepare(
        cls,
        project: Project,
        out_dir: str,
        *,
        width: int = 1280,
        speech: bool = True,
        codec: str = "source",
    ) -> AnimaticReel:
        return cls(
            str(project.path), project.current_branch, out_dir, project.name, width, speech, codec
        )

    def job_title(self) -> str:
        return f"Animatic: {self.title}"

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        branch = self.branch or None
        film = cut.film(project, branch)  # the editor's cut where the timeline has one
        rows = film.shots
        if not rows:
            raise AiuteurError("The Master Script has no scenes yet: write or import one first.")
        people, places = masters.image_keys(project, branch)
        result = source.animatic_reel(
            rows,
            self.out_dir,
            title=self.title or project.name,
            width=self.width,
            speech=self.speech,
            images=people,
            locations=places,
            voices=voices.offline_voices(project, branch),
            progress=ctx.progress,
            cancelled=ctx.cancelled,
            on_step=ctx.step,
            trims=[(p.first, p.frames) for p in film.placed] if film.source else None,
            codec=self.codec,
        )
        return Ran(result, 0.0)

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        return Changes()  # the film and timelines are files in the folder, not documents
