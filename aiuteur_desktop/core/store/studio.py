"""Studio projects on a PostgreSQL server (issue "Studio: one project shared by a team on a
PostgreSQL server"): publishing a bundle there with its whole history, listing a server's
projects, and opening one.

A server holds many projects, each in a schema of its own (`p_<hash of its name>`), with the
same tables as a bundle's project.db plus each member's drafts (studio_project.py); the
table `public.aiuteur_projects` lists them. On a member's machine a studio project is a small
folder (`<app home>/studio/<server>/<name>.aiuteur/`) holding `studio.json` — which server,
which project, which member, where its media are — and the caches a bundle keeps beside its
database, so everything that opens a project by its folder (jobs, the command line) opens a
studio project the same way. The server's password lives only in the keyring
(`studio.password`); addresses written anywhere carry none.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import (
    Column,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app import paths, ui_turns
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import bucket, schema
from aiuteur_desktop.core.store import project as project_module
from aiuteur_desktop.core.store.media import write_whole
from aiuteur_desktop.core.store.names import validate_name
from aiuteur_desktop.core.store.project import LINK_NAME, Project
from aiuteur_desktop.core.store.studio_project import StudioProject

#: The keyring entry of the studio server's password.
PASSWORD_SECRET = "studio.password"
#: Rows copied per statement when publishing.
BATCH = 500

_registry_meta = MetaData(schema="public")
registry = Table(
    "aiuteur_projects",
    _registry_meta,
    Column("name", String(200), primary_key=True),
    Column("schema", String(63), nullable=False, unique=True),
    Column("media", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(200), nullable=False),
)


@dataclass(frozen=True)
class Listed:
    """A project on a studio server."""

    name: str
    media: str
    created_at: float
    created_by: str


def member() -> str:
    """Who this machine's user is to the studio (their login name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "member"


def _url(server: str) -> URL:
    """The server's address for SQLAlchemy with psycopg 3; ProjectError when it is not one."""
    try:
        url = make_url(server.strip())
    except ArgumentError as exc:
        raise ProjectError(
            f"“{server}” is not a server address (postgresql://user@host:5432/database)."
        ) from exc
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ProjectError(
            f"“{server}” is not a PostgreSQL address (postgresql://user@host:5432/database)."
        )
    return url.set(drivername="postgresql+psycopg")


def public_address(server: str) -> str:
    """The address without any password: what is written to files and shown."""
    # (URL.set(password=None) keeps the password: None there means "unchanged")
    url = _url(server)._replace(password=None, drivername="postgresql")
    return url.render_as_string(hide_password=False)


def schema_of(name: str) -> str:
    return "p_" + hashlib.sha256(name.strip().lower().encode()).hexdigest()[:24]


def engine(server: str, schema_name: str | None = None, *, password: str | None = None) -> Engine:
    """An engine on the server; with `schema_name`, its tables are that project's. A
    password in the address is kept in the keyring, never in a file; `password` (one typed
    in Settings, not saved yet) is used as it is."""
    from aiuteur_desktop.core.app import secrets  # (the keyring: loaded once a studio is used)

    url = _url(server)
    if password:
        url = url.set(password=password)
    elif url.password:
        secrets.set_secret(PASSWORD_SECRET, str(url.password))
    else:
        stored = secrets.get_secret(PASSWORD_SECRET)
        if stored:
            url = url.set(password=stored)
    args: dict[str, Any] = {"connect_timeout": 10}
    if schema_name is not None:
        args["options"] = f"-c search_path={schema_name}"
    made = create_engine(url, connect_args=args, pool_pre_ping=True)
    event.listen(made, "before_cursor_execute", ui_turns.before_query)
    return made


def _unreachable(server: str, exc: Exception) -> ProjectError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return ProjectError(f"The studio server {public_address(server)} did not answer: {reason}")


def projects(server: str, *, password: str | None = None) -> list[Listed]:
    """The server's projects, by name."""
    made = engine(server, password=password)
    try:
        with made.begin() as conn:
            _registry_meta.create_all(conn)
            rows = conn.execute(select(registry).order_by(registry.c.name))
            return [Listed(r.name, r.media, r.created_at, r.created_by) for r in rows]
    except DBAPIError as exc:
        raise _unreachable(server, exc) from exc
    finally:
        made.dispose()


