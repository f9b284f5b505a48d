"""Renders the README screenshots offscreen from a throwaway demo library.

Run: QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [--only-stages-8-9]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HOME = Path(tempfile.mkdtemp(prefix="aiuteur-shots-"))
os.environ["AIUTEUR_HOME"] = str(HOME)
OUT = Path(__file__).resolve().parent / "screenshots"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from aiuteur_desktop.core.assets import masters  # noqa: E402
from aiuteur_desktop.core.library import Library  # noqa: E402
from aiuteur_desktop.core.store import Project  # noqa: E402
from aiuteur_desktop.views.app import ensure_app  # noqa: E402
from aiuteur_desktop.views.main_window import MainWindow  # noqa: E402

DEMO = [
    ("The Lighthouse Keeper", 3, None),
    ("Night Market", 1, "Darker Ending"),
    ("Paper Moons — 30s Spot", 0, None),
    ("Salt & Static", 5, None),
]


def settle(ms: int = 500) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition, ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    for _ in range(ms // 100):
        if condition():
            return
        settle(100)
    raise TimeoutError("the screen never got there")


def written_styles(window: MainWindow) -> None:
    from tests.core.styles.test_written import NOIR

    window.go_to("written")
    page = window.written_page
    wait_for(lambda: page.library_list.count() > 0)
    page.create_library("Noir dialogue")
    sample = HOME / "diner.fountain"
    sample.write_text(NOIR, encoding="utf-8")
    page.add_sample(sample)
    wait_for(lambda: "Added diner.fountain" in page.status.text())
    page.query.setText("a chase across the rooftops")
    page.task.setCurrentText("Describe the action")
    page.try_retrieval()
    wait_for(lambda: page.results.count() > 1)
    settle(300)
    window.grab().save(str(OUT / "written-styles.png"))


def visual_styles(window: MainWindow) -> None:
    from tests.core.styles.test_visual import picture

    window.go_to("visual")
    page = window.visual_page
    page.create_library("Silver screen noir")
    files = []
    for i in range(5):
        for colour, fmt, ext in ((False, "PNG", "png"), (True, "JPEG", "jpg")):
            path = HOME / f"{'colour' if colour else 'bw'}-{i}.{ext}"
            path.write_bytes(picture(i + 10 * colour, colour=colour, fmt=fmt))
            files.append(path)
    page.add_images(files)
    wait_for(lambda: page.model.rowCount() == len(files))
    page.grid.setCurrentIndex(page.model.index(0, 0))
    page.tags.setText("noir, high contrast")
    page.store_tags()
    query = HOME / "query.png"
    query.write_bytes(picture(999, colour=False))
    page.find_similar(query, k=4)
    wait_for(lambda: "Closest looks" in page.status.text())
    settle(300)
    window.grab().save(str(OUT / "visual-styles.png"))


def phase_a(window: MainWindow, library: Library, projects_dir: Path) -> None:
    """Stages 1–4 driven through the UI, with the fake story model as a local server."""
    from tests.fakes.story_fake import FakeStoryModel

    model = FakeStoryModel()
    model.start()
    settings = library.load_settings()
    settings.local.enabled, settings.local.base_url, settings.local.model = (
        True,
        model.base_url,
        "llama3.1",
    )
    library.save_settings(settings)
    project = Project.create(projects_dir, "Night Ferry")
    window._show_project(project)
    settle(400)
    editors = window.project_page.editors
    s1, s2, s3, s4 = (editors[n] for n in (1, 2, 3, 4))
    s1.tone.setText("Wry and melancholy, with a warm, hopeful last image")
    for g in ("Drama", "Thriller / Suspense"):
        s1.genre_buttons[g].setChecked(True)
    s1.idea.setPlainText(
        "On the last night before the line closes, a ferry mechanic keeps the old night "
        "ferry alive through a storm, while the captain drinks in his cabin and a boy with a "
        "paper lantern watches her work."
    )
    notes = HOME / "Mara - character notes.md"
    notes.write_text("Mara Quill, 34, grease under her nails, hums when she is afraid.\n")
    world = HOME / "Strait of Gulls.txt"
    world.write_text("The strait: lighthouse on Gull Point, ferry line closing after 60 years.\n")
    s1.staging.add_paths([notes, world])
    wait_for(lambda: len(s1.staging.rows) == 2)
    s1.staging.rows[1].tag.setCurrentText("World Building")
    settle(300)
    window.grab().save(str(OUT / "stage1-setup.png"))
    s1.lock_setup()
    wait_for(lambda: window.project_page.stage_stack.currentWidget() is s2)
    s2.generate("")
    wait_for(lambda: s2.cards[2].use.isVisible())
    s2.choose(1)
    settle(300)
    window.grab().save(str(OUT / "stage2-treatment.png"))
    s2.lock_treatment()
    s3.generate("")
    wait_for(lambda: len(s3.model.beats) == 16)
    s3.view.setCurrentIndex(s3.model.index(1))
    settle(300)
    window.grab().save(str(OUT / "stage3-beats.png"))
    s3.confirm()
    s4.generate("")
    wait_for(lambda: s4.editor.toPlainText() != "")
    s4.editor.go_to_scene(0)
    settle(300)
    window.grab().save(str(OUT / "stage4-script.png"))
    s4.approve()
    s5 = editors[5]
    window.project_page.show_stage(5)
    s5.style_combo.setCurrentIndex(max(0, s5.style_combo.findData("Silver screen noir")))
    s5.lock_style()
    s5.extract()
    wait_for(lambda: bool(masters.all_assets(project)))
    s5.find_props()
    wait_for(lambda: not s5.jobs.running(s5.tag()))
    for a in masters.all_assets(project):
        s5._submit_key(a, "")
    wait_for(lambda: not s5._pending)
    for a in masters.all_assets(project)[1:3]:
        masters.lock(project, a["path"])
    s5.load()
    s5.list.setCurrentRow(1)
    s5.voice.setText("Low, dry, Scottish")
    window.notifier.toast.hide()  # the last job's toast would cover the asset buttons
    settle(400)
    window.grab().save(str(OUT / "stage5-assets.png"))
    for a in masters.all_assets(project)[:3]:
        window.asset_library.promote(project, a["path"])
    window.asset_library.create(
        "location", "Gull Point Lighthouse", "White tower, red lamp room", tags=["coast"]
    )
    window.go_to("assets")
    settle(400)
    window.grab().save(str(OUT / "asset-library.png"))
    model.stop()
    shot_list_page(window)
    animatic(window, project)


def shot_list_page(window: MainWindow) -> None:
    """Stage 6 on the second scene, then Stage 7 on the first: the Rearview Mirror, the shot
    table and the inspector."""
    window._show_current_project()
    page = window.project_page
    wait_for(lambda: page.scene_list.count() > 0)
    page.scene_list.setCurrentRow(1)
    page.show_stage(6)
    settle(500)
    window.grab().save(str(OUT / "stage6-hub.png"))
    page.scene_list.setCurrentRow(0)
    page.show_stage(7)
    stage7 = page.editors[7]
    stage7.table.selectRow(0)
    settle(500)
    window.grab().save(str(OUT / "stage7-shots.png"))


def visuals_and_prompts(window: MainWindow, projects_dir: Path) -> None:
    """Stages 8–9 on the lighthouse scene, at 1440 × 900 and at the smallest window: starting
    looks with condition tags and offline keys, then the prompt cards."""
    from aiuteur_desktop.core.production import visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.providers.registry import image_model
    from tests.views.production.test_stage8_9 import storm_project

    project = storm_project(projects_dir / "Storm Keeper")
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))
    visuals.save(
        project,
        "s1",
        "mara",
        description="Oilskin coat buttoned to the throat, short grey hair, a brass key on "
        "her belt.",
        conditions=[visuals.Condition("Wet", True), visuals.Condition("Wind-blown", False)],
    )
    visuals.lock(project, "s1", "eli")
    window._show_project(project)
    page = window.project_page
    wait_for(lambda: page.scene_list.count() > 0)
    page.scene_list.setCurrentRow(0)
    page.show_stage(8)
    s8 = page.editors[8]
    source = s8._source()
    for slug in ("mara", "lighthouse-lamp-room"):
        s8._submit(visuals.element(project, "s1", slug), "", image_model(source.settings), source)
    wait_for(lambda: not s8._pending)
    s8.select("mara")
    window.notifier.toast.hide()
    for size, suffix in (((1440, 900), ""), ((1280, 720), "min-")):
        window.resize(*size)
        page.show_stage(8)
        s8.select("mara")
        settle(500)
        window.grab().save(str(OUT / f"{suffix}stage8-visuals.png"))
    for e in visuals.elements(project, "s1"):
        if e.review != visuals.LOCKED:
            visuals.lock(project, "s1", e.slug)
    s9 = page.editors[9]
    for size, suffix in (((1440, 900), ""), ((1280, 720), "min-")):
        window.resize(*size)
        page.show_stage(9)
        s9.assemble()
        if not s9.cards["B"].body.isVisible():
            s9.cards["B"].toggle.click()
        settle(500)
        window.grab().save(str(OUT / f"{suffix}stage9-prompts.png"))
    window.resize(1440, 900)
    frames_page(window, project)


def frames_page(window: MainWindow, project: Project) -> None:
    """Stage 10 on the same scene: Control mode with the rearview ghost, the inpainting
    canvas, then Quick mode's grid — at 1440 × 900 and the smallest window."""
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QMessageBox

    from aiuteur_desktop.core.production import frames

    page = window.project_page
    page.show_stage(10)
    s10 = page.editors[10]
    settle(300)
    window.grab().save(str(OUT / "stage10-mode.png"))
    s10.control.setChecked(True)
    s10.choose_mode()
    priced = s10.key_price()
    assert priced is not None
    source, model, _each = priced
    for _ in range(3):  # 1A start, 1A end, 1B start — each approved before the next
        s10._submit(s10.current(), "", model, source)
        wait_for(lambda: not s10._pending)
        if frames.next_to_make(project, "s1") and s10.current_key() != "B/start":
            s10.approve()
    window.notifier.toast.hide()
    s10.rearview.ghost.setValue(45)
    for size, suffix in (((1440, 900), ""), ((1280, 720), "min-")):
        window.resize(*size)
        settle(400)
        s10.rearview.paint()
        window.grab().save(str(OUT / f"{suffix}stage10-control.png"))
    window.resize(1440, 900)
    s10.edit_button.setChecked(True)
    settle(200)
    c = s10.canvas.mapToScene(s10.canvas.viewport().rect().center())
    for dx in range(0, 120, 6):
        s10.canvas.segment(
            QPointF(c.x() - 60 + dx, c.y() - 70), QPointF(c.x() - 54 + dx, c.y() - 70)
        )
    s10.canvas._refresh()
    s10.instruction.setText("make her expression neutral")
    settle(300)
    window.grab().save(str(OUT / "stage10-canvas.png"))
    s10.edit_button.setChecked(False)
    frames.set_mode(project, "s1", frames.QUICK)
    s10.load()
    s10.generate()
    box = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    )
    next(b for b in box.buttons() if b.text() == "Make").click()
    wait_for(lambda: not s10._pending)
    window.notifier.toast.hide()
    settle(800)
    window.grab().save(str(OUT / "stage10-quick.png"))
    checkout_and_review(window, project)
    export_for_editing(window)


