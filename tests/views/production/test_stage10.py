"""Stage 10 · Frames through its page, by gestures (issue "Stage 10 · Frames"): choosing a
mode unlocks generation; Control mode's Approve moves on to the next frame; the ghost and the
flicker compare; mouse drags paint a mask, an instruction is applied and a new candidate
appears with every pixel outside the mask unchanged; Quick mode's grid fills as jobs end."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from aiuteur_desktop.core.production import frames, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage10 import SlotRole, Stage10Page
from tests.views.conftest import wait_for_window
from tests.views.production.test_stage8_9 import open_scene, rail_to, storm_project


def open_frames(qtbot, window: MainWindow, tmp_path: Path):  # type: ignore[no-untyped-def]
    project = storm_project(tmp_path)
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))
    for e in visuals.elements(project, "s1"):
        visuals.lock(project, "s1", e.slug)
    prompts.assemble(project, "s1")
    open_scene(qtbot, window, project, 0)
    rail_to(qtbot, window, "Frames")
    page = window.project_page.editors[10]
    assert isinstance(page, Stage10Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    qtbot.waitUntil(lambda: not page.deriving)
    return project, page


def make(qtbot, page: Stage10Page) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "framesEstimate")
    assert "$0.00" in box.text()
    # The engine named as Settings → Models names it.
    assert "the offline storyboard engine (offline:storyboard, free, no network)" in box.text()
    next(b for b in box.buttons() if b.text() == "Make").click()
    qtbot.waitUntil(
        lambda: not page.preparing and not page._pending and not page.settling, timeout=30_000
    )


def drag(view, points: list[QPoint]) -> None:  # type: ignore[no-untyped-def]
    """A real left-button drag through `points` on the view's viewport."""
    vp = view.viewport()
    glob = lambda p: QPointF(vp.mapToGlobal(p))  # noqa: E731
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    mods = Qt.KeyboardModifier.NoModifier
    events = [
        QMouseEvent(
            QMouseEvent.Type.MouseButtonPress, QPointF(points[0]), glob(points[0]), left, left, mods
        )
    ]
    for p in points[1:]:
        events.append(
            QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(p), glob(p), none, left, mods)
        )
    events.append(
        QMouseEvent(
            QMouseEvent.Type.MouseButtonRelease,
            QPointF(points[-1]),
            glob(points[-1]),
            left,
            none,
            mods,
        )
    )
    for e in events:
        QApplication.sendEvent(vp, e)


