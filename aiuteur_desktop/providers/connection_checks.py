"""Settings' Test connection: each provider contacted with the key as typed, in a sentence
for the user, with the model ids the account offers (as provider:model) sorted into the Models
tab's boxes. Network I/O: call it from a worker, never the UI thread."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.providers.connections import (
    ELEVENLABS,
    ELEVENLABS_API,
    FAL,
    GOOGLE,
    LOCAL,
    MINIMAX,
    OPENAI,
    SECRET_NAMES,
    VERTEX,
    VIDEOS,
    load_vertex_credentials,
    map_google_error,
    map_openai_error,
)

log = logging.getLogger(__name__)


Checked = tuple[str, list[str]]


def test_connection(conn_id: str, settings: AppSettings, api_key: str | None = None) -> str:
    """Contact the provider; return a one-line success message or raise ProviderError."""
    return check_connection(conn_id, settings, api_key)[0]


def check_connection(conn_id: str, settings: AppSettings, api_key: str | None = None) -> Checked:
    """Like `test_connection`, plus the model ids the account offers (as provider:model)."""
    tests: dict[str, Callable[[AppSettings, str | None], Checked]] = {
        OPENAI: _test_openai,
        LOCAL: _test_local,
        GOOGLE: _test_google,
        VERTEX: _test_vertex,
        FAL: _test_fal,
        MINIMAX: _test_minimax,
        VIDEOS: _test_videos,
        ELEVENLABS: _test_elevenlabs,
    }
    try:
        return tests[conn_id](settings, api_key)
    except ProviderError as exc:
        log.info("connection test %s failed: %s", conn_id, redact(exc.user_message))
        raise


def _list_openai_models(base_url: str | None, api_key: str, where: str) -> list[str]:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url or None, max_retries=0, timeout=15.0)
    try:
        return sorted(m.id for m in client.models.list())
    except openai.OpenAIError as exc:
        raise map_openai_error(exc, where) from exc
    finally:
        client.close()


def _prefixed(provider: str, models: list[str]) -> list[str]:
    return [f"{provider}:{m}" for m in models]


def _test_openai(settings: AppSettings, api_key: str | None) -> Checked:
    key = api_key or secrets.get_secret(SECRET_NAMES[OPENAI])
    if not key:
        raise ProviderError("auth", "Enter an OpenAI API key first.")
    models = _list_openai_models(settings.openai.api_endpoint, key, "OpenAI")
    message = f"Connected to OpenAI: {len(models)} models available to this key."
    return message, _prefixed(OPENAI, models)


def _test_local(settings: AppSettings, api_key: str | None) -> Checked:
    local = settings.local
    if not local.base_url:
        raise ProviderError(
            "bad_request", "Enter the server address, e.g. http://localhost:11434/v1."
        )
    key = api_key or secrets.get_secret(SECRET_NAMES[LOCAL]) or "not-needed"
    models = _list_openai_models(local.base_url, key, f"the server at {local.base_url}")
    if not models:
        return f"Connected to {local.base_url}, but it has no models loaded.", []
    if local.model and local.model not in models:
        shown = ", ".join(models[:5]) + ("…" if len(models) > 5 else "")
        raise ProviderError(
            "not_found",
            f"Connected to {local.base_url}, but it has no model “{local.model}”. "
            f"It offers: {shown}.",
        )
    chosen = f"; using {local.model}" if local.model else f"; pick one of {len(models)} models"
    return f"Connected to {local.base_url}{chosen}{_window_note(local, key)}.", _prefixed(
        LOCAL, models
    )


def _window_note(local: Any, key: str) -> str:
    """What the test found of the model's context window (remembered for the requests)."""
    if not local.model:
        return ""
    if local.context_window:
        return f"; context window {local.context_window:,} tokens (set in Settings)"
    from aiuteur_desktop.providers import local_server

    told = local_server.context_window(local.base_url, local.model, key)
    if told:
        return f"; context window {told:,} tokens (as the server says)"
    return (
        f"; the server does not say its context window: {local_server.ASSUMED_WINDOW:,} "
        "tokens assumed (set it in Settings if yours is larger)"
    )


def _test_google(settings: AppSettings, api_key: str | None) -> Checked:
    from google import genai
    from google.genai import types

    key = api_key or secrets.get_secret(SECRET_NAMES[GOOGLE])
    if not key:
        raise ProviderError("auth", "Enter a Gemini API key first.")
    options = types.HttpOptions(timeout=15_000, base_url=settings.google.api_endpoint or None)
    try:
        client = genai.Client(api_key=key, http_options=options)
        names = [
            (m.name or "").removeprefix("models/")
            for m in client.models.list(config={"page_size": 50})
        ]
    except Exception as exc:
        raise map_google_error(exc, "The Gemini API") from exc
    message = f"Connected to the Gemini API: {len(names)} models available to this key."
    return message, _prefixed(GOOGLE, sorted(n for n in names if n))


def _test_vertex(settings: AppSettings, _api_key: str | None) -> Checked:
    g = settings.google
    if not (g.vertex_project and g.vertex_location):
        raise ProviderError("bad_request", "Enter the Vertex AI project id and location.")
    path = Path(g.vertex_credentials_file).expanduser()
    if not g.vertex_credentials_file or not path.is_file():
        raise ProviderError(
            "auth", "Choose the service-account credentials file (JSON) for your Vertex project."
        )
    from google import genai

    creds = load_vertex_credentials(str(path))
    try:
        client = genai.Client(
            vertexai=True,
            project=g.vertex_project,
            location=g.vertex_location,
            credentials=creds,
            http_options=genai.types.HttpOptions(timeout=15_000),
        )
        count = sum(1 for _ in client.models.list(config={"page_size": 20}))
    except Exception as exc:
        raise map_google_error(exc, "Vertex AI") from exc
    return f"Connected to Vertex AI project {g.vertex_project}: {count} models visible.", []


