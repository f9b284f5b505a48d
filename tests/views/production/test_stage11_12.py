"""Stages 11–12 through their pages, by gestures (issue "Stages 11–12"): the checkout shows
the lines and total; Confirm & Render; the renders finish in the background while another
scene is worked on; the notification opens Stage 12; the player plays, seeks with keys and
the mouse, switches takes; an issue filed on shot 2 routes to the right stage."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.core.production import checkout, review, takes
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage7 import Stage7Page
from aiuteur_desktop.views.production.stage11 import Stage11Page
from aiuteur_desktop.views.production.stage12 import Stage12Page
from tests.core.production.test_checkout import prepared
from tests.views.conftest import wait_for_window
from tests.views.production.test_stage8_9 import click_item, open_scene, rail_to, storm_project

SHOTS = "test_stage11_12"


def scene_at(  # type: ignore[no-untyped-def]
    qtbot,
    window: MainWindow,
    library: Library,
    tmp_path: Path,
    stage: str,
    *scenes: str,
    rendered: bool = False,
):
    """Storm Keeper with `scenes` prepared (frames made and approved; `rendered`: the first
    confirmed and rendered offline), scene 2 opened on the rail's `stage`: (project, page)."""
    register_all()
    project = storm_project(tmp_path)
    operations.share(project)
    for scene in scenes:
        prepared(project, library, scene)
    if rendered:
        done = checkout.confirm(
            project, checkout.for_model(project, scenes[0], Registry(), "offline:animatic")
        )
        ops = video_render.render_ops(project, scenes[0], done, Registry())
        headless.run_all(library.jobs, ops, Budget())
    open_scene(qtbot, window, project, 1)
    rail_to(qtbot, window, stage)
    page = window.project_page.stage_stack.currentWidget()
    return project, page


