"""The headless commands that take the film to an editor and back: `export` (Pro Export),
`conform` (the editor's timeline back as a new Story Timeline), `archive` and `unarchive`
(a project as one zip with its history) — what File → Export for Editing…, Conform from
Editor… and the project archive do, in one line on bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aiuteur_desktop.cli import scenes
from aiuteur_desktop.cli.common import _bundle, _fail

COMMANDS = ("export", "conform", "archive", "unarchive")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser(
        "export", help="Pro Export: the approved takes, timelines and a manifest for an editor"
    )
    export.add_argument("--project", required=True, help="the project bundle")
    export.add_argument("-o", "--out", required=True, help="the folder to write")
    export.add_argument("--scene", help="only this scene (its number or id)")
    export.add_argument(
        "--zip", action="store_true", help="write one OUT.zip instead of the folder"
    )
    export.add_argument(
        "--animatic", action="store_true", help="every shot's animatic clip, not its take"
    )
    add_codec_argument(export)
    export.add_argument("--json", action="store_true", help="machine-readable output")
    conform = sub.add_parser(
        "conform", help="bring an editor's timeline back as a new Story Timeline"
    )
    conform.add_argument("--project", required=True, help="the project bundle")
    conform.add_argument("file", help="the edited timeline: .xml, .fcpxml, .edl or .otio")
    conform.add_argument("--dry-run", action="store_true", help="print the report, change nothing")
    conform.add_argument("--json", action="store_true", help="machine-readable output")
    packed = sub.add_parser("archive", help="the project with its history as one .zip")
    packed.add_argument("--project", required=True, help="the project bundle")
    packed.add_argument("-o", "--out", required=True, help="the .zip to write")
    packed.add_argument("--json", action="store_true", help="machine-readable output")
    unpacked = sub.add_parser("unarchive", help="import a project archive as a new project")
    unpacked.add_argument("file", help="the project archive (.zip)")
    unpacked.add_argument("--into", help="the folder to import into (default: the projects folder)")
    unpacked.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    if args.command == "export":
        return cmd_export(
            args.project,
            args.out,
            args.scene,
            args.json,
            as_zip=args.zip,
            animatic=args.animatic,
            codec=args.codec,
        )
    if args.command == "archive":
        return cmd_archive(args.project, args.out, args.json)
    if args.command == "unarchive":
        return cmd_unarchive(args.file, args.into, args.json)
    return cmd_conform(args.project, args.file, args.dry_run, args.json)


def cmd_export(
    project_path: str,
    out: str,
    scene: str | None,
    as_json: bool,
    *,
    as_zip: bool = False,
    animatic: bool = False,
    codec: str = "source",
) -> int:
    """Pro Export of the active branch (or one scene): clips as rendered (animatic where a
    shot has no take), timelines, stems, frames, prompts, manifest.json and CONTENTS.txt into
    `out` (or `out`.zip)."""
    from aiuteur_desktop.cli.progress import Meter
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.export import pro_export
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry
    from aiuteur_desktop.providers.startup import register_all

    register_all()
    meter = Meter(quiet=as_json)
    try:
        bundle, scene_id = (
            scenes._scene_of("export", project_path, scene)
            if scene
            else (_bundle(project_path), None)
        )
        with Project.open(bundle) as project:
            done = pro_export.export(
                project,
                Path(out),
                source=Registry(),
                scene=scene_id,
                as_zip=as_zip,
                animatic=animatic,
                codec=codec,
                progress=meter.progress,
                on_step=meter.step,
            )
    except LookupError as exc:
        meter.done()
        return _fail("export", str(exc))
    except AiuteurError as exc:
        meter.done()
        return _fail("export", exc.user_message)
    meter.done()
    if as_json:
        data = {
            "folder": str(done.folder),
            "zip": str(done.zip) if done.zip else None,
            "clips": done.clips,
            "animatic": done.animatic,
            "stems": done.stems,
            "timelines": [p.name for p in done.timelines],
            "codec": done.codec.describe(),
            "transcoded": done.transcoded,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    takes = sum(1 for c in done.clips if c["kind"] == "take")
    where = done.zip or done.folder
    print(
        f"Wrote {len(done.clips):,} clips ({takes:,} take{'s' * (takes != 1)}, "
        f"{len(done.animatic):,} animatic) and {len(done.timelines)} timelines to {where}."
    )
    if done.animatic:
        print(f"No take yet for {shot_count(done.animatic)} — the animatic stands in.")
    if done.codec.transcodes:
        again = len(done.clips) - done.transcoded
        print(
            f"Clips as {done.codec.label}: {done.transcoded:,} transcoded now"
            + (f", {again:,} from earlier exports." if again else ".")
        )
    print("Every clip, with its file: manifest.json in the export, or --json.")
    return 0


def add_codec_argument(parser: argparse.ArgumentParser) -> None:
    """`--codec`: the clips as rendered, or in an editor's codec (`transcode.CODECS`)."""
    from aiuteur_desktop.core.media.transcode import CODECS

    parser.add_argument(
        "--codec",
        choices=list(CODECS),
        default="source",
        help="the clips as rendered (source: H.264/AAC), or ProRes 422 HQ (.mov) or DNxHR HQ "
        "(.mov or .mxf) with PCM 48 kHz 24-bit sound, for editors that cannot read H.264/AAC",
    )


