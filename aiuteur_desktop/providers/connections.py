"""Provider connections: their names, the keyring's names for their keys, what each one
lights up and whether it is configured; the SDKs' errors in the app's words; the HTTP client
they share. Settings' live test of each is `connection_checks.py`."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.providers import http_video

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
