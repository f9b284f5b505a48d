"""The list of a user's style libraries (names and settings) in one small JSON file, written
atomically; shared by written and visual style libraries."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.errors import AiuteurError


class StyleLibraryError(AiuteurError):
    """A style library action cannot be done (unknown library, duplicate name, empty text…)."""


class Catalogue:
    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind  # "written style" / "visual style", for messages

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"libraries": {}}
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, OSError) as exc:
            raise StyleLibraryError(
                f"The list of {self.kind} libraries is damaged ({self.path}); "
                "restore it from a backup or delete it to start again."
            ) from exc

    def save(self, meta: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.stem}-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def check_new_name(self, meta: dict[str, Any], name: str) -> str:
        """The tidied name, or a refusal in plain words."""
        name = " ".join(name.split())
        if not name:
            raise StyleLibraryError(f"Give the {self.kind} a name.")
        if name.lower() in (n.lower() for n in meta["libraries"]):
            raise StyleLibraryError(f"There is already a {self.kind} called “{name}”.")
        return name

    def entry(self, meta: dict[str, Any], name: str) -> dict[str, Any]:
        try:
            return dict(meta["libraries"][name])
        except KeyError:
            raise StyleLibraryError(f"There is no {self.kind} called “{name}”.") from None
