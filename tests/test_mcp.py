"""`aiuteur mcp`, driven by the official MCP client over stdio as an agent would: the tools
and their schemas, the offline path to an export, and the money rule — a paid call sends
nothing until the user approves its plan (requests counted at the fake Vertex)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import opentimelineio as otio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project
from tests.fakes.vertex_fake import FakeVertex, VertexState, credentials_file
from tests.story import mp4
from tests.test_cli import run, storm_bundle

REPO = Path(__file__).resolve().parents[1]
KEY = "AIza-SECRET-test-key-9f8e7d6c5b4a3210"


def serve(home: Path, tmp_path: Path, *args: str) -> StdioServerParameters:
    env = {
        **os.environ,
        "AIUTEUR_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.file_keyring.FileKeyring",
        "AIUTEUR_TEST_KEYRING": str(tmp_path / "keyring.json"),
    }
    return StdioServerParameters(
        command=sys.executable, args=["-m", "aiuteur_desktop", "mcp", *args], env=env, cwd=REPO
    )


def with_client(params: StdioServerParameters, body: Callable[[Client], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        async with Client(params, read_timeout_seconds=120) as client:
            return await body(client)

    return asyncio.run(go())


async def call(client: Client, tool: str, **args: Any) -> dict[str, Any]:
    """A tool's answer as data; a refusal fails the test with its message."""
    r = await client.call_tool(tool, args)
    assert not r.is_error, (tool, r.content)
    return r.structured_content or json.loads(r.content[0].text)  # type: ignore[union-attr]


async def c_scenes(client: Client, project: str) -> list[dict[str, Any]]:
    r = await client.call_tool("list_scenes", {"project": project})
    assert not r.is_error, r.content
    return [json.loads(c.text) for c in r.content]  # type: ignore[union-attr]


async def refused(client: Client, tool: str, **args: Any) -> str:
    r = await client.call_tool(tool, args)
    assert r.is_error, (tool, r.structured_content)
    return " ".join(getattr(c, "text", "") for c in r.content)


def storm(tmp_path: Path, home: Path) -> str:
    return str(storm_bundle(tmp_path, home))


