"""Phase A generations that change the story (PRD §8.2–8.5) as one operation: a validated
structured answer, applied by the rule its stage names in `APPLY` — a table, so a new kind
of story generation is one row. Answers that only propose (brainstorm, expand, rewrite
previews) are not operations: nothing is written until the user picks one."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs, story
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.money import prices
from aiuteur_desktop.core.operations import Operation, Ran, on_branch, register
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project

Apply = Callable[[Project, dict[str, Any], "StoryAnswer"], Changes]
#: The place of a treatment not written yet while the others are kept.
UNFINISHED = "Aiuteur stopped before this one was written."


def _provenance(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": result.get("model"),
        "template": str(result.get("template")),
        "context": list(result.get("context") or []),
        "cost": float(result.get("cost") or 0),
    }


def _beats(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    story.save_generated_beats(
        project,
        story.BeatSheetOut.model_validate(result["value"]),
        op.message,
        from_script=bool(op.options.get("from_script")),
        **_provenance(result),
    )
    return Changes(paths=(story.BEATS,), stages=(3,), commit=project.head().id)


def _script(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    story.save_generated_script(
        project, story.ScriptOut.model_validate(result["value"]), op.message, **_provenance(result)
    )
    return Changes(paths=(story.SCRIPT,), stages=(4,), commit=project.head().id)


def _treatment(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    story.revise_treatment(
        project,
        story.TreatmentOut.model_validate(result["value"]),
        op.message,
        **_provenance(result),
    )
    return Changes(paths=(story.TREATMENT,), stages=(2,), commit=project.head().id)


def _treatments(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    """The treatments that were written, each failed one's place saying why."""
    ordered = result["results"]
    errors = result.get("errors") or [None] * len(ordered)
    variants = [
        story.TreatmentOut.model_validate(r["value"]).model_dump()
        if r is not None
        else story.failed_variant(str(error or "It was not written."))
        for r, error in zip(ordered, errors, strict=True)
    ]
    first = next(r for r in ordered if r is not None)
    story.save_treatments(
        project,
        variants,
        op.message,
        model=first.get("model"),
        template=str(first.get("template")),
        context=list(first.get("context") or []),
        cost=float(result.get("cost") or 0),
    )
    return Changes(paths=(story.TREATMENT,), stages=(2,), commit=project.head().id)


