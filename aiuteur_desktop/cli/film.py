"""`aiuteur shots` and `aiuteur animatic`: the film as its active Story Timeline shows it —
the editor's cut where conform made one."""

from __future__ import annotations

import sys
from pathlib import Path

from aiuteur_desktop.cli.common import _bundle, _fail, _open_script, _write_failed


def _shot_list(command: str, project_path: str):  # type: ignore[no-untyped-def]
    """The film as its active Story Timeline shows it: Stage 7's edited lists where there are
    any, the shot timing elsewhere — in the editor's cut where the timeline has one."""
    from aiuteur_desktop.core.production import cut
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


def _cmd_animatic(
    project_path: str, out_dir: str, width: int, speech: bool, codec: str = "source"
) -> int:
    from aiuteur_desktop.core.assets import masters
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
            people, places = masters.image_keys(project)
            title = project.name
    except LookupError as exc:
        return _fail("animatic", str(exc))
    except AiuteurError as exc:
        return _fail("animatic", exc.user_message)
    from aiuteur_desktop.cli.progress import Meter

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
            codec=codec,
        )
    except AiuteurError as exc:
        meter.done()
        return _fail("animatic", exc.user_message)
    except OSError as exc:
        meter.done()
        return _fail("animatic", _write_failed(out_dir, exc), 1)
    meter.done()
    kept = f" ({made.reused:,} drawn before, reused)" if made.reused else ""
    print(f"{made.film}: {len(made.clips):,} shots{kept}, {made.seconds:g} s")
    if codec != "source":
        print(f"Clips for the editor in {codec}: {made.transcoded:,} transcoded now.")
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
