"""The headless `aiuteur` commands, run as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiuteur_desktop import __version__
from aiuteur_desktop.core.export import nle
from aiuteur_desktop.core.library import Library


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIUTEUR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "aiuteur_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_version(aiuteur_home: Path) -> None:
    result = run("--version", home=aiuteur_home)
    assert result.returncode == 0
    # A source install says so; an installer's build names its date (tests/test_packaging.py).
    assert result.stdout.strip() == f"Aiuteur {__version__} (from source)"


def test_doctor_reports_every_component_and_passes_here(aiuteur_home: Path) -> None:
    result = run("doctor", home=aiuteur_home)
    assert result.returncode == 0, result.stdout + result.stderr
    for label in (
        "Python",
        "Qt (PySide6)",
        "FFmpeg (PyAV)",
        "Keyring",
        "App data",
        "Logs",
        "Provider: OpenAI",
        "Provider: Google Vertex AI",
        "Provider: Local model server",
    ):
        assert label in result.stdout
    assert str(aiuteur_home) in result.stdout


def test_doctor_fails_clearly_when_the_data_folder_is_unusable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the app library should be")
    result = run("doctor", home=blocker)
    assert result.returncode == 1
    assert "[FAIL] App data" in result.stdout
    assert "cannot run on this machine yet: App data" in result.stdout
    assert "AIUTEUR_HOME" in result.stdout


def test_new_creates_a_bundle_and_lists_it_on_the_dashboard(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    result = run("new", "Night Market", "--dir", str(tmp_path / "films"), home=aiuteur_home)
    assert result.returncode == 0, result.stderr
    bundle = tmp_path / "films" / "Night Market.aiuteur"
    assert result.stdout.strip() == str(bundle)
    assert (bundle / "project.db").is_file()
    lib = Library()
    assert [e.path for e in lib.projects()] == [bundle.resolve()]
    lib.close()


def test_new_without_dir_uses_the_projects_folder(aiuteur_home: Path) -> None:
    result = run("new", "Default Place", home=aiuteur_home)
    assert result.returncode == 0, result.stderr
    assert (aiuteur_home / "Projects" / "Default Place.aiuteur").is_dir()


def test_new_refuses_duplicates_and_bad_names_with_one_line(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    assert run("new", "Film", "--dir", str(tmp_path), home=aiuteur_home).returncode == 0
    again = run("new", "Film", "--dir", str(tmp_path), home=aiuteur_home)
    assert again.returncode == 2
    assert again.stderr.strip().startswith("aiuteur new: A project called “Film” already exists")
    assert len(again.stderr.strip().splitlines()) == 1
    bad = run("new", "a/b", "--dir", str(tmp_path), home=aiuteur_home)
    assert bad.returncode == 2 and "cannot contain" in bad.stderr


SCRIPTS = Path(__file__).parent / "data" / "screenplays"


def test_script_import_export_and_scenes(aiuteur_home: Path, tmp_path: Path) -> None:
    import json

    from aiuteur_desktop.core.screenplay import fdx, fountain

    source = SCRIPTS / "night_ferry.fountain"
    bundle = tmp_path / "films" / "ferry"
    result = run("script", "import", str(source), "--project", str(bundle), home=aiuteur_home)
    assert result.returncode == 0, result.stderr
    assert "4 scenes imported" in result.stdout
    assert (tmp_path / "films" / "ferry.aiuteur" / "project.db").is_file()

    listed = run("scenes", "--project", str(bundle) + ".aiuteur", "--json", home=aiuteur_home)
    assert listed.returncode == 0, listed.stderr
    scenes = json.loads(listed.stdout)
    assert [s["heading"] for s in scenes][:2] == [
        "INT. HARBOUR OFFICE - NIGHT",
        "EXT. QUAYSIDE - CONTINUOUS",
    ]
    assert scenes[0] == {
        "id": "s1",
        "number": "1",
        "kind": "scene",
        "heading": "INT. HARBOUR OFFICE - NIGHT",
        "int_ext": "INT",
        "location": "HARBOUR OFFICE",
        "sub_location": "",
        "time_of_day": "NIGHT",
        "continuity": "",
        "light": "NIGHT",
        "qualifiers": [],
        "inherits_from": "",
        "characters": ["NESSA", "OLD TOM", "TOM"],
        "first_line": "Rain streaks the window. A kettle ticks as it cools.",
    }
    # CONTINUOUS: no time word of its own, the light of the scene before.
    assert (scenes[1]["time_of_day"], scenes[1]["continuity"], scenes[1]["light"]) == (
        "", "CONTINUOUS", "NIGHT"
    )  # fmt: skip

    original = fountain.read_string(source.read_text(encoding="utf-8"))
    for fmt, reader in (("fountain", fountain.read_string), ("fdx", fdx.read_string)):
        out = tmp_path / f"out.{fmt}"
        done = run(
            "script", "export", "--project", str(bundle), "--format", fmt, "-o", str(out),
            home=aiuteur_home,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert reader(out.read_text(encoding="utf-8")) == original  # nothing lost on the way
    pdf = tmp_path / "out.pdf"
    done = run(
        "script", "export", "--project", str(bundle), "--format", "pdf", "-o", str(pdf),
        home=aiuteur_home,
    )  # fmt: skip
    assert done.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")


def test_script_commands_refuse_bad_input_in_one_line(aiuteur_home: Path, tmp_path: Path) -> None:
    prose = tmp_path / "story.fountain"
    prose.write_text("Just a story, no scenes.\n", encoding="utf-8")
    bad = run("script", "import", str(prose), "--project", str(tmp_path / "p"), home=aiuteur_home)
    assert bad.returncode == 2 and not (tmp_path / "p.aiuteur").exists()
    assert bad.stderr.strip().count("\n") == 0 and "no scene headings" in bad.stderr
    broken = tmp_path / "broken.fdx"
    broken.write_text("<FinalDraft><Content>", encoding="utf-8")
    bad = run("script", "import", str(broken), "--project", str(tmp_path / "p"), home=aiuteur_home)
    assert bad.returncode == 2 and "damaged" in bad.stderr
    # Crafted Final Draft files: one line, exit 2, no project left behind.
    nested = tmp_path / "nested.fdx"
    nested.write_text(
        "<FinalDraft><Content>"
        + "<Paragraph><DualDialogue>" * 1000
        + "</DualDialogue></Paragraph>" * 1000
        + "</Content></FinalDraft>",
        encoding="utf-8",
    )
    bad = run("script", "import", str(nested), "--project", str(tmp_path / "q"), home=aiuteur_home)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "dual dialogue nested" in bad.stderr and not (tmp_path / "q.aiuteur").exists()
    missing = run("scenes", "--project", str(tmp_path / "nope"), home=aiuteur_home)
    assert missing.returncode == 2 and "there is no project" in missing.stderr
    empty = run("new", "Empty", "--dir", str(tmp_path), home=aiuteur_home)
    assert empty.returncode == 0
    none = run("scenes", "--project", str(tmp_path / "Empty.aiuteur"), home=aiuteur_home)
    assert none.returncode == 2 and "no Master Script yet" in none.stderr


def test_assets_extract_prints_characters_locations_and_props(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json

    script = Path(__file__).parent / "data" / "screenplays" / "kitchen_heist.fountain"
    bundle = tmp_path / "Heist.aiuteur"
    assert (
        run("script", "import", str(script), "--project", str(bundle), home=aiuteur_home).returncode
        == 0
    )
    result = run("assets", "extract", "--project", str(bundle), "--json", home=aiuteur_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(c["name"], c["speaks_in"]) for c in data["characters"]] == [
        ("JUNE", ["1", "2", "5"]),
        ("TOMMY", ["1", "2", "4"]),
        ("RADIO", ["2"]),
        ("McCLANE", ["3"]),
        ("DANA", ["4"]),
    ]
    kitchen = data["locations"][0]
    assert kitchen["name"] == "KITCHEN"
    assert [(v["int_ext"], v["time_of_day"], v["scenes"]) for v in kitchen["variants"]] == [
        ("INT", "NIGHT", ["1", "5"]),
        ("EXT", "DAY", ["2"]),
    ]
    assert data["props"] == []
    missing = run("assets", "extract", "--project", str(tmp_path / "nope"), home=aiuteur_home)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_shots_and_animatic_take_a_screenplay_to_a_film_and_an_editors_timeline(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import io
    import json

    import av
    from PIL import Image

    from aiuteur_desktop.core.assets import masters
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.core.story import master_script

    script = Path(__file__).parent / "data" / "screenplays" / "kitchen_heist.fountain"
    bundle = tmp_path / "Kitchen Heist.aiuteur"
    assert (
        run("script", "import", str(script), "--project", str(bundle), home=aiuteur_home).returncode
        == 0
    )
    listed = run("shots", "--project", str(bundle), "--json", home=aiuteur_home)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 11 and sum(r["duration"] for r in rows) == 68
    assert rows[2] == {
        "scene": "1",
        "scene_id": "s1",
        "shot": "C",
        "label": "1C",
        "kind": "shot",
        "duration": 4,
        "timing": 3.54,
        "setting": "INT · KITCHEN · NIGHT",
        "action": "",
        "dialogue": [
            {"character": "JUNE", "parenthetical": "", "text": "Who's there?", "off_screen": False},
            # Tommy answers from behind the door: heard, not in the shot.
            {
                "character": "TOMMY",
                "parenthetical": "",
                "text": "It's me. Open up.",
                "off_screen": True,
            },
        ],
        "characters": ["JUNE"],
        "camera": {"size": "MCU", "angle": "eye", "move": "static"},
        "transition": "",
    }
    text = run("shots", "--project", str(bundle), home=aiuteur_home)
    assert text.stdout.strip().endswith("11 shots, 1:08")
    # June has an image key (Stage 5): the animatic draws her with it.
    with Project.open(bundle) as project:
        play = master_script.current(project)
        assert play is not None
        masters.sync_extracted(project, masters.extract(play))
        png = io.BytesIO()
        Image.new("RGB", (64, 128), (200, 40, 40)).save(png, format="PNG")
        media = project.media.put(png.getvalue(), "image/png")
        masters.add_candidate(project, "assets/june", media, source="own")
        project.commit("June's key", kind="edit", stage=5)
    out = tmp_path / "out"
    made = run(
        "animatic",
        "--project",
        str(bundle),
        "-o",
        str(out),
        "--width",
        "320",
        "--no-speech",
        home=aiuteur_home,
    )
    assert made.returncode == 0, made.stderr
    film = out / "KitchenHeist_animatic.mp4"
    assert made.stdout.splitlines()[0] == f"{film}: 11 shots, 68 s"
    # What an editor sees (the hidden render manifest lets a second render reuse clips).
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
        "clips",
        "KitchenHeist_animatic.mp4",
        "KitchenHeist_animatic.xml",
        "KitchenHeist_animatic.edl",
        "KitchenHeist_animatic.otio",
        "KitchenHeist_storyboard.pdf",
    }
    assert len(list((out / "clips").glob("KitchenHeist_Sc0?_Shot??_v01.mp4"))) == 11
    with av.open(str(film)) as c:
        assert round(float(c.duration / av.time_base)) == 68
    # The radio is a voice (V.O.): heard, never drawn.
    assert (
        "Drawn as figures (no picture as their image key yet): TOMMY, MCCLANE, DANA" in made.stderr
    )
    assert "JUNE" not in made.stderr and "RADIO" not in made.stderr
    nothing = run(
        "animatic", "--project", str(tmp_path / "nope"), "-o", str(out), home=aiuteur_home
    )
    assert nothing.returncode == 2 and nothing.stderr.count("\n") == 1
    assert "there is no project" in nothing.stderr


def test_shots_piped_into_a_reader_that_stops_early_ends_quietly(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    one = (Path(__file__).parent / "data" / "screenplays" / "supervisor.fountain").read_text()
    script = tmp_path / "long.fountain"
    script.write_text(one + "\n\n" + "\n\n".join(one.split("\n\n", 4)[-1] for _ in range(40)))
    bundle = tmp_path / "Walk.aiuteur"
    imported = run("script", "import", str(script), "--project", str(bundle), home=aiuteur_home)
    assert imported.returncode == 0, imported.stderr
    env = {**os.environ, "AIUTEUR_HOME": str(aiuteur_home)}
    # `aiuteur shots | head -1`: the reader closes the pipe after the first line.
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiuteur_desktop", "shots", "--project", str(bundle), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(1)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert first == b"[" and "Traceback" not in err and "BrokenPipe" not in err, err


def test_script_pdf_export_counts_every_page_it_wrote(aiuteur_home: Path, tmp_path: Path) -> None:
    import re

    from pypdf import PdfReader

    script = Path(__file__).parent / "data" / "screenplays" / "night_ferry.fountain"
    bundle = tmp_path / "Ferry.aiuteur"
    assert (
        run("script", "import", str(script), "--project", str(bundle), home=aiuteur_home).returncode
        == 0
    )
    out = tmp_path / "ferry.pdf"
    done = run(
        "script",
        "export",
        "--project",
        str(bundle),
        "--format",
        "pdf",
        "-o",
        str(out),
        home=aiuteur_home,
    )
    assert done.returncode == 0, done.stderr
    said = re.search(r": (\d+) pages? \(a title page and the script\)", done.stdout)
    assert said is not None, done.stdout
    assert int(said.group(1)) == len(PdfReader(out).pages)


def test_visuals_and_prompts_print_a_scenes_looks_and_prompt_sets(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json

    from aiuteur_desktop.core.assets import masters
    from aiuteur_desktop.core.production import prompts, visuals
    from aiuteur_desktop.core.store import Project

    bundle = tmp_path / "Storm.aiuteur"
    made = run(
        "script",
        "import",
        str(SCRIPTS / "storm_keeper.fountain"),
        "--project",
        str(bundle),
        home=aiuteur_home,
    )
    assert made.returncode == 0, made.stderr
    with Project.open(bundle) as p:
        masters.extract_into(p)
        visuals.save(
            p,
            "s2",
            "mara",
            description="Soaked oilskin coat.",
            conditions=[visuals.Condition("Wet", carries=True)],
        )
        visuals.commit_edits(p, "s2")
    listed = run("visuals", "--project", str(bundle), "--scene", "3", "--json", home=aiuteur_home)
    assert listed.returncode == 0, listed.stderr
    out = json.loads(listed.stdout)
    mara = next(e for e in out["elements"] if e["name"] == "MARA")
    assert (mara["source"], mara["source_label"], mara["description"]) == (
        "Prior Scene Instance",
        "Scene 2 – Wet",
        "Soaked oilskin coat.",
    )
    assert mara["conditions"] == [{"tag": "Wet", "carries": True}] and mara["first_shot"] == "3A"
    assert out["ready"] is False and "MARA" in out["gate"]
    plain = run("visuals", "--project", str(bundle), "--scene", "s3", home=aiuteur_home)
    assert "MARA from 3A · Scene 2 – Wet · Unreviewed [Wet↦]" in plain.stdout

    shown = run("prompts", "--project", str(bundle), "--scene", "1", "--json", home=aiuteur_home)
    assert shown.returncode == 0, shown.stderr
    sets = json.loads(shown.stdout)
    scaffold = prompts.scaffold()
    assert scaffold["frame"][:30] not in shown.stdout and "scaffold" not in shown.stdout
    d = next(s for s in sets["shots"] if s["shot"] == "D")
    assert d["frames"] == "start" and set(d["frame_prompts"]) == {"start"}
    assert 'Character MARA speaks: "Then we ration the oil."' in d["video_prompt"]
    assert (
        d["compatible_models"] == ["offline:animatic"] and sets["video_model"] == "offline:animatic"
    )
    hidden = run(
        "prompts",
        "--project",
        str(bundle),
        "--scene",
        "1",
        "--json",
        "--with-scaffold",
        home=aiuteur_home,
    )
    assert json.loads(hidden.stdout)["shots"][0]["scaffold"]["frame"] == scaffold["frame"]

    for command in ("visuals", "prompts"):
        bad = run(command, "--project", str(bundle), "--scene", "9", home=aiuteur_home)
        assert bad.returncode == 2 and bad.stderr.strip() == (
            f"aiuteur {command}: there is no scene 9 (the script's scenes: 1, 2, 3)"
        )
        none = run(command, "--project", str(tmp_path / "Nope"), "--scene", "1", home=aiuteur_home)
        assert none.returncode == 2 and len(none.stderr.strip().splitlines()) == 1


def storm_bundle(tmp_path: Path, home: Path) -> Path:
    """Storm Keeper imported by `aiuteur script import` into a new bundle."""
    bundle = tmp_path / "Storm.aiuteur"
    made = run(
        "script", "import", str(SCRIPTS / "storm_keeper.fountain"), "--project", str(bundle),
        home=home,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return bundle


def test_frames_makes_a_scenes_anchor_frames_offline_in_either_mode(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json

    from aiuteur_desktop.core.production import prompts, visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.core.store import Project

    bundle = storm_bundle(tmp_path, aiuteur_home)
    early = run(
        "frames", "--project", str(bundle), "--scene", "1", "--mode", "quick", home=aiuteur_home
    )
    assert early.returncode == 2 and early.stderr.strip() == (
        "aiuteur frames: Assemble the scene's prompts first (Stage 9): shot 1A has none saved."
    )
    with Project.open(bundle) as p:
        shot_list.lock(p, "s1", shot_list.current(p, "s1"))
        for e in visuals.elements(p, "s1"):
            visuals.lock(p, "s1", e.slug)
        prompts.assemble(p, "s1")
    # Control mode without --approve: the first frame, then it waits for the approval.
    one = run(
        "frames",
        "--project",
        str(bundle),
        "--scene",
        "1",
        "--mode",
        "control",
        "--json",
        home=aiuteur_home,
    )
    assert one.returncode == 0, one.stderr
    out = json.loads(one.stdout)
    assert out["made"] == ["1A start"] and "approve the start frame of shot 1A" in out["waiting"]
    # Quick mode with --approve: every frame, approved, each start frame with its drift report.
    all_of = run(
        "frames",
        "--project",
        str(bundle),
        "--scene",
        "1",
        "--mode",
        "quick",
        "--approve",
        "--json",
        home=aiuteur_home,
    )
    assert all_of.returncode == 0, all_of.stderr
    out = json.loads(all_of.stdout)
    got = [(f["label"], f["frame"]) for f in out["frames"]]
    assert got == [
        ("1A", "start"),
        ("1A", "end"),
        ("1B", "start"),
        ("1B", "end"),
        ("1C", "start"),
        ("1C", "end"),
        ("1D", "start"),
    ]  # 1D: start-frame-only
    assert all(f["media"] and f["approved"] and f["status"] == "Up-to-date" for f in out["frames"])
    b_start = next(f for f in out["frames"] if (f["label"], f["frame"]) == ("1B", "start"))
    a_end = next(f for f in out["frames"] if (f["label"], f["frame"]) == ("1A", "end"))
    assert b_start["made_from"]["reference"] == a_end["media"]  # the chain
    assert set(b_start["drift"]) == {"structure", "colour", "features", "flags"}
    assert b_start["made_from"]["model"] == "offline:storyboard"
    bad = run(
        "frames", "--project", str(bundle), "--scene", "7", "--mode", "quick", home=aiuteur_home
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_checkout_and_render_a_scene_offline_and_refuse_to_spend_unasked(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json

    from aiuteur_desktop.core.production import prompts, takes, visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.core.store import Project

    bundle = storm_bundle(tmp_path, aiuteur_home)
    with Project.open(bundle) as p:
        shot_list.lock(p, "s2", shot_list.current(p, "s2"))
        for e in visuals.elements(p, "s2"):
            visuals.lock(p, "s2", e.slug)
        prompts.assemble(p, "s2")
    early = run("render", "--project", str(bundle), "--scene", "2", home=aiuteur_home)
    assert early.returncode == 2
    assert early.stderr.strip() == (
        "aiuteur render: Approve the start frame of shot 2A in Stage 10 first."
    )
    made = run(
        "frames", "--project", str(bundle), "--scene", "2", "--mode", "quick", "--approve",
        home=aiuteur_home,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    # Veo: the estimate is printed, and nothing is confirmed or sent without --yes.
    veo = ("--provider", "google:veo-3.1-generate-001")
    shown = run(
        "checkout", "--project", str(bundle), "--scene", "2", *veo, "--json", home=aiuteur_home
    )
    assert shown.returncode == 0, shown.stderr
    out = json.loads(shown.stdout)
    assert [x["label"] for x in out["lines"]] == ["2A", "2B"]
    assert out["total"] == pytest.approx(sum(x["price"] for x in out["lines"]))
    assert out["total"] == pytest.approx(4.8)
    assert out["frozen"] is False and out["confirmed"] is None
    paid = run("render", "--project", str(bundle), "--scene", "2", *veo, home=aiuteur_home)
    assert paid.returncode == 2 and "Scene 2 with google:veo-3.1-generate-001: $4.80" in paid.stdout
    assert paid.stderr.strip() == (
        "aiuteur render: rendering scene 2 costs about $4.80; run again with --yes to "
        "confirm and pay for it"
    )
    with Project.open(bundle) as p:
        assert p.read("scenes/s2/confirm") is None and takes.of(p, "s2", "A") == []
    # Offline (the default): free, confirmed and rendered with no key and no network.
    done = run("render", "--project", str(bundle), "--scene", "2", "--json", home=aiuteur_home)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["version"] == 1 and [r["state"] for r in out["rendered"]] == ["succeeded"] * 2
    assert [c["label"] for c in out["takes"]] == ["2A", "2B"]
    again = run("render", "--project", str(bundle), "--scene", "2", "--json", home=aiuteur_home)
    assert json.loads(again.stdout)["rendered"] == []  # nothing rendered twice
    after = run("checkout", "--project", str(bundle), "--scene", "2", home=aiuteur_home)
    assert "Confirmed for render (version 1)." in after.stdout
    exported = run(
        "export", "--project", str(bundle), "-o", str(tmp_path / "edit"), "--scene", "2",
        "--json", home=aiuteur_home,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    out = json.loads(exported.stdout)
    assert [c["name"] for c in out["clips"]] == ["Storm_Sc02_Shot2A_v01", "Storm_Sc02_Shot2B_v01"]
    assert (tmp_path / "edit" / "Storm.xml").is_file() and out["animatic"] == []
    assert (tmp_path / "edit" / "Storm.fcpxml").is_file()
    # A scene with no takes: its animatic stands in, marked, in one zip.
    drafts = run(
        "export", "--project", str(bundle), "-o", str(tmp_path / "drafts"), "--scene", "3",
        "--zip", "--json", home=aiuteur_home,
    )  # fmt: skip
    assert drafts.returncode == 0, drafts.stderr
    out = json.loads(drafts.stdout)
    assert out["zip"] == str(tmp_path / "drafts.zip") and not (tmp_path / "drafts").exists()
    assert {c["kind"] for c in out["clips"]} == {"animatic"}
    assert out["animatic"] == [c["label"] for c in out["clips"]]
    nothing = run(
        "export", "--project", str(bundle), "-o", str(tmp_path / "x"), "--scene", "99",
        home=aiuteur_home,
    )  # fmt: skip
    assert nothing.returncode == 2 and len(nothing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
    # The editor swaps the two shots; conform reports first, then applies on a new branch.
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(tmp_path / "edit" / "Storm.otio"))
    video = timeline.tracks[0]
    first = video[0]
    video.remove(first)
    video.append(first)
    otio.adapters.write_to_file(timeline, str(tmp_path / "edit" / "edited.otio"))
    with Project.open(bundle) as p:
        main = (p.current_branch, p.branch().head, p.branch().draft)
    edited = str(tmp_path / "edit" / "edited.otio")
    dry = run("conform", "--project", str(bundle), edited, "--dry-run", "--json", home=aiuteur_home)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert [x["label"] for x in report["order"]] == ["2B", "2A"] and report["moved"]
    assert report["branch"] is None and report["removed"] == []  # scene 2 only: the rest stays
    applied = run("conform", "--project", str(bundle), edited, home=aiuteur_home)
    assert applied.returncode == 0, applied.stderr
    assert "Applied on a new Story Timeline “Conform from edited.otio" in applied.stdout
    with Project.open(bundle) as p:
        assert p.current_branch.startswith("Conform from edited.otio")
        assert (main[0], p.branch(main[0]).head, p.branch(main[0]).draft) == main
    junk = tmp_path / "junk.edl"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    refused = run("conform", "--project", str(bundle), str(junk), home=aiuteur_home)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    bad = run(
        "checkout", "--project", str(bundle), "--scene", "2", "--provider", "veo", home=aiuteur_home
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_archive_and_unarchive_round_trip_and_refuse_hostile_files(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json
    import zipfile

    bundle = storm_bundle(tmp_path, aiuteur_home)
    packed = run("archive", "--project", str(bundle), "-o", str(tmp_path / "Storm"), "--json",
                 home=aiuteur_home)  # fmt: skip
    assert packed.returncode == 0, packed.stderr
    zipped = Path(json.loads(packed.stdout)["archive"])
    assert zipped == tmp_path / "Storm.zip" and zipped.is_file()
    again = run("archive", "--project", str(bundle), "-o", str(zipped), home=aiuteur_home)
    assert again.returncode == 2 and "exists already" in again.stderr
    into = tmp_path / "moved"
    done = run("unarchive", str(zipped), "--into", str(into), "--json", home=aiuteur_home)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert Path(out["project"]) == into / bundle.name and out["renamed"] is False
    scenes = run("scenes", "--project", out["project"], "--json", home=aiuteur_home)
    assert scenes.returncode == 0 and json.loads(scenes.stdout)
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("archive.json", json.dumps({"format": 1, "files": {"../x": {}}}))
        z.writestr("../x", b"owned")
    evil = run("unarchive", str(tmp_path / "evil.zip"), "--into", str(into), home=aiuteur_home)
    assert evil.returncode == 2 and len(evil.stderr.strip().splitlines()) == 1
    assert "outside the project folder" in evil.stderr and not (tmp_path / "x").exists()


def test_projects_made_or_unarchived_by_the_cli_are_on_the_dashboard(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    """The README's own commands: a bare --project name lives in the projects folder, and
    every project the CLI makes, imports, unarchives or uses is listed."""
    import json

    script = SCRIPTS / "night_ferry.fountain"
    work = tmp_path / "cwd"
    work.mkdir()
    env = {**os.environ, "AIUTEUR_HOME": str(aiuteur_home), "QT_QPA_PLATFORM": "offscreen"}

    def here(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aiuteur_desktop", *args],
            capture_output=True, text=True, env=env, cwd=work, timeout=120,
        )  # fmt: skip

    made = here("script", "import", str(script), "--project", "My Film")
    assert made.returncode == 0, made.stderr
    library = Library()
    folder = library.projects_dir()
    assert (folder / "My Film.aiuteur" / "project.db").is_file()
    assert not (work / "My Film.aiuteur").exists()
    # Later commands find it by the same bare name.
    shots = here("shots", "--project", "My Film", "--json")
    assert shots.returncode == 0 and json.loads(shots.stdout)
    # A path is taken where it says, and listed too.
    there = here("script", "import", str(script), "--project", "./Local Cut")
    assert there.returncode == 0 and (work / "Local Cut.aiuteur").is_dir()
    packed = here("archive", "--project", "My Film", "-o", str(tmp_path / "film.zip"))
    assert packed.returncode == 0, packed.stderr
    unpacked = here("unarchive", str(tmp_path / "film.zip"), "--json")
    assert unpacked.returncode == 0, unpacked.stderr
    assert Path(json.loads(unpacked.stdout)["project"]) == folder / "My Film 2.aiuteur"
    listed = {e.path for e in library.projects()}
    library.close()
    assert listed == {
        (folder / "My Film.aiuteur").resolve(),
        (folder / "My Film 2.aiuteur").resolve(),
        (work / "Local Cut.aiuteur").resolve(),
    }


LDD_WITHOUT_ICCCM = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibfoo-unknown.so.3 => not found
"""


