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
