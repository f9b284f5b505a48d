"""A studio's pictures in an S3-compatible bucket (issue "Studio…", "Shared media"), against a
fake S3 service spoken to by the real botocore client: published once, fetched once per
machine and checked by hash, written once, and what happens when the service is away, a
download is cut off, or a member's keys are wrong."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.errors import ProjectError
from aiuteur_desktop.core.store import Project, bucket, studio
from tests.fakes.s3_fake import KEY_ID, SECRET, FakeS3


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def s3() -> FakeS3:
    secrets.set_secret(bucket.KEY_ID_SECRET, KEY_ID)
    secrets.set_secret(bucket.SECRET_SECRET, SECRET)
    with FakeS3("films") as fake:
        yield fake  # type: ignore[misc]


def _published(tmp_path: Path, server: str, s3: FakeS3) -> tuple[str, str]:
    p = Project.create(tmp_path, "Short")
    key = p.media.put(_png((200, 40, 40)), "image/png")
    p.write("assets/keeper", {"image": key})
    p.commit("Keeper's key")
    p.close()
    name = f"Short {uuid.uuid4().hex[:8]}"
    studio.publish(tmp_path / "Short.aiuteur", server, name=name, media="s3://films/storm",
                   author="ana", endpoint=s3.url)  # fmt: skip
    return name, key


def _member(server: str, name: str, who: str, s3: FakeS3, home: Path, monkeypatch) -> Project:  # type: ignore[no-untyped-def]
    """`who` on a machine of their own (their own copy of what they read)."""
    monkeypatch.setenv("AIUTEUR_HOME", str(home / who))
    return studio.open_link(studio.join(server, name, author=who, endpoint=s3.url))


def test_pictures_go_to_the_bucket_once_and_each_machine_fetches_them_once(
    tmp_path: Path, studio_server: str, s3: FakeS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, key = _published(tmp_path, studio_server, s3)
    assert s3.objects == {f"storm/{key[:2]}/{key}": _png((200, 40, 40))}
    ben = _member(studio_server, name, "ben", s3, tmp_path, monkeypatch)
    assert ben.media.read(key) == _png((200, 40, 40))
    assert ben.media.read(key) == _png((200, 40, 40))
    assert [m for m, _ in s3.requests].count("GET") == 1  # kept on ben's machine after
    made = ben.media.put(_png((1, 2, 3)), "image/png")
    assert s3.objects[f"storm/{made[:2]}/{made}"] == _png((1, 2, 3))
    before = len(s3.puts())
    ben.media.put(_png((1, 2, 3)), "image/png")  # the same picture again: never re-sent
    assert len(s3.puts()) == before
    carl = _member(studio_server, name, "carl", s3, tmp_path, monkeypatch)
    assert carl.media.mirror() == 2  # a new machine fetches the project's pictures
    assert carl.media.path(made).read_bytes() == _png((1, 2, 3))
    for p in (ben, carl):
        p.close()


def test_a_bucket_away_cut_off_or_refusing_the_keys_is_said_and_nothing_is_lost(
    tmp_path: Path, studio_server: str, s3: FakeS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, key = _published(tmp_path, studio_server, s3)
    ben = _member(studio_server, name, "ben", s3, tmp_path, monkeypatch)
    s3.cut_get = 0.5  # the download stops halfway: refused, nothing kept
    with pytest.raises(ProjectError, match="arrived cut off"):
        ben.media.read(key)
    assert not list((tmp_path / "ben").rglob(key))
    s3.cut_get = None
    assert ben.media.read(key) == _png((200, 40, 40))

    s3.stop()  # the service is away: the story still reads and saves
    ben.write("stage1/notes", {"text": "while the bucket was away"})
    assert ben.commit("Notes").branch == "Main"
    assert ben.media.read(key) == _png((200, 40, 40))  # already on this machine
    with pytest.raises(ProjectError, match="cannot be reached"):
        ben.media.put(_png((9, 9, 9)), "image/png")
    ben.close()

    with FakeS3("films") as again:
        secrets.set_secret(bucket.SECRET_SECRET, SECRET)
        secrets.set_secret(bucket.KEY_ID_SECRET, "AKIASOMEONEELSE00000")
        dana = _member(studio_server, name, "dana", again, tmp_path, monkeypatch)
        with pytest.raises(ProjectError, match="refused your keys"):
            dana.media.put(_png((5, 5, 5)), "image/png")
        dana.close()


def test_publishing_to_a_bucket_that_is_not_there_makes_no_project(
    tmp_path: Path, studio_server: str, s3: FakeS3
) -> None:
    p = Project.create(tmp_path, "Short")
    p.media.put(_png((3, 3, 3)), "image/png")
    p.close()
    name = f"Short {uuid.uuid4().hex[:8]}"
    with pytest.raises(ProjectError, match="answered NoSuchBucket"):
        studio.publish(tmp_path / "Short.aiuteur", studio_server, name=name,
                       media="s3://elsewhere/x", author="ana", endpoint=s3.url)  # fmt: skip
    assert name not in [p.name for p in studio.projects(studio_server)]


def test_a_window_s_ui_thread_never_waits_on_the_bucket(
    tmp_path: Path, studio_server: str, s3: FakeS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from aiuteur_desktop.core.app import ui_turns

    name, key = _published(tmp_path, studio_server, s3)
    ben = _member(studio_server, name, "ben", s3, tmp_path, monkeypatch)
    saved = ui_turns.ui_thread()
    ui_turns.start(threading.get_ident())  # this thread is a window's UI thread
    try:
        where = ben.media.path(key)  # not fetched here: shown as missing until mirrored
        assert not where.exists() and [m for m, _ in s3.requests].count("GET") == 0
    finally:
        ui_turns._ui[0] = saved
    assert ben.media.mirror() == 1 and where.read_bytes() == _png((200, 40, 40))
    ben.close()
