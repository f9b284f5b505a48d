"""The Written Styles page: create a library, add a sample, browse passages, try retrieval."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.views.main_window import MainWindow
from tests.core.test_style_library import NOIR
from tests.views.conftest import wait_for_window


def test_written_styles_from_sample_to_retrieval(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window.go_to("written")
    page = window.written_page
    assert window.pages.currentWidget() is page
    assert not page.add_button.isEnabled() and "Create a library" in page.status.text()
    page.create_library("Noir")
    assert page.current() == "Noir" and page.add_button.isEnabled()
    sample = tmp_path / "diner.fountain"
    sample.write_text(NOIR, encoding="utf-8")
    page.add_sample(sample)
    qtbot.waitUntil(lambda: page.chunk_list.count() >= 4, timeout=20_000)
    assert [page.doc_list.item(i).text() for i in range(page.doc_list.count())] == [
        "diner.fountain"
    ]
    qtbot.waitUntil(lambda: "added diner.fountain (4 passages)" in page.status.text(), timeout=5000)
    kinds = {page.chunk_list.item(i).text().split("]")[0] for i in range(page.chunk_list.count())}
    assert kinds == {"[dialogue", "[action"}
    qtbot.keyClicks(page.query, "a chase across the rooftops")
    page.task.setCurrentText("Describe the action")
    qtbot.mouseClick(page.try_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.results.count() and "Searching" not in page.results.item(0).text(),
        timeout=10_000,
    )
    top = page.results.item(0).text()
    assert top.startswith("0.") and ("leaps" in top or "vaults" in top)
    page.grab().save(str(tmp_path / "written.png"))


def test_unreadable_samples_are_refused_in_plain_words(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window.go_to("written")
    page = window.written_page
    page.create_library("Noir")
    pdf = tmp_path / "script.pdf"
    pdf.write_bytes(b"%PDF-1.4 damaged")
    page.add_sample(pdf)
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "script.pdf is not a readable PDF" in box.text()
    box.close()
    rtf = tmp_path / "notes.rtf"
    rtf.write_bytes(b"{\\rtf1 hi}")
    page.add_sample(rtf)
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "notes.rtf: Aiuteur reads .txt, .md, .fountain, .fdx, .pdf, .docx" in box.text()
    box.close()
    assert page.doc_list.count() == 0
