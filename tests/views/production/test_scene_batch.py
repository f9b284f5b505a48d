"""The Script Hub's "Take Scenes to Frames", by gestures: scenes picked with Ctrl-click go
through the steps that need no judgement in one background batch, then one priced
confirmation makes every frame; a scene that needs a decision stops the batch, said in
plain words, and the scenes before it still get their frames."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage6 import Stage6Page
from tests.views.conftest import wait_for_window
from tests.views.production.test_stage8_9 import click_item, open_scene, rail_to, storm_project


def hub_page(qtbot, window: MainWindow) -> Stage6Page:  # type: ignore[no-untyped-def]
    page = window.project_page
    # Ctrl-click the second scene: both are selected (the second is the one shown).
    click_item(qtbot, page.scene_list, page.scene_list.item(1), Qt.KeyboardModifier.ControlModifier)
    rail_to(qtbot, window, "Script Hub")
    hub = page.editors[6]
    assert isinstance(hub, Stage6Page)
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is hub)
    return hub


def test_two_scenes_to_their_frames_with_one_confirmation(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = storm_project(tmp_path)
    open_scene(qtbot, window, project, 0)
    hub = hub_page(qtbot, window)
    assert window.project_page.selected_scenes() == ["s1", "s2"]
    assert hub.batch_button.text() == "Take 2 Scenes to Frames…"
    qtbot.mouseClick(hub.batch_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "batchFramesEstimate", timeout=30_000)
    wanted = sum(len(frames.slots(project, s)) for s in ("s1", "s2"))
    assert box.text().startswith("2 scenes ready for frames (locked 2 shot lists and ")
    assert f"Make {wanted} frames with the offline storyboard engine" in box.text()
    assert "$0.00" in box.text()
    for scene in ("s1", "s2"):  # done before anything was made
        assert shot_list.is_locked(project, scene) and prompts.gate(project, scene) is None
    next(b for b in box.buttons() if b.text() == "Make").click()
    qtbot.waitUntil(lambda: not hub.preparing and not hub._pending, timeout=60_000)
    for scene in ("s1", "s2"):
        assert all(s.made for s in frames.slots(project, scene)), scene
    assert not hub.busy.isVisible()


def test_a_scene_that_needs_a_decision_stops_the_batch_and_says_why(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = storm_project(tmp_path)
    visuals.create_scene_asset(project, "s2", "prop", "Cracked lantern")
    project.commit("A new prop")
    open_scene(qtbot, window, project, 0)
    hub = hub_page(qtbot, window)
    qtbot.mouseClick(hub.batch_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "batchFramesEstimate", timeout=30_000)
    assert "1 scene ready for frames" in box.text()
    assert "Stopped at scene 2: decide the starting look of Cracked lantern (Stage 8)" in (
        box.text()
    )
    next(b for b in box.buttons() if b.text() == "Cancel").click()
    assert not any(s.made for s in frames.slots(project, "s1"))  # Cancel spends nothing
    assert visuals.gate(project, "s2") is not None  # its look waits for the filmmaker
