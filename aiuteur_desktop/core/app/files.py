"""Interchange formats as adapters with plain read/write functions (OTIO style)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from aiuteur_desktop.core.errors import AiuteurError


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Write an export through a hidden file beside `path`, renamed at the end, so a crash
    or a full disk never leaves half a file under the real name. Raises AiuteurError."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise AiuteurError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