def test_doctor_names_the_packages_for_what_qts_xcb_plugin_lacks() -> None:
    """ldd's "not found" lines become the apt-get packages, each once — not libxcb-cursor0,
    which Qt's own message blames."""
    from aiuteur_desktop import doctor

    missing = doctor.missing_libraries(LDD_WITHOUT_ICCCM)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-unknown.so.3"]
    assert doctor.packages_for(missing) == [
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libfoo-unknown.so.3",
    ]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    apt_line = next(ln for ln in readme.splitlines() if ln.startswith("sudo apt-get install"))
    for package in set(doctor.XCB_PACKAGES.values()) - {
        "libx11-6",
        "libxcb1",
        "libfreetype6",
        "libxcb-shm0",
        "libxcb-sync1",
        "libxcb-xfixes0",
        "libxcb-render0",
    }:
        assert f" {package} " in f"{apt_line} ", package  # fmt: skip


def test_doctor_loads_the_window_platform_for_real(aiuteur_home: Path) -> None:
    """Qt is started in a child process: a display that is not there fails the check with
    Qt's reason (the doctor itself survives Qt's abort), offscreen passes."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(AIUTEUR_HOME=str(aiuteur_home), DISPLAY=":77")
    broken = subprocess.run(
        [sys.executable, "-m", "aiuteur_desktop", "doctor"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert broken.returncode == 1, broken.stdout
    line = next(ln for ln in broken.stdout.splitlines() if "Window (Qt platform)" in ln)
    assert "[FAIL]" in line and ("could not open a window" in line or "lacks" in line)
    assert "cannot run on this machine yet: Window (Qt platform)" in broken.stdout
    fine = run("doctor", home=aiuteur_home)
    assert "[  ok] Window (Qt platform)" in fine.stdout and "offscreen" in fine.stdout


def test_long_commands_show_progress_on_a_terminal_lines_in_a_pipe_and_nothing_for_json(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json
    import pty

    bundle = storm_bundle(tmp_path, aiuteur_home)
    env = {**os.environ, "AIUTEUR_HOME": str(aiuteur_home), "QT_QPA_PLATFORM": "offscreen"}
    # A terminal: one line rewritten in place, naming the shot, the count and the time.
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "aiuteur_desktop", "animatic", "--project", str(bundle),
         "-o", str(tmp_path / "tty"), "--width", "320", "--no-speech"],
        stdout=subprocess.PIPE, stderr=slave, env=env,
    ) as proc:  # fmt: skip
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        proc.communicate(timeout=120)
    os.close(master)
    said = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, said
    assert "\r" in said and "Shot 1A" in said and " of " in said and "so far" in said
    assert "Rendering" in said and said.count("\n") <= 3  # not a line per update
    # A pipe: plain lines, no carriage returns; the result still on stdout.
    piped = run("export", "--project", str(bundle), "-o", str(tmp_path / "edit"),
                home=aiuteur_home)  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr and " of " in piped.stderr
    assert all("so far" in line for line in piped.stderr.strip().splitlines())
    # The shot list is summarised, never a wall of labels.
    clips = len(list((tmp_path / "edit" / "clips").glob("*.mp4")))
    assert f"No take yet for {clips} shots (1A, " in piped.stdout  # a short list is named
    assert "the animatic stands in" in piped.stdout
    from aiuteur_desktop.cli.editor import shot_count

    assert shot_count([f"{n}A" for n in range(1537)]) == "1,537 shots"  # a long one counted
    assert len(piped.stdout.splitlines()) <= 4
    # --json: the answer alone.
    quiet = run("export", "--project", str(bundle), "-o", str(tmp_path / "j"), "--json",
                home=aiuteur_home)  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert len(json.loads(quiet.stdout)["animatic"]) == clips


def test_animatic_clips_are_drawn_once_and_reused_by_export(
    aiuteur_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`animatic` draws each shot; Pro Export's stand-ins for the same shots draw none."""
    from aiuteur_desktop.cli import main as cli
    from aiuteur_desktop.providers.offline import animatic

    bundle = storm_bundle(tmp_path, aiuteur_home)
    drawn: list[str] = []
    real = animatic.render_clip

    def counting(spec, out, **kw):  # type: ignore[no-untyped-def]
        drawn.append(spec.shot)
        return real(spec, out, **kw)

    monkeypatch.setattr(animatic, "render_clip", counting)
    argv = ["animatic", "--project", str(bundle), "-o", str(tmp_path / "reel"), "--no-speech"]
    assert cli.main(argv) == 0
    first = len(drawn)
    assert first == len(list((tmp_path / "reel" / "clips").glob("*.mp4"))) > 0
    # Pro Export draws with speech unless none is installed; ask the same of both.
    argv = ["animatic", "--project", str(bundle), "-o", str(tmp_path / "reel2"), "--no-speech"]
    assert cli.main(argv) == 0 and len(drawn) == first  # another folder: linked, not drawn
    capsys.readouterr()
    monkeypatch.setattr("aiuteur_desktop.providers.offline.tts.available", lambda: None)
    assert cli.main(["export", "--project", str(bundle), "-o", str(tmp_path / "edit")]) == 0
    assert len(drawn) == first  # the export's stand-ins: every one reused
    exported = sorted((tmp_path / "edit" / "clips").glob("*_animatic.mp4"))
    assert len(exported) == first


