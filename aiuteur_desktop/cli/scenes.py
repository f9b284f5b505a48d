"""The headless commands of the scene stages (8–12): `visuals`, `prompts`, `frames`,
`checkout`, `render` — what the Visuals, Prompts, Frames, Confirm and Review pages do, for
one scene, in one line on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.cli.common import _bundle, _fail, _open_script
from aiuteur_desktop.core.money import spend
from aiuteur_desktop.core.production import scene_style


def _scene_of(command: str, project_path: str, scene: str) -> tuple[Path, str]:
    """The bundle and the id of `scene` — a scene number as the script prints it ("3",
    "12A") or a scene id ("s3"); LookupError in plain words otherwise."""
    from aiuteur_desktop.core.errors import GateClosed
    from aiuteur_desktop.core.pipeline.actions import scene_in

    play = _open_script(command, project_path)
    try:
        return _bundle(project_path), scene_in(play, scene)
    except GateClosed as exc:
        raise LookupError(exc.user_message) from exc


def cmd_visuals(project_path: str, scene: str, as_json: bool) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.production import visuals
    from aiuteur_desktop.core.store import Project

    try:
        bundle, scene_id = _scene_of("visuals", project_path, scene)
        with Project.open(bundle) as project:
            items = visuals.elements(project, scene_id)
            gate = visuals.gate(project, scene_id, items)
            style = scene_style.of(project, scene_id)
    except LookupError as exc:
        return _fail("visuals", str(exc))
    except AiuteurError as exc:
        return _fail("visuals", exc.user_message)
    if as_json:
        out = {
            "scene": scene_id,
            "style": {"library": style.get("library", ""), "own": bool(style.get("own"))},
            "ready": gate is None,
            "gate": gate,
            "elements": [visuals.as_json(e) for e in items],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    for kind, label in (("character", "Characters"), ("location", "Locations"), ("prop", "Props")):
        group = [e for e in items if e.kind == kind]
        if not group:
            continue
        print(label)
        for e in group:
            tags = f" [{', '.join(c.tag + ('↦' if c.carries else '') for c in e.conditions)}]"
            where = f" from {e.first_shot}" if e.first_shot else " (added)"
            print(
                f"  {e.name}{where} · {e.source_label} · {e.review}{tags if e.conditions else ''}"
            )
            if e.description:
                print(f"    {e.description[:200]}")
    print(gate or "Ready: every starting look is locked.")
    return 0


def cmd_prompts(project_path: str, scene: str, as_json: bool, with_scaffold: bool) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.production import prompts, visuals
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry

    try:
        bundle, scene_id = _scene_of("prompts", project_path, scene)
        library = Library()
        try:
            settings = library.load_settings()
        finally:
            library.close()
        registry = Registry(settings)
        models = registry.video_models()
        with Project.open(bundle) as project:
            sets = prompts.prompt_sets(
                project, scene_id, models, settings.models.video, with_scaffold=with_scaffold
            )
            gate = visuals.gate(project, scene_id)
    except LookupError as exc:
        return _fail("prompts", str(exc))
    except AiuteurError as exc:
        return _fail("prompts", exc.user_message)
    if as_json:
        out = {
            "scene": scene_id,
            "ready": gate is None,
            "gate": gate,
            "video_model": settings.models.video,
            "shots": [prompts.as_json(s, with_scaffold=with_scaffold) for s in sets],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if gate:
        print(f"Not ready: {gate}")
    if with_scaffold and sets:
        hidden = sets[0].scaffold or prompts.scaffold()
        print(f"System scaffold (frame):\n{hidden['frame']}\n")
        print(f"System scaffold (video):\n{hidden['video']}\n")
    for s in sets:
        print(f"Shot {s.label} · {s.frames_label} · {s.status.value}")
        print("  Start frame prompt:\n    " + s.start_frame.replace("\n", "\n    "))
        if s.end_frame:
            print("  End frame prompt:\n    " + s.end_frame.replace("\n", "\n    "))
        print("  Video prompt:\n    " + s.video)
        print("  Takes it: " + (", ".join(s.compatible) or "no configured video model"))
        for w in s.warnings:
            print(f"  ⚠ {w}")
    return 0


def _ask_to_pay(
    project: Any,
    scene_id: str,
    mode: str,
    approve: bool,
    model: str,
    source: Any,
    yes: bool,
) -> None:
    """The estimate before anything is sent: refused without --yes when it costs money."""
    from aiuteur_desktop.core.operations import scene_runs

    count, each = scene_runs.frames_price(project, scene_id, mode, approve, model, source)
    total = each * count
    if total > 0 and not yes:
        raise _Refused(
            f"making {count} frame{'s' * (count != 1)} with {model} costs about ${total:,.2f} "
            f"(${each:,.3f} each); run again with --yes to confirm and pay for it"
        )


def cmd_frames(
    project_path: str,
    scene: str,
    mode: str,
    start_only: bool,
    approve: bool,
    as_json: bool,
    *,
    yes: bool = False,
    again: bool = False,
) -> int:
    """Make the scene's missing or outdated frames with the configured image model (offline
    by default): Quick all of them; Control in chain order, each approved before the next
    with --approve (without it, the next frame only, then it waits for your approval).
    When the model costs money, the estimate comes first and nothing is sent without --yes;
    a frame whose last request may have been charged is skipped (and named) unless --again
    asks for it — a new charge."""
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.operations import scene_runs
    from aiuteur_desktop.core.production import frames
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry, image_model
    from aiuteur_desktop.providers.startup import register_all

    try:
        bundle, scene_id = _scene_of("frames", project_path, scene)
        library = Library()
    except LookupError as exc:
        return _fail("frames", str(exc))
    except AiuteurError as exc:
        return _fail("frames", exc.user_message)
    register_all()
    try:
        settings = library.load_settings()
        source = Registry(settings)
        model = image_model(settings)
        with Project.open(bundle) as project:
            operations.share(project)
            try:
                now = frames.mode_of(project, scene_id) or {}
                if (now.get("mode"), bool(now.get("start_only"))) != (mode, start_only):
                    frames.set_mode(project, scene_id, mode, start_only=start_only)
                _ask_to_pay(project, scene_id, mode, approve, model, source, yes)
                out = scene_runs.make_frames(
                    library.jobs, settings.budget, project, scene_id, mode=mode,
                    approve=approve, model=model, source=source, again=again,
                )  # fmt: skip
            finally:
                operations.unshare(project)
    except _Refused as exc:
        return _fail("frames", str(exc))
    except AiuteurError as exc:
        return _fail("frames", exc.user_message)
    finally:
        library.close()
    made, waiting, report = out["made"], out["waiting"], out["frames"]
    if waiting and not made and not any(r["media"] for r in report):
        return _fail("frames", waiting)  # nothing could be made: say why, in one line
    if as_json:
        print(json.dumps({"scene": scene_id, "mode": mode, **out}, indent=2, ensure_ascii=False))
        return 0
    for r in report:
        mark = "✓" if r["approved"] else ("●" if r["media"] else "○")
        flags = "".join(f"\n    ⚠ {f}" for f in (r.get("drift") or {}).get("flags", []))
        print(f"{mark} {r['label']:>6} {r['frame']:<5} {r['status']}{flags}")
    print(f"Made {len(made)} frame{'s' * (len(made) != 1)}." + (f" {waiting}" if waiting else ""))
    return 0


def _video_model(settings: Any, provider: str | None) -> str:
    """`--provider`: offline (the default), "configured" (Settings → Models → Video) or a
    model id ("google:veo-3.1-generate-001")."""
    chosen = (provider or "offline").strip()
    if chosen == "offline":
        return "offline:animatic"
    if chosen == "configured":
        return str(settings.models.video or "offline:animatic")
    if ":" not in chosen:
        raise LookupError(
            f"--provider takes offline, configured or a model id such as "
            f"google:veo-3.1-generate-001 (not {chosen!r})"
        )
    return chosen


def _checkout_lines(data: dict) -> list[str]:
    out = []
    for x in data["lines"]:
        price = "price unknown" if x["price"] is None else f"${x['price']:,.2f}"
        frames = "start + end" if x["end_frame"] else "start only"
        own = f"  with {x['model']}" if x["model"] != data["model"] else ""
        out.append(f"  {x['label']:>6}  {x['duration']:>4.0f} s  {frames:<11}  {price}{own}")
        for flag in x["drift"]:
            out.append(f"          ⚠ {flag}")
        if x["notice"]:
            out.append(f"          {x['notice']}")
    total = data["total"]
    room = data["caps"]["room"]
    out.append(
        f"Scene {data['label']} with {data['model']}: "
        + ("price unknown" if total is None else f"${total:,.2f}")
        + f" · spent on this project ${data['spent']['project']:,.2f}"
        + ("" if room is None else f" · the caps leave ${room:,.2f}")
    )
    if data["frozen"]:
        out.append(f"Confirmed for render (version {data['confirmed']['version']}).")
    elif data["confirmed"]:
        changed = ", ".join(data["changed_since_confirmed"]) or "the model or sound"
        out.append(f"Changed since it was confirmed: {changed}. Rendering again is charged again.")
    if data["waiting"]:
        out.append(data["waiting"])
    return out


class _Refused(Exception):
    """A headless command cannot go on: the one line to print."""


@dataclass
class _Scene:
    library: Any
    settings: Any
    source: Any
    project: Any
    scene_id: str
    bundle: str
    checkout: Any


def _per_shot(
    project: Any,
    scene_id: str,
    source: Any,
    settings: Any,
    asked: list[str],
    cheapest: bool,
    audio: bool,
) -> dict[str, str]:
    """Shot id → its own model: `--cheapest` (each shot's cheapest paid fit), then each
    `--shot-model 3B=MODEL` ("3B" or the shot's id "B"). LookupError for a shot or a
    model that is not there."""
    from aiuteur_desktop.core.production import alternatives
    from aiuteur_desktop.core.production.shots import shot_list

    own: dict[str, str] = {}
    if cheapest:
        for o in alternatives.for_scene(
            project, scene_id, source, source.video_models(), audio=audio
        ):
            if o.recommended is not None:
                own[o.shot] = o.recommended.model
    shots = shot_list.current(project, scene_id)
    for item in asked:
        name, _eq, model = item.partition("=")
        shot = next((s for s in shots if name.strip().upper() in (s.label, s.id)), None)
        if shot is None or not model.strip():
            raise LookupError(
                f"--shot-model takes SHOT=MODEL with a shot of this scene "
                f"({', '.join(s.label for s in shots)}), not {item!r}"
            )
        own[shot.id] = _video_model(settings, model)
    return own


@contextmanager
def _checkout_of(
    command: str,
    project_path: str,
    scene: str,
    provider: str | None,
    audio: bool,
    shot_models: list[str] | None = None,
    cheapest: bool = False,
) -> Iterator[_Scene]:
    """The scene's checkout for the video model `--provider` names (and the shots'
    own models), the project open and shared with the operations; every refusal (a bad
    scene, a damaged project, a job's AiuteurError) as `_Refused` with its one line."""
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.production import checkout
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.providers.registry import Registry
    from aiuteur_desktop.providers.startup import register_all

    try:
        bundle, scene_id = _scene_of(command, project_path, scene)
        library = Library()
    except LookupError as exc:
        raise _Refused(str(exc)) from exc
    except AiuteurError as exc:
        raise _Refused(exc.user_message) from exc
    register_all()
    try:
        settings = library.load_settings()
        model = _video_model(settings, provider)
        source = Registry(settings)
        money = spend.Money.of(library.jobs, settings.budget, str(bundle))
        with Project.open(bundle) as project:
            operations.share(project)
            try:
                own = _per_shot(
                    project, scene_id, source, settings, shot_models or [], cheapest, audio
                )
                c = checkout.for_model(
                    project, scene_id, source, model, audio=audio, money=money, per_shot=own
                )
                yield _Scene(library, settings, source, project, scene_id, str(bundle), c)
            finally:
                operations.unshare(project)
    except LookupError as exc:
        raise _Refused(str(exc)) from exc
    except AiuteurError as exc:
        raise _Refused(exc.user_message) from exc
    finally:
        library.close()


def cmd_checkout(
    project_path: str,
    scene: str,
    provider: str | None,
    audio: bool,
    as_json: bool,
    *,
    alternatives: bool = False,
    shot_models: list[str] | None = None,
    cheapest: bool = False,
) -> int:
    """Stage 11: the scene's lines, totals and whether it is confirmed (changes nothing);
    with `alternatives`, each shot priced with every video model set up instead."""
    from aiuteur_desktop.core.production import alternatives as options
    from aiuteur_desktop.core.production import checkout

    try:
        with _checkout_of(
            "checkout", project_path, scene, provider, audio, shot_models, cheapest
        ) as s:
            if alternatives:
                models = s.source.video_models()
                shots = options.for_scene(s.project, s.scene_id, s.source, models, audio=audio)
                data = {"scene": s.scene_id, "shots": [x.to_json() for x in shots]}
            else:
                data = checkout.as_json(s.checkout)
    except _Refused as exc:
        return _fail("checkout", str(exc))
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif alternatives:
        print("\n".join(_alternative_lines(data)))
    else:
        print("\n".join(_checkout_lines(data)))
    return 0


def _alternative_lines(data: dict) -> list[str]:
    out = []
    for shot in data["shots"]:
        frames = "start + end" if shot["frames"] == "start+end" else "start only"
        out.append(f"{shot['label']:>6}  {shot['duration']:g} s  {frames}")
        for o in shot["options"]:
            price = "price unknown" if o["price"] is None else f"${o['price']:,.2f}"
            mark = "★" if o["model"] == shot["recommended"] else ("✓" if o["takes"] else "✗")
            why = f" — {o['why']}" if o["why"] else ""
            out.append(f"        {mark} {o['label']:<34} {price:>13}{why}")
    out.append("★ the cheapest paid model that takes the shot as it is.")
    return out


def cmd_render(
    project_path: str,
    scene: str,
    provider: str | None,
    audio: bool,
    yes: bool,
    as_json: bool,
    *,
    shot_models: list[str] | None = None,
    cheapest: bool = False,
) -> int:
    """Stage 11 → 12: confirm the scene (when it is not, or changed) and render every
    confirmed shot that has no take of this confirmation yet, one job each, with the app's
    money rules. Prints the estimate first; refuses without --yes when it costs money."""
    from aiuteur_desktop.core.operations import scene_runs
    from aiuteur_desktop.core.production import checkout

    try:
        with _checkout_of(
            "render", project_path, scene, provider, audio, shot_models, cheapest
        ) as s:
            c, project, scene_id = s.checkout, s.project, s.scene_id
            if not as_json:
                print("\n".join(_checkout_lines(checkout.as_json(c))))
            if c.waiting or c.over_cap:
                raise _Refused(c.waiting or c.over_cap)
            if (c.total or 0) > 0 and not yes:
                raise _Refused(
                    f"rendering scene {c.label} costs about ${c.total:,.2f}; run again with "
                    "--yes to confirm and pay for it"
                )
            out = scene_runs.render_scene(
                s.library.jobs, s.settings.budget, project, scene_id, c, s.source
            )
    except _Refused as exc:
        return _fail("render", str(exc))
    rendered, busy = out["rendered"], out["waiting_on"]
    failed = [r for r in rendered if r["state"] != "succeeded"]
    if as_json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for r in rendered:
            print(f"  {r['shot']:>4}  {r['state']}" + (f" — {r['error']}" if r["error"] else ""))
        if busy:
            print(f"Already on their way (see the Jobs page): shots {', '.join(busy)}.")
        for said in out["already_on_their_way"]:
            print(said)
        print(f"Rendered {len(rendered) - len(failed)} of {len(rendered)} shot(s).")
    if failed:
        return _fail("render", f"shot {failed[0]['shot']}: {failed[0]['error']}")
    return 0
