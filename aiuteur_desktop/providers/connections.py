"""Provider connections: what each one lights up, whether it is configured, and a live test.

`test_connection` performs network I/O: call it from a job, never the UI thread.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.providers import http_video

log = logging.getLogger(__name__)

OPENAI = "openai"
GOOGLE = "google"
VERTEX = "vertex"
LOCAL = "local"
FAL = "fal"
MINIMAX = "minimax"
VIDEOS = "openai-videos"
ELEVENLABS = "elevenlabs"
ELEVENLABS_API = "https://api.elevenlabs.io"

SECRET_NAMES = {
    OPENAI: "openai.api_key",
    GOOGLE: "google.api_key",
    LOCAL: "local.api_key",
    FAL: "fal.api_key",
    MINIMAX: "minimax.api_key",
    VIDEOS: "videos.api_key",
    ELEVENLABS: "elevenlabs.api_key",
}
#: Who a connection is, in a sentence ("Add your OpenAI API key…").
WHO = {OPENAI: "OpenAI", GOOGLE: "Google Gemini", LOCAL: "the local model server"}


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    label: str
    lights_up: str
    configured: bool
    detail: str


_tls_lock = threading.Lock()
_tls: Any = None


def tls_context() -> Any:
    """One TLS context for every SDK client, made as the SDK would make it: building one
    loads the CA bundle (~30 ms holding the GIL), which jobs starting together would
    otherwise each do while the UI thread waits for the interpreter."""
    global _tls
    with _tls_lock:
        if _tls is None:
            import httpx2

            _tls = httpx2.create_ssl_context()
        return _tls


def openai_http_client() -> Any:
    """The HTTP client an `openai.OpenAI` gets: the SDK's default, with the shared TLS."""
    import openai

    return openai.DefaultHttpxClient(verify=tls_context())


def _cap(where: str) -> str:
    """“the server at …” at the start of a sentence."""
    return where[:1].upper() + where[1:]


def ready_models(settings: AppSettings, kind: str) -> list[str]:
    """The catalogue's models of `kind` ("video", "image") whose connection is set up here."""
    from aiuteur_desktop.core.app.models_catalogue import current
    from aiuteur_desktop.core.errors import GateClosed

    try:
        return [m.id for m in current().of_kind(kind) if via_ready(settings, m.via)]
    except GateClosed:
        return []  # a broken user models.toml: `aiuteur models` says why


def via_ready(settings: AppSettings, via: str) -> bool:
    """Whether a model catalogue connection (`models.toml`'s `via`) is set up here."""
    g = settings.google
    return {
        "offline": True,
        "gemini-api": secrets.has_secret(SECRET_NAMES[GOOGLE]),
        "vertex": bool(g.vertex_project and g.vertex_location and g.vertex_credentials_file),
        "openai": secrets.has_secret(SECRET_NAMES[OPENAI]),
        "local": bool(settings.local.enabled and settings.local.base_url),
        "fal": secrets.has_secret(SECRET_NAMES[FAL]),
        "minimax": secrets.has_secret(SECRET_NAMES[MINIMAX]),
        "openai-videos": bool(settings.videos.base_url and settings.videos.model),
    }.get(via, False)