def _test_fal(settings: AppSettings, api_key: str | None) -> Checked:
    """fal.ai has no free call that lists models for a key: ask for the status of a request
    that does not exist — refused (401/403) for a bad key, "not found" for a good one."""
    from aiuteur_desktop.core.app.models_catalogue import current
    from aiuteur_desktop.providers.http_video import HttpVideo

    key = api_key or secrets.get_secret(SECRET_NAMES[FAL])
    if not key:
        raise ProviderError("auth", "Enter a fal.ai API key first.")
    base = settings.fal.api_endpoint or "https://queue.fal.run"
    http = HttpVideo("fal.ai", base, {"Authorization": f"Key {key}"}, 15.0)
    url = f"{http.base}/fal-ai/kling-video/v4/image-to-video/requests/aiuteur-test/status"
    response = http.send("GET", url)
    if response.status_code in (401, 403):
        raise http.error(response)
    if response.status_code >= 500:
        raise http.error(response)
    models = [m.id for m in current().models if m.via == "fal"]
    return f"fal.ai accepted the key: {_video_models(len(models))} set up for it.", models


def _video_models(n: int) -> str:
    return f"{n} video model is" if n == 1 else f"{n} video models are"


def _test_elevenlabs(settings: AppSettings, api_key: str | None) -> Checked:
    """ElevenLabs lists the account's voices for a good key (nothing is charged)."""
    from aiuteur_desktop.providers.http_video import HttpVideo

    key = api_key or secrets.get_secret(SECRET_NAMES[ELEVENLABS])
    if not key:
        raise ProviderError("auth", "Enter an ElevenLabs API key first.")
    base = settings.elevenlabs.api_endpoint or ELEVENLABS_API
    http = HttpVideo("ElevenLabs", base, {"xi-api-key": key}, 15.0)
    found = http.json("GET", f"{http.base}/v1/voices").get("voices")
    n = len(found) if isinstance(found, list) else 0
    return f"ElevenLabs accepted the key: {n} voice{'s' * (n != 1)} in the account.", []


def _test_minimax(settings: AppSettings, api_key: str | None) -> Checked:
    """MiniMax asked how a render that does not exist is going: its own answer refuses a
    bad key (1004, 2049) and says anything else for a good one; nothing is charged."""
    from aiuteur_desktop.core.app.models_catalogue import current
    from aiuteur_desktop.providers.http_video import HttpVideo
    from aiuteur_desktop.providers.minimax_video import API, AUTH, refusal

    key = api_key or secrets.get_secret(SECRET_NAMES[MINIMAX])
    if not key:
        raise ProviderError("auth", "Enter a MiniMax API key first.")
    http = HttpVideo(
        "MiniMax", settings.minimax.api_endpoint or API, {"Authorization": f"Bearer {key}"}, 15.0
    )
    data = http.json("GET", f"{http.base}/v1/query/video_generation", params={"task_id": "0"})
    base = data.get("base_resp") or {}
    if isinstance(base, dict) and int(base.get("status_code") or 0) in AUTH:
        raise refusal(base, "check the key")
    models = [m.id for m in current().models if m.via == "minimax"]
    return f"MiniMax accepted the key: {_video_models(len(models))} set up for it.", models


def _test_videos(settings: AppSettings, api_key: str | None) -> Checked:
    """The gateway asked for an unknown video's status: "not found" means it is there."""
    import openai

    v = settings.videos
    if not v.base_url:
        raise ProviderError("auth", "Enter the video endpoint's address first.")
    key = api_key or secrets.get_secret(SECRET_NAMES[VIDEOS]) or "none"
    client = openai.OpenAI(base_url=v.base_url, api_key=key, timeout=15.0, max_retries=0)
    try:
        with warnings.catch_warnings():  # the SDK marks its videos API deprecated (Sora)
            warnings.simplefilter("ignore", DeprecationWarning)
            client.videos.retrieve("video_aiuteur_test")
    except openai.NotFoundError:
        pass  # the endpoint is there; that video is not
    except Exception as exc:
        raise map_openai_error(exc, "the video endpoint") from exc
    if not v.model:
        return "The video endpoint answered; now name its model.", []
    return f"The video endpoint answered: {v.model} is ready.", [f"{VIDEOS}:{v.model}"]


#: Model ids we do not offer for any capability (speech, moderation, retired APIs).
_SKIP = ("tts", "whisper", "audio", "moderation", "dall-e", "sora", "realtime", "transcribe")


def models_by_capability(models: list[str]) -> dict[str, list[str]]:
    """Sort `provider:model` ids into the Models tab's boxes by what their names say."""
    from aiuteur_desktop.core.app.models_catalogue import current
    from aiuteur_desktop.core.errors import GateClosed

    try:
        retired = set(current().retired)
        kinds = {m.id: m.kind for m in current().models}  # the catalogue knows its own
    except GateClosed:
        retired, kinds = set(), {}
    out: dict[str, list[str]] = {"text": [], "image": [], "video": [], "embeddings": []}
    for model in models:
        if model in retired:
            continue  # shut down: never offered (old projects' provenance still names it)
        name = model.split(":", 1)[-1].lower()
        if any(word in name for word in _SKIP):
            continue
        if kinds.get(model) in out:
            out[kinds[model]].append(model)
        elif model.startswith((f"{VIDEOS}:", f"{FAL}:")) or "veo" in name or "video" in name:
            out["video"].append(model)
        elif "image" in name or "imagen" in name:
            out["image"].append(model)
        elif "embed" in name:
            out["embeddings"].append(model)
        else:
            out["text"].append(model)
    return out