def _media_location(media: str | Path | None, fallback: Path) -> str:
    """Where a project's pictures go: a folder every member reaches, or `s3://bucket/…`."""
    if media is None or str(media) == "":
        return str(fallback)
    if bucket.is_bucket(str(media)):
        if not urlparse(str(media)).netloc:
            raise ProjectError(f"“{media}” names no bucket (s3://bucket/folder).")
        return str(media)
    return str(Path(media).expanduser().resolve())


def _bucket(location: str, endpoint: str) -> bucket.Bucket:
    """The bucket at `location` with this member's keys (from the keyring)."""
    from aiuteur_desktop.core.app import secrets

    return bucket.Bucket(
        location,
        endpoint,
        secrets.get_secret(bucket.KEY_ID_SECRET) or "",
        secrets.get_secret(bucket.SECRET_SECRET) or "",
    )


def _copy_media(source: Project, location: str, endpoint: str = "") -> None:
    """Every media file of `source` to `location` — a folder or a bucket — content-addressed:
    written once, never overwritten, each copy checked against its hash."""
    rows = source.query(select(schema.media.c.id, schema.media.c.mime))
    into_bucket = _bucket(location, endpoint) if bucket.is_bucket(location) else None
    if into_bucket is None:
        Path(location).mkdir(parents=True, exist_ok=True)
    for media_id, mime in rows:
        if not source.media.path(media_id).exists():
            continue  # (a bundle missing a file: the project says so where it is used)
        if into_bucket is not None:
            into_bucket.put(media_id, _checked(source, media_id), mime)
        elif not (into := Path(location) / media_id[:2] / media_id).exists():
            write_whole(into, _checked(source, media_id))


def _checked(source: Project, media_id: str) -> bytes:
    data = source.media.read(media_id)
    if hashlib.sha256(data).hexdigest() != media_id:
        raise ProjectError(
            f"Media file {media_id[:12]} of “{source.name}” is damaged: it was not published."
        )
    return data


def _rows(source: Project, table: Table) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in source.query(select(table))]


def publish(
    bundle: Path,
    server: str,
    *,
    name: str | None = None,
    media: str | Path | None = None,
    author: str | None = None,
    endpoint: str = "",
) -> Path:
    """Copy a bundle with its whole history to the server, as a project its members open;
    returns this machine's folder of it. All or nothing: a publish that fails leaves no
    project on the server."""
    source = Project.open(bundle)
    author = author or member()
    try:
        name = validate_name(name or source.name)
        link = link_folder(server, name)
        media_root = _media_location(media, link / "media")
        schema_name = schema_of(name)
        made = engine(server)
        try:
            with made.begin() as conn:
                _registry_meta.create_all(conn)
                taken = conn.execute(
                    select(registry.c.name).where(func.lower(registry.c.name) == name.lower())
                ).first()
                if taken is not None:
                    raise ProjectError(
                        f"The studio server already has a project called “{taken[0]}”."
                    )
                _copy_media(source, media_root, endpoint)
                conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
                conn.execute(text(f'SET LOCAL search_path TO "{schema_name}"'))
                for migrate in schema.MIGRATIONS:
                    migrate(conn)
                schema.metadata.create_all(conn, tables=schema.STUDIO_TABLES)
                _copy_rows(source, conn, author, name)
                conn.execute(
                    insert(registry).values(
                        name=name,
                        schema=schema_name,
                        media=media_root,
                        created_at=time.time(),
                        created_by=author,
                    )
                )
        except DBAPIError as exc:
            raise _unreachable(server, exc) from exc
        finally:
            made.dispose()
    finally:
        source.close()
    _write_link(link, server, name, author, media_root, endpoint)
    return link


def _copy_rows(source: Project, conn: Any, author: str, name: str) -> None:
    meta = {r["key"]: r["value"] for r in _rows(source, schema.meta)}
    # (the project is called on the server what it was published as)
    meta.update(schema_version=str(schema.SCHEMA_VERSION), app_version=__version__, name=name)
    conn.execute(insert(schema.meta), [{"key": k, "value": v} for k, v in meta.items()])
    for table in (schema.objects, schema.commits, schema.media):
        rows = _rows(source, table)
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])
    ledger = [{k: v for k, v in r.items() if k != "id"} for r in _rows(source, schema.ledger)]
    if ledger:
        conn.execute(insert(schema.ledger), ledger)
    branches = _rows(source, schema.branches)
    heads = {r["id"]: r["tree"] for r in _rows(source, schema.commits)}
    for b in branches:
        head_tree = heads[b["head"]]
        conn.execute(insert(schema.branches).values(**{**b, "draft": head_tree}))
        if b["draft"] != head_tree:  # the publisher's unsaved changes stay theirs
            conn.execute(
                insert(schema.drafts).values(
                    author=author,
                    branch=b["name"],
                    tree=b["draft"],
                    base=b["head"],
                    updated_at=b["updated_at"],
                )
            )