def test_shots_and_animatic_follow_the_conformed_cut(aiuteur_home: Path, tmp_path: Path) -> None:
    """After conform, the Story Timeline it made shows the editor's order and lengths, with
    the dropped shot listed as omitted; the animatic film is the cut's length."""
    import json

    import av

    from tests.core.export.test_conform import _edited

    bundle = storm_bundle(tmp_path, aiuteur_home)
    before = json.loads(run("shots", "--project", str(bundle), "--json", home=aiuteur_home).stdout)
    assert all("cut" not in r and "omitted" not in r for r in before)
    exported = run("export", "--project", str(bundle), "-o", str(tmp_path / "edit"), "--json",
                   home=aiuteur_home)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    names, frames, removed, trimmed = _edited(tmp_path / "edit", ".otio", tmp_path)
    done = run("conform", "--project", str(bundle), str(tmp_path / "edited.otio"),
               home=aiuteur_home)  # fmt: skip
    assert done.returncode == 0, done.stderr

    after = json.loads(run("shots", "--project", str(bundle), "--json", home=aiuteur_home).stdout)
    clip = {c["name"]: c["label"] for c in json.loads(exported.stdout)["clips"]}
    in_cut = [r for r in after if not r["omitted"]]
    assert [r["label"] for r in in_cut] == [clip[n] for n in names]
    assert [r["cut"]["frames"] for r in in_cut] == frames
    assert [r["label"] for r in after if r["omitted"]] == [clip[removed]]
    shortened = next(r for r in in_cut if r["label"] == clip[trimmed])
    assert shortened["cut"]["seconds"] == shortened["duration"] - 2
    text = run("shots", "--project", str(bundle), home=aiuteur_home).stdout
    assert "The editor's cut from edited.otio" in text
    assert f"Omitted in the editor's cut (1): {clip[removed]}" in text

    made = run("animatic", "--project", str(bundle), "-o", str(tmp_path / "reel"),
               "--width", "320", "--no-speech", home=aiuteur_home)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "In the editor's cut from edited.otio; 1 shot(s) omitted." in made.stdout
    with av.open(str(tmp_path / "reel" / "Storm_animatic.mp4")) as film:
        stream = film.streams.video[0]
        count = sum(1 for _ in film.decode(stream))
    assert count == sum(frames)
    cut = nle.read(tmp_path / "reel" / "Storm_animatic.otio")
    video = next(t for t in cut.tracks if t.kind == "Video")
    assert [round(c.source_range.duration.to_frames()) for c in video.find_clips()] == frames


