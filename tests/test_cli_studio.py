"""`aiuteur studio publish|list`, `aiuteur log`, and `--project studio:NAME` on any command,
run as a user would run them, against a real PostgreSQL server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from aiuteur_desktop.core.store import studio
from tests.screenplays import scripted_project
from tests.test_cli import run


def test_publish_list_and_work_on_a_studio_project(
    tmp_path: Path, aiuteur_home: Path, studio_server: str
) -> None:
    project = scripted_project(tmp_path, "Ferry", "night_ferry")
    bundle = project.path
    project.close()
    name = f"Ferry {uuid.uuid4().hex[:8]}"
    nas = tmp_path / "nas"

    made = run("studio", "publish", "--project", str(bundle), "--server", studio_server,
               "--name", name, "--media", str(nas), "--json", home=aiuteur_home)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["media"] == str(nas.resolve())

    listed = run("studio", "list", "--server", studio_server, "--json", home=aiuteur_home)
    assert name in [p["name"] for p in json.loads(listed.stdout)]

    # Any command takes the studio project by name, the server beside it.
    scenes = run("scenes", "--project", f"studio:{name}", "--server", studio_server, "--json",
                 home=aiuteur_home)  # fmt: skip
    assert scenes.returncode == 0, scenes.stderr
    assert len(json.loads(scenes.stdout)) >= 3

    # Another member commits; the log says who made what, on which timeline.
    ben = studio.open_studio(studio_server, name, author="ben")
    ben.write("stage1/notes", {"text": "Ben's note"})
    ben.commit("Ben's note")
    ben.close()
    log = run("log", "--project", f"studio:{name}", "--server", studio_server, "--json",
              home=aiuteur_home)  # fmt: skip
    assert log.returncode == 0, log.stderr
    history = json.loads(log.stdout)
    newest = history["commits"][-1]
    assert (newest["author"], newest["message"], newest["timeline"]) == (
        "ben",
        "Ben's note",
        "Main",
    )
    assert history["commits"][0]["message"] == "Project created"
    assert [c["author"] for c in history["commits"]][:-1] == [None] * (len(history["commits"]) - 1)
    assert history["timelines"][0]["head"] == newest["id"]
    text = run("log", "--project", f"studio:{name}", "--server", studio_server,
               home=aiuteur_home).stdout  # fmt: skip
    assert "ben" in text.splitlines()[0] and "Ben's note" in text.splitlines()[0]


def test_log_of_a_bundle(tmp_path: Path, aiuteur_home: Path) -> None:
    project = scripted_project(tmp_path, "Heist", "kitchen_heist")
    project.commit("Imported")
    project.create_branch("Main – other")
    project.write("stage1/notes", {"text": "x"})
    project.commit("On the other timeline")
    project.close()
    out = run("log", "--project", str(tmp_path / "Heist.aiuteur"), "--json", home=aiuteur_home)
    history = json.loads(out.stdout)
    assert {t["name"]: t["current"] for t in history["timelines"]} == {
        "Main": False,
        "Main – other": True,
    }
    assert history["commits"][-1]["timeline"] == "Main – other"
    assert history["commits"][-1]["author"] is None


def test_bad_studio_input_is_one_line_and_exit_2(tmp_path: Path, aiuteur_home: Path) -> None:
    cases = [
        ("studio", "list", "--server", "mysql://x/y"),
        ("studio", "list"),  # no server given, none configured
        ("log", "--project", "studio:Nope", "--server", f"postgresql://a@/b?host={tmp_path}"),
        (
            "studio",
            "publish",
            "--project",
            str(tmp_path / "missing"),
            "--server",
            "postgresql://a@/b",
        ),
    ]
    for args in cases:
        result = run(*args, home=aiuteur_home)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def _member_home(home: Path, who: str, fake_url: str, credentials: str) -> None:
    """A member's own machine: their job library, their Vertex connection, their name."""
    import os

    from aiuteur_desktop.core.library import Library

    before = os.environ["AIUTEUR_HOME"]
    os.environ["AIUTEUR_HOME"] = str(home)
    try:
        library = Library()
        settings = library.load_settings()
        settings.google.vertex_project = "film-123"
        settings.google.vertex_credentials_file = credentials
        settings.google.vertex_endpoint = fake_url
        settings.studio.user = who
        library.save_settings(settings)
        library.close()
    finally:
        os.environ["AIUTEUR_HOME"] = before


def test_two_members_rendering_at_once_under_a_shared_cap_send_one_request(
    tmp_path: Path, aiuteur_home: Path, studio_server: str
) -> None:
    """Each member has their own machine (job library, keys, caps); the project's cap lives
    in the project on the server and has room for one shot: whoever asks second is refused
    before anything leaves — exactly one submission reaches the fake Vertex."""
    import os
    import subprocess
    import sys

    from aiuteur_desktop.core.money.prices import PriceTable
    from tests.fakes.vertex_fake import FakeVertex, VertexState, credentials_file
    from tests.story import mp4
    from tests.test_mcp import VEO, vertex_ready

    with FakeVertex(VertexState(video=mp4(), polls_until_done=1)) as fake:
        bundle = vertex_ready(aiuteur_home, tmp_path, fake)
        name = f"Storm {uuid.uuid4().hex[:8]}"
        published = run("studio", "publish", "--project", bundle, "--server", studio_server,
                        "--name", name, "--media", str(tmp_path / "nas"), home=aiuteur_home)  # fmt: skip
        assert published.returncode == 0, published.stderr
        one_shot = PriceTable.load().video(VEO, 8.0, True)
        capped = run("spend", "--project", f"studio:{name}", "--server", studio_server,
                     "--project-cap", f"{one_shot + 0.01:.2f}", "--json", home=aiuteur_home)  # fmt: skip
        assert capped.returncode == 0, capped.stderr
        assert json.loads(capped.stdout)["shared"] == {
            "cap": round(one_shot + 0.01, 2),
            "spent": 0.0,
        }

        homes = {who: tmp_path / f"home-{who}" for who in ("ana", "ben")}
        credentials = str(credentials_file(tmp_path))
        for who, home in homes.items():
            _member_home(home, who, fake.url, credentials)
        renders = {
            who: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "aiuteur_desktop",
                    "render",
                    "--project",
                    f"studio:{name}",
                    "--server",
                    studio_server,
                    "--scene",
                    "2",
                    "--provider",
                    VEO,
                    "--yes",
                    "--json",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={
                    **os.environ,
                    "AIUTEUR_HOME": str(home),
                    "QT_QPA_PLATFORM": "offscreen",
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                },
            )
            for who, home in homes.items()
        }
        said = {who: proc.communicate(timeout=300) for who, proc in renders.items()}
        assert len(fake.submissions) == 1, said
    refusals = "".join(out + err for out, err in said.values())
    assert "shared" in refusals and "budget" in refusals, said
    status = run("spend", "--project", f"studio:{name}", "--server", studio_server, "--json",
                 home=aiuteur_home)  # fmt: skip
    assert json.loads(status.stdout)["shared"]["spent"] == round(one_shot, 6)
