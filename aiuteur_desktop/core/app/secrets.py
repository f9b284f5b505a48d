"""API keys live only in the OS keyring; this module is the one door to it."""

from __future__ import annotations

from collections.abc import Iterable

import keyring
import keyring.errors
from keyring.backends import fail

from aiuteur_desktop.core.app import redaction
from aiuteur_desktop.core.errors import SecretStoreError

SERVICE = "Aiuteur"

_NO_KEYRING = (
    "No OS keyring is available, so API keys cannot be stored safely. "
    "On Linux install and unlock a Secret Service (GNOME Keyring or KWallet); "
    "on macOS and Windows the system keychain is used automatically."
)


#: Whether a secret is stored, per keyring backend: asking the OS keyring is a D-Bus or
#: Keychain round trip, and every page that offers an AI action asks.
_present: dict[tuple[int, str], bool] = {}


def _key(name: str) -> tuple[int, str]:
    return (id(keyring.get_keyring()), name)


def warm_up(names: Iterable[str] = ()) -> None:
    """Find the OS keyring now (loading its backends takes ~80 ms) and learn which of
    `names` it holds (a round trip each): call it off the UI thread at start-up, so the
    first page that asks (Stage 9's and 11's model lists) does not wait."""
    keyring.get_keyring()
    try:
        for name in names:
            has_secret(name)
    except SecretStoreError:
        pass  # no keyring: the page that asks says so


#: What people call the keyrings the backends talk to.
_KEYRING_NAMES = {
    "SecretService": "Secret Service (GNOME Keyring / KWallet)",
    "kwallet": "KWallet",
    "macOS": "macOS Keychain",
    "Windows": "Windows Credential Manager",
    "fail": "none — no OS keyring found",
    "chainer": "OS keyring",
}


def backend_name() -> str:
    """The keyring in use as a person would name it (the doctor adds the class path)."""
    kr = keyring.get_keyring()
    module = type(kr).__module__.rsplit(".", 1)[-1]
    friendly = _KEYRING_NAMES.get(module)
    if friendly is None:
        friendly = getattr(kr, "name", "") or type(kr).__name__
    return str(friendly)


def backend_path() -> str:
    kr = keyring.get_keyring()
    return f"{type(kr).__module__}.{type(kr).__name__}"


def backend_available() -> bool:
    kr = keyring.get_keyring()
    if isinstance(kr, fail.Keyring):
        return False
    # The chainer backend with no members behaves like the fail backend.
    backends = getattr(kr, "backends", None)
    return not (backends is not None and len(backends) == 0)


def set_secret(name: str, value: str) -> None:
    """Store (or, with an empty value, delete) the secret called `name`."""
    value = value.strip()
    if not value:
        delete_secret(name)
        return
    redaction.register(value)
    _present.pop(_key(name), None)
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.NoKeyringError as exc:
        raise SecretStoreError(_NO_KEYRING, detail=str(exc)) from exc
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"The OS keyring refused to store the key ({type(exc).__name__}). "
            "Unlock your keyring and try again.",
            detail=str(exc),
        ) from exc


def get_secret(name: str) -> str | None:
    """The stored secret, or None when there is none or no keyring exists."""
    try:
        value = keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError:
        return None
    if value:
        redaction.register(value)
    _present[_key(name)] = bool(value)
    return value or None


def has_secret(name: str) -> bool:
    known = _present.get(_key(name))
    return known if known is not None else get_secret(name) is not None


def delete_secret(name: str) -> None:
    _present.pop(_key(name), None)
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: deleting is already done
    except keyring.errors.NoKeyringError as exc:
        raise SecretStoreError(_NO_KEYRING, detail=str(exc)) from exc