def test_the_progress_meter_rewrites_one_line_on_a_terminal_and_logs_each_state_once() -> None:
    import io

    from aiuteur_desktop.cli.progress import Meter
    from aiuteur_desktop.core.app.progress import Step

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    meter = Meter(stream=tty)
    for n in range(3):
        meter.step(Step(n, 3, f"Shot 1{'ABC'[n]}"))
        meter._last = 0.0  # as if 0.1 s had passed between shots
    meter.done()
    said = tty.getvalue()
    assert "\n" not in said and said.count("\r") >= 3 and "Shot 1C · 3 of 3" in said
    assert said.endswith("\r")  # the line is cleared for what the command prints next
    pipe = io.StringIO()
    meter = Meter(stream=pipe)
    meter.step(Step(0, 2, "Shot 1A"))
    meter.step(Step(1, 2, "Shot 1B"))  # the same tenth of the way, seconds later: not logged
    meter.progress(1.0)
    meter.progress(1.0)
    lines = pipe.getvalue().splitlines()
    assert lines[0].startswith("Shot 1A · 1 of 2 · ") and lines[1].startswith("Shot 1B · 2 of 2")
    assert len(lines) == 2
    quiet = io.StringIO()
    meter = Meter(quiet=True, stream=quiet)
    meter.step(Step(0, 2, "Shot 1A"))
    meter.progress(0.5)
    meter.done()
    assert quiet.getvalue() == ""


