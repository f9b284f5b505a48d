"""Every stage's decision from the command line (`aiuteur script approve`, `shots --lock`,
`visuals --lock/--tag`, `prompts --assemble/--shot`, `frames --approve/--choose`, `takes`):
a film made from a screenplay with the CLI alone, on no key, and every refusal in one line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import opentimelineio as otio

from tests.test_cli import SCRIPTS, run


def ok(*args: str, home: Path) -> str:
    done = run(*args, home=home)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def refused(*args: str, home: Path) -> str:
    """The one line a refused command prints (exit 2, no traceback)."""
    done = run(*args, home=home)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def made_ready(b: str, scene: str, home: Path) -> None:
    """A scene taken through Stages 7–9 by the CLI: shot list and looks locked, prompts."""
    locked = json.loads(
        ok("shots", "--project", b, "--scene", scene, "--lock", "--json", home=home)
    )
    assert locked["locked"] and locked["shots"]
    looks = json.loads(
        ok("visuals", "--project", b, "--scene", scene, "--lock", "--json", home=home)
    )
    assert looks["ready"] and looks["locked"]
    said = json.loads(
        ok("prompts", "--project", b, "--scene", scene, "--assemble", "--json", home=home)
    )
    assert said["assembled"] == len(locked["shots"]) and said["gate"] is None


def test_a_screenplay_becomes_takes_an_export_and_a_conform_by_the_cli_alone(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    home, b = aiuteur_home, str(tmp_path / "Storm.aiuteur")
    ok("script", "import", str(SCRIPTS / "storm_keeper.fountain"), "--project", b, home=home)
    approved = json.loads(ok("script", "approve", "--project", b, "--json", home=home))
    assert approved["approved"] and approved["scenes"] == 3
    for scene in ("1", "2"):
        made_ready(b, scene, home)
        frames = json.loads(
            ok("frames", "--project", b, "--scene", scene, "--mode", "quick", "--approve",
               "--json", home=home)
        )  # fmt: skip
        assert frames["frames"] and all(f["approved"] for f in frames["frames"])
        ok("render", "--project", b, "--scene", scene, home=home)
    takes = json.loads(ok("takes", "--project", b, "--scene", "1", "--json", home=home))
    assert [s["label"] for s in takes["shots"]] == ["1A", "1B", "1C", "1D"]
    assert all(s["in_use"] == 1 and s["takes"][0]["version"] == 1 and s["takes"][0]["media"]
               for s in takes["shots"])  # fmt: skip
    # The export: every rendered shot as its take, the timelines read back by OTIO.
    out = json.loads(ok("export", "--project", b, "-o", str(tmp_path / "cut"), "--zip",
                        "--json", home=home))  # fmt: skip
    kinds = {c["label"]: c["kind"] for c in out["clips"]}
    assert {k for label, k in kinds.items() if label[0] in "12"} == {"take"}
    with zipfile.ZipFile(tmp_path / "cut.zip") as z:
        z.extractall(tmp_path / "unzipped")
    folder = next((tmp_path / "unzipped").iterdir())
    for name in ("Storm.otio", "Storm.xml", "Storm.edl"):
        timeline = otio.adapters.read_from_file(str(folder / name))
        assert len(timeline.video_tracks()[0]) >= len(kinds) - 1, name
    # The editor's cut back as a new Story Timeline.
    conformed = ok("conform", "--project", b, str(folder / "Storm.otio"), home=home)
    assert "Story Timeline" in conformed or "nothing" in conformed.lower()


def test_each_decision_commits_once_and_reads_back(aiuteur_home: Path, tmp_path: Path) -> None:
    from aiuteur_desktop.core.production import frames, prompts, review, takes, visuals
    from aiuteur_desktop.core.store import Project

    home, b = aiuteur_home, str(tmp_path / "Storm.aiuteur")
    ok("script", "import", str(SCRIPTS / "storm_keeper.fountain"), "--project", b, home=home)
    ok("script", "approve", "--project", b, home=home)
    ok("shots", "--project", b, "--scene", "1", "--lock", home=home)
    tagged = ok("visuals", "--project", b, "--scene", "1", "--tag", "mara", "Wet", "--carries",
                home=home)  # fmt: skip
    assert tagged.strip().startswith("MARA: Wet↦")
    ok("visuals", "--project", b, "--scene", "1", "--lock", "--asset", "MARA", home=home)
    with Project.open(Path(b)) as p:
        looks = {e.name: e for e in visuals.elements(p, "s1")}
        assert looks["MARA"].review == visuals.LOCKED and looks["ELI"].review != visuals.LOCKED
        assert [c.to_dict() for c in looks["MARA"].conditions] == [{"tag": "Wet", "carries": True}]
        before = len(p.log())
    ok("visuals", "--project", b, "--scene", "1", "--lock", home=home)
    ok("prompts", "--project", b, "--scene", "1", "--assemble", home=home)
    edited = json.loads(
        ok("prompts", "--project", b, "--scene", "1", "--shot", "B", "--video",
           "Mara braces at the glass as thunder cracks.", "--json", home=home)
    )  # fmt: skip
    assert edited["shot"]["video_prompt"] == "Mara braces at the glass as thunder cracks."
    ok("frames", "--project", b, "--scene", "1", "--mode", "quick", home=home)
    ok("frames", "--project", b, "--scene", "1", "--mode", "quick", "--again", home=home)
    with Project.open(Path(b)) as p:
        assert prompts.one(p, "s1", "B").manual_video
        messages = [c.message for c in p.log()[: len(p.log()) - before]]
        assert "Locked 2 starting looks for scene 1" in messages
        assert "Edited the video prompt of shot 1B" in messages
        slot = frames.slot(p, "s1", "A", "start")
    chose = json.loads(
        ok("frames", "--project", b, "--scene", "1", "--choose", "1A/start", "1", "--json",
           home=home)
    )  # fmt: skip
    assert chose["frame"]["approved"] is False
    approved = json.loads(
        ok("frames", "--project", b, "--scene", "1", "--approve", "1A/start", "--json", home=home)
    )
    assert approved["frame"]["approved"] is True
    with Project.open(Path(b)) as p:
        now = frames.slot(p, "s1", "A", "start")
        assert now.approved and now.chosen == slot.candidates[0]["media"]
    ok("frames", "--project", b, "--scene", "1", "--mode", "quick", "--approve", home=home)
    ok("render", "--project", b, "--scene", "1", home=home)
    filed = json.loads(
        ok("takes", "--project", b, "--scene", "1", "--issue", "1C", "Too slow", "--kind",
           "timing", "--at", "12.5", "--json", home=home)
    )  # fmt: skip
    assert filed["route"] == {"stage": 7, "to": "Return to Stage 7 · Shot List"}
    with Project.open(Path(b)) as p:
        (issue,) = review.issues(p, "s1")
        assert (issue.shot, issue.kind, issue.at, issue.note) == ("C", "timing", 12.5, "Too slow")
        assert takes.current(p, "s1", "C") is not None


def test_the_decisions_refuse_in_one_line(aiuteur_home: Path, tmp_path: Path) -> None:
    home, b = aiuteur_home, str(tmp_path / "Storm.aiuteur")
    ok("script", "import", str(SCRIPTS / "storm_keeper.fountain"), "--project", b, home=home)
    # Gates closed: each in its page's words.
    assert refused("shots", "--project", b, "--scene", "1", "--lock", home=home) == (
        "aiuteur shots: Approve the Master Script in Stage 4 first."
    )
    ok("script", "approve", "--project", b, home=home)
    assert "already approved" in refused("script", "approve", "--project", b, home=home)
    assert "Lock the shot list of scene 1 first" in refused(
        "visuals", "--project", b, "--scene", "1", "--lock", home=home
    )
    # Unknown scenes, shots and looks; already done.
    assert "there is no scene 9 (the script's scenes: 1, 2, 3)" in refused(
        "shots", "--project", b, "--scene", "9", "--lock", home=home
    )
    ok("shots", "--project", b, "--scene", "1", "--lock", home=home)
    assert "Lock the starting look of MARA" in refused(
        "prompts", "--project", b, "--scene", "1", "--assemble", home=home
    )
    assert refused("shots", "--project", b, "--scene", "1", "--lock", home=home) == (
        "aiuteur shots: The shot list of scene 1 is already locked."
    )
    assert "has no NOBODY (its looks: MARA, ELI" in refused(
        "visuals", "--project", b, "--scene", "1", "--lock", "--asset", "NOBODY", home=home
    )
    ok("visuals", "--project", b, "--scene", "1", "--lock", home=home)
    assert "Assemble the prompts first" in refused(
        "frames", "--project", b, "--scene", "1", "--approve", "1A/start", home=home
    )
    assert "already locked" in refused(
        "visuals", "--project", b, "--scene", "1", "--lock", home=home
    )
    ok("prompts", "--project", b, "--scene", "1", "--assemble", home=home)
    assert "Scene 1 has no shot 7Z (its shots: 1A, 1B, 1C, 1D)" in refused(
        "prompts", "--project", b, "--scene", "1", "--shot", "7Z", "--video", "x", home=home
    )
    assert "cannot be empty" in refused(
        "prompts", "--project", b, "--scene", "1", "--shot", "1A", "--video", "  ", home=home
    )
    assert "--shot goes with" in refused(
        "prompts", "--project", b, "--scene", "1", "--shot", "1A", home=home
    )
    assert "has no end frame" in refused(
        "frames", "--project", b, "--scene", "1", "--approve", "1D/end", home=home
    )
    assert "Make the start frame of shot 1A before approving it" in refused(
        "frames", "--project", b, "--scene", "1", "--approve", "1A/start", home=home
    )
    assert "has no candidates yet" in refused(
        "frames", "--project", b, "--scene", "1", "--choose", "1A/start", "1", home=home
    )
    assert "Make and approve the scene's anchor frames first" in refused(
        "takes", "--project", b, "--scene", "1", "--use", "1A", "1", home=home
    )
    assert "--mode quick or --mode control" in refused(
        "frames", "--project", b, "--scene", "1", home=home
    )
    assert "there is no project" in refused(
        "takes", "--project", str(tmp_path / "Nope"), "--scene", "1", home=home
    )
