"""Images decoded by Qt (a key chosen from disk, a stored key shown in a card): the size is
read from the header first and a bomb is refused before anything is decoded, the same
limit as `core.media.imaging` (issue "Hostile input"); previews decode at the size they show."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QListWidget

from aiuteur_desktop.core.media.imaging import MAX_PIXELS, ImageTooLarge, too_large

# Set deliberately (Qt's default is 256 MB): a decode may take what MAX_PIXELS of ARGB needs.
QImageReader.setAllocationLimit(MAX_PIXELS * 4 // 1_000_000)


def read_image(source: bytes | Path, max_side: int | None = None) -> QImage:
    """The decoded image — a null QImage when it is not one Qt reads — or ImageTooLarge when
    its header declares more than MAX_PIXELS. With `max_side`, a larger image is decoded
    straight to that size (JPEG scales while it decodes)."""
    buffer: QBuffer | None = None
    if isinstance(source, Path):
        reader = QImageReader(str(source))
    else:
        buffer = QBuffer()
        buffer.setData(QByteArray(bytes(source)))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    size = reader.size()
    if not size.isValid():
        return QImage()
    if size.width() * size.height() > MAX_PIXELS:
        raise ImageTooLarge(too_large(size.width(), size.height()))
    if max_side and max(size.width(), size.height()) > max_side:
        reader.setScaledSize(
            size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio)
        )
    image = reader.read()
    if buffer is not None:
        buffer.close()
    return image


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
    """`image` encoded as PNG."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def preview(source: bytes | Path, side: int) -> QPixmap:
    """A pixmap fitting side×side (empty when the image cannot be read or is too large)."""
    try:
        image = read_image(source, side)
    except ImageTooLarge:
        return QPixmap()
    if image.isNull():
        return QPixmap()
    return QPixmap.fromImage(image).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


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
