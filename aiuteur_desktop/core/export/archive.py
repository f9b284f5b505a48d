"""Project archives (issue "Pro Export, project archive, and conform"): a project bundle as
one `.zip` with its whole history — every Story Timeline and version (project.db) and every
media file — to move it to another machine or keep it safe, and the way back in.

Writing takes a consistent copy of the database (SQLite's backup API, so an open project
is archived as it stands) and lists every member's size and SHA-256 in `archive.json`; the
zip appears under its name only when complete. Reading trusts nothing in the file: members
with absolute paths, drive letters, `..`, backslashes or outside the one bundle folder,
symlinks, more members or bytes than a project has, and members that inflate past their
declared size (zip bombs) are refused with a clear message before or while they are
extracted into a hidden folder beside the target; the hashes, the database's integrity
and schema are checked there; only then is the folder renamed into place — under a new
name if a project of that name exists, never over it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from aiuteur_desktop import __version__
from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.files import sha256_of, write_atomically
from aiuteur_desktop.core.errors import AiuteurError, ProjectError
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.checks import DB_NAME
from aiuteur_desktop.core.store.project import LINK_NAME

MANIFEST = "archive.json"
FORMAT = 1
#: What a real project holds at most; an archive past these is refused before extracting.
MAX_MEMBERS = 50_000
MAX_TOTAL = 2 * 1024**4  # 2 TiB of media
#: A member that inflates more than this is a bomb (media barely compresses; the
#: database and JSON compress ~10×; 1,000× is far past anything real).
MAX_RATIO = 1000
#: The whole archive unpacks to at most this many times its own size (plus the slack a
#: small text-heavy project needs): many small members that each inflate 1,000× — a
#: bzip2 bomb of 1 MiB members — are refused before anything is written.
MAX_TOTAL_RATIO = 100
SLACK = 64 * 1024 * 1024
#: A member smaller than this is not judged by its own ratio (a few bytes of zeros).
SMALL = 64 * 1024
CHUNK = 1 << 20

Progress = Callable[[float], None]
Cancelled = jobs.Cancelled


class ArchiveError(AiuteurError):
    """An archive that cannot be written or is refused."""


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()


# ----------------------------------------------------------------------- write
def archive(
    bundle: Path,
    target: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write `bundle` (a project folder) as the zip `target`, atomically."""
    bundle = Path(bundle)
    if not (bundle / DB_NAME).is_file():
        if (bundle / LINK_NAME).is_file():
            raise ArchiveError(
                f"“{bundle.stem}” is a studio project: its versions live on the studio's "
                "server, and archiving one is not supported yet."
            )
        raise ArchiveError(f"{bundle} is not an Aiuteur project (no {DB_NAME} inside).")
    with Project.open(bundle) as project:  # refuses a damaged or newer project first
        name = project.name
    root = bundle.name if bundle.name.endswith(paths.BUNDLE_SUFFIX) else f"{name}.aiuteur"
    media = sorted(p for p in (bundle / "media").rglob("*") if p.is_file() and not p.is_symlink())
    total = sum(p.stat().st_size for p in media) or 1
    target = Path(target)

    def write(tmp: Path) -> None:
        snapshot = tmp.with_name(f"{tmp.name}.db")
        try:
            _snapshot(bundle / DB_NAME, snapshot)
            files: dict[str, dict[str, Any]] = {}
            done = 0
            with zipfile.ZipFile(tmp, "w", allowZip64=True) as z:
                arc = f"{root}/{DB_NAME}"
                z.write(snapshot, arc, compress_type=zipfile.ZIP_DEFLATED)
                files[arc] = {"size": snapshot.stat().st_size, "sha256": sha256_of(snapshot)}
                for f in media:
                    _stop_if(cancelled)
                    arc = f"{root}/{f.relative_to(bundle).as_posix()}"
                    z.write(f, arc, compress_type=zipfile.ZIP_STORED)
                    files[arc] = {"size": f.stat().st_size, "sha256": sha256_of(f)}
                    done += f.stat().st_size
                    if progress is not None:
                        progress(0.98 * done / total)
                about = {
                    "format": FORMAT,
                    "app_version": __version__,
                    "project": name,
                    "bundle": root,
                    "archived_at": time.time(),
                    "files": files,
                }
                z.writestr(MANIFEST, json.dumps(about, indent=1, ensure_ascii=False))
        finally:
            snapshot.unlink(missing_ok=True)

    try:
        out = write_atomically(target, write)
    except Cancelled:
        target.with_name(f".{target.name}.part").unlink(missing_ok=True)
        raise
    except AiuteurError as exc:
        raise ArchiveError(exc.user_message) from None
    if progress is not None:
        progress(1.0)
    return out