def checkout_and_review(window: MainWindow, project: Project) -> None:
    """Stage 11's checkout, Confirm & Render offline, then Stage 12's player with an issue
    filed — at 1440 × 900 and the smallest window."""
    from aiuteur_desktop.core.production import frames, review

    for s in frames.slots(project, "s1"):
        if s.made and not s.approved:
            frames.approve(project, "s1", s.shot, s.which)
    page = window.project_page
    s11 = page.editors[11]
    for size, suffix in (((1440, 900), ""), ((1280, 720), "min-")):
        window.resize(*size)
        page.show_stage(11)
        settle(500)
        window.grab().save(str(OUT / f"{suffix}stage11-checkout.png"))
    window.resize(1440, 900)
    s11.confirm_render()
    wait_for(lambda: not s11.pending, 120_000)
    window.notifier.toast.hide()
    page.show_stage(12)
    s12 = page.editors[12]
    wait_for(lambda: s12.player.cut is not None)
    s12.player.seek(s12.player.cut.pieces[1].start + 2.5)
    settle(500)
    review.file_issue(project, "s1", "B", review.VISUAL, s12.player.position, "Mara's coat is dry.")
    s12.load()
    for size, suffix in (((1440, 900), ""), ((1280, 720), "min-")):
        window.resize(*size)
        settle(600)
        window.grab().save(str(OUT / f"{suffix}stage12-review.png"))
    s12.player.close_player()
    window.resize(1440, 900)


