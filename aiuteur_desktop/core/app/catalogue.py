"""The list of a user's style libraries (names and settings) in one small JSON file, written
atomically; shared by written and visual style libraries."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.errors import AiuteurError

#: A list of libraries is a few KB; a file far larger is not one (and is not read whole).
MAX_BYTES = 8_000_000


class StyleLibraryError(AiuteurError):
    """A style library action cannot be done (unknown library, duplicate name, empty text…)."""


class Catalogue:
    def __init__(
        self,
        path: Path,
        kind: str,
        fields: dict[str, type] | None = None,
        required: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.kind = kind  # "written style" / "visual style", for messages
        self.fields = fields or {}  # the type of each field an entry may hold
        self.required = required  # the fields every entry holds

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"libraries": {}}
        try:
            if self.path.stat().st_size > MAX_BYTES:
                raise ValueError("too large")
            meta = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or not isinstance(meta.get("libraries"), dict):
                raise ValueError("not a list of libraries")
            for entry in meta["libraries"].values():
                if (
                    not isinstance(entry, dict)
                    or not all(k in entry for k in self.required)
                    or not all(
                        isinstance(entry[k], t) for k, t in self.fields.items() if k in entry
                    )
                ):
                    raise ValueError("a library entry is not what Aiuteur wrote")
            return meta
        except (ValueError, OSError, RecursionError) as exc:
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
