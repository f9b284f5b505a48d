"""What a local model server tells about itself, and what this app remembers of it per
connection: its context window, the structured-output forms it refused, and whether it may
still be working on a request we stopped waiting for.

A local server (Ollama, LM Studio, llama.cpp) keeps generating an answer after the client
has gone, and most serve one request at a time: a request sent while it is still busy waits
behind the abandoned one. So after a timeout nothing is resent until a tiny probe says the
server is free again (`idle`).

Network I/O: call from a job or a worker, never the UI thread.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

#: Ollama's context window when the model's parameters set none (newer Ollama releases).
OLLAMA_DEFAULT_WINDOW = 4096
#: Assumed when the server says nothing and Settings sets nothing: what Ollama and
#: llama-cpp-python give a model by default.
ASSUMED_WINDOW = 4096

_lock = threading.Lock()
_abandoned: dict[str, float] = {}  # base URL → when a request was abandoned (monotonic)
_refused: dict[tuple[str, str], set[str]] = {}  # (base URL, model) → refused forms
_windows: dict[tuple[str, str], int] = {}  # (base URL, model) → context window


def _key(base_url: str | None) -> str:
    return (base_url or "").rstrip("/")


def root(base_url: str | None) -> str:
    """The server's address without its OpenAI-compatible `/v1` path."""
    return re.sub(r"/v1$", "", _key(base_url))


# ------------------------------------------------------------------ busy servers
def abandoned(base_url: str | None) -> None:
    """A request to this server timed out: it may still be generating the answer."""
    with _lock:
        _abandoned[_key(base_url)] = time.monotonic()


def maybe_busy(base_url: str | None) -> bool:
    with _lock:
        return _key(base_url) in _abandoned


def free(base_url: str | None) -> None:
    with _lock:
        _abandoned.pop(_key(base_url), None)


# ------------------------------------------------------------- refused formats
def refused(base_url: str | None, model: str) -> set[str]:
    with _lock:
        return set(_refused.get((_key(base_url), model), set()))


def refuse(base_url: str | None, model: str, form: str) -> None:
    """The server answered this structured-output form with an error: not asked again."""
    with _lock:
        _refused.setdefault((_key(base_url), model), set()).add(form)


# ------------------------------------------------------------------ the window
def remembered_window(base_url: str | None, model: str) -> int | None:
    with _lock:
        return _windows.get((_key(base_url), model)) or None


def context_window(
    base_url: str | None, model: str, api_key: str = "", *, timeout: float = 5.0
) -> int | None:
    """The model's context window as the server tells it — llama.cpp's `/props`, Ollama's
    `/api/show`, LM Studio's `/api/v0/models`, or a `/v1/models` entry's metadata — or
    None when it says nothing. Remembered per connection and model."""
    with _lock:
        if (_key(base_url), model) in _windows:  # asked already (0: it said nothing)
            return _windows[(_key(base_url), model)] or None
    import httpx2

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    found: int | None = None
    with httpx2.Client(base_url=root(base_url), timeout=timeout, headers=headers) as client:
        for ask in (_llama_cpp, _ollama, _lm_studio, _models_meta):
            try:
                found = ask(client, model)
            except (httpx2.HTTPError, ValueError, TypeError, KeyError, AttributeError):
                found = None
            if found:
                break
    with _lock:
        _windows[(_key(base_url), model)] = found or 0
    return found


def _positive(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _get(client: Any, path: str) -> Any:
    response = client.get(path)
    response.raise_for_status()
    return response.json()


def _llama_cpp(client: Any, _model: str) -> int | None:
    props = _get(client, "/props")
    settings = props.get("default_generation_settings") or {}
    return _positive(settings.get("n_ctx")) or _positive(props.get("n_ctx"))


def _ollama(client: Any, model: str) -> int | None:
    response = client.post("/api/show", json={"model": model})
    response.raise_for_status()
    show = response.json()
    match = re.search(r"(?m)^\s*num_ctx\s+(\d+)", str(show.get("parameters") or ""))
    if match:
        return _positive(match.group(1))
    trained = [
        _positive(v)
        for k, v in (show.get("model_info") or {}).items()
        if k.endswith(".context_length")
    ]
    trained_max = max((t for t in trained if t), default=None)
    if trained_max is None:
        return None
    return min(trained_max, OLLAMA_DEFAULT_WINDOW)


def _lm_studio(client: Any, model: str) -> int | None:
    info = _get(client, f"/api/v0/models/{model}")
    return _positive(info.get("loaded_context_length")) or _positive(info.get("max_context_length"))


def _models_meta(client: Any, model: str) -> int | None:
    listed = _get(client, "/v1/models")
    for entry in listed.get("data") or []:
        if entry.get("id") != model:
            continue
        meta = entry.get("meta") or {}
        for value in (
            meta.get("n_ctx"),
            entry.get("context_length"),
            entry.get("max_context_length"),
            entry.get("context_window"),
        ):
            if _positive(value):
                return _positive(value)
    return None


def forget_all() -> None:
    """For tests: nothing remembered of any server."""
    with _lock:
        _abandoned.clear()
        _refused.clear()
        _windows.clear()