def export_for_editing(window: MainWindow) -> None:
    """File → Export for Editing…: each shot's take or animatic, before exporting."""
    from aiuteur_desktop.views.export.editor_dialogs import ProExportDialog

    window.project_page.open_pro_export()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ProExportDialog))
    wait_for(lambda: dialog.export_button.isEnabled())
    dialog.folder.setText(str(HOME / "Storm for editing"))
    settle(300)
    dialog.grab().save(str(OUT / "pro-export.png"))
    dialog.reject()


def at_minimum_size(window: MainWindow) -> None:
    """The last project's stages at the smallest window (1280 × 720): what a laptop shows."""
    window.resize(window.minimumSize())
    window._show_current_project()
    page = window.project_page
    wait_for(lambda: page.scene_list.count() > 0)
    page.scene_list.setCurrentRow(0)
    for number in (1, 4, 5, 6, 7):
        page.show_stage(number)
        settle(500)
        window.grab().save(str(OUT / f"min-stage{number}.png"))
    window.resize(1440, 900)


def animatic(window: MainWindow, project: Project) -> None:
    """The offline path's end: the shot list, a finished render, and a frame of the film."""
    import av

    from aiuteur_desktop.views.export.animatic_dialog import AnimaticDialog

    window.project_page.open_animatic()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AnimaticDialog))
    wait_for(lambda: dialog.render_button.isEnabled())
    dialog.folder.setText(str(HOME / "Night Ferry animatic"))
    dialog.voices.setChecked(False)
    dialog.render()
    wait_for(lambda: dialog.status.text().startswith("Done"), 120_000)
    dialog.table.selectRow(1)
    settle(300)
    dialog.grab().save(str(OUT / "animatic-dialog.png"))
    film = next((HOME / "Night Ferry animatic").glob("*_animatic.mp4"))
    with av.open(str(film)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == 24 * 3:
                frame.to_image().save(str(OUT / "animatic-frame.png"))
                break
    dialog.accept()


def main() -> int:
    app = ensure_app()
    library = Library()
    projects_dir = HOME / "Projects"
    projects_dir.mkdir(parents=True)
    for name, locked, branch in DEMO:
        with Project.create(projects_dir, name) as p:
            for n in range(1, locked + 1):
                p.write(f"stage{n}/lock", {"locked": True})
            p.commit("Demo progress")
            if branch:
                p.create_branch(branch)
            library.register_project(p.path, p.name)
    window = MainWindow(library)
    window.resize(1440, 900)
    window.show()
    settle()
    OUT.mkdir(parents=True, exist_ok=True)
    if "--only-stages-8-9" in sys.argv:  # just the newest pages
        visuals_and_prompts(window, projects_dir)
        window.close()
        library.close()
        print(f"wrote the Stage 8–9 screenshots to {OUT}")
        return 0
    window.grab().save(str(OUT / "dashboard.png"))
    window.open_project(projects_dir / "The Lighthouse Keeper.aiuteur")
    settle(800)
    window.grab().save(str(OUT / "project.png"))
    from tests.story import build_film  # a project with three timelines, media and costs

    build_film(projects_dir, "Lighthouse — timelines").close()
    window.open_project(projects_dir / "Lighthouse — timelines.aiuteur")
    settle(800)
    for name, opener, attr in (
        ("history", window.project_page.open_history, "versionHistoryDialog"),
        ("vault", window.project_page.open_vault, "artifactVaultDialog"),
    ):
        opener()
        settle(800)
        dialog = next(w for w in app.topLevelWidgets() if w.objectName() == attr)
        if name == "vault":
            dialog.select_path("Main", "assets/mara")
            settle(600)
        dialog.grab().save(str(OUT / f"{name}.png"))
        dialog.reject()
    window.open_settings()
    settle()
    window.settings_dialog.grab().save(str(OUT / "settings.png"))
    window.settings_dialog.reject()
    written_styles(window)
    visual_styles(window)
    phase_a(window, library, projects_dir)
    visuals_and_prompts(window, projects_dir)
    at_minimum_size(window)
    window.close()
    library.close()
    del app
    print(f"wrote screenshots to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
