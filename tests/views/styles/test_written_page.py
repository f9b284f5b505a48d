"""The Written Styles page: the shipped neutral library, libraries created, renamed and
deleted, samples added as jobs, passages browsed, retrieval tried, and re-embedding."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.styles.written import NEUTRAL
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.styles.written_page import WrittenStylesPage
from tests.core.styles.test_written import NOIR
from tests.views.conftest import wait_for_window


def names(page: WrittenStylesPage) -> list[str]:
    return [page.library_list.item(i).text() for i in range(page.library_list.count())]


def open_page(qtbot, window: MainWindow) -> WrittenStylesPage:  # type: ignore[no-untyped-def]
    window.go_to("written")
    page = window.written_page
    assert window.pages.currentWidget() is page
    # On the first visit the shipped library is being made: the page says so, never "No
    # library yet".
    if NEUTRAL not in names(page):
        assert "Preparing the neutral library" in page.status.text()
    qtbot.waitUntil(lambda: NEUTRAL in names(page), timeout=20_000)
    assert "No library yet" not in page.status.text()
    return page


def test_written_styles_from_sample_to_retrieval(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    qtbot.waitUntil(lambda: "searched with" in page.status.text(), timeout=10_000)
    assert "2 samples" in page.status.text()
    assert "searched with Offline (MiniLM" in page.status.text()
    page.create_library("Noir")
    assert page.current() == "Noir" and page.add_button.isEnabled()
    sample = tmp_path / "diner.fountain"
    sample.write_text(NOIR, encoding="utf-8")
    page.add_sample(sample)
    job = window.job_runner.active()[0]
    assert job.title == "Adding diner.fountain to Noir"
    # Said at once, then with the library's passages once they have loaded.
    qtbot.waitUntil(
        lambda: (
            "Added diner.fountain (4 passages)" in page.status.text()
            and "searched with" in page.status.text()
        ),
        timeout=20_000,
    )
    assert [page.doc_list.item(i).text() for i in range(page.doc_list.count())] == [
        "diner.fountain"
    ]
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


def test_rename_and_delete_from_the_library_list(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    page.create_library("Noir")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Rain City", True))
    qtbot.mouseClick(page.libraries.rename_button, Qt.MouseButton.LeftButton)
    assert names(page) == [NEUTRAL, "Rain City"] and page.current() == "Rain City"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (NEUTRAL.upper(), True))
    qtbot.mouseClick(page.libraries.rename_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "errorBox")
    assert "already a written style" in box.text()
    box.close()
    qtbot.mouseClick(page.libraries.delete_button, Qt.MouseButton.LeftButton)
    ask = wait_for_window(qtbot, QMessageBox, "confirmDeleteLibrary")
    assert "Rain City" in ask.text()
    delete = next(b for b in ask.buttons() if b.text() == "Delete")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(page) == [NEUTRAL], timeout=5000)


def test_unreadable_samples_are_refused_in_plain_words(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    page.create_library("Noir")
    pdf = tmp_path / "script.pdf"
    pdf.write_bytes(b"%PDF-1.4 damaged")
    page.add_sample(pdf)
    qtbot.waitUntil(
        # (the first sample loads the embedder off the UI thread: slow on a busy machine)
        lambda: "script.pdf is not a readable PDF" in page.status.text(),
        timeout=30_000,
    )
    rtf = tmp_path / "notes.rtf"
    rtf.write_bytes(b"{\\rtf1 hi}")
    page.add_sample(rtf)
    qtbot.waitUntil(
        lambda: (
            "notes.rtf: Aiuteur reads .txt, .md, .fountain, .fdx, .pdf, .docx" in page.status.text()
        ),
        timeout=10_000,
    )
    assert page.doc_list.count() == 0


def test_a_refusal_stays_said_when_an_older_load_lands_late(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The library's passages are still loading when the sample is refused: the late load
    must not wipe the reason off the page (it flashed and vanished)."""
    page = open_page(qtbot, window)
    finished = threading.Event()
    count = page.styles.count
    calls: list[str] = []

    def slow_count(name: str) -> int:
        calls.append(name)
        if len(calls) == 1:  # the load started by creating the library
            finished.wait(10)
        return count(name)

    monkeypatch.setattr(page.styles, "count", slow_count)
    page.create_library("Noir")
    window.job_runner.finished.connect(lambda _job_id: finished.set())
    pdf = tmp_path / "script.pdf"
    pdf.write_bytes(b"%PDF-1.4 damaged")
    page.add_sample(pdf)
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=10_000)  # the load after the refusal
    qtbot.waitUntil(lambda: "Loading" not in page.status.text(), timeout=10_000)
    qtbot.wait(100)  # any other load lands
    assert "script.pdf is not a readable PDF" in page.status.text()
    assert "0 samples" in page.status.text()


