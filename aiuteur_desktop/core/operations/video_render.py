"""A shot's video render (PRD §4.7, Stage 12) as an operation: submitted once, the provider's
handle persisted before anything else (a restart resumes polling, never resubmits), polled,
downloaded into the project's media, and — for a shot of a scene — kept as a take under
`scenes/<scene>/videos/<shot>`. The provider is the registry's for the model id: Veo on
Vertex AI, or the offline animatic engine (free, no network)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.models_catalogue import rendered_seconds
from aiuteur_desktop.core.assets import voices
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.jobs import JobState, JobStore
from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown, unknown_price_message
from aiuteur_desktop.core.operations import Operation, Ran, end_job, provenance, register
from aiuteur_desktop.core.production import takes
from aiuteur_desktop.core.production.checkout import Confirmed, RenderLine
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.takes import takes_path
from aiuteur_desktop.core.provider_api import ProviderSource, VideoRequest
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project, artifacts


def _sleep(ctx: jobs.JobContext, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            raise jobs.Cancelled()
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))


@register
@dataclass(frozen=True)
class VideoRender(Operation):
    kind: ClassVar[str] = "video.render"

    params: dict[str, Any] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        # Rows from earlier versions name only the Veo model.
        return str(self.params.get("model_id") or f"google:{self.params['model']}")

    @classmethod
    def prepare(cls, params: dict[str, Any], source: ProviderSource) -> VideoRender:
        """Priced now, from the price table: a paid model with no known price is refused
        (PriceUnknown naming it) — never sent as if it were free."""
        op = cls(dict(params))
        free = source.is_free(op.model_id)
        estimate = 0.0 if free else op.price()
        return cls({**params, "estimate": estimate, "paid": not free})

    def price(self) -> float:
        p = self.params
        try:
            return PriceTable.load().video(
                self.model_id,
                float(p.get("duration", 8)),
                bool(p.get("audio", True)),
                end_frame=bool(p.get("end_frame")),
            )
        except PriceUnknown as exc:
            raise PriceUnknown(unknown_price_message(self.model_id)) from exc

    def job_title(self) -> str:
        return str(self.params.get("title") or f"Shot {self.params.get('shot', '')}".strip())

    def submission(self) -> jobs.Submission:
        p = self.params
        estimate, paid = float(p.get("estimate") or 0.0), bool(p.get("paid"))
        return jobs.Submission(
            self.kind, self.job_title(), self.model_id, p, str(p["bundle"]), estimate, paid
        )

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> VideoRender:
        """params: prompt, model_id, start_frame (path), end_frame (path or None), duration,
        audio, seed, spec (the shot, for offline engines), bundle, branch, scene, shot,
        vertex {project, location, credentials_file, base_url?}, poll_seconds."""
        return cls(dict(params))

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        p = self.params
        provider = source.video(self.model_id, p.get("vertex"))
        model = self.model_id.partition(":")[2]
        handle = ctx.job.handle
        if handle is None:
            request = VideoRequest(
                prompt=p["prompt"],
                model=model,
                start_frame=Path(p["start_frame"]).read_bytes(),
                end_frame=Path(p["end_frame"]).read_bytes() if p.get("end_frame") else None,
                # The length the model renders (and bills) that holds the shot.
                duration=rendered_seconds(self.model_id, float(p.get("duration", 8))),
                audio=bool(p.get("audio", True)),
                seed=p.get("seed"),
                spec=p.get("spec"),
            )
            # Written as being sent before it leaves; its handle with the same transaction
            # that marks it accepted. A timeout or cut-off answer is never sent again
            # unasked: the job waits for the user's decision (core/money/paid.py).
            with ctx.paid(ctx.job.estimate) as call:
                handle = provider.submit(request)
                call.accepted(handle)
        while True:
            done, fraction = provider.poll(handle)
            ctx.progress(0.9 * fraction)
            if done:
                break
            _sleep(ctx, float(p.get("poll_seconds", 10)))
        data, mime = provider.download(handle)
        # Priced when it was queued (Veo bills per second rendered): a free engine's is 0.
        price = 0.0 if source.is_free(self.model_id) else ctx.job.estimate
        media = end_job(
            project,
            ctx.job,
            provider=provider.id,
            model=model,
            kind="video",
            actual=price,
            data=data,
            mime=mime,
            stage=p.get("stage", 12),
            key=ctx.spend_key(),
        )
        ctx.progress(1.0)
        kept = {
            k: p.get(k)
            for k in ("prompt", "duration", "audio", "end_frame", "start_media", "end_media")
        }
        kept["version"] = int(p.get("version") or 0)
        result = {
            "media": media,
            "mime": mime,
            "operation": handle["operation"],
            "provenance": provenance(
                ctx.job, provider=provider.id, model=model, cost=price, **kept
            ),
        }
        return Ran(result, price)

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        scene, shot = self.params.get("scene"), self.params.get("shot")
        if not scene or not shot:
            return Changes()  # a render asked outside a scene: the clip is in the media
        path = takes_path(str(scene), str(shot))
        doc = project.read(path)
        kept = [*artifacts.content_of(doc).get("takes", [])] if doc else []
        take = {"media": result["media"], "mime": result["mime"], **result["provenance"]}
        if any(t.get("job") == take.get("job") for t in kept):
            return Changes()  # applied already (the job ended twice, around a crash)
        kept.append(take)
        cost = float(result["provenance"].get("cost") or 0.0)
        project.write(
            path,
            artifacts.make(
                {"takes": kept, "current": result["media"]},
                cost=cost,
                model=take.get("model"),
            ),
        )
        label = self.params.get("label") or shot  # "1E": Version History says it as the app does
        head = project.commit(
            f"Rendered shot {label} (take {len(kept)})", kind="generate", stage=12, cost=cost
        )
        return Changes(paths=(path,), stages=(12,), scenes=(str(scene),), commit=head.id)


# ----------------------------------------------------------- a scene's renders
ACTIVE = {JobState.QUEUED, JobState.RUNNING, JobState.DECIDE}
STOPPED = {JobState.FAILED, JobState.CANCELLED}


def in_flight(
    store: JobStore, bundle: str, scene_id: str, version: int | None = None
) -> dict[str, str]:
    """Shot id → job id of this scene's renders that must not be sent again as new jobs:
    queued, running, waiting for the user's decision, or stopped after the provider
    accepted them (Retry collects those without a new charge)."""
    out: dict[str, str] = {}
    for job in store.recent(limit=2000, states=set(JobState)):
        p = job.params
        if job.kind != VideoRender.kind or p.get("bundle") != bundle:
            continue
        if p.get("scene") != scene_id or (version is not None and p.get("version") != version):
            continue
        if job.state in ACTIVE or (job.state in STOPPED and job.handle is not None):
            out.setdefault(str(p.get("shot")), job.id)
    return out


def _params(
    project: Project,
    scene_id: str,
    line: RenderLine,
    shot: Any,
    version: int,
    vertex: dict[str, Any],
    spoken: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    end = str(project.media.path(line.end)) if line.end else None
    assert line.start is not None
    return {
        "title": f"Render shot {line.label}",
        "prompt": line.video_prompt,
        "model_id": line.model,
        "start_frame": str(project.media.path(line.start)),
        "end_frame": end,
        "start_media": line.start,
        "end_media": line.end,
        "duration": line.duration,
        "audio": line.audio,
        "seed": None,
        # (the offline engine's render speaks with the characters' offline voices)
        "spec": timing.to_spec(shot, voices=spoken).model_dump(mode="json"),
        "bundle": str(project.path),
        "branch": project.current_branch,
        "scene": scene_id,
        "shot": line.shot,
        "label": line.label,  # "1E", as the app names the shot (the id "E" is the scene's)
        "version": version,
        "stage": 12,
        "vertex": vertex,
        # One render of this shot for this confirmation, across every process of the machine.
        "claim": f"render|{Path(project.path).resolve()}|{project.current_branch}|{scene_id}"
        f"|{line.shot}|v{version}",
    }


def render_ops(
    project: Project,
    scene_id: str,
    confirmed: Confirmed,
    source: ProviderSource,
    *,
    vertex: dict[str, Any] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
    only: set[str] | None = None,
    poll_seconds: float = 10.0,
) -> list[VideoRender]:
    """One priced render per confirmed shot still to render for this version — not those
    with a take of it already, nor those in `skip` (being rendered) — in shot order.
    `only`: just these shots (a re-render the user asked for, priced again)."""
    rows = {s.id: s for s in shot_list.current(project, scene_id)}
    done = takes.rendered(project, scene_id, confirmed.version) if only is None else set()
    spoken = voices.offline_voices(project)
    ops = []
    for line in confirmed.lines:
        if line.shot in skip or line.shot in done or (only is not None and line.shot not in only):
            continue
        shot = rows.get(line.shot)
        if shot is None or line.start is None:
            raise GateClosed(
                f"Shot {line.label} is no longer in the shot list: confirm the scene again."
            )
        params = _params(project, scene_id, line, shot, confirmed.version, vertex or {}, spoken)
        params["poll_seconds"] = poll_seconds
        if only is not None:  # rendered again: the next take, with a seed of its own
            params["seed"] = len(takes.of(project, scene_id, line.shot)) + 1
            params["claim"] += f"|take{params['seed']}"
        ops.append(VideoRender.prepare(params, source))
    return ops