def test_control_mode_rearview_canvas(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, page = open_frames(qtbot, window, tmp_path)
    # Nothing can be made before a mode is chosen.
    assert page.pages.currentIndex() == 0 and not page.generate_button.isEnabled()
    assert not page.use_mode.isEnabled()
    qtbot.mouseClick(page.control, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.use_mode, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.deriving)  # (the frames are worked out on a worker)
    assert frames.mode_of(project, "s1") == {"mode": "control", "start_only": False}
    assert page.generate_button.isEnabled() and page.mode_line.text() == "Control mode"
    # Make 1A's start, approve: the page moves on to 1A's end, made from it.
    make(qtbot, page)
    assert frames.slot(project, "s1", "A", "start").made
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.current_key() == "A/end"
    make(qtbot, page)
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.current_key() == "B/start"
    make(qtbot, page)
    # The rearview: 1A's end beside 1B's start; the ghost lays it over, the flicker swaps.
    rv = page.rearview
    assert "end frame of shot 1A" in rv.before_caption.text()
    plain = rv.composed().copy()
    rv.ghost.setFocus()
    for _ in range(5):
        qtbot.keyClick(rv.ghost, Qt.Key.Key_PageUp)
    assert rv.ghost.value() > 0 and rv.composed() != plain
    box = QPoint(8, rv.flicker.height() // 2)  # the tick box itself
    qtbot.mouseClick(rv.flicker, Qt.MouseButton.LeftButton, pos=box)
    qtbot.waitUntil(lambda: rv.showing_previous, timeout=2000)
    qtbot.waitUntil(lambda: not rv.showing_previous, timeout=2000)
    qtbot.mouseClick(rv.flicker, Qt.MouseButton.LeftButton, pos=box)
    assert not rv.flicker.isChecked()
    # Paint a mask with the mouse, undo and redo it, then apply an instruction.
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    canvas = page.canvas
    assert page.frame_stack.currentWidget() is page.editor and not canvas.painted()
    c = canvas.viewport().rect().center()
    drag(canvas, [c + QPoint(-60, -20), c + QPoint(-20, 0), c + QPoint(30, 10)])
    assert canvas.painted()
    canvas.setFocus()  # (a real press focuses the view; a sent event does not)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not canvas.painted()
    qtbot.keyClick(
        canvas,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert canvas.painted()
    before = frames.slot(project, "s1", "B", "start")
    mask = np.asarray(Image.open(io.BytesIO(canvas.mask_png())).convert("L")) > 0
    qtbot.keyClicks(page.instruction, "make her expression neutral")
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not page.preparing and not page._pending and not page.settling, timeout=30_000
    )
    after = frames.slot(project, "s1", "B", "start")
    assert len(after.candidates) == 2 and after.chosen != before.chosen
    assert page.history.count() == 2 and page.frame_stack.currentWidget() is page.rearview
    old = np.asarray(Image.open(io.BytesIO(project.media.read(before.chosen))).convert("RGB"))
    new = np.asarray(Image.open(io.BytesIO(project.media.read(after.chosen))).convert("RGB"))
    assert np.array_equal(old[~mask], new[~mask]) and not np.array_equal(old[mask], new[mask])
    # Rollback: the first candidate again, from the strip.
    qtbot.mouseClick(
        page.history.viewport(), Qt.MouseButton.LeftButton,
        pos=page.history.visualItemRect(page.history.item(0)).center(),
    )  # fmt: skip
    assert frames.slot(project, "s1", "B", "start").chosen == before.chosen


def test_quick_mode_grid_fills_and_approves(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, page = open_frames(qtbot, window, tmp_path)
    qtbot.mouseClick(page.quick, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.use_mode, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.deriving)  # (the frames are worked out on a worker)
    assert page.pages.currentIndex() == 2 and page.grid.count() == 7
    assert all(page.grid.item(i).icon().isNull() for i in range(page.grid.count()))
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "framesEstimate")
    next(b for b in box.buttons() if b.text() == "Make").click()
    qtbot.waitUntil(lambda: bool(page._pending))
    # Another job's progress (a story answer, say) reaches every page: the bar stays.
    window.job_runner.progressed.emit("another-job", 0.5)
    window.job_runner.progressTicked.emit()  # (what the pages hear, ten times a second)
    assert page.busy.isVisible() and "Generating" in page.busy.label.text()
    qtbot.waitUntil(
        lambda: not page.preparing and not page._pending and not page.settling, timeout=30_000
    )
    assert all(not page.grid.item(i).icon().isNull() for i in range(page.grid.count()))
    assert page.progress.text().startswith("7 of 7 frames made · 0 approved")
    page.grid.setFocus()
    page.grid.selectAll()
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.progress.text().startswith("7 of 7 frames made · 7 approved")  # at once
    qtbot.waitUntil(lambda: not page.settling)  # stored by the writer thread
    assert all(s.approved for s in frames.slots(project, "s1"))
    assert page.progress.text().startswith("7 of 7 frames made · 7 approved")


def test_quick_modes_single_frame_view_approves_the_frame_shown_and_goes_back(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A tile double-clicked opens one frame: Approve acts on it (not on the hidden grid's
    selection), the list picks another, and Back to Grid (or Esc) returns with it selected."""
    project, page = open_frames(qtbot, window, tmp_path)
    qtbot.mouseClick(page.quick, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.use_mode, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.deriving)  # (the frames are worked out on a worker)
    # A free batch: Enter makes the frames (Cancel is the default only when it costs money).
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "framesEstimate")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: not page.preparing and not page._pending and not page.settling, timeout=30_000
    )
    assert page.grid.count() == 7
    assert all(s.made for s in frames.slots(project, "s1"))
    assert not page.back_to_grid.isVisible()
    third = page.grid.item(2)
    rect = page.grid.visualItemRect(third)
    qtbot.mouseClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.pages.currentIndex() == 1 and page.back_to_grid.isVisible()
    shown = page.current()
    assert shown is not None and f"{shown.shot}/{shown.which}" == third.data(SlotRole)
    assert page.approve_button.isEnabled()
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.settling)
    approved = [s for s in frames.slots(project, "s1") if s.approved]
    assert [(s.shot, s.which) for s in approved] == [(shown.shot, shown.which)]
    # Another frame picked in the list: Approve is there for it, with no grid selection.
    other = next(r for r in range(page.steps.count()) if r != page.steps.currentRow())
    item = page.steps.item(other)
    qtbot.mouseClick(
        page.steps.viewport(), Qt.MouseButton.LeftButton,
        pos=page.steps.visualItemRect(item).center(),
    )  # fmt: skip
    assert page.approve_button.isEnabled()
    picked = page.current_key()
    qtbot.mouseClick(page.back_to_grid, Qt.MouseButton.LeftButton)
    assert page.pages.currentIndex() == 2 and not page.back_to_grid.isVisible()
    assert [i.data(SlotRole) for i in page.grid.selectedItems()] == [picked]
    # Esc from the single-frame view goes back too.
    at = page.grid.visualItemRect(page.grid.item(0)).center()
    qtbot.mouseClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert page.pages.currentIndex() == 1
    page.steps.setFocus()
    qtbot.keyClick(page.steps, Qt.Key.Key_Escape)
    assert page.pages.currentIndex() == 2


def test_drift_flags_reach_the_grid_and_the_rearview(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from tests.story import png

    project, page = open_frames(qtbot, window, tmp_path)
    frames.set_mode(project, "s1", frames.QUICK)
    page.load()
    qtbot.waitUntil(lambda: not page.deriving)
    make(qtbot, page)
    # Shot 1B's start replaced by a frame of another colour world entirely.
    frames.record(
        project, "s1", "B", "start", project.media.put(png("#e02020", (640, 360)), "image/png")
    )
    page.load()

    def tile():  # type: ignore[no-untyped-def]  (looked up afresh: a refill replaces tiles)
        return next(
            page.grid.item(i)
            for i in range(page.grid.count())
            if page.grid.item(i).data(Qt.ItemDataRole.UserRole + 1) == "B/start"
        )

    qtbot.waitUntil(lambda: tile().text().startswith("⚠"), timeout=10_000)
    assert "unlike the one before it" in tile().toolTip()
    # Double-click the tile: the frame opens in the one-at-a-time view, with its notes.
    at = page.grid.visualItemRect(tile()).center()
    qtbot.mouseClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert page.pages.currentIndex() == 1 and page.current_key() == "B/start"
    qtbot.waitUntil(lambda: page.drift.isVisible(), timeout=10_000)
    assert "unlike the one before it" in page.drift.text()


def test_cancel_while_frames_are_being_queued_queues_no_more(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A batch is queued a few frames per turn of the event loop (the window answers while
    three hundred are queued); Cancel pressed between two turns queues none of the rest."""
    from aiuteur_desktop.views.assets import keys

    monkeypatch.setattr(keys, "QUEUED_PER_TURN", 2)
    project, page = open_frames(qtbot, window, tmp_path)
    qtbot.mouseClick(page.quick, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.use_mode, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.deriving)
    runner = window.job_runner
    run = runner.run_operation
    queued: list[str] = []

    def counted(op):  # type: ignore[no-untyped-def]
        queued.append(run(op))
        if len(queued) == 2:  # the first turn's frames queued: Cancel, before the next turn
            page.cancel_button.click()
        return queued[-1]

    monkeypatch.setattr(runner, "run_operation", counted)
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "framesEstimate")
    next(b for b in box.buttons() if b.text() == "Make").click()
    qtbot.waitUntil(lambda: not page.preparing and not page._pending, timeout=30_000)
    qtbot.wait(200)
    assert len(queued) == 2  # of seven
    assert sum(1 for s in frames.slots(project, "s1") if s.made) <= 2
    assert not page.busy.isVisible()


def test_approvals_asked_for_just_before_the_project_closes_are_kept(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Approve is shown at once and stored by the writer thread: closing the project a moment
    later (or quitting) waits for it — nothing the filmmaker approved is lost."""
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.views.jobs import background

    project, page = open_frames(qtbot, window, tmp_path)
    qtbot.mouseClick(page.quick, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.use_mode, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.deriving)
    make(qtbot, page)
    bundle = project.path
    # The writer is held until the project is being closed: the approval is still queued.
    gate = threading.Event()
    background.write_in_background(gate.wait)
    page.grid.setFocus()
    page.grid.selectAll()
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.progress.text().startswith("7 of 7 frames made · 7 approved")  # shown at once
    assert not any(s.approved for s in frames.slots(project, "s1"))  # not stored yet
    threading.Timer(0.3, gate.set).start()  # opens while the window is closing the project
    window.close_project()
    reopened = Project.open(bundle)
    try:
        assert all(s.approved for s in frames.slots(reopened, "s1"))
    finally:
        reopened.close()
