"""Phase A generations as jobs: one validated structured answer per job (`story.generate`) and
Mode B's chunked condensing of a long text (`story.condense`, with progress and cancel).

The job returns the validated value; the stage that asked applies it to the project in one
step, so a failure (after the provider's one retry with the validation error) leaves the
project exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import jobs, story
from aiuteur_desktop.core.app import prompt_templates, secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.context import estimate_tokens
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.provider_api import TextRequest
from aiuteur_desktop.providers import local_server
from aiuteur_desktop.providers.connections import (
    GOOGLE,
    LOCAL,
    OPENAI,
    SECRET_NAMES,
    connection_limits,
)
from aiuteur_desktop.providers.style_jobs import written_styles
from aiuteur_desktop.providers.text_jobs import paid_call, record_text_spend, text_provider

STORY_GENERATE = "story.generate"
STORY_CONDENSE = "story.condense"

#: Hears each answer of several as it is written: (its index, its result).
Each = Callable[[int, dict[str, Any]], None]
#: Used when Settings → Models names no text model for a connection that has a key.
DEFAULT_MODELS = {OPENAI: "gpt-4.1-mini", GOOGLE: "gemini-2.5-flash"}


@dataclass(frozen=True)
class TextRoute:
    """Where AI text goes: a connection, its endpoint and model, the context it takes and
    the connection's timeouts and window (captured into each job)."""

    connection: str
    base_url: str | None
    model: str
    budget: int
    limits: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def provider(self) -> str:
        return f"{self.connection}:{self.model}"

    def params(self) -> dict[str, Any]:
        out = {"connection": self.connection, "base_url": self.base_url, "model": self.model}
        return {**out, "limits": dict(self.limits)} if self.limits else out


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
    if not (chosen in usable and usable[chosen] and model):
        chosen = next((c for c in (LOCAL, OPENAI, GOOGLE) if usable[c]), "")
        if not chosen:
            return None
        model = settings.local.model if chosen == LOCAL else DEFAULT_MODELS[chosen]
    return TextRoute(
        chosen,
        endpoints[chosen],
        model,
        _budget(settings, chosen, endpoints[chosen], model),
        connection_limits(settings, chosen),
    )


def _budget(settings: AppSettings, connection: str, base_url: str | None, model: str) -> int:
    """Context tokens a request may use: what a local model's window leaves beside a long
    answer (the window from Settings, or as the server told it — remembered, never asked
    here on the UI thread — or 4,096)."""
    if connection != LOCAL:
        return 60_000
    window = (
        settings.local.context_window
        or local_server.remembered_window(base_url, model)
        or local_server.ASSUMED_WINDOW
    )
    return max(1000, window - 2048)


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
    """One structured call, its spend recorded; returns the value and its price. The
    answer's text as it streams in moves the job's progress (and is where Cancel lands)."""
    template = prompt_templates.load(template_id)
    connection = p.get("connection", OPENAI)
    provider = text_provider(connection, p.get("base_url"), p.get("limits"))
    try:
        system, user = _fitted(provider, template, values, p["model"], max_tokens)
        request = TextRequest(prompt=user, system=system, model=p["model"], max_tokens=max_tokens)
        received = [0]
        expected = max(1, max_tokens * 2)  # characters, for a rough progress bar

        def delta(text: str) -> None:
            received[0] += len(text)
            ctx.progress(min(0.95, 0.05 + received[0] / expected))
            if ctx.cancelled():
                raise jobs.Cancelled()

        with paid_call(ctx, connection, request) as call:
            result = provider.structured(request, story.SCHEMAS[schema], on_delta=delta)
    finally:
        provider.close()
    if ctx.cancelled():
        raise jobs.Cancelled()
    return result.value, record_text_spend(ctx, connection, p["model"], result.usage, call)


