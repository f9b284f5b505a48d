"""The `aiuteur` command: the desktop app by default, headless subcommands for scripting."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aiuteur_desktop import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiuteur",
        description="Aiuteur Desktop: turn a written story into a short AI film. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"Aiuteur {__version__}")
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
        required=True,
        choices=["quick", "control"],
        help="quick: every frame at once; control: one at a time, each approved before the next",
    )
    fr.add_argument("--start-only", action="store_true", help="start frames only, no end frames")
    fr.add_argument(
        "--approve",
        action="store_true",
        help="approve each frame made (control: go on to the next)",
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
        cmd.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "render":
            cmd.add_argument(
                "--yes", action="store_true", help="confirm and pay when it costs money"
            )
    from aiuteur_desktop import cli_editor

    cli_editor.add_parsers(sub)
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
    return parser


def _fail(command: str, message: str, code: int = 2) -> int:
    print(f"aiuteur {command}: {message}" if command else f"aiuteur: {message}", file=sys.stderr)
    return code


def _bundle(path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.suffix == ".aiuteur" else p.with_name(p.name + ".aiuteur")


def _resolve_project(value: str) -> str:
    """`--project`: a path is taken where it says; a bare name ("My Film") is the project of
    that name in the projects folder, unless the current folder holds one."""
    bundle = _bundle(value)
    bare = not any(sep in value for sep in ("/", os.sep, os.altsep or "/", "~"))
    if not bare or bundle.exists():
        return str(bundle)
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library

    try:
        library = Library()
    except AiuteurError:
        return str(bundle)
    try:
        return str(library.projects_dir() / bundle.name)
    finally:
        library.close()


def _remember(bundle: Path) -> None:
    """A project the command line made or used is on the dashboard, as the app's are."""
    import logging

    from aiuteur_desktop.core.library import Library

    try:
        library = Library()
    except Exception:  # the command's work is done; the listing is a courtesy
        logging.getLogger(__name__).warning("could not list %s on the dashboard", bundle)
        return
    try:
        library.remember(bundle)
    finally:
        library.close()


def _cmd_script_import(file: str, project_path: str) -> int:
    from aiuteur_desktop.core import master_script, mode_d
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.formats import fountain
    from aiuteur_desktop.core.formats.documents import read_screenplay
    from aiuteur_desktop.core.store import Project

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
    from aiuteur_desktop.core import headings
    from aiuteur_desktop.core.screenplay import SCENE_HEADING

    first = next((i for i, e in enumerate(play.elements) if e.type == SCENE_HEADING), 0)
    if first and scenes and scenes[0].kind != headings.OPENING:
        print(
            "What comes before the first scene heading (sections, synopses, notes) is kept in "
            "the script; with nothing on screen, it is not a scene."
        )
    if matching.matched or matching.gone:
        print(master_script.matching_summary(matching))
    return 0


def _open_script(command: str, project_path: str):  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core import master_script
    from aiuteur_desktop.core.store import Project

    bundle = _bundle(project_path)
    if not bundle.exists():
        raise LookupError(f"there is no project at {bundle}")
    with Project.open(bundle) as project:
        play = master_script.current(project)
    if play is None:
        raise LookupError(f"{bundle.name} has no Master Script yet")
    return play


def _cmd_script_export(project_path: str, fmt: str, out: str) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.formats import fdx, fountain, pdf

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
    import json

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
    import json

    from aiuteur_desktop.core import assets
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.store import Project

    try:
        play = _open_script("assets extract", project_path)
        with Project.open(_bundle(project_path)) as project:
            props = [a for a in assets.all_assets(project) if a["kind"] == "prop"]
    except LookupError as exc:
        return _fail("assets extract", str(exc))
    except AiuteurError as exc:
        return _fail("assets extract", exc.user_message)
    found = assets.extract(play)
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
        kinds = "; ".join(assets.variant_text(v) for v in loc["variants"])
        print(f"location   {loc['name']}  ({kinds})")
    for p in out["props"]:
        print(f"prop       {p['name']}")
    return 0


