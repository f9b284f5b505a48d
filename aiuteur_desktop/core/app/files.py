"""Interchange formats as adapters with plain read/write functions (OTIO style)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
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


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time (bounded memory for any size)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def link_or_copy(stored: Path, target: Path) -> None:
    """`stored` at `target`: a hard link where the disk allows (no copy, no space), else a
    copy; through a hidden name renamed at the end either way, so `target` is whole or
    absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if os.path.samefile(stored, target):
            return  # linked already (a rename onto the same file would leave the temporary)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(stored, tmp)
        except OSError:
            shutil.copyfile(stored, tmp)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
