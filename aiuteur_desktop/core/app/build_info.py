"""Which build of Aiuteur this is: its version, and for an installer's build the date it was
built and for which platform (`resources/build.json`, written by packaging/aiuteur.spec).
`aiuteur --version`, the doctor and the About box say it; nothing is checked online."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app import resources

FILE = "build.json"


@dataclass(frozen=True)
class Build:
    version: str
    date: str = ""  # YYYY-MM-DD, an installer's build only
    platform: str = ""  # linux-x86_64, darwin-arm64, win32-x86_64

    @property
    def packaged(self) -> bool:
        return bool(self.date)

    def origin(self) -> str:
        """ "built 2026-12-07 for linux-x86_64", or "from source" (a pip or source install)."""
        if not self.packaged:
            return "from source"
        return f"built {self.date}" + (f" for {self.platform}" if self.platform else "")

    def describe(self) -> str:
        """ "0.1.0 (built 2026-12-07 for linux-x86_64)" or "0.1.0 (from source)"."""
        return f"{self.version} ({self.origin()})"


@cache
def current() -> Build:
    """This build; a source or wheel install has no build file and says so. A build file that
    cannot be read is not a reason to fail: it is then treated as a source install."""
    try:
        data = json.loads(resources.read_text(FILE))
    except (OSError, ValueError):
        return Build(__version__)
    if not isinstance(data, dict):
        return Build(__version__)
    return Build(__version__, str(data.get("date", "")), str(data.get("platform", "")))