def describe(settings: AppSettings) -> list[ConnectionInfo]:
    """Every connection with its configuration state, for Settings and `aiuteur doctor`."""
    has_openai = secrets.has_secret(SECRET_NAMES[OPENAI])
    has_google = secrets.has_secret(SECRET_NAMES[GOOGLE])
    g = settings.google
    vertex_ok = bool(g.vertex_project and g.vertex_location and g.vertex_credentials_file)
    local = settings.local
    return [
        ConnectionInfo(
            OPENAI,
            "OpenAI",
            "story text, gpt-image images, embeddings",
            has_openai,
            "API key stored in the OS keyring" if has_openai else "no API key",
        ),
        ConnectionInfo(
            GOOGLE,
            "Google Gemini API",
            "Gemini story text, Nano Banana images, Veo video (with sound), embeddings",
            has_google,
            "API key stored in the OS keyring" if has_google else "no API key",
        ),
        ConnectionInfo(
            VERTEX,
            "Google Vertex AI",
            "Veo video rendering",
            vertex_ok,
            f"project {g.vertex_project}, {g.vertex_location}"
            if vertex_ok
            else "needs project, location and a service-account credentials file",
        ),
        ConnectionInfo(
            FAL,
            "fal.ai",
            "Kling, Seedance, MiniMax and Luma video with one key",
            secrets.has_secret(SECRET_NAMES[FAL]),
            "API key stored in the OS keyring"
            if secrets.has_secret(SECRET_NAMES[FAL])
            else "no API key",
        ),
        ConnectionInfo(
            MINIMAX,
            "MiniMax",
            "Hailuo video (start and end frames) with MiniMax's own key",
            secrets.has_secret(SECRET_NAMES[MINIMAX]),
            "API key stored in the OS keyring"
            if secrets.has_secret(SECRET_NAMES[MINIMAX])
            else "no API key",
        ),
        ConnectionInfo(
            ELEVENLABS,
            "ElevenLabs",
            "cloud voices for characters' dialogue (Stage 5's Voice Gallery)",
            secrets.has_secret(SECRET_NAMES[ELEVENLABS]),
            "API key stored in the OS keyring"
            if secrets.has_secret(SECRET_NAMES[ELEVENLABS])
            else "no API key",
        ),
        ConnectionInfo(
            VIDEOS,
            "Video endpoint",
            "video from any OpenAI-style /v1/videos gateway (start frames)",
            bool(settings.videos.base_url and settings.videos.model),
            f"{settings.videos.base_url} · {settings.videos.model}"
            if settings.videos.base_url
            else "off",
        ),
        ConnectionInfo(
            LOCAL,
            "Local model server",
            "story text from Ollama, LM Studio, llama.cpp or vLLM",
            bool(local.enabled and local.base_url and local.model),
            f"{local.base_url} · {local.model}" if local.enabled else "off",
        ),
    ]


NO_TEXT_MODEL = (
    "AI writing needs a language model: add an OpenAI or Gemini API key, or connect a local "
    "server (Ollama, LM Studio), in Settings → Providers. Everything else works offline."
)


def text_ready(settings: AppSettings) -> tuple[bool, str]:
    """Whether AI text actions can run, and if not, the one line that says what to connect."""
    usable = {c.id for c in describe(settings) if c.configured}
    return (
        bool(usable & {OPENAI, GOOGLE, LOCAL}),
        "" if usable & {OPENAI, GOOGLE, LOCAL} else NO_TEXT_MODEL,
    )


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


