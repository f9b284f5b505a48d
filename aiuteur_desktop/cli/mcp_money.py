"""The MCP server's tools that make things — frames, renders, the export — and the rule that
guards them: a call that costs money answers first with its priced plan and a one-time
approval id (`core/money/approvals.py`), and runs only with an id the user approved in the
app, or within the server's `--allow-spend` ceiling. Free calls (the offline engines) run at
once. The caps are checked before every submission as everywhere (`scene_runs`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

NEEDS_APPROVAL = "needs_approval"


def may_spend(
    *,
    spending: Any,
    via: str,
    what: str,
    project: Any,
    scene: str,
    request: dict[str, Any],
    plan: dict[str, Any],
    total: float | None,
    approval_id: str,
) -> dict[str, Any] | None:
    """None when the call may run now (free, approved, or within the ceiling); else the
    answer to give the agent: the plan waiting on the user's approval. Raises ToolError when
    it is refused (an id that cannot run, the ceiling)."""
    from mcp.server.mcpserver.exceptions import ToolError

    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.core.money.approvals import NotApproved

    if total is not None and total <= 0 and not approval_id:
        return None  # free: the offline engines
    library = Library()
    try:
        if approval_id:
            try:
                library.approvals.use(
                    approval_id, what=what, project=str(project.path), scene=scene,
                    request=request, total=total,
                )  # fmt: skip
            except NotApproved as exc:
                raise ToolError(f"Not sent: {exc.user_message}") from exc
            return None
        if spending.ceiling is not None:
            if total is None:
                raise ToolError(
                    "Not sent: its price is unknown, so the --allow-spend ceiling cannot cover "
                    "it. Set a price for the model in the app first."
                )
            why = spending.take(total)
            if why:
                raise ToolError(f"Not sent: {why}.")
            return None
        asked = library.approvals.ask(
            agent=via, what=what, project=str(project.path), scene=scene,
            request=request, plan=plan, total=total,
        )  # fmt: skip
    finally:
        library.close()
    price = "an unknown price" if total is None else f"${total:,.2f}"
    return {
        "status": NEEDS_APPROVAL,
        "approval_id": asked.id,
        "plan": plan,
        "message": (
            f"Nothing was sent. This costs {price}: the user approves or declines it in "
            f"Aiuteur (a notice shows the plan). Once approved, call {what} again with "
            f"approval_id={asked.id!r}; approval_status tells where it stands."
        ),
    }


def add_tools(
    server: Any,
    *,
    opened: Callable[..., Any],
    guarded: Callable[[Callable[[], Any]], Any],
    spending: Any,
    via: str,
) -> None:
    from aiuteur_desktop.core.errors import GateClosed
    from aiuteur_desktop.core.pipeline import actions
    from aiuteur_desktop.core.story import master_script

    @server.tool()
    def make_frames(
        project: str, scene: str, mode: str = "quick", approve: bool = False, approval_id: str = ""
    ) -> dict[str, Any]:
        """Stage 10: make the scene's missing or outdated anchor frames with the app's image
        model (the free offline storyboard unless the user chose another). mode "quick" makes
        all; "control" the next one (or each, approved before the next, with approve=true).
        A paid model answers first with a plan and an approval_id (see approval_status)."""
        from aiuteur_desktop.core import operations
        from aiuteur_desktop.core.library import Library
        from aiuteur_desktop.core.money import spend
        from aiuteur_desktop.core.operations import scene_runs
        from aiuteur_desktop.core.production import frames
        from aiuteur_desktop.providers.registry import Registry, image_model

        if mode not in (frames.QUICK, frames.CONTROL):
            from mcp.server.mcpserver.exceptions import ToolError

            raise ToolError(f'mode is "quick" or "control", not {mode!r}.')

        def run() -> dict[str, Any]:
            library = Library()
            try:
                settings = library.load_settings()
                source, model = Registry(settings), image_model(settings)
                with opened(project, write=True) as p:
                    scene_id = actions.scene_of(p, scene)
                    operations.share(p)
                    try:
                        now = frames.mode_of(p, scene_id) or {}
                        if now.get("mode") != mode:
                            frames.set_mode(p, scene_id, mode)
                        count, each = scene_runs.frames_price(p, scene_id, mode, approve, model, source)  # fmt: skip
                        total = round(count * each, 6)
                        money = spend.Money.of(library.jobs, settings.budget, str(p.path))
                        over = money.over(total, f"Making {count} frames")
                        if over and total > 0:
                            raise GateClosed(over)
                        label = master_script.label_of(p, scene_id)
                        plan = {
                            "title": f"{count} frame{'s' * (count != 1)} of scene {label} "
                            f"with {model}",
                            "lines": [{"what": f"{count} × frame", "each": each, "price": total}],
                            "total": total,
                            "caps_room": money.room,
                        }
                        request = {"model": model, "mode": mode, "approve": approve}
                        waiting = may_spend(
                            spending=spending, via=via, what="make_frames", project=p,
                            scene=scene_id, request=request, plan=plan, total=total,
                            approval_id=approval_id,
                        )  # fmt: skip
                        if waiting is not None:
                            return waiting
                        out = scene_runs.make_frames(
                            library.jobs, settings.budget, p, scene_id, mode=mode,
                            approve=approve, model=model, source=source,
                        )  # fmt: skip
                        return {"status": "done", "scene": scene_id, **out}
                    finally:
                        operations.unshare(p)
            finally:
                library.close()

        return guarded(run)  # type: ignore[no-any-return]

    @server.tool()
    def render_scene(
        project: str,
        scene: str,
        model: str = "offline",
        audio: bool = True,
        approval_id: str = "",
        shot_models: dict[str, str] | None = None,
        cheapest: bool = False,
    ) -> dict[str, Any]:
        """Stages 11–12: confirm the scene and render every shot from its approved frames.
        model: "offline" (the free animatic engine), "configured" (the app's video model) or
        a model id. shot_models: shots with a model of their own ({"3B": "fal:…"});
        cheapest: each shot with the cheapest paid model set up that takes it. A paid render
        answers first with the priced plan and an approval_id: the user approves it in the
        app, then call again with approval_id."""
        from aiuteur_desktop.cli import scenes
        from aiuteur_desktop.core.operations import scene_runs
        from aiuteur_desktop.core.production import takes

        def run() -> dict[str, Any]:
            try:
                from aiuteur_desktop.cli.common import _find

                where = str(_find(project))
                own = [f"{k}={v}" for k, v in (shot_models or {}).items()]
                with scenes._checkout_of("mcp", where, scene, model, audio, own, cheapest) as s:
                    c, p = s.checkout, s.project
                    p.via = via
                    if c.waiting or c.over_cap:
                        raise GateClosed(c.waiting or c.over_cap)
                    done = (
                        takes.rendered(p, s.scene_id, c.confirmed.version)
                        if c.frozen and c.confirmed is not None
                        else set()
                    )
                    lines = [x for x in c.lines if x.shot not in done]
                    priced = [x.price for x in lines]
                    total = (
                        None
                        if any(x is None for x in priced)
                        else round(sum(x or 0.0 for x in priced), 6)
                    )
                    plan = {
                        "title": f"render {len(lines)} shot{'s' * (len(lines) != 1)} of scene "
                        f"{c.label} with {c.model}",
                        "lines": [
                            {"shot": x.label, "model": x.model, "price": x.price} for x in lines
                        ],
                        "total": total,
                        "caps_room": c.money.room,
                    }
                    request = {"model": c.model, "audio": audio, "per_shot": dict(c.per_shot)}
                    waiting = may_spend(
                        spending=spending, via=via, what="render_scene", project=p,
                        scene=s.scene_id, request=request, plan=plan, total=total,
                        approval_id=approval_id,
                    )  # fmt: skip
                    if waiting is not None:
                        return waiting
                    out = scene_runs.render_scene(
                        s.library.jobs, s.settings.budget, p, s.scene_id, c, s.source
                    )
                    return {"status": "done", **out}
            except scenes._Refused as exc:
                raise GateClosed(str(exc)) from exc

        return guarded(run)  # type: ignore[no-any-return]

    @server.tool()
    def approval_status(approval_id: str) -> dict[str, Any]:
        """Where a spending request stands: pending (waiting on the user), approved (call the
        tool again with its approval_id), declined, or used."""
        from aiuteur_desktop.core.library import Library

        def run() -> dict[str, Any]:
            library = Library()
            try:
                a = library.approvals.get(approval_id)
            finally:
                library.close()
            return {"approval_id": a.id, "state": a.state, "plan": a.plan, "for": a.what}

        return guarded(run)  # type: ignore[no-any-return]

    @server.tool()
    def export_film(
        project: str, out_dir: str, scene: str = "", as_zip: bool = True, codec: str = "source"
    ) -> dict[str, Any]:
        """Pro Export for the user's editor: every shot's take (its animatic where it has
        none), the timelines (.xml for Resolve and Premiere, .fcpxml, .edl, .otio) and a
        manifest, into out_dir (or out_dir.zip). codec: "source" (the takes as rendered,
        H.264/AAC), or "prores" / "dnxhr" (.mov) / "dnxhr-mxf" with PCM sound, for editors
        that cannot read H.264/AAC (DaVinci Resolve on Linux)."""
        from aiuteur_desktop.core.export import pro_export
        from aiuteur_desktop.providers.registry import Registry

        def run() -> dict[str, Any]:
            with opened(project, write=False) as p:
                scene_id = actions.scene_of(p, scene) if scene else None
                done = pro_export.export(
                    p,
                    Path(out_dir).expanduser(),
                    source=Registry(),
                    scene=scene_id,
                    as_zip=as_zip,
                    codec=codec,
                )
            return {
                "folder": str(done.folder),
                "zip": str(done.zip) if done.zip else None,
                "clips": len(done.clips),
                "takes": sum(1 for c in done.clips if c["kind"] == "take"),
                "animatic": done.animatic,
                "timelines": [t.name for t in done.timelines],
                "codec": done.codec.describe(),
                "transcoded": done.transcoded,
            }

        return guarded(run)  # type: ignore[no-any-return]
