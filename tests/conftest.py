"""Shared fixtures: a private AIUTEUR_HOME, an in-memory keyring, offscreen Qt."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict: what tests use instead of the OS keychain."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def aiuteur_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "aiuteur-home"
    monkeypatch.setenv("AIUTEUR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def library(aiuteur_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    from aiuteur_desktop.core.library import Library

    # Job runners a test makes are stopped before their library's job table closes, as
    # the app stops its runner at quit (no scan or job is left running into teardown).
    made: list = []
    runners = sys.modules.get("aiuteur_desktop.views.jobs.runner")
    if runners is not None:
        original = runners.JobRunner.__init__

        def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            original(self, *args, **kwargs)
            made.append(self)

        monkeypatch.setattr(runners.JobRunner, "__init__", init)
    lib = Library()
    yield lib
    for runner in made:
        with contextlib.suppress(RuntimeError):  # already deleted with its window
            runner.shutdown(5000)
    lib.close()


@pytest.fixture
def app(qapp):  # type: ignore[no-untyped-def]
    """The QApplication configured and themed exactly as the real app does."""
    from aiuteur_desktop.views.app import ensure_app

    return ensure_app()


def all_file_bytes(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def assert_nowhere(root: Path, *pieces: str, expect: tuple[str, ...] = (".log", ".db")) -> None:
    """No file under `root` holds any of `pieces`; files ending in each of `expect` exist
    (so the scan read the log and the databases, not an empty folder)."""
    files = list(all_file_bytes(root))
    for suffix in expect:
        assert any(p.name.endswith(suffix) for p, _ in files), f"no {suffix} file under {root}"
    for path, data in files:
        for piece in pieces:
            assert piece.encode() not in data, f"{piece!r} leaked into {path}"


@pytest.fixture(autouse=True)
def fresh_local_servers() -> Iterator[None]:
    """Nothing remembered of a local model server from another test."""
    from aiuteur_desktop.providers import local_server

    local_server.forget_all()
    yield
    local_server.forget_all()


@pytest.fixture(scope="session")
def studio_server() -> Iterator[str]:
    """A real PostgreSQL server's address: the one `.ci/run` started (AIUTEUR_TEST_PG), or
    one started here for the session (tests/pg_server.py; PostgreSQL must be installed —
    the README's apt-get line)."""
    given = os.environ.get("AIUTEUR_TEST_PG")
    if given:
        yield given
        return
    import shutil
    import tempfile

    from tests import pg_server

    # Straight under the system's temporary folder: the server's user (not root) must reach
    # it, and a Unix socket's path must stay short.
    folder = Path(tempfile.mkdtemp(prefix="aiuteur-pg-"))
    try:
        yield pg_server.start(folder)
    finally:
        pg_server.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