# --------------------------------------------------------------------------- OpenAI
def map_openai_error(exc: Exception, where: str) -> ProviderError:
    import openai

    if isinstance(exc, openai.APIConnectionError) and _never_connected(exc):
        return ProviderError(
            "network", f"Could not reach {where}. Check the address and your network connection."
        )
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", f"{_cap(where)} did not answer in time. Try again later.")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(
            "broken", f"The connection to {where} broke off before its answer was complete."
        )
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError(
            "auth", f"{_cap(where)} rejected the API key (401). Paste a valid key and test again."
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return ProviderError(
            "auth", f"{_cap(where)} says this key may not use the API (403). Check the account."
        )
    if isinstance(exc, openai.RateLimitError):
        return ProviderError(
            "rate_limited",
            f"{_cap(where)} is rate-limiting this key or the account is out of quota (429).",
            retry_after=http_video.retry_after(exc.response.headers.get("retry-after")),
        )
    if isinstance(exc, openai.NotFoundError):
        return ProviderError(
            "not_found",
            f"{_cap(where)} has no OpenAI-compatible API at that address (404). "
            "Local servers usually end in /v1.",
        )
    if isinstance(exc, openai.APIStatusError):
        message = _status_message(exc)
        kind = "server" if exc.status_code >= 500 else "bad_request"
        return ProviderError(
            kind, f"{_cap(where)} answered with an error ({exc.status_code}): {message}"
        )
    return ProviderError("unknown", f"{_cap(where)}: {redact(str(exc))}")


def _never_connected(exc: BaseException) -> bool:
    """The transport failed to open the connection (so nothing was sent): httpx's
    ConnectError / ConnectTimeout, or an OS error from connect, behind the SDK's wrapper."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 8:
        names = {c.__name__ for c in type(cause).__mro__}
        if names & {"ConnectError", "ConnectTimeout", "ConnectionRefusedError"}:
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def _status_message(exc: object) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return redact(str(inner["message"]))
    return _readable(str(getattr(exc, "message", exc)))


def _readable(message: str) -> str:
    """An error's words for a person: a web page (a gateway's or proxy's, in front of the
    service) is named as such, not printed; anything long is cut."""
    text = " ".join(message.split())
    if re.search(r"<\s*(?:!doctype|html|head|body|title)\b", text, re.IGNORECASE):
        title = re.search(r"<title>([^<]{1,80})</title>", text, re.IGNORECASE)
        said = f" (“{title.group(1).strip()}”)" if title else ""
        return f"a web page{said} from a gateway or proxy in front of the service"
    return redact(text if len(text) <= 300 else text[:299] + "…")


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


# --------------------------------------------------------------------------- Google
def map_google_error(exc: Exception, where: str) -> ProviderError:
    from google.genai import errors as genai_errors

    if isinstance(exc, genai_errors.APIError):
        code = exc.code or 0
        message = _readable(exc.message or str(exc))
        if code in (401, 403) or (code == 400 and "API key" in message):
            return ProviderError(
                "auth", f"{_cap(where)} rejected the credentials ({code}): {message}"
            )
        if code == 429:
            return ProviderError(
                "rate_limited", f"{_cap(where)} is rate-limiting this key (429): {message}"
            )
        if code >= 500:
            return ProviderError("server", f"{_cap(where)} had a server error ({code}): {message}")
        if code == 404:
            return ProviderError(
                "not_found",
                f"{_cap(where)} has no such model ({message}). It may be retired: pick another in "
                "Settings → Models.",
            )
        return ProviderError(
            "bad_request", f"{_cap(where)} answered with an error ({code}): {message}"
        )
    # The SDK's HTTP transport (httpx or httpx2) is matched by class names, not imported.
    names = {c.__name__ for c in type(exc).__mro__}
    if _never_connected(exc) or isinstance(exc, ConnectionRefusedError):
        return ProviderError("network", f"Could not reach {where}. Check your network connection.")
    if any("Timeout" in n for n in names):
        return ProviderError("timeout", f"{_cap(where)} did not answer in time. Try again later.")
    if isinstance(exc, OSError) or names & {"TransportError", "RequestError", "NetworkError"}:
        return ProviderError(
            "broken",
            f"The connection to {where} broke off before its answer was complete.",
        )
    return ProviderError("unknown", f"{_cap(where)}: {redact(str(exc))}")


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


VERTEX_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def load_vertex_credentials(path: str) -> Any:
    """Service-account or authorized-user credentials from a JSON file (kept only there)."""
    file = Path(path).expanduser()
    try:
        info = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProviderError(
            "auth", f"{file.name} is not a readable JSON credentials file."
        ) from exc
    try:
        if info.get("type") == "service_account":
            from google.oauth2 import service_account

            return service_account.Credentials.from_service_account_info(info, scopes=VERTEX_SCOPES)
        if info.get("type") == "authorized_user":
            from google.oauth2.credentials import Credentials

            return Credentials.from_authorized_user_info(info, scopes=VERTEX_SCOPES)
    except (ValueError, KeyError) as exc:
        raise ProviderError(
            "auth", f"{file.name} is not a usable credentials file: {redact(str(exc))}"
        ) from exc
    raise ProviderError(
        "auth",
        f"{file.name} is not a usable credentials file: expected a service-account key "
        "(“type”: “service_account”) or authorized-user credentials.",
    )


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


def connection_limits(settings: AppSettings, connection: str) -> dict[str, Any]:
    """The timeouts and window Settings gives a text connection, as a job carries them."""
    if connection == LOCAL:
        return {
            "idle_timeout": settings.local.idle_timeout_s,
            "context_window": settings.local.context_window,
        }
    if connection == OPENAI:
        return {"timeout": settings.openai.timeout_s}
    return {}
