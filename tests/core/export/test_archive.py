"""Project archives (issue "Pro Export, project archive, and conform"): a round trip keeps
the history and media; traversal, absolute-path, drive-letter, symlink, bomb, damaged and
newer archives are refused with a clear message and nothing is written outside the target;
an existing project is never overwritten."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiuteur_desktop.core.export import archive
from aiuteur_desktop.core.store import Project
from tests.core.production.test_visuals import storm


@pytest.fixture
def bundle(tmp_path: Path) -> Iterator[Path]:
    with storm(tmp_path / "projects") as p:
        p.media.put(b"\x89PNG fake picture bytes", "image/png")
        p.create_branch("Darker ending")
        p.write("notes/ending", {"text": "the lamp goes out"})
        p.commit("A darker ending")
        p.switch_branch("Main")
        yield p.path


def _history(bundle: Path) -> dict[str, object]:
    with Project.open(bundle) as p:
        return {
            "name": p.name,
            "current": p.current_branch,
            "branches": sorted((b.name, b.head, b.draft) for b in p.branches()),
            "commits": sorted(c.id for b in p.branches() for c in p.log(b.name)),
        }


def _media(bundle: Path) -> dict[str, bytes]:
    return {
        f.relative_to(bundle).as_posix(): f.read_bytes()
        for f in (bundle / "media").rglob("*")
        if f.is_file()
    }


def test_round_trip_keeps_history_and_media(bundle: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    zipped = archive.archive(bundle, tmp_path / "Storm.zip", progress=seen.append)
    assert seen[-1] == 1.0 and not list(tmp_path.glob(".*.part*"))
    done = archive.unarchive(zipped, tmp_path / "elsewhere")
    assert done.bundle == tmp_path / "elsewhere" / "Storm.aiuteur" and not done.renamed
    assert _history(done.bundle) == _history(bundle)
    assert _media(done.bundle) == _media(bundle) and _media(bundle)
    with Project.open(done.bundle) as p:
        assert p.read("notes/ending", branch="Darker ending") == {"text": "the lamp goes out"}
    # Importing again never overwrites: the second copy takes a new name.
    again = archive.unarchive(zipped, tmp_path / "elsewhere")
    assert again.bundle.name == "Storm 2.aiuteur" and again.renamed
    assert _history(done.bundle) == _history(bundle)
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == [
        "Storm 2.aiuteur",
        "Storm.aiuteur",
    ]


def test_an_open_project_is_archived_as_it_stands(bundle: Path, tmp_path: Path) -> None:
    with Project.open(bundle) as p:
        p.write("notes/late", {"text": "written while open"})
        p.commit("Late note")
        zipped = archive.archive(bundle, tmp_path / "open.zip")
    done = archive.unarchive(zipped, tmp_path / "out")
    with Project.open(done.bundle) as p:
        assert p.read("notes/late") == {"text": "written while open"}


def _hostile(real: Path, out: Path, extra: zipfile.ZipInfo, data: bytes = b"x") -> Path:
    """The real archive with one more member, listed in archive.json as if it belonged."""
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(out, "w") as dst:
        about = json.loads(src.read(archive.MANIFEST))
        about["files"][extra.filename] = {"size": len(data), "sha256": "0" * 64}
        for info in src.infolist():
            if info.filename != archive.MANIFEST:
                dst.writestr(info, src.read(info))
        dst.writestr(extra, data)
        dst.writestr(archive.MANIFEST, json.dumps(about))
    return out


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("member", "mode", "message"),
    [
        ("../evil.txt", 0o644, "outside the project"),
        ("Storm.aiuteur/../../evil.txt", 0o644, "outside the project"),
        ("/tmp/evil.txt", 0o644, "absolute or foreign path"),
        ("C:/evil.txt", 0o644, "absolute or foreign path"),
        ("Storm.aiuteur\\..\\..\\evil.txt", 0o644, "absolute or foreign path"),
        ("Storm.aiuteur/media/link", stat.S_IFLNK | 0o777, "symbolic link"),
        ("evil.txt", 0o644, "not inside a project folder"),
        ("Other.aiuteur/project.db", 0o644, "exactly one project"),
    ],
)
def test_hostile_members_are_refused_and_nothing_is_written(
    bundle: Path, tmp_path: Path, member: str, mode: int, message: str
) -> None:
    real = archive.archive(bundle, tmp_path / "real.zip")
    info = zipfile.ZipInfo(member)
    info.external_attr = mode << 16
    bad = _hostile(real, tmp_path / "bad.zip", info, b"/etc/passwd")
    target = tmp_path / "import" / "here"
    target.mkdir(parents=True)
    before = _listing(tmp_path)
    with pytest.raises(archive.ArchiveError, match=message) as refused:
        archive.unarchive(bad, target)
    assert "Nothing was written" in refused.value.user_message
    assert _listing(tmp_path) == before
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def test_a_zip_bomb_is_refused_before_it_inflates(bundle: Path, tmp_path: Path) -> None:
    real = archive.archive(bundle, tmp_path / "real.zip")
    info = zipfile.ZipInfo("Storm.aiuteur/media/00/bomb")
    info.compress_type = zipfile.ZIP_DEFLATED
    bomb = _hostile(real, tmp_path / "bomb.zip", info, bytes(64 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024  # 64 MB inside a file this small
    target = tmp_path / "import"
    target.mkdir()
    with pytest.raises(archive.ArchiveError, match="zip bomb"):
        archive.unarchive(bomb, target)
    assert list(target.iterdir()) == []


def test_too_many_members_are_refused(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = archive.archive(bundle, tmp_path / "real.zip")
    monkeypatch.setattr(archive, "MAX_MEMBERS", 2)
    with pytest.raises(archive.ArchiveError, match="more than any project holds"):
        archive.unarchive(real, tmp_path / "import")
    assert not (tmp_path / "import").exists()


def test_damaged_foreign_and_newer_archives_are_refused(bundle: Path, tmp_path: Path) -> None:
    real = archive.archive(bundle, tmp_path / "real.zip")
    target = tmp_path / "import"
    target.mkdir()
    # A media file changed after archiving: its checksum no longer matches.
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(tmp_path / "damaged.zip", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if "/media/" in info.filename:
                data = b"tampered" + data
            dst.writestr(info, data)
    with pytest.raises(archive.ArchiveError, match="checksum"):
        archive.unarchive(tmp_path / "damaged.zip", target)
    # Not a zip at all; a zip that is not an Aiuteur archive.
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 but not really")
    with pytest.raises(archive.ArchiveError, match="not a zip file"):
        archive.unarchive(tmp_path / "junk.zip", target)
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8")
    with pytest.raises(archive.ArchiveError, match=r"no archive\.json"):
        archive.unarchive(tmp_path / "plain.zip", target)
    # A project from a newer Aiuteur (its schema version is past ours).
    newer = tmp_path / "newer" / "Storm.aiuteur"
    newer.parent.mkdir()
    shutil.copytree(bundle, newer)
    with sqlite3.connect(newer / "project.db") as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with zipfile.ZipFile(real) as src:
        about = json.loads(src.read(archive.MANIFEST))
    data = (newer / "project.db").read_bytes()
    about["files"]["Storm.aiuteur/project.db"]["sha256"] = hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(tmp_path / "newer.zip", "w") as dst:
        for info in src.infolist():
            if info.filename == "Storm.aiuteur/project.db":
                dst.writestr(info, data)
            elif info.filename != archive.MANIFEST:
                dst.writestr(info, src.read(info))
        dst.writestr(archive.MANIFEST, json.dumps(about))
    with pytest.raises(archive.ArchiveError, match="newer"):
        archive.unarchive(tmp_path / "newer.zip", target)
    assert list(target.iterdir()) == []


def test_a_cancelled_archive_leaves_no_file(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(archive.Cancelled):
        archive.archive(bundle, tmp_path / "x.zip", cancelled=lambda: True)
    assert not list(tmp_path.glob("*.zip*")) and not list(tmp_path.glob(".x.zip*"))


def _rewritten(real: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """The real archive with its members rewritten by `change(info, data) -> (info, data)`;
    archive.json lists the result (so only the property under test is wrong)."""
    with zipfile.ZipFile(real) as src:
        members = [(i, src.read(i)) for i in src.infolist() if i.filename != archive.MANIFEST]
        manifest = json.loads(src.read(archive.MANIFEST))
    with zipfile.ZipFile(out, "w") as dst:
        for info, data in members:
            info, data = change(info, data)
            manifest["files"][info.filename] = {
                "size": len(data), "sha256": hashlib.sha256(data).hexdigest()
            }  # fmt: skip
            dst.writestr(info, data)
        dst.writestr(archive.MANIFEST, json.dumps(manifest))
    return out


def _flip(path: Path, marker: bytes) -> Path:
    """A file with one byte changed inside the compressed data after `marker`."""
    data = bytearray(path.read_bytes())
    at = data.index(marker) + len(marker) + 40
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_damaged_encrypted_and_foreign_members_are_refused_in_a_sentence(
    bundle: Path, tmp_path: Path
) -> None:
    real = archive.archive(bundle, tmp_path / "real.zip")
    target = tmp_path / "import"
    target.mkdir()

    def stored(info, data):  # type: ignore[no-untyped-def]
        info.compress_type = zipfile.ZIP_STORED
        return info, data

    # A member whose bytes were damaged (its CRC no longer matches).
    crc = _flip(_rewritten(real, tmp_path / "crc.zip", stored), b"project.db")
    # An encrypted member (the flag bit set), an unknown compression method (99).
    raw = bytearray(_rewritten(real, tmp_path / "enc.zip", stored).read_bytes())
    i = raw.index(b"PK\x03\x04")
    raw[i + 6] |= 0x01
    j = raw.index(b"PK\x01\x02")
    raw[j + 8] |= 0x01
    (tmp_path / "enc.zip").write_bytes(bytes(raw))
    raw = bytearray(_rewritten(real, tmp_path / "method.zip", stored).read_bytes())
    i, j = raw.index(b"PK\x03\x04"), raw.index(b"PK\x01\x02")
    raw[i + 8 : i + 10] = (99).to_bytes(2, "little")
    raw[j + 10 : j + 12] = (99).to_bytes(2, "little")
    (tmp_path / "method.zip").write_bytes(bytes(raw))
    # archive.json nested far past any reader.
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(tmp_path / "deep.zip", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == archive.MANIFEST:
                data = b"[" * 200_000 + b"]" * 200_000
            dst.writestr(info, data)
    for bad in (crc, tmp_path / "enc.zip", tmp_path / "method.zip", tmp_path / "deep.zip"):
        with pytest.raises(archive.ArchiveError) as refused:
            archive.unarchive(bad, target)
        assert "\n" not in refused.value.user_message, bad.name
        assert list(target.iterdir()) == [], bad.name


def test_many_small_bombs_are_refused_before_anything_is_written(
    bundle: Path, tmp_path: Path
) -> None:
    """A thousand 1 MiB members of zeros, bzip2'd to a few dozen bytes each: no member is
    past its own limit, the whole is — refused before a byte is written."""
    real = archive.archive(bundle, tmp_path / "real.zip")
    with zipfile.ZipFile(real) as src:
        members = [(i, src.read(i)) for i in src.infolist() if i.filename != archive.MANIFEST]
        manifest = json.loads(src.read(archive.MANIFEST))
    zeros = bytes(1 << 20)
    digest = hashlib.sha256(zeros).hexdigest()
    bomb = tmp_path / "bombs.zip"
    with zipfile.ZipFile(bomb, "w") as dst:
        for info, data in members:
            dst.writestr(info, data)
        for n in range(1100):
            name = f"Storm.aiuteur/media/zz/{n:04d}"
            dst.writestr(
                zipfile.ZipInfo(name), zeros, compress_type=zipfile.ZIP_BZIP2, compresslevel=9
            )
            manifest["files"][name] = {"size": len(zeros), "sha256": digest}
        dst.writestr(archive.MANIFEST, json.dumps(manifest))
    assert bomb.stat().st_size < 1024 * 1024
    target = tmp_path / "import"
    target.mkdir()
    with pytest.raises(archive.ArchiveError, match="zip bomb"):
        archive.unarchive(bomb, target)
    assert list(target.iterdir()) == []
