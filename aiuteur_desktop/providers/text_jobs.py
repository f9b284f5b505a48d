"""AI text as a job: the key comes from the OS keyring at run time, never from the job row."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, ledger, secrets
from aiuteur_desktop.core.cost import PriceTable, PriceUnknown
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.providers import TextRequest, Usage
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.connections import GOOGLE, LOCAL, OPENAI, SECRET_NAMES
from aiuteur_desktop.providers.gemini_text import GeminiText
from aiuteur_desktop.providers.openai_text import OpenAIText

TEXT_COMPLETE = "text.complete"


def text_provider(connection: str, base_url: str | None) -> OpenAIText | GeminiText:
    """The provider for a text job; the key is read from the keyring here, at run time."""
    if connection not in (OPENAI, GOOGLE, LOCAL):
        raise ProviderError("bad_request", f"Text through “{connection}” is not available.")
    key = secrets.get_secret(SECRET_NAMES[connection]) or ""
    if connection == OPENAI and not key:
        raise ProviderError("auth", "Add your OpenAI API key in Settings → Providers first.")
    if connection == GOOGLE:
        return GeminiText(key, base_url)
    return OpenAIText(key, base_url, local=connection == LOCAL)


def record_text_spend(ctx: jobs.JobContext, connection: str, model: str, usage: Usage) -> float:
    """Price a finished call and record it in the project's ledger; returns the price."""
    p = ctx.job.params
    try:
        price = PriceTable.load().text(
            f"{connection}:{model}", usage.input_tokens, usage.output_tokens
        )
    except PriceUnknown:
        price = 0.0
    if p.get("bundle"):
        with Project.open(Path(p["bundle"])) as project:
            ledger.record(
                project,
                ledger.Spend(
                    time.time(),
                    ctx.job.id,
                    connection,
                    model,
                    "text",
                    p.get("stage"),
                    p.get("scene"),
                    p.get("branch"),
                    ctx.job.estimate,
                    price,
                ),
            )
    return price


@jobs.register(TEXT_COMPLETE)
def complete_text(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    """params: connection ("openai" | "google" | "local"), base_url, model, prompt, system,
    max_tokens; bundle/stage/scene/branch to record the spend in the project's ledger."""
    p = ctx.job.params
    connection = p.get("connection", OPENAI)
    provider = text_provider(connection, p.get("base_url"))
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
        result = provider.complete(request, on_delta=delta)
    finally:
        provider.close()
    price = record_text_spend(ctx, connection, request.model, result.usage)
    usage = {"input_tokens": result.usage.input_tokens, "output_tokens": result.usage.output_tokens}
    provenance = {
        "provider": connection,
        "model": request.model,
        "parameters": {"max_tokens": request.max_tokens, "temperature": request.temperature},
        # Template id/version and retrieved context ids, as the stage that asked recorded them.
        "template": p.get("template"),
        "context_ids": p.get("context_ids", []),
        "seed": None,
        "cost": price,
        "job": ctx.job.id,
    }
    return {"text": result.text, "usage": usage, "provenance": provenance}, price
