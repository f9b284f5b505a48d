"""Phase A generations as jobs: one validated structured answer per job (`story.generate`) and
Mode B's chunked condensing of a long text (`story.condense`, with progress and cancel).

The job returns the validated value; the stage that asked applies it to the project in one
step, so a failure (after the provider's one retry with the validation error) leaves the
project exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, prompts, secrets, story
from aiuteur_desktop.core.context import estimate_tokens
from aiuteur_desktop.core.providers import TextRequest
from aiuteur_desktop.core.settings import AppSettings
from aiuteur_desktop.providers.connections import GOOGLE, LOCAL, OPENAI, SECRET_NAMES
from aiuteur_desktop.providers.style_jobs import written_styles
from aiuteur_desktop.providers.text_jobs import paid_call, record_text_spend, text_provider

STORY_GENERATE = "story.generate"
STORY_CONDENSE = "story.condense"

#: Used when Settings → Models names no text model for a connection that has a key.
DEFAULT_MODELS = {OPENAI: "gpt-4.1-mini", GOOGLE: "gemini-2.5-flash"}


@dataclass(frozen=True)
class TextRoute:
    """Where AI text goes: a connection, its endpoint and model, and the context it takes."""

    connection: str
    base_url: str | None
    model: str
    budget: int

    @property
    def provider(self) -> str:
        return f"{self.connection}:{self.model}"

    def params(self) -> dict[str, Any]:
        return {"connection": self.connection, "base_url": self.base_url, "model": self.model}


def text_route(settings: AppSettings) -> TextRoute | None:
    """The text model to use now, or None when nothing is connected (AI actions then say what
    to connect). Settings → Models decides; otherwise the first usable connection."""
    endpoints = {
        OPENAI: settings.openai.api_endpoint or None,
        GOOGLE: settings.google.api_endpoint or None,
        LOCAL: settings.local.base_url or None,
    }
    usable = {
        OPENAI: secrets.has_secret(SECRET_NAMES[OPENAI]),
        GOOGLE: secrets.has_secret(SECRET_NAMES[GOOGLE]),
        LOCAL: bool(settings.local.enabled and settings.local.base_url and settings.local.model),
    }
    chosen, _, model = settings.models.text.partition(":")
    if chosen in usable and usable[chosen] and model:
        return TextRoute(chosen, endpoints[chosen], model, _budget(chosen))
    for conn in (LOCAL, OPENAI, GOOGLE):
        if usable[conn]:
            model = settings.local.model if conn == LOCAL else DEFAULT_MODELS[conn]
            return TextRoute(conn, endpoints[conn], model, _budget(conn))
    return None


def _budget(connection: str) -> int:
    """Context tokens a request may use: local models are often run with small windows."""
    return 6_000 if connection == LOCAL else 60_000


def _style_block(p: dict[str, Any]) -> tuple[str, list[str]]:
    library, query, task = ([*list(p.get("style") or []), "", "", ""])[:3]
    if not library:
        return "", []
    styles = written_styles(Path(p["home"]) if p.get("home") else None)
    try:
        found = styles.retrieve(library, query or task, k=3, task=task)
    except Exception:  # a deleted or unreadable library: write in the neutral style
        return "", []
    if not found:
        return "", []
    text = "\n\n".join(c.text for c in found)
    block = f"\n\n## Written style (match this voice; do not copy its content)\n{text}"
    return block, [f"style:{c.id}" for c in found]


def _ask(
    ctx: jobs.JobContext,
    p: dict[str, Any],
    template_id: str,
    values: dict[str, Any],
    schema: str,
    max_tokens: int,
) -> tuple[Any, float]:
    """One structured call, its spend recorded; returns the value and its price."""
    template = prompts.load(template_id)
    system, user = template.render(**values)
    connection = p.get("connection", OPENAI)
    provider = text_provider(connection, p.get("base_url"))
    request = TextRequest(prompt=user, system=system, model=p["model"], max_tokens=max_tokens)
    try:
        with paid_call(ctx, connection, request) as call:
            result = provider.structured(request, story.SCHEMAS[schema])
    finally:
        provider.close()
    if ctx.cancelled():
        raise jobs.Cancelled()
    return result.value, record_text_spend(ctx, connection, p["model"], result.usage, call)


def answer(ctx: jobs.JobContext, p: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """One validated structured answer. p: connection/base_url/model, template, values,
    schema, context_ids, style, stage, home; the spend goes to the job's project ledger."""
    values = dict(p["values"])
    style, style_ids = _style_block(p)
    if style:
        values["context"] = f"{values.get('context', '')}{style}"
    ctx.progress(0.05)
    value, price = _ask(ctx, p, p["template"], values, p["schema"], int(p.get("max_tokens", 8000)))
    return {
        "value": value.model_dump(),
        "model": p["model"],
        "template": prompts.load(p["template"]).ref,
        "context": [*p.get("context_ids", []), *style_ids],
        "cost": price,
    }, price


