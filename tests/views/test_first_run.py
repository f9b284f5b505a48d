"""A newcomer's first run: a screenplay brought in from the command line or through Mode D
reaches every stage, skipped stages say why, and every gate's button goes where its
message says."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from aiuteur_desktop.cli import main as cli
from aiuteur_desktop.core import story
from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.store import Project, stages
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage7 import Stage7Page
from aiuteur_desktop.views.story.stage4 import Stage4Page
from tests.views.conftest import wait_for_hub
from tests.views.story.test_phase_a import DATA, current, open_project, pages


def click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def cli_imported(window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """`aiuteur script import night_ferry.fountain`, then the project opened in the app."""
    bundle = tmp_path / "Ferry.aiuteur"
    argv = ["script", "import", str(DATA / "night_ferry.fountain"), "--project", str(bundle)]
    assert cli.main(argv) == 0
    capsys.readouterr()
    project = Project.open(bundle)
    window._show_project(project)
    return project


def test_a_screenplay_imported_on_the_command_line_opens_on_stage_4_and_reaches_stage_7(
    qtbot, window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    project = cli_imported(window, tmp_path, capsys)
    window.show()
    qtbot.waitExposed(window)
    page = window.project_page
    s4 = page.editors[4]
    assert isinstance(s4, Stage4Page)
    # The same project Mode D makes: it opens on the script, not on an idea and a key.
    qtbot.waitUntil(lambda: current(window) is s4)
    assert "EXT. QUAYSIDE - CONTINUOUS" in s4.editor.toPlainText()
    assert not page.hub_panel.isVisible()  # no scenes to work on before the approval
    click(qtbot, s4.approve_button)
    assert story.is_locked(project, 4)
    wait_for_hub(qtbot, page)
    assert page.hub_panel.isVisible()
    # Stage 7 before a scene is picked: its button picks the first one and opens it.
    page.scene_list.setCurrentRow(-1)
    page.show_stage(7)
    assert current(window) is page.gate_page
    click(qtbot, page.gate_page.button)
    stage7 = page.editors[7]
    assert isinstance(stage7, Stage7Page)
    qtbot.waitUntil(lambda: current(window) is stage7 and not stage7.deriving)
    assert stage7.table.model().rowCount() == 4


def test_mode_d_needs_only_the_file_and_says_how_long_the_script_runs(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    open_project(qtbot, window, tmp_path)
    s1, _s2, _s3, s4 = pages(window)
    s1.mode_cards["D"].setChecked(True)
    # Tone, genre and rating steer the AI modes: a finished script is not asked for them.
    assert not s1.tone.isVisibleTo(s1) and not s1.rating.isVisibleTo(s1)
    assert "screenplay as the Primary Input" in s1.problem.text()  # said under the button
    s1.staging.add_paths([DATA / "night_ferry.fountain"])
    qtbot.waitUntil(s1.lock_button.isEnabled)
    messages: list[str] = []
    s1.message.connect(messages.append)
    click(qtbot, s1.lock_button)
    qtbot.waitUntil(lambda: current(window) is s4)
    # The target is 3–5 minutes; the night ferry runs under one.
    assert any(
        "Its shots run 0:56, outside the target length (3:00 to 5:00 minutes)" in m
        for m in messages
    ), messages


def test_skipped_stages_say_why_and_every_gate_button_goes_where_it_says(
    qtbot, window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    cli_imported(window, tmp_path, capsys)
    page = window.project_page
    for number in (2, 3):
        node = page.timeline.nodes[number]
        qtbot.waitUntil(lambda node=node: "Skipped" in node.toolTip())  # (read on a worker)
        assert "Locked" not in node.toolTip()
        click(qtbot, node)
        assert current(window) is page.gate_page
        assert page.gate_page.title.text().endswith("— skipped")
        assert page.gate_page.reason.text().startswith("Skipped: this project started")
        click(qtbot, page.gate_page.button)  # "Go to Stage 4 · Master Script"
        assert current(window) is page.editors[4]
    # Before the script is approved, Stages 5–7 send the filmmaker to Stage 4, and say so.
    for number in (5, 6, 7):
        page.show_stage(number)
        gate = page.gate_page.gate
        assert current(window) is page.gate_page and gate is not None
        assert "Stage 4" in gate.reason and gate.target == 4
        click(qtbot, page.gate_page.button)
        assert current(window) is page.editors[4]


def test_a_new_projects_gates_name_the_first_step_still_to_do(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = open_project(qtbot, window, tmp_path)
    page = window.project_page
    for number in range(2, 8):
        g = gates.gate(project, number)
        assert g is not None and g.target == 1, number
        page.show_stage(number)
        assert page.gate_page.reason.text() == "Lock the Project Setup in Stage 1 first."
        assert page.gate_page.button.text() == "Go to Stage 1 · Input"
        click(qtbot, page.gate_page.button)
        assert current(window) is page.editors[1]


def test_stages_still_to_be_built_look_it(window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rail = window.project_page.rail
    for row in range(rail.count()):
        item = rail.item(row)
        number = item.data(Qt.ItemDataRole.UserRole)
        built = number in gates.BUILT
        # A lock on the stages still to come (the built ones keep a blank in its place).
        locked = item.icon().pixmap(16, 16).toImage().pixelColor(8, 14).alpha() > 0
        assert locked is not built
        assert ("not built yet" in item.toolTip()) is not built
        stage = next(s for s in stages.PHASE_B if s.number == number)
        assert stage.purpose in item.toolTip()


def test_walking_the_pages_changes_nothing(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Opening a project and looking at every page writes nothing: no page saves a draft of
    its own on being shown or left (an editor that had not read the project would save an
    empty script)."""
    from tests.screenplays import scripted_project

    project = scripted_project(tmp_path, "Heist", "kitchen_heist", approved=True)
    draft = project.branch().draft
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window._show_project(project)
    page = window.project_page
    qtbot.wait(800)  # longer than any autosave delay
    wait_for_hub(qtbot, page)
    page.scene_list.setCurrentRow(0)
    for number in (1, 7, 6, 5, 3, 2, 4, 1):
        page.show_stage(number)
        qtbot.wait(200)
    window.go_to("projects")
    page.flush()
    assert project.branch().draft == draft and not project.is_dirty()


