"""What every `aiuteur` command shares: its one-line failure, the project a `--project`
names (a bare name is the projects folder's), the dashboard's record of it, the Master Script
it holds, and the log file."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _fail(command: str, message: str, code: int = 2) -> int:
    print(f"aiuteur {command}: {message}" if command else f"aiuteur: {message}", file=sys.stderr)
    return code


def _write_failed(out: Path | str, exc: OSError) -> str:
    """What an OSError while writing `out` was: the output's fault only when the file it names
    lies there (a library's missing file is not "cannot write to" the user's folder)."""
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    reason = exc.strerror or str(exc)
    if where is None or where == Path(out) or Path(out) in where.parents:
        return f"cannot write to {out}: {reason}"
    return f"{reason}: {where} (not the output folder; run `aiuteur doctor`)"


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


def _find(project: str) -> Path:
    """The bundle a project's name (as the dashboard lists it) or path names."""
    from aiuteur_desktop.core.library import Library

    if not any(sep in project for sep in ("/", "\\")):
        library = Library()
        try:
            named = [
                e.path
                for e in library.projects()
                if project.lower() in (e.name.lower(), e.path.stem.lower())
            ]
        finally:
            library.close()
        if named:
            return Path(named[0])
    return _bundle(_resolve_project(project))


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


def _open_script(command: str, project_path: str):  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.core.story import master_script

    bundle = _bundle(project_path)
    if not bundle.exists():
        raise LookupError(f"there is no project at {bundle}")
    with Project.open(bundle) as project:
        play = master_script.current(project)
    if play is None:
        raise LookupError(f"{bundle.name} has no Master Script yet")
    return play


def _log_to_file() -> None:
    """A headless command logs to aiuteur.log as the app does: its stderr is its one line
    (a warning logged on the way, e.g. an integrity report, does not reach it)."""
    import logging

    from aiuteur_desktop.core.app.logs import setup_logging

    try:
        setup_logging()
    except OSError:
        logging.getLogger().addHandler(logging.NullHandler())