def _snapshot(db: Path, out: Path) -> None:
    """A consistent copy of the database, even while the app has it open (WAL)."""
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(out)
        try:
            source.backup(copy)
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise ArchiveError(f"the project's database cannot be read ({exc}).") from None
    finally:
        source.close()


# ------------------------------------------------------------------------ read
@dataclass(frozen=True)
class Imported:
    bundle: Path
    name: str
    renamed: bool  # a project of that name existed: this one took a new name


_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse(archive: Path, why: str) -> ArchiveError:
    return ArchiveError(f"{archive.name} was not imported: {why} Nothing was written.")


def _checked_members(source: Path, z: zipfile.ZipFile) -> tuple[str, list[zipfile.ZipInfo]]:
    """The bundle folder's name and its members, each safe to extract; ArchiveError else."""
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse(source, f"it lists {len(infos):,} files, more than any project holds.")
    roots: set[str] = set()
    total = 0
    members = []
    for info in infos:
        name = info.filename
        mode = info.external_attr >> 16
        if "\\" in name or name.startswith("/") or _DRIVE.match(name) or "\x00" in name:
            raise _refuse(source, f"“{name[:80]}” is an absolute or foreign path.")
        parts = PurePosixPath(name).parts
        if any(p in ("..", ".") for p in parts):
            raise _refuse(source, f"“{name[:80]}” points outside the project folder.")
        if stat.S_ISLNK(mode):
            raise _refuse(source, f"“{name[:80]}” is a symbolic link.")
        if name == MANIFEST or info.is_dir():
            continue
        if len(parts) < 2 or not parts[0].endswith(paths.BUNDLE_SUFFIX):
            raise _refuse(source, f"“{name[:80]}” is not inside a project folder.")
        roots.add(parts[0])
        total += info.file_size
        big = info.compress_size and info.file_size > SMALL
        if big and info.file_size / info.compress_size > MAX_RATIO:
            raise _refuse(source, f"“{name[:80]}” inflates {MAX_RATIO:,}× (a zip bomb).")
        members.append(info)
    if len(roots) != 1:
        raise _refuse(source, "it does not hold exactly one project.")
    if total > MAX_TOTAL:
        raise _refuse(source, "it would unpack to more than any project holds.")
    size = source.stat().st_size
    if total > size * MAX_TOTAL_RATIO + SLACK:
        raise _refuse(
            source,
            f"it would unpack to {total / 2**20:,.0f} MB from {size / 2**20:,.1f} MB (a zip bomb).",
        )
    return roots.pop(), members


