"""Taking the film to the editor and back, by gestures (issue "Pro Export, project archive,
and conform"): Ctrl+Shift+X opens Export for Editing, which lists each shot's take or
animatic and exports as a job; File → Conform from Editor… shows the editor's report and
applies it on a new Story Timeline, leaving Main as it was."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
from PySide6.QtCore import Qt

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from aiuteur_desktop.views.export.editor_dialogs import ConformDialog, ProExportDialog
from aiuteur_desktop.views.main_window import MainWindow
from tests.core.production import test_checkout
from tests.core.production.test_checkout import prepared
from tests.views.conftest import wait_for_window
from tests.views.production.test_stage8_9 import storm_project, wait_for_hub

SHOTS = Path(__file__).parent / "screenshots"


def _rendered(project, library: Library) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.production import checkout

    prepared(project, library, "s2")
    done = checkout.confirm(project, test_checkout.offline(project))
    jobs = headless.run_all(
        library.jobs, video_render.render_ops(project, "s2", done, Registry()), Budget()
    )
    assert all(j.state.value == "succeeded" for j in jobs)


def _export_dialog(qtbot, window: MainWindow, library: Library, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Storm with scene 2 rendered, open, and Ctrl+Shift+X's Export for Editing listed."""
    register_all()
    project = storm_project(tmp_path)
    operations.share(project)
    _rendered(project, library)
    window._show_project(project)
    wait_for_hub(qtbot, window.project_page)
    qtbot.keyClick(
        window,
        Qt.Key.Key_X,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = wait_for_window(qtbot, ProExportDialog)
    qtbot.waitUntil(lambda: dialog.table.row_count() > 2 and dialog.export_button.isEnabled())
    return project, dialog


def test_export_for_editing_then_conform_the_editors_cut(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project, dialog = _export_dialog(qtbot, window, library, tmp_path)
    sources = [dialog.table.text(r, 1) for r in range(dialog.table.row_count())]
    labels = [dialog.table.text(r, 0) for r in range(dialog.table.row_count())]
    assert sources[labels.index("2A")] == "take 1" and sources[0].startswith("animatic")
    assert "with a take" in dialog.summary.text()
    # The scene choice names each scene by its number and heading.
    names = [dialog.scene.itemText(i) for i in range(dialog.scene.count())]
    assert names[0] == "All scenes" and names[2].startswith("Scene 2 · EXT. ")
    dialog.resize(1440, 900)
    dialog.grab().save(str(tmp_path / "pro-export.png"))
    dialog.resize(dialog.minimumSize())
    dialog.grab().save(str(tmp_path / "pro-export-min.png"))
    dialog.resize(880, 620)
    out = tmp_path / "For the editor"
    dialog.folder.clear()
    qtbot.keyClicks(dialog.folder, str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert dialog.status.text().startswith("Exported"), dialog.status.text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["label"] for c in manifest["clips"]] == labels

    # The editor swaps the first two shots and sends back the timeline.
    timeline = otio.adapters.read_from_file(str(out / "Storm.otio"))
    video = timeline.tracks[0]
    first = video[0]
    video.remove(first)
    video.append(first)
    edited = out / "from the editor.otio"
    otio.adapters.write_to_file(timeline, str(edited))
    main = (project.branch("Main").head, project.branch("Main").draft)
    window.project_page.open_conform(edited)
    report = wait_for_window(qtbot, ConformDialog)
    qtbot.waitUntil(lambda: report.apply_button.isEnabled(), timeout=10_000)
    shown = [report.table.text(r, 1) for r in range(report.table.row_count())]
    assert shown == labels[1:] + labels[:1]
    assert "shot order changed" in report.summary.text()
    report.grab().save(str(tmp_path / "conform.png"))
    report.resize(report.minimumSize())
    report.grab().save(str(tmp_path / "conform-min.png"))
    qtbot.mouseClick(report.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: project.current_branch.startswith("Conform from from the editor"))
    assert (project.branch("Main").head, project.branch("Main").draft) == main
    assert "Conform from" in window.windowTitle()


def test_project_archive_export_and_import_from_the_file_menu(
    qtbot, window: MainWindow, library: Library, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    project = storm_project(tmp_path / "projects")
    window._show_project(project)
    wait_for_hub(qtbot, window.project_page)
    target = tmp_path / "Storm backup.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    file_menu = window.menuBar().actions()[0].menu()
    assert window.archive_action in file_menu.actions()
    window.archive_action.trigger()
    qtbot.waitUntil(target.is_file, timeout=20_000)
    qtbot.waitUntil(lambda: "Archived to" in window.statusBar().currentMessage(), timeout=20_000)

    # Imported into the projects folder, next to nothing of that name: it opens as "Storm".
    monkeypatch.setattr(library, "projects_dir", lambda: tmp_path / "imported")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    window.unarchive_action.trigger()
    bundle = tmp_path / "imported" / "Storm.aiuteur"
    qtbot.waitUntil(
        lambda: window.project is not None and window.project.path == bundle, timeout=20_000
    )
    assert window.project.name == "Storm" and project.path != bundle


def test_export_for_editing_in_prores_by_gestures(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The codec is chosen with the keyboard in Export for Editing: the list shows the .mov
    names, the export transcodes each take once and says so; a second export reuses them."""
    import av

    _project, dialog = _export_dialog(qtbot, window, library, tmp_path)
    assert dialog.table.text(0, 2).endswith(".mp4")
    dialog.codec.setFocus()
    qtbot.keyClick(dialog.codec, Qt.Key.Key_Down)  # As rendered → ProRes 422 HQ
    assert dialog.codec.currentData() == "prores"
    assert "Resolve on Linux" in dialog.codec_note.text()
    names = [dialog.table.text(r, 2) for r in range(dialog.table.row_count())]
    assert all(n.endswith(".mov") for n in names)
    # One scene (its two takes) keeps the transcode short.
    dialog.scene.setFocus()
    while dialog.scene.currentData() != "s2":
        qtbot.keyClick(dialog.scene, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.table.row_count() == 2 and dialog.export_button.isEnabled())
    dialog.resize(1440, 900)
    dialog.grab().save(str(tmp_path / "pro-export-prores.png"))
    dialog.resize(dialog.minimumSize())
    dialog.grab().save(str(tmp_path / "pro-export-prores-min.png"))
    assert dialog.codec_note.isVisible() and dialog.codec.isVisible()
    out = tmp_path / "ProRes for the editor"
    dialog.folder.clear()
    qtbot.keyClicks(dialog.folder, str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert "2 transcoded now" in dialog.status.text(), dialog.status.text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["file"].rsplit(".", 1)[1] for c in manifest["clips"]] == ["mov", "mov"]
    with av.open(str(out / manifest["clips"][0]["file"])) as clip:
        assert clip.streams.video[0].codec_context.profile == "HQ"
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert "0 transcoded now" in dialog.status.text(), dialog.status.text()
