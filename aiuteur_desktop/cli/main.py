"""The `aiuteur` command: the desktop app by default, headless subcommands for scripting."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aiuteur_desktop.cli.common import (
    _bundle,
    _fail,
    _log_to_file,
    _open_script,
    _remember,
    _resolve_project,
    _write_failed,
)
from aiuteur_desktop.cli.film import _cmd_animatic, _cmd_shots
from aiuteur_desktop.core.app import build_info


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiuteur",
        description="Aiuteur Desktop: turn a written story into a short AI film. "
        "With no command, opens the app.",
    )
    parser.add_argument(
        "--version", action="version", version=f"Aiuteur {build_info.current().describe()}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("project", nargs="?", help="a project bundle to open")
    sub.add_parser("doctor", help="check this machine and report what is missing")
    new = sub.add_parser("new", help="create a project bundle")
    new.add_argument("name", help="project name")
    new.add_argument("--dir", dest="directory", help="parent folder (default: the projects folder)")
    previz = sub.add_parser("previz", help="render offline storyboard frames and animatics")
    previz_sub = previz.add_subparsers(dest="previz_command", metavar="WHAT", required=True)
    shot = previz_sub.add_parser("shot", help="render start.png, end.png, panel.png and clip.mp4")
    shot.add_argument("spec", help="the shot as JSON (see the README's ShotSpec section)")
    shot.add_argument("-o", "--out", required=True, help="output folder")
    shot.add_argument("--no-speech", action="store_true", help="silent audio, no scratch voices")
    script = sub.add_parser("script", help="import or export the Master Script")
    script_sub = script.add_subparsers(dest="script_command", metavar="WHAT", required=True)
    imp = script_sub.add_parser("import", help="a Fountain or FDX screenplay becomes the script")
    imp.add_argument("file", help="a .fountain or .fdx file")
    imp.add_argument("--project", required=True, help="the project bundle (created if missing)")
    exp = script_sub.add_parser("export", help="write the script as Fountain, FDX or PDF")
    exp.add_argument("--project", required=True, help="the project bundle")
    exp.add_argument("--format", required=True, choices=["fountain", "fdx", "pdf"])
    exp.add_argument("-o", "--out", required=True, help="the file to write")
    scenes = sub.add_parser("scenes", help="list the script's scenes")
    scenes.add_argument("--project", required=True, help="the project bundle")
    scenes.add_argument("--json", action="store_true", help="machine-readable output")
    assets = sub.add_parser("assets", help="master assets")
    assets_sub = assets.add_subparsers(dest="assets_command", metavar="WHAT", required=True)
    ext = assets_sub.add_parser(
        "extract", help="characters, locations (with variants) and props of the script"
    )
    ext.add_argument("--project", required=True, help="the project bundle")
    ext.add_argument("--json", action="store_true", help="machine-readable output")
    shots = sub.add_parser("shots", help="the script broken into shots of at most 8 seconds")
    shots.add_argument("--project", required=True, help="the project bundle")
    shots.add_argument("--json", action="store_true", help="machine-readable output")
    anim = sub.add_parser(
        "animatic", help="render the whole script offline: clips, one film and editor timelines"
    )
    anim.add_argument("--project", required=True, help="the project bundle")
    anim.add_argument("-o", "--out", required=True, help="output folder")
    anim.add_argument("--width", type=int, default=1280, help="frame width (default 1280)")
    anim.add_argument("--no-speech", action="store_true", help="silent audio, no scratch voices")
    visuals = sub.add_parser(
        "visuals",
        help="Stage 8: a scene's characters, locations and props with their starting looks",
    )
    visuals.add_argument("--project", required=True, help="the project bundle")
    visuals.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
    visuals.add_argument("--json", action="store_true", help="machine-readable output")
    prompts = sub.add_parser(
        "prompts", help="Stage 9: each shot's frame prompts, video prompt, tags and warnings"
    )
    prompts.add_argument("--project", required=True, help="the project bundle")
    prompts.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
    prompts.add_argument("--json", action="store_true", help="machine-readable output")
    prompts.add_argument(
        "--with-scaffold", action="store_true", help="also print the hidden system prompts"
    )
    fr = sub.add_parser(
        "frames", help="Stage 10: a scene's start and end anchor frames, chained shot to shot"
    )
    fr.add_argument("--project", required=True, help="the project bundle")
    fr.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
    fr.add_argument(
        "--mode",
        choices=["quick", "control"],
        help="to make frames — quick: every frame at once; control: one at a time, each "
        "approved before the next",
    )
    fr.add_argument("--start-only", action="store_true", help="start frames only, no end frames")
    fr.add_argument(
        "--approve",
        nargs="?",
        const=True,
        default=False,
        metavar="SHOT/FRAME",
        help="approve each frame made (control: go on to the next); or approve one frame "
        "as it is: --approve 3B/start",
    )
    fr.add_argument(
        "--yes", action="store_true", help="pay for the frames when the image model costs money"
    )
    fr.add_argument(
        "--again",
        action="store_true",
        help="send again the frames whose last request may have been charged (a new charge)",
    )
    fr.add_argument("--json", action="store_true", help="machine-readable output")
    for name, words in (
        ("checkout", "Stage 11: a scene's render lines, prices, totals and confirmation"),
        ("render", "Stages 11–12: confirm a scene and render its shots (offline by default)"),
    ):
        cmd = sub.add_parser(name, help=words)
        cmd.add_argument("--project", required=True, help="the project bundle")
        cmd.add_argument("--scene", required=True, help="the scene's number (3, 12A) or id (s3)")
        cmd.add_argument(
            "--provider",
            default="offline",
            help="offline (default), configured (Settings → Models), or a model id",
        )
        cmd.add_argument("--no-audio", action="store_true", help="render without sound")
        cmd.add_argument(
            "--shot-model",
            action="append",
            default=[],
            metavar="SHOT=MODEL",
            help="a shot with a model of its own (3B=fal:fal-ai/kling-video/v4/image-to-video); "
            "repeat for more shots",
        )
        cmd.add_argument(
            "--cheapest",
            action="store_true",
            help="each shot with the cheapest paid model set up that takes it",
        )
        cmd.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "render":
            cmd.add_argument(
                "--yes", action="store_true", help="confirm and pay when it costs money"
            )
        else:
            cmd.add_argument(
                "--alternatives",
                action="store_true",
                help="each shot's price with every video model set up, and the cheapest "
                "that takes it",
            )
    from aiuteur_desktop.cli import editor, stages

    editor.add_codec_argument(anim)
    stages.add_arguments(script_sub, sub, shots=shots, visuals=visuals, prompts=prompts, frames=fr)
    editor.add_parsers(sub)
    from aiuteur_desktop.cli import voices

    voices.add_parser(sub)
    models = sub.add_parser(
        "models", help="the video and image models: connections, what they take, prices"
    )
    models.add_argument("--json", action="store_true", help="machine-readable output")
    mcp = sub.add_parser(
        "mcp", help="serve the stages to an AI agent over MCP (stdio), with your money rules"
    )
    mcp.add_argument(
        "--allow-spend",
        type=float,
        metavar="USD",
        help="let the agent's paid calls run without asking, up to this many dollars in all",
    )
    mcp.add_argument("--agent", default="", help="the agent's name in the Version History")
    from aiuteur_desktop.cli import spend

    spend.add_parser(sub)
    from aiuteur_desktop.cli import studio

    studio.add_parsers(sub)
    _server_beside_project(parser)
    return parser


def _server_beside_project(parser: argparse.ArgumentParser) -> None:
    """Every command that takes `--project` takes `--server URL` beside it, for a project
    named `studio:NAME` (the server in Settings → Studio when it is not given)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                dests = {a.dest for a in child._actions}
                if "project" in dests and "server" not in dests:
                    child.add_argument(
                        "--server", help="a studio's server, for --project studio:NAME"
                    )
                _server_beside_project(child)


