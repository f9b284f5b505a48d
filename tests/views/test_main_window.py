"""Start-up, the dashboard, creating/reopening/removing projects, in-project view, shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QPushButton, QTableWidget

from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.dashboard import SummaryRole
from aiuteur_desktop.views.kit.dialogs import CreateBranchDialog, NewProjectDialog, ShortcutsDialog
from aiuteur_desktop.views.main_window import MainWindow
from tests.views.conftest import wait_for_window


def create_from_dashboard(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.dashboard.new_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, NewProjectDialog)
    assert not dialog.create_button.isEnabled(), "cannot create without a name"
    qtbot.keyClicks(dialog.name_edit, name)
    assert dialog.preview.text().endswith(f"{name}.aiuteur")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.project_page)
    qtbot.waitUntil(lambda: not window.project_page.opening)
    # Offscreen, the hidden dialog stays the active window; on a desktop the window manager
    # hands it back to the main window.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def double_click(qtbot, view, index) -> None:  # type: ignore[no-untyped-def]
    """A real double-click: press/release, then the double-click event."""
    pos = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def card_summaries(window: MainWindow) -> list:  # type: ignore[type-arg]
    m = window.dashboard.model
    return [m.index(r).data(SummaryRole) for r in range(m.rowCount())]


def test_startup_lands_on_an_empty_dashboard(window: MainWindow) -> None:
    assert window.pages.currentWidget() is window.dashboard
    assert window.dashboard.stack.currentWidget() is window.dashboard.empty
    assert window.dashboard.empty_title.text() == "No projects yet"
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Projects", "Written Styles", "Visual Styles", "Asset Library", "Jobs"]
    for i in range(5):  # every global page is available
        assert window.nav.item(i).flags() & Qt.ItemFlag.ItemIsEnabled


def test_create_a_project_from_the_dashboard(qtbot, window: MainWindow, aiuteur_home: Path) -> None:  # type: ignore[no-untyped-def]
    create_from_dashboard(qtbot, window, "The Lighthouse")
    page = window.project_page
    assert page.name_label.text() == "The Lighthouse"
    assert "Main" in page.branch_label.text()
    assert (aiuteur_home / "Projects" / "The Lighthouse.aiuteur" / "project.db").is_file()
    assert window.windowTitle() == "The Lighthouse — Main — Aiuteur"
    # Stage 1 is where a new project starts; all lights are grey (unstarted)
    assert page.timeline.nodes[1].isChecked()
    assert not any(n.locked for n in page.timeline.nodes.values())
    assert page.vault_button.isEnabled() and page.history_button.isEnabled()

    window.go_to("projects")
    qtbot.waitUntil(lambda: [s.branch for s in card_summaries(window)] == ["Main"])
    summary = card_summaries(window)[0]
    assert (summary.name, summary.stages_locked, summary.stages_total) == ("The Lighthouse", 0, 5)


def test_duplicate_name_is_explained_in_the_dialog(
    qtbot, window: MainWindow, aiuteur_home: Path
) -> None:  # type: ignore[no-untyped-def]
    (aiuteur_home / "Projects").mkdir(parents=True)
    Project.create(aiuteur_home / "Projects", "Film").close()
    qtbot.mouseClick(window.dashboard.new_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, NewProjectDialog)
    qtbot.keyClicks(dialog.name_edit, "Film")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "already exists" in dialog.error.text() and dialog.error.isVisible()
    dialog.reject()


def test_reopen_a_project_after_restart(app, qtbot, aiuteur_home: Path) -> None:  # type: ignore[no-untyped-def]
    lib = Library()
    first = MainWindow(lib)
    qtbot.addWidget(first)
    first.show()
    create_from_dashboard(qtbot, first, "Night Market")
    first.project.write("stage1/lock", {"locked": True})  # type: ignore[union-attr]
    first.close()
    lib.close()

    lib2 = Library()
    second = MainWindow(lib2)
    qtbot.addWidget(second)
    second.show()
    view = second.dashboard.view
    qtbot.waitUntil(lambda: [s.stages_locked for s in card_summaries(second)] == [1])
    index = second.dashboard.model.index(0)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: second.pages.currentWidget() is second.project_page)
    assert second.project is not None and second.project.name == "Night Market"
    # (the timeline's lights are read on a worker as the project opens)
    qtbot.waitUntil(lambda: second.project_page.timeline.nodes[1].locked)
    assert second.project_page.timeline.nodes[2].isChecked(), "opens at the first unlocked stage"
    second.close()
    lib2.close()


def test_remove_asks_first_then_restore_brings_it_back(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    p = Project.create(tmp_path, "Paper Moons")
    p.close()
    library.register_project(p.path, p.name)
    window.dashboard.refresh()
    view = window.dashboard.view
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1)
    assert not window.dashboard.removed_button.isVisibleTo(window.dashboard)  # nothing removed yet
    view.setCurrentIndex(window.dashboard.model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    box = wait_for_window(qtbot, QMessageBox, "confirmRemove")
    assert "stays on disk" in box.text()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert window.dashboard.model.rowCount() == 1, "cancel keeps the project"

    qtbot.keyClick(view, Qt.Key.Key_Delete)
    box = wait_for_window(qtbot, QMessageBox, "confirmRemove")
    remove = next(b for b in box.findChildren(QPushButton) if b.text() == "Remove")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 0)
    assert p.path.exists()
    assert window.dashboard.removed_button.isVisibleTo(window.dashboard)

    qtbot.mouseClick(window.dashboard.removed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1)
    assert window.dashboard.title.text() == "Removed Projects"
    index = window.dashboard.model.index(0)
    double_click(qtbot, view, index)
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 0)
    qtbot.mouseClick(window.dashboard.removed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [s.name for s in card_summaries(window)] == ["Paper Moons"])


def test_delete_permanently_needs_a_second_confirmation(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    p = Project.create(tmp_path, "Doomed")
    p.close()
    library.register_project(p.path, p.name)
    library.remove_project(p.path)
    qtbot.mouseClick(window.dashboard.removed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1)
    view = window.dashboard.view
    view.setCurrentIndex(window.dashboard.model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    box = wait_for_window(qtbot, QMessageBox, "confirmDelete")
    assert "cannot be undone" in box.text()
    delete = next(b for b in box.findChildren(QPushButton) if b.text() == "Delete Permanently")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not p.path.exists())
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 0)


def test_opening_a_damaged_project_shows_a_message(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bundle = tmp_path / "Broken.aiuteur"
    bundle.mkdir()
    (bundle / "project.db").write_bytes(b"garbage" * 500)
    window.open_project(bundle)
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "damaged" in box.text()
    assert window.pages.currentWidget() is window.dashboard


def test_a_big_project_damaged_in_its_documents_opens_then_says_so(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.store import checks
    from tests.core.store.test_hostile_projects import damage_documents, made

    db = made(tmp_path)
    damage_documents(db)
    monkeypatch.setattr(checks, "FULL_CHECK_BYTES", 0)  # as if it were a feature's
    window.open_project(db.parent)
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "damaged in places" in box.text()
    assert window.pages.currentWidget() is window.project_page  # open: what reads, reads
    box.close()


def test_create_new_branch_from_the_header(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    create_from_dashboard(qtbot, window, "Branchy")
    qtbot.mouseClick(window.project_page.branch_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, CreateBranchDialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Darker Ending")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Darker Ending" in window.project_page.branch_label.text())
    assert window.project is not None
    assert window.project.current_branch == "Darker Ending"
    assert {b.name for b in window.project.branches()} == {"Main", "Darker Ending"}
    assert window.windowTitle() == "Branchy — Darker Ending — Aiuteur"


def test_keyboard_navigation_and_shortcut_help(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    create_from_dashboard(qtbot, window, "Keys")
    page = window.project_page
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    # A new project: Stage 3 is gated, and the page says what opens it — the first step
    # still to do, and its button goes there.
    assert page.stage_stack.currentWidget() is page.gate_page
    assert "Lock the Project Setup in Stage 1" in page.gate_page.reason.text()
    assert page.gate_page.button.text() == "Go to Stage 1 · Input"
    assert page.timeline.nodes[3].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert page.stage_stack.currentWidget() is page.editors[1]
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.dashboard
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.project_page
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.project is None and window.pages.currentWidget() is window.dashboard

    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = wait_for_window(qtbot, ShortcutsDialog)
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["New Project…"] == QKeySequence("Ctrl+N").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert "Settings…" in rows and "Keyboard Shortcuts" in rows and "Stage 3" in rows
    assert "Render Animatic & Timeline…" in rows  # "&&" shows as "&"
    assert rows["Shot List: Split Shot"] == QKeySequence("Ctrl+Shift+S").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert "Script editor: next element type" in rows
    # Keys and actions side by side at once: no sideways scroll, both columns on screen.
    qtbot.waitExposed(dialog)
    view = table.viewport()
    assert not table.horizontalScrollBar().isVisible()
    keys_at = table.columnViewportPosition(1)
    assert keys_at > 120 and keys_at + table.columnWidth(1) <= view.width() + 1
    longest = max(rows, key=len)
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == longest)
    assert table.rowHeight(row) > table.rowHeight(0)  # the long action wraps, it is not cut
    qtbot.keyClicks(dialog.search, "shot list")
    shown = [table.item(r, 0).text() for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert shown == [
        "Shot List: Split Shot",
        "Shot List: Merge with Next",
        "Shot List: Delete Shot",
    ]
    dialog.reject()


def test_the_project_page_is_built_while_the_dashboard_waits_and_opens_in_two_turns(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.views.project_view import ProjectPage

    built: list[int] = []  # how many stage editors the page had after each step
    step = ProjectPage.build_next

    def counted(page: ProjectPage) -> bool:
        more = step(page)
        built.append(len(page.editors))
        return more

    monkeypatch.setattr(ProjectPage, "build_next", counted)
    # Nobody opens a project: the page is built anyway, a stage editor a step, and the
    # dashboard stays where it is.
    qtbot.waitUntil(lambda: bool(built) and built[-1] == 12, timeout=10_000)
    assert built[: built.index(12) + 1] == list(range(1, 13))
    assert window.pages.currentWidget() is window.dashboard
    # Opening a project shows its page at once and its first stage's documents a moment later.
    project = Project.create(tmp_path, "Steps")
    window._show_project(project)
    page = window.project_page
    assert window.pages.currentWidget() is page
    assert page.opening and page.stage_stack.currentWidget() is page.stage_pages[1]
    qtbot.waitUntil(lambda: not page.opening)
    assert page.stage_stack.currentWidget() is page.editors[1]
    assert page.timeline.nodes[1].isChecked()