def link_folder(server: str, name: str) -> Path:
    """This machine's folder of a studio project (its caches beside `studio.json`)."""
    url = _url(server)
    where = f"{url.host or 'local'}-{url.database or ''}"
    where = re.sub(r"[^A-Za-z0-9._-]+", "_", where)[:60]
    return paths.app_home() / "studio" / where / f"{name}{paths.BUNDLE_SUFFIX}"


def _write_link(
    folder: Path, server: str, name: str, author: str, media: str, endpoint: str = ""
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"server": public_address(server), "name": name, "author": author, "media": media}
    if endpoint:
        doc["endpoint"] = endpoint
    (folder / LINK_NAME).write_text(json.dumps(doc, indent=2), encoding="utf-8")


def join(server: str, name: str, *, author: str | None = None, endpoint: str = "") -> Path:
    """This machine's folder of a project already on the server (a member joining);
    `endpoint`, the address of its bucket's S3-compatible service when it is not Amazon's."""
    listed = {p.name.lower(): p for p in projects(server)}
    found = listed.get(name.strip().lower())
    if found is None:
        raise ProjectError(f"The studio server has no project called “{name}”.")
    return _joined(server, found, author, endpoint)


def join_all(server: str, *, author: str | None = None, endpoint: str = "") -> list[Path]:
    """This machine's folders of every project on the server (one listing)."""
    return [_joined(server, p, author, endpoint) for p in projects(server)]


def _joined(server: str, listed: Listed, author: str | None, endpoint: str) -> Path:
    folder = link_folder(server, listed.name)
    _write_link(folder, server, listed.name, author or member(), listed.media, endpoint)
    return folder


def open_studio(server: str, name: str, *, author: str | None = None) -> StudioProject:
    """Open a project on the server as `author` (this machine's user by default)."""
    return open_link(join(server, name, author=author))


def open_link(folder: Path) -> StudioProject:
    """Open the studio project whose folder on this machine is `folder`."""
    try:
        doc = json.loads((folder / LINK_NAME).read_text(encoding="utf-8"))
        server, name = str(doc["server"]), str(doc["name"])
        author, media = str(doc.get("author") or member()), str(doc["media"])
        endpoint = str(doc.get("endpoint") or "")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProjectError(f"{folder} is not a studio project's folder ({exc}).") from exc
    schema_name = schema_of(name)
    made = engine(server, schema_name)
    try:
        with made.connect() as conn:
            if not conn.dialect.has_table(conn, "meta", schema=schema_name):
                raise ProjectError(f"The studio server has no project called “{name}”.")
            version = schema.current_version(conn)
            if version > schema.SCHEMA_VERSION:
                raise ProjectError(
                    f"“{name}” was saved by a newer Aiuteur: update the app to open it."
                )
        if version < schema.SCHEMA_VERSION:
            with made.begin() as conn:
                for step in range(version, schema.SCHEMA_VERSION):
                    schema.MIGRATIONS[step](conn)
                conn.execute(
                    schema.meta.update()
                    .where(schema.meta.c.key == "schema_version")
                    .values(value=str(schema.SCHEMA_VERSION))
                )
        remote = _bucket(media, endpoint) if bucket.is_bucket(media) else None
        opened = StudioProject(
            folder,
            made,
            author=author,
            schema_name=schema_name,
            media=folder / "media" if remote else Path(media),
            remote=remote,
        )
        url = _url(server)
        opened.shared_on = url.host or url.query.get("host") or "this machine"  # type: ignore[assignment]
        return opened
    except SQLAlchemyError as exc:
        made.dispose()
        if isinstance(exc, DBAPIError):
            raise _unreachable(server, exc) from exc
        raise
    except BaseException:
        made.dispose()
        raise


project_module.linked_opener[:] = [open_link]
