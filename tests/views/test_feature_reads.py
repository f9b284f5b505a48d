"""On a feature film's generated screenplay (benchmarks/feature_script.py: ~200 scenes, 2,300
shots), the bulk gestures a feature needs — Ctrl+A + Lock of every master asset in Stage 5,
the Script Hub taking twenty scenes to their frames with one confirmation — read almost
nothing on the UI thread: the stored documents read there while they run are counted, and a
derivation reading many of them there fails the test."""

from __future__ import annotations

import importlib.util
import io
import threading
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core import story
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.assets.stage5 import Stage5Page
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.production.stage6 import Stage6Page
from tests.views.conftest import wait_for_hub, wait_for_window

#: Documents a gesture may read on the UI thread (the one asset or scene it shows, its
#: settings): a derivation over a scene or the film reads tens to thousands.
FEW = 12
ROOT = Path(__file__).resolve().parents[2]


def feature_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "feature_script", ROOT / "benchmarks" / "feature_script.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class UIReads:
    """Stored documents (not folders) read on the UI thread, by what read them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = False
        self.by: Counter[str] = Counter()
        original = Project._get
        ui = threading.main_thread()

        def counting(project: Project, conn: Any, oid: str) -> Any:
            value = original(project, conn, oid)
            folder = isinstance(value, dict) and set(value) == {"entries"}
            if self.on and threading.current_thread() is ui and not folder:
                here = [
                    f for f in traceback.extract_stack()[:-1] if "aiuteur_desktop" in f.filename
                ]
                where = " < ".join(f"{Path(f.filename).stem}.{f.name}" for f in here[-10:][::-1])
                self.by[where] += 1
            return value

        monkeypatch.setattr(Project, "_get", counting)

    @property
    def count(self) -> int:
        return sum(self.by.values())


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> UIReads:
    return UIReads(monkeypatch)


def feature(folder: Path) -> Project:
    """The feature imported, approved, its master assets found and keyed (not locked)."""
    p = Project.create(folder, "Feature")
    text = feature_script().write()
    master_script.import_screenplay(p, fountain.read_string(text), "feature.fountain")
    story.lock(p, 4, "Approved Master Script")
    masters.extract_into(p)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 110, 140)).save(picture, "PNG")
    key = p.media.put(picture.getvalue(), "image/png")
    for a in masters.all_assets(p):
        masters.update(p, a["path"], candidates=[{"media": key}], image_key=key)
    p.commit("Keys")
    return p


def test_bulk_gestures_on_a_feature_read_almost_nothing_on_the_ui_thread(
    qtbot, window: MainWindow, tmp_path: Path, reads: UIReads
) -> None:  # type: ignore[no-untyped-def]
    project = feature(tmp_path)
    n = len(masters.all_assets(project))
    assert n > 60
    window._show_project(project)
    page = window.project_page
    wait_for_hub(qtbot, page)

    # Stage 5: Ctrl+A, Lock — every asset locked in one commit.
    page.show_stage(5)
    stage5 = page.editors[5]
    assert isinstance(stage5, Stage5Page)
    qtbot.waitUntil(lambda: stage5.list.count() > n)
    stage5.list.setFocus()
    qtbot.keyClick(stage5.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert stage5.lock_button.text() == f"Lock {n} Assets"
    commits = len(project.log())
    reads.on = True
    qtbot.mouseClick(stage5.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not stage5._locking, timeout=20_000)
    qtbot.wait(300)  # what the change set off on the UI thread
    reads.on = False
    assert all(a.get("locked") for a in masters.all_assets(project))
    assert len(project.log()) == commits + 1
    assert reads.count <= FEW, "\n".join(f"{n} {k}" for k, n in reads.by.most_common(8))
    masters.approve(project)

    # The Script Hub: twenty scenes to their frames, one confirmation.
    # (the twenty shortest scenes: the offline engine draws every frame, and a test is short)
    reads.by.clear()
    rows = range(page.scene_list.count())
    size = {
        r: len(shot_list.current(project, page.scene_list.item(r).data(Qt.ItemDataRole.UserRole)))
        for r in rows
    }
    twenty = sorted(sorted(rows, key=lambda r: size[r])[:20])
    page.scene_list.clearSelection()
    for r in twenty:
        page.scene_list.item(r).setSelected(True)
    page.show_stage(6)
    stage6 = page.editors[6]
    assert isinstance(stage6, Stage6Page)
    qtbot.waitUntil(lambda: stage6.batch_button.text() == "Take 20 Scenes to Frames…")
    picked = page.selected_scenes()
    reads.on = True
    qtbot.mouseClick(stage6.batch_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "batchFramesEstimate", timeout=120_000)
    assert box.text().startswith("20 scenes ready for frames")
    next(b for b in box.buttons() if b.text() == "Make").click()
    qtbot.waitUntil(lambda: not stage6.preparing and not stage6._pending, timeout=600_000)
    qtbot.wait(300)
    reads.on = False
    assert all(s.made for scene in picked for s in frames.slots(project, scene))
    assert reads.count <= FEW, "\n".join(f"{n} {k}" for k, n in reads.by.most_common(8))