def _manifest(source: Path, z: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = z.getinfo(MANIFEST)
    except KeyError:
        raise _refuse(source, "it is not an Aiuteur project archive (no archive.json).") from None
    if info.file_size > 64 * 1024 * 1024:
        raise _refuse(source, "its archive.json is too large.")
    try:
        data = json.loads(z.read(info).decode("utf-8"))
    except (
        ValueError,
        UnicodeDecodeError,
        zipfile.BadZipFile,
        OSError,
        RecursionError,  # nested past what the reader follows
        RuntimeError,  # encrypted
        NotImplementedError,  # a compression method zipfile does not read
    ):
        raise _refuse(source, "its archive.json is damaged.") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise _refuse(source, "its archive.json is damaged.")
    if not isinstance(data.get("format"), int) or data["format"] > FORMAT:
        raise _refuse(source, "it was written by a newer Aiuteur: update Aiuteur to import it.")
    return data


def _extract(
    source: Path,
    z: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    out: Path,
    expected: dict[str, Any] | None,
) -> int:
    """One member, never past its declared size, hashed against the manifest."""
    out.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    written = 0
    try:
        with z.open(info) as src, out.open("xb") as dst:
            while block := src.read(CHUNK):
                written += len(block)
                if written > info.file_size:
                    raise _refuse(source, f"“{info.filename[:80]}” inflates past its size.")
                h.update(block)
                dst.write(block)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise ArchiveError(f"cannot unpack {source.name}: {exc.strerror or exc}") from None
        raise _refuse(source, f"“{info.filename[:80]}” is damaged ({exc}).") from None
    except RuntimeError:  # zipfile: "File … is encrypted, password required"
        raise _refuse(source, f"“{info.filename[:80]}” is encrypted.") from None
    except NotImplementedError:  # zipfile: "That compression method is not supported"
        raise _refuse(
            source, f"“{info.filename[:80]}” is packed with a method Aiuteur does not read."
        ) from None
    if expected is None or expected.get("sha256") != h.hexdigest():
        raise _refuse(source, f"“{info.filename[:80]}” does not match its checksum.")
    return written


def unarchive(
    source: Path,
    parent: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Imported:
    """Import the archive `source` as a new project folder in `parent`."""
    source, parent = Path(source), Path(parent)
    try:
        z = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a zip file"
        raise ArchiveError(f"{source.name} cannot be imported: {why}.") from None
    with z:
        about = _manifest(source, z)
        root, members = _checked_members(source, z)
        listed = about["files"]
        names = {m.filename for m in members}
        if names != set(listed) or f"{root}/{DB_NAME}" not in names:
            raise _refuse(source, "its files do not match its archive.json.")
        total = sum(m.file_size for m in members) or 1
        free = shutil.disk_usage(parent).free if parent.exists() else None
        if free is not None and total > free:
            raise ArchiveError(
                f"{source.name} needs {total / 1e9:.1f} GB and {parent} has "
                f"{free / 1e9:.1f} GB free. Nothing was written."
            )
        parent.mkdir(parents=True, exist_ok=True)
        stage = parent / f".{root}.importing-{uuid.uuid4().hex[:8]}"
        stage.mkdir()
        try:
            done = 0
            for info in members:
                _stop_if(cancelled)
                relative = PurePosixPath(info.filename).relative_to(root)
                out = stage.joinpath(*relative.parts)
                if stage.resolve() not in out.resolve().parents:
                    raise _refuse(source, f"“{info.filename[:80]}” points outside the project.")
                done += _extract(source, z, info, out, listed.get(info.filename))
                if progress is not None:
                    progress(0.95 * done / total)
            (stage / "media").mkdir(exist_ok=True)
            name = _verify(source, stage)
            target, renamed = _free_name(parent, root)
            os.replace(stage, target)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    if progress is not None:
        progress(1.0)
    return Imported(target, name, renamed)


def _verify(source: Path, stage: Path) -> str:
    """The database's integrity and schema (read-only first, by Project.open) and every
    media file's name against its content."""
    try:
        with Project.open(stage) as project:
            name = project.name
            project.list_paths(project.tree_of(project.branch().head))
    except ProjectError as exc:
        raise _refuse(source, exc.user_message) from None
    for f in (stage / "media").rglob("*"):
        if f.is_file() and re.fullmatch(r"[0-9a-f]{64}", f.name) and sha256_of(f) != f.name:
            raise _refuse(source, f"the media file {f.name[:12]}… is damaged.")
    return name


def _free_name(parent: Path, root: str) -> tuple[Path, bool]:
    """The folder to import into: the archive's name, or "Name 2.aiuteur" when taken."""
    stem = root[: -len(paths.BUNDLE_SUFFIX)]
    target = parent / root
    n = 2
    while target.exists():
        target = parent / f"{stem} {n}{paths.BUNDLE_SUFFIX}"
        n += 1
    return target, target.name != root
