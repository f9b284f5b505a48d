"""Access to files shipped in resources/ (installed as `aiuteur_desktop.resources`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = "aiuteur_desktop.resources"

_PACKAGE_DIR = Path(__file__).resolve().parents[2]


@cache
def root() -> Path:
    """The resources folder as a real directory, read in place (never copied).

    A wheel installs it as the package's own `resources/` folder; an editable install or a
    source checkout keeps it beside the package. `importlib.resources.files()` is no help for
    a folder: the data package has no `__init__`, so on Python 3.11 it is a MultiplexedPath,
    which `as_file` cannot turn into a path before 3.12 (and on 3.12+ copies whole).
    """
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if (candidate / "pricing.toml").is_file():
            return candidate
    raise FileNotFoundError(
        f"Aiuteur's resources folder is missing (looked in {_PACKAGE_DIR / 'resources'} and "
        f"{_PACKAGE_DIR.parent / 'resources'}); reinstall Aiuteur."
    )


def resource(*parts: str) -> Path:
    return root().joinpath(*parts)


def read_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return resource(*parts).read_bytes()
