"""App library: settings round trip and the project registry with its Removed area."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.jobs import Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.store import Project


def test_settings_round_trip_across_restarts(aiuteur_home: Path) -> None:
    lib = Library()
    s = AppSettings()
    s.local.enabled = True
    s.local.model = "llama3.1:8b"
    s.budget.monthly_cap_usd = 25.0
    s.models.text = "local:llama3.1:8b"
    lib.save_settings(s)
    lib.close()
    again = Library().load_settings()
    assert again == s


def test_corrupt_settings_fall_back_to_defaults(library: Library) -> None:
    import sqlalchemy

    with library._engine.begin() as conn:  # simulate a damaged row
        conn.execute(
            sqlalchemy.text("INSERT INTO settings(key, value) VALUES ('app', '{not json')")
        )
    assert library.load_settings() == AppSettings()


def test_negative_budget_is_rejected() -> None:
    with pytest.raises(ValueError):
        AppSettings.model_validate({"budget": {"monthly_cap_usd": -1}})


def test_remove_restore_and_delete_permanently(library: Library, tmp_path: Path) -> None:
    p = Project.create(tmp_path, "Film")
    p.close()
    library.register_project(p.path, p.name)
    assert [e.name for e in library.projects()] == ["Film"]

    library.remove_project(p.path)
    assert library.projects() == []
    assert [e.name for e in library.projects(removed=True)] == ["Film"]
    assert p.path.exists(), "removing only hides the project"

    library.restore_project(p.path)
    assert [e.name for e in library.projects()] == ["Film"]

    library.remove_project(p.path)
    library.delete_project_files(p.path)
    assert not p.path.exists()
    assert library.projects(removed=True) == []


def test_delete_refuses_folders_that_are_not_bundles(library: Library, tmp_path: Path) -> None:
    precious = tmp_path / "Documents"
    precious.mkdir()
    with pytest.raises(ProjectError):
        library.delete_project_files(precious)
    assert precious.exists()


def test_delete_permanently_survives_a_reader_recreating_side_files(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard card reading the project while it is deleted re-creates project.db-wal
    under rmtree ("Directory not empty"): the delete goes again instead of failing."""
    import errno
    import shutil

    p = Project.create(tmp_path, "Busy")
    p.close()
    library.register_project(p.path, p.name)
    library.remove_project(p.path)
    real = shutil.rmtree
    calls = []

    def racing(path, *a, **kw):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) == 1:  # the reader's side file lands while the folder is emptied
            (Path(path) / "project.db-wal").write_bytes(b"")
            raise OSError(errno.ENOTEMPTY, "Directory not empty")
        return real(path, *a, **kw)

    monkeypatch.setattr(shutil, "rmtree", racing)
    library.delete_project_files(p.path)
    assert len(calls) == 2 and not p.path.exists()
    assert all(e.path != str(p.path.resolve()) for e in library.projects(removed=True))


def test_the_registry_lists_every_bundle_of_the_projects_folder_and_follows_moves(
    library: Library, tmp_path: Path
) -> None:
    folder = library.projects_dir()
    folder.mkdir(parents=True)
    Project.create(folder, "Found On Disk").close()
    (folder / "Not A Project.aiuteur").mkdir()  # no project.db: not listed
    library.discover()
    assert [e.name for e in library.projects()] == ["Found On Disk"]

    # Renamed inside the projects folder (a file manager's move): the new name is listed,
    # the old one is not left behind.
    (folder / "Found On Disk.aiuteur").rename(folder / "Renamed.aiuteur")
    library.discover()
    assert [e.path.name for e in library.projects()] == ["Renamed.aiuteur"]

    # Deleted from the projects folder: gone from the dashboard.
    import shutil

    shutil.rmtree(folder / "Renamed.aiuteur")
    library.discover()
    assert library.projects() == []

    # A project elsewhere that is gone (a drive not connected) stays listed, as missing.
    away = tmp_path / "usb"
    away.mkdir()
    elsewhere = Project.create(away, "On A Drive")
    elsewhere.close()
    library.remember(elsewhere.path)
    shutil.rmtree(away)
    library.discover()
    entries = library.projects()
    assert [e.name for e in entries] == ["On A Drive"] and not entries[0].path.exists()


def test_a_removed_project_stays_removed_when_the_folder_is_read_again(library: Library) -> None:
    folder = library.projects_dir()
    folder.mkdir(parents=True)
    Project.create(folder, "Hidden").close()
    library.discover()
    library.remove_project(folder / "Hidden.aiuteur")
    library.discover()
    library.remember(folder / "Hidden.aiuteur")  # the CLI used it: still the user's choice
    assert library.projects() == []
    assert [e.name for e in library.projects(removed=True)] == ["Hidden"]


def _spent_project(folder: Path, amount: float) -> Path:
    import time as _time

    from aiuteur_desktop.core.money import ledger

    folder.mkdir(parents=True, exist_ok=True)
    with Project.create(folder, "Spent") as p:
        ledger.record(
            p,
            ledger.Spend(
                job="job-1", provider="google", model="veo-3.1", kind="video", stage=12,
                scene="s2", branch="Main", estimate=amount, actual=amount, at=_time.time(),
                key="job-1#1",
            ),
        )  # fmt: skip
        return p.path


@pytest.mark.parametrize("how", ["emptied", "missing"])
def test_a_lost_library_stops_paid_work_and_reads_spend_back_from_the_projects(
    aiuteur_home: Path, how: str
) -> None:
    """library.db emptied (0 bytes) or gone on a machine with projects: not silently a new
    library whose caps protect nothing — the damaged file is kept aside, each project's
    ledger counts against the caps again, and paid work waits for the user's word."""
    from aiuteur_desktop.core.app import paths
    from aiuteur_desktop.core.app.settings import Budget
    from aiuteur_desktop.core.claims import PaidWorkStopped
    from aiuteur_desktop.core.money.prices import BudgetExceeded
    from aiuteur_desktop.core.operations.scheduler import Scheduler

    first = Library()
    assert first.jobs.paid_work_stopped() == ""  # a first start is not a loss
    first.close()
    bundle = _spent_project(paths.default_projects_dir(), 3.2)
    db = aiuteur_home / "library.db"
    if how == "emptied":
        db.write_bytes(b"")
    else:
        for f in aiuteur_home.glob("library.db*"):
            f.unlink()
    again = Library()
    try:
        said = again.jobs.paid_work_stopped()
        assert ("emptied" if how == "emptied" else "missing") in said
        if how == "emptied":
            assert list(aiuteur_home.glob("library.db.emptied-*"))
        assert again.jobs.committed() == pytest.approx(3.2)
        assert again.jobs.committed(project=str(bundle)) == pytest.approx(3.2)
        scheduler = Scheduler(again.jobs, budget=lambda: Budget(monthly_cap_usd=5.0))
        with pytest.raises(PaidWorkStopped):
            scheduler.submit(
                Submission("video.render", "Shot 2A", "google:veo", {}, estimate=1.0, paid=True)
            )
        again.jobs.resume_paid_work()
        with pytest.raises(BudgetExceeded):  # the month's $3.20 is counted again
            scheduler.submit(
                Submission("video.render", "Shot 2A", "google:veo", {}, estimate=3.2, paid=True)
            )
        assert scheduler.submit(
            Submission("video.render", "Shot 2B", "google:veo", {}, estimate=1.0, paid=True)
        )
    finally:
        again.close()
