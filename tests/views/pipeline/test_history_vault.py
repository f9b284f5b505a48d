"""Version History (drawn graph, switching = fork) and the Artifact Vault, driven by gestures."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.pipeline.history import VersionHistoryDialog
from aiuteur_desktop.views.pipeline.vault import ArtifactVaultDialog, EntryRole
from tests.story import build_film
from tests.views.conftest import find_window, wait_for_window


def open_film(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_film(tmp_path).close()
    window.open_project(tmp_path / "Lighthouse.aiuteur")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.project_page)


def film_history(qtbot, window: MainWindow, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The Lighthouse film open in the window, with its Version History shown and loaded."""
    open_film(qtbot, window, tmp_path)
    project = window.project
    assert project is not None
    dialog = open_history(qtbot, window)
    assert dialog.graph is not None
    return project, dialog, dialog.graph


def open_history(qtbot, window: MainWindow) -> VersionHistoryDialog:  # type: ignore[no-untyped-def]
    page = window.project_page
    assert page.history_button.isEnabled()
    qtbot.mouseClick(page.history_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, VersionHistoryDialog)
    qtbot.waitUntil(lambda: dialog.graph is not None)
    return dialog


def click_row(qtbot, dialog: VersionHistoryDialog, row: int) -> None:  # type: ignore[no-untyped-def]
    canvas = dialog.canvas
    canvas.ensure_visible(row)
    rect = canvas.row_rect(row)
    pos = QPoint(int(canvas.text_left() + 40), int(rect.center().y()))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert canvas.current == row


