"""A window open on a studio project hears other members' commits (issue "Studio…"): another
process's commit is in the window within a second — its status line and the pages it
touched — and when two members save one timeline at once, both are told."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from PySide6.QtCore import Qt

from aiuteur_desktop.core.store import studio
from tests.screenplays import scripted_project

MEMBER = Path(__file__).resolve().parents[2] / "core" / "store" / "studio_member.py"
ROOT = Path(__file__).resolve().parents[3]


def _published(tmp_path: Path, server: str) -> str:
    project = scripted_project(tmp_path, "Ferry", "night_ferry")
    project.close()
    name = f"Ferry {uuid.uuid4().hex[:8]}"
    studio.publish(tmp_path / "Ferry.aiuteur", server, name=name, author="ana")
    return name


def _opened(window, qtbot, server: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The window on the studio project as ana, hearing its commits."""
    window.open_project(studio.join(server, name, author="ana"))
    qtbot.waitUntil(lambda: window.studio_news.listening, timeout=10_000)


def test_another_process_commit_reaches_the_open_window_within_a_second(
    window,
    qtbot,
    tmp_path: Path,
    studio_server: str,  # type: ignore[no-untyped-def]
) -> None:
    name = _published(tmp_path, studio_server)
    _opened(window, qtbot, studio_server, name)
    heard: list[object] = []
    window.session.subscribe(lambda e: heard.append(e.changes) if e.changes.commit else None)

    member = subprocess.run(
        [sys.executable, str(MEMBER), studio_server, name, "ben", "1", "1"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT),
             "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
             "AIUTEUR_HOME": str(tmp_path / "ben-home")},
    )  # fmt: skip
    committed = time.monotonic()
    assert member.returncode == 0, member.stderr
    cid = member.stdout.splitlines()[1].split()[0]
    qtbot.waitUntil(
        lambda: "ben saved a version on “Main”" in window.statusBar().currentMessage(),
        timeout=1000,
    )
    assert time.monotonic() - committed < 1.0
    qtbot.waitUntil(lambda: bool(heard), timeout=5000)  # the pages hear what it changed
    assert heard[0].commit == cid and heard[0].paths == ("notes/ben/0",)  # type: ignore[attr-defined]
    window.grab().save(str(tmp_path / "studio-news.png"))


def test_both_members_are_told_when_one_timeline_was_saved_twice_at_once(
    window,
    qtbot,
    tmp_path: Path,
    studio_server: str,  # type: ignore[no-untyped-def]
) -> None:
    name = _published(tmp_path, studio_server)
    _opened(window, qtbot, studio_server, name)
    ana = window.project
    ben = studio.open_studio(studio_server, name, author="ben")
    ana.write("stage1/notes", {"text": "Ana's"})
    ben.write("stage1/notes", {"text": "Ben's"})
    ana.commit("Ana's notes")
    fork = ben.commit("Ben's notes").branch
    qtbot.waitUntil(
        lambda: (
            f"their version is on a Story Timeline of its own, “{fork}”"
            in window.statusBar().currentMessage()
        ),
        timeout=2000,
    )
    assert window.statusBar().currentMessage().startswith("ben saved “Main” at the same moment")
    ben.close()


def test_the_version_history_says_who_made_each_version(
    window,
    qtbot,
    tmp_path: Path,
    studio_server: str,  # type: ignore[no-untyped-def]
) -> None:
    from aiuteur_desktop.views.pipeline.history import VersionHistoryDialog

    name = _published(tmp_path, studio_server)
    ben = studio.open_studio(studio_server, name, author="ben")
    ben.write("stage1/notes", {"text": "Ben's"})
    ben.commit("Ben's notes")
    ana = studio.open_studio(studio_server, name, author="ana")
    dialog = VersionHistoryDialog(ana)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail_title.text() == "Ben's notes", timeout=10_000)
    assert " · by ben · on Main" in dialog.detail_meta.text()
    qtbot.keyClick(dialog.canvas, Qt.Key.Key_Down)  # the published history: made by nobody named
    qtbot.waitUntil(lambda: dialog.detail_title.text() != "Ben's notes", timeout=5000)
    assert " by " not in dialog.detail_meta.text()
    dialog.close()
    for p in (ana, ben):
        p.close()


def test_the_dashboard_lists_the_studio_s_projects_beside_local_ones_and_opens_them(
    window,
    qtbot,
    library,
    tmp_path: Path,
    studio_server: str,  # type: ignore[no-untyped-def]
) -> None:
    from aiuteur_desktop.core.store import Project
    from aiuteur_desktop.core.store.studio_project import StudioProject
    from aiuteur_desktop.views.dashboard import SummaryRole

    local = Project.create(tmp_path / "here", "Paper Moons")
    local.close()
    library.register_project(local.path, local.name)
    name = _published(tmp_path, studio_server)
    settings = library.load_settings()
    settings.studio.server = studio_server
    settings.studio.user = "ben"
    library.save_settings(settings)
    window.dashboard.refresh()
    model = window.dashboard.model

    def rows() -> dict[str, object]:
        return {model.data(model.index(r), SummaryRole).name: model.data(model.index(r), SummaryRole)
                for r in range(model.rowCount())}  # fmt: skip

    qtbot.waitUntil(lambda: name in rows() and rows()[name].stages_total > 0, timeout=30_000)
    assert rows()["Paper Moons"].shared_on == ""
    assert rows()[name].shared_on  # marked as the studio's
    window.dashboard.view.setFocus()
    row = next(
        r for r in range(model.rowCount()) if model.data(model.index(r), SummaryRole).name == name
    )
    window.dashboard.view.setCurrentIndex(model.index(row))
    qtbot.keyClick(window.dashboard.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.project, StudioProject), timeout=10_000)
    assert window.project.author == "ben" and window.project.name == name
    window.dashboard.resize(1440, 900)
    window.dashboard.grab().save(str(tmp_path / "dashboard.png"))


def test_a_window_on_a_project_whose_pictures_are_in_a_bucket_fetches_them_aside(
    window,
    qtbot,
    tmp_path: Path,
    studio_server: str,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import io

    from PIL import Image

    from aiuteur_desktop.core.app import secrets
    from aiuteur_desktop.core.store import Project, bucket
    from tests.fakes.s3_fake import KEY_ID, SECRET, FakeS3

    secrets.set_secret(bucket.KEY_ID_SECRET, KEY_ID)
    secrets.set_secret(bucket.SECRET_SECRET, SECRET)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(picture, "PNG")
    with FakeS3("films") as s3:
        p = Project.create(tmp_path, "Short")
        key = p.media.put(picture.getvalue(), "image/png")
        p.close()
        name = f"Short {uuid.uuid4().hex[:8]}"
        studio.publish(tmp_path / "Short.aiuteur", studio_server, name=name,
                       media="s3://films/short", author="ana", endpoint=s3.url)  # fmt: skip
        monkeypatch.setenv("AIUTEUR_HOME", str(tmp_path / "ben"))  # ben's own machine
        link = studio.join(studio_server, name, author="ben", endpoint=s3.url)
        window.open_project(link)
        fetched = link / "media" / key[:2] / key
        qtbot.waitUntil(fetched.exists, timeout=10_000)
        assert fetched.read_bytes() == picture.getvalue()