@jobs.register(STORY_GENERATE)
def generate(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    return answer(ctx, ctx.job.params)


def answers(ctx: jobs.JobContext, p: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Several answers asked at once (the three treatments): all in flight together; if one
    fails, the error is the job's and none is applied."""
    from concurrent.futures import ThreadPoolExecutor

    shared = {k: v for k, v in p.items() if k != "asks"}
    asks = [{**shared, **a} for a in p["asks"]]
    with ThreadPoolExecutor(max_workers=max(1, len(asks))) as pool:
        done = list(pool.map(lambda a: answer(ctx, a), asks))
    cost = sum(c for _r, c in done)
    return {"results": [r for r, _c in done], "cost": cost}, cost


def run_story(ctx: jobs.JobContext, p: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """A story operation's model call, by what it asks for."""
    call = p.get("call", "answer")
    if call == "answers":
        return answers(ctx, p)
    if call == "condense":
        return condense_text(ctx, p)
    return answer(ctx, p)


def condense_text(ctx: jobs.JobContext, p: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Mode B: summarise a long text part by part within the model's context budget, then
    merge the summaries (again in parts while they are still too long). params: text, title,
    words, budget, context, plus the route."""
    budget = int(p.get("budget", 6000))
    part_budget = max(500, budget // 2)  # room for the instructions and the answer
    title, context = p.get("title", "the source"), p.get("context", "")
    text = p["text"]
    spent = 0.0
    rounds = 0
    done_parts = 0
    while True:
        parts = story.chunks(text, part_budget)
        if len(parts) == 1 and rounds:
            break
        total = len(parts) + (1 if len(parts) > 1 else 0)
        summaries = []
        for i, part in enumerate(parts, 1):
            if ctx.cancelled():
                raise jobs.Cancelled()
            value, price = _ask(
                ctx,
                p,
                "condense.chunk",
                {
                    "context": context,
                    "part": i,
                    "parts": len(parts),
                    "title": title,
                    "text": part,
                    "words": max(80, min(600, part_budget // (2 * max(1, len(parts) // 8 + 1)))),
                },
                "SummaryOut",
                2000,
            )
            spent += price
            summaries.append(value.summary)
            done_parts += 1
            ctx.progress(min(0.9, (i / total) * (0.9 if not rounds else 1.0)))
        text = "\n\n".join(summaries)
        rounds += 1
        if estimate_tokens(text) <= part_budget or rounds >= 4:
            break
    if ctx.cancelled():
        raise jobs.Cancelled()
    value, price = _ask(
        ctx,
        p,
        "condense.merge",
        {"context": context, "title": title, "text": text, "words": int(p.get("words", 1500))},
        "SummaryOut",
        4000,
    )
    spent += price
    ctx.progress(1.0)
    return {"summary": value.summary, "parts": done_parts, "cost": spent}, spent


@jobs.register(STORY_CONDENSE)
def condense(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    return condense_text(ctx, ctx.job.params)
