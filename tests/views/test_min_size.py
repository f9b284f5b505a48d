"""Every page at the window's minimum size: no button or field narrower or shorter than its
text needs, no line of text cut — elided only where a tooltip shows the whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStackedLayout,
    QTextEdit,
    QWidget,
)

from aiuteur_desktop.core import operations
from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.operations import headless, video_render
from aiuteur_desktop.core.production import checkout, prompts, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.providers.registry import Registry
from aiuteur_desktop.providers.startup import register_all
from aiuteur_desktop.views.assets.keys import PathRole
from aiuteur_desktop.views.kit.elided import ElidedLabel
from aiuteur_desktop.views.main_window import MINIMUM_SIZE, MainWindow
from aiuteur_desktop.views.stage_frame import StageFrame
from tests.core.production.test_checkout import prepared
from tests.screenplays import scripted_project
from tests.views.conftest import wait_for_hub


def clipped(root: QWidget) -> list[str]:
    out: list[str] = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.width() <= 0:
            continue
        name = f"{type(w).__name__} {w.objectName() or ''}".strip()
        if isinstance(w, QAbstractButton | QComboBox):
            need = w.minimumSizeHint()
            if w.width() < need.width() - 1 or w.height() < need.height() - 1:
                text = w.text() if isinstance(w, QAbstractButton) else w.currentText()
                out.append(
                    f"{name} “{text}” is {w.width()}×{w.height()}, needs {need.width()}×{need.height()}"
                )
        elif isinstance(w, ElidedLabel):
            if w.is_elided() and w.toolTip() != w.text():
                out.append(f"{name} “{w.text()}” is cut with no tooltip")
            elif w.is_elided() and isinstance(w.parentWidget(), StageFrame):
                out.append(f"{name} “{w.text()}”: a stage's title is cut")
        elif isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            if not w.wordWrap() and w.width() < w.sizeHint().width() - 1:
                out.append(
                    f"{name} “{w.text()[:50]}” is {w.width()} wide, needs {w.sizeHint().width()}"
                )
            elif w.wordWrap() and w.height() < w.heightForWidth(w.width()) - 1:
                out.append(
                    f"{name} “{w.text()[:50]}” is {w.height()} high, needs {w.heightForWidth(w.width())}"
                )
    for w in root.findChildren(QWidget):
        if not isinstance(w, QAbstractButton | QLineEdit | QTextEdit | QPlainTextEdit | QComboBox):
            continue
        # Cut off by its parent (past the right edge of a panel): narrower on screen than it
        # is. Scrolled out of sight (an empty visible region) is not cut.
        if not w.isVisible() or w.width() <= 0:
            continue
        seen = w.visibleRegion().boundingRect()
        if not seen.isEmpty() and seen.width() < w.width() - 2:
            label = w.text() if isinstance(w, QAbstractButton | QLineEdit) else ""
            label = label or (w.placeholderText() if isinstance(w, QLineEdit | QTextEdit) else "")
            out.append(
                f"{type(w).__name__} {w.objectName()} “{label[:40]}” is cut at the side "
                f"({seen.width()} of {w.width()} shown)"
            )
        elif (
            isinstance(w, QLineEdit | QTextEdit | QPlainTextEdit)
            and not isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)
            and w.width() < 160
        ):
            out.append(f"{type(w).__name__} {w.objectName()} is only {w.width()} wide")
    for area in root.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            out.append(f"QScrollArea {area.objectName()} scrolls sideways: its page is too wide")
    return out + overlaps(root)


def _managed(layout) -> list[QWidget]:  # type: ignore[no-untyped-def]
    out: list[QWidget] = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is not None:
            out.append(item.widget())
        elif item.layout() is not None:
            out.extend(_managed(item.layout()))
    return out


def overlaps(root: QWidget) -> list[str]:
    """Widgets of one layout drawn over each other: the layout could not give them room."""
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        layout = w.layout()
        if layout is None or not w.isVisible() or isinstance(layout, QStackedLayout):
            continue
        shown = [c for c in _managed(layout) if c.isVisible() and not c.isWindow()]
        for i, a in enumerate(shown):
            for b in shown[i + 1 :]:
                both = a.geometry().intersected(b.geometry())
                if both.width() > 2 and both.height() > 2:
                    out.append(
                        f"{type(a).__name__} {a.objectName()} overlaps {type(b).__name__} {b.objectName()}"
                    )
    return out


LONG_TITLE = "The Extraordinarily Long Title of a Feature Film About a Kitchen Heist"
LONG_BRANCH = "Director's alternate ending with the longer chase sequence"


@pytest.mark.parametrize(
    ("title", "branch"), [("Kitchen Heist", None), (LONG_TITLE, LONG_BRANCH)], ids=["short", "long"]
)
def test_every_page_fits_the_minimum_window(
    qtbot, window: MainWindow, library: Library, tmp_path: Path, title: str, branch: str | None
) -> None:  # type: ignore[no-untyped-def]
    assert (window.minimumWidth(), window.minimumHeight()) == MINIMUM_SIZE == (1280, 720)
    window.resize(*MINIMUM_SIZE)
    window.show()
    qtbot.waitExposed(window)
    problems: dict[str, list[str]] = {}

    def look(page: str) -> None:
        qtbot.wait(150)  # layouts settle (wrapped text measures itself after a resize)
        found = clipped(window)
        if found:
            problems[page] = found

    look("Projects")
    project = scripted_project(tmp_path, title, "kitchen_heist", approved=True)
    if branch:
        project.create_branch(branch, switch=True)
    masters.extract_into(project)
    shot_list.lock(project, "s1", shot_list.current(project, "s1"))  # Stages 8–9 open
    for e in visuals.elements(project, "s1"):
        visuals.lock(project, "s1", e.slug)
    prompts.assemble(project, "s1")  # Stage 10 opens
    register_all()
    operations.share(project)
    prepared(project, library, "s1")  # frames made and approved: Stage 11 opens
    done = checkout.confirm(
        project, checkout.for_model(project, "s1", Registry(), "offline:animatic")
    )  # Stage 12 opens, and plays its takes
    headless.run_all(
        library.jobs, video_render.render_ops(project, "s1", done, Registry()), Budget()
    )
    window._show_project(project)
    page = window.project_page
    wait_for_hub(qtbot, page)
    page.scene_list.setCurrentRow(0)
    for number in range(1, 13):
        page.show_stage(number)
        if number == 5:  # an asset open in the inspector: its description, voice and key
            assets_list = page.editors[5].list
            row = next(
                r
                for r in range(assets_list.count())
                if assets_list.item(r).data(PathRole) is not None
            )
            assets_list.setCurrentRow(row)
        look(f"Stage {number}")
        if number >= 6:  # a Phase B stage opens on the scene, not on its gate
            assert page.stage_stack.currentWidget() is page.editors[number], number
    for key in ("written", "visual", "assets", "jobs"):
        window.go_to(key)
        look(key)
    assert window.width() == MINIMUM_SIZE[0] and window.height() == MINIMUM_SIZE[1]
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
