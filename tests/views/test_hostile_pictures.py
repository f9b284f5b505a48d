"""Images Qt decodes (a key chosen from disk, a stored key shown in a card) refuse a
header-declared bomb before decoding, as Pillow's paths do (issue "Hostile input")."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.media.imaging import ImageTooLarge
from aiuteur_desktop.views.kit.pictures import preview, read_image
from aiuteur_desktop.views.main_window import MainWindow
from tests.core.media.test_hostile_images import jpeg_bomb, peak_mib, png_bomb, small_png


@pytest.mark.parametrize("bomb", [png_bomb(), jpeg_bomb()], ids=["png", "jpeg"])
def test_qt_reads_refuse_a_declared_bomb(qtbot, bomb: bytes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bomb"
    path.write_bytes(bomb)
    for source in (bomb, path):
        with pytest.raises(ImageTooLarge, match="megapixels"):
            read_image(source)
        assert preview(source, 200).isNull()
    image = read_image(small_png(), max_side=8)  # an ordinary image, decoded at its preview size
    assert (image.width(), image.height()) == (8, 8)


def test_a_bomb_chosen_as_a_library_image_key_is_refused_and_nothing_is_saved(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    lib = window.asset_library
    mara = lib.create("character", "Mara", "Ferry mechanic")
    window.go_to("assets")
    page = window.asset_page
    page.grid.setCurrentRow(0)
    bomb = tmp_path / "huge.png"
    bomb.write_bytes(png_bomb())
    page.set_image_file(bomb)
    assert "huge.png" in page.status.text() and "40 megapixels" in page.status.text()
    page.save_button.click()
    assert lib.get(mara.id).image is None


def test_qt_reading_both_bombs_stays_under_300_mb(tmp_path: Path) -> None:
    for name, bomb in (("bomb.png", png_bomb()), ("bomb.jpg", jpeg_bomb())):
        (tmp_path / name).write_bytes(bomb)
    code = (
        "from pathlib import Path\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication(['x', '-platform', 'offscreen'])\n"
        "from aiuteur_desktop.views.kit.pictures import preview, read_image\n"
        f"root = Path({str(tmp_path)!r})\n"
        "for name in ('bomb.png', 'bomb.jpg'):\n"
        "    preview(root / name, 480)\n"
        "    preview((root / name).read_bytes(), 480)\n"
    )
    peak = peak_mib(code)
    assert peak < 300, f"peak {peak:.0f} MiB"


def test_a_big_photo_as_a_key_is_kept_at_the_working_size(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A 6000×4000 photo (24 MP, under the cap) becomes a key 4,096 pixels on its long side:
    decoded once at that size, not kept (and copied) whole."""
    from PIL import Image

    from aiuteur_desktop.core.assets import masters
    from aiuteur_desktop.core.media.imaging import WORKING_SIDE
    from tests.screenplays import scripted_project

    project = scripted_project(tmp_path, "Keys", "kitchen_heist", approved=True)
    masters.extract_into(project)
    photo = tmp_path / "headshot.png"
    Image.new("RGB", (6000, 4000), (90, 60, 40)).save(photo)
    window._show_project(project)
    page = window.project_page
    page.show_stage(5)
    stage5 = page.editors[5]
    qtbot.waitUntil(lambda: stage5.list.count() > 1, timeout=10_000)
    stage5.list.setCurrentRow(1)
    path = stage5.current_path()
    assert path is not None
    stage5.use_image_file(photo)
    qtbot.waitUntil(lambda: bool(masters.read(project, path).get("candidates")), timeout=20_000)
    media = masters.read(project, path)["candidates"][-1]["media"]
    with Image.open(project.media.path(media)) as key:
        assert max(key.size) == WORKING_SIDE and key.size[0] / key.size[1] == pytest.approx(
            1.5, 0.01
        )


def test_pictures_decode_on_a_worker_without_qt_image_readers(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Pages decode pictures on workers. Qt's image readers take Qt's signal-slot lock while
    PySide keeps the GIL, which froze the window for good when the UI thread destroyed an
    object at that moment; pictures are decoded (and encoded) without them — upright, at
    the size asked, transparency kept."""
    import io
    import threading

    from PIL import Image
    from PySide6 import QtGui

    from aiuteur_desktop.views.kit.pictures import png_bytes

    def refused(*_a: object, **_k: object) -> None:
        raise AssertionError("a Qt image reader or writer was used")

    monkeypatch.setattr(QtGui, "QImageReader", refused)
    monkeypatch.setattr(QtGui.QImage, "save", refused)
    photo = Image.new("RGB", (300, 200), (200, 40, 10))
    photo.paste((10, 40, 200), (0, 0, 150, 200))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the camera on its side: shown turned 90° clockwise
    stored = tmp_path / "0c1f9e"  # a stored media file has no extension
    photo.save(stored, "JPEG", exif=exif, quality=95)
    clear = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(clear, "PNG")
    found: dict[str, object] = {}

    def work() -> None:
        found["photo"] = read_image(stored, max_side=100)
        found["clear"] = read_image(clear.getvalue())
        found["broken"] = read_image(stored.read_bytes()[:400])

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    photo_image, clear_image = found["photo"], found["clear"]
    assert isinstance(photo_image, QtGui.QImage) and isinstance(clear_image, QtGui.QImage)
    assert (photo_image.width(), photo_image.height()) == (67, 100)  # upright, scaled
    top, bottom = photo_image.pixelColor(33, 5), photo_image.pixelColor(33, 94)
    assert top.blue() > 150 > top.red() and bottom.red() > 150 > bottom.blue()
    assert clear_image.hasAlphaChannel() and clear_image.pixelColor(5, 5).alpha() == 0
    assert isinstance(found["broken"], QtGui.QImage) and found["broken"].isNull()
    again = Image.open(io.BytesIO(png_bytes(clear_image)))
    assert again.mode == "RGBA" and again.getpixel((5, 5))[3] == 0
