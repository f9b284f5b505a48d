"""Images decoded for the window (a key chosen from disk, a stored key shown in a card): the
size is read from the header first and a bomb is refused before anything is decoded, the same
limit as `core.media.imaging` (issue "Hostile input"); previews decode at the size they show.

Pillow decodes and encodes, not Qt's image readers, because pages decode on workers: a
QImageReader call holds the GIL (PySide keeps it for a const method) while Qt's format
plugins take Qt's signal-slot lock, and a QObject destroyed on the UI thread at that moment
holds that lock while it waits for the GIL — both threads stopped for good (seen as a
frozen window during a feature's Pro Export). Pillow lets the GIL go while it decodes and
touches no Qt lock; the pixels are then wrapped in a QImage, which is only memory."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget

from aiuteur_desktop.core.media.imaging import ImageTooLarge, open_image
from aiuteur_desktop.views.jobs.background import run_in_background

#: Pillow modes that carry transparency (a P image may too: its "transparency" entry).
_ALPHA = {"RGBA", "LA", "PA", "RGBa", "La"}


def read_image(source: bytes | Path, max_side: int | None = None) -> QImage:
    """The decoded image — a null QImage when it is not one that can be read — or
    ImageTooLarge when its header declares more than MAX_PIXELS. With `max_side`, a larger
    image is decoded at that size (JPEG scales while it decodes). Safe on a worker."""
    try:
        im = open_image(source if isinstance(source, Path) else bytes(source))
    except ImageTooLarge:
        raise
    except (OSError, ValueError, SyntaxError):  # not an image (Pillow says so as an OSError)
        return QImage()
    try:
        with im:
            if max_side and max(im.size) > max_side:
                im.draft(None, (max_side, max_side))  # JPEG: decoded at 1/2…1/8 already
            picture = ImageOps.exif_transpose(im)  # as the camera was held
            if max_side and max(picture.size) > max_side:
                picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return _qimage(picture)
    except (OSError, ValueError, SyntaxError, EOFError):  # cut off or damaged past its header
        return QImage()


def _qimage(picture: Image.Image) -> QImage:
    """`picture`'s pixels as a QImage in Qt's native 32-bit layout (no conversion when drawn)."""
    alpha = picture.mode in _ALPHA or (picture.mode == "P" and "transparency" in picture.info)
    if alpha:
        picture = picture.convert("RGBA")
        data, fmt = picture.tobytes("raw", "BGRA"), QImage.Format.Format_ARGB32
    else:
        picture = picture.convert("RGB")
        data, fmt = picture.tobytes("raw", "BGRX"), QImage.Format.Format_RGB32
    w, h = picture.size
    return QImage(data, w, h, 4 * w, fmt).copy()  # its own pixels, not `data`'s


#: Stored pictures kept decoded, up to this many pixels in all: a media id is its content's
#: hash, so what it shows never changes — a grid refilled after each frame decodes only the
#: new one.
DECODED_PIXELS = 48_000_000
_decoded: OrderedDict[tuple[str, int], QImage] = OrderedDict()


def stored_image(media: str, read: Callable[[], bytes], max_side: int | None = None) -> QImage:
    """The stored picture `media` (its bytes from `read()`) decoded at most `max_side` on its
    long side, decoded once and kept (UI thread). Raises as `read_image` and `read` do."""
    key = (media, max_side or 0)
    hit = _decoded.get(key)
    if hit is not None:
        _decoded.move_to_end(key)
        return hit
    image = read_image(read(), max_side)
    _decoded[key] = image
    _prune()
    return image


def _prune() -> None:
    """Drop the least recently shown pictures past DECODED_PIXELS."""
    kept = sum(i.width() * i.height() for i in _decoded.values())
    while kept > DECODED_PIXELS and len(_decoded) > 1:
        _, dropped = _decoded.popitem(last=False)
        kept -= dropped.width() * dropped.height()


def cached_image(media: str, max_side: int | None = None) -> QImage | None:
    """`stored_image`'s decoded picture if it is kept already (else None: decode it aside)."""
    hit = _decoded.get((media, max_side or 0))
    if hit is not None:
        _decoded.move_to_end((media, max_side or 0))
    return hit