def test_front_matter_alone_makes_no_opening_scene_and_the_import_says_so(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    import json

    script = tmp_path / "front.fountain"
    script.write_text(
        "Title: Front\n\n# ACT ONE\n\n= Anna wakes.\n\n[[a note]]\n\nINT. KITCHEN - DAY\n\n"
        "Anna cooks.\n",
        encoding="utf-8",
    )
    bundle = tmp_path / "Front.aiuteur"
    done = run("script", "import", str(script), "--project", str(bundle), home=aiuteur_home)
    assert done.returncode == 0, done.stderr
    assert "1 scene imported" in done.stdout and "it is not a scene" in done.stdout
    scenes = json.loads(run("scenes", "--project", str(bundle), "--json", home=aiuteur_home).stdout)
    assert [(s["number"], s["id"]) for s in scenes] == [("1", "s1")]


def test_an_export_killed_midway_never_leaves_a_manifest_that_vouches_for_it(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    """Into a folder that holds an earlier export, `aiuteur export` is killed at random
    instants: a manifest.json present always lists files that are all there, whole."""
    import hashlib
    import json
    import random
    import signal
    import time

    bundle = storm_bundle(tmp_path, aiuteur_home)
    out = tmp_path / "edit"
    first = run("export", "--project", str(bundle), "-o", str(out), home=aiuteur_home)
    assert first.returncode == 0, first.stderr
    env = {**os.environ, "AIUTEUR_HOME": str(aiuteur_home), "QT_QPA_PLATFORM": "offscreen"}
    rng = random.Random(5)
    # How long a whole run takes here: the kills land across its second half, where it
    # writes (the first is Python starting and the project being read).
    clock = time.time()
    whole = run("export", "--project", str(bundle), "-o", str(out), "--animatic",
                home=aiuteur_home)  # fmt: skip
    assert whole.returncode == 0, whole.stderr
    took = time.time() - clock
    for n in range(10):
        began = time.time()
        time.sleep(0.05)  # file times of this run are after `began`
        proc = subprocess.Popen(
            [sys.executable, "-m", "aiuteur_desktop", "export", "--project", str(bundle),
             "-o", str(out), "--animatic"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.45, 1.0) * took)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        manifest = out / "manifest.json"
        if not manifest.exists():
            continue
        listed = json.loads(manifest.read_text(encoding="utf-8"))
        if listed["exported_at"] < began:  # an earlier export's: this run wrote nothing yet
            touched = [
                f for f in out.rglob("*") if f.is_file() and f.stat().st_mtime > began
            ]  # fmt: skip
            assert touched == [], (n, touched[:3])
        for clip in listed["clips"]:
            data = (out / clip["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == clip["sha256"], (n, clip["file"])
        for timeline in listed["timelines"]:
            assert (out / timeline).is_file(), (n, timeline)


def test_animatic_and_export_in_an_editors_codec(
    aiuteur_home: Path, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`animatic --codec dnxhr`: the clips the timelines point at are DNxHR .mov files (the
    film stays H.264 to watch), transcoded once; `export --codec prores --json` says what it
    wrote; an unknown codec is refused in a line."""
    import json

    import av

    from aiuteur_desktop.cli import main as cli

    bundle = storm_bundle(tmp_path, aiuteur_home)
    reel = tmp_path / "reel"
    argv = ["animatic", "--project", str(bundle), "-o", str(reel), "--no-speech", "--width", "320"]
    assert cli.main([*argv, "--codec", "dnxhr"]) == 0
    shown = capsys.readouterr().out
    clips = sorted((reel / "clips").iterdir())  # hidden files too: no temporary left
    assert clips and all(c.suffix == ".mov" and not c.name.startswith(".") for c in clips)
    assert f"{len(clips)} transcoded now" in shown
    with av.open(str(clips[0])) as clip:
        assert clip.streams.video[0].codec_context.profile == "DNXHR HQ"
        assert clip.streams.audio[0].codec_context.name == "pcm_s24le"
    film = next(reel.glob("*_animatic.mp4"))
    with av.open(str(film)) as whole:
        assert whole.streams.video[0].codec_context.name == "h264"
    xml = next(reel.glob("*_animatic.xml")).read_text()
    assert xml.count(".mov</pathurl>") >= len(clips) and ".mp4</pathurl>" not in xml
    assert cli.main([*argv, "--codec", "dnxhr"]) == 0
    assert "0 transcoded now" in capsys.readouterr().out
    # As drawn again: the .mov clips give way to the .mp4 ones the timelines now name.
    assert cli.main(argv) == 0
    assert all(c.suffix == ".mp4" for c in (reel / "clips").iterdir())  # hidden ones too
    capsys.readouterr()
    out = tmp_path / "edit"
    argv = ["export", "--project", str(bundle), "-o", str(out), "--scene", "1", "--json"]
    assert cli.main([*argv, "--codec", "prores"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["codec"]["key"] == "prores" and data["codec"]["timecode"] == "01:00:00:00"
    assert all(c["file"].endswith(".mov") for c in data["clips"])
    assert data["transcoded"] == len(data["clips"]) > 0  # stand-ins drawn at the export's size
    with pytest.raises(SystemExit) as refused:
        cli.main([*argv, "--codec", "h265"])
    assert refused.value.code == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert "invalid choice: 'h265'" in said[-1]


def test_a_missing_library_file_is_not_blamed_on_the_output_folder(tmp_path: Path) -> None:
    """An OSError naming a file outside the output (a library's missing part) says which file;
    one naming the output, or a file inside it, says the output cannot be written."""
    import errno

    from aiuteur_desktop.cli.common import _write_failed

    out = tmp_path / "animatic"
    inside = OSError(errno.EACCES, "Permission denied", str(out / "clips" / "1A.mp4"))
    assert _write_failed(out, inside) == f"cannot write to {out}: Permission denied"
    elsewhere = OSError(errno.ENOENT, "No such file or directory", "/opt/app/otio/fcp_xml.py")
    said = _write_failed(out, elsewhere)
    assert said.startswith("No such file or directory: /opt/app/otio/fcp_xml.py")
    assert "cannot write" not in said
    assert _write_failed(out, OSError("disk full")) == f"cannot write to {out}: disk full"
