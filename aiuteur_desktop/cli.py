"""The `aiuteur` command: the desktop app by default, headless subcommands for scripting."""

from __future__ import annotations

import argparse
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
    return parser


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


def _cmd_new(name: str, directory: str | None) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.store import Project

    library = Library()
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
    if args.command == "doctor":
        from aiuteur_desktop import doctor

        return doctor.main()
    if args.command == "new":
        return _cmd_new(args.name, args.directory)
    if args.command == "previz":
        return _cmd_previz_shot(args.spec, args.out, not args.no_speech)
    from aiuteur_desktop.views.app import run_app

    return run_app(getattr(args, "project", None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