def _fitted(
    provider: Any, template: Any, values: dict[str, Any], model: str, max_tokens: int
) -> tuple[str, str]:
    """The prompt, with the project context shortened — its last (least important)
    sections first — where a local model's window cannot hold it beside the answer."""
    system, user = template.render(**values)
    window_of = getattr(provider, "window", None)
    if window_of is None or not getattr(provider, "local", False):
        return system, user
    window, _known = window_of(model)
    over = estimate_tokens(system + user) + min(max_tokens, window // 2) + 64 - window
    context = str(values.get("context") or "")
    if over <= 0 or not context:
        return system, user
    shorter = story.shorten_context(context, max(0, estimate_tokens(context) - over))
    return template.render(**{**values, "context": shorter})  # type: ignore[no-any-return]


def answer(ctx: jobs.JobContext, p: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """One validated structured answer. p: connection/base_url/model, template, values,
    schema, context_ids, style, stage, home; the spend goes to the job's project ledger."""
    values = dict(p["values"])
    style, style_ids = _style_block(p)
    if style:
        values["context"] = f"{values.get('context', '')}{style}"
    ctx.progress(0.05)
    room = int(p.get("max_tokens") or story.answer_tokens(p["schema"]))
    value, price = _ask(ctx, p, p["template"], values, p["schema"], room)
    return {
        "value": value.model_dump(),
        "model": p["model"],
        "template": prompt_templates.load(p["template"]).ref,
        "context": [*p.get("context_ids", []), *style_ids],
        "cost": price,
    }, price


@jobs.register(STORY_GENERATE)
def generate(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
    return answer(ctx, ctx.job.params)


def answers(
    ctx: jobs.JobContext, p: dict[str, Any], on_each: Each | None = None
) -> tuple[dict[str, Any], float]:
    """Several answers asked at once (the three treatments) — one after another on a local
    server, which works on one at a time. Each that succeeds is kept: `on_each(index,
    result)` hears it on this thread as soon as it is written, and a failed one is reported
    in `errors` beside the others' results (None in its place) for the stage to retry
    alone. When none succeeds, the first error is the job's."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    shared = {k: v for k, v in p.items() if k != "asks"}
    asks = [{**shared, **a} for a in p["asks"]]
    one_at_a_time = p.get("connection") == LOCAL
    progress = [0.0] * len(asks)

    def one(index: int) -> tuple[dict[str, Any] | None, float, BaseException | None]:
        part = _Part(ctx, progress, index)
        try:
            result, price = answer(part, asks[index])  # type: ignore[arg-type]
        except jobs.Cancelled:
            raise
        except AiuteurError as exc:
            return None, 0.0, exc
        return result, price, None

    finished: dict[int, tuple[dict[str, Any] | None, float, BaseException | None]] = {}

    def keep(index: int, outcome: tuple[dict[str, Any] | None, float, Any]) -> None:
        finished[index] = outcome
        if on_each is not None and outcome[0] is not None:
            on_each(index, outcome[0])

    if one_at_a_time:
        for i in range(len(asks)):
            keep(i, one(i))
    else:
        with ThreadPoolExecutor(max_workers=max(1, len(asks))) as pool:
            running = {pool.submit(one, i): i for i in range(len(asks))}
            for future in as_completed(running):
                keep(running[future], future.result())
    done = [finished[i] for i in range(len(asks))]
    errors = [e for _r, _c, e in done if e is not None]
    if len(errors) == len(done):
        raise errors[0]
    cost = sum(c for _r, c, _e in done)
    return {
        "results": [r for r, _c, _e in done],
        "errors": [_said(e) if e is not None else None for _r, _c, e in done],
        "cost": cost,
    }, cost


def _said(exc: BaseException) -> str:
    return exc.user_message if isinstance(exc, AiuteurError) else str(exc)


class _Part:
    """One answer's view of the job: its progress is its share of the whole."""

    def __init__(self, ctx: jobs.JobContext, shares: list[float], index: int) -> None:
        self._ctx, self._shares, self._index = ctx, shares, index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def progress(self, value: float) -> None:
        self._shares[self._index] = value
        self._ctx.progress(sum(self._shares) / len(self._shares))


def run_story(
    ctx: jobs.JobContext, p: dict[str, Any], on_each: Each | None = None
) -> tuple[dict[str, Any], float]:
    """A story operation's model call, by what it asks for (`on_each`: see `answers`)."""
    call = p.get("call", "answer")
    if call == "answers":
        return answers(ctx, p, on_each)
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
