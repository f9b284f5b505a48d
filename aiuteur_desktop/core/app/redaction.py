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
_grams: dict[str, set[str]] = {}  # every FRAGMENT-long piece of a known secret → the secrets
_lock = threading.Lock()
#: What `redact` reads, rebuilt on each `register` (redacting takes no lock and copies
#: nothing): the known secrets longest first, and the pieces.
_snapshot: tuple[tuple[str, ...], dict[str, frozenset[str]]] = ((), {})
MASK = "[REDACTED]"
#: A run this long of a known secret is masked wherever it stands (a server echoing a key's
#: first 14 or last 12 characters must not put them in a log).
FRAGMENT = 8


def register(secret: str) -> None:
    """Remember a secret so that it, or any FRAGMENT-long piece of it, is masked wherever it
    appears later. Registering as a key is typed keeps only the longest: a value that is a
    piece of another adds nothing."""
    secret = secret.strip()
    if len(secret) < 6:
        return
    with _lock:
        if any(secret in k for k in _known):
            return
        for shorter in [k for k in _known if k in secret]:
            _forget(shorter)
        _known.add(secret)
        for i in range(len(secret) - FRAGMENT + 1):
            _grams.setdefault(secret[i : i + FRAGMENT], set()).add(secret)
        global _snapshot
        _snapshot = (
            tuple(sorted(_known, key=len, reverse=True)),
            {g: frozenset(o) for g, o in _grams.items()},
        )


def _forget(secret: str) -> None:
    _known.discard(secret)
    for i in range(len(secret) - FRAGMENT + 1):
        owners = _grams.get(secret[i : i + FRAGMENT])
        if owners is not None:
            owners.discard(secret)
            if not owners:
                del _grams[secret[i : i + FRAGMENT]]


def _mask_fragments(text: str, grams: dict[str, frozenset[str]]) -> str:
    """Mask every run of FRAGMENT or more characters that stands in a known secret: each
    match starts at a known piece and grows while it is still inside one of its secrets."""
    out: list[str] = []
    i = done = 0
    n = len(text)
    while i + FRAGMENT <= n:
        owners = grams.get(text[i : i + FRAGMENT])
        if not owners:
            i += 1
            continue
        end = i + FRAGMENT
        while end < n and any(text[i : end + 1] in s for s in owners):
            end += 1
        out.append(text[done:i])
        out.append(MASK)
        i = done = end
    out.append(text[done:])
    return "".join(out)


def redact(text: str) -> str:
    """Return `text` with every known secret, any piece of one, and key-shaped token masked."""
    known, grams = _snapshot
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    # Pieces last: a key-shaped token is masked whole first, not cut into by a fragment.
    return _mask_fragments(text, grams) if grams else text


def redact_tree(value: object) -> object:
    """`value` (JSON-shaped: dicts, lists, strings …) with every string redacted — for what
    the app stores of a model's answer (a proxy echoing a key, a model repeating a prompt)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_tree(v) for v in value]
    return value