def test_history_graph_shows_every_timeline(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_history(qtbot, window)
    graph = dialog.graph
    assert graph is not None
    assert {name for n in graph.nodes for name in n.heads} == {
        "Main",
        "Darker ending",
        "Comedy pass",
    }
    assert graph.lanes == 3
    assert "on 3 Story Timelines" in dialog.summary.text()
    # It opens on where the user is: Main's latest version, which cannot be "switched" to.
    node = dialog.selected()
    assert node is not None and "Main" in node.heads
    assert not dialog.switch_button.isEnabled()
    assert "You are here" in dialog.detail_action.text()
    qtbot.wait(100)
    dialog.grab().save(str(tmp_path / "history.png"))


def test_switching_to_an_old_version_creates_a_fork(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, dialog, graph = film_history(qtbot, window, tmp_path)
    heads_before = {b.name: b.head for b in project.branches()}
    old_row = next(n.row for n in graph.nodes if n.commit.message == "Locked image key for Mara")
    click_row(qtbot, dialog, old_row)
    assert dialog.detail_title.text() == "Locked image key for Mara"
    assert "starts a new Story Timeline" in dialog.detail_action.text()
    assert dialog.switch_button.text().endswith("(new timeline)")
    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    new = project.current_branch
    assert new not in heads_before
    assert project.head().message == "Locked image key for Mara"
    assert {b.name: b.head for b in project.branches() if b.name != new} == heads_before
    assert new in window.project_page.branch_label.text()
    assert "Nothing was overwritten" in window.statusBar().currentMessage()
    assert new in window.windowTitle()


def test_switching_to_a_timeline_head_opens_that_timeline(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, dialog, graph = film_history(qtbot, window, tmp_path)
    count = len(project.branches())
    row = next(n.row for n in graph.nodes if "Darker ending" in n.heads)
    click_row(qtbot, dialog, row)
    assert "Opens the Story Timeline “Darker ending”" in dialog.detail_action.text()
    qtbot.keyClick(dialog.canvas, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.current_branch == "Darker ending")
    assert len(project.branches()) == count


def test_a_long_history_draws_its_newest_versions_first(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.store import history

    monkeypatch.setattr(history, "FIRST_PAGE", 3)
    drawn: list[tuple[int, int]] = []
    load = history.load_graph

    def recording(project, newest=None):  # type: ignore[no-untyped-def]
        graph = load(project, newest)
        drawn.append((len(graph.nodes), graph.total))
        return graph

    monkeypatch.setattr(history, "load_graph", recording)
    open_film(qtbot, window, tmp_path)
    project = window.project
    assert project is not None
    dialog = open_history(qtbot, window)
    qtbot.waitUntil(lambda: len(drawn) == 2)
    total = len(project.all_commits())
    assert drawn == [(3, total), (total, total)]  # the newest three first, then all
    qtbot.waitUntil(lambda: dialog.graph is not None and not dialog.graph.partial)
    assert f"{total} saved versions" in dialog.summary.text()
    assert "loading the rest" not in dialog.summary.text()
    node = dialog.selected()
    assert node is not None and node.commit.id == project.branch().head


def test_history_keyboard_navigation(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_history(qtbot, window)
    canvas = dialog.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_End)
    assert canvas.current == len(dialog.graph.nodes) - 1
    assert dialog.detail_title.text() == "Project created"
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    assert canvas.current == len(dialog.graph.nodes) - 2
    qtbot.keyClick(canvas, Qt.Key.Key_Home)
    assert canvas.current == 0


def test_history_shortcut_opens_it(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    qtbot.keyClick(
        window,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_for_window(qtbot, VersionHistoryDialog)


def open_vault(qtbot, window: MainWindow) -> ArtifactVaultDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.project_page.vault_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, ArtifactVaultDialog)
    qtbot.waitUntil(lambda: bool(dialog.entries))
    # The current artifacts are listed first; the earlier versions follow.
    qtbot.waitUntil(lambda: "finding earlier versions" not in dialog.summary.text())
    return dialog


def test_earlier_versions_join_the_vault_after_its_first_listing(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.store import artifacts

    open_film(qtbot, window, tmp_path)
    project = window.project
    assert project is not None
    beats = project.read(artifacts.BEATS)
    for n in (1, 2):
        project.write(artifacts.BEATS, {**beats, "note": f"pass {n}"})
        project.commit(f"Beats pass {n}")
    dialog = open_vault(qtbot, window)
    proxy = dialog.proxy
    main = proxy.index(0, 0)
    beat_stage = proxy.index(0, 0, main)
    assert beat_stage.data() == "Stage 3 · Beat Sheet"
    titles = [proxy.index(r, 0, beat_stage).data() for r in range(proxy.rowCount(beat_stage))]
    # The current one first, then its earlier versions newest first.
    assert titles[0] == "Beat Sheet"
    earlier = [t for t in titles if t == "Beat Sheet · earlier version"]
    assert len(earlier) >= 2 and titles[1 : 1 + len(earlier)] == earlier
    whens = [
        proxy.index(r, 0, beat_stage).data(EntryRole).created_at for r in range(1, 1 + len(earlier))
    ]
    assert whens == sorted(whens, reverse=True)


def test_vault_groups_by_branch_stage_scene_with_costs(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_vault(qtbot, window)
    proxy = dialog.proxy
    branches = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert branches == ["Main  (current)", "Comedy pass", "Darker ending"]
    main = proxy.index(0, 0)
    assert dialog.tree.isExpanded(main)
    stages = [proxy.index(r, 0, main).data() for r in range(proxy.rowCount(main))]
    assert stages[:2] == ["Stage 3 · Beat Sheet", "Stage 4 · Master Script"]
    assert "Stage 12 · Video" in stages
    video_stage = proxy.index(stages.index("Stage 12 · Video"), 0, main)
    scene = proxy.index(0, 0, video_stage)
    assert scene.data() == "Scene s1"
    video = proxy.index(0, 0, scene)
    row = [video.siblingAtColumn(c).data() for c in range(4)]
    assert row[0] == "Video 01" and row[1] == "Main" and row[3] == "$1.20"
    assert row[2] != "—"
    assert dialog.summary.text() == (
        "10 artifacts on “Main” · $1.41 spent · 3 Story Timelines in this project"
    )
    # Other timelines load when opened: select "Darker ending" and press → to expand it.
    darker = proxy.index(2, 0)
    assert proxy.index(0, 0, darker).data() == "Loading…"
    dialog.tree.setCurrentIndex(darker)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: proxy.index(0, 0, darker).data() == "Stage 3 · Beat Sheet")
    assert darker.siblingAtColumn(3).data() == "$1.41"


def test_vault_previews_text_image_and_video(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_vault(qtbot, window)
    assert dialog.select_path("Main", "stage4/script")
    assert dialog.preview_stack.currentWidget() is dialog.preview_text
    assert "Mara trims the wick." in dialog.preview_text.toPlainText()
    assert "Made on “Main”" in dialog.preview_meta.text()

    assert dialog.select_path("Main", "assets/mara")
    meta = dialog.preview_meta.text()
    assert "Generated · model gemini-3-pro-image · template stage5.image_key v1" in meta
    assert "Retrieved style references (2): Silver screen/bw-0.png, Silver screen/bw-1.png" in meta
    qtbot.waitUntil(lambda: not dialog.preview_image.pixmap().isNull())
    assert dialog.preview_image.pixmap().width() == 320

    assert dialog.select_path("Main", "scenes/s1/videos/01")
    qtbot.waitUntil(lambda: not dialog.preview_image.pixmap().isNull())
    image = dialog.preview_image.pixmap().toImage()
    assert (image.width(), image.height()) == (64, 48)
    assert image.pixelColor(5, 24).blue() > 150  # the first frame's blue half
    assert dialog.preview_caption.text() == "Video · first frame · 64×48 · 0.5 s"
    qtbot.wait(100)
    dialog.grab().save(str(tmp_path / "vault.png"))


def test_vault_origin_and_filter(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_vault(qtbot, window)
    qtbot.keyClicks(dialog.filter_edit, "script")
    qtbot.waitUntil(lambda: "Darker ending" in dialog.model.loaded)
    assert dialog.select_path("Darker ending", "stage4/script")
    current = dialog.tree.currentIndex()
    assert current.siblingAtColumn(1).data() == "Main"  # inherited from Main
    dialog.filter_edit.clear()
    qtbot.keyClicks(dialog.filter_edit, "video")
    proxy = dialog.proxy

    def leaves(parent=None) -> list:  # type: ignore[no-untyped-def,type-arg]
        from PySide6.QtCore import QModelIndex

        parent = parent or QModelIndex()
        out = []
        for r in range(proxy.rowCount(parent)):
            idx = proxy.index(r, 0, parent)
            if idx.data(EntryRole) is not None:
                out.append(idx.data(EntryRole).path)
            out.extend(leaves(idx))
        return out

    paths = leaves()
    assert paths and all("videos" in p for p in paths)


def test_empty_project_vault_says_so(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.store import Project

    Project.create(tmp_path, "Blank").close()
    window.open_project(tmp_path / "Blank.aiuteur")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.project_page)
    qtbot.mouseClick(window.project_page.vault_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, ArtifactVaultDialog)
    qtbot.waitUntil(lambda: "no artifacts" in dialog.summary.text())
    assert dialog.left.currentWidget() is dialog.empty
    assert find_window(QMessageBox, "errorBox") is None


def test_beat_sheet_node_carries_the_not_up_to_date_flag(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    nodes = window.project_page.timeline.nodes
    assert nodes[3].flag_text == ""  # Main: beats and script agree
    dialog = open_history(qtbot, window)
    graph = dialog.graph
    assert graph is not None
    click_row(qtbot, dialog, next(n.row for n in graph.nodes if "Darker ending" in n.heads))
    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    # On "Darker ending" the beats were edited by hand after the script was written.
    qtbot.waitUntil(lambda: nodes[3].flag_text == "Not up-to-date with current Script")
    assert "Not up-to-date with current Script" in nodes[3].toolTip()
    assert nodes[4].flag_text == ""


def test_vault_promotes_a_master_asset_to_the_global_library(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    open_film(qtbot, window, tmp_path)
    dialog = open_vault(qtbot, window)
    assert dialog.select_path("Main", "stage4/script")
    assert not dialog.promote_button.isEnabled()  # only master assets can be promoted
    assert dialog.select_path("Main", "assets/mara")
    assert dialog.promote_button.isEnabled()
    dialog.promote_button.click()
    [mara] = window.asset_library.all()
    assert (mara.name, mara.description) == ("Mara", "Keeper, 60")
    project = window.project
    assert project is not None
    doc = project.read("assets/mara")
    assert mara.image is not None and mara.image.read_bytes() == project.media.read(doc["media"])
    assert "Mara is now in the Asset Library" in dialog.summary.text()
