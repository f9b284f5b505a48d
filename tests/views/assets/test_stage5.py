"""Stage 5 through its UI with a fake image provider (the real google-genai SDK against a
local fake): style lock, extraction, generate, iterate with guidance, your own image, lock,
the gate, bulk generation with its estimate first, and promote → reuse in a second project."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core import story
from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.stage5 import PathRole, Stage5Page
from aiuteur_desktop.views.kit import pictures
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.stage_frame import GuidanceDialog
from tests.core.styles.test_visual import picture
from tests.fakes.gemini_fake import FakeGeminiContent, gemini_image
from tests.screenplays import DATA
from tests.views.conftest import wait_for_window

KEY_PNG = picture(7, colour=True)


def extract(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """Press Extract and wait for it: it runs off the UI thread."""
    qtbot.mouseClick(page.extract_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.extract_button.isEnabled() and "CHARACTERS" in names(page))


@pytest.fixture
def images(library: Library) -> Iterator[FakeGeminiContent]:
    fake = FakeGeminiContent([gemini_image(KEY_PNG)])
    fake.start()
    secrets.set_secret("google.api_key", "AIza-test")
    settings = library.load_settings()
    settings.google.api_endpoint = fake.url
    settings.models.image = "google:gemini-2.5-flash-image"
    library.save_settings(settings)
    yield fake
    fake.stop()


def approved_project(tmp_path: Path, name: str = "Heist") -> Project:
    p = Project.create(tmp_path, name)
    play = fountain.read_string((DATA / "kitchen_heist.fountain").read_text(encoding="utf-8"))
    master_script.import_screenplay(p, play, "kitchen_heist.fountain")
    for n in (1, 2, 3, 4):
        p.write(story.STAGE[n].lock_path, {"locked": True})
    p.commit("Approved")
    return p


def open_stage5(qtbot, window: MainWindow, project: Project) -> Stage5Page:  # type: ignore[no-untyped-def]
    window._show_project(project)
    window.project_page.show_stage(5)
    page = window.project_page.editors[5]
    assert window.project_page.stage_stack.currentWidget() is page
    assert isinstance(page, Stage5Page)
    return page


def select(page: Stage5Page, name: str) -> None:
    for row in range(page.list.count()):
        item = page.list.item(row)
        if item.data(PathRole) and item.text().endswith(name):
            page.list.setCurrentRow(row)
            return
    raise AssertionError(f"{name} is not in the list")


def names(page: Stage5Page) -> list[str]:
    return [page.list.item(r).text() for r in range(page.list.count())]


def test_stage5_style_lock_keys_gate_bulk_and_promote(
    qtbot, window: MainWindow, images: FakeGeminiContent, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A visual style library to lock.
    window.visual_styles.create("Silver noir")
    for i in range(3):
        window.visual_styles.add("Silver noir", f"ref{i}.png", picture(i, colour=False))
    project = approved_project(tmp_path)
    page = open_stage5(qtbot, window, project)
    page.style_combo.setCurrentIndex(page.style_combo.findData("Silver noir"))
    page.style_button.click()
    assert masters.style_lock(project)["library"] == "Silver noir"
    assert project.log()[0].message == "Visual style locked: Silver noir"
    assert "Locked: Silver noir" in page.style_state.text()

    assert page.empty.isVisible() and "press Extract" in page.empty.text()  # says what to do
    extract(qtbot, page)
    assert not page.empty.isVisible()
    assert names(page)[:2] == ["CHARACTERS", "○ JUNE"]
    # The marks are explained where they are seen, not only in tooltips.
    assert (
        page.legend.isVisible() and "○\u00a0No\u00a0image\u00a0key\u00a0yet" in page.legend.text()
    )
    assert "✓\u00a0Locked" in page.legend.text()
    assert "LOCATIONS" in names(page) and "○ KITCHEN" in names(page)
    select(page, "JUNE")
    assert page.description.toPlainText().startswith("JUNE PARKER (40s, flour-dusted apron")
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(page.scenes.text())
    assert doc.toPlainText() == "In scenes 1, 2, 5."
    page.voice.setText("warm, gravelly alto")
    page.flush()
    assert masters.read(project, "assets/june")["voice"] == "warm, gravelly alto"

    # Generate: a job through the real google-genai SDK, with the style's references.
    page.generate_button.click()
    qtbot.waitUntil(lambda: page.history.count() == 1, timeout=15_000)
    body = json.loads(images.content_requests[-1].body)
    parts = body["contents"][0]["parts"]
    prompt = next(p["text"] for p in parts if "text" in p)
    assert "JUNE" in prompt and "flour-dusted apron" in prompt and "Visual style:" in prompt
    assert sum("inlineData" in p or "inline_data" in p for p in parts) == 3
    qtbot.waitUntil(lambda: not page.image.pixmap().isNull())
    # Iterate with guidance: the Why box, a second candidate, the guidance as the message.
    page.generate_button.click()
    answer = wait_for_window(qtbot, GuidanceDialog)
    answer.edit.setPlainText("short")
    assert not answer.ok.isEnabled()
    answer.edit.setPlainText("Make her apron redder")
    answer.ok.click()
    qtbot.waitUntil(lambda: page.history.count() == 2, timeout=15_000)
    assert project.log()[0].message == "Make her apron redder"
    assert "Change from the last version: Make her apron redder" in json.dumps(
        json.loads(images.content_requests[-1].body)
    )
    # Pick the first candidate back, then lock.
    page.history.itemClicked.emit(page.history.item(0))
    a = masters.read(project, "assets/june")
    assert a["image_key"] == a["candidates"][0]["media"]
    page.lock_button.click()  # (written on a worker; the list follows)
    qtbot.waitUntil(lambda: not page._locking)
    assert "✓ JUNE" in names(page)
    assert masters.read(project, "assets/june")["locked"]
    assert project.log()[0].message == "Locked master asset JUNE"

    # The gate stays shut while anything is unlocked.
    assert not page.approve_button.isEnabled()
    # Your own image is a first-class key (no model involved).
    select(page, "KITCHEN")
    photo = tmp_path / "kitchen.jpg"
    photo.write_bytes(picture(3, colour=True, fmt="JPEG"))
    requests_before = len(images.content_requests)
    page.use_image_file(photo)
    qtbot.waitUntil(lambda: page.history.count() == 1)
    assert len(images.content_requests) == requests_before
    assert masters.read(project, "assets/kitchen")["candidates"][0]["source"] == "uploaded"

    # Bulk: the estimate is shown before anything starts.
    jobs_before = len(window.job_runner.recent())
    page.bulk_button.click()
    box = wait_for_window(qtbot, QMessageBox, "bulkEstimate")
    unlocked = len(masters.unlocked(project))
    assert f"for {unlocked} unlocked assets" in box.text() and "$0.039 each" in box.text()
    assert f"${0.039 * unlocked:,.2f}" in box.text()
    assert len(window.job_runner.recent()) == jobs_before
    next(b for b in box.buttons() if b.text() == "Generate").click()
    qtbot.waitUntil(lambda: not page._pending, timeout=30_000)
    assert all(a.get("image_key") for a in masters.all_assets(project))
    for a in masters.unlocked(project):
        masters.lock(project, a["path"])
    page.load()
    assert page.approve_button.isEnabled()
    page.approve_button.click()
    assert story.is_locked(project, 5)

    # Promote to Global, then start the second project's asset from it.
    select(page, "JUNE")
    library_page = window.asset_page
    assert library_page.grid.count() == 0
    page.promote_button.click()
    g = window.asset_library.all()[0]
    assert (g.name, g.voice, g.source) == ("JUNE", "warm, gravelly alto", "Promoted from Heist")
    # The Asset Library heard it through the session (no page told another).
    assert library_page.grid.count() == 1 and library_page.grid.item(0).text().startswith("JUNE")
    second = approved_project(tmp_path, "Sequel")
    page2 = open_stage5(qtbot, window, second)
    page2.add_from_library(g.id)
    assert names(page2) == ["CHARACTERS", "● JUNE"]
    copy = masters.read(second, "assets/june")
    assert (
        copy["global_id"] == g.id and second.media.read(copy["image_key"]) == g.image.read_bytes()
    )


def test_stage5_add_merge_rename_remove(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = approved_project(tmp_path)
    page = open_stage5(qtbot, window, project)
    extract(qtbot, page)
    page.add_new("prop", "Biscuit tin")
    assert "○ Biscuit tin" in names(page) and names(page)[-2] == "PROPS"
    select(page, "DANA")
    from PySide6.QtWidgets import QInputDialog

    qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    ask = wait_for_window(qtbot, QInputDialog, "mergeAsset")
    ask.setTextValue("RADIO")  # picked in the list of the other characters
    qtbot.keyClick(ask, Qt.Key.Key_Return)
    assert (
        "○ RADIO" not in names(page) and "RADIO" in masters.read(project, "assets/dana")["aliases"]
    )
    assert project.head().message == "Merged RADIO into DANA"
    qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    ask = wait_for_window(qtbot, QInputDialog, "renameAsset")
    assert ask.textValue() == "DANA"
    ask.setTextValue("Officer Dana West")
    qtbot.keyClick(ask, Qt.Key.Key_Return)
    assert page.name.text() == "Officer Dana West"
    page.remove_button.click()
    box = wait_for_window(qtbot, QMessageBox, "removeAsset")
    next(b for b in box.buttons() if b.text() == "Remove").click()
    assert project.read("assets/dana") is None


def test_asset_library_says_what_to_do_when_nothing_is_selected(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.go_to("assets")
    page = window.asset_page
    # No dead, disabled form: the pane says how to start, and New Asset opens one.
    assert page.details.currentWidget() is page.idle and page.idle.isVisible()
    assert not page.name.isVisible() and "New Asset" in page.idle.text()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.name.isVisible() and page.name.isEnabled() and page.name.text() == "New character"
    page.search.setText("nothing matches this")
    assert page.grid.count() == 0 and page.idle.isVisible()


def test_asset_library_page_search_filter_edit_and_delete_with_dependencies(
    qtbot, window: MainWindow, tmp_path: Path, library: Library
) -> None:  # type: ignore[no-untyped-def]
    lib = window.asset_library
    mara = lib.create(
        "character", "Mara", "Ferry mechanic in grease-streaked overalls", tags=["lead"]
    )
    lib.create("location", "Gull Point Lighthouse", "White tower, red lamp room", tags=["coast"])
    lib.create("prop", "Paper lantern", "Folded red paper, a candle inside")
    window.go_to("assets")
    page = window.asset_page
    assert window.pages.currentWidget() is page
    shown = lambda: [page.grid.item(r).text().split("\n")[0] for r in range(page.grid.count())]  # noqa: E731
    assert shown() == ["Mara", "Gull Point Lighthouse", "Paper lantern"]
    page.kind.setCurrentIndex(page.kind.findData("location"))
    assert shown() == ["Gull Point Lighthouse"]
    page.kind.setCurrentIndex(0)
    page.search.setText("red")
    assert shown() == ["Gull Point Lighthouse", "Paper lantern"]
    page.search.clear()
    page.tag.setCurrentIndex(page.tag.findData("lead"))
    assert shown() == ["Mara"]
    page.tag.setCurrentIndex(0)
    # Edit: name, tags and an image key.
    page.grid.setCurrentRow(0)
    page.name.setText("Mara Quill")
    page.tags.setText("lead, mechanic")
    photo = tmp_path / "mara.png"
    photo.write_bytes(picture(5, colour=True))
    page.set_image_file(photo)
    page.save_button.click()
    edited = lib.get(mara.id)
    assert (edited.name, edited.tags) == (
        "Mara Quill",
        ("lead", "mechanic"),
    ) and edited.image is not None
    # A project started from Mara: deleting says which one, and only on confirmation.
    with Project.create(tmp_path, "Uses Mara") as p:
        lib.use_in(p, mara.id)
        p.commit("From the library")
        library.register_project(p.path, p.name)
    page.refresh(select=mara.id)
    page.delete_button.click()
    box = wait_for_window(qtbot, QMessageBox, "deleteGlobalAsset")
    assert "1 project started from it: Uses Mara" in box.text()
    box.reject()
    assert lib.get(mara.id)
    page.delete_button.click()
    box = wait_for_window(qtbot, QMessageBox, "deleteGlobalAsset")
    next(b for b in box.buttons() if b.text() == "Delete").click()
    assert shown() == ["Gull Point Lighthouse", "Paper lantern"]


def test_key_props_come_from_the_text_model_and_scene_links_open_the_script(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.story_fake import FakeStoryModel

    model = FakeStoryModel()
    model.start()
    try:
        secrets.set_secret("openai.api_key", "sk-test")
        settings = library.load_settings()
        settings.openai.api_endpoint = model.base_url
        settings.models.text = "openai:gpt-5.1"  # (a priced model: an unpriced one is refused)
        library.save_settings(settings)
        project = approved_project(tmp_path)
        page = open_stage5(qtbot, window, project)
        extract(qtbot, page)
        page.props_button.click()
        qtbot.waitUntil(lambda: "PROPS" in names(page), timeout=15_000)
        assert names(page)[-3:] == ["PROPS", "○ biscuit tin", "○ duffel bag"]
        tin = masters.read(project, "assets/biscuit-tin")
        assert (
            tin["scenes"] == ["s1", "s5"]
            and tin["description"] == "A dented biscuit tin full of cash."
        )
        _k, _system, user = next(a for a in model.asked if a[0] == "assets.props")
        assert "INT. KITCHEN - NIGHT" in user
        select(page, "biscuit tin")
        assert 'href="s5"' in page.scenes.text()
        page.scenes.linkActivated.emit("s5")
        stage4 = window.project_page.editors[4]
        assert window.project_page.stage_stack.currentWidget() is stage4
        assert stage4.editor.textCursor().block().text() == "INT. KITCHEN - NIGHT"
        assert stage4.editor.scene_in_view() == 4
    finally:
        model.stop()


def test_bulk_generation_can_be_cancelled(
    qtbot, window: MainWindow, images: FakeGeminiContent, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import time as _time

    fast = gemini_image(KEY_PNG)

    def slow(req):  # type: ignore[no-untyped-def]
        _time.sleep(0.5)
        return fast(req)

    images.script = [slow]
    project = approved_project(tmp_path)
    page = open_stage5(qtbot, window, project)
    extract(qtbot, page)
    page.bulk_button.click()
    box = wait_for_window(qtbot, QMessageBox, "bulkEstimate")
    next(b for b in box.buttons() if b.text() == "Generate").click()
    assert page.busy.isVisible() and len(page._pending) == 8
    page.busy.cancel.click()
    qtbot.waitUntil(lambda: not page._pending, timeout=20_000)
    assert not page.busy.isVisible()
    assert not any(a.get("image_key") for a in masters.all_assets(project))
    assert "cancelled" in page.error.text()


def test_a_key_finished_after_the_project_was_closed_is_in_it_when_reopened(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import threading

    release = threading.Event()
    slow = gemini_image(KEY_PNG)

    def held(req):  # type: ignore[no-untyped-def]
        release.wait(10)
        return slow(req)

    fake = FakeGeminiContent([held])
    fake.start()
    try:
        secrets.set_secret("google.api_key", "AIza-test")
        settings = library.load_settings()
        settings.google.api_endpoint = fake.url
        settings.models.image = "google:gemini-2.5-flash-image"
        library.save_settings(settings)
        project = approved_project(tmp_path)
        bundle = project.path
        page = open_stage5(qtbot, window, project)
        extract(qtbot, page)
        select(page, "JUNE")
        page.generate_button.click()
        qtbot.waitUntil(lambda: len(fake.content_requests) == 1, timeout=10_000)
        # The filmmaker closes the project while the provider is still drawing.
        window.close_project()
        release.set()
        qtbot.waitUntil(lambda: window.job_runner.running_count() == 0, timeout=15_000)
        with Project.open(bundle) as reopened:
            june = masters.read(reopened, "assets/june")
            assert len(june["candidates"]) == 1 and june["image_key"]
            assert reopened.head().message == "Image key for JUNE"
        assert len(fake.content_requests) == 1  # applied once, never asked again
    finally:
        release.set()
        fake.stop()


def test_ctrl_a_and_lock_locks_every_asset_in_one_commit(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A feature's Stage 5 finds ~170 assets: choosing them all (Ctrl+A) and pressing Lock
    locks every one that has a key in one commit, says which still need a key, and the same
    gesture on all-locked assets unlocks them."""
    project = approved_project(tmp_path)
    masters.extract_into(project)
    everything = masters.all_assets(project)
    keyless = everything[-1]
    for a in everything[:-1]:
        masters.use_own_image(project, a["path"], KEY_PNG, f"{a['name']}.png")
    page = open_stage5(qtbot, window, project)
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    n = len(everything)
    assert page.lock_button.text() == f"Lock {n} Assets" and page.lock_button.isEnabled()
    commits = len(project.log())
    said: list[str] = []
    page.message.connect(said.append)
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page._locking)  # (written on a worker; the list follows)
    assert len(project.log()) == commits + 1
    assert project.head().message == f"Locked {n - 1} master assets"
    states = {a["name"]: bool(a.get("locked")) for a in masters.all_assets(project)}
    assert states == {a["name"]: a is not keyless for a in everything}
    assert said and keyless["name"] in said[-1] and "without an image key" in said[-1]
    # All chosen again, the keyless one left out: every one is locked, so Lock unlocks.
    qtbot.keyClick(page.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    item = next(
        page.list.item(r)
        for r in range(page.list.count())
        if page.list.item(r).data(PathRole) == keyless["path"]
    )
    page.list.scrollToItem(item)
    qtbot.mouseClick(
        page.list.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        page.list.visualItemRect(item).center(),
    )
    assert page.lock_button.text() == f"Unlock {n - 1} Assets"
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page._locking)  # (written on a worker, then shown)
    assert not any(a.get("locked") for a in masters.all_assets(project))
    assert len(project.log()) == commits + 2