def shot_count(labels: list[str], show: int = 8) -> str:
    """ "3 shots: 1A, 1B, 2A", or "1,537 shots" when a list would be a wall of text."""
    n = len(labels)
    head = f"{n:,} shot{'s' * (n != 1)}"
    return f"{head} ({', '.join(labels)})" if n <= show else head


def cmd_conform(project_path: str, file: str, dry_run: bool, as_json: bool) -> int:
    """The editor's cut: the report, then (unless --dry-run) a new Story Timeline with it."""
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.export import conform
    from aiuteur_desktop.core.store import Project

    bundle = _bundle(project_path)
    if not bundle.is_dir():
        return _fail("conform", f"there is no project at {bundle}")
    try:
        with Project.open(bundle) as project:
            report = conform.read_edit(project, Path(file))
            branch = None if dry_run else conform.apply(project, report)
    except AiuteurError as exc:
        return _fail("conform", exc.user_message)
    if as_json:
        print(json.dumps({**report.as_json(), "branch": branch}, indent=2, ensure_ascii=False))
        return 0
    for p in report.placed:
        flag = "  (trimmed past the take's end)" if p.beyond else ""
        print(f"  {p.label:>6}  {p.frames / report.fps:6.2f} s  {p.name}{flag}")
    if report.removed:
        print(f"Dropped by the editor (kept, marked omitted): {', '.join(report.removed)}")
    if report.restored:
        print(f"Brought back by the editor: {', '.join(report.restored)}")
    if report.unknown:
        print(f"Not Aiuteur's clips (left out): {', '.join(report.unknown)}")
    print(report.summary())
    if branch:
        print(f"Applied on a new Story Timeline “{branch}”; the one it came from is unchanged.")
    else:
        print("Dry run: nothing changed. Run again without --dry-run to apply.")
    return 0


def cmd_archive(project_path: str, out: str, as_json: bool) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.export import archive

    bundle = _bundle(project_path)
    target = Path(out)
    if target.suffix.lower() != ".zip":
        target = target.with_name(target.name + ".zip")
    if target.exists():
        return _fail("archive", f"{target} exists already: choose another name")
    try:
        written = archive.archive(bundle, target)
    except AiuteurError as exc:
        return _fail("archive", exc.user_message)
    size = written.stat().st_size
    if as_json:
        print(json.dumps({"archive": str(written), "bytes": size}))
    else:
        print(f"Archived {bundle.name} with its history to {written} ({size / 1e6:.1f} MB).")
    return 0


def cmd_unarchive(file: str, into: str | None, as_json: bool) -> int:
    from aiuteur_desktop.cli.common import _remember
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.export import archive
    from aiuteur_desktop.core.library import Library

    try:
        if into:
            parent = Path(into).expanduser()
        else:
            library = Library()
            parent = library.projects_dir()
            library.close()
        done = archive.unarchive(Path(file), parent)
    except AiuteurError as exc:
        return _fail("unarchive", exc.user_message)
    _remember(done.bundle)
    if as_json:
        print(json.dumps({"project": str(done.bundle), "name": done.name, "renamed": done.renamed}))
    else:
        note = " (a project of that name exists: this copy has a new folder name)"
        print(f"Imported “{done.name}” as {done.bundle}{note if done.renamed else ''}.")
    return 0
