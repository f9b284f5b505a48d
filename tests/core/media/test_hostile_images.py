"""Image decompression bombs (issue "Hostile input"): an image whose header declares more
pixels than Aiuteur reads is refused before anything is decoded — in a clear message, fast,
and without the memory a decode would take."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.media import thumbnails
from aiuteur_desktop.core.media.imaging import ImageTooLarge, open_image
from aiuteur_desktop.core.styles import measure
from aiuteur_desktop.providers.images import keep_outside_mask


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A ~100-byte PNG that declares width×height (its one IDAT row of zeros is a lie)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A small JPEG whose frame header (SOF0) is rewritten to declare width×height."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def peak_mib(code: str) -> float:
    """Peak memory of a fresh interpreter running `code`: its own high-water mark (VmHWM
    starts afresh at exec; ru_maxrss would carry the parent's)."""
    code += (
        "\nfrom pathlib import Path as _P\n"
        "_s = _P('/proc/self/status').read_text().splitlines()\n"
        "print(next(int(l.split()[1]) for l in _s if l.startswith('VmHWM:')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # VmHWM is in kB


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("bomb", [png_bomb(), jpeg_bomb()], ids=["png", "jpeg"])
def test_a_declared_bomb_is_refused_from_its_header(bomb: bytes) -> None:
    assert len(bomb) < 1000
    with pytest.raises(ImageTooLarge, match="megapixels"):
        open_image(bomb)
    # A style reference or analysis says so in the user's words …
    with pytest.raises(measure.BadImage, match="up to 40 megapixels"):
        measure.load_rgb(bomb)
    # … a provider's answer or a mask is a provider error, never a crash …
    with pytest.raises(ProviderError):
        keep_outside_mask(small_png(), bomb, small_png())
    with pytest.raises(ImageTooLarge):
        keep_outside_mask(small_png(), small_png(), bomb)
    assert open_image(small_png()).size == (32, 32)  # ordinary images are untouched


def test_a_bomb_in_the_vault_has_no_preview_and_costs_no_memory(tmp_path: Path) -> None:
    for name, bomb in (("bomb.png", png_bomb()), ("bomb.jpg", jpeg_bomb())):
        path = tmp_path / name
        path.write_bytes(bomb)
        assert thumbnails.thumbnail_png(path, "image/png") is None
    # Peak memory of a fresh interpreter asked to preview and analyse both bombs: its own
    # high-water mark (VmHWM starts afresh at exec; ru_maxrss would carry the parent's).
    code = (
        "from pathlib import Path\n"
        "from aiuteur_desktop.core.media import thumbnails\n"
        "from aiuteur_desktop.core.styles import measure\n"
        f"root = Path({str(tmp_path)!r})\n"
        "for name in ('bomb.png', 'bomb.jpg'):\n"
        "    thumbnails.thumbnail_png(root / name, 'image/png')\n"
        "    try:\n"
        "        measure.load_rgb((root / name).read_bytes())\n"
        "    except measure.BadImage:\n"
        "        pass\n"
    )
    peak = peak_mib(code)
    assert peak < 300, f"peak {peak:.0f} MiB"


def test_a_cut_off_jpeg_is_said_to_be_cut_off() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG", quality=90)
    cut = out.getvalue()[: len(out.getvalue()) // 2]
    with pytest.raises(measure.BadImage) as refused:
        measure.load_rgb(cut)
    assert "is cut off" in refused.value.user_message