def _cmd_previz_shot(spec_path: str, out_dir: str, speech: bool) -> int:
    from aiuteur_desktop.core import shotspec
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
        print(f"aiuteur previz: cannot write to {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    voice = "scratch dialogue" if info.speech else "silent audio"
    if speech and spec.dialogue and not info.speech and tts.available() is None:
        voice += " (no speech engine found: install espeak-ng)"
    print(f"{out / 'clip.mp4'}: {info.width}×{info.height}, {info.duration:g} s, {voice}")
    return 0


def _shot_list(command: str, project_path: str):  # type: ignore[no-untyped-def]
    """The film as its active Story Timeline shows it: Stage 7's edited lists where there are
    any, the shot timing elsewhere — in the editor's cut where the timeline has one."""
    from aiuteur_desktop.core import cut
    from aiuteur_desktop.core.store import Project

    _open_script(command, project_path)  # says "no project" / "no Master Script" plainly
    with Project.open(_bundle(project_path)) as project:
        return cut.film(project)


def _cmd_shots(project_path: str, as_json: bool) -> int:
    import json

    from aiuteur_desktop.core.errors import AiuteurError

    try:
        film = _shot_list("shots", project_path)
    except LookupError as exc:
        return _fail("shots", str(exc))
    except AiuteurError as exc:
        return _fail("shots", exc.user_message)
    rows = [*film.shots, *film.omitted]
    placed = {id(p.shot): p for p in film.placed}
    if as_json:
        out = [
            {
                "scene": s.scene_label,
                "scene_id": s.scene_id,
                "shot": s.id,
                "label": s.label,
                "kind": s.kind,
                "duration": s.duration,
                "timing": s.timing,
                "setting": s.setting,
                "action": s.action,
                "dialogue": [
                    {
                        "character": d.character,
                        "parenthetical": d.parenthetical,
                        "text": d.text,
                        "off_screen": d.off_screen,
                    }
                    for d in s.dialogue
                ],
                "characters": list(s.characters),
                "camera": {"size": s.shot_size, "angle": s.angle, "move": s.move},
                "transition": s.transition,
            }
            | _in_cut(film, placed.get(id(s)))
            for s in rows
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if film.source:
        print(f"The editor's cut from {film.source} (this Story Timeline's order and lengths)")
    for p in film.placed:
        s, seconds = p.shot, film.seconds(p)
        print(f"{s.label:>6} {seconds:g} s  {s.shot_size:<3} {s.summary()[:90]}")
    total = round(sum(film.seconds(p) for p in film.placed))
    print(f"{len(film.placed):,} shots, {total // 60}:{total % 60:02d}")
    if film.omitted:
        labels = ", ".join(s.label for s in film.omitted[:12])
        more = len(film.omitted) - 12
        tail = f" and {more:,} more" if more > 0 else ""
        print(f"Omitted in the editor's cut ({len(film.omitted):,}): {labels}{tail}")
    return 0


def _in_cut(film, p) -> dict:  # type: ignore[no-untyped-def]
    """A row's place in the editor's cut, where the timeline has one: its in-point and
    length, or that the editor dropped it."""
    if not film.source:
        return {}
    if p is None:
        return {"omitted": True}
    frames = p.frames or round(p.shot.duration * film.fps)
    return {
        "omitted": False,
        "cut": {"first": p.first, "frames": frames, "seconds": round(frames / film.fps, 3)},
    }


def _cmd_animatic(project_path: str, out_dir: str, width: int, speech: bool) -> int:
    from aiuteur_desktop.core import assets
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.offline import reel, tts

    if not 160 <= width <= 3840:
        return _fail("animatic", "--width must be between 160 and 3840")
    try:
        film = _shot_list("animatic", project_path)
        rows = film.shots
        trims = [(p.first, p.frames) for p in film.placed]
        with Project.open(_bundle(project_path)) as project:
            people, places = assets.image_keys(project)
            title = project.name
    except LookupError as exc:
        return _fail("animatic", str(exc))
    except AiuteurError as exc:
        return _fail("animatic", exc.user_message)
    from aiuteur_desktop.cli_progress import Meter

    seconds = sum(s.duration for s in rows)
    print(f"Rendering {len(rows):,} shots ({seconds // 60}:{seconds % 60:02d})…", file=sys.stderr)
    meter = Meter()
    try:
        made = reel.render_reel(
            rows,
            Path(out_dir).expanduser(),
            title=title,
            width=width,
            speech=speech,
            images=people,
            locations=places,
            progress=meter.progress,
            on_step=meter.step,
            trims=trims if film.source else None,
        )
    except AiuteurError as exc:
        meter.done()
        return _fail("animatic", exc.user_message)
    except OSError as exc:
        meter.done()
        return _fail("animatic", f"cannot write to {out_dir}: {exc.strerror or exc}", 1)
    meter.done()
    kept = f" ({made.reused:,} drawn before, reused)" if made.reused else ""
    print(f"{made.film}: {len(made.clips):,} shots{kept}, {made.seconds:g} s")
    for path in (*made.timelines, made.storyboard):
        if path is not None:
            print(path)
    if speech and not made.speech and tts.available() is None:
        print("No speech engine found (install espeak-ng): the clips are silent.", file=sys.stderr)
    if film.source:
        print(f"In the editor's cut from {film.source}; {len(film.omitted):,} shot(s) omitted.")
    if made.missing_keys:
        more = len(made.missing_keys) - 5
        who = ", ".join(made.missing_keys[:5]) + (f" and {more:,} more" if more > 0 else "")
        print(f"Drawn as figures (no picture as their image key yet): {who}", file=sys.stderr)
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


def _cmd_spend(project_path: str | None, as_json: bool, *, confirm: bool = False) -> int:
    from aiuteur_desktop.core import spend
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library

    bundle = _bundle(project_path) if project_path else None
    if bundle is not None and not bundle.exists():
        return _fail("spend", f"there is no project at {bundle}")
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
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        print("\n".join(spend.lines(data)))
        if confirm and stopped:
            print("Confirmed: paid work may go on.")
        elif stopped:
            print(stopped)
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


def _log_to_file() -> None:
    """A headless command logs to aiuteur.log as the app does: its stderr is its one line
    (a warning logged on the way, e.g. an integrity report, does not reach it)."""
    import logging

    from aiuteur_desktop.core.logs import setup_logging

    try:
        setup_logging()
    except OSError:
        logging.getLogger().addHandler(logging.NullHandler())


def _run(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        from aiuteur_desktop import doctor

        return doctor.main()
    if args.command is not None:
        _log_to_file()
    if args.command not in (None, "gui") and getattr(args, "project", None):
        args.project = _resolve_project(args.project)
        code = _dispatch(args)
        _remember(_bundle(args.project))
        return code
    return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
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
        return _cmd_animatic(args.project, args.out, args.width, not args.no_speech)
    if args.command == "spend":
        return _cmd_spend(args.project, args.json, confirm=args.confirm)
    if args.command in ("export", "conform", "archive", "unarchive"):  # cli_editor.COMMANDS
        from aiuteur_desktop import cli_editor

        return cli_editor.run(args)
    if args.command in ("visuals", "prompts", "frames", "checkout", "render"):
        from aiuteur_desktop import cli_scenes
    if args.command == "checkout":
        return cli_scenes.cmd_checkout(
            args.project, args.scene, args.provider, not args.no_audio, args.json
        )
    if args.command == "render":
        return cli_scenes.cmd_render(
            args.project, args.scene, args.provider, not args.no_audio, args.yes, args.json
        )
    if args.command == "frames":
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
        from aiuteur_desktop.core.logs import setup_logging

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
