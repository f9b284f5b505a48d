"""`aiuteur spend`: what each job was estimated, charged and may be charged, against the
caps — the machine's (Settings → Budget) and, for a studio project, the cap its members share
(`--project-cap` sets it)."""

from __future__ import annotations

import json
from typing import Any

from aiuteur_desktop.cli.common import _bundle, _fail


def add_parser(sub: Any) -> None:
    spend = sub.add_parser(
        "spend", help="what each job was estimated, charged and may be charged; the caps"
    )
    spend.add_argument("--project", help="only this project bundle")
    spend.add_argument(
        "--confirm",
        action="store_true",
        help="after the library was lost: confirm the spend read back from the projects and "
        "allow paid work again",
    )
    spend.add_argument("--json", action="store_true", help="machine-readable output")
    spend.add_argument(
        "--project-cap",
        type=float,
        metavar="USD",
        help="a studio project's cap its members share (with --project studio:NAME; 0 stops "
        "its paid work, a negative amount removes the cap)",
    )


def run(args: Any) -> int:
    return _cmd_spend(args.project, args.json, confirm=args.confirm, project_cap=args.project_cap)


def _cmd_spend(
    project_path: str | None,
    as_json: bool,
    *,
    confirm: bool = False,
    project_cap: float | None = None,
) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.money import spend

    bundle = _bundle(project_path) if project_path else None
    if bundle is not None and not bundle.exists():
        return _fail("spend", f"there is no project at {bundle}")
    from aiuteur_desktop.cli import studio

    try:
        shared = studio.shared_spend(bundle, project_cap)
    except LookupError as exc:
        return _fail("spend", str(exc))
    except AiuteurError as exc:
        return _fail("spend", exc.user_message)
    try:
        library = Library()
    except AiuteurError as exc:
        return _fail("spend", exc.user_message)
    try:
        stopped = library.jobs.paid_work_stopped()
        if confirm and stopped:
            library.jobs.resume_paid_work()
        data = spend.report(library.jobs, library.load_settings().budget, bundle)
    finally:
        library.close()
    data["paid_work_stopped"] = "" if confirm else stopped
    if shared is not None:
        data["shared"] = shared
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        print("\n".join(spend.lines(data)))
        if shared is not None:
            cap = shared["cap"]
            of = f" of its shared ${cap:,.2f} cap" if cap is not None else " (no shared cap)"
            print(f"The studio's members: ${shared['spent']:,.2f}{of}.")
        if confirm and stopped:
            print("Confirmed: paid work may go on.")
        elif stopped:
            print(stopped)
    return 0
