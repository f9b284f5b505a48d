"""Style-library work as jobs (progress, cancel, never on the UI thread): adding a sample and
re-embedding a library with another embedder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.screenplay.documents import read_document
from aiuteur_desktop.core.styles.written import IngestCancelled, WrittenStyles
from aiuteur_desktop.providers.embedders import embedder_for
from aiuteur_desktop.providers.offline.embedder import OfflineEmbedder

STYLE_INGEST = "style.ingest"
STYLE_REEMBED = "style.reembed"


def _settings(home: Path | None) -> AppSettings:
    library = Library(home) if home else Library()
    try:
        return library.load_settings()
    finally:
        library.close()


def written_styles(home: Path | None = None) -> WrittenStyles:
    """The user's written styles, resolving each library's embedder from the current settings
    (read when needed, so a key or endpoint added later is used)."""
    return WrittenStyles(
        OfflineEmbedder(), home, resolve=lambda eid: embedder_for(eid, _settings(home))
    )


def _run(ctx: jobs.JobContext, work: Any) -> Any:
    try:
        return work()
    except IngestCancelled as exc:
        raise jobs.Cancelled() from exc


@jobs.register(STYLE_INGEST)
def ingest(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: home, library, path. Reading is the first 20 % of the bar, embedding the rest."""
    p = ctx.job.params
    styles = written_styles(Path(p["home"]) if p.get("home") else None)
    path = Path(p["path"])
    doc = read_document(path, progress=lambda f: ctx.progress(0.2 * f))
    count = _run(
        ctx,
        lambda: styles.add_document(
            p["library"],
            path.name,
            doc.text,
            progress=lambda f: ctx.progress(0.2 + 0.8 * f),
            cancelled=ctx.cancelled,
        ),
    )
    return {"library": p["library"], "document": path.name, "passages": count}, 0.0


@jobs.register(STYLE_REEMBED)
def reembed(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: home, library, embedder (id)."""
    p = ctx.job.params
    home = Path(p["home"]) if p.get("home") else None
    styles = written_styles(home)
    target = embedder_for(p["embedder"], _settings(home))
    count = _run(
        ctx,
        lambda: styles.reembed(
            p["library"], target, progress=ctx.progress, cancelled=ctx.cancelled
        ),
    )
    return {"library": p["library"], "embedder": target.id, "passages": count}, 0.0
