"""`aiuteur mcp`: the film's stages as Model Context Protocol tools over stdio, for an AI agent
(Claude Desktop or any MCP client) — with the user's money rules.

The tools are the headless commands' operations (`core/pipeline/actions.py`,
`core/operations/scene_runs.py`); each write is one version in the project's history marked
"(via agent …)". A paid tool never spends on its own: it answers with the priced plan and a
one-time approval id, and runs only once the user approved that plan in the app (the notice
with Approve / Decline) or within the `--allow-spend USD` ceiling the server was started with;
the budget caps hold as everywhere. No tool returns a key or a piece of one: settings hold
none, and keys are read only by the providers that send them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from aiuteur_desktop import __version__
from aiuteur_desktop.cli.common import _find

T = TypeVar("T")

INSTRUCTIONS = """Aiuteur Desktop makes a short film from a screenplay, stage by stage:
approve the Master Script (approve_script), then per scene lock its shot list
(lock_shot_list), lock its characters' and places' starting looks (lock_looks), assemble
its prompts (assemble_prompts), make its start/end frames (make_frames) and render it
(render_scene); export_film writes the editor's timelines. Scenes are named as the script
numbers them ("3", "12A"), shots as "3B". Reads never change anything. Paid calls return a
plan and an approval_id first: the user approves it in the app, then call again with that
approval_id. Nothing is spent without that approval (or the server's --allow-spend ceiling)."""


class Spending:
    """The server's ceiling (`--allow-spend USD`) and what approved calls have used of it."""

    def __init__(self, ceiling: float | None) -> None:
        self.ceiling = ceiling
        self.used = 0.0
        self._lock = threading.Lock()

    def take(self, total: float) -> str:
        """Count `total` against the ceiling ("" when it fits, else why not)."""
        with self._lock:
            if self.ceiling is None:
                return "this server was started without --allow-spend"
            left = self.ceiling - self.used
            if total > left + 1e-9:
                return (
                    f"the plan costs ${total:,.2f} and this server may spend ${left:,.2f} more "
                    f"(--allow-spend {self.ceiling:,.2f}, ${self.used:,.2f} used)"
                )
            self.used += total
            return ""


def build(*, allow_spend: float | None = None, agent: str = "") -> Any:
    """The MCP server with every tool and resource (not started)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.pipeline import actions
    from aiuteur_desktop.providers.startup import register_all

    register_all()
    server = MCPServer(
        "Aiuteur Desktop", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    via = f"agent {agent}".strip() if agent else "agent"
    spending = Spending(allow_spend)

    def guarded(fn: Callable[[], T]) -> T:
        try:
            return fn()
        except AiuteurError as exc:
            raise ToolError(exc.user_message) from exc
        except LookupError as exc:
            raise ToolError(str(exc)) from exc

    @contextmanager
    def opened(project: str, *, write: bool) -> Iterator[Any]:
        from aiuteur_desktop.core.store import Project

        bundle = _find(project)
        if not bundle.exists():
            raise LookupError(f"There is no project {project!r} (list_projects names them).")
        with Project.open(bundle) as p:
            if write:
                p.via = via
            yield p

    def on_scene(project: str, scene: str, fn: Callable[[Any, str], T], write: bool) -> T:
        def run() -> T:
            with opened(project, write=write) as p:
                return fn(p, actions.scene_of(p, scene))

        return guarded(run)

    # ------------------------------------------------------------------ reads
    @server.tool()
    def list_projects() -> list[dict[str, str]]:
        """The projects on the user's dashboard: name and bundle path."""
        from aiuteur_desktop.core.library import Library

        library = Library()
        try:
            return [{"name": e.name, "path": str(e.path)} for e in library.projects()]
        finally:
            library.close()

    @server.tool()
    def list_scenes(project: str) -> list[dict[str, Any]]:
        """The Master Script's scenes: number, heading, who speaks, whether each is locked."""
        from aiuteur_desktop.core.pipeline import gates
        from aiuteur_desktop.core.production.shots import shot_list
        from aiuteur_desktop.core.story import master_script

        def run() -> list[dict[str, Any]]:
            with opened(project, write=False) as p:
                play = master_script.current(p)
                if play is None:
                    raise LookupError(f"{project} has no Master Script yet.")
                approved = gates.gate(p, 5) is None
                return [
                    {
                        "number": s.label,
                        "id": s.id,
                        "heading": s.title,
                        "characters": list(s.characters),
                        "script_approved": approved,
                        "shot_list_locked": shot_list.is_locked(p, s.id),
                    }
                    for s in play.scenes()
                ]

        return guarded(run)

    @server.tool()
    def read_shots(project: str, scene: str) -> dict[str, Any]:
        """A scene's shot list (Stage 7): each shot's id, length, size and what happens."""
        return on_scene(project, scene, actions.shot_rows, False)

    @server.tool()
    def read_looks(project: str, scene: str) -> dict[str, Any]:
        """A scene's characters, locations and props with their starting looks (Stage 8)
        and what stops the scene's prompts, if anything."""
        from aiuteur_desktop.core.production import visuals

        def run(p: Any, s: str) -> dict[str, Any]:
            items = visuals.elements(p, s)
            gate = visuals.gate(p, s, items)
            return {"scene": s, "gate": gate, "looks": [visuals.as_json(e) for e in items]}

        return on_scene(project, scene, run, False)

    @server.tool()
    def read_prompts(project: str, scene: str) -> dict[str, Any]:
        """A scene's Prompt Sets (Stage 9): frame prompts, video prompt, warnings."""
        from aiuteur_desktop.core.production import prompts

        def run(p: Any, s: str) -> dict[str, Any]:
            from aiuteur_desktop.core.library import Library
            from aiuteur_desktop.providers.registry import Registry

            library = Library()
            try:
                settings = library.load_settings()
            finally:
                library.close()
            models = Registry(settings).video_models()
            sets = prompts.prompt_sets(p, s, models, settings.models.video)
            return {
                "scene": s,
                "gate": prompts.gate(p, s),
                "shots": [prompts.as_json(x) for x in sets],
            }

        return on_scene(project, scene, run, False)

    @server.tool()
    def read_frames(project: str, scene: str) -> dict[str, Any]:
        """A scene's anchor frames (Stage 10): made, approved, up to date, drift flags."""
        from aiuteur_desktop.core.production import frames

        def run(p: Any, s: str) -> dict[str, Any]:
            return {
                "scene": s,
                "mode": (frames.mode_of(p, s) or {}).get("mode"),
                "frames": [frames.as_json(x, frames.drift_of(p, s, x)) for x in frames.slots(p, s)],
            }

        return on_scene(project, scene, run, False)

    @server.tool()
    def read_takes(project: str, scene: str) -> dict[str, Any]:
        """A scene's takes and review issues (Stage 12), with where each issue points."""
        return on_scene(project, scene, actions.takes_of, False)

    @server.tool()
    def price_render(
        project: str, scene: str, model: str = "offline", alternatives: bool = False
    ) -> dict[str, Any]:
        """What rendering the scene would cost (Stage 11), line by line, changing nothing:
        `model` is offline (free), configured (the app's video model) or a model id. With
        alternatives=true: each shot priced with every video model set up, why a model does
        not take it, and the cheapest paid one that does ("recommended")."""
        from aiuteur_desktop.core.production import alternatives as options
        from aiuteur_desktop.core.production import checkout

        def each(s: Any) -> dict[str, Any]:
            shots = options.for_scene(s.project, s.scene_id, s.source, s.source.video_models())
            return {"scene": s.scene_id, "shots": [x.to_json() for x in shots]}

        if alternatives:
            return guarded(lambda: _with_checkout(project, model, scene, each, whole=True))
        return guarded(lambda: _with_checkout(project, model, scene, checkout.as_json))

    @server.tool()
    def read_spend(project: str = "") -> dict[str, Any]:
        """What was spent and may be charged, per job, and the caps' room."""
        from aiuteur_desktop.core.library import Library
        from aiuteur_desktop.core.money import spend

        bundle = _find(project) if project else None
        library = Library()
        try:
            return spend.report(library.jobs, library.load_settings().budget, bundle)
        finally:
            library.close()

    # ----------------------------------------------------------------- writes
    @server.tool()
    def import_script(project: str, fountain: str) -> dict[str, Any]:
        """Stage 4 from a screenplay the agent wrote: `fountain` (Fountain text, with scene
        headings such as INT. KITCHEN - NIGHT) becomes the project's Master Script; a new
        project of that name is made in the projects folder when there is none. Approve it
        with approve_script."""
        import tempfile

        from aiuteur_desktop.core.library import Library
        from aiuteur_desktop.core.screenplay.documents import read_screenplay
        from aiuteur_desktop.core.store import Project
        from aiuteur_desktop.core.story import mode_d

        def run() -> dict[str, Any]:
            name = project.strip()
            if not name:
                raise LookupError("Name the project.")
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{Path(name).stem or 'script'}.fountain"
                path.write_text(fountain, encoding="utf-8")
                play = read_screenplay(path)  # the limits and checks of any import
            bundle = _find(name)
            if bundle.exists():
                opened_project = Project.open(bundle)
            else:
                library = Library()
                try:
                    folder = library.projects_dir()
                    folder.mkdir(parents=True, exist_ok=True)
                    opened_project = Project.create(folder, name)
                    library.register_project(opened_project.path, opened_project.name)
                finally:
                    library.close()
            with opened_project as p:
                p.via = via
                mode_d.import_file(p, play, path.name, fountain)
                scenes = [{"number": s.label, "heading": s.title} for s in play.scenes()]
                return {"project": p.name, "path": str(p.path), "scenes": scenes}

        return guarded(run)

    @server.tool()
    def approve_script(project: str) -> dict[str, Any]:
        """Stage 4: approve the Master Script, what every later stage is made from."""

        def run() -> dict[str, Any]:
            with opened(project, write=True) as p:
                return actions.approve_script(p)

        return guarded(run)

    @server.tool()
    def lock_shot_list(project: str, scene: str, unlock: bool = False) -> dict[str, Any]:
        """Stage 7: lock the scene's shot list as it stands (unlock=true opens it again)."""
        return on_scene(project, scene, lambda p, s: actions.lock_shots(p, s, not unlock), True)

    @server.tool()
    def lock_looks(project: str, scene: str, names: list[str] | None = None) -> dict[str, Any]:
        """Stage 8: lock starting looks as they stand — the named ones, or every one not
        locked yet — accepting what each inherits."""
        return on_scene(project, scene, lambda p, s: actions.lock_looks(p, s, names), True)

    @server.tool()
    def tag_look(
        project: str, scene: str, name: str, condition: str, carries: bool = False
    ) -> dict[str, Any]:
        """Stage 8: a condition on a look in this scene ("Wet"); carries=true keeps it in the
        scenes after."""
        return on_scene(
            project, scene, lambda p, s: actions.tag_look(p, s, name, condition, carries=carries),
            True,
        )  # fmt: skip

    @server.tool()
    def assemble_prompts(project: str, scene: str) -> dict[str, Any]:
        """Stage 9: assemble every shot's Prompt Set (hand edits kept)."""
        return on_scene(project, scene, actions.assemble_prompts, True)

    @server.tool()
    def edit_prompt(
        project: str,
        scene: str,
        shot: str,
        video: str | None = None,
        start_frame: str | None = None,
        end_frame: str | None = None,
    ) -> dict[str, Any]:
        """Stage 9: a shot's video prompt or frame prompts by hand (kept until reset)."""
        return on_scene(
            project, scene,
            lambda p, s: actions.edit_prompt(
                p, s, shot, video=video, start_frame=start_frame, end_frame=end_frame
            ),
            True,
        )  # fmt: skip

    @server.tool()
    def approve_frame(project: str, scene: str, frame: str) -> dict[str, Any]:
        """Stage 10: approve a frame as it is — frame is "3B/start" or "3B/end"."""
        return on_scene(project, scene, lambda p, s: actions.approve_frame(p, s, frame), True)

    @server.tool()
    def choose_frame(project: str, scene: str, frame: str, candidate: int) -> dict[str, Any]:
        """Stage 10: roll a frame ("3B/start") back to its candidate number (1 = first)."""
        return on_scene(
            project, scene, lambda p, s: actions.choose_frame(p, s, frame, candidate), True
        )

    @server.tool()
    def use_take(project: str, scene: str, shot: str, take: int) -> dict[str, Any]:
        """Stage 12: use take number `take` of the shot in the scene's cut."""
        return on_scene(project, scene, lambda p, s: actions.use_take(p, s, shot, take), True)

    @server.tool()
    def file_issue(
        project: str, scene: str, shot: str, note: str, kind: str = "visual", at: float = 0.0
    ) -> dict[str, Any]:
        """Stage 12: an issue on a shot (kind: visual, timing, dialogue or narrative; `at`:
        seconds into the scene's cut); says which stage to fix it in and why."""
        return on_scene(
            project, scene, lambda p, s: actions.file_issue(p, s, shot, note, kind, at), True
        )

    # --------------------------------------------------------------- generate
    from aiuteur_desktop.cli import mcp_money

    mcp_money.add_tools(server, opened=opened, guarded=guarded, spending=spending, via=via)

    # -------------------------------------------------------------- resources
    @server.resource(
        "aiuteur://project/{project}/script",
        mime_type="text/plain",
        description="The project's Master Script as Fountain",
    )
    def script(project: str) -> str:
        from aiuteur_desktop.core.screenplay import fountain
        from aiuteur_desktop.core.story import master_script

        with opened(project, write=False) as p:
            play = master_script.current(p)
        return "" if play is None else fountain.write_string(play)

    @server.resource(
        "aiuteur://project/{project}/shots",
        mime_type="application/json",
        description="The film's shots in order: scene, shot, length, action, dialogue",
    )
    def shots(project: str) -> str:
        from aiuteur_desktop.core.production import cut

        with opened(project, write=False) as p:
            film = cut.film(p)
        rows = [
            {
                "scene": s.scene_label,
                "shot": s.label,
                "duration": s.duration,
                "action": s.action,
                "dialogue": [{"character": d.character, "text": d.text} for d in s.dialogue],
            }
            for s in film.shots
        ]
        return json.dumps(rows, ensure_ascii=False)

    return server


def _with_checkout(
    project: str, model: str, scene: str, fn: Callable[[Any], T], *, whole: bool = False
) -> T:
    """`fn` of the scene's checkout (or, `whole`, of the open scene: project, source…)."""
    from aiuteur_desktop.cli import scenes

    try:
        with scenes._checkout_of("mcp", str(_find(project)), scene, model, True) as s:
            return fn(s if whole else s.checkout)
    except scenes._Refused as exc:
        raise LookupError(str(exc)) from exc


def main(allow_spend: float | None, agent: str) -> int:
    """Serve over stdio until the client goes away."""
    from aiuteur_desktop.cli.common import _fail

    if allow_spend is not None and not 0 <= allow_spend <= 100_000:
        return _fail("mcp", "--allow-spend takes dollars between 0 and 100,000")
    build(allow_spend=allow_spend, agent=agent).run("stdio")
    return 0