def test_an_asset_s_key_and_candidates_are_decoded_off_the_ui_thread(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Choosing an asset shows its key and candidates at once where they are decoded, and
    never reads or decodes a picture on the UI thread (a feature's key is a 2K image)."""
    project = approved_project(tmp_path)
    masters.extract_into(project)
    june = next(a for a in masters.all_assets(project) if a["name"] == "JUNE")
    masters.use_own_image(project, june["path"], KEY_PNG, "june.png")
    masters.use_own_image(project, june["path"], picture(3, colour=True), "june2.png")
    page = open_stage5(qtbot, window, project)
    decoded_on: list[threading.Thread] = []
    real = pictures.read_image

    def read_image(source, max_side=None):  # type: ignore[no-untyped-def]
        decoded_on.append(threading.current_thread())
        return real(source, max_side)

    monkeypatch.setattr(pictures, "read_image", read_image)
    pictures._decoded.clear()
    select(page, "KITCHEN")
    select(page, "JUNE")
    qtbot.waitUntil(lambda: not page.image.pixmap().isNull())
    qtbot.waitUntil(
        lambda: all(not page.history.item(r).icon().isNull() for r in range(2)), timeout=5000
    )
    assert page.history.count() == 2
    assert decoded_on and threading.main_thread() not in decoded_on
    # Shown again: from what was decoded, at once, nothing decoded anew.
    decoded_on.clear()
    select(page, "KITCHEN")
    select(page, "JUNE")
    assert not page.image.pixmap().isNull() and decoded_on == []
