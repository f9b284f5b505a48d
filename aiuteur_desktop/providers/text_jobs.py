"""AI text as a job: the key comes from the OS keyring at run time, never from the job row."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core import jobs, operations
from aiuteur_desktop.core.context import estimate_tokens
from aiuteur_desktop.core.money.paid import PaidCall
from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown
from aiuteur_desktop.core.provider_api import TextProvider, TextRequest, Usage
from aiuteur_desktop.providers.connections import LOCAL, OPENAI
from aiuteur_desktop.providers.registry import Registry

TEXT_COMPLETE = "text.complete"


def text_provider(
    connection: str, base_url: str | None, limits: dict[str, Any] | None = None
) -> TextProvider:
    """The provider for a text job (from the registry); the key is read at run time, the
    limits are those the job captured."""
    return Registry().text(connection, base_url, limits if limits is not None else {})


def call_estimate(connection: str, model: str, request: TextRequest) -> float:
    """The most one text call may cost: its prompt and every token it may write. 0 on a
    local server (free) — and for a model with no price, which the caps cannot see yet."""
    if connection == LOCAL:
        return 0.0
    prompt = estimate_tokens(request.system + request.prompt)
    try:
        return PriceTable.load().text(f"{connection}:{model}", prompt, request.max_tokens)
    except PriceUnknown:
        return 0.0


def paid_call(ctx: jobs.JobContext, connection: str, request: TextRequest) -> PaidCall:
    """One text request as a paid call (`core/money/paid.py`): a cut-off or timed-out answer of a
    paid model is not asked again unasked; its estimate counts as possibly spent."""
    call: PaidCall = ctx.paid(call_estimate(connection, request.model, request))
    return call


def record_text_spend(
    ctx: jobs.JobContext,
    connection: str,
    model: str,
    usage: Usage,
    call: PaidCall | None = None,
) -> float:
    """Price a finished call and record it in the project's ledger (under the paid call's
    key, so it is recorded once); returns the price."""
    try:
        price = PriceTable.load().text(
            f"{connection}:{model}", usage.input_tokens, usage.output_tokens
        )
    except PriceUnknown:
        price = call.estimate if call is not None else 0.0
    if ctx.job.params.get("bundle"):
        key = call.submission.id if call is not None and call.submission is not None else None
        with operations.open_project(ctx.job.params["bundle"]) as project:
            operations.end_job(
                project,
                ctx.job,
                provider=connection,
                model=model,
                kind="text",
                actual=price,
                key=key,
            )
    return price


@jobs.register(TEXT_COMPLETE)
def complete_text(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: connection ("openai" | "google" | "local"), base_url, model, prompt, system,
    max_tokens; bundle/stage/scene/branch to record the spend in the project's ledger."""
    p = ctx.job.params
    connection = p.get("connection", OPENAI)
    provider = text_provider(connection, p.get("base_url"), p.get("limits"))
    request = TextRequest(
        prompt=p["prompt"],
        model=p["model"],
        system=p.get("system", ""),
        max_tokens=int(p.get("max_tokens", 2048)),
    )
    received: list[str] = []
    expected = max(1, request.max_tokens * 3)  # characters, for a rough progress bar

    def delta(text: str) -> None:
        received.append(text)
        ctx.progress(min(0.95, sum(map(len, received)) / expected))
        if ctx.cancelled():
            raise jobs.Cancelled()

    try:
        with paid_call(ctx, connection, request) as call:
            result = provider.complete(request, on_delta=delta)
    finally:
        provider.close()
    price = record_text_spend(ctx, connection, request.model, result.usage, call)
    usage = {"input_tokens": result.usage.input_tokens, "output_tokens": result.usage.output_tokens}
    provenance = operations.provenance(
        ctx.job,
        provider=connection,
        model=request.model,
        cost=price,
        max_tokens=request.max_tokens,
        temperature=request.temperature,
    )
    return {"text": result.text, "usage": usage, "provenance": provenance}, price
