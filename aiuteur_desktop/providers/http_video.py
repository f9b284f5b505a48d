"""What the video services reached over plain HTTP share (the Gemini API's Veo, fal.ai): one
client, errors in plain words with the kind that says what they mean for money — refused
(4xx, a connection that never opened), or maybe accepted (a timeout after sending, a body
cut off, a 5xx or an HTML page where JSON was due) — and a bounded download of the clip."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlparse

from aiuteur_desktop.core.app.models_catalogue import Model, current
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import Capabilities

#: A generated clip larger than this is refused rather than held in memory (an 8-second 4K
#: clip is tens of MB).
MAX_VIDEO_BYTES = 1 << 30


class HttpVideo:
    """An HTTP client for one service: `where` names it in messages; `auth` is the header
    that carries the key, sent only to `base`'s host."""

    def __init__(self, where: str, base: str, auth: dict[str, str], timeout: float) -> None:
        import httpx2 as httpx

        self.where = where
        self.base = base.rstrip("/")
        self._auth = auth
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=15.0))

    def headers(self, url: str) -> dict[str, str]:
        same = urlparse(url).netloc == urlparse(self.base).netloc
        return dict(self._auth) if same else {}

    def send(self, method: str, url: str, **kw: Any) -> Any:
        import httpx2 as httpx

        w = self.where
        try:
            return self._http.request(method, url, headers=self.headers(url), **kw)
        except httpx.ConnectError as exc:
            raise ProviderError("network", f"Could not reach {w}. Check your network.") from exc
        except httpx.ConnectTimeout as exc:
            raise ProviderError("network", f"Could not reach {w} in time.") from exc
        except httpx.TimeoutException as exc:
            raise ProviderError("timeout", f"{_cap(w)} did not answer in time.") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                "broken", f"The connection to {w} broke off before its answer was complete."
            ) from exc

    def json(self, method: str, url: str, **kw: Any) -> dict[str, Any]:
        response = self.send(method, url, **kw)
        if response.status_code >= 400:
            raise self.error(response)
        try:
            data = response.json()
        except ValueError as exc:  # an HTML page where JSON was due: a gateway's
            raise ProviderError(
                "unknown", f"{_cap(self.where)} answered with something that is not its JSON."
            ) from exc
        if not isinstance(data, dict):
            raise ProviderError(
                "unknown", f"{_cap(self.where)} answered with something unexpected."
            )
        return data

    def error(self, response: Any) -> ProviderError:
        """An HTTP error answer in plain words, its kind saying what it means for money."""
        w, code = _cap(self.where), response.status_code
        try:
            body = response.json() or {}
            found = body.get("error") or body.get("detail") or ""
            message = str(found.get("message") if isinstance(found, dict) else found)
        except (ValueError, AttributeError):
            message = ""
        message = redact(message or response.reason_phrase or "")[:300]
        if code in (401, 403) or (code == 400 and "API key" in message):
            return ProviderError("auth", f"{w} rejected the API key ({code}): {message}")
        if code == 429:
            return ProviderError(
                "rate_limited",
                f"{w} is rate-limiting this key (429): {message}",
                retry_after=retry_after(response.headers.get("retry-after")),
            )
        if code >= 500:
            return ProviderError("server", f"{w} had a server error ({code}): {message}")
        if code == 404:
            return ProviderError(
                "not_found",
                f"{w} has no such model or render ({message}). The model may be retired: pick "
                "another in Settings → Models.",
            )
        return ProviderError("bad_request", f"{w} answered with an error ({code}): {message}")

    def fetch(self, uri: str) -> tuple[bytes, str]:
        """The finished clip, whole or not at all (a cut-off one is fetched again)."""
        import httpx2 as httpx

        w = self.where
        if not uri.startswith(("https://", "http://")):
            raise ProviderError("bad_output", f"{_cap(w)} finished the render but gave no video.")
        try:
            with self._http.stream(
                "GET", uri, headers=self.headers(uri), follow_redirects=True
            ) as r:
                if r.status_code >= 400:
                    r.read()
                    raise self.error(r)
                if int(r.headers.get("content-length") or 0) > MAX_VIDEO_BYTES:
                    raise ProviderError("bad_output", f"{_cap(w)} offered an oversized video.")
                chunks, got = [], 0
                for chunk in r.iter_bytes():
                    got += len(chunk)
                    if got > MAX_VIDEO_BYTES:
                        raise ProviderError("bad_output", f"{_cap(w)} sent more than a video.")
                    chunks.append(chunk)
                mime = r.headers.get("content-type", "video/mp4").split(";")[0].strip()
        except httpx.TimeoutException as exc:
            raise ProviderError("timeout", f"The video from {w} did not arrive in time.") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                "broken", f"The video from {w} was cut off before it was complete."
            ) from exc
        return b"".join(chunks), mime or "video/mp4"


def catalogued(model_id: str, via: str, what: str = "") -> Model:
    """The catalogue's entry for a model reached through the connection `via` (fal,
    minimax); `what`: what else its entry must name."""
    m = current().get(model_id)
    if m is None or m.via != via:
        raise ProviderError(
            "not_found",
            f"{model_id} is not in the model catalogue: add it to models.toml{what} to render "
            "with it.",
        )
    return m


def capabilities_of(model_id: str, via: str) -> Capabilities:
    """What the catalogue says the model takes (nothing when it is not there)."""
    try:
        m = catalogued(model_id, via)
    except ProviderError:
        return Capabilities()
    return Capabilities(
        video=True,
        end_frame=m.end_frame,
        max_duration=m.max_seconds,
        audio=m.audio != "none",
        max_references=m.references,
    )


def require_key(api_key: str, where: str) -> None:
    if not api_key:
        raise ProviderError(
            "auth", f"Rendering through {where} needs its API key: add it in Settings → Providers."
        )


def refuse_unfit(m: Model, duration: float, end_frame: bool) -> None:
    """Before anything is sent: a shot longer than the model renders, or an end frame to a
    model that takes a start frame only."""
    if duration > m.max_seconds + 1e-6:
        raise ProviderError(
            "bad_request",
            f"{m.name} renders at most {m.max_seconds:g} seconds a shot; this one is "
            f"{duration:g}. Split it in Stage 7, or pick another model.",
        )
    if end_frame and not m.end_frame:
        raise ProviderError(
            "bad_request",
            f"{m.name} takes a start frame only: set this shot to start frame only in Stage 9, "
            "or pick a model that takes both.",
        )


def data_uri(png: bytes) -> str:
    """A frame sent inline."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _cap(text: str) -> str:
    """At a sentence's start: "The Gemini API …"; a brand keeps its case ("fal.ai …")."""
    return "The" + text[3:] if text.startswith("the ") else text


def retry_after(value: str | None) -> float | None:
    """An HTTP Retry-After in seconds (the delta form), when it is one."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
