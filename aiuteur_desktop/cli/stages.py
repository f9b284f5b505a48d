"""The headless decisions of the stages (`core/pipeline/actions.py`): `script approve`,
`shots --scene N --lock/--unlock`, `visuals --lock/--tag`, `prompts --assemble/--shot`,
`frames --approve SHOT/start` and `--choose`, `takes` — what each page's buttons do, with its
gates, one commit each, one line on a refusal."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from aiuteur_desktop.cli.common import _bundle, _fail

Action = Callable[[Any, str], dict[str, Any]]


def add_arguments(
    script_sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    *,
    shots: argparse.ArgumentParser,
    visuals: argparse.ArgumentParser,
    prompts: argparse.ArgumentParser,
    frames: argparse.ArgumentParser,
) -> None:
    """The decisions' flags on the stage commands, and the commands of their own."""
    approve = script_sub.add_parser(
        "approve", help="Stage 4: approve the Master Script (what every later stage is made from)"
    )
    approve.add_argument("--project", required=True, help="the project bundle")
    approve.add_argument("--json", action="store_true", help="machine-readable output")

    shots.add_argument("--scene", help="only this scene's shot list (its number or id)")
    lock = shots.add_mutually_exclusive_group()
    lock.add_argument("--lock", action="store_true", help="Stage 7: lock the scene's shot list")
    lock.add_argument("--unlock", action="store_true", help="unlock it to edit it again")

    visuals.add_argument(
        "--lock", action="store_true", help="lock the starting looks as they stand (or --asset)"
    )
    visuals.add_argument(
        "--asset", nargs="+", metavar="NAME", help="with --lock: only these looks (MARA, LAMP…)"
    )
    visuals.add_argument(
        "--tag", nargs=2, metavar=("NAME", "CONDITION"), help='a condition: --tag MARA "Wet"'
    )
    visuals.add_argument(
        "--carries", action="store_true", help="with --tag: it carries into later scenes"
    )

    prompts.add_argument("--assemble", action="store_true", help="assemble every Prompt Set")
    prompts.add_argument("--shot", help="the shot whose prompt --video or --start-frame edits")
    prompts.add_argument("--video", metavar="TEXT", help="the shot's video prompt, by hand")
    prompts.add_argument("--start-frame", metavar="TEXT", help="its start frame prompt")
    prompts.add_argument("--end-frame", metavar="TEXT", help="its end frame prompt")

    frames.add_argument(
        "--choose",
        nargs=2,
        metavar=("SHOT/FRAME", "N"),
        help="roll a frame back to its candidate N: --choose 3B/start 1",
    )

    takes = sub.add_parser(
        "takes", help="Stage 12: a scene's takes and issues; use a take, file an issue"
    )
    takes.add_argument("--project", required=True, help="the project bundle")
    takes.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
    takes.add_argument("--use", nargs=2, metavar=("SHOT", "TAKE"), help="use take N of a shot")
    takes.add_argument("--issue", nargs=2, metavar=("SHOT", "NOTE"), help="file an issue on a shot")
    takes.add_argument(
        "--kind",
        default="visual",
        choices=["visual", "timing", "dialogue", "narrative"],
        help="the issue's kind (default visual)",
    )
    takes.add_argument("--at", type=float, default=0.0, help="seconds into the scene's cut")
    takes.add_argument("--json", action="store_true", help="machine-readable output")


def wants(args: argparse.Namespace) -> bool:
    """Whether these arguments ask for a decision this module makes."""
    c = args.command
    return (
        (c == "script" and args.script_command == "approve")
        or (c == "shots" and bool(args.scene))
        or (c == "visuals" and bool(args.lock or args.tag))
        or (c == "prompts" and bool(args.assemble or args.shot))
        or (c == "frames" and (isinstance(args.approve, str) or bool(args.choose)))
        or c == "takes"
    )


def run(args: argparse.Namespace) -> int:
    from aiuteur_desktop.core.pipeline import actions as act

    c = args.command
    if c == "script":
        return _act(
            "script approve", args.project, None, args.json,
            lambda p, _s: act.approve_script(p), _say_approved,
        )  # fmt: skip
    if c == "shots":
        if args.lock or args.unlock:
            return _act("shots", args.project, args.scene, args.json, _locking(args.lock), _rows)
        return _act("shots", args.project, args.scene, args.json, act.shot_rows, _rows)
    if c == "visuals":
        if args.tag and args.lock:
            return _fail("visuals", "--lock and --tag are two steps: run them one at a time")
        if args.tag:
            name, tag = args.tag
            return _act(
                "visuals", args.project, args.scene, args.json,
                lambda p, s: act.tag_look(p, s, name, tag, carries=args.carries), _say_tag,
            )  # fmt: skip
        return _act(
            "visuals", args.project, args.scene, args.json,
            lambda p, s: act.lock_looks(p, s, args.asset), _say_locked,
        )  # fmt: skip
    if c == "prompts":
        return _prompts(args)
    if c == "frames":
        return _frames(args)
    return _takes(args)


