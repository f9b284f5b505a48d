"""Stage 6 · Script Hub through its UI: the overview of the picked scene, jumping upstream,
entering the scene pipeline, and the non-blocking note on an outdated scene."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage6 import Stage6Page
from aiuteur_desktop.views.production.stage7 import Stage7Page
from tests.screenplays import edit_line, scripted_project
from tests.views.conftest import wait_for_hub, wait_for_window


def ferry(tmp_path: Path) -> Project:
    return scripted_project(tmp_path, "Ferry", "night_ferry", approved=True)


def click_item(qtbot, view, text_end: str) -> None:  # type: ignore[no-untyped-def]
    item = next(view.item(i) for i in range(view.count()) if text_end in view.item(i).text())
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualItemRect(item).center()
    )


def test_hub_overview_upstream_and_enter(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window._show_project(ferry(tmp_path))
    window.show()
    qtbot.waitExposed(window)
    page = window.project_page
    wait_for_hub(qtbot, page)
    click_item(qtbot, page.scene_list, "QUAYSIDE")
    click_item(qtbot, page.rail, "Script Hub")
    hub = page.editors[6]
    assert isinstance(hub, Stage6Page)
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is hub)
    qtbot.waitUntil(lambda: not hub.deriving)  # (the overview is worked out on a worker)
    assert hub.scene_line.text() == "Scene 2 · EXT. QUAYSIDE - CONTINUOUS"
    assert hub.status_label.text() == "Draft · 2 shots · 0:10"  # the centred title is a card
    assert "BRICK" in hub.excerpt.toPlainText() and "Risky" in hub.risk.text()
    assert "NESSA, TOM ended the scene before" in hub.risk.text()
    assert "BRICK, STEEL" in hub.dependencies.text()
    qtbot.mouseClick(hub.upstream_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.scene_line.text() == "Scene 1 · INT. HARBOUR OFFICE - NIGHT")
    qtbot.waitUntil(lambda: not hub.deriving)
    assert page.current_scene() == "s1" and not hub.upstream_button.isEnabled()
    assert "Safe" in hub.risk.text()
    qtbot.mouseClick(hub.enter_button, Qt.MouseButton.LeftButton)
    stage7 = page.editors[7]
    assert isinstance(stage7, Stage7Page)
    qtbot.waitUntil(lambda: page.stage_stack.currentWidget() is stage7 and not stage7.deriving)
    assert stage7.scene_line.text() == "Scene 1 · INT. HARBOUR OFFICE - NIGHT"


def test_an_outdated_scene_explains_itself_without_blocking(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = ferry(tmp_path)
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))
    edit_line(project, "night_ferry", "I can't wait till morning.", "I can't wait. Not tonight.")
    window._show_project(project)
    window.show()
    qtbot.waitExposed(window)
    page = window.project_page
    wait_for_hub(qtbot, page)
    assert page.scene_list.item(0).text().endswith("4 shots · 0:26 · Outdated")
    click_item(qtbot, page.scene_list, "HARBOUR OFFICE")
    click_item(qtbot, page.rail, "Script Hub")
    box = wait_for_window(qtbot, QMessageBox, "outdatedScene")
    assert (
        "scene 1 of the Master Script changed" in box.text() and "nothing is blocked" in box.text()
    )
    box.accept()
    hub = page.editors[6]
    assert page.stage_stack.currentWidget() is hub and hub.enter_button.isEnabled()
    assert "Outdated" in hub.status_label.text()