def is_decoded(media: str, max_side: int | None = None) -> bool:
    """Whether `stored_image` has the picture kept (a worker may ask: one dict lookup)."""
    return (media, max_side or 0) in _decoded


def decode_aside(reads: dict[str, Callable[[], bytes]], max_side: int) -> dict[str, QImage]:
    """Pictures decoded on a worker (QImage is safe there): media id → image, a null image
    for one that cannot be read. `keep_decoded` them on the UI thread."""
    out: dict[str, QImage] = {}
    for media, read in reads.items():
        try:
            out[media] = read_image(read(), max_side)
        except Exception:  # a missing or hostile file: no picture, never a failed page
            out[media] = QImage()
    return out


def keep_decoded(images: dict[str, QImage], max_side: int) -> None:
    for media, image in images.items():
        _decoded[(media, max_side)] = image
    _prune()


def png_bytes(image: QImage) -> bytes:
    """`image` encoded as PNG (by Pillow: safe on a worker, as `read_image` says)."""
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    w, h, stride = argb.width(), argb.height(), argb.bytesPerLine()
    pixels = bytes(argb.constBits())
    picture = Image.frombuffer("RGBA", (w, h), pixels, "raw", "BGRA", stride, 1)
    if not image.hasAlphaChannel():
        picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def preview(source: bytes | Path, side: int) -> QPixmap:
    """A pixmap fitting side×side (empty when the image cannot be read or is too large)."""
    try:
        image = read_image(source, side)
    except ImageTooLarge:
        return QPixmap()
    return fitted(image, side)


def fitted(image: QImage, side: int) -> QPixmap:
    """`image` as a pixmap fitting side×side (empty for a null image)."""
    if image.isNull():
        return QPixmap()
    return QPixmap.fromImage(image).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def pictures_aside(
    owner: QObject,
    read: Callable[[str], bytes],
    wanted: list[tuple[str, int]],
    put: Callable[[str, int, QPixmap], None],
) -> None:
    """Each stored picture of `wanted` (media id, side) handed to `put` as a pixmap fitting
    side×side (empty when it cannot be read): at once where it is decoded already, else when a
    worker has read and decoded it — a page showing an asset's key and candidates never reads
    or decodes them on the UI thread. `put` may come after `owner` shows something else: it
    checks."""
    missing: dict[int, dict[str, Callable[[], bytes]]] = {}
    for media, side in wanted:
        image = cached_image(media, side)
        if image is not None:
            put(media, side, fitted(image, side))
        else:
            missing.setdefault(side, {})[media] = lambda m=media: read(m)  # type: ignore[misc]
    if not missing:
        return

    def decode() -> dict[int, dict[str, QImage]]:
        return {side: decode_aside(reads, side) for side, reads in missing.items()}

    def landed(found: dict[int, dict[str, QImage]]) -> None:
        for side, images in found.items():
            keep_decoded(images, side)
            for media, image in images.items():
                put(media, side, fitted(image, side))

    run_in_background(decode, landed, parent=owner)


def show_in_strip(strip: QListWidget, role: int, media: str, pixmap: QPixmap) -> None:
    """`pixmap` as the icon of the strip's items holding `media` (their data `role`); an item
    whose picture cannot be read is hidden, not offered."""
    for row in range(strip.count()):
        item = strip.item(row)
        if item.data(role) == media:
            item.setIcon(QIcon(pixmap))
            item.setHidden(pixmap.isNull())


def candidate_strip(object_name: str, icon: QSize, height: int) -> QListWidget:
    """A one-row strip of thumbnails — every key or frame made for a slot, the one in use
    among them — scrolled sideways, never wrapped."""
    strip = QListWidget()
    strip.setObjectName(object_name)
    strip.setViewMode(QListWidget.ViewMode.IconMode)
    strip.setFlow(QListWidget.Flow.LeftToRight)
    strip.setWrapping(False)
    strip.setIconSize(icon)
    strip.setFixedHeight(height)
    return strip