def _cmd_script_import(file: str, project_path: str) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.screenplay import fountain
    from aiuteur_desktop.core.screenplay.documents import read_screenplay
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.core.story import master_script, mode_d

    bundle = _bundle(project_path)
    made = False
    try:
        play = read_screenplay(Path(file))
        if bundle.exists():
            project = Project.open(bundle)
        else:
            bundle.parent.mkdir(parents=True, exist_ok=True)
            project = Project.create(bundle.parent, bundle.stem)
            made = True
        with project:
            # The same project Stage 1's Mode D makes, so it opens in the app on Stage 4.
            text = fountain.write_string(play)
            matching = mode_d.import_file(project, play, Path(file).name, text)
    except (AiuteurError, OSError) as exc:
        if made:  # a failed import leaves no half-made project behind
            import shutil

            shutil.rmtree(bundle, ignore_errors=True)
        if isinstance(exc, AiuteurError):
            return _fail("script import", exc.user_message)
        return _fail("script import", f"cannot write {bundle}: {exc.strerror or exc}", 1)
    scenes = play.scenes()
    n = len(scenes)
    print(f"{Path(file).name}: {n} scene{'s' * (n != 1)} imported into {project.path}")
    from aiuteur_desktop.core.screenplay import headings
    from aiuteur_desktop.core.screenplay.elements import SCENE_HEADING

    first = next((i for i, e in enumerate(play.elements) if e.type == SCENE_HEADING), 0)
    if first and scenes and scenes[0].kind != headings.OPENING:
        print(
            "What comes before the first scene heading (sections, synopses, notes) is kept in "
            "the script; with nothing on screen, it is not a scene."
        )
    if matching.matched or matching.gone:
        print(master_script.matching_summary(matching))
    return 0