def test_an_agent_lists_the_tools_and_takes_a_screenplay_to_an_export_offline(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    b = storm(tmp_path, aiuteur_home)
    out = tmp_path / "for-the-editor"

    async def body(c: Client) -> None:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        for name in ("list_scenes", "read_shots", "approve_script", "lock_shot_list",
                     "lock_looks", "assemble_prompts", "make_frames", "render_scene",
                     "export_film", "approval_status", "file_issue", "use_take"):  # fmt: skip
            assert tools[name].description and len(tools[name].description) > 30, name
            assert tools[name].input_schema["type"] == "object", name
        assert tools["render_scene"].input_schema["required"] == ["project", "scene"]
        assert {"project", "scene", "frame"} <= set(tools["approve_frame"].input_schema["required"])
        await call(c, "approve_script", project=b)
        for scene in ("1", "2"):
            await call(c, "lock_shot_list", project=b, scene=scene)
            looks = await call(c, "lock_looks", project=b, scene=scene)
            assert looks["ready"], looks
            await call(c, "assemble_prompts", project=b, scene=scene)
            made = await call(c, "make_frames", project=b, scene=scene, approve=True)
            assert made["status"] == "done" and made["made"], made
            rendered = await call(c, "render_scene", project=b, scene=scene)
            assert rendered["status"] == "done"
            assert all(r["state"] == "succeeded" for r in rendered["rendered"])
        takes = await call(c, "read_takes", project=b, scene="2")
        assert all(s["in_use"] == 1 for s in takes["shots"])
        exported = await call(c, "export_film", project=b, out_dir=str(out))
        assert exported["takes"] == 6 and exported["zip"]
        assert exported["codec"]["key"] == "source" and exported["transcoded"] == 0
        dnxhr = await call(
            c, "export_film", project=b, out_dir=str(tmp_path / "dnx"), scene="2",
            as_zip=False, codec="dnxhr-mxf",
        )  # fmt: skip
        assert dnxhr["transcoded"] == dnxhr["clips"] and dnxhr["codec"]["container"] == "mxf"
        assert len(list((tmp_path / "dnx" / "clips").glob("*.mxf"))) == dnxhr["clips"]
        wrong = await c.call_tool("export_film", {"project": b, "out_dir": "x", "codec": "h265"})
        assert wrong.is_error and "choose one of" in wrong.content[0].text  # type: ignore[union-attr]
        script = await c.read_resource("aiuteur://project/Storm/script")
        assert "LIGHTHOUSE" in script.contents[0].text  # type: ignore[union-attr]

    with_client(serve(aiuteur_home, tmp_path), body)
    with zipfile.ZipFile(f"{out}.zip") as z:
        z.extractall(tmp_path / "unzipped")
    timeline = otio.adapters.read_from_file(str(next((tmp_path / "unzipped").rglob("*.otio"))))
    assert len(timeline.video_tracks()[0]) >= 6
    with Project.open(Path(b)) as p:
        messages = [c.message for c in p.log()]
    assert "Locked shot list for scene 2 (via agent)" in messages
    assert "Approved Master Script (via agent)" in messages
    # Everything since the import — frames and takes the jobs committed included — says so.
    by_agent = messages[: messages.index("Approved Master Script (via agent)") + 1]
    assert len(by_agent) > 10 and all(m.endswith("(via agent)") for m in by_agent), by_agent


def vertex_ready(home: Path, tmp_path: Path, fake: FakeVertex) -> str:
    """Storm with scene 2's frames made and approved, and Vertex pointed at the fake."""
    b = storm(tmp_path, home)
    for args in (
        ("script", "approve", "--project", b),
        ("shots", "--project", b, "--scene", "2", "--lock"),
        ("visuals", "--project", b, "--scene", "2", "--lock"),
        ("prompts", "--project", b, "--scene", "2", "--assemble"),
        ("frames", "--project", b, "--scene", "2", "--mode", "quick", "--approve"),
    ):
        done = run(*args, home=home)
        assert done.returncode == 0, done.stderr
    library = Library()
    settings = library.load_settings()
    settings.google.vertex_project = "film-123"
    settings.google.vertex_credentials_file = str(credentials_file(tmp_path))
    settings.google.vertex_endpoint = fake.url
    library.save_settings(settings)
    library.close()
    return b


VEO = "google:veo-3.1-generate-001"


def test_a_paid_render_waits_for_the_users_approval_and_runs_once(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    with FakeVertex(VertexState(video=mp4(), polls_until_done=1)) as fake:
        b = vertex_ready(aiuteur_home, tmp_path, fake)

        async def body(c: Client) -> None:
            asked = await call(c, "render_scene", project=b, scene="2", model=VEO)
            assert asked["status"] == "needs_approval" and len(fake.submissions) == 0
            plan, approval = asked["plan"], asked["approval_id"]
            assert plan["total"] > 1 and [x["shot"] for x in plan["lines"]] == ["2A", "2B"]
            assert "Nothing was sent" in asked["message"]
            # Not approved yet: the id does not run it.
            assert "not approved it yet" in await refused(
                c, "render_scene", project=b, scene="2", model=VEO, approval_id=approval
            )
            # Another request cannot borrow it.
            assert "for another request" in await refused(
                c, "render_scene", project=b, scene="2", model=VEO, audio=False,
                approval_id=approval,
            )  # fmt: skip
            assert len(fake.submissions) == 0
            # The user approves it in the app (what its notice's Approve button does).
            library = Library()
            library.approvals.decide(approval, True)
            library.close()
            status = await call(c, "approval_status", approval_id=approval)
            assert status["state"] == "approved"
            done = await call(
                c, "render_scene", project=b, scene="2", model=VEO, approval_id=approval
            )
            assert done["status"] == "done"
            assert [r["state"] for r in done["rendered"]] == ["succeeded", "succeeded"]
            assert len(fake.submissions) == 2  # exactly one per shot
            assert "used already" in await refused(
                c, "render_scene", project=b, scene="2", model=VEO, approval_id=approval
            )
            assert len(fake.submissions) == 2

        with_client(serve(aiuteur_home, tmp_path), body)
    spent = Library()
    assert spent.jobs.committed() > 1
    spent.close()


def test_the_allow_spend_ceiling_refuses_a_bigger_plan_and_a_declined_one_never_runs(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    with FakeVertex(VertexState(video=mp4())) as fake:
        b = vertex_ready(aiuteur_home, tmp_path, fake)

        async def capped(c: Client) -> None:
            why = await refused(c, "render_scene", project=b, scene="2", model=VEO)
            assert "Not sent: the plan costs $" in why and "may spend $1.00 more" in why
            assert "--allow-spend 1.00" in why

        with_client(serve(aiuteur_home, tmp_path, "--allow-spend", "1.00"), capped)
        assert len(fake.submissions) == 0

        async def declined(c: Client) -> None:
            asked = await call(c, "render_scene", project=b, scene="2", model=VEO)
            library = Library()
            library.approvals.decide(asked["approval_id"], False)
            library.close()
            assert "declined" in await refused(
                c, "render_scene", project=b, scene="2", model=VEO,
                approval_id=asked["approval_id"],
            )  # fmt: skip

        with_client(serve(aiuteur_home, tmp_path), declined)
        assert len(fake.submissions) == 0


def test_malformed_calls_get_clear_errors_and_no_tool_reveals_a_key(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    b = storm(tmp_path, aiuteur_home)
    (tmp_path / "keyring.json").write_text(
        json.dumps({"Aiuteur/google.api_key": KEY, "Aiuteur/openai.api_key": "sk-" + KEY})
    )

    async def body(c: Client) -> None:
        assert "Unknown tool" in await refused(c, "render_everything", project=b)
        assert "scene" in await refused(c, "read_shots", project=b)  # missing argument
        assert "valid string" in await refused(c, "read_shots", project=b, scene=["1"])
        assert "there is no scene 9" in await refused(c, "read_shots", project=b, scene="9")
        assert "There is no project" in await refused(c, "list_scenes", project="Nope")
        assert "mode is" in await refused(c, "make_frames", project=b, scene="1", mode="fast")
        said = []
        for tool, args in (
            ("list_projects", {}),
            ("list_scenes", {"project": b}),
            ("read_shots", {"project": b, "scene": "1"}),
            ("read_looks", {"project": b, "scene": "1"}),
            ("read_prompts", {"project": b, "scene": "1"}),
            ("read_frames", {"project": b, "scene": "1"}),
            ("read_takes", {"project": b, "scene": "1"}),
            ("read_spend", {}),
            ("price_render", {"project": b, "scene": "1", "model": "configured"}),
        ):
            r = await c.call_tool(tool, args)
            said.append(json.dumps(r.model_dump(mode="json")))
        for resource in ("script", "shots"):
            r = await c.read_resource(f"aiuteur://project/Storm/{resource}")
            said.append(json.dumps(r.model_dump(mode="json")))
        everything = "\n".join(said)
        assert "LIGHTHOUSE" in everything  # the reads answered
        for piece in (KEY, KEY[-8:], KEY[:10]):
            assert piece not in everything
        # A screenplay the agent wrote becomes a project's Master Script.
        assert "no scene headings" in await refused(
            c, "import_script", project="Agent Film", fountain="Just a thought."
        )
        made = await call(
            c, "import_script", project="Agent Film",
            fountain="INT. KITCHEN - NIGHT\n\nAnna pours tea. The kettle screams.\n",
        )  # fmt: skip
        assert made["scenes"] == [{"number": "1", "heading": "INT. KITCHEN - NIGHT"}]
        assert [s["number"] for s in await c_scenes(c, "Agent Film")] == ["1"]
        # Every set-up model's price per shot: the Gemini key stored makes Veo one of them.
        options = await call(c, "price_render", project=b, scene="1", alternatives=True)
        first = options["shots"][0]
        assert first["options"][0]["model"] == "offline:animatic" and first["options"][0]["takes"]
        assert first["recommended"] == "google:veo-3.1-fast-generate-preview"  # cheapest fit
        assert KEY not in json.dumps(options)
        # Still serving after all of that.
        assert (await call(c, "read_shots", project=b, scene="1"))["shots"]

    with_client(serve(aiuteur_home, tmp_path), body)


def test_aiuteur_render_takes_a_scene_through_vertex(aiuteur_home: Path, tmp_path: Path) -> None:
    """`aiuteur render --provider google:veo-3.1-generate-001 --yes` with a Vertex AI
    connection: one submission per shot at the fake, both takes stored."""
    import json

    from aiuteur_desktop.core.production import takes
    from aiuteur_desktop.core.store import Project

    with FakeVertex(VertexState(video=mp4(), polls_until_done=1)) as fake:
        b = vertex_ready(aiuteur_home, tmp_path, fake)
        done = run(
            "render", "--project", b, "--scene", "2", "--provider", VEO, "--yes", "--json",
            home=aiuteur_home,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert [r["state"] for r in json.loads(done.stdout)["rendered"]] == ["succeeded"] * 2
        assert len(fake.submissions) == 2
    with Project.open(Path(b)) as p:
        assert all(takes.current(p, "s2", s) is not None for s in ("A", "B"))
