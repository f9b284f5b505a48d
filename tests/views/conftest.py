"""GUI fixtures: a main window on a private library, plus helpers for modal-less dialogs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.views.main_window import MainWindow
from tests.fakes.story_fake import FakeStoryModel

W = TypeVar("W", bound=QWidget)


def find_window(kind: type[W], name: str | None = None) -> W | None:
    """The visible top-level window of a type (dialogs are opened with .open())."""
    for w in QApplication.topLevelWidgets():
        if isinstance(w, kind) and w.isVisible() and (name is None or w.objectName() == name):
            return w
    return None


def wait_for_window(qtbot, kind: type[W], name: str | None = None, timeout: int = 5000) -> W:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: find_window(kind, name) is not None, timeout=timeout)
    found = find_window(kind, name)
    assert found is not None
    return found


@pytest.fixture
def model(library: Library) -> Iterator[FakeStoryModel]:
    """The fake story model as the configured text model (OpenAI's wire format, a priced
    model: an unpriced one is refused)."""
    server = FakeStoryModel()
    server.start()
    secrets.set_secret("openai.api_key", "sk-test")
    settings = library.load_settings()
    settings.openai.api_endpoint = server.base_url
    settings.models.text = "openai:gpt-5.1"
    library.save_settings(settings)
    yield server
    server.stop()


@pytest.fixture
def window(app, qtbot, library: Library) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = MainWindow(library)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
    for left in QApplication.topLevelWidgets():  # dialogs a test left open must not leak
        if left.isVisible():
            left.close()


def wait_for_hub(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """The Script Hub's scenes arrive from a worker after a project opens."""
    qtbot.waitUntil(lambda: page.scene_list.count() > 0, timeout=10_000)
