"""Pro Export as an operation (File → Export for Editing…): the branch's film for an editor,
written as a job so it shows progress, can be cancelled and carries on while the user works.
The animatic stand-ins and scratch voices come from the registry's offline engine; nothing
in the store changes, so it returns no `Changes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.operations import Operation, Ran, on_branch, register, stored_as
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project


@register
@dataclass(frozen=True)
class ProExport(Operation):
    kind: ClassVar[str] = "export.pro"
    engine: ClassVar[str] = "offline:export"

    bundle: str
    branch: str
    out: str
    scene: str | None = None
    as_zip: bool = field(default=False, metadata=stored_as("zip"))
    animatic: bool = False
    codec: str = "source"  # transcode.CODECS: as rendered, ProRes or DNxHR

    def job_title(self) -> str:
        return f"Export for editing: {Path(self.out).name}{'.zip' if self.as_zip else ''}"

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        # Imported here, on the worker: OTIO, PyAV and the PDF writer stay out of start-up.
        from aiuteur_desktop.core.export import pro_export

        done = pro_export.export(
            on_branch(project, self.branch),
            Path(self.out),
            source=source,
            scene=self.scene,
            animatic=self.animatic,
            as_zip=self.as_zip,
            codec=self.codec,
            progress=ctx.progress,
            cancelled=ctx.cancelled,
            on_step=ctx.step,
        )
        result = {
            "folder": str(done.folder),
            "zip": str(done.zip) if done.zip else None,
            "clips": len(done.clips),
            "takes": sum(1 for c in done.clips if c["kind"] == "take"),
            "animatic": done.animatic,
            "stems": done.stems,
            "timelines": [p.name for p in done.timelines],
            "codec": done.codec.label,
            "transcoded": done.transcoded,
        }
        return Ran(result, 0.0)

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        return Changes()  # the clips and timelines are files in the folder, not documents