def _treatment_slot(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    """One treatment written again alone, into its place (`options["index"]`)."""
    value = story.TreatmentOut.model_validate(result["value"]).model_dump()
    story.fill_treatment(
        project, int(op.options["index"]), value, op.message, cost=float(result.get("cost") or 0)
    )
    return Changes(paths=(story.TREATMENT,), stages=(2,), commit=project.head().id)


def _condensed(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    """Mode B: the long source condensed; the setup is saved with it and locked."""
    setup = story.Setup.model_validate(op.options["setup"])
    story.save_setup(project, setup)
    story.set_condensed(project, str(result["summary"]))
    story.lock_setup(project, setup)
    return Changes(paths=(story.CONFIG,), stages=(1,), commit=project.head().id)


def _props(project: Project, result: dict[str, Any], op: StoryAnswer) -> Changes:
    value = story.PropsOut.model_validate(result["value"])
    before = {a["path"] for a in masters.all_assets(project)}
    added, updated = masters.apply_props(project, [(p.name, p.description) for p in value.props])
    after = {a["path"] for a in masters.all_assets(project)}
    result["counts"] = [added, updated]
    return Changes(paths=tuple(sorted(after - before)), stages=(5,), commit=project.head().id)


def estimate(provider: str, request: dict[str, Any]) -> float:
    """The most a story request may cost: each call's prompt (its values, plus room for the
    template and style passages) and every token it may write. PriceUnknown for a paid
    model with no price; 0 on a local server."""
    call = request.get("call", "answer")
    if call == "condense":
        tokens = len(str(request.get("text", ""))) // 4 + 1
        part = max(500, int(request.get("budget", 6000)) // 2)
        parts = tokens // part + 2  # the parts and the merges
        return prices.text_price(provider, 2 * tokens + 1500 * parts, 2000 * parts + 4000)
    asks = request.get("asks") or [request]
    return round(
        sum(
            prices.text_price(
                provider,
                len(json.dumps(a.get("values", {}))) // 4 + 1500,
                int(a.get("max_tokens") or story.answer_tokens(str(a.get("schema", "")))),
            )
            for a in asks
        ),
        6,
    )


#: How each kind of story answer lands in the project.
APPLY: dict[str, Apply] = {
    "beats": _beats,
    "script": _script,
    "treatment": _treatment,
    "props": _props,
    "treatments": _treatments,
    "treatment_slot": _treatment_slot,
    "condensed": _condensed,
}


@register
@dataclass(frozen=True)
class StoryAnswer(Operation):
    kind: ClassVar[str] = "story.answer"

    bundle: str
    branch: str
    title: str
    provider: str  # the text model id, e.g. "openai:gpt-4.1-mini"
    request: dict[str, Any]  # story.Ask.params() + the text route + home
    apply_as: str  # a key of APPLY
    message: str  # the commit message: the Why box's words, or the system's
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls,
        project: Project,
        ask: story.Ask,
        apply_as: str,
        message: str,
        *,
        route: dict[str, Any],
        provider: str,
        **options: Any,
    ) -> StoryAnswer:
        if apply_as not in APPLY:
            raise ValueError(f"no way to apply a story answer as {apply_as!r}")
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            title=ask.title,
            provider=provider,
            request={**ask.params(), **route},
            apply_as=apply_as,
            message=message,
            options=dict(options),
        )

    @classmethod
    def prepare_many(
        cls,
        project: Project,
        asks: list[story.Ask],
        apply_as: str,
        message: str,
        *,
        title: str,
        route: dict[str, Any],
        provider: str,
    ) -> StoryAnswer:
        """Several answers asked at once, applied together (none if one fails)."""
        op = cls.prepare(project, asks[0], apply_as, message, route=route, provider=provider)
        request = {**route, "call": "answers", "asks": [a.params() for a in asks]}
        return cls(**{**op.__dict__, "title": title, "request": request})

    @classmethod
    def prepare_condense(
        cls,
        project: Project,
        setup: story.Setup,
        *,
        route: dict[str, Any],
        provider: str,
    ) -> StoryAnswer:
        """Mode B: the primary input condensed in parts, then the setup locked with it."""
        primary = setup.primary()
        if primary is None:
            raise ValueError("Mode B condenses the primary input; there is none")
        request = {
            **route,
            "call": "condense",
            "text": primary.text,
            "title": primary.name,
            "context": setup.constraints(),
            "stage": 1,
        }
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            title=f"Condense {primary.name}",
            provider=provider,
            request=request,
            apply_as="condensed",
            message="Project setup",
            options={"setup": setup.model_dump(mode="json")},
        )

    def job_title(self) -> str:
        return self.title

    def to_params(self) -> dict[str, Any]:
        """The request as the text job reads it, with what applying its answer needs."""
        own = {"apply_as": self.apply_as, "message": self.message, "options": self.options}
        return {**self.request, "bundle": self.bundle, "branch": self.branch, **own}

    def submission(self) -> jobs.Submission:
        price = estimate(self.provider, self.request)
        return jobs.Submission(
            self.kind, self.title, self.provider, self.to_params(), self.bundle, price, price > 0
        )

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> StoryAnswer:
        own = {"bundle", "branch", "apply_as", "message", "options"}
        return cls(
            bundle=params["bundle"],
            branch=params.get("branch") or "",
            title=params.get("title", ""),
            provider=f"{params.get('connection', '')}:{params.get('model', '')}",
            request={k: v for k, v in params.items() if k not in own},
            apply_as=params["apply_as"],
            message=params.get("message") or "Generated",
            options=dict(params.get("options") or {}),
        )

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        if self.apply_as != "treatments":
            return Ran(*source.story_answer(ctx, ctx.job.params))
        # Each treatment is kept (in the draft) the moment it is written: one that takes
        # minutes on a laptop is not lost if the app stops before the other two are done.
        target = on_branch(project, self.branch)
        written: dict[int, dict[str, Any]] = {}
        count = len(self.request.get("asks") or [])

        def keep(index: int, result: dict[str, Any]) -> None:
            written[index] = story.TreatmentOut.model_validate(result["value"]).model_dump()
            story.save_treatments(
                target,
                [written.get(i) or story.failed_variant(UNFINISHED) for i in range(count)],
                self.message,
                model=result.get("model"),
                template=str(result.get("template")),
                context=list(result.get("context") or []),
                commit=False,
            )

        return Ran(*source.story_answer(ctx, ctx.job.params, on_each=keep))

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        return APPLY[self.apply_as](project, result, self)
