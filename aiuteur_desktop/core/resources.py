"""Access to files shipped in resources/ (installed as `aiuteur_desktop.resources`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = "aiuteur_desktop.resources"


@cache
def root() -> Traversable:
    """The resources folder: installed package data, or resources/ in a source checkout."""
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        # Running from a checkout, where the top-level resources/ sits beside the package.
        return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Traversable:
    node = root()
    for part in parts:
        node = node.joinpath(part)
    return node


def read_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return resource(*parts).read_bytes()
