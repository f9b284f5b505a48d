"""Scrubs API keys out of any text before it reaches a log, an error dialog or an export."""

from __future__ import annotations

import re
import threading

_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_\-]{12,}"),  # OpenAI-style keys
    re.compile(r"AIza[0-9A-Za-z_\-]{20,}"),  # Google API keys
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{12,}"),
    re.compile(
        r"(?i)((?:api[_-]?key|x-goog-api-key|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]{8,}"
    ),
]
_known: set[str] = set()
_lock = threading.Lock()
MASK = "[REDACTED]"


def register(secret: str) -> None:
    """Remember a secret so that it is masked wherever it appears later."""
    secret = secret.strip()
    if len(secret) >= 6:
        with _lock:
            _known.add(secret)


def redact(text: str) -> str:
    """Return `text` with every known secret and key-shaped token masked."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text