def _cmd_script_export(project_path: str, fmt: str, out: str) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.screenplay import fdx, fountain, pdf

    try:
        play = _open_script("script export", project_path)
        target = Path(out).expanduser()
        if fmt == "pdf":
            pages = pdf.write_pdf(play, target)
            total = pages + (1 if play.title_page else 0)
            title = " (a title page and the script)" if play.title_page else ""
            print(f"{target}: {total} page{'s' * (total != 1)}{title}")
            return 0
        text = fountain.write_string(play) if fmt == "fountain" else fdx.write_string(play)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except LookupError as exc:
        return _fail("script export", str(exc))
    except AiuteurError as exc:
        return _fail("script export", exc.user_message)
    except OSError as exc:
        return _fail("script export", f"cannot write {out}: {exc.strerror or exc}", 1)
    print(target)
    return 0


def _cmd_scenes(project_path: str, as_json: bool) -> int:

    from aiuteur_desktop.core.errors import AiuteurError

    try:
        play = _open_script("scenes", project_path)
    except LookupError as exc:
        return _fail("scenes", str(exc))
    except AiuteurError as exc:
        return _fail("scenes", exc.user_message)
    rows = [
        {
            "id": s.id,
            "number": s.label,
            "kind": s.kind,
            "heading": s.title,
            "int_ext": s.int_ext,
            "location": s.location,
            "sub_location": s.sub_location,
            "time_of_day": s.time_of_day,
            "continuity": s.continuity,
            "light": s.light,
            "qualifiers": list(s.qualifiers),
            "inherits_from": s.inherits,
            "characters": list(s.characters),
            "first_line": s.first_line,
        }
        for s in play.scenes()
    ]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            who = ", ".join(r["characters"]) or "no dialogue"
            print(f"{r['number']:>4}  {r['heading']}  ({who})")
    return 0