def test_checkout_render_in_the_background_review_and_route_back(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    register_all()
    project = storm_project(tmp_path)
    operations.share(project)
    prepared(project, library, "s2")
    open_scene(qtbot, window, project, 1)
    rail_to(qtbot, window, "Confirm")
    page = window.project_page.editors[11]
    assert isinstance(page, Stage11Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    # The checkout: a line per shot, its frames, prompt and price; the scene's total
    # (priced and its thumbnails decoded off the UI thread).
    qtbot.waitUntil(lambda: page.table.row_count() == 2)
    assert [page.table.text(r, 0).split("\n")[0] for r in range(2)] == ["2A", "2B"]
    assert (
        page.table.icon(0, 1) is not None and not page.table.icon(0, 1).isNull()
    )  # the approved start frame
    assert page.table.text(0, 3).strip()
    assert "Scene total $0.00" in page.total.text() and page.confirm_button.isEnabled()
    window.resize(1440, 900)
    page.grab().save(str(tmp_path / "stage11.png"))

    # Confirm & Render (free: no question), then work on scene 1 while it renders.
    # (the confirmation is saved and the renders prepared on a worker: the button waits)
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert not page.confirm_button.isEnabled()
    qtbot.waitUntil(lambda: bool(page.pending), timeout=10_000)
    assert checkout.confirmed(project, "s2") is not None
    hub = window.project_page.scene_list
    click_item(qtbot, hub, hub.item(0))
    rail_to(qtbot, window, "Shot List")
    shots = window.project_page.editors[7]
    assert isinstance(shots, Stage7Page)
    qtbot.waitUntil(
        lambda: window.project_page.stage_stack.currentWidget() is shots and not shots.deriving
    )
    qtbot.mouseClick(shots.lock_button, Qt.MouseButton.LeftButton)
    assert shot_list.is_locked(project, "s1")  # edited while the renders run
    qtbot.waitUntil(lambda: not page.pending, timeout=60_000)
    assert all(takes.current(project, "s2", s) is not None for s in ("A", "B"))
    assert window.notifier.last is not None and window.notifier.last.params["scene"] == "s2"

    # The notification opens the scene in Stage 12.
    window.notifier.toast.show_message("Done")
    qtbot.mouseClick(window.notifier.toast.action, Qt.MouseButton.LeftButton)
    review_page = window.project_page.editors[12]
    assert isinstance(review_page, Stage12Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is review_page)
    assert window.project_page.current_scene() == "s2"
    player = review_page.player
    qtbot.waitUntil(lambda: player.cut is not None and player.shown_at == 0.0, timeout=10_000)
    assert [p.label for p in player.cut.pieces] == ["2A", "2B"]
    first = player.cut.pieces[1].start

    # Keys: → one frame, ↓ the next shot, ↑ back to the first; the mouse scrubs the strip.
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: abs(player.shown_at - 1 / 24) < 1e-6)
    assert player.time_label.text() == "00:00:00:01"
    qtbot.keyClick(player, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: abs(player.shown_at - first) < 1e-6)
    assert player.shot_label.text() == "Shot 2B" and review_page.shot_title.text() == "Shot 2B"
    qtbot.keyClick(player, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: player.shown_at == 0.0)
    strip = player.strip
    x = round(strip.width() * (first + 1.0) / player.cut.duration)
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(x, strip.height() // 2))
    qtbot.waitUntil(lambda: player.cut.index_at(player.shown_at) == 1)
    assert abs(player.position - strip.time_at(x)) < 1 / 24 + 1e-6
    # Space plays (the picture moves on), Space again pauses.
    at = player.shown_at
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.playing
    qtbot.waitUntil(lambda: player.shown_at > at + 0.3, timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.playing
    qtbot.keyClick(player, Qt.Key.Key_L)
    qtbot.keyClick(player, Qt.Key.Key_L)
    assert player.speed == 2.0
    qtbot.keyClick(player, Qt.Key.Key_K)
    assert not player.playing
    review_page.grab().save(str(tmp_path / "stage12.png"))

    # A second take of 2B (rendered again, as the user would after a fix): switch to it.
    done = checkout.confirmed(project, "s2")
    assert done is not None
    [op] = video_render.render_ops(project, "s2", done, Registry(), only={"B"})
    assert headless.run_one(library.jobs, op, Budget()).state.value == "succeeded"
    newest = takes.current(project, "s2", "B")
    assert newest is not None and newest.number == 2
    old = takes.of(project, "s2", "B")[0]
    takes.use(project, "s2", "B", old.media)  # the first is in use again
    review_page.load()
    qtbot.keyClick(player, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: review_page.shot_title.text() == "Shot 2B")
    assert review_page.take.count() == 2 and "(in use)" in review_page.take.itemText(0)
    review_page.take.setFocus()
    qtbot.keyClick(review_page.take, Qt.Key.Key_Down)
    assert review_page.use_take.isEnabled()
    qtbot.mouseClick(review_page.use_take, Qt.MouseButton.LeftButton)
    assert takes.current(project, "s2", "B").media == newest.media  # type: ignore[union-attr]

    # An issue on shot 2 (2B): Timing, a note, filed at the playhead → Stage 7.
    qtbot.waitUntil(lambda: review_page.shot_title.text() == "Shot 2B")
    review_page.kind.setFocus()
    while review_page.kind.currentData() != review.TIMING:
        qtbot.keyClick(review_page.kind, Qt.Key.Key_Down)
    qtbot.keyClicks(review_page.note, "The line comes in too late.")
    qtbot.mouseClick(review_page.file_button, Qt.MouseButton.LeftButton)
    [issue] = review.issues(project, "s2")
    assert (issue.shot, issue.kind, issue.note) == (
        "B",
        review.TIMING,
        "The line comes in too late.",
    )
    assert issue.at >= first and issue.route.stage == review.SHOT_LIST
    assert "Return to Stage 7" in review_page.issues.item(0).text()
    assert review_page.to_shots.styleSheet() == "font-weight:600"  # the suggested route
    qtbot.mouseClick(review_page.to_shots, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "returnToShotList")
    assert "charged again" in box.text()
    next(b for b in box.buttons() if b.text() == "Return to Stage 7").click()
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is shots)
    assert not shot_list.is_locked(project, "s2")
    review_page.player.close_player()
    operations.unshare(project)


def test_complete_scene_goes_on_to_the_next_scene(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, _shown = scene_at(qtbot, window, library, tmp_path, "Video", "s2", rendered=True)
    page = window.project_page.editors[12]
    assert isinstance(page, Stage12Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    qtbot.waitUntil(lambda: page.complete_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    hub = window.project_page
    qtbot.waitUntil(lambda: hub.current_scene() == "s3")
    assert hub.stage_stack.currentWidget() is hub.editors[6]
    said = window.statusBar().currentMessage()
    assert said.startswith("Scene 2 complete. Next: Scene 3 · ")
    page.player.close_player()
    operations.unshare(project)


def test_stage_11_never_shows_an_earlier_loads_lines_while_it_prices(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Another scene picked while Stage 11 is open: until its prices are in, none of the
    other scene's lines (nor its total) stays on screen."""
    project, _shown = scene_at(qtbot, window, library, tmp_path, "Confirm", "s2", "s3")
    page = window.project_page.editors[11]
    assert isinstance(page, Stage11Page)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    qtbot.waitUntil(lambda: page.confirm_button.isEnabled(), timeout=10_000)
    assert page.table.text(0, 0).startswith("2A")
    hub = window.project_page.scene_list
    click_item(qtbot, hub, hub.item(2))
    assert page.table.row_count() == 0 or page.table.text(0, 0).startswith("3A")
    if page.current is None:
        assert page.total.text() == "Pricing the scene…" and not page.confirm_button.isEnabled()
    qtbot.waitUntil(lambda: page.confirm_button.isEnabled(), timeout=10_000)
    assert page.table.row_count() >= 1 and page.table.text(0, 0).startswith("3A")
    operations.unshare(project)


def choose(qtbot, combo, starts: str) -> None:  # type: ignore[no-untyped-def]
    """Open `combo` with a click and click its item whose text starts with `starts`."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # (a popup ignores its opening click)
    row = next(r for r in range(combo.count()) if combo.itemText(r).startswith(starts))
    rect = view.visualRect(combo.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())


def click_row(qtbot, table, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    rect = table.visualRect(table.rows.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_a_shot_renders_with_a_model_of_its_own_and_the_cheapest_fit_is_recommended(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """With fal.ai set up, Stage 11 prices each shot with every model side by side: one shot
    switched to Kling updates its line and the total; "Use Cheapest Fit" gives each shot
    the cheapest paid model that takes its frames, length and sound; the confirmation
    question names the models, and the confirmation keeps each shot's model."""
    from aiuteur_desktop.core.app import secrets
    from aiuteur_desktop.core.money.prices import PriceTable

    kling = "fal:fal-ai/kling-video/v4/image-to-video"
    seedance = "fal:bytedance/seedance-2.0/image-to-video"
    secrets.set_secret("fal.api_key", "fal-test-key")
    project, _shown = scene_at(qtbot, window, library, tmp_path, "Confirm", "s2")
    page = window.project_page.editors[11]
    assert isinstance(page, Stage11Page)
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.project_page.stage_stack.currentWidget() is page)
    qtbot.waitUntil(lambda: page.current is not None and len(page.options) == 2, timeout=10_000)

    def lines() -> dict[str, str]:
        return {x.shot: x.model for x in page.current.lines} if page.current else {}

    # The scene renders with Seedance: every line says so.
    choose(qtbot, page.model, "Seedance")
    qtbot.waitUntil(lambda: lines() == {"A": seedance, "B": seedance}, timeout=10_000)
    assert page.table.text(0, 4).startswith("Seedance")
    table = PriceTable.load()

    def price(model: str, x: checkout.RenderLine) -> float:
        return round(sum(table.video_parts(model, x.duration, True, x.end is not None).values()), 6)

    # Shot 2A alone switched to Kling: its line, its price and the total change.
    click_row(qtbot, page.table, 0)
    assert page.shot_model.isEnabled() and "shot 2A" in page.shot_model.itemText(0)
    offered = [page.shot_model.itemText(r) for r in range(page.shot_model.count())]
    assert any(t.startswith("Kling 4.0 (fal.ai) · $") for t in offered), offered
    choose(qtbot, page.shot_model, "Kling")
    qtbot.waitUntil(lambda: lines() == {"A": kling, "B": seedance}, timeout=10_000)
    a, b = page.current.lines
    assert a.price == price(kling, a) and b.price == price(seedance, b)
    assert page.current.total == round(a.price + b.price, 6)
    assert page.table.text(0, 4).startswith("Kling 4.0 (fal.ai)")
    assert f"Scene total ${a.price + b.price:,.2f}" in page.total.text()
    tip = page.table.rows.data(page.table.rows.index(0, 4), Qt.ItemDataRole.ToolTipRole)
    assert "Seedance" in tip and "Kling 4.0 (fal.ai): $" in tip  # side by side
    window.grab().save(str(tmp_path / "stage11-per-shot.png"))
    window.resize(window.minimumSize())
    window.grab().save(str(tmp_path / "stage11-per-shot-small.png"))
    window.resize(1440, 900)

    # Use Cheapest Fit: each shot gets the cheapest paid model that takes it.
    qtbot.mouseClick(page.cheapest_button, Qt.MouseButton.LeftButton)
    want = {s: o.recommended.model for s, o in page.options.items() if o.recommended}
    assert set(want) == {"A", "B"}
    for o in page.options.values():
        fits = [x.price for x in o.options if x.takes and x.price]
        assert o.recommended is not None and o.recommended.price == min(fits)
        assert o.recommended.takes
    qtbot.waitUntil(lambda: lines() == want, timeout=10_000)
    assert all("★ cheapest fit" in page.table.text(r, 4) for r in range(2))

    # Confirm & Render asks with the models named; declined, nothing is confirmed.
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "renderEstimate")
    used = set(want.values())
    assert all(page.labels[m] in box.text() for m in used)
    box.reject()
    assert checkout.confirmed(project, "s2") is None
    # The confirmation keeps each shot's model: what its render job sends and its take keeps.
    done = checkout.confirm(project, page.current)
    assert {x.shot: x.model for x in done.lines} == want
    ops = video_render.render_ops(project, "s2", done, Registry(library.load_settings()))
    assert {op.params["shot"]: op.params["model_id"] for op in ops} == want
    operations.unshare(project)
