"""Studio projects on a real PostgreSQL server (issue "Studio: one project shared by a team"):
publishing a bundle with its history, members' own drafts, commits that never overwrite
(a moved head forks a timeline named for its author), two processes committing at once, and
processes killed mid-commit."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import Project, schema, studio
from aiuteur_desktop.core.store.studio_project import StudioProject

MEMBER = Path(__file__).with_name("studio_member.py")
ROOT = Path(__file__).resolve().parents[3]


def _name() -> str:
    return f"Film {uuid.uuid4().hex[:10]}"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def _bundle(tmp_path: Path) -> Path:
    """A bundle with history: commits on two timelines, media, a ledger row, and unsaved
    changes on Main."""
    p = Project.create(tmp_path, "Short")
    p.write("stage1/treatment", {"text": "A lighthouse keeper"})
    p.commit("Treatment", stage=1)
    key = p.media.put(_png((200, 40, 40)), "image/png")
    p.write("assets/keeper", {"image": key})
    p.commit("Keeper's key", stage=5, cost=0.04)
    p.append(
        schema.ledger,
        at=1.0,
        job="j1",
        provider="fake",
        model="m",
        kind="image",
        stage=5,
        scene=None,
        branch="Main",
        estimate=0.04,
        actual=0.04,
        key="j1#1",
    )
    p.create_branch("Main – darker", switch=True)
    p.write("stage1/treatment", {"text": "A darker keeper"})
    p.commit("Darker")
    p.switch_branch("Main")
    p.write("stage1/notes", {"text": "unsaved"})
    p.close()
    return tmp_path / "Short.aiuteur"


def _two_members(tmp_path: Path, server: str) -> tuple[StudioProject, StudioProject]:
    """A bundle published by ana; the project as ana and as ben open it."""
    name = _name()
    studio.publish(_bundle(tmp_path), server, name=name, author="ana")
    return (studio.open_studio(server, name, author="ana"),
            studio.open_studio(server, name, author="ben"))  # fmt: skip


def _objects(engine) -> dict[str, tuple[str, bytes]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(select(schema.objects))
        return {r.id: (r.kind, bytes(r.data)) for r in rows}


def test_publish_copies_the_whole_history_byte_for_byte(tmp_path: Path, studio_server: str) -> None:
    bundle = _bundle(tmp_path)
    name = _name()
    media = tmp_path / "nas"
    link = studio.publish(bundle, studio_server, name=name, media=media, author="ana")

    source = Project.open(bundle)
    shared = Project.open(link)  # a studio project opens by its folder, as a bundle does
    assert isinstance(shared, StudioProject) and shared.author == "ana"
    assert shared.name == name  # called on the server what it was published as
    assert shared.all_commits() == source.all_commits()
    assert _objects(shared.engine) == _objects(source.engine)
    assert {b.name: b.head for b in shared.branches()} == {
        b.name: b.head for b in source.branches()
    }
    # The publisher's unsaved change is still theirs, and only theirs.
    assert shared.read("stage1/notes") == {"text": "unsaved"}
    assert shared.is_dirty()
    # Media are in the shared folder, checked by hash; the ledger came along.
    key = shared.read("assets/keeper")["image"]
    assert (media / key[:2] / key).is_file() and shared.media.verify(key)
    assert [r.key for r in shared.query(select(schema.ledger))] == ["j1#1"]
    assert name in [p.name for p in studio.projects(studio_server)]

    ben = studio.open_studio(studio_server, name, author="ben")
    assert ben.read("stage1/notes") is None and not ben.is_dirty()
    assert ben.read("stage1/treatment") == {"text": "A lighthouse keeper"}
    assert ben.media.read(key) == _png((200, 40, 40))
    for p in (source, shared, ben):
        p.close()


def test_a_name_taken_on_the_server_is_refused_and_nothing_half_made(
    tmp_path: Path, studio_server: str
) -> None:
    bundle = _bundle(tmp_path)
    name = _name()
    studio.publish(bundle, studio_server, name=name, author="ana")
    before = studio.projects(studio_server)
    with pytest.raises(ProjectError, match="already has a project"):
        studio.publish(bundle, studio_server, name=name.upper(), author="ana")
    assert studio.projects(studio_server) == before


def test_an_unreachable_server_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="did not answer"):
        studio.projects(f"postgresql://nobody@/x?host={tmp_path}&port=1")
    with pytest.raises(ProjectError, match="not a PostgreSQL address"):
        studio.projects("mysql://a@b/c")


def test_a_password_goes_to_the_keyring_never_to_the_project_folder(
    tmp_path: Path, studio_server: str
) -> None:
    bundle = _bundle(tmp_path)
    with_password = studio_server.replace("aiuteur@", "aiuteur:s3cret-pw@")
    link = studio.publish(bundle, with_password, name=_name(), author="ana")
    assert secrets.get_secret(studio.PASSWORD_SECRET) == "s3cret-pw"
    assert "s3cret" not in (link / "studio.json").read_text()


def test_commits_of_two_members_never_overwrite_one_another(
    tmp_path: Path, studio_server: str
) -> None:
    ana, ben = _two_members(tmp_path, studio_server)
    ana.write("stage1/treatment", {"text": "Ana's"})
    ben.write("stage1/treatment", {"text": "Ben's"})
    assert ana.read("stage1/treatment") == {"text": "Ana's"}  # each sees their own draft
    assert ben.read("stage1/treatment") == {"text": "Ben's"}

    first = ana.commit("Ana's treatment")
    assert first.branch == "Main" and first.author == "ana"
    second = ben.commit("Ben's treatment")  # Main moved since Ben began: a timeline of his
    assert second.branch.startswith("Main · ben, ") and second.author == "ben"
    assert ben.current_branch == second.branch
    assert ben.commit_by_id(second.id).parents == first.parents  # from where he began
    assert ana.read("stage1/treatment", branch="Main") == {"text": "Ana's"}
    assert ana.read("stage1/treatment", branch=second.branch) == {"text": "Ben's"}
    assert ana.current_branch == "Main"
    # With no change of his own, Ben's Main follows the head: he sees Ana's version.
    ben.switch_branch("Main")
    assert ben.read("stage1/treatment") == {"text": "Ana's"} and not ben.is_dirty()
    # A commit on a head nobody moved lands on it.
    ben.write("stage1/logline", {"text": "Ben again"})
    assert ben.commit("Logline").branch == "Main"
    # Each timeline's history, as the Version History and `aiuteur log` read it.
    assert [c.message for c in ana.log(limit=3)] == ["Logline", "Ana's treatment", "Keeper's key"]
    assert [c.message for c in ana.log(second.branch, limit=2)] == [
        "Ben's treatment",
        "Keeper's key",
    ]


def _member(server: str, name: str, author: str, count: int, seed: int, *extra: str):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "AIUTEUR_HOME": str(Path(os.environ["AIUTEUR_HOME"]) / author),
    }
    return subprocess.Popen(
        [sys.executable, str(MEMBER), server, name, author, str(count), str(seed), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _reachable(project: Project) -> set[str]:
    parents = {c.id: c.parents for c in project.all_commits()}
    seen: set[str] = set()
    stack = [b.head for b in project.branches()]
    while stack:
        cid = stack.pop()
        if cid not in seen:
            seen.add(cid)
            stack.extend(parents[cid])
    return seen


def test_two_processes_committing_at_once_lose_nothing(tmp_path: Path, studio_server: str) -> None:
    name = _name()
    studio.publish(_bundle(tmp_path), studio_server, name=name, author="ana")
    members = {
        who: _member(studio_server, name, who, 200, seed, "20")
        for who, seed in (("ana", 1), ("ben", 2))
    }
    said: dict[str, list[tuple[str, str]]] = {}
    for who, proc in members.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        said[who] = [tuple(line.split(" ", 1)) for line in out.splitlines()[1:]]  # type: ignore[misc]
        assert len(said[who]) == 200

    project = studio.open_studio(studio_server, name, author="carl")
    reachable = _reachable(project)
    commits = {c.id: c for c in project.all_commits()}
    forks = {b.name for b in project.branches()} - {"Main", "Main – darker"}
    assert forks, "two members committing 200 times each never collided"
    for who, lines in said.items():
        for i, (cid, timeline) in enumerate(lines):
            assert cid in reachable, f"{who}'s commit {i} is on no timeline"
            assert commits[cid].author == who and commits[cid].message == f"{who} {i}"
            tree = project.tree_of(cid)
            assert project.read_tree(tree, f"notes/{who}/{i}") == {"n": i, "by": who}
            if timeline != "Main":
                assert timeline.startswith(f"Main · {who}, ")
    assert all(f.startswith(("Main · ana, ", "Main · ben, ")) for f in forks)
    project.close()


def test_processes_killed_mid_commit_lose_no_acknowledged_commit(
    tmp_path: Path, studio_server: str
) -> None:
    name = _name()
    studio.publish(_bundle(tmp_path), studio_server, name=name, author="ana")
    rng = random.Random(7)
    acknowledged: list[str] = []
    for n in range(50):
        proc = _member(studio_server, name, "ana", 10_000, n)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()  # type: ignore[union-attr]
        time.sleep(rng.uniform(0.0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        acknowledged += [line.split(" ", 1)[0] for line in out.splitlines() if " " in line]
    assert len(acknowledged) > 50  # (the kills landed mid-run, not before the first commit)
    project = Project.open(studio.join(studio_server, name, author="ana"))
    known = {c.id for c in project.all_commits()}
    assert set(acknowledged) <= known
    assert set(acknowledged) <= _reachable(project)
    project.write("after/kills", {"ok": True})  # and it still takes work
    assert project.commit("After the kills").branch in {b.name for b in project.branches()}
    project.close()


def test_the_shared_cap_counts_what_members_send_and_frees_what_a_provider_refused(
    tmp_path: Path, studio_server: str
) -> None:
    from aiuteur_desktop.core.money import shared
    from aiuteur_desktop.core.money.prices import BudgetExceeded

    name = _name()
    link = studio.publish(_bundle(tmp_path), studio_server, name=name, author="ana")
    with Project.open(link) as project:
        gate = project.spend_gate()
        gate.set_cap(1.00)
    first = shared.reserve(str(link), "job1", 0.70)
    assert first is not None
    with pytest.raises(BudgetExceeded, match=r"\$0.70 of the project's shared \$1.00"):
        shared.reserve(str(link), "job2", 0.40)  # nothing written
    first.settle("refused")  # the provider proved it did not take it: it stops counting
    second = shared.reserve(str(link), "job2", 0.40)
    assert second is not None
    second.settle("uncertain")  # maybe charged: counted
    with Project.open(link) as project:
        assert project.spend_gate().spent() == 0.40
    # A bundle shares no cap: nothing is asked of any server.
    assert shared.reserve(str(tmp_path / "Short.aiuteur"), "job3", 5.0) is None


def test_a_new_timeline_takes_its_maker_s_unsaved_changes_and_only_theirs(
    tmp_path: Path, studio_server: str
) -> None:
    ana, ben = _two_members(tmp_path, studio_server)
    ana.write("stage1/idea", {"text": "What if it rains"})
    made = ana.create_branch("Main – rain")
    assert made.name == "Main – rain" and ana.current_branch == "Main – rain"
    assert ana.read("stage1/idea") == {"text": "What if it rains"} and ana.is_dirty()
    assert ben.current_branch == "Main"  # each member's own current timeline
    assert ben.read("stage1/idea", branch="Main – rain") is None
    earlier = ana.log("Main")[-1].id
    from_earlier = ben.create_branch("From the start", from_commit=earlier)
    assert ben.read("stage1/treatment", branch=from_earlier.name) is None
    assert not ben.is_dirty(from_earlier.name)
    for p in (ana, ben):
        p.close()


def test_with_the_pictures_folder_offline_the_story_still_reads_and_saves(
    tmp_path: Path, studio_server: str
) -> None:
    name = _name()
    nas = tmp_path / "nas"
    studio.publish(_bundle(tmp_path), studio_server, name=name, media=nas, author="ana")
    ben = studio.open_studio(studio_server, name, author="ben")
    key = ben.read("assets/keeper")["image"]
    nas.rename(tmp_path / "nas-unmounted")  # the share is not mounted on this machine
    assert ben.read("stage1/treatment") == {"text": "A lighthouse keeper"}
    ben.write("stage1/notes", {"text": "written while the NAS was away"})
    assert ben.commit("Notes").branch == "Main"
    with pytest.raises(ProjectError, match="cannot be reached"):
        ben.media.read(key)
    with pytest.raises(ProjectError, match="cannot be reached"):
        ben.media.put(_png((1, 2, 3)), "image/png")
    assert not nas.exists()  # nothing was made where the share should be
    (tmp_path / "nas-unmounted").rename(nas)
    assert ben.media.read(key) == _png((200, 40, 40))
    # A file changed on the share behind the app's back is refused, not shown.
    (nas / key[:2] / key).write_bytes(b"not the picture")
    with pytest.raises(ProjectError, match="damaged"):
        ben.media.read(key)
    ben.close()
