"""Where Aiuteur keeps its global data, logs and new projects on this machine."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Aiuteur"
HOME_ENV = "AIUTEUR_HOME"
BUNDLE_SUFFIX = ".aiuteur"


def _override() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def app_home() -> Path:
    """The app library folder (global styles, assets, settings, jobs)."""
    override = _override()
    if override is not None:
        return override
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """Rotating logs live here; inside AIUTEUR_HOME when it is set."""
    override = _override()
    if override is not None:
        return override / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """What can be made again (shared animatic clips …); inside AIUTEUR_HOME when it is set."""
    override = _override()
    if override is not None:
        return override / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_projects_dir() -> Path:
    """The folder offered for new projects."""
    override = _override()
    if override is not None:
        return override / "Projects"
    return Path(platformdirs.user_documents_dir()) / "Aiuteur Projects"


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
