"""Stages 8–9 through their pages, by gestures (issue "Stages 8–9"): drag an asset in from
the drawer, edit a starting look, add a condition tag, generate two starting keys against
the fake image server (and one offline) with the price first, lock, pass the gate; open a
prompt card, edit its frame prompt by hand, edit the video prompt, see a sanity warning."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPlainTextEdit

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production import prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.pipeline.stage_pages import GatePage
from aiuteur_desktop.views.production.stage8 import SlugRole, Stage8Page
from aiuteur_desktop.views.production.stage9 import PromptCard, Stage9Page
from tests.fakes.gemini_fake import FakeGeminiContent
from tests.screenplays import scripted_project
from tests.views.assets.test_stage5 import images  # noqa: F401  (the fake image server fixture)
from tests.views.conftest import wait_for_hub, wait_for_window


def storm_project(tmp_path: Path) -> Project:
    p = scripted_project(tmp_path, "Storm", "storm_keeper", approved=True)
    masters.extract_into(p)
    masters.add(p, "prop", "brass key", "A heavy brass key, green with age, on a leather loop")
    p.commit("Props")
    return p


def click_item(qtbot, view, item, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, modifier, view.visualItemRect(item).center()
    )


def rail_to(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    rail = window.project_page.rail
    item = next(rail.item(i) for i in range(rail.count()) if rail.item(i).text().endswith(name))
    click_item(qtbot, rail, item)


def open_scene(qtbot, window: MainWindow, project: Project, row: int) -> None:  # type: ignore[no-untyped-def]
    window._show_project(project)
    page = window.project_page
    wait_for_hub(qtbot, page)
    click_item(qtbot, page.scene_list, page.scene_list.item(row))


def element_item(page: Stage8Page, slug: str):  # type: ignore[no-untyped-def]
    return next(
        page.list.item(r)
        for r in range(page.list.count())
        if page.list.item(r).data(SlugRole) == slug
    )


def drag_from_drawer(page: Stage8Page, name: str) -> None:
    """Drag a drawer item onto the elements list: the drawer's own mime data, delivered to
    the list as Qt delivers a drop (enter, then drop)."""
    item = next(
        page.drawer.item(r)
        for r in range(page.drawer.count())
        if page.drawer.item(r).text().startswith(name)
    )
    mime = page.drawer.mimeData([item])
    target = page.list.viewport()
    at = QPoint(10, 10)
    enter = QDragEnterEvent(
        at,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(at),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, drop)


def test_visuals_page_drag_edit_tag_generate_lock_and_gate(  # type: ignore[no-untyped-def]
    qtbot,
    window: MainWindow,
    tmp_path: Path,
    images: FakeGeminiContent,  # noqa: F811
) -> None:
    project = storm_project(tmp_path)
    open_scene(qtbot, window, project, 1)  # scene 2, the gallery
    # The shot list is not locked yet: the gate says so and leads to Stage 7.
    rail_to(qtbot, window, "Visuals")
    gate = window.project_page.stage_stack.currentWidget()
    assert isinstance(gate, GatePage) and "Lock the shot list of scene 2" in gate.reason.text()
    shot_list.lock(project, "s2", shot_list.current(project, "s2"))
    rail_to(qtbot, window, "Visuals")
    page = window.project_page.editors[8]
    assert isinstance(page, Stage8Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    assert [e.name for e in page.items] == ["MARA", "LIGHTHOUSE GALLERY"]
    assert not page.proceed_button.isEnabled() and "MARA" in page.gate_label.text()

    # Drag the brass key in from the Asset Drawer.
    drag_from_drawer(page, "brass key")
    assert [e.name for e in page.items][-1] == "brass key"
    assert visuals.element(project, "s2", "brass-key").added

    # Edit Mara's starting look and tag her Wet, carrying into later scenes.
    click_item(qtbot, page.list, element_item(page, "mara"))
    page.description.selectAll()
    qtbot.keyClicks(page.description, "Oilskin coat soaked through, hair plastered flat.")
    qtbot.keyClicks(page.tag_input.lineEdit(), "Wet")
    qtbot.keyClick(page.tag_input.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.tags_box.count() == 1)
    row = page.tags_box.itemAt(0).widget()
    qtbot.waitUntil(row.carries.isVisible)  # (a widget added to a shown layout appears next turn)
    qtbot.mouseClick(row.carries, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            visuals.element(project, "s2", "mara").conditions == (visuals.Condition("Wet", True),)
        )
    )
    mara = visuals.element(project, "s2", "mara")
    assert mara.description == "Oilskin coat soaked through, hair plastered flat."
    assert masters.read(project, "assets/mara")["description"].startswith("MARA QUILL")  # master
    assert visuals.element(project, "s3", "mara").conditions == (visuals.Condition("Wet", True),)

    # Generate two starting keys (multi-select), against the fake image server: price first.
    click_item(
        qtbot,
        page.list,
        element_item(page, "lighthouse-gallery"),
        Qt.KeyboardModifier.ControlModifier,
    )
    assert {e.slug for e in page.selected()} == {"mara", "lighthouse-gallery"}
    before = len(images.content_requests)
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "visualsEstimate")
    assert "for 2 elements (MARA, LIGHTHOUSE GALLERY)" in box.text() and "$0.08" in box.text()
    assert len(images.content_requests) == before  # nothing sent before the yes
    next(b for b in box.buttons() if b.text() == "Generate").click()
    qtbot.waitUntil(lambda: not page.preparing and not page._pending, timeout=30_000)
    assert len(images.content_requests) == before + 2
    assert (
        visuals.element(project, "s2", "mara").image
        and visuals.element(project, "s2", "lighthouse-gallery").image
    )
    # Mara's master key is not touched; her scene key is her instance's.
    assert masters.read(project, "assets/mara").get("image_key") is None
    click_item(qtbot, page.list, element_item(page, "mara"))
    assert page.history.count() == 1  # its key and thumbnail decoded aside, then shown
    qtbot.waitUntil(lambda: not page.image.pixmap().isNull())
    assert not page.history.item(0).icon().isNull()

    # Lock everything (select all, Lock): the gate opens; Proceed leads to the prompts.
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    commits = len(project.log())
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    assert all(e.review == visuals.LOCKED for e in visuals.elements(project, "s2"))
    assert len(project.log()) == commits + 1  # one commit for them all
    assert project.head().message.startswith("Locked ") and "starting looks" in (
        project.head().message
    )
    assert (
        page.proceed_button.isEnabled()
        and "Every starting look is locked" in page.gate_label.text()
    )
    qtbot.mouseClick(page.proceed_button, Qt.MouseButton.LeftButton)
    assert isinstance(window.project_page.stage_stack.currentWidget(), Stage9Page)


def test_an_offline_starting_key_needs_no_key_and_no_network(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = storm_project(tmp_path)
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))
    open_scene(qtbot, window, project, 0)
    rail_to(qtbot, window, "Visuals")
    page = window.project_page.editors[8]
    assert isinstance(page, Stage8Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    click_item(qtbot, page.list, element_item(page, "brass-key"))
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "visualsEstimate")
    assert "offline" in box.text() and "$0.00" in box.text()
    next(b for b in box.buttons() if b.text() == "Generate").click()
    qtbot.waitUntil(lambda: not page.preparing and not page._pending, timeout=30_000)
    assert visuals.element(project, "s1", "brass-key").image is not None


def test_prompt_cards_open_edit_and_warn(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = storm_project(tmp_path)
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))
    for e in visuals.elements(project, "s1"):
        visuals.lock(project, "s1", e.slug)
    open_scene(qtbot, window, project, 0)
    rail_to(qtbot, window, "Prompts")
    page = window.project_page.editors[9]
    assert isinstance(page, Stage9Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    # (the prompt sets are worked out on a worker, then shown)
    qtbot.waitUntil(lambda: list(page.cards) == ["A", "B", "C", "D"])
    qtbot.waitUntil(page.assemble_button.isEnabled)
    qtbot.mouseClick(page.assemble_button, Qt.MouseButton.LeftButton)
    assert {s.status.value for s in prompts.prompt_sets(project, "s1")} == {"Up-to-date"}
    qtbot.waitUntil(lambda: not page.deriving)

    card = page.cards["B"]
    assert card.body is None  # (a closed card's prompts are put in when it is opened)
    qtbot.mouseClick(card.toggle, Qt.MouseButton.LeftButton)
    assert card.body is not None
    assert card.body.isVisible() and card.start.isReadOnly() and not card.video.isReadOnly()
    assert "Start + end frames · takes it: Offline animatic" in card.tags.text()
    # Edit the frame prompt by hand.
    qtbot.mouseClick(card.manual, Qt.MouseButton.LeftButton)
    assert not card.start.isReadOnly()
    card.start.selectAll()
    qtbot.keyClicks(card.start, "Start frame: harsh fluorescent light on MARA.")
    qtbot.waitUntil(lambda: prompts.one(project, "s1", "B").manual_frame, timeout=5000)
    assert (
        prompts.one(project, "s1", "B").start_frame
        == "Start frame: harsh fluorescent light on MARA."
    )
    qtbot.waitUntil(card.frame_reset.isVisible)
    # Edit the video prompt so it loses its line: the sanity checker says so.
    card.video.selectAll()
    qtbot.keyClicks(card.video, "[MCU] MARA in a red scarf watches the rain. Audio: rain.")
    qtbot.waitUntil(lambda: card.warnings.isVisible(), timeout=5000)
    assert "missing 1 line of dialogue" in card.warnings.text()
    assert "describes looks" in card.warnings.text()
    assert "⚠ 2" in card.toggle.text() or "⚠" in card.toggle.text()
    # Reset brings the assembled prompt back.
    qtbot.mouseClick(card.video_reset, Qt.MouseButton.LeftButton)
    assert not prompts.one(project, "s1", "B").manual_video
    qtbot.waitUntil(lambda: 'speaks: "Hold steady, old girl."' in card.video.toPlainText())
    # The system scaffold is shown nowhere on the page.
    hidden = prompts.scaffold()
    texts = [w.text() for w in page.findChildren(QLabel)] + [
        w.toPlainText() for w in page.findChildren(QPlainTextEdit)
    ]
    assert not any(hidden["frame"][:40] in t or hidden["video"][:40] in t for t in texts)
    # A start-frame-only shot shows no end frame prompt.
    d = page.cards["D"]
    qtbot.mouseClick(d.toggle, Qt.MouseButton.LeftButton)
    assert not d.end.isVisible() and "Start frame only" in d.tags.text()
    assert isinstance(d, PromptCard)