def _cmd_assets_extract(project_path: str, as_json: bool) -> int:

    from aiuteur_desktop.core.assets import masters
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.store import Project

    try:
        play = _open_script("assets extract", project_path)
        with Project.open(_bundle(project_path)) as project:
            props = [a for a in masters.all_assets(project) if a["kind"] == "prop"]
    except LookupError as exc:
        return _fail("assets extract", str(exc))
    except AiuteurError as exc:
        return _fail("assets extract", exc.user_message)
    found = masters.extract(play)
    number = {s.id: s.label for s in play.scenes()}
    out = {
        "characters": [
            {
                "name": a.name,
                "aliases": a.aliases,
                "speaks_in": [number[s] for s in a.scenes],
                "description": a.description,
            }
            for a in found
            if a.kind == "character"
        ],
        "locations": [
            {
                "name": a.name,
                "variants": [
                    {
                        **{k: v for k, v in var.items() if k != "scenes"},
                        "scenes": [number[s] for s in var["scenes"]],
                    }
                    for var in a.variants
                ],
                "description": a.description,
            }
            for a in found
            if a.kind == "location"
        ],
        "props": [{"name": p["name"], "description": p.get("description", "")} for p in props],
    }
    if as_json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    for c in out["characters"]:
        print(f"character  {c['name']}  (speaks in {', '.join(c['speaks_in']) or '—'})")
    for loc in out["locations"]:
        kinds = "; ".join(masters.variant_text(v) for v in loc["variants"])
        print(f"location   {loc['name']}  ({kinds})")
    for p in out["props"]:
        print(f"prop       {p['name']}")
    return 0


def _cmd_previz_shot(spec_path: str, out_dir: str, speech: bool) -> int:
    from aiuteur_desktop.core.production.shots import spec as shotspec
    from aiuteur_desktop.providers.offline import animatic, panels, tts

    try:
        spec = shotspec.load(Path(spec_path))
    except shotspec.SpecError as exc:
        print(f"aiuteur previz: {exc.user_message}", file=sys.stderr)
        return 2
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        panels.render_anchor(spec, "start").save(out / "start.png")
        panels.render_anchor(spec, "end").save(out / "end.png")
        panels.render_panel(spec).save(out / "panel.png")
        info = animatic.render_clip(spec, out / "clip.mp4", speech=speech)
    except OSError as exc:
        print(f"aiuteur previz: {_write_failed(out, exc)}", file=sys.stderr)
        return 1
    voice = "scratch dialogue" if info.speech else "silent audio"
    if speech and spec.dialogue and not info.speech and tts.available() is None:
        voice += " (no speech engine found: install espeak-ng)"
    print(f"{out / 'clip.mp4'}: {info.width}×{info.height}, {info.duration:g} s, {voice}")
    return 0