def _act(
    command: str,
    project_path: str,
    scene: str | None,
    as_json: bool,
    action: Action,
    say: Callable[[dict[str, Any]], list[str]],
) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.pipeline import actions
    from aiuteur_desktop.core.store import Project

    bundle = _bundle(project_path)
    if not bundle.exists():
        return _fail(command, f"there is no project at {bundle}")
    try:
        with Project.open(bundle) as project:
            scene_id = actions.scene_of(project, scene) if scene else ""
            data = action(project, scene_id)
    except AiuteurError as exc:
        return _fail(command, exc.user_message)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(say(data)))
    return 0


def _say_approved(data: dict[str, Any]) -> list[str]:
    n = data["scenes"]
    return [f"Approved the Master Script ({n} scene{'s' * (n != 1)})."]


def _locking(locked: bool) -> Action:
    from aiuteur_desktop.core.pipeline import actions

    return lambda p, s: actions.lock_shots(p, s, locked)


def _rows(data: dict[str, Any]) -> list[str]:
    out = [f"{s['label']:>6} {s['duration']:g} s  {s['size']:<3} {s['summary'][:90]}"
           for s in data["shots"]]  # fmt: skip
    state = "locked" if data["locked"] else "not locked"
    n = len(data["shots"])
    return [*out, f"Scene {data['label']}: {n} shot{'s' * (n != 1)}, shot list {state}."]


def _say_locked(data: dict[str, Any]) -> list[str]:
    return [
        f"Locked: {', '.join(data['locked'])}.",
        data["gate"] or "Ready: every starting look is locked.",
    ]


def _say_tag(data: dict[str, Any]) -> list[str]:
    look = data["look"]
    tags = ", ".join(c["tag"] + ("↦" if c["carries"] else "") for c in look["conditions"])
    return [f"{look['name']}: {tags} · {look['source_label']} · {look['review']}"]


def _prompts(args: argparse.Namespace) -> int:
    from aiuteur_desktop.core.pipeline import actions as act

    edits = (args.video, args.start_frame, args.end_frame)
    if args.shot and all(e is None for e in edits):
        return _fail("prompts", "--shot goes with --video, --start-frame or --end-frame")
    if not args.shot and any(e is not None for e in edits):
        return _fail("prompts", "say which shot's prompt to edit with --shot (3B)")

    def action(project: Any, scene: str) -> dict[str, Any]:
        out: dict[str, Any] = {"scene": scene}
        if args.assemble:
            out |= act.assemble_prompts(project, scene)
        if args.shot:
            out |= act.edit_prompt(
                project, scene, args.shot, video=args.video,
                start_frame=args.start_frame, end_frame=args.end_frame,
            )  # fmt: skip
        return out

    def say(data: dict[str, Any]) -> list[str]:
        out = []
        if "assembled" in data:
            n = data["assembled"]
            out.append(
                f"Assembled {n} Prompt Set{'s' * (n != 1)}."
                if n
                else "Every Prompt Set was already assembled and up to date."
            )
        if "shot" in data:
            s = data["shot"]
            out.append(f"Shot {s['label']}: video prompt\n    {s['video_prompt']}")
        return out + ([f"Not ready: {data['gate']}"] if data.get("gate") else [])

    return _act("prompts", args.project, args.scene, args.json, action, say)


def _frames(args: argparse.Namespace) -> int:
    from aiuteur_desktop.core.pipeline import actions as act

    if args.choose:
        slot, n = args.choose
        if not n.isdigit():
            return _fail("frames", f"--choose takes a candidate's number (1, 2…), not {n!r}")
        action: Action = lambda p, s: act.choose_frame(p, s, slot, int(n))  # noqa: E731
    else:
        action = lambda p, s: act.approve_frame(p, s, args.approve)  # noqa: E731

    def say(data: dict[str, Any]) -> list[str]:
        f = data["frame"]
        state = "approved" if f["approved"] else "chosen, not approved yet"
        return [f"Shot {f['label']} {f['frame']} frame: {state} ({f['status']})."]

    return _act("frames", args.project, args.scene, args.json, action, say)


def _takes(args: argparse.Namespace) -> int:
    from aiuteur_desktop.core.pipeline import actions as act

    if args.use and args.issue:
        return _fail("takes", "--use and --issue are two steps: run them one at a time")
    if args.use:
        shot, n = args.use
        if not n.isdigit():
            return _fail("takes", f"--use takes a take's number (1, 2…), not {n!r}")
        action: Action = lambda p, s: act.use_take(p, s, shot, int(n))  # noqa: E731
    elif args.issue:
        shot, note = args.issue
        action = lambda p, s: act.file_issue(p, s, shot, note, args.kind, args.at)  # noqa: E731
    else:
        action = act.takes_of
    return _act("takes", args.project, args.scene, args.json, action, _say_takes)


def _say_takes(data: dict[str, Any]) -> list[str]:
    if "issue" in data:
        return [f"Issue on shot {data['shot']} → {data['route']['to']}: {data['why']}"]
    out = []
    for s in data["shots"]:
        made = ", ".join(
            f"{t['take']}{'*' if t['take'] == s['in_use'] else ''} ({t['model']})"
            for t in s["takes"]
        )
        out.append(f"{s['label']:>6}  {made or 'no takes yet'}")
    for i in data["issues"]:
        out.append(f"  issue on {i['shot']} ({i['kind']}) → {i['route']['to']}: {i['note']}")
    return out
