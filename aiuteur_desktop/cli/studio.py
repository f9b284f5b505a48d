"""`aiuteur studio publish|list` (a project on a studio's PostgreSQL server) and `aiuteur log`
(the Version History headless: every Story Timeline's commits, who made them, when, why).

A `--project` of any command may name a studio project as `studio:NAME`, on the server given
with `--server URL` beside it or the one in Settings → Studio (`studio_project`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from aiuteur_desktop.cli.common import _bundle, _fail

PREFIX = "studio:"


def add_parsers(sub: Any) -> None:
    studio = sub.add_parser("studio", help="projects on a studio's PostgreSQL server")
    studio_sub = studio.add_subparsers(dest="studio_command", required=True)
    publish = studio_sub.add_parser(
        "publish", help="copy a project with its whole history to the studio's server"
    )
    publish.add_argument("--project", required=True, help="the project bundle to publish")
    publish.add_argument("--name", help="its name on the server (default: the project's)")
    publish.add_argument(
        "--media",
        help="where its pictures go: a folder every member reaches (a studio NAS) or "
        "s3://bucket/folder (Settings → Studio's endpoint and keys)",
    )
    publish.add_argument("--json", action="store_true", help="machine-readable output")
    listing = studio_sub.add_parser("list", help="the projects on the studio's server")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    for cmd in (publish, listing):
        cmd.add_argument("--server", help="postgresql://user@host:5432/database")
    log = sub.add_parser("log", help="every Story Timeline's saved versions: who, when, why")
    log.add_argument("--project", required=True, help="the project (a bundle or studio:NAME)")
    log.add_argument("--json", action="store_true", help="machine-readable output")


def _studio_settings() -> Any:
    """Settings → Studio (server, member, pictures, S3 endpoint), read once per command."""
    from aiuteur_desktop.core.library import Library

    library = Library()
    try:
        return library.load_settings().studio
    finally:
        library.close()


def _server(given: str | None, settings: Any) -> str:
    """The server a command uses: `--server`, else Settings → Studio's."""
    if given or settings.server:
        return str(given or settings.server)
    raise LookupError(
        "no studio server: give --server postgresql://user@host:5432/database, "
        "or set one in Settings → Studio"
    )


def studio_project(value: str, server: str | None) -> str:
    """`--project studio:NAME`: this machine's folder of that studio project."""
    from aiuteur_desktop.core.store import studio

    name = value[len(PREFIX) :].strip()
    if not name:
        raise LookupError("studio: needs a project's name (studio:My Film)")
    s = _studio_settings()
    return str(studio.join(_server(server, s), name, author=s.user or None, endpoint=s.s3_endpoint))


def run(args: Any) -> int:
    from aiuteur_desktop.core.errors import AiuteurError

    command = "log" if args.command == "log" else f"studio {args.studio_command}"
    try:
        if args.command == "log":
            return _log(args.project, args.json)
        settings = _studio_settings()
        if args.studio_command == "list":
            return _list(_server(args.server, settings), args.json)
        return _publish(args, _server(args.server, settings), settings)
    except LookupError as exc:
        return _fail(command, str(exc))
    except AiuteurError as exc:
        return _fail(command, exc.user_message)


def _publish(args: Any, server: str, settings: Any) -> int:
    from aiuteur_desktop.core.store import studio

    bundle = _bundle(args.project)
    if not bundle.exists():
        raise LookupError(f"there is no project at {bundle}")
    media = args.media or settings.media or None
    link = studio.publish(bundle, server, name=args.name, media=media,
                          author=settings.user or None, endpoint=settings.s3_endpoint)  # fmt: skip
    written = json.loads((link / studio.LINK_NAME).read_text(encoding="utf-8"))
    name, shared = written["name"], written["media"]
    if args.json:
        print(json.dumps({"name": name, "server": studio.public_address(server),
                          "media": shared, "folder": str(link)}, indent=2))  # fmt: skip
        return 0
    print(f"Published “{name}” to {studio.public_address(server)}.")
    print(f'Members open it as --project "studio:{name}"; its pictures are in {shared}.')
    if not media:
        print("No --media folder was given: only this machine reaches its pictures.")
    return 0


def _list(server: str, as_json: bool) -> int:
    from aiuteur_desktop.core.store import studio

    listed = studio.projects(server)
    if as_json:
        print(json.dumps([{"name": p.name, "media": p.media, "created_at": p.created_at,
                           "created_by": p.created_by} for p in listed], indent=2))  # fmt: skip
        return 0
    if not listed:
        print(f"No projects on {studio.public_address(server)} yet (aiuteur studio publish).")
    for p in listed:
        made = time.strftime("%Y-%m-%d", time.localtime(p.created_at))
        print(f"{p.name}  (published {made} by {p.created_by})")
    return 0


def _log(project_path: str, as_json: bool) -> int:
    from aiuteur_desktop.core.store import Project

    bundle = Path(project_path)
    if not bundle.exists():
        raise LookupError(f"there is no project at {bundle}")
    with Project.open(bundle) as project:
        current = project.current_branch
        timelines = [
            {"name": b.name, "head": b.head, "current": b.name == current}
            for b in project.branches()
        ]
        commits = [
            {"id": c.id, "seq": c.seq, "at": c.created_at, "author": c.author,
             "message": c.message, "kind": c.kind, "stage": c.stage, "timeline": c.branch,
             "parents": list(c.parents), "cost": c.cost}
            for c in project.all_commits()
        ]  # fmt: skip
    if as_json:
        print(json.dumps({"timelines": timelines, "commits": commits}, indent=2))
        return 0
    heads: dict[str, list[str]] = {}
    for t in timelines:
        heads.setdefault(t["head"], []).append(t["name"])
    for c in reversed(commits):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c["at"]))
        who = c["author"] or "—"
        head = f"  ← {', '.join(heads[c['id']])}" if c["id"] in heads else ""
        print(f"{c['id'][:10]}  {when}  {who:<12}  {c['timeline']}: {c['message']}{head}")
    return 0


def shared_spend(bundle: Path | None, cap: float | None) -> dict[str, Any] | None:
    """A studio project's shared cap (set first when `cap` is given: below 0 removes it) and
    what its members committed; None for a bundle or no project."""
    from aiuteur_desktop.core.store import Project

    if bundle is None:
        if cap is not None:
            raise LookupError("--project-cap needs --project studio:NAME")
        return None
    with Project.open(bundle) as project:
        gate = project.spend_gate()
        if gate is None:
            if cap is not None:
                raise LookupError(
                    "--project-cap is a studio project's shared cap; a bundle's cap is "
                    "Settings → Budget"
                )
            return None
        if cap is not None:
            gate.set_cap(None if cap < 0 else cap)
        return {"cap": gate.cap(), "spent": gate.spent()}
