"""Phase A through its UI (PRD §3.1–3.4, §8.1–8.4) with a fake text model behind the real
openai SDK: modes A–D, the staging area, three treatments in parallel, targeted rewrite,
the Why box, beats (reorder, add, remove, brainstorm, expand), the Stage 4 gate, both
consistency flags, mandatory branching and undo/redo."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextCursor

from aiuteur_desktop.core import story
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.screenplay.elements import ACTION, CHARACTER, DIALOGUE, PARENTHETICAL
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.settings_dialog import SettingsDialog
from aiuteur_desktop.views.stage_frame import GuidanceDialog
from aiuteur_desktop.views.story.beats import MIME
from aiuteur_desktop.views.story.stage1 import Stage1Page
from aiuteur_desktop.views.story.stage2 import Stage2Page
from aiuteur_desktop.views.story.stage3 import ChoiceDialog, Stage3Page
from aiuteur_desktop.views.story.stage4 import BranchRequiredDialog, Stage4Page
from tests.fakes.story_fake import FakeStoryModel
from tests.screenplays import DATA
from tests.views.conftest import find_window, wait_for_hub, wait_for_window

LONG = 20_000


def open_project(qtbot, window: MainWindow, tmp_path: Path, name: str = "Ferry") -> Project:  # type: ignore[no-untyped-def]
    project = Project.create(tmp_path, name)
    window._show_project(project)
    # (the project's first stage is read a moment after its page shows)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.project_page)
    qtbot.waitUntil(lambda: not window.project_page.opening)
    return project


def pages(window: MainWindow) -> tuple[Stage1Page, Stage2Page, Stage3Page, Stage4Page]:
    e = window.project_page.editors
    return e[1], e[2], e[3], e[4]  # type: ignore[return-value]


def fill_setup(page: Stage1Page, mode: str = "A") -> None:
    page.tone.setText("Wry and melancholy, a warm last image")
    page.genre_buttons["Drama"].setChecked(True)
    page.mode_cards[mode].setChecked(True)
    if mode == "A":
        page.idea.setPlainText(
            "A ferry mechanic keeps a dying night ferry afloat through a storm on its last crossing."
        )


def answer(qtbot, text: str) -> GuidanceDialog:  # type: ignore[no-untyped-def]
    dialog = wait_for_window(qtbot, GuidanceDialog)
    dialog.edit.setPlainText(text)
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    return dialog


def treatment_prompt(qtbot, window: MainWindow, model: FakeStoryModel) -> str:  # type: ignore[no-untyped-def]
    """Lock the setup, generate the treatments, and return what the model was asked."""
    s1, s2, _s3, _s4 = pages(window)
    qtbot.waitUntil(s1.lock_button.isEnabled)
    s1.lock_button.click()
    qtbot.waitUntil(lambda: current(window) is s2)
    s2.generate_button.click()
    qtbot.waitUntil(lambda: s2.cards[2].use.isVisible(), timeout=15_000)
    return next(u for k, _s, u in model.asked if k == "treatment.generate")


def current(window: MainWindow):  # type: ignore[no-untyped-def]
    return window.project_page.stage_stack.currentWidget()


def at_stage2(qtbot, window: MainWindow, tmp_path: Path) -> tuple[Project, Stage2Page]:  # type: ignore[no-untyped-def]
    """A new project with Stage 1 filled in and locked, on Stage 2 before any treatment."""
    project = open_project(qtbot, window, tmp_path)
    s1, s2, _s3, _s4 = pages(window)
    fill_setup(s1)
    qtbot.waitUntil(s1.lock_button.isEnabled)
    s1.lock_button.click()
    qtbot.waitUntil(lambda: current(window) is s2)
    return project, s2


def to_stage2(qtbot, window: MainWindow, tmp_path: Path) -> tuple[Project, Stage2Page]:  # type: ignore[no-untyped-def]
    project, s2 = at_stage2(qtbot, window, tmp_path)
    s2.generate_button.click()
    qtbot.waitUntil(lambda: s2.cards[2].use.isVisible(), timeout=15_000)
    return project, s2


def to_stage3(qtbot, window: MainWindow, tmp_path: Path) -> tuple[Project, Stage3Page]:  # type: ignore[no-untyped-def]
    project, s2 = to_stage2(qtbot, window, tmp_path)
    s2.lock_button.click()
    s3 = pages(window)[2]
    qtbot.waitUntil(lambda: current(window) is s3)
    s3.generate_button.click()
    qtbot.waitUntil(lambda: len(s3.model.beats) == 16, timeout=15_000)
    return project, s3


def to_stage4(qtbot, window: MainWindow, tmp_path: Path) -> tuple[Project, Stage4Page]:  # type: ignore[no-untyped-def]
    project, s3 = to_stage3(qtbot, window, tmp_path)
    s3.confirm_button.click()
    s4 = pages(window)[3]
    qtbot.waitUntil(lambda: current(window) is s4)
    s4.generate_button.click()
    # Saved by its operation, then shown by the page.
    qtbot.waitUntil(
        lambda: project.read(story.SCRIPT) is not None and not s4.jobs.running(s4.tag()),
        timeout=15_000,
    )
    return project, s4


# ---------------------------------------------------------------- Stage 1 / 2
def test_mode_a_writes_three_treatments_in_parallel_and_one_is_chosen(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # The three treatment requests must all be in flight at once, or none is answered.
    model.together["treatment.generate"] = threading.Barrier(3)
    project, s2 = to_stage2(qtbot, window, tmp_path)
    assert story.is_locked(project, 1)
    asked = sorted(
        u.split("Write treatment ")[1] for k, _s, u in model.asked if k == "treatment.generate"
    )
    assert len(asked) == 3
    # Each asks for a different angle (tone/ending/chronology), all with the constraints.
    assert "different chronology" in asked[2] and "different ending" in asked[1]
    assert all("3:00 to 5:00 minutes" in u for u in asked)
    assert all("Wry and melancholy" in u for k, _s, u in model.asked if k == "treatment.generate")
    assert [c.title.text() for c in s2.cards] == [
        "1. Night Ferry 1  ✓ active",
        "2. Night Ferry 2",
        "3. Night Ferry 3",
    ]
    assert s2.editor.toPlainText().endswith("Ending 1.")
    s2.cards[1].use.click()
    assert s2.editor.toPlainText().endswith("Ending 2.")
    assert project.log()[0].message == "Chose treatment 2: Night Ferry 2"
    doc = project.read(story.TREATMENT)
    assert doc["template"] == "treatment.generate@1" and "stage1/config" in doc["context"]


def test_targeted_rewrite_replaces_only_the_selection(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s2 = to_stage2(qtbot, window, tmp_path)
    before = s2.editor.toPlainText()
    start = before.index("A storm rises over the strait")
    end = start + len("A storm rises over the strait")
    cursor = s2.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    s2.editor.setTextCursor(cursor)
    s2.editor.rewriteRequested.emit()
    answer(qtbot, "More violent")
    replacement = "A HURRICANE howls over the strait"
    qtbot.waitUntil(lambda: replacement in s2.editor.toPlainText(), timeout=10_000)
    after = s2.editor.toPlainText()
    assert after.encode()[: len(before[:start].encode())] == before[:start].encode()
    assert after.encode().endswith(before[end:].encode())
    assert after == before[:start] + replacement + before[end:]
    _k, _s, user = next(a for a in model.asked if a[0] == "rewrite")
    assert "<<<A storm rises over the strait>>>" in user and "Mara Quill" in user
    # One undo step restores the original; redo re-applies.
    s2.editor.undo()
    assert s2.editor.toPlainText() == before
    s2.editor.redo()
    assert s2.editor.toPlainText() == after
    s2.flush()
    assert story.treatment_text(project) == after
    assert project.read(story.TREATMENT)["origin"] == artifacts.MANUAL


def test_full_regeneration_needs_ten_characters_and_becomes_the_commit_message(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s2 = to_stage2(qtbot, window, tmp_path)
    s2.regen_button.click()
    dialog = wait_for_window(qtbot, GuidanceDialog)
    dialog.edit.setPlainText("too short")  # 9 characters
    assert not dialog.ok.isEnabled()
    assert "1 more character needed" in dialog.hint.text()
    dialog.accept()  # Enter in the box cannot slip past the gate either
    assert dialog.isVisible()
    dialog.edit.setPlainText("Give it a hopeful end")
    assert dialog.ok.isEnabled()
    count = len([k for k in model.asked_kinds() if k == "treatment.generate"])
    dialog.ok.click()
    qtbot.waitUntil(lambda: project.log()[0].message == "Give it a hopeful end", timeout=15_000)
    assert len([k for k in model.asked_kinds() if k == "treatment.generate"]) == count + 3
    assert "Guidance from the filmmaker: Give it a hopeful end" in model.asked[-1][2]


def test_one_treatment_of_three_failing_keeps_the_other_two_and_is_written_again_alone(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    original = model._answer
    broken = {"on": True}
    model._answer = lambda kind, user: (  # type: ignore[method-assign]
        {"title": "Two"}  # invalid every time: treatment 2 fails after its one retry
        if broken["on"] and kind == "treatment.generate" and "Write treatment 2" in user
        else original(kind, user)
    )
    project, s2 = at_stage2(qtbot, window, tmp_path)
    s2.generate_button.click()
    qtbot.waitUntil(lambda: s2.error.isVisible(), timeout=15_000)
    assert "Treatment 2 could not be written; the others are saved" in s2.error.text()
    doc = project.read(story.TREATMENT)
    assert [v["title"] for v in doc["variants"]] == ["Night Ferry 1", "", "Night Ferry 3"]
    assert "expected structure" in doc["variants"][1]["failed"]
    assert s2.cards[0].title.text().endswith("✓ active") and s2.editor.toPlainText()
    assert "Not written" in s2.cards[1].logline.text()
    assert s2.cards[1].use.text() == "Write This One Again" and s2.cards[2].use.isVisible()
    broken["on"] = False
    asked = len(model.asked)
    qtbot.mouseClick(s2.cards[1].use, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: s2.cards[1].title.text() == "2. Night Ferry 2", timeout=15_000)
    again = [u for k, _s, u in model.asked[asked:] if k == "treatment.generate"]
    assert len(again) == 1 and "Write treatment 2" in again[0]  # the failed one alone
    doc = project.read(story.TREATMENT)
    assert [v["title"] for v in doc["variants"]] == [
        "Night Ferry 1",
        "Night Ferry 2",
        "Night Ferry 3",
    ]
    assert doc["active"] == 0 and project.log()[0].message == "Wrote treatment 2 again"
    qtbot.mouseClick(s2.cards[1].use, Qt.MouseButton.LeftButton)  # now it can be chosen
    assert s2.editor.toPlainText().endswith("Ending 2.")


def test_invalid_model_output_is_retried_once_then_reported_without_change(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s3 = to_stage3(qtbot, window, tmp_path)
    model.break_once.add("beat.expand")  # the first answer is invalid; the retry succeeds
    s3.expand(3)
    dialog = wait_for_window(qtbot, ChoiceDialog)
    assert [k for k in model.asked_kinds() if k == "beat.expand"] == ["beat.expand"] * 2
    dialog.reject()
    # Two invalid answers: a clear error, nothing changed.
    before = [dict(b) for b in s3.model.beats]
    model.break_once.add("beats.generate")
    original = model._answer
    model._answer = lambda kind, user: (
        {"beats": []} if kind == "beats.generate" else original(kind, user)
    )  # type: ignore[method-assign]
    s3.generate("")
    qtbot.waitUntil(s3.error.isVisible, timeout=10_000)
    assert "did not return the expected structure" in s3.error.text()
    assert s3.model.beats == before and story.beats_of(project) == before


# ------------------------------------------------------------------- Stage 3
def test_beats_reorder_add_remove_brainstorm_expand_with_undo(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s3 = to_stage3(qtbot, window, tmp_path)
    m = s3.model
    # One toolbar for the selected beat; with none picked its tools wait for a pick.
    assert s3.toolbar.isVisible() and not any(b.isEnabled() for b in s3.tools.values())
    texts = lambda: [b["text"] for b in m.beats]  # noqa: E731
    original = texts()
    assert m.index(0).data() == "1. Beat 1: Mara faces the storm, step 1."
    # Drag beat 3 onto row 0 (a drop through the model, as the view does it).
    mime = m.mimeData([m.index(2)])
    assert mime.hasFormat(MIME)
    m.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert m.index(0).data() == "1. Beat 3: Mara faces the storm, step 3."
    assert m.index(2).data() == "3. Beat 2: Mara faces the storm, step 2."
    s3.flush()
    assert [b["text"] for b in story.beats_of(project)][:3] == [
        original[2],
        original[0],
        original[1],
    ]
    # +: the Why box, then the new beat from the neighbours.
    s3.tool("add", 0)
    answer(qtbot, "The lighthouse goes dark")
    qtbot.waitUntil(lambda: len(m.beats) == 17, timeout=10_000)
    assert m.index(1).data() == "2. New beat: the lighthouse goes dark."
    _k, _s, user = next(a for a in model.asked if a[0] == "beat.add")
    assert original[2] in user and original[0] in user
    # ✕
    s3.tool("remove", 1)
    assert len(m.beats) == 16
    # Brainstorm: three alternatives, pick the second.
    s3.tool("brainstorm", 4)
    dialog = wait_for_window(qtbot, ChoiceDialog)
    assert len(dialog.buttons) == 3
    dialog.buttons[1].click()
    assert m.beats[4]["text"] == "Option B: she waits."
    # Expand: the beat becomes its sub-beats.
    s3.tool("expand", 5)
    dialog = wait_for_window(qtbot, ChoiceDialog, "expandDialog")
    dialog.buttons[0].click()
    assert [b["text"] for b in m.beats[5:7]] == [
        "Sub-beat one: the radio crackles.",
        "Sub-beat two: a voice answers.",
    ]
    assert len(m.beats) == 17 and m.index(16).data().startswith("17. ")
    # Undo everything back to the generated sheet, then redo it all.
    after = texts()
    while m.stack.canUndo():
        m.stack.undo()
    assert texts() == original
    while m.stack.canRedo():
        m.stack.redo()
    assert texts() == after
    # One toolbar acts on the beat the user picked; with none picked it does nothing.
    from PySide6.QtTest import QTest

    second = m.beats[1]["text"]
    rect = s3.view.visualRect(m.index(0))
    QTest.mouseClick(s3.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert all(b.isEnabled() for b in s3.tools.values())
    QTest.mouseClick(s3.tools["remove"], Qt.MouseButton.LeftButton)
    assert len(m.beats) == 16 and m.beats[0]["text"] == second


def test_beat_context_shows_the_treatment_passage(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _project, s3 = to_stage3(qtbot, window, tmp_path)
    s3.tool("context", 1)
    from PySide6.QtWidgets import QDialog, QTextBrowser

    dialog = wait_for_window(qtbot, QDialog, "beatContext")
    text = dialog.findChild(QTextBrowser, "contextText").toPlainText()
    assert (
        text.startswith("Mara Quill, a ferry mechanic") and "A storm rises over the strait" in text
    )
    dialog.reject()


def test_stage4_stays_closed_until_the_beat_sheet_is_confirmed(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s3 = to_stage3(qtbot, window, tmp_path)
    page = window.project_page
    page.timeline.nodes[4].click()
    assert current(window) is page.gate_page
    assert "Confirm the Beat Sheet first" in page.gate_page.reason.text()
    page.gate_page.button.click()
    assert current(window) is s3
    s3.confirm_button.click()
    qtbot.waitUntil(lambda: current(window) is pages(window)[3])
    assert story.is_locked(project, 3) and page.timeline.nodes[3].locked


# ------------------------------------------------------------------- Stage 4
def test_script_generation_alignment_approval_and_scene_list(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s4 = to_stage4(qtbot, window, tmp_path)
    play = master_script.current(project)
    assert play is not None and [s.heading for s in play.scenes()] == [
        "INT. FERRY ENGINE ROOM - NIGHT",
        "EXT. FERRY DECK - NIGHT",
        "EXT. HARBOUR PIER - DAWN",
    ]
    user = next(u for k, _s, u in model.asked if k == "script.generate")
    system = next(s for k, s, _u in model.asked if k == "script.generate")
    assert "visual blueprint" in system and "1. Beat 1:" in user and "Mara Quill" in user
    qtbot.waitUntil(lambda: s4.highlighted_beats() == [1, 2, 3])
    s4.editor.go_to_scene(2)
    s4.align_beats()
    assert s4.highlighted_beats() == list(range(9, 17))
    s4.approve_button.click()
    assert story.is_locked(project, 4)
    hub = window.project_page.scene_list
    wait_for_hub(qtbot, window.project_page)
    # Each scene with its shot count and running time from the 8-second shot timing.
    assert [hub.item(i).text().split("\n") for i in range(hub.count())] == [
        ["1  INT. FERRY ENGINE ROOM - NIGHT", "     2 shots · 0:12"],
        ["2  EXT. FERRY DECK - NIGHT", "     1 shot · 0:06"],
        ["3  EXT. HARBOUR PIER - DAWN", "     1 shot · 0:06"],
    ]
    assert window.project_page.hub_title.text() == "Script Hub · 0:24"


def test_screenplay_editor_tab_enter_switching_and_undo(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _project, s4 = to_stage4(qtbot, window, tmp_path)
    ed = s4.editor
    ed.setFocus()
    ed.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert ed.element() == ACTION
    qtbot.keyClick(ed, Qt.Key.Key_Tab)
    assert ed.element() == CHARACTER and s4.element_combo.currentData() == CHARACTER
    qtbot.keyClicks(ed, "boy")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert ed.element() == DIALOGUE
    qtbot.keyClick(ed, Qt.Key.Key_Tab)
    assert ed.element() == PARENTHETICAL
    qtbot.keyClicks(ed, "quietly")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert ed.element() == DIALOGUE
    qtbot.keyClicks(ed, "Thank you.")
    tail = ed.screenplay().elements[-3:]
    assert [(e.type, e.text) for e in tail] == [
        (CHARACTER, "BOY"),
        (PARENTHETICAL, "(quietly)"),
        (DIALOGUE, "Thank you."),
    ]
    while ed.document().isUndoAvailable():
        ed.undo()
    assert ed.screenplay() == master_script.current(_project)


def test_both_consistency_flags_appear_and_clear(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s4 = to_stage4(qtbot, window, tmp_path)
    _s1, s2, s3, _ = pages(window)
    page = window.project_page
    assert page.timeline.nodes[2].flag_text == "" and page.timeline.nodes[3].flag_text == ""
    # A hand edit of the script flags the Beat Sheet (PRD §3.3), not the treatment.
    ed = s4.editor
    ed.moveCursor(QTextCursor.MoveOperation.End)
    ed.insertPlainText(" The lantern flickers.")
    s4.flush()
    assert page.timeline.nodes[3].flag_text == "Not up-to-date with current Script"
    page.show_stage(3)
    assert s3.flag.isVisible() and "Not up-to-date with current Script" in s3.flag.label.text()
    assert s3.flag.button.text() == "Retroactively Revise Beat Sheet to Sync with Script"
    s3.flag.button.click()
    qtbot.waitUntil(lambda: not s3.flag.isVisible(), timeout=10_000)
    assert s3.model.beats[0]["text"].startswith("Synced beat 1")
    assert page.timeline.nodes[3].flag_text == ""
    assert project.log()[0].message == "Retroactively revised beat sheet to sync with the script"
    # The treatment is flagged once the beat sheet is edited by hand (PRD §8.2).
    assert not s2.flag.isVisible()
    s3.model.retype(0, "Mara refuses the last crossing.", "Edit beat")
    s3.flush()
    page.show_stage(2)
    assert s2.flag.isVisible() and "Not up-to-date with current Beat Sheet" in s2.flag.label.text()
    branch = project.current_branch
    s2.flag.button.click()
    qtbot.waitUntil(lambda: not s2.flag.isVisible(), timeout=10_000)
    assert project.current_branch == branch  # a new version on the same branch
    assert s2.editor.toPlainText().endswith("Ending revised.")
    assert page.timeline.nodes[2].flag_text == ""


def test_regenerating_the_script_from_edited_beats_forces_a_new_branch(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s4 = to_stage4(qtbot, window, tmp_path)
    s3 = pages(window)[2]
    old_script = project.read(story.SCRIPT)
    window.project_page.show_stage(3)
    s3.model.retype(2, "Mara lets the ferry drift to the island.", "Edit beat")
    s3.flush()
    # The confirmation was of the old beats: it lapses, and Stage 4 waits for a new one.
    page = window.project_page
    assert not page.timeline.nodes[3].locked
    page.show_stage(4)
    assert page.stage_stack.currentWidget() is page.gate_page
    assert "edited after you confirmed it" in page.gate_page.reason.text()
    page.gate_page.button.click()
    assert page.stage_stack.currentWidget() is s3
    assert s3.confirm_button.text() == "Confirm Beat Sheet && Proceed"
    s3.confirm_button.click()
    assert page.stage_stack.currentWidget() is s4 and page.timeline.nodes[3].locked
    assert s4.flag.isVisible() and "Not up-to-date with current Beat Sheet" in s4.flag.label.text()
    model.script_tag = "second"
    s4.regen_button.click()
    answer(qtbot, "Follow the new island beat")
    dialog = wait_for_window(qtbot, BranchRequiredDialog)
    assert dialog.name.text() == "Main – revised beats"
    # There is no way to regenerate in place: cancelling leaves everything as it was.
    dialog.reject()
    assert project.current_branch == "Main" and len(project.branches()) == 1
    s4.regen_button.click()
    answer(qtbot, "Follow the new island beat")
    wait_for_window(qtbot, BranchRequiredDialog).ok.click()
    qtbot.waitUntil(lambda: "Version: second." in (s4.editor.toPlainText()), timeout=15_000)
    assert project.current_branch == "Main – revised beats"
    assert project.log()[0].message == "Follow the new island beat"
    main_script = project.read(story.SCRIPT, branch="Main")
    assert main_script == old_script  # the old branch is untouched
    assert "Version: first." in main_script["scenes"][0]["text"]
    assert "revised beats" in window.project_page.branch_label.text()


# ---------------------------------------------------------------- modes B–D
def test_mode_b_condenses_a_long_text_in_parts_with_progress(
    qtbot, window: MainWindow, model: FakeStoryModel, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = library.load_settings()
    settings.local.enabled, settings.local.base_url, settings.local.model = (
        True,
        model.base_url,
        "llama",
    )
    settings.models.text = "local:llama"  # a small context window: 6,000 tokens
    library.save_settings(settings)
    novel = tmp_path / "novel.txt"
    paragraph = "The ferry crossed the strait again that night, and the sea was black. " * 12
    novel.write_text(
        "\n\n".join(f"Chapter {i}. {paragraph}" for i in range(LONG // 150)), encoding="utf-8"
    )
    project = open_project(qtbot, window, tmp_path)
    s1, s2, _s3, _s4 = pages(window)
    fill_setup(s1, "B")
    s1.staging.add_paths([novel])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 1)
    assert s1.staging.rows[0].primary.isChecked()
    qtbot.waitUntil(s1.lock_button.isEnabled)
    model.delay = 0.05
    s1.lock_button.click()
    assert s1.busy.isVisible() and "Condensing novel.txt" in s1.busy.label.text()
    qtbot.waitUntil(lambda: current(window) is s2, timeout=30_000)
    chunks = [u for k, _s, u in model.asked if k == "condense.chunk"]
    assert len(chunks) >= 4 and all(len(u) < 6_000 * 4 for u in chunks)
    assert story.condensed(project).startswith("Summary of the whole book")
    s2.generate_button.click()
    qtbot.waitUntil(lambda: s2.cards[2].use.isVisible(), timeout=15_000)
    user = next(u for k, _s, u in model.asked if k == "treatment.generate")
    assert "Summary of the whole book" in user and "The ferry crossed" not in user


def test_mode_b_condensing_can_be_cancelled(
    qtbot, window: MainWindow, model: FakeStoryModel, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = library.load_settings()
    settings.local.enabled, settings.local.base_url, settings.local.model = (
        True,
        model.base_url,
        "llama",
    )
    settings.models.text = "local:llama"
    library.save_settings(settings)
    novel = tmp_path / "novel.md"
    novel.write_text(
        "\n\n".join(f"Para {i}. " + "Waves. " * 300 for i in range(60)), encoding="utf-8"
    )
    project = open_project(qtbot, window, tmp_path)
    s1 = pages(window)[0]
    fill_setup(s1, "B")
    s1.staging.add_paths([novel])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 1)
    model.delay = 0.3
    qtbot.waitUntil(s1.lock_button.isEnabled)
    s1.lock_button.click()
    qtbot.waitUntil(lambda: "condense.chunk" in model.asked_kinds(), timeout=10_000)
    s1.busy.cancel.click()
    qtbot.waitUntil(lambda: "Cancelled" in s1.error.text(), timeout=10_000)
    assert not story.is_locked(project, 1) and not s1.busy.isVisible()


def test_mode_c_needs_a_twist_and_sends_it(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "hamlet.txt"
    source.write_text(
        "Hamlet, prince of Denmark, is asked by his father's ghost to avenge him.", encoding="utf-8"
    )
    notes = tmp_path / "space.md"
    notes.write_text(
        "Space stations orbit a dying star; the crew speaks in clipped radio calls.",
        encoding="utf-8",
    )
    _project = open_project(qtbot, window, tmp_path)
    s1, _s2, _s3, _s4 = pages(window)
    fill_setup(s1, "C")
    s1.staging.add_paths([source, notes])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 2)
    rows = {r.file.name: r for r in s1.staging.rows}
    if not rows["hamlet.txt"].primary.isChecked():  # the first file read may be it already
        rows["hamlet.txt"].primary.click()
    rows["space.md"].tag.setCurrentText("Parody Source")
    qtbot.waitUntil(lambda: "twist" in s1.problem.text())
    assert not s1.lock_button.isEnabled()
    s1.twist.setText("Hamlet in space")
    user = treatment_prompt(qtbot, window, model)
    assert "transformed by the twist: Hamlet in space" in user
    assert "his father's ghost" in user
    assert "Context file “space.md” (Parody Source)" in user and "dying star" in user


def test_staging_area_designation_tagging_and_refusals(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    files = []
    for name in ("draft.txt", "people.md", "world.txt"):
        f = tmp_path / name
        f.write_text(f"{name} has enough words to count as a document.", encoding="utf-8")
        files.append(f)
    bad = tmp_path / "poster.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    project = open_project(qtbot, window, tmp_path)
    s1 = pages(window)[0]
    fill_setup(s1, "B")
    s1.staging.add_paths([*files, bad])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 3 and s1.staging.status.isVisible())
    assert "poster.png: Aiuteur reads" in s1.staging.status.text()
    rows = {r.file.name: r for r in s1.staging.rows}
    primaries = [r.file.name for r in s1.staging.rows if r.file.role == story.PRIMARY]
    assert len(primaries) == 1  # the first file read becomes Primary; exactly one at a time
    if not rows["people.md"].primary.isChecked():
        rows["people.md"].primary.click()
    assert [r.file.name for r in s1.staging.rows if r.file.role == story.PRIMARY] == ["people.md"]
    assert not rows["people.md"].tag.isEnabled()
    rows["world.txt"].tag.setCurrentText("World Building")
    rows["draft.txt"].tag.setCurrentText("My research")  # a custom tag
    s1.flush()
    saved = {f.name: (f.role, f.tag) for f in story.read_setup(project).files}
    assert saved["people.md"][0] == story.PRIMARY
    assert saved["world.txt"] == (story.CONTEXT, "World Building")
    assert saved["draft.txt"] == (story.CONTEXT, "My research")
    # Removing the Primary Input leaves none: the form says so.
    rows["people.md"].removed.emit()
    qtbot.waitUntil(lambda: "Primary Input" in s1.problem.text())
    assert not s1.lock_button.isEnabled()


def test_mode_d_imports_screenplay_and_sheet_without_any_model(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "cast.json"
    sheet.write_text(
        '{"characters": [{"name": "MARA", "description": "Ferry mechanic, 30s", "voice": "low, dry"}],'
        ' "locations": [{"name": "FERRY DECK", "description": "Rust and rain"}]}',
        encoding="utf-8",
    )
    project = open_project(qtbot, window, tmp_path)
    s1, _s2, _s3, s4 = pages(window)
    # No text model: AI modes say what to connect, with a button to Settings.
    fill_setup(s1, "A")
    qtbot.waitUntil(s1.no_model.isVisible)
    assert "Ollama" in s1.no_model.label.text() and not s1.lock_button.isEnabled()
    s1.no_model.button.click()
    settings = wait_for_window(qtbot, SettingsDialog)
    settings.reject()
    s1.mode_cards["D"].setChecked(True)
    s1.staging.add_paths([DATA / "night_ferry.fountain", sheet])
    qtbot.waitUntil(lambda: len(s1.staging.rows) == 2)
    rows = {r.file.name: r for r in s1.staging.rows}
    assert rows["night_ferry.fountain"].primary.isChecked()
    assert rows["cast.json"].file.kind == "sheet"
    qtbot.waitUntil(s1.lock_button.isEnabled)
    assert not s1.no_model.isVisible()
    s1.lock_button.click()
    qtbot.waitUntil(lambda: current(window) is s4)
    play = master_script.current(project)
    assert play is not None and len(play.scenes()) >= 2
    assert s4.editor.screenplay().scenes()[0].heading == play.scenes()[0].heading
    mara = project.read("assets/mara")
    assert mara["kind"] == "character" and mara["voice"] == "low, dry"
    assert project.read("assets/ferry-deck")["kind"] == "location"
    window.project_page.timeline.nodes[3].click()
    assert current(window) is window.project_page.gate_page
    assert "Mode D" in window.project_page.gate_page.reason.text()
    # Manual editing and approval work with no model.
    s4.approve_button.click()
    assert story.is_locked(project, 4)
    assert find_window(SettingsDialog) is None


def test_large_script_edit_advises_a_branch_and_moves_the_edits_there(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s4 = to_stage4(qtbot, window, tmp_path)
    original = project.read(story.SCRIPT)
    ed = s4.editor
    ed.moveCursor(QTextCursor.MoveOperation.End)
    ed.insertPlainText(" A small fix.")
    s4.flush()
    assert not s4.advice.isVisible()  # a one-line fix is not worth a branch
    ed.selectAll()
    ed.insertPlainText("EXT. ISLAND - DAY")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    qtbot.keyClicks(ed, "Everything is different now.")
    s4.flush()
    assert (
        s4.advice.isVisible() and "Consider creating a new Story Timeline" in s4.advice.label.text()
    )
    s4.advice.button.click()
    assert project.current_branch == "Main – script edits"
    assert [s.heading for s in master_script.current(project).scenes()] == ["EXT. ISLAND - DAY"]
    assert project.read(story.SCRIPT, branch="Main") == original
    assert "script edits" in window.project_page.branch_label.text()


def test_script_rewrite_and_export(
    qtbot, window: MainWindow, model: FakeStoryModel, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.screenplay import fountain

    project, s4 = to_stage4(qtbot, window, tmp_path)
    before = s4.editor.toPlainText()
    start = before.index("Rain lashes the deck")
    cursor = s4.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("Rain lashes the deck"), QTextCursor.MoveMode.KeepAnchor)
    s4.editor.setTextCursor(cursor)
    s4.editor.rewriteRequested.emit()
    answer(qtbot, "Make it a hurricane")
    qtbot.waitUntil(lambda: "A HURRICANE howls" in s4.editor.toPlainText(), timeout=10_000)
    assert s4.editor.toPlainText() == before.replace(
        "Rain lashes the deck", "A HURRICANE howls over the strait"
    )
    out = tmp_path / "ferry.fountain"
    s4.export_to(out, "fountain")
    qtbot.waitUntil(out.exists)
    assert fountain.read_string(out.read_text(encoding="utf-8")) == s4.editor.screenplay()
    s4.flush()
    assert "A HURRICANE howls" in project.read(story.SCRIPT)["scenes"][1]["text"]


def test_a_paid_text_model_without_a_price_is_refused_and_the_cap_counts_text(
    qtbot, window: MainWindow, model: FakeStoryModel, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, s3 = to_stage3(qtbot, window, tmp_path)
    asked = len(model.asked_kinds())
    jobs_before = len(window.job_runner.recent())
    settings = library.load_settings()
    settings.models.text = "openai:gpt-test-1"  # a model the price table does not know
    library.save_settings(settings)
    s3.generate("")
    assert s3.error.isVisible() and "no price for openai:gpt-test-1" in s3.error.text()
    assert "Edit my prices" in s3.error.text()
    qtbot.wait(200)
    assert len(model.asked_kinds()) == asked and len(window.job_runner.recent()) == jobs_before
    # A priced model's estimate (prompt + every token it may write) meets the cap.
    settings.models.text = "openai:gpt-5.1"
    settings.budget.monthly_cap_usd = 0.01
    library.save_settings(settings)
    s3.generate("")
    qtbot.waitUntil(s3.error.isVisible, timeout=5000)
    assert "monthly budget" in s3.error.text()
    assert len(model.asked_kinds()) == asked and story.beats_of(project)
