"""Opening images from anywhere (a collaborator's folder, a provider's answer, a copied
project) without decoding a bomb: the pixel count is read from the header and refused
before anything is decoded. Every Pillow open of an outside image goes through here."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from PIL import Image

from aiuteur_desktop.core.errors import AiuteurError

#: The most pixels an image may declare: 40 megapixels, more than any frame, key or
#: reference the app uses (8K UHD is 33 MP). A 20000×20000 PNG of 99 bytes is refused.
MAX_PIXELS = 40_000_000
#: The longest side a picture the user brings (a key, a reference) is kept at: image models
#: take up to 4K, and a 49-megapixel photo decoded whole cost half a gigabyte per copy.
WORKING_SIDE = 4096
# Set deliberately (Pillow's default is ~89 MP and only warns below twice that).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageTooLarge(AiuteurError, ValueError):
    """An image that declares more pixels than Aiuteur reads (a ValueError too, so code
    that already copes with an unreadable image copes with this one)."""


def open_image(source: bytes | Path | str | Any) -> Image.Image:
    """Pillow's lazy open, refused (ImageTooLarge) when the header declares more than
    MAX_PIXELS; nothing is decoded until the caller asks. Use it as a context manager."""
    data = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(too_large()) from exc
    if im.width * im.height > MAX_PIXELS:
        w, h = im.size
        im.close()
        raise ImageTooLarge(too_large(w, h))
    return im


def unreadable(name: str, exc: BaseException) -> str:
    """Why an image could not be decoded, in words a person acts on."""
    said = str(exc).lower()
    if "truncated" in said or "premature end" in said or isinstance(exc, EOFError):
        return (
            f"{name} is not a readable image: it is cut off, the file ending before the "
            "picture does (an unfinished download or copy). Save it again, or use another."
        )
    return f"{name} is not a readable image (it may be damaged)."


def too_large(w: int = 0, h: int = 0) -> str:
    size = f"{w:,}×{h:,} pixels" if w else "more pixels than Aiuteur reads"
    return (
        f"This image is {size}; Aiuteur reads images up to {MAX_PIXELS // 1_000_000} "
        "megapixels. Save a smaller copy (for example 4096 pixels wide) and use that."
    )
