"""The offline path from the desktop app: a screenplay in, an animatic and an editor's
timeline out — shot list preview, render as a job with progress, cancel, clear failures."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.export import nle
from aiuteur_desktop.core.jobs import JobState
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.export.animatic_dialog import AnimaticDialog
from aiuteur_desktop.views.jobs.page import DetailRole
from aiuteur_desktop.views.main_window import MainWindow
from tests.screenplays import DATA, scripted_project
from tests.views.conftest import find_window, wait_for_window


def heist(tmp_path: Path, name: str = "Kitchen Heist") -> Project:
    return scripted_project(tmp_path, name, "kitchen_heist")


def open_dialog(qtbot, window: MainWindow, project: Project) -> AnimaticDialog:  # type: ignore[no-untyped-def]
    window._show_project(project)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    return wait_for_window(qtbot, AnimaticDialog)


def test_a_screenplay_becomes_an_animatic_and_a_timeline(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, heist(tmp_path))
    qtbot.waitUntil(lambda: dialog.table.row_count() == 11)
    assert dialog.summary.text() == "11 shots · 1:08 · 5 scenes"
    # June at the door; Tommy answers from outside it (O.S.): a close shot of her alone.
    assert [dialog.table.text(2, c) for c in range(3)] == ["1C", "4 s", "MCU static"]
    assert dialog.table.text(2, 3) == "JUNE: Who's there? / TOMMY: It's me. Open up."
    out = tmp_path / "out"
    dialog.folder.setText(str(out))
    dialog.size.setCurrentIndex(0)  # draft size keeps the test quick
    dialog.voices.setChecked(False)
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.isVisible() and not dialog.render_button.isEnabled()
    assert dialog.close_button.text() == "Close"  # closing never cancels
    assert dialog.status.text() == "Rendering 11 shots (1:08)…"
    # While it renders the window says which shot, how many of how many, and the time.
    qtbot.waitUntil(lambda: " of 11 · " in dialog.status.text(), timeout=60_000)
    assert dialog.status.text().startswith("Shot ") and "so far" in dialog.status.text()
    jobs_page = window.jobs_page
    row = jobs_page.model.row_of(dialog.job_id)
    assert " of 11 · " in jobs_page.model.index(row).data(DetailRole)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=90_000)
    assert dialog.status.text().startswith(
        "Done: KitchenHeist_animatic.mp4 (11 shots, 1:08) and its timeline for Resolve or Premiere"
    )
    assert (
        "Drawn as figures until they have a picture as their image key: JUNE, TOMMY, MCCLANE, DANA."
        in (dialog.status.text())
    )
    assert "with the storyboard sheets as a PDF" in dialog.status.text()
    assert (out / "KitchenHeist_storyboard.pdf").is_file()
    assert dialog.open_button.isVisible() and not dialog.cancel_button.isVisible()
    cut = nle.read(out / "KitchenHeist_animatic.xml")
    video = next(t for t in cut.tracks if t.kind == otio.schema.TrackKind.Video)
    names = [c.name for c in video.find_clips()]
    assert len(names) == 11 and names[0] == "KitchenHeist_Sc01_Shot1A_v01"
    assert all((out / "clips" / f"{n}.mp4").is_file() for n in names)
    # It ran as a job: it is in the Jobs page's table with its outcome.
    jobs = [j for j in window.job_runner.store.recent() if j.kind == "previz.reel"]
    assert [j.state for j in jobs] == [JobState.SUCCEEDED]
    dialog.close_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_cancel_asks_then_stops_the_render_and_writes_no_film(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, heist(tmp_path))
    qtbot.waitUntil(lambda: dialog.render_button.isEnabled())
    out = tmp_path / "out"
    dialog.folder.setText(str(out))
    dialog.voices.setChecked(False)
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "cancelRender")
    assert "clips already rendered are kept" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()  # "no": the render goes on
    assert dialog.rendering
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "cancelRender")
    next(b for b in box.buttons() if b.text() == "Stop Rendering").click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Cancelled"), timeout=30_000)
    assert not list(out.glob("KitchenHeist_animatic*"))
    assert dialog.render_button.isEnabled() and not dialog.cancel_button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_closing_the_dialog_leaves_the_render_running(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, heist(tmp_path))
    assert not dialog.isModal()  # the rest of the app stays usable
    qtbot.waitUntil(lambda: dialog.render_button.isEnabled())
    out = tmp_path / "out"
    dialog.folder.setText(str(out))
    dialog.size.setCurrentIndex(0)
    dialog.voices.setChecked(False)
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc closes the window, not the render
    assert not dialog.isVisible() and dialog.rendering
    job = next(j for j in window.job_runner.recent() if j.kind == "previz.reel")
    assert job.state in (JobState.QUEUED, JobState.RUNNING)
    # File → Render Animatic & Timeline (Ctrl+Shift+E) brings the same window back, rendering.
    assert window.animatic_action.shortcut().toString() == "Ctrl+Shift+E"
    window.animatic_action.trigger()
    assert window.project_page._animatic is dialog and dialog.isVisible() and dialog.rendering
    dialog.close_button.click()
    qtbot.waitUntil(
        lambda: window.job_runner.job(job.id).state == JobState.SUCCEEDED, timeout=90_000
    )
    assert (out / "KitchenHeist_animatic.mp4").is_file()


def test_no_script_and_unwritable_folders_are_said_plainly(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    empty = Project.create(tmp_path, "Empty")
    dialog = open_dialog(qtbot, window, empty)
    qtbot.waitUntil(lambda: "no Master Script yet" in dialog.summary.text())
    assert not dialog.render_button.isEnabled()
    dialog.reject()
    qtbot.waitUntil(lambda: find_window(AnimaticDialog) is None or not dialog.isVisible())
    # From Stage 4's Export menu, for a project with a script, into a folder that cannot exist.
    project = heist(tmp_path / "second")
    window._show_project(project)
    stage4 = window.project_page.editors[4]
    action = next(
        a for a in stage4.export_button.menu().actions() if a.text().startswith("Animatic")
    )
    action.trigger()
    dialog = wait_for_window(qtbot, AnimaticDialog)
    qtbot.waitUntil(lambda: dialog.render_button.isEnabled())
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    dialog.folder.setText(str(blocker / "out"))
    dialog.size.setCurrentIndex(0)
    dialog.voices.setChecked(False)
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be rendered" in dialog.status.text(), timeout=30_000)
    assert f"Cannot write to {blocker / 'out'}" in dialog.status.text()
    assert master_script.current(project) is not None  # nothing of the project was touched
    dialog.reject()


def test_first_run_offline_path_screenplay_to_edited_shots_to_timeline(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """What a new user tries first, with no key and no network: import a screenplay (Mode D),
    approve it, adjust a scene's shots, render — the timeline holds the adjusted shots."""
    from tests.views.story.test_phase_a import fill_setup, open_project, pages

    project = open_project(qtbot, window, tmp_path, "Kitchen Heist")
    window.show()
    qtbot.waitExposed(window)
    s1, _s2, _s3, s4 = pages(window)
    fill_setup(s1, "D")
    s1.staging.add_paths([DATA / "kitchen_heist.fountain"])
    qtbot.waitUntil(s1.lock_button.isEnabled)
    s1.lock_button.click()
    page = window.project_page
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is s4)
    assert "Render Animatic & Timeline" in window.statusBar().currentMessage()
    s4.approve_button.click()
    qtbot.waitUntil(lambda: page.scene_list.count() == 5)
    page.select_scene("s2")
    page.show_stage(7)
    stage7 = page.editors[7]
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is stage7 and not stage7.deriving)
    stage7.table.selectRow(1)
    qtbot.mouseClick(stage7.split_button, Qt.MouseButton.LeftButton)  # 2.2 → 2.2 + 2.3
    assert stage7.model.rowCount() == 3
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = wait_for_window(qtbot, AnimaticDialog)
    qtbot.waitUntil(lambda: dialog.table.row_count() == 12)
    assert [dialog.table.text(r, 0) for r in range(5, 8)] == ["2A", "2B", "2C"]
    out = tmp_path / "first cut"
    dialog.folder.setText(str(out))
    dialog.size.setCurrentIndex(0)
    dialog.voices.setChecked(False)
    qtbot.mouseClick(dialog.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=90_000)
    cut = nle.read(out / "KitchenHeist_animatic.xml")
    video = next(t for t in cut.tracks if t.kind == otio.schema.TrackKind.Video)
    names = [c.name for c in video.find_clips()]
    assert len(names) == 12 and "KitchenHeist_Sc02_Shot2C_v01" in names
    assert (out / "KitchenHeist_storyboard.pdf").is_file()
    assert master_script.current(project) is not None
    dialog.accept()


def test_one_render_dialog_at_a_time(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = open_dialog(qtbot, window, heist(tmp_path))
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.project_page._animatic is first  # the open one is brought forward
    first.reject()
    qtbot.waitUntil(lambda: not first.isVisible())
    window.project_page.open_animatic()
    again = window.project_page._animatic
    assert again is not None and again is not first and again.isVisible()
    again.reject()