def test_a_start_up_error_is_logged_with_its_traceback_and_shown_in_a_dialog(
    app, aiuteur_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """Someone who opened the app from a launcher never sees stderr: what stopped it is in the
    log and in front of them."""
    from PySide6.QtWidgets import QMessageBox

    from aiuteur_desktop.core.app import paths
    from aiuteur_desktop.views import app as app_module
    from aiuteur_desktop.views import main_window

    def broken(*_args: object) -> None:
        raise FileNotFoundError("resources/icons is not a file")

    shown: list[str] = []
    monkeypatch.setattr(main_window, "MainWindow", broken)
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    assert app_module.run_app() == 1
    log_text = (paths.log_dir() / "aiuteur.log").read_text(encoding="utf-8")
    assert "Aiuteur could not start" in log_text and "Traceback" in log_text
    assert "resources/icons is not a file" in log_text
    assert len(shown) == 1 and "resources/icons is not a file" in shown[0]
    assert str(paths.log_dir() / "aiuteur.log") in shown[0]
    assert "Aiuteur could not start" in capsys.readouterr().err


def test_the_window_opens_without_the_heavy_libraries(tmp_path: Path) -> None:
    """The first window comes up before any heavy import: the dashboard is built with none of
    NumPy, LanceDB, OpenCV, PyAV, OpenTimelineIO or the SDKs loaded (they cost seconds on a
    busy machine), nor by building the project page; jobs and pages that need them load them
    on first use."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from aiuteur_desktop.views.app import ensure_app\n"
        "from aiuteur_desktop.core.library import Library\n"
        "from aiuteur_desktop.views.main_window import MainWindow\n"
        "app = ensure_app()\n"
        "window = MainWindow(Library())\n"
        "window.resize(1440, 900)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "window.project_page  # the project page and its twelve stages, built\n"
        "heavy = ('numpy', 'lancedb', 'cv2', 'av', 'opentimelineio', 'openai', 'google.genai')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AIUTEUR_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
