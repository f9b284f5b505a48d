"""The app's own files damaged (issue "Hostile input"): library.db, the lists of style
libraries and their LanceDB index are refused in one line, and a refused library.db is
left byte for byte as it was."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image

from aiuteur_desktop.core.app.catalogue import StyleLibraryError
from aiuteur_desktop.core.errors import ProjectError, SchemaTooNew
from aiuteur_desktop.core.library import LIBRARY_DB, Library
from aiuteur_desktop.core.styles.visual import VisualStyles
from tests.test_cli import run


def library_db(home: Path) -> Path:
    lib = Library(home)
    settings = lib.load_settings()
    settings.budget.monthly_cap_usd = 12.5
    lib.save_settings(settings)
    for i in range(300):
        lib.register_project(home / f"P{i}.aiuteur", f"Project {i} " * 20, opened=False)
    lib.close()
    for extra in ("-wal", "-shm"):
        Path(str(home / LIBRARY_DB) + extra).unlink(missing_ok=True)
    return home / LIBRARY_DB


def refused(home: Path, expected: type[Exception], words: str) -> None:
    db = home / LIBRARY_DB
    before = db.read_bytes()
    with pytest.raises(expected) as err:
        Library(home)
    message = err.value.user_message  # type: ignore[attr-defined]
    assert words in message and "\n" not in message and str(home) in message
    assert db.read_bytes() == before, "a refused library.db was written to"
    # The headless commands say it in one line and exit 2.
    result = run("spend", "--json", home=home)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert db.read_bytes() == before


def test_random_bytes_over_library_db(tmp_path: Path) -> None:
    db = library_db(tmp_path)
    data = bytearray(db.read_bytes())
    rng = random.Random(3)
    for n in range(1, len(data) // 4096, 2):
        data[n * 4096 : (n + 1) * 4096] = rng.randbytes(4096)
    db.write_bytes(bytes(data))
    refused(tmp_path, ProjectError, "damaged")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / LIBRARY_DB).write_bytes(b"PK\x03\x04 a zip, copied over by mistake" * 100)
    refused(tmp_path, ProjectError, f"move {LIBRARY_DB} out of that folder")


def test_a_non_integer_or_newer_library_version(tmp_path: Path) -> None:
    db = library_db(tmp_path)
    with closing(sqlite3.connect(db)) as c, c:
        c.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    refused(tmp_path, ProjectError, "unknown library format ('two')")
    with closing(sqlite3.connect(db)) as c, c:
        c.execute("PRAGMA journal_mode=DELETE")
        c.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    refused(tmp_path, SchemaTooNew, "newer version of Aiuteur")


def test_an_intact_library_still_opens_and_a_zero_byte_one_starts_afresh(tmp_path: Path) -> None:
    library_db(tmp_path)
    lib = Library(tmp_path)
    assert lib.load_settings().budget.monthly_cap_usd == 12.5 and len(lib.projects()) == 300
    lib.close()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / LIBRARY_DB).write_bytes(b"")
    lib = Library(fresh)
    assert lib.projects() == []
    lib.close()


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"libraries": 5}',
        '{"libraries": {"Noir": 5}}',
        '{"libraries": {"Noir": {"card": 7}}}',
        "{" * 100_000,
        "not json",
    ],
    ids=["list", "number", "entry", "field", "deep", "text"],
)
def test_a_damaged_list_of_visual_styles_is_refused_in_one_line(
    tmp_path: Path, content: str
) -> None:
    styles = VisualStyles(tmp_path)
    (tmp_path / "styles" / "visual.json").write_text(content)
    with pytest.raises(StyleLibraryError, match="damaged") as err:
        styles.libraries()
    assert "\n" not in err.value.user_message


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_damaged_style_index_is_refused_in_one_line_and_nothing_else_changes(
    tmp_path: Path,
) -> None:
    styles = VisualStyles(tmp_path)
    styles.add("Noir", "a.png", png())
    catalogue = (tmp_path / "styles" / "visual.json").read_bytes()
    for manifest in (tmp_path / "styles" / "lancedb").rglob("*.manifest"):
        manifest.write_bytes(manifest.read_bytes()[:30])  # cut short, as a bad copy leaves it
    again = VisualStyles(tmp_path)
    for action in (
        lambda: again.references("Noir"),
        lambda: again.library_card("Noir"),
        lambda: again.add("Noir", "b.png", png()),
    ):
        with pytest.raises(StyleLibraryError, match="index of your visual style libraries") as err:
            action()
        assert "\n" not in err.value.user_message and "lancedb" in err.value.user_message
    assert again.libraries() == ["Noir"]
    assert (tmp_path / "styles" / "visual.json").read_bytes() == catalogue
    assert json.loads(catalogue)["libraries"]["Noir"] is not None
