"""`aiuteur voices`: Dialogue with cloud voices, headless — a scene's lines whose speakers have
a cloud voice in Stage 5, priced first (one line each), spoken with --yes, one job per line
with the app's money rules; what each cost, or why it did not run."""

from __future__ import annotations

import json
from typing import Any

from aiuteur_desktop.cli.common import _fail
from aiuteur_desktop.cli.scenes import _scene_of


def add_parser(sub: Any) -> None:
    cmd = sub.add_parser(
        "voices",
        help="Stage 12: speak a scene's lines in the characters' cloud voices (priced first)",
    )
    cmd.add_argument("--project", required=True, help="the project bundle")
    cmd.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
    cmd.add_argument("--yes", action="store_true", help="pay for the lines")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: Any) -> int:
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.money import spend
    from aiuteur_desktop.core.operations import cloud_dialogue, headless
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry
    from aiuteur_desktop.providers.startup import register_all

    try:
        bundle, scene_id = _scene_of("voices", args.project, args.scene)
        library = Library()
    except LookupError as exc:
        return _fail("voices", str(exc))
    except AiuteurError as exc:
        return _fail("voices", exc.user_message)
    register_all()
    try:
        settings = library.load_settings()
        with Project.open(bundle) as project:
            operations.share(project)
            try:
                ops = cloud_dialogue.plan(project, scene_id, Registry(settings))
                total = round(sum(op.estimate for op in ops), 6)
                lines = [
                    {"shot": op.label, "character": op.character, "model": op.model,
                     "voice": op.voice, "text": op.text, "price": op.estimate}
                    for op in ops
                ]  # fmt: skip
                if not args.json:
                    for x in lines:
                        print(f"  {x['shot']:>5}  {x['character']:<16} ${x['price']:.4f}  "
                              f"{x['model']} · {x['voice']}")  # fmt: skip
                    print(f"{len(ops)} line(s) to speak, about ${total:,.4f} in all.")
                if ops and not args.yes:
                    return _fail(
                        "voices",
                        f"speaking {len(ops)} line(s) costs about ${total:,.4f}; run again with "
                        "--yes to pay for them",
                    )
                money = spend.Money.of(library.jobs, settings.budget, str(bundle))
                over = money.over(total, f"Speaking {len(ops)} line(s)") if ops else ""
                if over:
                    return _fail("voices", over)
                done = headless.run_all(library.jobs, ops, settings.budget)
            finally:
                operations.unshare(project)
    except AiuteurError as exc:
        return _fail("voices", exc.user_message)
    finally:
        library.close()
    spoken = [
        {**x, "state": j.state.value, "error": j.error} for x, j in zip(lines, done, strict=False)
    ]
    failed = [x for x in spoken if x["state"] != "succeeded"]
    if args.json:
        print(json.dumps({"scene": scene_id, "total": total, "lines": spoken}, indent=2))
    else:
        print(f"Spoke {len(spoken) - len(failed)} of {len(ops)} line(s).")
    if failed:
        return _fail("voices", f"shot {failed[0]['shot']}: {failed[0]['error']}")
    return 0
