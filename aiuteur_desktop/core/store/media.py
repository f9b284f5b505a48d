"""Content-addressed media files: `media/<aa>/<sha256>`, written temp → fsync → rename.

The interface (put/open/path/info) is what a future S3-compatible store implements too.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from aiuteur_desktop.core.app import ui_turns
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import schema


@dataclass(frozen=True)
class MediaInfo:
    id: str
    mime: str
    size: int
    width: int | None
    height: int | None
    duration: float | None
    created_at: float


def _probe(data: bytes, mime: str) -> tuple[int | None, int | None, float | None]:
    """Width, height and duration read from the bytes themselves (best effort)."""
    try:
        if mime.startswith("image/"):
            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                return im.width, im.height, None
        if mime.startswith(("video/", "audio/")):
            import av

            with av.open(io.BytesIO(data), mode="r") as container:
                duration = container.duration / 1_000_000 if container.duration else None
                video = next(iter(container.streams.video), None)
                if video is not None:
                    return video.codec_context.width, video.codec_context.height, duration
                return None, None, duration
    except Exception:  # unreadable media is still stored; its metadata stays unknown
        return None, None, None
    return None, None, None


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_whole(target: Path, data: bytes) -> None:
    """`data` at `target`, whole or not at all (temp → fsync → rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MediaStore:
    """Media of one project: a bundle's own folder, or a studio's shared one (`shared`: a
    folder on a NAS, say, that is never made here when it is missing — an unmounted share
    must not fill the local disk — and whose files are checked against their hash as they
    are read, since other machines write there too), or a studio's bucket (`remote`,
    core/store/bucket.py: `root` is then this machine's copy of what it has read)."""

    def __init__(
        self, root: Path, engine: Engine, *, shared: bool = False, remote: Any = None
    ) -> None:
        self.root = root
        self._engine = engine
        self.shared = shared and remote is None
        self.remote = remote

    def reachable(self) -> bool:
        """Whether the media folder is there (a studio's share may be offline)."""
        return not self.shared or self.root.is_dir()

    def _unreachable(self) -> ProjectError:
        return ProjectError(
            f"The studio's pictures folder {self.root} cannot be reached (is the share "
            "mounted?). The story can still be read and edited; pictures wait until it is back."
        )

    def path(self, media_id: str) -> Path:
        """The file of `media_id` on this machine (from a studio's bucket: fetched first when
        this machine has not read it yet, except on the UI thread — `mirror` fetches a
        project's in the background)."""
        here = self._where(media_id)
        # (never on a window's UI thread: the page shows the picture as missing until the
        # background mirror has brought it — the window never waits on the network)
        if self.remote is not None and not here.exists() and not ui_turns.on_ui_thread():
            write_whole(here, self.remote.get(media_id))
        return here

    def _where(self, media_id: str) -> Path:
        if len(media_id) != 64 or any(c not in "0123456789abcdef" for c in media_id):
            raise ProjectError(f"“{media_id}” is not a media id.")
        return self.root / media_id[:2] / media_id

    def mirror(self, cancelled: Any = None) -> int:
        """Fetch every picture of the project this machine does not have yet from the
        studio's bucket (nothing for another store); returns how many."""
        if self.remote is None:
            return 0
        with self._engine.connect() as conn:
            ids = [r[0] for r in conn.execute(select(schema.media.c.id))]
        fetched = 0
        for media_id in ids:
            if cancelled is not None and cancelled():
                break
            here = self._where(media_id)
            if not here.exists():
                write_whole(here, self.remote.get(media_id))
                fetched += 1
        return fetched

    def put(self, data: bytes, mime: str) -> str:
        """Store bytes once; returns their sha256. Safe against a crash at any instant."""
        media_id = hashlib.sha256(data).hexdigest()
        target = self._where(media_id)
        if not self.reachable():
            raise self._unreachable()
        if self.remote is not None:  # in the studio's bucket before any version names it
            self.remote.put(media_id, data, mime)
        if not target.exists():
            write_whole(target, data)
        if self._known(media_id):
            return media_id
        width, height, duration = _probe(data, mime)
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(schema.media).values(
                        id=media_id,
                        mime=mime,
                        size=len(data),
                        width=width,
                        height=height,
                        duration=duration,
                        created_at=time.time(),
                    )
                )
        except IntegrityError:
            # The same bytes stored meanwhile by another job (two keys alike, say): the row
            # is there, which is all this call promises.
            if not self._known(media_id):
                raise
        return media_id

    def _known(self, media_id: str) -> bool:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.media.c.id).where(schema.media.c.id == media_id)
            ).first()
        return row is not None

    def put_file(self, source: Path, mime: str) -> str:
        return self.put(Path(source).read_bytes(), mime)

    def open(self, media_id: str) -> BinaryIO:
        try:
            return self.path(media_id).open("rb")
        except FileNotFoundError as exc:
            if not self.reachable():
                raise self._unreachable() from exc
            raise ProjectError(f"Media file {media_id[:12]} is missing from the project.") from exc

    def read(self, media_id: str) -> bytes:
        with self.open(media_id) as fh:
            data = fh.read()
        if self.shared and hashlib.sha256(data).hexdigest() != media_id:
            raise ProjectError(
                f"Media file {media_id[:12]} in the studio's pictures folder is damaged "
                "(its content no longer matches its name); it was not used."
            )
        return data

    def info(self, media_id: str) -> MediaInfo | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(schema.media).where(schema.media.c.id == media_id)).first()
        if row is None:
            return None
        return MediaInfo(
            row.id, row.mime, row.size, row.width, row.height, row.duration, row.created_at
        )

    def verify(self, media_id: str) -> bool:
        """True when the file exists and still hashes to its name."""
        try:
            return hashlib.sha256(self.read(media_id)).hexdigest() == media_id
        except ProjectError:
            return False