def _cloud_settings(library: Library, base_url: str) -> None:
    settings = library.load_settings()
    settings.openai.api_endpoint = base_url
    settings.models.embeddings = "openai:emb-test"
    library.save_settings(settings)
    secrets.set_secret("openai.api_key", "sk-test-embeddings")


def test_switching_the_search_model_re_embeds_as_a_job(
    qtbot, window: MainWindow, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.openai_fake import FakeEmbeddings

    with FakeEmbeddings(bag=True) as fake:
        _cloud_settings(library, fake.base_url)
        page = open_page(qtbot, window)
        page.create_library("Noir")
        sample = tmp_path / "diner.fountain"
        sample.write_text(NOIR, encoding="utf-8")
        page.add_sample(sample)
        qtbot.waitUntil(
            lambda: (
                "Added diner.fountain" in page.status.text()
                and "searched with" in page.status.text()
            ),
            timeout=20_000,
        )
        assert not page.reembed_button.isEnabled()  # already embedded with the chosen model
        page.embedder.setCurrentIndex(page.embedder.findData("openai:emb-test"))
        assert page.reembed_button.isEnabled()
        qtbot.mouseClick(page.reembed_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: (
                "Re-embedded 4 passages" in page.status.text()
                and "searched with" in page.status.text()
            ),
            timeout=20_000,
        )
        assert "searched with emb-test (OpenAI)" in page.status.text()
        assert len(fake.embedded) == 4
        qtbot.keyClicks(page.query, "Did you get the money?")
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: page.results.count() and "money" in page.results.item(0).text(),
            timeout=10_000,
        )
        assert fake.embedded[-1] == "Did you get the money?"


def test_re_embedding_can_be_cancelled(
    qtbot, window: MainWindow, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.styles import written
    from tests.fakes.openai_fake import FakeEmbeddings

    monkeypatch.setattr(written, "BATCH", 1)
    with FakeEmbeddings(bag=True, delay=0.2) as fake:
        _cloud_settings(library, fake.base_url)
        page = open_page(qtbot, window)
        page.libraries.refresh(select=NEUTRAL)
        page.embedder.setCurrentIndex(page.embedder.findData("openai:emb-test"))
        qtbot.mouseClick(page.reembed_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: page.cancel_button.isVisible() and bool(fake.embedded), timeout=10_000
        )
        assert not page.reembed_button.isEnabled() and page.progress.isVisible()
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Cancelled" in page.status.text(), timeout=10_000)
        assert not page.progress.isVisible()
        assert page.styles.info(NEUTRAL).embedder == "offline:minilm"


def test_a_style_library_is_read_when_its_page_is_shown_not_while_the_app_starts(
    qtbot, app, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The style pages are built with the window; reading a library (LanceDB and its
    embeddings) waits until the page is shown, so a user with libraries starts as fast as
    one without (the desktop build's smoke test caught LanceDB loading at start-up)."""
    from aiuteur_desktop.core.styles.written import WrittenStyles

    counted: list[str] = []
    monkeypatch.setattr(
        WrittenStyles, "count", lambda self, name: counted.append(name) or 0, raising=True
    )
    from aiuteur_desktop.providers.style_jobs import written_styles

    written_styles(library.home).create("Noir")
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(300)  # the dashboard is up; background loads would have started by now
    assert counted == []
    window.go_to("written")
    qtbot.waitUntil(lambda: "Noir" in counted or NEUTRAL in counted, timeout=10_000)
    window.close()