def _cmd_new(name: str, directory: str | None) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.store import Project

    try:
        library = Library()
    except AiuteurError as exc:
        return _fail("new", exc.user_message)
    try:
        parent = Path(directory).expanduser() if directory else library.projects_dir()
        parent.mkdir(parents=True, exist_ok=True)
        project = Project.create(parent, name)
        project.close()
        library.register_project(project.path, project.name, opened=False)
    except (AiuteurError, OSError) as exc:
        message = exc.user_message if isinstance(exc, AiuteurError) else str(exc)
        print(f"aiuteur new: {message}", file=sys.stderr)
        return 2
    finally:
        library.close()
    print(project.path)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader went away (`aiuteur shots | head`): stop quietly, and keep Python from
        # complaining again while it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        from aiuteur_desktop import doctor

        return doctor.main()
    if args.command is not None:
        _log_to_file()
    if args.command not in (None, "gui") and getattr(args, "project", None):
        from aiuteur_desktop.cli import studio
        from aiuteur_desktop.core.errors import AiuteurError

        if args.project.startswith(studio.PREFIX):
            try:
                args.project = studio.studio_project(args.project, getattr(args, "server", None))
            except LookupError as exc:
                return _fail(args.command, str(exc))
            except AiuteurError as exc:
                return _fail(args.command, exc.user_message)
            code = _dispatch(args)
            _remember(Path(args.project))  # listed on the dashboard, marked as a studio's
            return code
        args.project = _resolve_project(args.project)
        code = _dispatch(args)
        _remember(_bundle(args.project))
        return code
    return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    from aiuteur_desktop.cli import stages

    if args.command is not None and stages.wants(args):
        return stages.run(args)
    if args.command == "new":
        return _cmd_new(args.name, args.directory)
    if args.command == "script" and args.script_command == "import":
        return _cmd_script_import(args.file, args.project)
    if args.command == "script":
        return _cmd_script_export(args.project, args.format, args.out)
    if args.command == "assets":
        return _cmd_assets_extract(args.project, args.json)
    if args.command == "scenes":
        return _cmd_scenes(args.project, args.json)
    if args.command == "shots":
        return _cmd_shots(args.project, args.json)
    if args.command == "animatic":
        return _cmd_animatic(args.project, args.out, args.width, not args.no_speech, args.codec)
    if args.command == "models":
        from aiuteur_desktop.cli.models import cmd_models

        return cmd_models(args.json)
    if args.command == "mcp":
        from aiuteur_desktop.cli import mcp_server

        return mcp_server.main(args.allow_spend, args.agent)
    if args.command == "spend":
        from aiuteur_desktop.cli import spend

        return spend.run(args)
    if args.command == "voices":
        from aiuteur_desktop.cli import voices

        return voices.run(args)
    if args.command in ("studio", "log"):
        from aiuteur_desktop.cli import studio

        return studio.run(args)
    if args.command in ("export", "conform", "archive", "unarchive"):  # cli_editor.COMMANDS
        from aiuteur_desktop.cli import editor

        return editor.run(args)
    if args.command in ("visuals", "prompts", "frames", "checkout", "render"):
        from aiuteur_desktop.cli import scenes as cli_scenes
    if args.command == "checkout":
        return cli_scenes.cmd_checkout(
            args.project, args.scene, args.provider, not args.no_audio, args.json,
            alternatives=args.alternatives, shot_models=args.shot_model, cheapest=args.cheapest,
        )  # fmt: skip
    if args.command == "render":
        return cli_scenes.cmd_render(
            args.project, args.scene, args.provider, not args.no_audio, args.yes, args.json,
            shot_models=args.shot_model, cheapest=args.cheapest,
        )  # fmt: skip
    if args.command == "frames":
        if args.mode is None:
            return _fail("frames", "say how to make the frames: --mode quick or --mode control")
        return cli_scenes.cmd_frames(
            args.project,
            args.scene,
            args.mode,
            args.start_only,
            args.approve,
            args.json,
            yes=args.yes,
            again=args.again,
        )
    if args.command == "visuals":
        return cli_scenes.cmd_visuals(args.project, args.scene, args.json)
    if args.command == "prompts":
        return cli_scenes.cmd_prompts(args.project, args.scene, args.json, args.with_scaffold)
    if args.command == "previz":
        return _cmd_previz_shot(args.spec, args.out, not args.no_speech)
    return _start_app(getattr(args, "project", None))


def _start_app(project: str | None) -> int:
    """Opens the window; anything that stops it starting is logged with its traceback and said
    in one line here (and in a dialog where Qt itself loaded), never only as a traceback."""
    import logging

    log_path = None
    try:
        from aiuteur_desktop.core.app.logs import setup_logging

        log_path = setup_logging()
    except OSError:
        pass
    try:
        from aiuteur_desktop.views.app import run_app
    except Exception as exc:
        logging.getLogger("aiuteur_desktop").exception("Aiuteur could not start")
        where = f" (details in {log_path})" if log_path else ""
        return _fail("", f"Aiuteur could not start: {exc}{where}. Run `aiuteur doctor`.", 1)
    return run_app(project)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
