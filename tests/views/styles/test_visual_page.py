"""The Visual Styles page: library, images added (and refused), thumbnails, tags and cards
edited, the library card, find similar, and drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.styles.visual_page import RefRole, VisualStylesPage
from tests.core.styles.test_visual import picture
from tests.views.conftest import wait_for_window


def images(tmp_path: Path) -> list[Path]:
    out = []
    for i in range(3):
        p = tmp_path / f"bw-{i}.png"
        p.write_bytes(picture(i, colour=False))
        out.append(p)
        c = tmp_path / f"colour-{i}.jpg"
        c.write_bytes(picture(100 + i, colour=True, fmt="JPEG"))
        out.append(c)
    return out


def open_page(qtbot, window: MainWindow) -> VisualStylesPage:  # type: ignore[no-untyped-def]
    window.go_to("visual")
    page = window.visual_page
    assert window.pages.currentWidget() is page
    return page


def test_visual_library_from_images_to_retrieval(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    assert not page.add_button.isEnabled() and "No library yet" in page.status.text()
    # With no library there is no card to save or measure.
    assert not page.save_library_card.isEnabled() and not page.measured_card.isEnabled()
    page.create_library("Silver screen")
    gif = tmp_path / "anim.gif"
    from PIL import Image

    Image.new("RGB", (20, 20)).save(gif)
    page.add_images([*images(tmp_path), gif])
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "anim.gif: GIF images are not accepted" in box.text()
    box.close()
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=15_000)
    assert "Added 6 images. 6 references" in page.status.text()
    assert all(not page.model.item(r).icon().isNull() for r in range(6))  # thumbnails
    assert page.library_card.toPlainText().startswith("Palette:")  # measured

    # Select a reference: preview, tags and card; edit and save them.
    first = page.model.index(0, 0)
    page.grid.setCurrentIndex(first)
    qtbot.waitUntil(lambda: page.ref_name.text().startswith("bw-0.png · 160×90"), timeout=5000)
    assert page.preview.pixmap() is not None and not page.preview.pixmap().isNull()
    page.tags.clear()
    qtbot.keyClicks(page.tags, "noir, grain")
    qtbot.keyClick(page.tags, Qt.Key.Key_Return)
    page.card.setPlainText("Silver halide; inky blacks.")
    qtbot.mouseClick(page.save_card, Qt.MouseButton.LeftButton)
    ref_id = first.data(RefRole)
    [saved] = [r for r in page.visual.references("Silver screen") if r.id == ref_id]
    assert saved.tags == ("noir", "grain") and saved.card == "Silver halide; inky blacks."

    # The library card: the user's words win until they ask for the measured one back.
    page.library_card.setPlainText("1950s studio noir.")
    qtbot.mouseClick(page.save_library_card, Qt.MouseButton.LeftButton)
    assert page.visual.library_card("Silver screen") == "1950s studio noir."
    qtbot.mouseClick(page.measured_card, Qt.MouseButton.LeftButton)
    assert page.visual.library_card("Silver screen") != "1950s studio noir."

    # Find similar selects the black-and-white references for a black-and-white query.
    query = tmp_path / "query.png"
    query.write_bytes(picture(999, colour=False))
    page.find_similar(query, k=3)
    qtbot.waitUntil(lambda: "Closest looks to query.png" in page.status.text(), timeout=10_000)
    chosen = {i.data(Qt.ItemDataRole.DisplayRole) for i in page.grid.selectedIndexes()}
    assert chosen == {"bw-0.png", "bw-1.png", "bw-2.png"}

    # Delete removes the selected references.
    window.activateWindow()
    page.grid.setFocus()
    qtbot.waitUntil(page.grid.hasFocus, timeout=2000)
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    assert all(n.startswith("colour-") for n in page.names())
    page.grab().save(str(tmp_path / "visual.png"))


def test_dropping_image_files_adds_them(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    page.create_library("Pop")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in images(tmp_path)[:2]])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, drop)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
